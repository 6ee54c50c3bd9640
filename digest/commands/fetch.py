"""``digest fetch``: new items of the feeds in site.yaml into content/."""

from __future__ import annotations

import argparse
import os
import sys

ORDER = 8


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "fetch",
        help="fetch new items of the feeds listed in site.yaml (feeds:) into content/",
        description="Fetch the RSS, Atom and JSON feeds listed under `feeds:` in site.yaml "
        "and write each new item as one file in the feed's folder under content/ "
        "(Markdown with front matter, or the article page as .html with fetch_pages: true). "
        "Items fetched before are skipped. Exit status 1 when any feed or item failed; "
        "the others are fetched all the same.",
    )
    p.add_argument("--config", "-c", metavar="PATH", help="site.yaml to use (default: ./site.yaml)")
    p.add_argument(
        "--feed",
        action="append",
        default=[],
        metavar="FOLDER",
        help="fetch only this feed (its folder under content/, as in site.yaml); repeatable",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only failures")
    return p


def run(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.fetch import FeedReport, Limits, fetch, report_lines

    config = load_config(args.config)
    assert config.fetch is not None
    cfg = config.fetch
    unknown = sorted(set(args.feed) - {f.folder for f in cfg.feeds})
    if unknown:
        print(f"error: --feed {', '.join(unknown)}: not in feeds: of site.yaml", file=sys.stderr)
        return 2
    if not cfg.feeds:
        print("no feeds in site.yaml (feeds:); nothing to fetch")
        return 0
    n = len(args.feed) if args.feed else len(cfg.feeds)
    show_bar = not args.quiet and sys.stderr.isatty() and not os.environ.get("CI")

    def show(report: FeedReport) -> None:
        for line in report_lines(report):
            if report.failed or not args.quiet:
                print(line, file=sys.stderr if report.failed else sys.stdout)

    if show_bar:
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("fetching feeds", total=n)

            def done(report: FeedReport) -> None:
                progress.advance(task)
                progress.console.print("\n".join(report_lines(report)), highlight=False)

            result = fetch(cfg, Limits(), only=args.feed, on_done=done)
    else:
        result = fetch(cfg, Limits(), only=args.feed, on_done=show)
    if not args.quiet or result.failed:
        print(result.closing_line())
    return 1 if result.failed else 0
