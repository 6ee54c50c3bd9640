"""Content written for Hugo and Zola builds as it does there: undated files are pages at
their paths, untitled files get a title, ``post/index.md`` bundles are ``post``, one file
name in two folders is two articles, and Hugo's lenient list items are read (warned)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_build, write_site

BODY = "The council met on Monday and agreed a plan for the harbour wall repairs.\n"
NEWS = "The ferry returned to service on Tuesday after repairs to its engine were made.\n"


def _articles(root: Path) -> dict[str, dict]:
    data = json.loads((root / "public" / "articles.json").read_text("utf-8"))
    items = data["articles"] if isinstance(data, dict) else data
    return {a["url"].rstrip("/").rsplit("/", 1)[-1]: a for a in items}


def test_undated_toml_file_is_a_page_at_its_path_not_news(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = write_site(
        tmp_path / "s",
        {
            "news/ferry.md": '+++\ntitle = "Ferry back"\ndate = 2026-03-01\n+++\n' + NEWS,
            "docs/setup/install.md": '+++\ntitle = "Installing"\n+++\n' + BODY,
        },
    )
    rc, err = run_build(root, capsys)
    assert rc == 0, err
    assert (
        "warning: content/docs/setup/install.md: no date: published as a page, not a news "
        "article" in err.replace("\\", "/")
    )
    page = root / "public" / "docs" / "setup" / "install" / "index.html"
    assert "Installing" in page.read_text("utf-8")
    pub = root / "public"
    assert "Installing" not in (pub / "feed.xml").read_text("utf-8")
    assert "install" not in json.dumps(json.loads((pub / "articles.json").read_text("utf-8")))
    # not in the site's menu: only pages the site names (content/pages/, about.md, menu:)
    assert "/docs/setup/install/" not in (pub / "index.html").read_text("utf-8")
    assert "Ferry back" in (pub / "feed.xml").read_text("utf-8")


def test_undated_yaml_file_in_a_digest_site_is_still_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = write_site(tmp_path / "s", {"news/a.md": "---\ntitle: A\n---\n" + BODY})
    rc, err = run_build(root, capsys)
    assert rc == 1
    assert "content/news/a.md: front matter: 'date' is missing" in err.replace("\\", "/")


def test_under_an_index_file_undated_yaml_is_a_page_and_untitled_gets_a_name(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = write_site(
        tmp_path / "s",
        {
            "_index.md": "---\ntitle: Home\n---\n",
            "guides/getting_started.md": "---\nweight: 2\n---\n" + BODY,
            "news/ferry.md": "---\ntitle: Ferry back\ndate: 2026-03-01\n---\n" + NEWS,
        },
    )
    rc, err = run_build(root, capsys)
    assert rc == 0, err
    shown = err.replace("\\", "/")
    assert (
        "content/guides/getting_started.md: front matter: no 'title'; using 'Getting started', "
        "made from the file name" in shown
    )
    html = (root / "public" / "guides" / "getting_started" / "index.html").read_text("utf-8")
    assert "<h1>Getting started</h1>" in html or ">Getting started<" in html


def test_draft_section_pages_are_left_out_without_a_date_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = write_site(
        tmp_path / "s",
        {
            "secret/_index.md": '+++\ntitle = "Secret"\ndraft = true\n+++\n',
            "secret/plan.md": '+++\ntitle = "Plan"\n+++\n' + BODY,
            "news/ferry.md": '+++\ntitle = "Ferry back"\ndate = 2026-03-01\n+++\n' + NEWS,
        },
    )
    rc, err = run_build(root, capsys)
    assert rc == 0, err
    assert "plan.md" not in err
    assert not (root / "public" / "secret" / "plan").exists()


def test_bundle_index_file_takes_its_folders_name(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = write_site(
        tmp_path / "s",
        {
            "news/harbour-wall/index.md": (
                '+++\ntitle = "Harbour wall plan"\ndate = 2026-03-02\n+++\n' + BODY
            ),
            "news/ferry.md": '+++\ntitle = "Ferry back"\ndate = 2026-03-01\n+++\n' + NEWS,
        },
    )
    rc, err = run_build(root, capsys)
    assert rc == 0, err
    assert (root / "public" / "news" / "harbour-wall" / "index.html").is_file()
    assert "harbour-wall" in _articles(root)


def _two_firsts(root: Path, hidden_date: str = "2026-07-21") -> None:
    write_site(
        root,
        {
            "rebuild/first.md": '+++\ntitle = "First rebuild"\ndate = 2026-01-05\n+++\n' + BODY,
            "hidden/first.md": f'+++\ntitle = "First hidden"\ndate = {hidden_date}\n+++\n' + NEWS,
        },
    )


def test_one_file_name_in_two_folders_is_two_articles_oldest_keeps_its_slug(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = tmp_path / "s"
    _two_firsts(root)
    rc, err = run_build(root, capsys)
    assert rc == 0, err
    assert (
        "content/hidden/first.md: the slug 'first' made from the file name is also "
        "content/rebuild/first.md's; this article's slug is 'hidden-first'"
    ) in err.replace("\\", "/")
    pub = root / "public"
    assert "First rebuild" in (pub / "rebuild" / "first" / "index.html").read_text("utf-8")
    assert "First hidden" in (pub / "hidden" / "first" / "index.html").read_text("utf-8")
    slugs = {a["slug"] for a in json.loads((pub / "articles.json").read_text("utf-8"))["articles"]}
    assert {"first", "hidden-first"} <= slugs


def test_two_files_of_one_name_in_one_folder_stay_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = write_site(
        tmp_path / "s",
        {
            "x/2026-01-01-same.md": "---\ntitle: A\n---\n" + BODY,
            "x/2026-01-02-same.md": "---\ntitle: B\n---\n" + NEWS,
        },
    )
    rc, err = run_build(root, capsys)
    assert rc == 1
    assert "two articles want the same URL" in err


def _build(root: Path, *args: str) -> str:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "PYTHONPATH": os.getcwd()}
    run = subprocess.run(
        [sys.executable, "-m", "digest", "build", "-q", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    return run.stderr


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_cached_rebuild_after_a_clash_appears_equals_a_cold_build(tmp_path: Path) -> None:
    """An older same-named file added later takes the slug: the newer one is renamed, and
    its cached pages are not reused under the old slug."""
    root = tmp_path / "s"
    write_site(
        root,
        {"hidden/first.md": '+++\ntitle = "First hidden"\ndate = 2026-07-21\n+++\n' + NEWS},
    )
    _build(root)
    (root / "content" / "rebuild").mkdir()
    (root / "content" / "rebuild" / "first.md").write_text(
        '+++\ntitle = "First rebuild"\ndate = 2026-01-05\n+++\n' + BODY, "utf-8"
    )
    _build(root)
    cached = _tree(root / "public")
    _build(root, "--no-cache", "--output", str(tmp_path / "cold"))
    assert cached == _tree(tmp_path / "cold")


def test_hugo_list_item_without_a_space_is_read_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = write_site(
        tmp_path / "s",
        {
            "post/migrate.md": (
                "---\ntitle: Migrate\ndate: 2026-03-01\ntags:\n- hugo\n-jekyll\nseries:\n"
                "- Hugo 101\n---\n" + BODY
            ),
        },
    )
    rc, err = run_build(root, capsys)
    assert rc == 0, err
    assert (
        "warning: content/post/migrate.md:6: front matter: list item '-jekyll' has no space "
        "after '-'; read as the item 'jekyll' (write '- jekyll')"
    ) in err.replace("\\", "/")
    assert (root / "public" / "tags" / "jekyll" / "index.html").is_file()


def test_other_yaml_errors_are_not_repaired(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = write_site(
        tmp_path / "s",
        {"post/a.md": "---\ntitle: A\ndate: 2026-03-01\ntags: [a, b\n---\n" + BODY},
    )
    rc, err = run_build(root, capsys)
    assert rc == 1
    assert "content/post/a.md:" in err.replace("\\", "/") and "YAML syntax error" in err
