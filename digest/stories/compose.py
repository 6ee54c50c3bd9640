"""Stories made from groups: headline, multi-document summary, timeline, outlets.

:func:`compose` turns the groups of :func:`digest.stories.grouping.group` into
:class:`~digest.model.Story` values.  The rules, each tested in
tests/test_stories_site.py:

* **Which groups are stories.**  A group of two or more articles is a story,
  with a page at ``stories/<slug>/``.  A group of one article is not: the
  article page is already its page, and its ``story`` is null in articles.json.
  (Editions still list it, as a story of one linking to the article.)
* **Slug** (and so the URL): the slug of the story's *first* article, the
  oldest, ties by slug.  A newer article joining the story never changes it;
  only an article dated before all the others (a late back-filled report) can.
* **Headline**: the title of the story's most *central* article: the one with
  the largest sum of related-link scores to the other members (the links of
  either side count, the larger once); ties go to the older article, then the
  smaller slug.  The article most like all the others is the one that tells
  the common story, not a side angle.
* **Summary**: sentences taken verbatim from the members' summaries (which are
  verbatim sentences of their text).  Each candidate scores by how many
  *other* members share its words (the sum, over its distinct content words,
  of the number of other members whose summary uses the word, divided by the
  square root of its distinct words); the best are taken greedily, first at
  most one per article, then any, up to ``summary.sentences``, skipping any
  sentence *redundant* with one already taken: two sentences say the same
  thing when the content words (stemmed, stop words dropped, numbers kept)
  they share are at least half of those of the shorter one.  The chosen
  sentences are shown in story order (their article's date, slug, position).
* **Outlets**: the distinct ``source:`` names of the members, sorted.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from itertools import compress, count
from operator import attrgetter, is_not
from typing import Any

import numpy as np

from digest import cache
from digest.model import Article, Story, Summary
from digest.related import Neighbours, terms
from digest.stories.grouping import groups_holding

REDUNDANT = 0.5  # shared content words / those of the shorter sentence


@dataclass(frozen=True)
class Member:
    """What composing a story needs of one article."""

    article: Article
    summary: Summary


@dataclass(frozen=True)
class Stories:
    """Every group as a Story (one-article groups included: ``page`` is False for them)."""

    all: tuple[Story, ...]  # ordered by slug
    of: dict[str, Story]  # article slug -> its story (one-article ones included)
    # made with ``before`` (see compose): the article slugs whose story is not the one
    # they had then (another object); None: not known
    changed: frozenset[str] | None = field(default=None, compare=False)

    @cached_property
    def pages(self) -> tuple[Story, ...]:
        """The stories of two or more articles: those with a page and a stories.json entry.
        (Made once: render, the editions, stories.json and the sitemap each ask, and a
        site has a story per article, most of them alone: 9,400 at 10,000 articles.)"""
        return tuple(s for s in self.all if s.page)

    def story_of(self, article_slug: str) -> Story | None:
        """The story page the article belongs to, or None (alone in its group)."""
        s = self.of.get(article_slug)
        return s if s is not None and s.page else None


def order_key(a: Article) -> tuple[float, str]:
    """Story order: oldest first, ties by slug."""
    return (a.date.timestamp(), a.slug)


Picked = list[tuple[int, str]]  # a story's summary: (member in story order, sentence)


def compose(
    members: Sequence[Member],
    groups: Sequence[Sequence[int]],
    neighbours: Neighbours,
    sentences: int = 3,
    memo: Mapping[str, Picked] | None = None,
    used: dict[str, Picked] | None = None,
    before: Stories | None = None,
    members_before: Sequence[Member] | None = None,
    changed: frozenset[str] | None = None,
    neighbours_before: Neighbours | None = None,
    keys_before: Mapping[str, str] | None = None,
    keys: dict[str, str] | None = None,
) -> Stories:
    """Each group of rows (into ``members``) as a Story.

    ``memo``: story summaries made before, by :func:`summary_key` (a story whose key is
    there is not summarized again); ``used`` gets every summary of this call by key.
    ``before``: the stories of the last build of a session (made from ``members_before``):
    a story equal to one of them is that one (the same object), so later stages see by
    identity which stories are unchanged; an article alone in its group whose article and
    summary are the same objects as then has its story again without making it.
    ``changed``: the slugs of the members that are not the same objects as then (the
    others are; None: not known), so the others need no look at ``members_before``.
    ``neighbours_before``, ``keys_before``: the lists the last build composed from and
    each of its stories' summary key (``keys`` gets this call's, by story slug): a story
    of that build all of whose members are in one group again, each the same member in
    the same row with the same neighbour list (objects), is that story again, its summary
    taken from ``memo``, without composing it (it would be equal)."""
    out: list[Story] = []
    old = before.of if before is not None else {}
    moved: set[str] = set()  # (see Stories.changed)
    make = _Maker(
        *(members, neighbours, sentences, memo, used, old, members_before, changed),
        *(neighbours_before, keys_before, keys),
    )
    fresh = False  # (a story not of ``before``: made again, or new)
    for rows in groups:
        story = make.story(rows)
        if old:
            moved.update(slug for slug in story.articles if old.get(slug) is not story)
        fresh = fresh or story is not old.get(story.slug)
        out.append(story)
    if before is not None and old and not fresh and len(out) == len(before.all):
        # every story is one of the last build's, each once: the same stories, as they
        # were sorted and indexed then
        return Stories(before.all, before.of, frozenset(moved))
    out.sort(key=lambda s: s.slug)
    of = {slug: s for s in out for slug in s.articles}
    return Stories(tuple(out), of, frozenset(moved) if old else None)


class _Maker:
    """The story of a group of rows, as compose makes it (see there for the arguments):
    the last build's story again where it is certainly the same, else composed."""

    def __init__(
        self,
        members: Sequence[Member],
        neighbours: Neighbours,
        sentences: int,
        memo: Mapping[str, Picked] | None,
        used: dict[str, Picked] | None,
        old: Mapping[str, Story],
        members_before: Sequence[Member] | None,
        changed: frozenset[str] | None,
        neighbours_before: Neighbours | None,
        keys_before: Mapping[str, str] | None,
        keys: dict[str, str] | None,
    ) -> None:
        self.members, self.neighbours, self.sentences = members, neighbours, sentences
        self.memo, self.used, self.old, self.keys = memo, used, old, keys
        self.members_before, self.changed = members_before, changed
        self.neighbours_before, self.keys_before = neighbours_before, keys_before
        self.alone: dict[str, Member] = {}
        if members_before is not None and changed is None:
            self.alone = {m.article.slug: m for m in members_before}
        self.again = (
            members_before is not None
            and neighbours_before is not None
            and keys_before is not None
            and memo is not None
            and bool(old)
        )

    def story(self, rows: Sequence[int]) -> Story:
        members, old = self.members, self.old
        if len(rows) == 1 and old:
            m = members[rows[0]]
            story = old.get(m.article.slug)
            if self.changed is not None:
                if story is not None and not story.page and m.article.slug not in self.changed:
                    return story
                was = None
            else:
                was = self.alone.get(m.article.slug)
            if (
                was is not None
                and story is not None
                and not story.page
                and was.article is m.article
                and was.summary is m.summary
            ):
                return story
        if self.again and len(rows) > 1:
            memo, keys_before = self.memo, self.keys_before
            assert self.members_before is not None and self.neighbours_before is not None
            assert keys_before is not None and memo is not None
            same = _same_story(
                members, rows, self.neighbours, old, self.members_before, self.neighbours_before
            )
            k = keys_before.get(same.slug) if same is not None else None
            picked = memo.get(k) if k is not None else None
            if same is not None and k is not None and picked is not None:
                if self.used is not None:
                    self.used[k] = picked
                if self.keys is not None:
                    self.keys[same.slug] = k
                return same
        story = compose_one(
            members, rows, self.neighbours, self.sentences, self.memo, self.used, self.keys
        )
        if old:
            last = old.get(story.slug)
            if last is not None and last.slug == story.slug and last == story:
                story = last
        return story


