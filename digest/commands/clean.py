"""``digest clean``: delete the build cache (and, with --all, the output folder)."""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from digest.config import Config

ORDER = 40


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "clean",
        help="delete the build cache (.digest-cache/)",
        description="Delete the build cache, so the next build starts cold (and digest "
        "serve's preview folder in it, unless a preview is running). "
        "With --all, also delete the output folder.",
    )
    p.add_argument("--config", "-c", metavar="PATH", help="site.yaml to use")
    p.add_argument("--all", action="store_true", help="also delete the output folder")
    return p


def run(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.publish import locked

    config = load_config(args.config)

    def waiting(message: str) -> None:
        print(f"{message} ...", file=sys.stderr, flush=True)

    with locked(config.output_dir, on_wait=waiting):  # never while a build writes there
        return _clean(config, args.all)


def _clean(config: Config, everything: bool) -> int:
    from digest import cache
    from digest.publish import PREVIEW, is_digest_output, staging_dir, stamps_file

    removed = []
    preview = config.cache_dir / PREVIEW  # (digest serve's, inside the cache folder)
    if preview.is_dir() and not preview.is_symlink() and not config.cache_dir.is_symlink():
        if _remove_preview(preview):
            removed.append(str(preview))
        else:
            print(f"not deleting {preview}: a digest serve of this site is using it")
    if cache.clear(config.cache_dir):
        there = config.cache_dir.exists()  # (the preview folder in it, kept)
        removed.append(f"the build cache in {config.cache_dir}" if there else str(config.cache_dir))
    output = config.output_dir
    if everything and output.is_symlink():
        print(f"not deleting {output}: it is a symlink; delete what it points to yourself")
        return 1
    if everything and output.is_dir():
        if not is_digest_output(output):
            print(f"not deleting {output}: digest did not write it")
            return 1
        shutil.rmtree(output)
        removed.append(str(output))
    if everything:
        stamps_file(output).unlink(missing_ok=True)  # (a symlink: the link only)
    staging = staging_dir(output)
    if everything and staging.is_symlink():
        staging.unlink()  # not ours: the link goes, what it points to stays
    elif everything and staging.is_dir():
        shutil.rmtree(staging)
        removed.append(str(staging))
    print("removed " + ", ".join(removed) if removed else "nothing to remove")
    return 0


def _remove_preview(preview: Path) -> bool:
    """Delete digest serve's preview folder unless a preview holds its lock (False).  It
    is renamed aside first, under the lock: a preview starting meanwhile makes a new
    one rather than building into the folder being deleted (and Windows deletes no
    folder with a file open in it: the lock is let go before the delete)."""
    from digest.publish import PREVIEW_LOCK, try_hold

    held = try_hold(preview / PREVIEW_LOCK)
    if held is None:
        return False
    aside = preview.with_name(f"{preview.name}.{os.getpid()}-{secrets.token_hex(4)}.deleted")
    try:
        os.rename(preview, aside)
    except OSError:
        aside = preview  # (Windows: a folder with an open file in it stays where it is)
    finally:
        os.close(held)
    shutil.rmtree(aside, ignore_errors=True)
    return True
