"""``digest explain``: why an article got its summary and its related links."""

from __future__ import annotations

import argparse
import json
import shutil
import sys

ORDER = 25


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "explain",
        help="show why an article got its summary sentences and related links",
        description="For one article (its slug or its source path), print every candidate "
        "summary sentence with its score and whether it was chosen, and the most similar "
        "articles with their scores and the words that made them similar. Reads the site "
        "as `digest build` does; writes nothing to the output folder.",
    )
    p.add_argument(
        "article", metavar="PATH-or-SLUG", help="source path (e.g. content/x.md) or slug"
    )
    p.add_argument("--config", "-c", metavar="PATH", help="site.yaml to use (default: ./site.yaml)")
    p.add_argument("--drafts", action="store_true", help="include articles with draft: true")
    p.add_argument(
        "--top", type=int, default=10, metavar="N", help="related candidates to show (default 10)"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    return p


def run(args: argparse.Namespace) -> int:
    from digest import explain
    from digest.config import load_config

    config = load_config(args.config, drafts=args.drafts)
    try:
        e = explain.explain(config, args.article, max(1, args.top), not args.no_cache)
    except explain.NotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        json.dump(explain.as_json(e), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(render(e, _width()))
    return 0


def _width() -> int | None:
    """Terminal width when printing to a terminal (long text is cut to fit), else None."""
    if not sys.stdout.isatty():
        return None
    return max(60, shutil.get_terminal_size((100, 24)).columns)


def _cut(text: str, room: int | None) -> str:
    if room is None or len(text) <= room:
        return text
    return text[: max(1, room - 1)] + "…"


def render(e, width: int | None = None) -> str:
    """Plain text, aligned columns; lines are cut to ``width`` when given."""
    a = e.article
    out = [f"{a.title}", f"  slug {a.slug}   source {a.path}   url /{a.url}", ""]

    chosen = sum(1 for s in e.sentences if s.chosen)
    if e.manual_summary:
        out.append("Summary: given in front matter (summary:), shown instead of a computed one:")
        out.extend(f"    {s}" for s in e.manual_summary)
        out.append(
            f"  computed, not used: {chosen} of {len(e.sentences)} candidate sentences"
            " would be chosen"
        )
    else:
        out.append(
            f"Summary: method {e.method}, {chosen} of {len(e.sentences)} candidate sentences chosen"
        )
    out.append("  * chosen   x not usable (caption, byline, fragment...)")
    out.append(f"  {'':1} {'#':>3}  {'score':>8}  sentence")
    for s in e.sentences:
        mark = "*" if s.chosen else ("x" if not s.usable else " ")
        head = f"  {mark} {s.index + 1:>3}  {s.score:>8.4f}  "
        out.append(head + _cut(s.text, None if width is None else width - len(head)))
    if not e.sentences:
        out.append("  (no candidate sentences: the article has no body text)")
    out.append("")

    out.append(
        f"Related: top {len(e.candidates)} candidates; * linked (related.count {e.related_count},"
        f" min_score {e.min_score}), p pinned in front matter"
    )
    if not e.candidates:
        out.append("  (no other article shares a word with this one)")
    else:
        slug_w = min(40, max(4, *(len(c.slug) for c in e.candidates)))
        out.append(f"  {'':1} {'score':>8}  {'slug':<{slug_w}}  words that count most (share)")
        for c in e.candidates:
            mark = "p" if c.pinned else ("*" if c.linked else " ")
            terms = ", ".join(f"{t} {w:.3f}" for t, w in c.terms) or "-"
            head = f"  {mark} {c.score:>8.4f}  {_cut(c.slug, slug_w):<{slug_w}}  "
            out.append(head + _cut(terms, None if width is None else width - len(head)))
    out += _story_lines(e, width)
    return "\n".join(out)


def _story_lines(e, width: int | None) -> list[str]:
    """Which story the article joined, and its strongest links into it."""
    st = e.story
    if st is None:
        return []
    out = [""]
    if st.slug is None:
        out.append(
            "Story: none: no other article is alike enough and close enough in time "
            f"(stories.threshold {st.threshold}, window_days {st.window_days})"
        )
        return out
    n = len(st.articles)
    out.append(f"Story: {st.title}  ({n} articles)   url /{st.url}")
    out.append(
        f"  headline from {st.headline_from}; members, oldest first: {', '.join(st.articles)}"
    )
    out.append("  joined by its strongest links into the story:")
    for x in st.links:
        terms = ", ".join(f"{t} {w:.3f}" for t, w in x.terms) or "-"
        head = f"    {x.score:>8.4f}  {x.slug}  "
        out.append(head + _cut(terms, None if width is None else width - len(head)))
    if not st.links:
        out.append("    (none directly: it joined through another member)")
    return out
