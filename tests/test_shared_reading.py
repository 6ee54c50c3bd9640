"""The per-article work reads an article's title and text once for the term counts and the
story features (digest.collect.process_one, see digest.tokens.Reading): what it gives is
what each stage gives computing alone, on the example site's articles and on texts beyond
ASCII (a pound sign, curly quotes, accented letters)."""

from __future__ import annotations

from pathlib import Path

from digest import collect, load, related, storyfeatures, summarize
from digest.config import load_config
from digest.errors import Problems

ROOT = Path(__file__).resolve().parent.parent

_EXTRA = {
    "pound.md": "---\ntitle: Kestrel Bay pays \u00a31,200\n---\n\n"
    "Ann Lee paid \u00a31,200 in Kestrel Bay\u00a0on Monday. Bob Hay, the mayor of Kestrel "
    "Bay, said the 14 families would be moved. The council met in Ashby Vale on Tuesday.\n",
    "curly.md": "---\ntitle: \u201cWe\u2019re ready,\u201d says Zo\u00eb Hay\n---\n\n"
    "Zo\u00eb Hay said the caf\u00e9 in Kestrel Bay would reopen \u2013 after 6.1 weeks. "
    "\u201cWe\u2019re ready,\u201d Ms Hay told the Ashby Vale Gazette on Friday. The "
    "council\u2019s vote was 7 to 2.\n",
}


def _sources(tmp_path: Path):
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    for f in (ROOT / "content").rglob("*.md"):
        out = site / "content" / f.relative_to(ROOT / "content")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(f.read_bytes())
    for name, text in _EXTRA.items():
        (site / "content" / name).write_text(text, encoding="utf-8")
    (site / "site.yaml").write_bytes((ROOT / "site.yaml").read_bytes())
    cfg = load_config(site / "site.yaml")
    problems = Problems()
    sources = load.discover(cfg.content, problems)
    defaults = load.folder_defaults(cfg.content, problems)
    return cfg, sources, defaults, load.folder_line_table(sources)


def test_process_one_gives_what_each_stage_gives_alone(tmp_path: Path) -> None:
    cfg, sources, defaults, tables = _sources(tmp_path)
    compared = 0
    for src in sources:
        got = collect.process_one(src, cfg.content, defaults, cfg.summary, tables)
        art = got.article
        if art is None or art.kind == "page":
            continue
        assert got.summary == summarize.summarize(art, cfg.summary)
        alone = related.term_counts(art)
        assert got.terms is not None
        assert (list(got.terms.ids), list(got.terms.counts)) == (
            list(alone.ids),
            list(alone.counts),
        )
        assert got.features == storyfeatures.story_features(art.title, art.text)
        compared += 1
    assert compared >= len(_EXTRA) + 10


def test_features_in_one_bucket_sum_their_counts() -> None:
    # "w8926" and "w52600" share a bucket of term_id: one id, their counts summed, as
    # counting id by id does
    words = {"w8926": 3, "kestrel bay": 1, "w52600": 2, "ann": 5, "1200": 1}
    by_id: dict[int, int] = {}
    for t, k in words.items():
        by_id[related.term_id(t)] = by_id.get(related.term_id(t), 0) + k
    assert related.term_id("w8926") == related.term_id("w52600")
    got = related._hashed(words)
    assert list(got.ids) == sorted(by_id)
    assert list(got.counts) == [by_id[i] for i in sorted(by_id)]
    assert list(related._hashed({}).ids) == []


def test_story_features_keep_the_most_frequent_ids_ties_by_id() -> None:
    # "w8926" and "w52600" share a bucket (their counts summed); many ties at the cut
    count = {f"n{i}": 1 + i % 3 for i in range(150)}
    count.update({"w8926": 2, "w52600": 2})
    by_id: dict[int, int] = {}
    for f, k in count.items():
        i = storyfeatures._id(f)
        by_id[i] = by_id.get(i, 0) + k
    for k in (0, 5, 61, 64, 500):
        expected = {i for _, i in sorted((-c, i) for i, c in by_id.items())[:k]}
        assert storyfeatures._most_frequent(count, k) == expected
    assert storyfeatures._most_frequent({}, 64) == set()
