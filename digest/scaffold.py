"""What ``digest init`` writes: a new site ready for GitHub Pages.

``site.yaml`` is generated from :data:`digest.config.SCHEMA`, so every option
it shows, with its default and help, stays true as the schema changes.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from digest import __url__, __version__
from digest.config import SCHEMA, Opt
from digest.publish import staging_dir, stamps_file

# The distribution digest is installed as (PyPI name; `digest` on PyPI is another project).
DISTRIBUTION = "digest-ssg"
PROJECT_URL = __url__

WIDTH = 88


def _value(v: Any) -> str:
    """A default as a YAML literal that reads back as the same value."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a YAML string
    if isinstance(v, list):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dict):
        return "{}" if not v else json.dumps(v, ensure_ascii=False)
    raise TypeError(f"no YAML literal for {v!r}")  # pragma: no cover


def _comment(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text, WIDTH - len(indent), initial_indent=f"{indent}# ", subsequent_indent=f"{indent}# "
    )


def _options(schema: Mapping[str, Opt], indent: str = "") -> list[str]:
    """Every option of the schema: its help as a comment, then ``key: default``."""
    lines: list[str] = []
    for key, opt in schema.items():
        lines += _comment(opt.help, indent)
        lines += _SHOWN_BY_KIND.get(opt.kind, _plain)(key, opt, indent)
        if not indent:
            lines.append("")
    return lines


def _plain(key: str, opt: Opt, indent: str) -> list[str]:
    """``key: default``, after the choices for a choice."""
    shown = opt.kind == "choice" and opt.choices
    choices = [f"{indent}# One of: {', '.join(opt.choices)}."] if shown else []
    return [*choices, f"{indent}{key}: {_value(opt.default)}"]


def _section(key: str, opt: Opt, indent: str) -> list[str]:
    """``key:`` and the section's own options, indented under it."""
    return [f"{indent}{key}:", *_options(opt.schema or {}, indent + "  ")]


def _map(key: str, opt: Opt, indent: str) -> list[str]:
    """``key: {}`` and, commented out, an example entry with every option of an entry."""
    lines = [f"{indent}{key}: {_value(opt.default)}"]
    if opt.schema:
        folder = "news/example" if key == "feeds" else "news/wire"
        lines += [f"{indent}# For example:", f"{indent}# {key}:", f"{indent}#   {folder}:"]
        for sub_key, sub in opt.schema.items():
            example = _EXAMPLES.get(sub_key, sub.default)
            lines.append(f"{indent}#     {sub_key}: {_value(example)}")
    return lines


_SHOWN_BY_KIND: dict[str, Callable[[str, Opt, str], list[str]]] = {
    "section": _section,
    "map": _map,
}


_EXAMPLES = {
    "url": "https://example.com/feed.xml",
    "source": "Example Wire",
    "source_url": "https://example.com/",
    "section": "News",
    "tags": ["wire"],
}


def site_yaml(base_url: str | None = None) -> str:
    """site.yaml with every option at its default (``base_url`` given, when it is)."""
    head = [
        "# site.yaml: the settings of this digest site.",
        "# Every option is listed with its default value; change what you need and",
        "# delete the rest. `digest build` checks this file and names any mistake.",
        "",
    ]
    lines = _options(SCHEMA)
    if base_url is not None:
        at = lines.index(f"base_url: {_value(SCHEMA['base_url'].default)}")
        lines[at] = f"base_url: {_value(base_url)}"
    return "\n".join(head + lines).rstrip() + "\n"


def example_article(today: date) -> tuple[str, str]:
    """(path under the site, text) of the example article."""
    path = "content/news/welcome-to-your-digest.md"
    text = f"""\
---
title: "Your new digest is ready"
date: {today.isoformat()}
tags: [digest, getting-started]
source: "digest"
description: "A first article to show how a digest page looks; replace it with your own."
---
This site was created by digest, a tool that turns a folder of news articles into a
website. Each article is a Markdown file under the content folder, with a few lines of
front matter at the top giving its title and date.

When the site is built, digest picks the sentences that best summarize each article and
shows them above the full text. It also compares the articles with each other and links
every page to the stories that cover the same subjects.

The folder an article sits in becomes its section, so this article appears under News.
Tags from the front matter get their own pages, and every section has its own feeds.

To see your changes as you write, run digest serve and open the address it prints. The
page reloads by itself each time you save a file.

When you push the repository to GitHub, the workflow in .github/workflows builds the site
and publishes it on GitHub Pages. Turn on Pages for the repository first and choose
GitHub Actions as its source.
"""
    return path, text


