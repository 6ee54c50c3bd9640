"""Article bodies are stored apart from the rest of each source's cached result and read
when a page shows them (an article holds the mark of its body, digest.model.BODY_MARK): a
new process's rebuild decodes no body it does not render, and a build holds no body it is
not rendering.  What is published
stays byte for byte a ``--no-cache`` build's, whatever the store holds."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import edit, tree, write_site
from test_edit_rebuild import NEW
from test_session import _append, _many

from digest import cache, collect, model, pool
from digest.build import BuildOptions, Session, build
from digest.config import load_config
from digest.errors import Problems
from digest.model import BODY_MARK, Article, body_digest

FIRST = "content/world/2026-02-01-item-0.md"
SECOND = "content/science/2026-02-02-item-1.md"


def _build(
    root: Path, out: Path, session: Session | None = None, use_cache: bool = True, jobs: int = 1
) -> None:
    config = load_config(root / "site.yaml")
    build(config, BuildOptions(output=out, use_cache=use_cache, jobs=jobs), session=session)


def _collected(root: Path) -> dict[str, Article]:
    """The site's articles as a new process's collect makes them from the store."""
    config = load_config(root / "site.yaml")
    with cache.Cache(config.cache_dir) as store:
        got = collect.collect(config.content, config.summary, store, Problems())
        arts = {it.article.path: it.article for it in got.items}
        # (read while the store is open, as render does)
        return {p: a for p, a in arts.items() if a.body_html is not None}


def _db(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(load_config(root / "site.yaml").cache_dir / cache.DB_NAME)


EDITS: list[tuple[str, Callable[[Path], object]]] = [
    ("body edited", lambda r: edit(r, FIRST, "was published", "was printed")),
    ("sentence appended", lambda r: _append(r, FIRST, "\nThe harbour budget was cut again.\n")),
    ("title changed", lambda r: edit(r, SECOND, "part 1", "part one")),
    ("date changed", lambda r: edit(r, SECOND, "date: 2026-02-02", "date: 2026-02-25")),
    ("article removed", lambda r: (r / SECOND).unlink()),
    ("article added", lambda r: (r / "content/world/2026-02-27-new.md").write_text(NEW)),
]


def test_new_process_and_session_builds_with_bodies_on_demand_are_no_cache_builds(
    tmp_path: Path,
) -> None:
    root = write_site(tmp_path / "site", _many(230))  # (segments on: see collect._Segments)
    session = Session()
    _build(root, tmp_path / "live", session)
    for name, change in EDITS:
        change(root)
        slug = name.replace(" ", "-")
        _build(root, tmp_path / "live", session)
        _build(root, tmp_path / f"warm-{slug}")  # a new process's build, from the store
        _build(root, tmp_path / f"cold-{slug}", use_cache=False)
        cold = tree(tmp_path / f"cold-{slug}")
        assert tree(tmp_path / "live") == cold, name
        assert tree(tmp_path / f"warm-{slug}") == cold, name
    assert "The harbour budget was cut again." in (
        tmp_path / "live/world/item-0/index.html"
    ).read_text(encoding="utf-8")


def test_stored_results_hold_no_body_and_articles_read_theirs_when_asked(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", _many(230))
    _build(root, tmp_path / "out")
    with _db(root) as db:
        blobs = db.execute("SELECT ns, v FROM entries WHERE ns IN ('source', 'segment')")
        assert all(b"Residents asked about" not in v for _, v in blobs)
        assert db.execute("SELECT count(*) FROM entries WHERE ns='body'").fetchone()[0] == 230
    arts = _collected(root)
    assert len(arts) == 230
    assert all(a.body.startswith(BODY_MARK) for a in arts.values())
    (a,) = [a for p, a in arts.items() if p.endswith(FIRST.removeprefix("content/"))]
    assert a.body_html.startswith("<p>The harbour report number 0 was published")
    cold = write_site(tmp_path / "cold", _many(230))
    _build(cold, tmp_path / "cold-out", use_cache=False)
    page = (tmp_path / "cold-out/world/item-0/index.html").read_text(encoding="utf-8")
    assert a.body_html in page


def test_marked_bodies_compare_by_their_html_and_are_read_when_shown() -> None:
    html = {body_digest(h): h for h in ("<p>a</p>", "<p>b</p>")}
    reads: list[str] = []

    class Reader:
        def body(self, digest: str) -> str | None:
            reads.append(digest)
            return html.get(digest)

    when = datetime(2026, 3, 1, tzinfo=timezone.utc)

    def art(body: str) -> Article:
        return Article("a.md", "a", "A", when, "World", "world", "world/a/", body=body)

    a1, a2 = art(BODY_MARK + body_digest("<p>a</p>")), art(BODY_MARK + body_digest("<p>a</p>"))
    b = art(BODY_MARK + body_digest("<p>b</p>"))
    assert a1 == a2 and a1 != b and hash(a1) == hash(a2)
    reader = Reader()
    model.add_body_reader(reader)
    assert not reads
    assert a1.body_html == "<p>a</p>" and b.body_html == "<p>b</p>" and len(reads) == 2
    assert art("<p>a</p>").body_html == "<p>a</p>" and len(reads) == 2  # (held: not read)
    with pytest.raises(LookupError):  # (a mark no reader holds: never an empty page)
        art(BODY_MARK + body_digest("<p>c</p>")).body_html  # noqa: B018


def test_a_users_template_reads_body_html_from_the_store(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", _many(230))
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text(
        "<h1>{{ article.title }}</h1>\n<div>{{ entry.article.body_html | safe }}</div>\n"
        "<p>{{ article.body_html | length }} characters</p>\n",
        encoding="utf-8",
    )
    _build(root, tmp_path / "first")
    edit(root, FIRST, "was published", "was printed")
    _build(root, tmp_path / "warm")
    _build(root, tmp_path / "cold", use_cache=False)
    assert tree(tmp_path / "warm") == tree(tmp_path / "cold")
    page = (tmp_path / "warm/world/item-0/index.html").read_text(encoding="utf-8")
    assert "<div><p>The harbour report number 0 was printed" in page
    assert " characters</p>" in page and "\x00" not in page


def _body_rows(root: Path) -> list[tuple[str, bytes]]:
    with _db(root) as db:
        return db.execute("SELECT k, v FROM entries WHERE ns='body' ORDER BY k").fetchall()


@pytest.mark.parametrize("harm", ["missing", "bad checksum", "another body", "not utf-8"])
def test_a_missing_or_tampered_stored_body_is_made_again_from_its_source(
    tmp_path: Path, harm: str
) -> None:
    root = write_site(tmp_path / "site", _many(230))
    _build(root, tmp_path / "first")
    rows = _body_rows(root)
    with _db(root) as db:
        for (k, _v), (_, other) in zip(rows, rows[1:] + rows[:1], strict=True):
            if harm == "missing":
                db.execute("DELETE FROM entries WHERE ns='body' AND k=?", (k,))
            elif harm == "bad checksum":
                db.execute("UPDATE entries SET sum='0' WHERE ns='body' AND k=?", (k,))
            else:  # a well-formed entry (its checksum right) with the wrong bytes in it
                blob = other if harm == "another body" else cache._pack(b"\xff\xfe<p>")
                sha = cache.checksum(blob)
                db.execute("UPDATE entries SET v=?, sum=? WHERE ns='body' AND k=?", (blob, sha, k))
    arts = _collected(root)
    cold = write_site(tmp_path / "cold", _many(230))
    with cache.Cache(None) as none:
        config = load_config(cold / "site.yaml")
        made = collect.collect(config.content, config.summary, none, Problems())
    assert {it.article.path: it.article.body_html for it in made.items} == {
        p: a.body_html for p, a in arts.items()
    }
    # a new process's build renders every page (a new output folder, no page cache)
    with _db(root) as db:
        db.execute("DELETE FROM entries WHERE ns NOT IN ('source', 'segment', 'body')")
    _build(root, tmp_path / "again", jobs=2)
    _build(cold, tmp_path / "cold-out", use_cache=False)
    assert tree(tmp_path / "again") == tree(tmp_path / "cold-out")


def test_forked_render_workers_read_bodies_through_their_own_connections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not pool.can_fork():
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(pool, "PAGES", 1)  # render in workers, however few the pages
    root = write_site(tmp_path / "site", _many(230))
    _build(root, tmp_path / "forked", jobs=2)  # (cold: bodies stored, then read back)
    _build(root, tmp_path / "cold", use_cache=False, jobs=2)
    assert tree(tmp_path / "forked") == tree(tmp_path / "cold")
