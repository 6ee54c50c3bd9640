"""What `digest explain` shows: why an article got its summary and its related links.

The site is read as `digest build` reads it (:func:`digest.collect.collect`, the build
cache included); nothing is rendered or published.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

from digest import cache, collect, load, related, stories, summarize
from digest.config import Config, FolderDefaults
from digest.errors import DigestError, Problems
from digest.model import Article, TermCounts
from digest.stories.compose import Member, compose_one


class NotFound(DigestError):
    """The article asked for is not in the site."""


@dataclass(frozen=True)
class Candidate:
    slug: str
    title: str
    path: str
    score: float
    linked: bool  # shown as a related link on the article's page
    pinned: bool  # listed in the article's `related:` front matter
    terms: tuple[tuple[str, float], ...]  # (words, share of the score), largest first


@dataclass(frozen=True)
class StoryLink:
    """One of the article's links into its story: another member and how alike they are."""

    slug: str
    title: str
    score: float
    terms: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class StoryWhy:
    """Which story the article joined (``slug`` None: none, it stands alone) and why."""

    slug: str | None
    title: str
    url: str
    articles: tuple[str, ...]
    headline_from: str
    threshold: float
    window_days: int
    links: tuple[StoryLink, ...]  # its strongest links to the other members, best first


@dataclass(frozen=True)
class Explanation:
    article: Article
    method: str
    manual_summary: tuple[str, ...]  # front matter's summary, which wins when given
    sentences: list[summarize.Scored]
    related_count: int
    min_score: float
    candidates: list[Candidate] = field(default_factory=list)
    story: StoryWhy | None = None


@dataclass(frozen=True)
class Site:
    articles: list[Article]
    counts: list[TermCounts]
    names: dict[str, list[str]]  # slug -> the names it can be asked for by
    drafts: dict[str, str]  # name -> path of drafts left out (for the hint)
    sources: dict[str, load.SourceFile]  # slug -> its source
    defaults: dict[str, FolderDefaults]
    collected: collect.Collected | None = None  # as the build reads it (for the story)


def full_article(config: Config, site: Site, i: int) -> Article:
    """Article i with its text and paragraphs (the build keeps neither once processed)."""
    a = site.articles[i]
    if a.text or a.paragraphs:
        return a
    src = site.sources[a.slug]
    folder = src.rel.rpartition("/")[0]
    same = [s for s in site.sources.values() if s.rel.rpartition("/")[0] == folder]
    common = load.folder_line_table(same).get(folder, frozenset())
    got = load.load_one(src, config.content, site.defaults, common).article
    return got if got is not None else a


def load_site(config: Config, use_cache: bool = True) -> Site:
    """Every article of the site with its term counts, as `digest build` reads them."""
    problems = Problems()
    with cache.Cache(config.cache_dir if use_cache else None) as store:
        got = collect.collect(config.content, config.summary, store, problems)
    problems.raise_if_errors()
    drafts = {n: it.article.path for it in got.drafts for n in _names(it, config)}
    return Site(
        got.articles,
        [it.terms for it in got.items],
        {it.article.slug: _names(it, config) for it in got.items},
        drafts,
        {it.article.slug: it.source for it in got.items},
        got.defaults,
        got,
    )


def _names(item: collect.Item, config: Config) -> list[str]:
    """The names an article can be asked for by: slug, source paths, URL."""
    article, src = item.article, item.source
    root = config.content.root
    names = [article.slug, article.path, src.rel, src.shown, str(src.path)]
    if src.path.is_relative_to(root):
        names.append(src.path.relative_to(root).as_posix())
    names.append(article.url.strip("/"))
    return [n for n in dict.fromkeys(names) if n]


def find(site: Site, given: str) -> int:
    """Row of the article given by slug or source path; NotFound with a hint otherwise."""
    want = given.strip().strip("/")
    absolute = os.path.normpath(os.path.abspath(given))
    for i, a in enumerate(site.articles):
        names = site.names[a.slug]
        if want in names or absolute in names:
            return i
    if want in site.drafts or absolute in site.drafts:
        raise NotFound(
            f"'{given}' is a draft ({site.drafts.get(want) or site.drafts[absolute]}): "
            "add --drafts to explain it"
        )
    slugs = [a.slug for a in site.articles]
    if not slugs:
        raise NotFound(f"no article '{given}': the site has no articles")
    stem = Path(want).stem
    best = max(
        slugs,
        key=lambda s: (
            max(
                difflib.SequenceMatcher(None, want.lower(), s).ratio(),
                difflib.SequenceMatcher(None, stem.lower(), s).ratio(),
            ),
            s,
        ),
    )
    raise NotFound(
        f"no article '{given}' (looked for a slug or a source path); did you mean '{best}'?"
    )


