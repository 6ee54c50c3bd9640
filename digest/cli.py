"""Command line entry point: ``digest COMMAND``.

Each command lives in its own module under :mod:`digest.commands` with
``add_parser(subparsers)`` and ``run(args) -> int``; this module finds them,
so adding a command never edits this file.

Exit status: 0 success; 1 the content, config or theme is bad (every problem
is listed, ``file:line: message``); 2 wrong usage.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

import digest
import digest.commands
from digest.errors import BuildError, DigestError

# Set before numpy is imported. Parallelism comes from worker processes; BLAS
# threads on top of them only fight
# for the same cores (measured: 2 workers x 2 OpenBLAS threads was 1.5x slower).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


def _commands() -> list:
    mods = [
        importlib.import_module(f"digest.commands.{m.name}")
        for m in pkgutil.iter_modules(digest.commands.__path__)
        if not m.name.startswith("_")
    ]
    return sorted(mods, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="digest",
        description="Build a news-digest website from content/: every article gets an "
        "extractive summary and related-article links computed from its text, articles "
        "about one story are grouped across outlets, and the site is read by story and "
        "by daily edition.",
        epilog="Exit status: 0 ok, 1 bad content/config/theme (every problem listed), "
        "2 wrong usage.",
    )
    p.add_argument("--version", action="version", version=f"digest {digest.__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for mod in _commands():
        cmd = mod.add_parser(sub)
        cmd.set_defaults(run=mod.run)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.command is None:
        p.print_help()
        return EXIT_USAGE
    try:
        return args.run(args)
    except BuildError as exc:
        print_problems(exc)
        return EXIT_BAD_INPUT
    except DigestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def print_problems(exc: BuildError) -> None:
    """Every problem, file by file (warnings too: they are often what to fix next); the
    count is of errors, which stopped the build, with the warnings counted after it."""
    errors = [p for p in exc.problems if not p.warning]
    for p in exc.problems:
        print(f"{'warning' if p.warning else 'error'}: {p}", file=sys.stderr)
    n = len(errors) or len(exc.problems)
    warned = len(exc.problems) - len(errors) if errors else 0
    also = f" (and {warned} warning{'s' if warned != 1 else ''})" if warned else ""
    why = " (--strict: warnings count as errors)" if getattr(exc, "strict", False) else ""
    print(
        f"build failed: {n} problem{'s' if n != 1 else ''}{also}; nothing was published{why}",
        file=sys.stderr,
    )


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
