"""Story grouping (digest.stories.grouping) on small fictional sites.

Every place, outlet and event here is made up."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from digest import cache, collect, related, stories
from digest.config import ContentConfig, RelatedConfig, StoriesConfig, SummaryConfig
from digest.errors import Problems
from digest.stories import grouping as grouping_module
from digest.storyfeatures import (
    FEATURE_BITS,
    MAX_FEATURES,
    SALIENT_TAG,
    _id,
    story_features,
)

HARWICK = [
    (
        "Harwick bridge closed after engineers find cracks",
        "Valley Courier",
        "The Old Mill bridge in Harwick was closed to all traffic on Tuesday after engineers "
        "found deep cracks in its central pier. Harwick council said the bridge would stay "
        "shut while divers inspect the pier below the river Lune. Buses between Harwick and "
        "Selby Green will take a diversion through Marrow Lane, adding twenty minutes.",
    ),
    (
        "Cracked pier shuts Harwick's Old Mill bridge",
        "Lune Herald",
        "Harwick's Old Mill bridge has been shut after cracks were found in its central "
        "pier, the council confirmed. Divers will inspect the pier in the river Lune this "
        "week. Drivers heading for Selby Green are told to use Marrow Lane; the bus "
        "diversion adds about twenty minutes.",
    ),
    (
        "Harwick bridge closure: divers inspect Old Mill pier",
        "Valley Courier",
        "Divers began inspecting the cracked central pier of the Old Mill bridge in Harwick "
        "on Wednesday. The bridge over the river Lune remains closed and the Marrow Lane "
        "diversion for buses to Selby Green stays in place, Harwick council said.",
    ),
]
DUNMORE = [
    (
        "Dunmore footbridge shut over rusted cables",
        "Coastal Post",
        "The Quayside footbridge in Dunmore has been closed after inspectors found rusted "
        "suspension cables. Dunmore harbour trust said walkers must use the Fenwick Road "
        "crossing until the cables on the footbridge are replaced, which could take a year.",
    ),
    (
        "Rusted cables close Quayside footbridge in Dunmore",
        "Bay Times",
        "Inspectors found rust on the suspension cables of Dunmore's Quayside footbridge, "
        "which is now closed. The harbour trust said the Fenwick Road crossing will serve "
        "walkers while the cables are replaced over the coming year.",
    ),
]
KESTREL = [
    (
        "Magnitude 6.1 earthquake shakes Kestrel Bay",
        "Island Wire",
        "A magnitude 6.1 earthquake struck off Kestrel Bay early on Sunday, damaging the "
        "lighthouse at Gorran Point and cutting power to the fishing port. No deaths were "
        "reported. The Kestrel Bay coastguard said aftershocks shook Gorran Point for hours.",
    ),
    (
        "Kestrel Bay quake damages Gorran Point lighthouse",
        "Northern Ledger",
        "Sunday's 6.1 magnitude earthquake off Kestrel Bay cracked the Gorran Point "
        "lighthouse and left the fishing port without power. The coastguard reported "
        "aftershocks but no deaths in Kestrel Bay.",
    ),
]
TAMSFORD = [
    (
        "Earthquake of magnitude 5.4 hits Tamsford valley",
        "Island Wire",
        "A magnitude 5.4 earthquake hit the Tamsford valley on Thursday afternoon, bringing "
        "down the bell tower of St Oda's church. Two people were injured in Tamsford, and "
        "the mountain railway to Brenlow was halted for checks.",
    ),
    (
        "Tamsford quake topples St Oda's bell tower",
        "Northern Ledger",
        "Thursday's 5.4 magnitude earthquake in the Tamsford valley toppled the bell tower "
        "of St Oda's church and injured two people. The Brenlow mountain railway stopped "
        "while engineers checked the line above Tamsford.",
    ),
]
OTHER = [
    (
        "Orchard cooperative wins cider award",
        "Valley Courier",
        "The Pellow orchard cooperative won the regional cider award for its dry perry, "
        "made from pears grown on the slopes above the village school.",
    ),
    (
        "Chess club opens in the old library",
        "Bay Times",
        "A chess club now meets on Fridays in the old library, where volunteers teach "
        "children openings and endgames with boards donated by a local cafe.",
    ),
    (
        "Marathon route changes for the spring race",
        "Lune Herald",
        "Organisers of the spring marathon moved the route away from the seafront so that "
        "runners avoid the cobbled promenade and the steep climb past the water tower.",
    ),
]


def write_site(root: Path, days: dict[str, int] | None = None) -> Path:
    """The fixtures as a digest site under root/content (one day each unless ``days``)."""
    content = root / "content"
    content.mkdir(parents=True, exist_ok=True)
    stories_ = {"harwick": HARWICK, "dunmore": DUNMORE, "kestrel": KESTREL, "tamsford": TAMSFORD}
    stories_["other"] = OTHER
    for name, arts in stories_.items():
        for i, (title, source, text) in enumerate(arts):
            slug = f"{name}-{i}"
            day = (days or {}).get(slug, 10 + i % 2)
            (content / f"{slug}.md").write_text(
                f'---\ntitle: "{title}"\ndate: 2026-04-{day:02d}\nsource: "{source}"\n---\n\n'
                f"{text}\n",
                encoding="utf-8",
            )
    return content


def groups_of(
    content: Path,
    cfg: StoriesConfig | None = None,
    store: cache.Cache | None = None,
    jobs: int = 1,
) -> set[frozenset[str]]:
    """The stories digest build finds, as sets of slugs."""
    cfg = cfg or StoriesConfig()
    store = store or cache.Cache(None)
    site = collect.collect(
        ContentConfig(dir=content, root=content.parent),
        SummaryConfig(),
        store,
        Problems(),
        jobs=jobs,
    )
    links = related.site_links(
        site.articles,
        [it.terms for it in site.items],
        [it.key for it in site.items],
        RelatedConfig(),
        store,
        jobs,
        wide=stories.NEIGHBOURS if cfg.enabled else 0,
    )
    grouping = stories.group(site, links.neighbours, cfg)
    rows = sorted(r for g in grouping for r in g)
    assert rows == list(range(len(site.items)))  # every row in exactly one group
    assert list(grouping) == sorted(grouping, key=lambda g: g[0])
    assert all(list(g) == sorted(g) for g in grouping)
    return {frozenset(site.items[r].article.slug for r in g) for g in grouping}


def story_of(groups: set[frozenset[str]], slug: str) -> frozenset[str]:
    return next(g for g in groups if slug in g)


def test_same_story_from_different_outlets_is_one_group(tmp_path: Path) -> None:
    groups = groups_of(write_site(tmp_path))
    assert story_of(groups, "harwick-0") == {"harwick-0", "harwick-1", "harwick-2"}
    assert story_of(groups, "dunmore-0") == {"dunmore-0", "dunmore-1"}


def test_look_alike_stories_stay_apart(tmp_path: Path) -> None:
    groups = groups_of(write_site(tmp_path))
    assert story_of(groups, "kestrel-0") == {"kestrel-0", "kestrel-1"}
    assert story_of(groups, "tamsford-0") == {"tamsford-0", "tamsford-1"}
    assert "dunmore-0" not in story_of(groups, "harwick-0")
    for slug in ("other-0", "other-1", "other-2"):
        assert story_of(groups, slug) == {slug}


def test_far_apart_dates_split_a_story(tmp_path: Path) -> None:
    content = write_site(tmp_path, days={"dunmore-1": 28})
    groups = groups_of(content)
    assert story_of(groups, "dunmore-0") == {"dunmore-0"}
    assert story_of(groups, "dunmore-1") == {"dunmore-1"}
    wide = groups_of(content, replace(StoriesConfig(), window_days=30))
    assert story_of(wide, "dunmore-0") == {"dunmore-0", "dunmore-1"}


def test_threshold_one_splits_everything(tmp_path: Path) -> None:
    groups = groups_of(write_site(tmp_path), replace(StoriesConfig(), threshold=1.0))
    assert all(len(g) == 1 for g in groups)


def test_disabled_makes_every_article_its_own_story(tmp_path: Path) -> None:
    groups = groups_of(write_site(tmp_path), replace(StoriesConfig(), enabled=False))
    assert len(groups) == 12 and all(len(g) == 1 for g in groups)


def test_deterministic_and_independent_of_jobs(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    one = groups_of(content, jobs=1)
    assert groups_of(content, jobs=1) == one
    assert groups_of(content, jobs=2) == one


def test_edited_article_regroups_as_a_cold_build(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    store = cache.Cache(tmp_path / "cache")
    try:
        before = groups_of(content, store=store)
        assert story_of(before, "other-2") == {"other-2"}
        # the marathon piece is rewritten into a third Dunmore footbridge report
        title, source, text = DUNMORE[1]
        (content / "other-2.md").write_text(
            f'---\ntitle: "Dunmore footbridge: {title}"\ndate: 2026-04-11\n'
            f'source: "{source}"\n---\n\n{text} The Quayside footbridge stays closed.\n',
            encoding="utf-8",
        )
        warm = groups_of(content, store=store)
    finally:
        store.close()
    cold = groups_of(content)
    assert warm == cold
    assert "other-2" in story_of(cold, "dunmore-0")


# Two warehouse fires told in the same words: only the names and figures differ.
FIRES = [
    (
        "Warehouse fire closes ring road",
        "Valley Courier",
        "A fire broke out at a timber warehouse on the industrial estate on Monday night. "
        "Firefighters from Ashby and Corran fought the blaze for six hours and the ring "
        "road was closed while smoke drifted over the houses. Police said 14 workers left "
        "the building safely and Ashby council opened the leisure centre for residents.",
    ),
    (
        "Fire at timber warehouse shuts ring road",
        "Lune Herald",
        "Firefighters from Ashby and Corran spent six hours at a timber warehouse fire on "
        "the industrial estate. Smoke drifted over houses and the ring road was closed. "
        "All 14 workers left the building safely, police said, and Ashby council opened "
        "the leisure centre.",
    ),
    (
        "Timber warehouse blaze on Pellington estate",
        "Bay Times",
        "Crews from Pellington and Wrayholt tackled a blaze at a timber warehouse on the "
        "Pellington industrial estate through Thursday. The bypass stayed shut until "
        "the fumes cleared and 38 staff were evacuated, Pellington police said.",
    ),
    (
        "Pellington warehouse blaze: 38 staff evacuated",
        "Coastal Post",
        "A blaze at a Pellington timber warehouse forced 38 staff out on Thursday. Crews "
        "from Wrayholt helped, and the bypass was shut while fumes cleared from the "
        "Pellington industrial estate.",
    ),
]


def write_fires(root: Path) -> Path:
    content = root / "content"
    content.mkdir(parents=True)
    for i, (title, source, text) in enumerate(FIRES):
        (content / f"fire-{i}.md").write_text(
            f'---\ntitle: "{title}"\ndate: 2026-04-10\nsource: "{source}"\n---\n\n{text}\n',
            encoding="utf-8",
        )
    return content


def test_story_features_keep_look_alike_wording_apart(tmp_path: Path, monkeypatch) -> None:
    content = write_fires(tmp_path)
    groups = groups_of(content)
    assert story_of(groups, "fire-0") == {"fire-0", "fire-1"}
    assert story_of(groups, "fire-2") == {"fire-2", "fire-3"}
    # on the related cosine alone, the two fires are one story
    monkeypatch.setattr(grouping_module, "ENTITY_WEIGHT", 0.0)
    assert story_of(groups_of(content), "fire-0") == {"fire-0", "fire-1", "fire-2", "fire-3"}


def test_story_features_are_names_and_numbers() -> None:
    mask = (1 << FEATURE_BITS) - 1
    raw = story_features("Fire in Ashby", "Firefighters from Ashby Vale came. 14 left.")
    feats = {i & mask for i in raw}
    assert {_id("ashby"), _id("vale"), _id("ashby vale"), _id("14")} <= feats
    assert _id("firefighters") not in feats  # sentence-initial capital: not a name
    assert _id("fire") not in feats and _id("left") not in feats


def test_group_size_is_capped(tmp_path: Path, monkeypatch) -> None:
    content = write_site(tmp_path)
    monkeypatch.setattr(grouping_module, "MAX_GROUP", 2)
    groups = groups_of(content)
    assert max(len(g) for g in groups) == 2
    assert story_of(groups, "dunmore-0") == {"dunmore-0", "dunmore-1"}


# Two offers to one player from two different clubs (two stories), and a second report of
# the first offer (the same story): all three name the player and the league.
OFFERS = {
    "wrens": "The club said Tomas Verrin was offered four years. Verrin met the Harbury "
    "Wrens in Lowmarsh. The Wrens want Verrin before the Marlow Cup; the Wrens will wait.",
    "wrens-again": "Tomas Verrin has an offer from the Harbury Wrens, whose owner met "
    "Verrin in Lowmarsh. The Wrens hope to sign Verrin before the Marlow Cup.",
    "rovers": "The club said Tomas Verrin was offered five years. Verrin met the Kelby "
    "Rovers in Ostwick. The Rovers want Verrin before the Marlow Cup; the Rovers will wait.",
}


def test_main_actors_are_the_most_frequent_names_and_tagged() -> None:
    feats = story_features("Offer", OFFERS["wrens"])
    main = {i & ((1 << FEATURE_BITS) - 1) for i in feats if i & SALIENT_TAG}
    assert main == {_id("verrin"), _id("wrens"), _id("cup")}  # 3, 2, then ties by name


def test_the_most_frequent_features_are_kept_ties_by_id() -> None:
    # 80 numbers: "1000" three times, "1001" twice, the others once; no names
    numbers = [str(1000 + k) for k in range(80)]
    text = " ".join(["1000", "1000", "1001", *numbers]) + "."
    feats = list(story_features("Figures", text))
    assert len(feats) == MAX_FEATURES and not any(i & SALIENT_TAG for i in feats)
    rest = sorted(_id(n) for n in numbers[2:])
    assert feats == sorted([_id("1000"), _id("1001"), *rest[: MAX_FEATURES - 2]])


def test_a_main_actor_the_other_article_lacks_lowers_the_pair(monkeypatch) -> None:
    names = ["wrens", "wrens-again", "rovers"]
    feats = [story_features("Offer", OFFERS[k]) for k in names]

    def scores() -> dict[int, dict[int, float]]:
        edges = {0: {1: 0.2, 2: 0.2}, 1: {0: 0.2}, 2: {0: 0.2}}
        grouping_module._with_features(edges, feats)
        return edges

    with_conflict, weight = scores(), grouping_module.CONFLICT_WEIGHT
    monkeypatch.setattr(grouping_module, "CONFLICT_WEIGHT", 0.0)
    without = scores()
    # the same story: each names the other's main actors, nothing is taken off
    assert with_conflict[0][1] == pytest.approx(without[0][1])
    # two clubs: the Wrens and the Rovers are each one side's main actor only
    assert with_conflict[0][2] < without[0][2]
    assert with_conflict[0][2] == pytest.approx(without[0][2] * (1 - weight / 3))
    assert with_conflict[0][2] < with_conflict[0][1]


def test_no_rows_and_one_row_make_no_empty_group() -> None:
    """(A site of no articles built: an empty group was a crash in compose.)"""
    import numpy as np

    from digest.stories.grouping import Regrouped, _groups

    assert _groups(np.zeros(0, dtype=np.int64)) == ()
    assert Regrouped(np.arange(0), None, 0).groups == ()
    assert Regrouped(np.arange(1), None, 1).groups == ((0,),)
    assert _groups(np.array([0, 1, 1, 0])) == ((0, 3), (1, 2))
