"""The stories stage keeps its work between builds: after any change, a build with the
cache makes exactly the files a build without it makes, and an edit regroups only what
it touched."""

from __future__ import annotations

import dataclasses
from array import array
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import tree
from storysite import ARTICLES, BRIDGE_2, BRIDGE_3, CONFIG, MOTHS, story_site

from digest import cache, collect, related
from digest.build import BuildOptions, build
from digest.config import load_config
from digest.errors import Problems
from digest.stories import NEIGHBOURS, regroup
from digest.stories.grouping import Regrouped

BRIDGE_4 = """\
    ---
    title: "Kestrel Bridge load test passes; bridge to reopen"
    date: 2026-11-27T09:00:00Z
    source: "Valley Gazette"
    ---
    A load test with one bus on the main span of Kestrel Bridge over the River Dunmere passed on Friday, two days after the bridge was closed when inspectors found cracks in a cross-girder.

    Ruth Okafor, the chief bridge engineer, said Kestrel Bridge would reopen to cars on Monday. The Ashby Road diversion ends then.
    """
MOTHS_2 = """\
    ---
    title: "Moth survey counts 312 species in the Ellis valley"
    date: 2026-11-26T09:00:00Z
    source: "Valley Gazette"
    ---
    The Ellis valley moth survey counted 312 species this year, more than in any survey since records began.

    Dr. Ana Ruiz, who led the volunteers, said the warm spring had helped the moths of the Ellis valley.
    """

Site = tuple[dict[str, str], str]
B1, B2, B3 = (
    "news/2026-11-25-bridge-closed.md",
    "business/2026-11-25-bridge-hauliers.md",
    "news/2026-11-26-bridge-cracks-measured.md",
)


def _retitled(text: str, title: str) -> str:
    head, _, rest = text.partition('title: "')
    return head + f'title: "{title}' + rest[rest.index('"') :]


CHANGES: dict[str, Callable[[Site], Site]] = {
    "edit a member's text": lambda s: (
        {**s[0], B2: BRIDGE_2 + "\n    Hauliers asked the county to open Ashby Road at night.\n"},
        s[1],
    ),
    "edit a member's title": lambda s: (
        {**s[0], B3: _retitled(BRIDGE_3, "Cracks on Kestrel Bridge not as deep as feared")},
        s[1],
    ),
    "edit an article outside any story": lambda s: (
        {**s[0], "science/2026-11-25-moths.md": MOTHS + "\n    Most were seen in June.\n"},
        s[1],
    ),
    "add an article that joins the story": lambda s: (
        {**s[0], "news/2026-11-27-bridge-load-test.md": BRIDGE_4},
        s[1],
    ),
    "add an article that makes a new story": lambda s: (
        {**s[0], "science/2026-11-26-moth-species.md": MOTHS_2},
        s[1],
    ),
    "remove the story's first article": lambda s: (
        {k: v for k, v in s[0].items() if k != B1},
        s[1],
    ),
    "remove two members: no story left": lambda s: (
        {k: v for k, v in s[0].items() if k not in (B1, B2)},
        s[1],
    ),
    "a member's date moves out of the window": lambda s: (
        {**s[0], B3: BRIDGE_3.replace("2026-11-26T10:00:00Z", "2026-12-20T10:00:00Z")},
        s[1],
    ),
    "stories.threshold raised": lambda s: (s[0], s[1] + "stories:\n  threshold: 0.9\n"),
    "stories.window_days lowered": lambda s: (s[0], s[1] + "stories:\n  window_days: 0\n"),
    "stories turned off": lambda s: (s[0], s[1] + "stories: false\n"),
}


def _build(root: Path, out: Path, use_cache: bool = True) -> None:
    build(load_config(root / "site.yaml"), BuildOptions(output=out, use_cache=use_cache))


def _write(root: Path, site: Site) -> Path:
    for f in (root / "content").rglob("*.md") if (root / "content").is_dir() else ():
        f.unlink()
    return story_site(root, site[0], site[1])


