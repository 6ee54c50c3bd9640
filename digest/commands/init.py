"""``digest init [DIR]``: scaffold a new site, ready for GitHub Pages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digest.paths import shown

ORDER = 5


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "init",
        help="create a new site: site.yaml, an example article, .gitignore and a "
        "GitHub Pages workflow",
        description="Create a new digest site in DIR (default: the current folder): "
        "site.yaml listing every option with its default, content/ with an example "
        "article, .gitignore, requirements.txt and .github/workflows/pages.yml, which "
        "builds the site and deploys it to GitHub Pages. Existing files are never "
        "overwritten unless --force is given.",
    )
    p.add_argument("dir", nargs="?", default=".", metavar="DIR", help="site folder (default: .)")
    p.add_argument("--force", action="store_true", help="overwrite files that already exist")
    return p


def run(args: argparse.Namespace) -> int:
    from digest import scaffold

    root = Path(args.dir)
    if root.exists() and not root.is_dir():
        print(f"error: {args.dir} exists and is not a folder", file=sys.stderr)
        return 1
    files = scaffold.files()
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
    where = "" if root.resolve() == Path.cwd().resolve() else f"cd {shown(root)} && "
    print(
        f"\nNext: {where}digest serve   (preview at http://127.0.0.1:8000/)\n"
        "Publish: push to GitHub and set Settings > Pages > Source to GitHub Actions."
    )
    return 0
