"""One module per CLI command: `add_parser(subparsers)` and `run(args) -> int`.

Helpers shared by several commands live here.  A command imports the stages it
runs inside ``run()``, so ``digest --help`` and argument errors stay fast (no
numpy, Jinja2 or NLTK to import).
"""

from __future__ import annotations

import argparse


def add_site_args(p: argparse.ArgumentParser) -> None:
    """--config, --base-url, --drafts: shared by commands that read a site."""
    p.add_argument("--config", "-c", metavar="PATH", help="site.yaml to use (default: ./site.yaml)")
    p.add_argument(
        "--base-url", metavar="URL", help="override base_url, e.g. https://user.github.io/repo/"
    )
    p.add_argument("--drafts", action="store_true", help="include articles with draft: true")
