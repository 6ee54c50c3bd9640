"""Command line: ``digest build`` and friends.

Exit status: 0 success; 1 the content, config or theme is bad (every problem
is listed, ``file:line: message``); 2 wrong usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import digest
from digest.errors import BuildError, DigestError

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="digest",
        description="Build a news-digest website from content/: every article gets an "
                    "extractive summary and related-article links computed from its text.",
        epilog="Exit status: 0 ok, 1 bad content/config/theme (every problem listed), "
               "2 wrong usage.",
    )
    p.add_argument("--version", action="version", version=f"digest {digest.__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    b = sub.add_parser("build", help="build the site into the output folder (default public/)",
                       description="Build the site: read content/, summarize, relate, render, "
                                   "and swap the result into the output folder atomically.")
    _site_args(b)
    b.add_argument("--output", "-o", metavar="DIR", help="output folder (default: output_dir "
                   "from site.yaml, public/)")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    verbosity = b.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true",
                           help="print only errors")
    verbosity.add_argument("-v", "--verbose", action="store_true",
                           help="also report, per file, what was inferred and dropped, and "
                                "time per stage")
    return p


def _site_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", "-c", metavar="PATH", help="site.yaml to use (default: "
                   "./site.yaml)")
    p.add_argument("--base-url", metavar="URL", help="override base_url, e.g. "
                   "https://user.github.io/repo/")
    p.add_argument("--drafts", action="store_true", help="include articles with draft: true")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return _COMMANDS[args.command](args)
    except BuildError as exc:
        _print_problems(exc)
        return EXIT_BAD_INPUT
    except DigestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _print_problems(exc: BuildError) -> None:
    errors = [p for p in exc.problems if not p.warning]
    for p in exc.problems:
        print(f"{'warning' if p.warning else 'error'}: {p}", file=sys.stderr)
    n = len(errors) or len(exc.problems)
    print(f"build failed: {n} problem{'s' if n != 1 else ''}; nothing was published",
          file=sys.stderr)


def _progress(enabled: bool):
    def bar(items: Iterable, total: int) -> Iterable:
        if not enabled or total < 2:
            yield from items
            return
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("summarizing", total=total)
            for item in items:
                yield item
                progress.advance(task)

    return bar


def cmd_build(args: argparse.Namespace) -> int:
    from digest.build import BuildOptions, build
    from digest.config import load_config

    config = load_config(args.config, base_url=args.base_url, output_dir=args.output,
                         drafts=args.drafts)
    report = None
    if args.verbose:
        def report(path: str, lines: Iterable[str]) -> None:
            for line in lines:
                print(f"{path}: {line}", file=sys.stderr)

    show_bar = not args.quiet and sys.stderr.isatty() and not os.environ.get("CI")
    result = build(config, BuildOptions(strict=args.strict), progress=_progress(show_bar),
                   on_report=report)
    if not args.quiet:
        for w in result.warnings:
            print(f"warning: {w}", file=sys.stderr)
    if args.verbose:
        for stage, secs in result.timings:
            print(f"  {stage:<10} {secs:7.3f} s", file=sys.stderr)
    if not args.quiet:
        print(f"built {result.articles} articles, {result.pages} files in "
              f"{result.seconds:.2f} s -> {_shown(result.output)}")
    return EXIT_OK


def _shown(p: Path) -> str:
    try:
        rel = os.path.relpath(p)
    except ValueError:  # pragma: no cover
        return str(p)
    return str(p) if rel.startswith("..") else rel


_COMMANDS = {"build": cmd_build}


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
