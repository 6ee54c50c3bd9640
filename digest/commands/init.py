"""``digest init [DIR]``: scaffold a new site, ready for GitHub Pages."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from digest.paths import shown

ORDER = 5


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "init",
        help="create a new site: site.yaml, an example article, an About page, "
        ".gitignore, requirements.txt and a GitHub Pages workflow",
        description="Create a new digest site in DIR (default: the current folder): "
        "site.yaml listing every option with its default, content/ with an example "
        "article, .gitignore, requirements.txt (how CI installs digest: as it is installed "
        "here) and .github/workflows/pages.yml, which builds the site and deploys it to "
        "GitHub Pages. Existing files are never "
        "overwritten unless --force is given.",
    )
    p.add_argument("dir", nargs="?", default=".", metavar="DIR", help="site folder (default: .)")
    p.add_argument("--force", action="store_true", help="overwrite files that already exist")
    p.add_argument(
        "--base-url",
        metavar="URL",
        help="where the site will be published, e.g. https://user.github.io/repo/ "
        "(written to site.yaml; feeds, sitemap and canonical links need it)",
    )
    p.add_argument(
        "--requirement",
        metavar="SPEC",
        help="what requirements.txt tells CI to install, e.g. "
        "'digest-ssg @ git+https://github.com/OWNER/digest@v0.1.0' "
        "(default: digest as it is installed here)",
    )
    p.add_argument(
        "--schedule",
        metavar="CRON",
        help="also run the workflow on this schedule (UTC), e.g. '0 6 * * *'; a scheduled "
        "run fetches the feeds of site.yaml (digest fetch), commits new items, then builds",
    )
    return p


_CRON_FIELD = re.compile(r"^[\d*/,\-A-Za-z]+$")


def _options_problem(args: argparse.Namespace) -> str | None:
    from digest.config import url_problem

    if args.base_url is not None:
        problem = url_problem(args.base_url, allow_relative=False)
        if problem:
            return f"--base-url: {problem}"
    if args.schedule is not None:
        fields = args.schedule.split()
        if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
            return f"--schedule: {args.schedule!r} is not a cron line of 5 fields, e.g. '0 6 * * *'"
    if args.requirement is not None and (not args.requirement.strip() or "\n" in args.requirement):
        return "--requirement: give one requirement line, e.g. 'digest-ssg==0.1.0'"
    return None


def run(args: argparse.Namespace) -> int:
    from digest import scaffold

    root = Path(args.dir)
    if root.exists() and not root.is_dir():
        print(f"error: {args.dir} exists and is not a folder", file=sys.stderr)
        return 1
    problem = _options_problem(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    req = scaffold.Requirement(args.requirement.strip()) if args.requirement else None
    req = req or scaffold.requirement()
    base_url = args.base_url
    if base_url is not None and not base_url.endswith("/"):
        base_url += "/"
    files = scaffold.files(spec=req.spec, schedule=args.schedule, base_url=base_url)
    existing = [rel for rel in files if (root / rel).exists()]
    if existing and not args.force:
        print("error: refusing to overwrite existing files (use --force):", file=sys.stderr)
        for rel in existing:
            print(f"  {shown(root / rel)}", file=sys.stderr)
        return 1
    for rel, text in files.items():
        target = root / rel
        if target.is_dir():
            print(f"error: {shown(target)} is a folder; cannot write a file there", file=sys.stderr)
            return 1
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
        print(f"{'overwrote' if rel in existing else 'created'} {shown(target)}")
    if req.warning:
        print(f"warning: requirements.txt: {req.warning}", file=sys.stderr)
    where = "" if root.resolve() == Path.cwd().resolve() else f"cd {shown(root)} && "
    print(
        f"\nNext: {where}digest serve   (preview at http://127.0.0.1:8000/)\n"
        "Publish: push to GitHub and set Settings > Pages > Source to GitHub Actions."
    )
    return 0
