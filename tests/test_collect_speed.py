"""The faster paths of the collect and related stages give what the plain ones give.

The cached results' snapshot (collect._Segments), sentences split once for the summary and
its -v limits, the word -> term memo of the news summarizer, the one-pass story-feature scan,
and the related top-k's spans of equal work and its candidate selection.
"""

from __future__ import annotations

import sqlite3
from array import array
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from conftest import build_site as run
from conftest import tree

from digest import cache, collect, pool, related, storyfeatures, summarize
from digest.config import SummaryConfig, load_config
from digest.errors import Problems
from digest.model import Article
from digest.related import term_counts, top_k, vectorize
from digest.summarize import news


@pytest.fixture
def segmented(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Segments on for the 4-article test site, one source each (cuts depend on the keys,
    which depend on digest's code: a fixed layout keeps the counts below exact); returns
    the numbers of per-source entries each build asked the cache for."""
    monkeypatch.setattr(collect._Segments, "MIN_SOURCES", 1)
    monkeypatch.setattr(collect._Segments, "SEGMENT", 1)
    asked: list[int] = []
    plain = collect._cached

    def counting(store, keys, *args, **kw):
        asked.append(len(keys))
        return plain(store, keys, *args, **kw)

    monkeypatch.setattr(collect, "_cached", counting)
    return asked


def test_a_rebuild_reads_the_snapshot_not_one_entry_per_article(
    site: Path, tmp_path: Path, segmented: list[int]
) -> None:
    first = run(site, output=tmp_path / "a")
    assert first.processed == 4
    cache._MEMORY.clear()
    segmented.clear()
    second = run(site, output=tmp_path / "b")
    assert second.processed == 0 and segmented == [0]  # every result came from a segment
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_an_edit_redoes_one_article_and_gives_a_cold_builds_site(
    site: Path, tmp_path: Path, segmented: list[int]
) -> None:
    run(site, output=tmp_path / "a")
    f = site / "content/science/2026-03-03-moth-survey.md"
    f.write_text(f.read_text().replace("312 species", "313 species"))
    cache._MEMORY.clear()
    segmented.clear()
    edited = run(site, output=tmp_path / "b")
    assert edited.processed == 1
    assert segmented == [1]  # only the edited article's segment fell back
    assert run(site, output=tmp_path / "again").processed == 0  # its segment was stored anew
    run(site, output=tmp_path / "cold", use_cache=False)
    assert tree(tmp_path / "b") == tree(tmp_path / "cold") == tree(tmp_path / "again")


def test_a_tampered_segment_falls_back_to_the_per_article_entries(
    site: Path, tmp_path: Path, segmented: list[int]
) -> None:

    run(site, output=tmp_path / "a")
    con = sqlite3.connect(site / ".digest-cache/cache.sqlite")
    assert con.execute("SELECT count(*) FROM entries WHERE ns='segment'").fetchone()[0] >= 2
    blob = b"M\x81\xa1a\x01"  # {"a": 1}: a valid checksum, the wrong shape
    con.execute(
        "UPDATE entries SET v = ?, sum = ? WHERE ns = 'segment'",
        (blob, cache.checksum(blob)),
    )
    con.commit()
    cache._MEMORY.clear()
    result = run(site, output=tmp_path / "b")
    assert result.processed == 0  # the per-article entries were still good
    con.execute("UPDATE entries SET v = X'4a00' WHERE ns IN ('segment', 'source')")
    con.commit()
    con.close()
    cache._MEMORY.clear()
    assert run(site, output=tmp_path / "c").processed == 4
    assert tree(tmp_path / "a") == tree(tmp_path / "b") == tree(tmp_path / "c")


def test_a_segment_holding_impossible_term_counts_is_not_trusted(
    site: Path, tmp_path: Path, segmented: list[int]
) -> None:
    import dataclasses
    import struct

    run(site, output=tmp_path / "a")
    with cache.Cache(site / ".digest-cache") as store:
        keys = [k for (k,) in store.db.execute("SELECT k FROM entries WHERE ns='segment'")]
        segs = store.get_many("segment", keys, collect.Segment)
        bad = struct.pack("<2i", 9, 4)  # ids not increasing
        store.put_many(
            "segment",
            {
                k: dataclasses.replace(
                    s, entries=tuple(dataclasses.replace(e, term_ids=bad) for e in s.entries)
                )
                for k, s in segs.items()
            },
        )
        store.db.execute("DELETE FROM entries WHERE ns='source'")
    cache._MEMORY.clear()
    assert run(site, output=tmp_path / "b").processed == 4
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_segment_cuts_depend_on_the_keys_not_their_positions() -> None:
    """Adding a source changes the segment it lands in, not the others (content-defined
    cuts): the rest of the snapshot stays valid."""
    keys = [cache.quick_key("k", i) for i in range(600)]
    with cache.Cache(None) as store:
        before = collect._Segments(store, keys)
        after = collect._Segments(store, keys[:300] + [cache.quick_key("new")] + keys[300:])
    old = {before.key(sp) for sp in before.spans}
    new = [after.key(sp) for sp in after.spans]
    assert len(before.spans) > 4
    assert sum(k not in old for k in new) == 1
    assert [i for sp in before.spans for i in range(*sp)] == list(range(600))


def _article(slug: str, paragraphs: tuple[str, ...], title: str = "A title") -> Article:
    return Article(
        path=f"content/{slug}.md",
        slug=slug,
        title=title,
        date=datetime(2026, 1, 1, tzinfo=timezone.utc),
        section="News",
        section_slug="news",
        url=f"news/{slug}/",
        text="\n\n".join(paragraphs),
        paragraphs=paragraphs,
    )


def test_summary_and_limits_from_one_split_equal_the_separate_calls(site: Path) -> None:
    cfg = load_config(site / "site.yaml")
    with cache.Cache(None) as store:
        from digest.errors import Problems

        got = collect.collect(cfg.content, cfg.summary, store, Problems(), texts=True)
    long = _article("long", tuple(f"Sentence number {i} says a thing or two." for i in range(420)))
    for art in [*got.articles, long]:
        for c in (cfg.summary, SummaryConfig(method="luhn")):
            summary, notes = summarize.summarize_with_limits(art, c)
            assert notes == summarize.limits(art, c)  # its own split of the sentences
            if art.summary_override:
                assert summary.sentences == art.summary_override
                continue
            _, scored = summarize.score(art, c)  # the sentences split again, and scored
            chosen = [summarize.strip_dateline(s.text) for s in scored if s.chosen]
            assert list(summary.sentences) == (chosen or [scored[0].text])
    assert summarize.summarize_with_limits(long, cfg.summary)[1]  # the bound is reported


def test_the_term_memo_gives_what_stemming_each_word_gives() -> None:
    stem, stops = news.stemmer_and_stop_words("english")
    words = ["the", "harbours", "it's", "'quoted'", "a", "running", "harbours", "x-"]
    expected = []
    for w in words:
        if len(w) < 2 or w in stops:
            continue
        w = w.strip("'\u2019-")
        if len(w) >= 2 and w not in stops:
            expected.append(stem(w))
    memo: dict[str, str] = {}
    assert (
        news._terms(words, stem, stops, memo) == expected == ["harbour", "quot", "run", "harbour"]
    )
    assert news._terms(words, stem, stops, memo) == expected  # from the memo alone
    assert news._terms(words, stem, stops) == expected


@pytest.mark.parametrize(
    "text, names, numbers",
    [
        (
            "The Kestrel Bay council met Ann Lee.",
            ["kestrel", "bay", "kestrel bay", "ann", "lee", "ann lee"],
            [],
        ),
        ("They met Ann, Lee and Bob.", ["ann", "lee", "bob"], []),  # a comma ends a run
        # '' opens a sentence: its first word is no name
        ("He said ''Kestrel Bay'' twice.", ["bay"], []),
        ("Rates of 6.1 and 1,200 in Kestrel's bay.", ["kestrel's"], ["6.1", "1,200"]),
        # blanks, ' and - keep a run of names going
        ("Paul  O'Neil - Kestrel", ["o'neil", "kestrel", "o'neil kestrel"], []),
    ],
)
def test_story_feature_names_and_numbers(text: str, names: list[str], numbers: list[str]) -> None:
    got_names, got_numbers, _ = storyfeatures._scan(text)
    assert sorted(got_names) == sorted(names) and got_numbers == numbers


def test_top_k_spans_cover_the_rows_and_give_heavy_rows_shorter_spans() -> None:
    docs = [
        _article(f"d{i:03d}", (" ".join(f"w{(i * 7 + j) % 90}" for j in range(8)),))
        for i in range(200)
    ]
    docs += [
        _article(f"h{i:03d}", (" ".join(f"w{j}" for j in range(90)) + f" own{i}",))
        for i in range(40)
    ]
    vec = vectorize([term_counts(d) for d in docs])
    spans = related._spans(vec.matrix, 16)
    assert spans[0][0] == 0 and spans[-1][1] == len(docs)
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(spans, spans[1:], strict=False))
    heavy = [hi - lo for lo, hi in spans if lo >= 200]
    light_spans = [hi - lo for lo, hi in spans if hi <= 200]
    assert max(heavy) < min(light_spans)


@pytest.mark.parametrize("min_score", [0.0, 0.05, 0.3])
def test_top_k_with_ties_and_thresholds_equals_the_one_row_answer(
    monkeypatch: pytest.MonkeyPatch, min_score: float
) -> None:
    """Candidates tied with the k-th best compete on key, whether the block holds many
    rows or one; in workers or not."""
    monkeypatch.setattr(pool, "ROWS_PER_WORKER", 40)
    docs = [_article(f"d{i:03d}", (f"w{i % 5} w{i % 7} shared",)) for i in range(160)]
    vec = vectorize([term_counts(d) for d in docs])
    keys = [d.slug for d in docs]
    whole = top_k(vec, 4, min_score, keys, jobs=1)
    assert whole == top_k(vec, 4, min_score, keys, jobs=2)
    assert whole == [related.neighbours_of(vec, r, 4, min_score, keys) for r in range(len(docs))]
    for r, row in enumerate(whole):  # by score, then key; all at or above min_score
        assert row == sorted(row, key=lambda js: (-js[1], keys[js[0]]))
        assert all(s >= min_score and s > 0 and j != r for j, s in row)


def test_block_scores_are_scipys_product_bit_for_bit() -> None:
    docs = [
        _article(f"d{i:03d}", (" ".join(f"w{(i * 13 + j * j) % 70}" for j in range(25)),))
        for i in range(120)
    ]
    m = vectorize([term_counts(d) for d in docs]).matrix
    mt = m.T.tocsr()
    for rows in ([0], list(range(0, 120, 7)), list(range(120))):
        fast = related._block_scores(m[rows], mt)
        plain = (m[rows] @ mt).toarray()
        assert fast.dtype == plain.dtype and fast.shape == plain.shape
        assert (fast.view(np.uint32) == plain.view(np.uint32)).all()


@pytest.mark.parametrize("segment", [2, 3])
def test_segments_of_several_articles_give_a_cold_builds_site_after_edits(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, segment: int
) -> None:
    monkeypatch.setattr(collect._Segments, "MIN_SOURCES", 1)
    monkeypatch.setattr(collect._Segments, "SEGMENT", segment)
    run(site, output=tmp_path / "a")
    f = site / "content/science/2026-03-03-moth-survey.md"
    f.write_text(f.read_text().replace("312 species", "313 species"))
    cache._MEMORY.clear()
    assert run(site, output=tmp_path / "b").processed == 1
    (site / "content/science/2026-03-03-moth-survey.md").unlink()
    cache._MEMORY.clear()
    assert run(site, output=tmp_path / "c").processed == 0
    run(site, output=tmp_path / "cold", use_cache=False)
    assert tree(tmp_path / "c") == tree(tmp_path / "cold")


def test_an_edit_decodes_the_stored_term_counts_of_the_edited_article_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stored term counts stay bytes until read: a new process's rebuild after one edit
    (the related vectors read from the store) decodes no article's, and its site is a
    cold build's; stored counts read back are the counts made."""
    from conftest import write_site
    from test_session import _append, _many

    from digest import model
    from digest.build import BuildOptions, build

    root = write_site(tmp_path / "site", _many(230))

    def built(out: str, use_cache: bool = True) -> int:
        options = BuildOptions(output=tmp_path / out, use_cache=use_cache, jobs=1)
        return build(load_config(root / "site.yaml"), options).processed

    built("a")
    _append(root, "content/world/2026-02-01-item-0.md", "\nThe harbour budget was cut again.\n")
    cache._MEMORY.clear()
    decoded: list[bytes] = []
    plain = model.int32s

    def counting(values: object) -> object:
        if isinstance(values, bytes):
            decoded.append(values)
        return plain(values)  # type: ignore[arg-type]

    monkeypatch.setattr(model, "int32s", counting)
    assert built("b") == 1
    assert decoded == []  # (the edited article's counts were made, not decoded)
    built("cold", use_cache=False)
    assert tree(tmp_path / "b") == tree(tmp_path / "cold")
    config = load_config(root / "site.yaml")
    with cache.Cache(config.cache_dir) as store:
        got = collect.collect(config.content, config.summary, store, Problems())
        fresh = collect.collect(config.content, config.summary, store, Problems(), texts=True)
    for it, again in zip(got.items, fresh.items, strict=True):
        held, made = it.terms, again.terms
        assert isinstance(held.held_ids, bytes) and isinstance(made.held_ids, array)
        assert held == made and held.ids == made.ids and held.counts == made.counts
