"""An edit moves the IDF of its words, and with it the related-link scores of every
article that holds them, most often with the same links.  Pages do not show scores
(only articles.json does), so the entries of those articles stay what they were: a
session's rebuild makes again only the articles.json lines of the articles whose scores
moved, not their entries or pages, and the site is still byte for byte a cold build's."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import spy, tree

from digest import feeds
from digest.build import BuildOptions, Session, build
from digest.config import load_config

WORDS = (
    "harbour council ferry storm wall repair budget island school bridge road river "
    "market farmer rail station museum library hospital nurse doctor police court judge "
    "mayor vote election tax energy wind solar grid water flood drought forest fire "
    "village city port quay boat fisher catch price wage strike union factory steel "
    "coal mine tunnel airport flight runway cargo trade export import bank loan debt"
).split()


def _site(root: Path, n: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text(
        'title: "Scores"\nbase_url: "https://example.org/"\n', encoding="utf-8"
    )
    files = []
    for i in range(n):
        topic = rng.sample(WORDS, 12)
        paragraphs = [
            " ".join(rng.choice(topic) for _ in range(14)).capitalize() + "." for _ in range(3)
        ]
        path = root / "content" / f"a{i:02d}.md"
        path.write_text(
            f"---\ntitle: Article {i}\ndate: 2026-03-{1 + i % 28:02d}\n---\n"
            + "\n\n".join(paragraphs)
            + "\n",
            encoding="utf-8",
        )
        files.append(path)
    return files


def _build(root: Path, out: Path, session: Session | None) -> None:
    options = BuildOptions(output=out, use_cache=session is not None, jobs=1)
    build(load_config(root / "site.yaml"), options, session=session)


def test_entries_whose_scores_alone_moved_stay_and_articles_json_shows_the_new_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "site"
    files = _site(root, 24, seed=3)
    session = Session()
    _build(root, tmp_path / "live", session)
    encoded: list[str] = []  # (the slugs whose articles.json line each build encodes)
    spy(monkeypatch, feeds, "_record", lambda e, _base, _sc: encoded.append(e.article.slug))
    rng = random.Random(5)
    score_only = 0
    fewer = 0  # (edits that encoded fewer lines than the site has)
    for step in range(4):
        before = session.kept
        assert before.related is not None and before.entries is not None
        victim, donor = rng.sample(files, 2)
        para = donor.read_text(encoding="utf-8").split("---\n", 2)[-1].split("\n\n")[0]
        victim.write_text(victim.read_text(encoding="utf-8") + "\n" + para + "\n", "utf-8")
        session.changed([str(victim)])
        encoded.clear()
        _build(root, tmp_path / "live", session)
        encoded_live = list(encoded)
        cold = tmp_path / f"cold{step}"
        _build(root, cold, None)
        assert tree(tmp_path / "live") == tree(cold), step
        now = session.kept
        assert now.related is not None and now.entries is not None
        # only the lines of the articles whose entry or scores are new are encoded again
        new = {
            slug
            for slug, (_key, entry) in now.entries.items()
            if entry is not before.entries[slug][1]
            or now.related.scores[slug] is not before.related.scores[slug]
        }
        assert victim.stem in encoded_live and sorted(encoded_live) == sorted(new), step
        fewer += len(new) < len(files)
        for slug, (_key, entry) in now.entries.items():
            then = before.entries.get(slug)
            if then is None or slug == victim.stem:
                continue
            moved = now.related.scores[slug] != before.related.scores[slug]
            same = entry.related == then[1].related and entry.story == then[1].story
            if moved and same and entry.article is then[1].article:
                # the same links with other scores: the same entry object (its pages are
                # not looked at again), and its line of articles.json is made again
                assert entry is then[1], slug
                score_only += 1
        shown = json.loads((tmp_path / "live" / "articles.json").read_text(encoding="utf-8"))
        for record in shown["articles"]:
            got = [x["score"] for x in record["related"]]
            assert tuple(got) == now.related.scores[record["slug"]]
    assert score_only > 0  # (the edits did move scores alone)
    assert fewer > 0
