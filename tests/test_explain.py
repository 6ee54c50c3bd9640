"""`digest explain`: summary sentences with scores, related candidates with words, not found."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from conftest import ARTICLES, write_site

from digest.cli import main


def explain(site: Path, *args: str) -> int:
    return main(["explain", *args, "--config", str(site / "site.yaml")])


def test_shows_scored_sentences_and_related_words(site: Path, capsys) -> None:
    assert explain(site, "harbour-wall") == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Harbour wall repairs begin in Port Ellis"
    chosen = [x for x in lines if x.startswith("  * ") and "Work to repair" in x]
    assert chosen, out  # the lead sentence is chosen and marked
    assert any("The council said the repairs" in x and not x.startswith("  * ") for x in lines)
    related = [x for x in lines if "harbour-funding" in x]
    assert related and related[0].startswith("  * ")  # linked
    assert "harbour wall" in related[0] and "port ellis" in related[0]  # bigrams, named
    assert not (site / "public").exists()


def test_by_source_path_and_manual_summary(site: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(site)
    assert main(["explain", "content/science/2026-03-07-moth-followup.md"]) == 0
    out = capsys.readouterr().out
    assert "given in front matter" in out
    assert "Volunteers will repeat the moth survey in the autumn." in out
    assert "moth-survey" in out


def test_json(site: Path, capsys) -> None:
    assert explain(site, "moth-survey", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["article"]["slug"] == "moth-survey"
    sents = data["summary"]["sentences"]
    assert any(s["chosen"] for s in sents) and all("score" in s for s in sents)
    top = data["related"]["candidates"][0]
    assert top["slug"] == "moth-followup" and top["linked"]
    words = [t for t, _ in top["terms"]]
    assert "moth" in words or "survey" in words
    assert top["score"] >= sum(w for _, w in top["terms"]) - 1e-3


def test_not_found_names_input_and_closest_slug(site: Path, capsys) -> None:
    assert explain(site, "harbor-wal") == 1
    err = capsys.readouterr().err
    assert "harbor-wal" in err and "did you mean 'harbour-wall'" in err


def test_draft_needs_drafts(tmp_path: Path, capsys) -> None:
    arts = dict(ARTICLES)
    arts["world/2026-03-09-draft.md"] = textwrap.dedent("""\
        ---
        title: "Harbour wall draft"
        date: 2026-03-09
        draft: true
        ---
        The harbour wall draft talks about the harbour wall repairs in Port Ellis.
        """)
    site = write_site(tmp_path / "s", arts)
    assert explain(site, "draft") == 1
    assert "--drafts" in capsys.readouterr().err
    assert explain(site, "draft", "--drafts") == 0
    assert "harbour-wall" in capsys.readouterr().out
