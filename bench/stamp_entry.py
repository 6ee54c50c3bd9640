"""publish._json_entry (one stamp found in the live tree's stamps JSON) vs decoding them.

    python bench/stamp_entry.py SITE [--repeat 30]

SITE is a built site (its ``public`` and ``.digest-stamps-public.json``; a copy will do).
A new process's feeds read two live stamps (articles.json, sitemap.xml: see
publish.Published.stamp); this times those two lookups each way, in alternating runs,
and prints the medians: found in the JSON by _json_entry, the whole tree's stamps
decoded (generic, typed), and its entries decoded as msgspec.Raw each.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from digest import publish

KEYS = ("articles.json", "sitemap.xml")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    data = publish._stamps_data(args.site / "public")
    # (a tree's entry, whichever: a copied site's tree ids, device:inode, are not its own)
    raw = bytes(next(v for k, v in data.items() if not k.startswith("folders:")))
    entries = msgspec.json.Decoder(dict[str, msgspec.Raw])
    typed = msgspec.json.Decoder(dict[str, list[int]])

    def found() -> list[object]:
        spans = [publish._json_entry(raw, msgspec.json.encode(k)) for k in KEYS]
        return [publish._JSON.decode(raw[s[0] : s[1]]) for s in spans if s is not None]

    def whole() -> list[object]:
        got = publish._JSON.decode(raw)
        return [got.get(k) for k in KEYS]

    def whole_typed() -> list[object]:
        got = typed.decode(raw)
        return [got.get(k) for k in KEYS]

    def raw_entries() -> list[object]:
        got = entries.decode(raw)
        return [publish._JSON.decode(got[k]) for k in KEYS]

    ways: dict[str, Callable[[], list[object]]] = {
        "_json_entry": found,
        "whole decode": whole,
        "whole decode, typed": whole_typed,
        "Raw entries decode": raw_entries,
    }
    want = found()
    assert all(way() == want for way in ways.values()), "the ways disagree"
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.repeat):
        for name, way in ways.items():
            t = time.perf_counter()
            way()
            times[name].append(time.perf_counter() - t)
    print(f"live tree stamps: {len(raw) / 1e6:.2f} MB, {len(publish._JSON.decode(raw))} entries")
    first = statistics.median(times["_json_entry"])
    for name, got in times.items():
        median = statistics.median(got)
        print(
            f"{name:20s} {median * 1e3:7.3f} ms (min {min(got) * 1e3:.3f})  x{median / first:.1f}"
        )


if __name__ == "__main__":
    main()
