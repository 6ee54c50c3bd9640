"""``digest build``: the pipeline stages, in order.

config    read and validate site.yaml
load      find sources, read them, validate metadata -> Article
summarize each Article -> Summary
related   all Articles -> related links
render    Entries -> HTML pages (theme templates)
feeds     Entries -> articles.json
publish   pages -> output folder, swapped in atomically
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from digest import feeds, load, publish, related, render, summarize
from digest.config import Config
from digest.errors import BuildError, Problem, Problems
from digest.model import Article, Entry, Page


@dataclass(frozen=True)
class BuildOptions:
    strict: bool = False
    output: Path | None = None  # overrides config.output_dir


@dataclass(frozen=True)
class BuildResult:
    articles: int
    pages: int
    seconds: float
    warnings: tuple[Problem, ...]
    output: Path
    timings: tuple[tuple[str, float], ...] = ()


class _Timer:
    def __init__(self) -> None:
        self.times: list[tuple[str, float]] = []
        self._t = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.times.append((stage, now - self._t))
        self._t = now


Progress = Callable[[Iterable[Article], int], Iterable[Article]]


def _no_progress(items: Iterable[Article], total: int) -> Iterable[Article]:
    return items


def build(
    config: Config,
    options: BuildOptions = BuildOptions(),
    progress: Progress = _no_progress,
    on_report: Callable[[str, Iterable[str]], None] | None = None,
) -> BuildResult:
    """Run every stage; raise BuildError listing every problem found."""
    start = time.perf_counter()
    timer = _Timer()
    problems = Problems()

    articles = load.load_articles(config.content, problems, on_report)
    timer.lap("load")
    theme = _theme(config, problems)
    problems.raise_if_errors(strict=options.strict)

    summaries = [summarize.summarize(a, config.summary) for a in progress(articles, len(articles))]
    timer.lap("summarize")
    links = related.related_links(articles, config.related)
    timer.lap("related")
    entries = [Entry(a, s, links.get(a.slug, ())) for a, s in zip(articles, summaries, strict=True)]

    pages = site_pages(entries, theme, config)
    timer.lap("render")
    output = options.output or config.output_dir
    written = publish.publish(pages, output)
    timer.lap("publish")
    return BuildResult(
        len(articles),
        written,
        time.perf_counter() - start,
        tuple(problems.warnings),
        output,
        tuple(timer.times),
    )


def site_pages(entries: Sequence[Entry], theme: render.Theme, config: Config) -> list[Page]:
    """Every output file of the site."""
    extra = {"feeds": feeds.discovery_links(config.site)}
    pages = render.render_site(entries, theme, config.site, extra)
    pages += feeds.feed_pages(entries, config.site)
    return pages


def _theme(config: Config, problems: Problems) -> render.Theme | None:
    try:
        return render.load_theme(config.theme, config.site)
    except BuildError as exc:
        problems.extend(exc.problems)
    except render.ThemeError as exc:
        problems.add_error(exc)
    return None
