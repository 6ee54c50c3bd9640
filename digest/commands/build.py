"""``digest build``: build the site into the output folder."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, NoReturn

from digest.commands import add_site_args
from digest.paths import shown

if TYPE_CHECKING:  # (imported when building: `digest --help` need not load the pipeline)
    from digest.build import Session

ORDER = 10


def add_parser(sub) -> argparse.ArgumentParser:
    b = sub.add_parser(
        "build",
        help="build the site into the output folder (default public/)",
        description="Build the site: read content/, summarize, relate, render, "
        "and swap the result into the output folder atomically.",
    )
    add_site_args(b)
    b.add_argument(
        "--output",
        "-o",
        metavar="DIR",
        help="output folder (default: output_dir from site.yaml, public/)",
    )
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    b.add_argument(
        "--watch",
        "-w",
        action="store_true",
        help="after building, keep running: rebuild into the output folder whenever "
        "site.yaml, content/, templates/, themes/ or static/ change (as digest serve "
        "does, without serving); a failed rebuild is reported and the watching goes on; "
        "Ctrl+C stops",
    )
    b.add_argument(
        "--poll",
        action="store_true",
        help="with --watch: find changes by looking at every file a few times a second, "
        "not by the system's notifications (for network drives and shared folders of "
        "containers or virtual machines, whose changes are not notified)",
    )
    b.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        default=None,
        help="worker processes for per-article work (default: all cores)",
    )
    b.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="where per-article work and related links run: worker processes here "
        "(local, the default) or a Dask cluster (dask, with --scheduler; needs "
        'pip install "digest-ssg[dask]")',
    )
    b.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="the Dask scheduler of --executor dask (e.g. tcp://10.0.0.5:8786)",
    )
    b.add_argument(
        "--no-cache",
        action="store_true",
        help="ignore and do not update the build cache (.digest-cache/)",
    )
    verbosity = b.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    verbosity.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also report, per file, what was inferred and dropped, and time per stage",
    )
    return b


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


def run(args: argparse.Namespace) -> int:
    if args.watch:
        return _watch(args)
    if args.executor == "local" and _as_program():
        held: list[object] = []  # the build's values, never freed: the process ends here
        # nor collected: the cyclic collector would walk the young objects of a build
        # that nearly all live to its end (0.1-0.2 s of a one-edit rebuild at 10,000
        # articles); worker processes collect as usual (see digest.pool)
        gc.disable()
        _build(args, leftovers=held)
        _end_now()
    _build(args)
    return 0


def _as_program() -> bool:
    """True when this process is the ``digest`` program itself (``digest ...`` or
    ``python -m digest ...``), not a test or script that calls digest.cli.main() and
    goes on afterwards."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if spec is not None:
        return spec.name == "digest.__main__"
    import sysconfig
    from pathlib import Path

    script = Path(sys.argv[0])  # the console script (its launcher drops .exe/-script.py)
    scripts = sysconfig.get_path("scripts")
    return script.stem == "digest" and os.path.realpath(script.parent) == os.path.realpath(scripts)


def _end_now() -> NoReturn:
    """End the process after a one-shot build without the interpreter's teardown: it
    frees every module's state one object at a time, 0.15 s after a 10,000-article build
    (about a tenth of a one-article edit rebuild's work).  Nothing is lost: the build has
    published the site, closed its cache, lock and worker pools, and printed its report
    (flushed here).  Exit handlers that others registered still run: a tool that wraps
    the program (coverage, a profiler) saves its data in one."""
    import atexit

    run_handlers = getattr(atexit, "_run_exitfuncs", None)  # (CPython's, as at a normal exit)
    if run_handlers is not None:
        run_handlers()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # (a closed pipe: what Python's own exit reports as status 120)
        os._exit(120)
    os._exit(0)


def _build(
    args: argparse.Namespace,
    session: Session | None = None,
    leftovers: list[object] | None = None,
) -> None:
    """Build once; print the warnings and the closing line.  Raises BuildError.
    ``session``: a digest.build.Session, for the builds of ``--watch`` (which keeps what
    a rebuild needs in memory: the cache's values are not kept decoded beside it)."""
    from digest.build import BuildOptions, build
    from digest.config import load_config

    config = load_config(
        args.config, base_url=args.base_url, output_dir=args.output, drafts=args.drafts
    )
    report = None
    if args.verbose:

        def report(path: str, lines: Iterable[str]) -> None:
            for line in lines:
                print(f"{path}: {line}", file=sys.stderr)

    show_bar = not args.quiet and sys.stderr.isatty() and not os.environ.get("CI")
    result = build(
        config,
        BuildOptions(
            strict=args.strict,
            jobs=args.jobs,
            use_cache=not args.no_cache,
            executor=args.executor,
            scheduler=args.scheduler,
        ),
        progress=_progress(show_bar),
        on_report=report,
        session=session,
        leftovers=leftovers,
    )
    if not args.quiet:
        for w in result.warnings:
            print(f"warning: {w}", file=sys.stderr)
    if args.verbose and result.cache_note:
        print(f"cache rebuilt: {result.cache_note}", file=sys.stderr)
    if args.verbose:
        for stage, secs in result.timings:
            print(f"  {stage:<13} {secs:7.3f} s", file=sys.stderr)
    if not args.quiet:
        print(
            f"built {result.articles} article{'' if result.articles == 1 else 's'} "
            f"({result.processed} processed), {result.pages} "
            f"files ({result.written} changed) in "
            f"{result.seconds:.2f} s -> {shown(result.output)}",
            flush=True,
        )


def _watch(args: argparse.Namespace) -> int:
    """``--watch``: build, then rebuild on every burst of changes (digest.watch), in this
    process, each build starting from what the last one kept in memory (a Session)."""
    from pathlib import Path

    from digest.build import Session
    from digest.cli import print_problems
    from digest.config import CONFIG_NAME, load_config
    from digest.errors import BuildError, DigestError
    from digest.watch import build_and_watch, stop_on_sigterm, watch_paths

    config_path = Path(args.config) if args.config else Path.cwd() / CONFIG_NAME
    if config_path.is_dir():
        config_path = config_path / CONFIG_NAME
    if not config_path.is_file():
        load_config(config_path)  # raises BuildError: configuration file not found
    config_path = config_path.absolute()

    def paths() -> tuple[Path, ...]:
        try:
            content: Path | None = load_config(config_path, drafts=args.drafts).content.dir
        except DigestError:
            content = None
        return watch_paths(config_path, content)

    session = Session()

    def rebuild() -> None:
        try:
            _build(args, session=session)
        except BuildError as exc:
            print_problems(exc)
        except DigestError as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)

    if not args.quiet:
        print("watching for changes (Ctrl+C to stop)", file=sys.stderr, flush=True)
    restore = stop_on_sigterm()  # (SIGTERM stops it as Ctrl+C does)
    try:
        # (rebuilds look again at the changed files only)
        build_and_watch(rebuild, paths, listener=session, polling=args.poll)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        with contextlib.suppress(KeyboardInterrupt):  # (a second Ctrl+C: no traceback)
            session.settle()  # what the session deferred writing, for the next process
        restore()
    return 0