def _stories_json(out: Path) -> str:
    return (out / "stories.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_cached_rebuild_after_a_change_equals_a_cold_build(tmp_path: Path, change: str) -> None:
    start: Site = ({**ARTICLES, "science/2026-11-26-moth-species.md": MOTHS_2}, CONFIG)
    if change == "add an article that makes a new story":
        start = (ARTICLES, CONFIG)
    root = _write(tmp_path / "s", start)
    _build(root, tmp_path / "warm")
    before = _stories_json(tmp_path / "warm")
    _write(root, CHANGES[change](start))
    _build(root, tmp_path / "warm")
    _build(root, tmp_path / "cold", use_cache=False)
    assert tree(tmp_path / "warm") == tree(tmp_path / "cold")
    if change != "edit an article outside any story":
        assert _stories_json(tmp_path / "warm") != before  # the change shows in the stories


def test_changes_one_after_another_keep_matching_a_cold_build(tmp_path: Path) -> None:
    """The kept state after an incremental rebuild is as good as a cold build's."""
    site: Site = (ARTICLES, CONFIG)
    root = _write(tmp_path / "s", site)
    _build(root, tmp_path / "warm")
    for change in CHANGES:
        if change.startswith("stories"):
            continue
        site = CHANGES[change](site)
        _write(root, site)
        _build(root, tmp_path / "warm")
        _build(root, tmp_path / "cold", use_cache=False)
        assert tree(tmp_path / "warm") == tree(tmp_path / "cold"), change


# ---------------------------------------------------------------- regroup itself


def _grouped(root: Path, previous: Regrouped | None = None) -> Regrouped:
    cfg = load_config(root / "site.yaml")
    with cache.Cache(None) as store:
        site = collect.collect(cfg.content, cfg.summary, store, Problems())
        links = related.site_links(
            site.articles,
            [it.terms for it in site.items],
            [it.key for it in site.items],
            cfg.related,
            store,
            wide=NEIGHBOURS,
        )
    return regroup(site, links.neighbours, cfg.stories, previous.graph if previous else None)


def _same_graph(x: Regrouped, y: Regrouped) -> None:
    assert x.groups == y.groups
    gx, gy = x.graph, y.graph
    assert gx is not None and gy is not None
    for name in ("lists", "scores", "df", "a", "b", "s", "comp", "label"):
        assert np.array_equal(getattr(gx, name), getattr(gy, name)), name


def test_an_edit_regroups_only_the_rows_it_touched(tmp_path: Path) -> None:
    arts = {**ARTICLES, "science/2026-11-26-moth-species.md": MOTHS_2}
    root = story_site(tmp_path / "s", arts)
    first = _grouped(root)
    n = sum(len(g) for g in first.groups)
    assert first.redone == n  # nothing kept yet: all of it
    again = _grouped(root, first)
    assert again.redone == 0 and again.groups == first.groups  # nothing changed: all reused
    # the library article gets words no other article has: only it is regrouped
    story_site(
        tmp_path / "s",
        {
            **arts,
            "news/2026-11-24-library.md": ARTICLES["news/2026-11-24-library.md"]
            + "\n    Volunteers will shelve returned books.\n",
        },
    )
    edited = _grouped(root, again)
    assert 0 < edited.redone < n
    _same_graph(edited, _grouped(root))  # what a cold grouping makes, bit for bit


def test_a_kept_graph_of_other_articles_is_not_used(tmp_path: Path) -> None:
    root = story_site(tmp_path / "a")
    other = _grouped(story_site(tmp_path / "b", {**ARTICLES, "science/2026-11-26-m.md": MOTHS_2}))
    got = _grouped(root, other)
    assert got.redone == sum(len(g) for g in got.groups)
    _same_graph(got, _grouped(root))


def _site_and_config(root: Path):
    cfg = load_config(root / "site.yaml")
    with cache.Cache(None) as store:
        site = collect.collect(cfg.content, cfg.summary, store, Problems())
    return site, cfg.stories


def test_an_edit_regroups_the_whole_story_it_touches(tmp_path: Path) -> None:
    """A chain: the first report is linked to the second, the second to the third.  A
    new score on the first report's list regroups the third too (one component)."""
    site, cfg = _site_and_config(story_site(tmp_path / "s"))
    row = {it.article.slug: i for i, it in enumerate(site.items)}
    first, second, third = (
        row["bridge-closed"],
        row["bridge-hauliers"],
        row["bridge-cracks-measured"],
    )
    assert third < second < first  # newest first: the untouched end is the group's label

    def lists(score: float) -> list[list[tuple[int, float]]]:
        nb: list[list[tuple[int, float]]] = [[] for _ in site.items]
        nb[first] = [(second, score)]
        nb[second] = [(first, 0.5), (third, 0.5)]
        nb[third] = [(second, 0.5)]
        return nb

    before = regroup(site, lists(0.5), cfg)
    assert (first, second, third) in [tuple(sorted(g, reverse=True)) for g in before.groups]
    after = regroup(site, lists(0.45), cfg, before.graph)
    assert after.redone == 3
    _same_graph(after, regroup(site, lists(0.45), cfg))


def test_an_edit_that_names_a_story_rescores_the_story(tmp_path: Path) -> None:
    """The library report now names the bridge story's people and places: their story
    features are rarer no more (IDF over the site), so the story's pairs score anew."""
    root = story_site(tmp_path / "s")
    before = _grouped(root)
    library = ARTICLES["news/2026-11-24-library.md"]
    story_site(
        tmp_path / "s",
        {
            **ARTICLES,
            "news/2026-11-24-library.md": library
            + "\n    Ruth Okafor opened it; Kestrel Bridge and River Dunmere are near.\n",
        },
    )
    after = _grouped(root, before)
    assert after.redone > 1
    _same_graph(after, _grouped(root))


def test_features_of_one_article_moving_the_idf_rescore_the_pairs_of_others(
    tmp_path: Path,
) -> None:
    """The library report's story features now include the bridge story's: the bridge
    pairs' entity overlap is rescored (IDF over the site moved) though no neighbour list
    changed."""
    site, cfg = _site_and_config(story_site(tmp_path / "s"))
    row = {it.article.slug: i for i, it in enumerate(site.items)}
    bridges = [row["bridge-closed"], row["bridge-hauliers"], row["bridge-cracks-measured"]]
    nb: list[list[tuple[int, float]]] = [[] for _ in site.items]
    for i in bridges:
        nb[i] = [(j, 0.3) for j in bridges if j != i]
    before = regroup(site, nb, cfg)
    lib = row["library"]
    items = list(site.items)
    shared = sorted(set(items[bridges[0]].features) | set(items[lib].features))
    items[lib] = dataclasses.replace(items[lib], key="edited", features=array("i", shared))
    edited = dataclasses.replace(site, items=tuple(items))
    after = regroup(edited, nb, cfg, before.graph)
    assert after.redone >= 4  # the library report and the bridge story
    cold = regroup(edited, nb, cfg)
    assert cold.graph is not None and before.graph is not None
    assert not np.array_equal(cold.graph.s, before.graph.s)  # the scores did move
    _same_graph(after, cold)


def test_pair_scores_follow_the_rule_written_out_plainly() -> None:
    """_scores (numpy, any subset of pairs) against the rule in plain Python: related
    cosine and story-feature cosine weighted, times one minus the weighted conflict."""
    import math
    import random

    from digest.stories import grouping as g

    rng = random.Random(3)
    mask = (1 << g.FEATURE_BITS) - 1
    feats = []
    for _ in range(40):
        plain = set(rng.sample(range(1, 2000), 30))
        main = set(rng.sample(range(1, 2000), 3)) - plain
        feats.append(array("i", sorted(plain | {i | g.SALIENT_TAG for i in main})))
    n = len(feats)
    df: dict[int, int] = {}
    for f in feats:
        for i in f:
            df[i & mask] = df.get(i & mask, 0) + 1
    idf = {i: math.log((n + 1) / (d + 1.0)) + 1.0 for i, d in df.items()}

    def expected(p: int, q: int, cos: float) -> float:
        named = [{i & mask for i in feats[r]} for r in (p, q)]
        main = [{i & mask for i in feats[r] if i & g.SALIENT_TAG} for r in (p, q)]
        dot = sum(idf[i] ** 2 for i in named[0] & named[1])
        norm = [math.sqrt(sum(idf[i] ** 2 for i in s)) for s in named]
        e = dot / (norm[0] * norm[1])
        lack = [len(main[k] - named[1 - k]) / len(main[k]) if main[k] else 0.0 for k in (0, 1)]
        return ((1 - g.ENTITY_WEIGHT) * cos + g.ENTITY_WEIGHT * e) * (
            1 - g.CONFLICT_WEIGHT * sum(lack) / 2
        )

    pairs = [(p, q) for p in range(n) for q in range(p + 1, n) if rng.random() < 0.2]
    a = np.array([p for p, _ in pairs], dtype=np.int64)
    b = np.array([q for _, q in pairs], dtype=np.int64)
    cos = np.array([rng.random() for _ in pairs])
    table = np.ones(1 << g.FEATURE_BITS)
    for i, v in idf.items():
        table[i] = v
    got = g._scores(a, b, cos, feats, table)
    want = [expected(p, q, c) for (p, q), c in zip(pairs, cos.tolist(), strict=True)]
    assert got.tolist() == pytest.approx(want, rel=1e-9)
    # a pair scores the same bits whichever other pairs are scored with it
    some = slice(3, 9)
    assert g._scores(a[some], b[some], cos[some], feats, table).tolist() == got[some].tolist()