def about_page(
    title: str = SCHEMA["title"].default,
    sources: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[str, str]:
    """(path under the site, text) of the About page: what the digest is and, from
    site.yaml's ``sources:`` (folder -> {source, source_url, ...}), where its articles
    come from.  A file under content/pages/ is a page: no date, no summary, in the menu."""
    listed = []
    for folder, s in sorted((sources or {}).items()):
        name = s.get("source") or folder
        url = s.get("source_url")
        listed.append(f"- [{name}]({url})" if url else f"- {name}")
    if not listed:
        listed = [
            "- digest (the example article in content/news/)",
            "",
            "List your sources here, and under `sources:` in site.yaml so that every "
            "article of a folder is credited to its publisher.",
        ]
    body = "\n".join(listed)
    text = f"""\
---
title: "About"
weight: 1
description: "What {title} is and where its articles come from."
---
{title} is a news digest: a collection of articles from other sources, each shown
with a short summary made of its own sentences and with links to related articles
on this site. Summaries and links are computed from the articles' text by
[digest]({PROJECT_URL}); nobody rewrites the news.

## Sources

{body}

Every article links to its original at the source; the text belongs to its authors.

Edit this page in content/pages/about.md. Files under content/pages/ are pages, not
news: they need no date, are not summarized or listed in the feeds, and appear in the
site's menu, ordered by their `weight:`.
"""
    return "content/pages/about.md", text


def gitignore() -> str:
    output = Path(SCHEMA["output_dir"].default)
    cache = SCHEMA["cache_dir"].default
    return textwrap.dedent(f"""\
        # Built site (digest build), its staging copy and the build cache: never commit them.
        /{output}/
        /{staging_dir(output).name}/
        /{stamps_file(output).name}
        /{cache}/
        # A local virtual environment (python3 -m venv .venv).
        /.venv/
        """)


@dataclass(frozen=True)
class Requirement:
    """The line requirements.txt gives pip to install digest, and why it may not do."""

    spec: str
    warning: str | None = None


def requirement(dist: metadata.Distribution | None = None) -> Requirement:
    """How to install the digest that is running, from how it was installed (PEP 610).

    A VCS install gives its URL and commit; an install from an index (no
    ``direct_url.json``) a version pin; a local folder, editable install or
    local archive a version pin with a warning, since that version may not be
    on any index the workflow can reach.
    """
    if dist is None:
        try:
            dist = metadata.distribution(DISTRIBUTION)
        except metadata.PackageNotFoundError:
            return _pinned(__version__, "digest is not installed as a package (run from source)")
    pin = dist.version
    try:
        direct = json.loads(dist.read_text("direct_url.json") or "null")
    except ValueError:
        direct = None
    if not isinstance(direct, dict) or not isinstance(direct.get("url"), str):
        return Requirement(f"{DISTRIBUTION}=={pin}")  # from an index
    url = direct["url"]
    vcs = direct.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") and vcs.get("commit_id"):
        spec = f"{DISTRIBUTION} @ {vcs['vcs']}+{url}@{vcs['commit_id']}"
        sub = direct.get("subdirectory")
        return Requirement(spec + (f"#subdirectory={sub}" if sub else ""))
    if "archive_info" in direct and urlsplit(url).scheme in ("http", "https"):
        return Requirement(f"{DISTRIBUTION} @ {url}")
    editable = isinstance(direct.get("dir_info"), dict) and direct["dir_info"].get("editable")
    how = "an editable install" if editable else "a local install"
    return _pinned(pin, f"digest was installed from {url} ({how})")


def _pinned(version: str, why: str) -> Requirement:
    return Requirement(
        f"{DISTRIBUTION}=={version}",
        f"{why}, so requirements.txt pins {DISTRIBUTION}=={version}, which pip can install "
        "only once that version is on PyPI. Until then, change the line to "
        f"`{DISTRIBUTION} @ git+{PROJECT_URL}@COMMIT` (a commit or tag you can push), "
        "or run `digest init --force --requirement SPEC`.",
    )


def requirements(spec: str) -> str:
    return (
        "# What CI installs to build the site (.github/workflows/pages.yml): digest, as\n"
        "# `digest init` found it installed. On PyPI it is `digest-ssg` (not `digest`).\n"
        f"{spec}\n"
    )


def pages_workflow(schedule: str | None = None) -> str:
    """The GitHub Pages workflow; with ``schedule`` (a cron line) it also runs on that
    schedule, fetches the feeds first and commits the new items back to the repository."""
    output = SCHEMA["output_dir"].default
    cache = SCHEMA["cache_dir"].default
    content = SCHEMA["content_dir"].default
    on_schedule = f'  schedule:\n    - cron: "{schedule}"\n' if schedule else ""
    contents = "write" if schedule else "read"
    fetch = (
        textwrap.indent(
            textwrap.dedent(f"""\
                # New items are committed back, so the archive survives cache eviction
                # and every edition can be rebuilt from the repository alone.
                # A failed feed is reported in this step's log; the others are still
                # committed and the site is still built.
                - name: Fetch feeds
                  run: digest fetch
                  continue-on-error: true

                - name: Commit fetched items
                  run: |
                    git config user.name "github-actions[bot]"
                    git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
                    git add {content}
                    if ! git diff --cached --quiet; then
                      git commit -m "digest fetch: new items"
                      git pull --rebase
                      git push
                    fi

                """),
            "      ",
        )
        if schedule
        else ""
    )
    text = textwrap.dedent(f"""\
        # Build the site with digest and publish it on GitHub Pages.
        # Once: in the repository's Settings > Pages, set Source to "GitHub Actions".
        name: Deploy digest site to GitHub Pages

        on:
          push:
            branches: [main]
          workflow_dispatch:
        @SCHEDULE@

        # Read the repository{" (and write: fetched items are committed)" if schedule else ""},
        # write to Pages, prove the deployment's identity.
        permissions:
          contents: {contents}
          pages: write
          id-token: write

        # One deployment at a time; let a running one finish.
        concurrency:
          group: pages
          cancel-in-progress: false

        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - name: Check out
                uses: actions/checkout@v4

              - name: Set up Python
                uses: actions/setup-python@v5
                with:
                  python-version: "3.12"
                  cache: pip
                  cache-dependency-path: requirements.txt

              - name: Install digest
                run: python -m pip install -r requirements.txt

              - name: Digest version
                id: digest
                run: echo "version=$(digest --version | cut -d ' ' -f 2)" >> "$GITHUB_OUTPUT"

              # The build cache: a rebuild redoes only what changed. A cache entry is
              # never updated, so each run saves a new one and restores the newest
              # made by the same digest version.
              - name: Build cache
                uses: actions/cache@v4
                with:
                  path: {cache}
                  key: digest-${{{{ steps.digest.outputs.version }}}}-${{{{ github.run_id }}}}
                  restore-keys: digest-${{{{ steps.digest.outputs.version }}}}-

        @FETCH@
              - name: Configure Pages
                id: pages
                uses: actions/configure-pages@v5

              - name: Build
                run: digest build --strict --base-url "${{{{ steps.pages.outputs.base_url }}}}/"

              - name: Upload the site
                uses: actions/upload-pages-artifact@v3
                with:
                  path: {output}

          deploy:
            needs: build
            runs-on: ubuntu-latest
            environment:
              name: github-pages
              url: ${{{{ steps.deployment.outputs.page_url }}}}
            steps:
              - name: Deploy to GitHub Pages
                id: deployment
                uses: actions/deploy-pages@v4
        """)
    return text.replace("@SCHEDULE@\n", on_schedule).replace("@FETCH@\n", fetch)


def files(
    today: date | None = None,
    *,
    spec: str | None = None,
    schedule: str | None = None,
    base_url: str | None = None,
) -> dict[str, str]:
    """Every file of a new site: path (POSIX, relative to the site) -> text."""
    article_path, article = example_article(today or date.today())
    about_path, about = about_page()
    return {
        "site.yaml": site_yaml(base_url),
        article_path: article,
        about_path: about,
        ".gitignore": gitignore(),
        "requirements.txt": requirements(spec or requirement().spec),
        ".github/workflows/pages.yml": pages_workflow(schedule),
    }
