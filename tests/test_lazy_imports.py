"""A build of a Markdown site does not import what only other sources need.

Every build is a new process (``digest build``); the modules it imports are part of
the time a one-article edit takes.  The cleaner of scraped pages (digest.clean) is
imported when a scraped page is read; the machinery of worker processes when workers
are started."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import digest

ROOT = str(Path(digest.__file__).resolve().parent.parent)

PROBE = """
import json, sys
from pathlib import Path
from digest.build import BuildOptions, build
from digest.config import load_config
site = Path(sys.argv[1])
build(load_config(site / "site.yaml"), BuildOptions(output=Path(sys.argv[2]), jobs=1))
print(json.dumps(sorted(sys.modules)))
"""


def _modules(site: Path, out: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": ROOT, "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(site), str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_markdown_site_build_does_not_import_the_scraped_page_cleaner(
    site: Path, tmp_path: Path
) -> None:
    assert not list((site / "content").rglob("*.txt"))
    mods = _modules(site, tmp_path / "out")
    assert "digest.build" in mods
    assert not [m for m in mods if m.startswith("digest.clean")]
    assert "digest.load.scraped" not in mods
    # no worker processes at this size: their machinery is not imported either
    assert "concurrent.futures.process" not in mods and "multiprocessing" not in mods


def test_scraped_page_is_still_read_and_cleaned(site: Path, tmp_path: Path) -> None:
    from test_scraped_site import CLUTTER, SCRAPED

    (site / "content/science/2026-06-01-border-talks.txt").write_text(SCRAPED, encoding="utf-8")
    mods = _modules(site, tmp_path / "out")
    assert "digest.load.scraped" in mods and "digest.clean.scraped" in mods
    data = json.loads((tmp_path / "out/articles.json").read_text(encoding="utf-8"))
    (talks,) = [a for a in data["articles"] if "Avaria" in a["title"]]
    assert talks["credit"] == "With reporting from Wire Agency"
    assert not any(line in json.dumps(talks) for line in CLUTTER)


def test_markdown_site_build_compiles_no_pattern_only_the_cleaner_uses(
    site: Path, tmp_path: Path
) -> None:
    """The cleaner's largest patterns (40 ms to compile) are compiled when first used: a
    Markdown site's build summarizes, and never compiles them; they match as before."""
    probe = PROBE.replace(
        "print(json.dumps(sorted(sys.modules)))",
        "import digest.boilerplate as b; print(json.dumps(sorted(vars(b))))",
    )
    env = {**os.environ, "PYTHONPATH": ROOT, "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run(
        [sys.executable, "-c", probe, str(site), str(tmp_path / "out")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    names = json.loads(done.stdout.strip().splitlines()[-1])
    assert "SENTENCE_DATELINE" in names  # (the summarizer's: compiled on import)
    assert "NAV_LINE_PREFIX" not in names and "MONTH_NAME" not in names
    assert (tmp_path / "out/index.html").exists()
    from digest import boilerplate

    assert boilerplate.NAV_LINE_PREFIX.match("follow us on mastodon")
    assert boilerplate.has_date("Updated 4 June 2019") and not boilerplate.has_date("June")
    assert boilerplate.MONTH_NAME.search("16 marca 2021")


def test_distinct_is_numpy_unique() -> None:
    import numpy as np

    from digest.related import distinct

    rng = np.random.default_rng(3)
    for size in (0, 1, 2, 7, 500):
        for dtype in (np.int32, np.int64):
            values = rng.integers(0, 40, size=size).astype(dtype)
            got = distinct(values)
            assert got.dtype == np.unique(values).dtype
            assert got.tolist() == np.unique(values).tolist()
