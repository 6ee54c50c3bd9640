"""What readers see of a summary: quotes with their speaker, key points beyond the lede,
and list summaries trimmed to a word budget.

Rules (stated in the README and tested on the example site):

* **Quotes.** A sentence that is a quote with nobody named as saying it (it opens with a
  quotation mark and has no saying verb outside the quotation marks) is chosen only
  together with its attribution: the sentence right before it in the same paragraph when
  that one names the speaker ("... ," said Agnes Whitlow), or right after it.  When neither
  does, or the pair would make the summary longer than its count, the quote is not chosen.
* **Key points.** An article page shows its body right below the "Key points" box, and the
  body opens with the lede: the first paragraph, or the first two sentences when the first
  paragraph has only one.  Key points are the best-scored usable sentences *after* the lede
  (as many as the summary has, in article order, the quote rule applied).  When fewer than
  two such sentences exist the box is left out: it would only repeat what follows.
* **Word budget.** On list pages a summary shows whole sentences, in order, while they fit
  ``summary.words`` words; the first sentence is always shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_OPEN = "\"“„«‘'"
_CLOSE = "\"”“»’'"
_QUOTED = re.compile(r"[\"“„«][^\"”“»]*[\"”“»]|‘[^’]*’")
_SAYING = re.compile(
    r"\b(?:said|says|say|told|tells|according to|asked|asks|added|adds|explained|wrote|"
    r"writes|stated|states|warned|warns|argued|argues|insisted|noted|notes|replied|"
    r"recalled|remarked|announced|commented|conceded|admitted|declared)\b",
    re.IGNORECASE,
)
MIN_KEY_POINTS = 2


def is_quote(sentence: str) -> bool:
    """A sentence that opens with a quotation mark and does not itself say who speaks."""
    s = sentence.strip()
    if not s or s[0] not in _OPEN:
        return False
    return not has_attribution(s)


def has_attribution(sentence: str) -> bool:
    """Does the sentence name a speaker: a saying verb outside quotation marks?"""
    outside = _QUOTED.sub(" ", sentence)
    return bool(_SAYING.search(outside))


def with_attributions(
    chosen: Sequence[int],
    sentences: Sequence[str],
    paragraph_ids: Sequence[int],
    scores: Sequence[float] | None = None,
    limit: int | None = None,
    spare: Sequence[int] = (),
) -> list[int]:
    """Chosen indices (sorted) where each bare quote comes with its attribution or goes.

    With ``limit``, at most that many: the chosen are taken best-scored first, and a quote
    whose attribution would not fit is left out (a summary never grows past its count);
    places left free are filled from ``spare`` (further candidates, best first)."""
    out: set[int] = set()
    order = sorted(chosen, key=lambda i: (-scores[i], i)) if scores is not None else chosen
    room = len(sentences) if limit is None else limit
    taken = set(chosen)
    for i in [*order, *(i for i in spare if i not in taken)]:
        if len(out) >= room:
            break
        if not is_quote(sentences[i]):
            out.add(i)
            continue
        for j in (i - 1, i + 1):
            near = 0 <= j < len(sentences) and paragraph_ids[j] == paragraph_ids[i]
            if near and has_attribution(sentences[j]) and not is_quote(sentences[j]):
                if len(out | {i, j}) <= room:
                    out.update((i, j))
                break
    return sorted(out)


def lede_end(paragraph_ids: Sequence[int]) -> int:
    """Index of the first sentence after the lede (see the module docstring)."""
    if not paragraph_ids:
        return 0
    first = paragraph_ids[0]
    end = 0
    while end < len(paragraph_ids) and paragraph_ids[end] == first:
        end += 1
    return max(end, min(2, len(paragraph_ids)))


def key_points(
    sentences: Sequence[str],
    paragraph_ids: Sequence[int],
    scores: Sequence[float],
    usable: Sequence[bool],
    count: int,
) -> list[int]:
    """Indices of the key points: the best ``count`` usable sentences after the lede,
    quotes with their attribution; empty when fewer than two are left."""
    start = lede_end(paragraph_ids)
    pool = [i for i in range(start, len(sentences)) if usable[i]]
    # best-scored first until ``count`` are in: a quote that comes with its attribution
    # takes two places, and one that does not fit leaves its place to the next sentence
    chosen = [
        i for i in with_attributions(pool, sentences, paragraph_ids, scores, count) if i >= start
    ]
    return chosen if len(chosen) >= MIN_KEY_POINTS else []


def within_words(sentences: Sequence[str], budget: int) -> list[str]:
    """Whole sentences, in order, while they fit ``budget`` words (at least the first)."""
    out: list[str] = []
    used = 0
    for s in sentences:
        n = len(s.split())
        if out and used + n > budget:
            break
        out.append(s)
        used += n
    return out