def recompose(
    members: Sequence[Member],
    label: np.ndarray,
    redo: np.ndarray,
    neighbours: Neighbours,
    sentences: int,
    memo: Mapping[str, Picked],
    used: dict[str, Picked],
    before: Stories,
    members_before: Sequence[Member],
    neighbours_before: Neighbours,
    keys_before: Mapping[str, str],
    keys: dict[str, str],
    changed: frozenset[str],
) -> Stories | None:
    """compose(members, groups of ``label``, ...) for a session's edit, with the same
    result (stories, ``used``, ``keys``), made from the last build's stories (``before``,
    made from ``members_before`` and ``neighbours_before``) where nothing they are made
    of changed: only the groups holding a row of ``redo`` (whose group is not a group
    then, see grouping.Regrouped), of a member that is another object or of a neighbour
    list that is not equal to its list then are composed (as compose would: see _Maker);
    every other group is the last build's, of the same members with the same lists, so
    its story is the one its rows had then.
    None when that cannot be told cheaply (other rows, or more than a few to compose):
    then compose all."""
    n = len(members)
    if len(members_before) != n or len(neighbours) != n or len(neighbours_before) != n:
        return None
    # (the rows to look at, found in C: most are the last build's objects; a list made
    # again that is equal gives the same story, as compose finds)
    at = set(redo.tolist())
    at.update(compress(count(), map(is_not, members, members_before)))
    for r in compress(count(), map(is_not, neighbours, neighbours_before)):
        if neighbours[r] != neighbours_before[r]:
            at.add(r)
    if len(at) > max(RECOMPOSE_ROWS, n // 16):
        return None
    groups = groups_holding(label, at)
    old = before.of
    # the last build's stories of those rows (each story's rows are all among them: a
    # group is the last build's, or made of rows whose groups were all worked out again)
    gone = {
        id(s): s
        for s in (old.get(members_before[r].article.slug) for g in groups for r in g)
        if s is not None
    }
    make = _Maker(
        *(members, neighbours, sentences, memo, used, old, members_before, changed),
        *(neighbours_before, keys_before, keys),
    )
    # every other story's summary, as compose's look at it would take it
    composed = {s.slug for s in gone.values()}
    kept_keys = {slug: k for slug, k in keys_before.items() if slug not in composed}
    if not all(k in memo for k in kept_keys.values()):
        return None
    used.update({k: memo[k] for k in kept_keys.values()})
    keys.update(kept_keys)
    made = [make.story(g) for g in groups]
    moved = {slug for s in made for slug in s.articles if old.get(slug) is not s}
    if not moved and all(id(s) in gone for s in made) and len(made) == len(gone):
        return Stories(before.all, before.of, frozenset())  # (each the last build's)
    # the last build's sorted stories, those of the rows composed taken out and the ones
    # made put in (a slug names one story: the slug of its first article)
    if len(gone) > 64:
        out = [s for s in before.all if id(s) not in gone]
    else:  # (a few: each found by its slug, not a pass over every story)
        out = list(before.all)
        for s in gone.values():
            i = bisect_left(out, s.slug, key=_slug_of)
            if i < len(out) and out[i] is s:
                del out[i]
            else:  # (not where its slug says: not one of the last build's sorted stories)
                return None
    for s in made:
        insort(out, s, key=_slug_of)
    of = dict(old)
    for s in gone.values():
        for slug in s.articles:
            if of.get(slug) is s:
                del of[slug]
    for s in made:
        of.update(dict.fromkeys(s.articles, s))
    return Stories(tuple(out), of, frozenset(moved))


# Rows a session's edit composes the groups of (or 1/16 of the rows, if more) before
# compose makes every story again (see recompose)
RECOMPOSE_ROWS = 512
_slug_of = attrgetter("slug")


def _same_story(
    members: Sequence[Member],
    rows: Sequence[int],
    neighbours: Neighbours,
    old: Mapping[str, Story],
    members_before: Sequence[Member],
    neighbours_before: Neighbours,
) -> Story | None:
    """The last build's story of a group of ``rows`` when it is certainly the story they
    make now: it had exactly these members (its members' story then, as many), each the
    same member in the same row with the same neighbour list (the same objects: the same
    articles, summaries and link scores, so the same headline and summary)."""
    last = old.get(members[rows[0]].article.slug)
    if last is None or not last.page or len(last.articles) != len(rows):
        return None
    n, m = len(members_before), len(neighbours_before)
    for r in rows:
        if (
            r >= n
            or r >= m
            or r >= len(neighbours)
            or members_before[r] is not members[r]
            or neighbours_before[r] is not neighbours[r]
            or old.get(members[r].article.slug) is not last
        ):
            return None
    return last


def compose_one(
    members: Sequence[Member],
    rows: Sequence[int],
    neighbours: Neighbours,
    sentences: int = 3,
    memo: Mapping[str, Picked] | None = None,
    used: dict[str, Picked] | None = None,
    keys: dict[str, str] | None = None,
) -> Story:
    """The story of a group of rows; ``keys`` gets its summary key by its slug (a story of
    two or more members)."""
    if len(rows) == 1:  # most articles are alone: their story is the article (no ranking)
        return _alone(members[rows[0]])
    ordered = sorted(rows, key=lambda r: order_key(members[r].article))
    arts = [members[r].article for r in ordered]
    slug = arts[0].slug
    head = members[headline_row(members, ordered, neighbours)].article
    told = [members[r] for r in ordered]
    k = summary_key(told, sentences) if memo is not None or used is not None else ""
    picked = memo.get(k) if memo is not None else None
    if picked is None or not all(0 <= m < len(told) for m, _ in picked):
        picked = summarize_story(told, sentences)
    if used is not None:
        used[k] = picked
    if keys is not None:
        keys[slug] = k
    return Story(
        slug=slug,
        title=head.title,
        url=f"stories/{slug}/",
        articles=tuple(a.slug for a in arts),
        summary=tuple(text for _, text in picked),
        sources=tuple(sorted({a.source for a in arts if a.source})),
        first=arts[0].date,
        last=max(a.date for a in arts),
        page=True,
        headline_from=head.slug,
        summary_from=tuple(arts[m].slug for m, _ in picked),
    )


def _alone(m: Member) -> Story:
    """The story of an article alone in its group (what the general case gives for it).
    (Most articles are alone: a new process makes ~9,400 of them at 10,000 articles, each
    with its fields set at once, see _STORY_AT_ONCE.)"""
    a = m.article
    summary = tuple(m.summary.sentences)
    values: dict[str, Any] = {
        "slug": a.slug,
        "title": a.title,
        "url": a.url,
        "articles": (a.slug,),
        "summary": summary,
        "sources": (a.source,) if a.source else (),
        "first": a.date,
        "last": a.date,
        "page": False,
        "headline_from": a.slug,
        "summary_from": (a.slug,) * len(summary),
    }
    if not _STORY_AT_ONCE:
        return Story(**values)
    story = _new(Story)
    story.__dict__.update(values)
    return story


_new = object.__new__
# Whether a Story may be made by setting its instance dict at once (a third of the time of
# the frozen dataclass's __init__, which sets its 11 fields one by one through
# object.__setattr__): while it is such a plain dataclass, and _alone gives every field
_STORY_AT_ONCE = (
    "__slots__" not in vars(Story)
    and not hasattr(Story, "__post_init__")
    and [f.name for f in fields(Story)]
    == [
        "slug",
        "title",
        "url",
        "articles",
        "summary",
        "sources",
        "first",
        "last",
        "page",
        "headline_from",
        "summary_from",
    ]
)


def summary_key(members: Sequence[Member], limit: int) -> str:
    """What a story's summary depends on: its members' summaries and languages in story
    order, and the sentence limit."""
    return cache.quick_key(
        limit, [[m.article.language, list(m.summary.sentences)] for m in members]
    )


def centrality(rows: Sequence[int], neighbours: Neighbours) -> dict[int, float]:
    """Each row's sum of link scores to the other rows of its group (either side's link,
    the larger once)."""
    inside = set(rows)
    pair: dict[tuple[int, int], float] = {}
    for i in rows:
        for j, score in neighbours[i] if i < len(neighbours) else ():
            if j in inside and j != i:
                k = (min(i, j), max(i, j))
                pair[k] = max(pair.get(k, 0.0), score)
    total = dict.fromkeys(rows, 0.0)
    for (i, j), score in pair.items():
        total[i] += score
        total[j] += score
    return total


def headline_row(members: Sequence[Member], rows: Sequence[int], neighbours: Neighbours) -> int:
    """The row whose title is the story's headline (see the module's rules)."""
    central = centrality(rows, neighbours)
    return min(rows, key=lambda r: (-round(central[r], 9), *order_key(members[r].article)))


def words(sentence: str, language: str = "en") -> frozenset[str]:
    """A sentence's content words (stemmed, stop words dropped) and numbers."""
    return frozenset(terms(sentence, language))


def redundant(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two sentences say the same thing: they share at least half the words of the shorter."""
    if not a or not b:
        return a == b
    return len(a & b) >= REDUNDANT * min(len(a), len(b))


@dataclass(frozen=True)
class _Candidate:
    member: int  # position in story order
    index: int  # position in its article's summary
    text: str
    words: frozenset[str]
    score: float


def summarize_story(members: Sequence[Member], limit: int) -> list[tuple[int, str]]:
    """The story's summary from its members' summaries (in story order), each sentence
    with the position of its member; see the rules."""
    cands: list[_Candidate] = []
    for m, member in enumerate(members):
        for k, text in enumerate(member.summary.sentences):
            cands.append(_Candidate(m, k, text, words(text, member.article.language), 0.0))
    used_by: dict[str, set[int]] = {}
    for c in cands:
        for w in c.words:
            used_by.setdefault(w, set()).add(c.member)
    scored = []
    for c in cands:
        # the other members using each word (c's own member is one of its users): counted,
        # not copied, so a story of g members costs O(g) in all, not O(g^2)
        support = sum(len(used_by[w]) - 1 for w in c.words)
        score = support / math.sqrt(len(c.words)) if c.words else 0.0
        scored.append(_Candidate(c.member, c.index, c.text, c.words, round(score, 9)))
    scored.sort(key=lambda c: (-c.score, c.member, c.index))
    chosen: list[_Candidate] = []
    for one_each in (True, False):
        for c in scored:
            if len(chosen) >= limit:
                break
            if c in chosen or (one_each and any(x.member == c.member for x in chosen)):
                continue
            if any(redundant(c.words, x.words) or c.text == x.text for x in chosen):
                continue
            chosen.append(c)
    chosen.sort(key=lambda c: (c.member, c.index))
    return [(c.member, c.text) for c in chosen]
