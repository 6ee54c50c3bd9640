"""Wall time of the publish stage alone, A/B against another tree's digest/publish.py.

    python bench/publish_speed.py --site-out /tmp/cold-X [--other /work/main] [--repeat 5]

The pages are the files of a site built already (``--site-out``, e.g. a BBC build), held
in memory; each round publishes them, alternating this tree's publish module and the
other tree's, into a fresh output folder (cold: no output, staging tree or stamps), then
again unchanged (first: the staging tree is made of hard links), then twice more unchanged
(steady: both trees there, their folders trusted; the second is timed), then with one page
edited.  Prints the median of each case per module (wall and CPU seconds), and the ratio.
(Cold times on a file system that is busy creating and deleting files vary a lot: on ext4
without a journal a new inode skips every recently deleted one, see the report of issue 17.)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aside import move_aside  # noqa: E402

from digest import publish  # noqa: E402
from digest.model import Page  # noqa: E402


def _other(tree: str):
    spec = importlib.util.spec_from_file_location("other_publish", f"{tree}/digest/publish.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["other_publish"] = mod  # (dataclasses look their module up)
    spec.loader.exec_module(mod)
    return mod


def _pages(folder: Path) -> list[Page]:
    out = []
    for f in sorted(folder.rglob("*")):
        if f.is_file() and f.name != ".digest-output":
            out.append(Page(f.relative_to(folder).as_posix(), f.read_bytes(), "bench"))
    return out


def _clear(out: Path) -> None:
    # (moved aside, not deleted: a cold publish right after deleting a tree times the
    # file system's search for free inodes, see bench/aside.py)
    move_aside(out, publish.staging_dir(out), publish.stamps_file(out))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--site-out", required=True, help="a built site's output folder")
    ap.add_argument("--other", default="/work/main")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", default="/tmp/publish-bench")
    args = ap.parse_args()
    pages = _pages(Path(args.site_out))
    edited = list(pages)
    edited[len(edited) // 2] = Page(edited[len(edited) // 2].path, b"edited\n", "bench")
    mods = {"this": publish, "other": _other(args.other)}
    times: dict[str, dict[str, list[tuple[float, float]]]] = {k: {} for k in mods}
    out = Path(args.out)
    cases = (
        ("cold", pages),
        ("first", pages),
        ("", pages),
        ("steady", pages),
        ("edit", edited),
    )
    for r in range(args.repeat):
        order = list(mods.items())
        for name, mod in order[::-1] if r % 2 else order:  # (each goes first in turn)
            _clear(out)
            for case, ps in cases:
                t, c = time.perf_counter(), time.process_time()
                mod.publish(iter(ps), out)
                if case:
                    took = (time.perf_counter() - t, time.process_time() - c)
                    times[name].setdefault(case, []).append(took)
    _clear(out)
    print(f"{len(pages)} files; medians of {args.repeat}, load {os.getloadavg()[0]:.2f}")
    for case, _ps in cases:
        if not case:
            continue
        a, b = (statistics.median(w for w, _ in times[n][case]) for n in ("this", "other"))
        ac, bc = (statistics.median(c for _, c in times[n][case]) for n in ("this", "other"))
        print(
            f"{case:6s} wall: this {a:.3f} s, other {b:.3f} s, ratio {a / b:.2f}; "
            f"CPU: this {ac:.3f} s, other {bc:.3f} s, ratio {ac / bc:.2f}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