def explain(config: Config, given: str, top: int = 10, use_cache: bool = True) -> Explanation:
    site = load_site(config, use_cache)
    i = find(site, given)
    return explain_row(config, site, i, top)


def explain_row(config: Config, site: Site, i: int, top: int = 10) -> Explanation:
    article = full_article(config, site, i)
    method, scored = summarize.score(article, config.summary)
    cfg = config.related
    keys = [a.slug for a in site.articles]
    vectors = related.vectorize(site.counts)
    cands = related.neighbours_of(vectors, i, max(top, cfg.count), 0.0, keys)
    # the article's real links: related_links with only this row's neighbours
    neighbours: related.Neighbours = [[] for _ in keys]
    neighbours[i] = [(j, s) for j, s in cands if s >= cfg.min_score][: cfg.count]
    made, scores = related.related_links(
        site.articles, cfg, counts=site.counts, neighbours=neighbours, vectors=vectors
    )
    links, link_scores = made[article.slug], scores[article.slug]
    linked = {x.slug for x in links}
    pinned = set(article.pinned_related)
    rows = list(cands[:top])
    shown = {j for j, _ in rows}
    by_slug = {a.slug: j for j, a in enumerate(site.articles)}
    for x, score in zip(links, link_scores, strict=True):  # (pinned links far down too)
        j = by_slug[x.slug]
        if j not in shown:
            rows.append((j, score))
            shown.add(j)
    out = []
    for j, s in rows:
        b = full_article(config, site, j)
        terms = related.explain_pair(article, b, vectors, i, j, n_terms=5)
        out.append(
            Candidate(b.slug, b.title, b.path, s, b.slug in linked, b.slug in pinned, tuple(terms))
        )
    return Explanation(
        article,
        "manual" if article.summary_override else method,
        article.summary_override,
        scored,
        cfg.count,
        cfg.min_score,
        out,
        story_of(config, site, i, vectors),
    )


def story_of(config: Config, site: Site, i: int, vectors: related.Vectors) -> StoryWhy | None:
    """The story article i joined, grouped as `digest build` groups it, and its
    strongest links into the group (either side's related-link score, the larger)."""
    got = site.collected
    if got is None:
        return None
    with cache.Cache(None) as store:
        links = related.site_links(
            site.articles, site.counts, [it.key for it in got.items], config.related, store
        )
    groups = stories.group(got, links.neighbours, config.stories)
    rows = next((g for g in groups if i in g), (i,))
    members = [Member(it.article, it.summary) for it in got.items]
    story = compose_one(members, rows, links.neighbours, config.summary.sentences)
    inside = set(rows) - {i}
    score: dict[int, float] = {}
    for j, sc in links.neighbours[i]:
        if j in inside:
            score[j] = max(score.get(j, 0.0), sc)
    for j in inside:
        for k, sc in links.neighbours[j]:
            if k == i:
                score[j] = max(score.get(j, 0.0), sc)
    best = sorted(score.items(), key=lambda kv: (-kv[1], site.articles[kv[0]].slug))[:3]
    article = full_article(config, site, i)
    why = []
    for j, sc in best:
        b = full_article(config, site, j)
        terms = related.explain_pair(article, b, vectors, i, j, n_terms=5)
        why.append(StoryLink(b.slug, b.title, sc, tuple(terms)))
    return StoryWhy(
        story.slug if story.page else None,
        story.title,
        story.url,
        story.articles,
        story.headline_from,
        config.stories.threshold if config.stories.enabled else 0.0,
        config.stories.window_days,
        tuple(why),
    )


def as_json(e: Explanation) -> dict:
    a = e.article
    return {
        "article": {"slug": a.slug, "title": a.title, "path": a.path, "url": a.url},
        "summary": {
            "method": e.method,
            "manual": list(e.manual_summary),
            "sentences": [
                {
                    "index": s.index,
                    "text": s.text,
                    "score": round(float(s.score), 6),
                    "chosen": s.chosen,
                    "usable": s.usable,
                }
                for s in e.sentences
            ],
        },
        "story": None
        if e.story is None
        else {
            "slug": e.story.slug,
            "title": e.story.title,
            "url": e.story.url,
            "articles": list(e.story.articles),
            "headline_from": e.story.headline_from,
            "links": [
                {
                    "slug": x.slug,
                    "title": x.title,
                    "score": x.score,
                    "terms": [list(t) for t in x.terms],
                }
                for x in e.story.links
            ],
        },
        "related": {
            "count": e.related_count,
            "min_score": e.min_score,
            "candidates": [
                {
                    "slug": c.slug,
                    "title": c.title,
                    "path": c.path,
                    "score": c.score,
                    "linked": c.linked,
                    "pinned": c.pinned,
                    "terms": [[t, w] for t, w in c.terms],
                }
                for c in e.candidates
            ],
        },
    }
