"""Golden-file tests: the rendered HTML of a tiny site, byte for byte.

After a deliberate change to templates or rendering, regenerate with
``pytest tests/test_golden.py --update-golden`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

from conftest import write_site

from digest.cli import main

GOLDEN = Path(__file__).parent / "golden" / "tiny"

TINY = {
    "news/2026-05-01-first.md": """\
        ---
        title: "First & foremost"
        date: 2026-05-01T09:30:00Z
        tags: [alpha]
        source: "Test Wire"
        source_url: "https://example.com/first"
        ---
        The first story reports that the town library will open on Sundays from June.

        Library staff said the change follows a survey of 900 readers. Most asked for weekend hours.
        """,
    "news/2026-05-02-second.md": """\
        ---
        title: "Second story about the library"
        date: 2026-05-02
        tags: [alpha, beta]
        ---
        The town library Sunday opening drew a crowd of readers on its first day.

        Staff counted 400 visitors, twice the number on a normal Saturday.
        """,
}
CONFIG = 'title: "Tiny"\nbase_url: "https://example.org/tiny/"\nrelated:\n  min_score: 0.01\n'


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix in (".html", ".json", ".xml", ".txt")
    }


def test_rendered_site_matches_golden(tmp_path: Path, update_golden: bool) -> None:
    root = write_site(tmp_path, TINY, CONFIG)
    assert main(["build", "--config", str(root / "site.yaml"), "-q"]) == 0
    got = _files(root / "public")
    if update_golden:
        for old in GOLDEN.rglob("*"):
            if old.is_file():
                old.unlink()
        for rel, data in got.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
    want = _files(GOLDEN)
    assert want, "no golden files: run pytest tests/test_golden.py --update-golden"
    assert sorted(got) == sorted(want)
    for rel in want:
        assert got[rel].decode() == want[rel].decode(), rel
