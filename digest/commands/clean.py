"""``digest clean``: delete the build cache (and, with --all, the output folder)."""

from __future__ import annotations

import argparse
import shutil

ORDER = 40


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "clean",
        help="delete the build cache (.digest-cache/)",
        description="Delete the build cache, so the next build starts cold. "
        "With --all, also delete the output folder.",
    )
    p.add_argument("--config", "-c", metavar="PATH", help="site.yaml to use")
    p.add_argument("--all", action="store_true", help="also delete the output folder")
    return p


def run(args: argparse.Namespace) -> int:
    from digest import cache
    from digest.config import load_config
    from digest.publish import is_digest_output, staging_dir, stamps_file

    config = load_config(args.config)
    removed = []
    if cache.clear(config.cache_dir):
        removed.append(str(config.cache_dir))
    if args.all and config.output_dir.is_dir():
        if not is_digest_output(config.output_dir):
            print(f"not deleting {config.output_dir}: digest did not write it")
            return 1
        shutil.rmtree(config.output_dir)
        removed.append(str(config.output_dir))
    if args.all:
        stamps_file(config.output_dir).unlink(missing_ok=True)
    if args.all and staging_dir(config.output_dir).is_dir():
        shutil.rmtree(staging_dir(config.output_dir))
        removed.append(str(staging_dir(config.output_dir)))
    print("removed " + ", ".join(removed) if removed else "nothing to remove")
    return 0
