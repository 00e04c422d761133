"""Highlighting: which characters of a returned name the typed words matched (bold in the picker).

Only the few entries a search returns are looked at: a typed word is marked where it starts a
word of the folded name; failing that, where a synonym of the name starts with it (the whole
form that produced the synonym is marked), and failing that the words it reached as a typo.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from dim_revision.domain.search_build import Folded
from dim_revision.domain.search_scores import MEMO_FOUND, MEMO_SHOWN
from dim_revision.domain.search_text import Analyzed, Synonyms, analyze_folded

Span = tuple[int, int]


def word_start(text: str) -> re.Pattern[str]:
    """`text` where a word starts, in a folded name (the same word rule as `search_text`)."""
    return re.compile(r"(?<![^\W_])" + re.escape(text))


@dataclass
class _Shown:
    """A name split into words, and (computed on first need) its synonym words with spans."""

    analyzed: Analyzed
    _virtual: list[tuple[str, Span]] | None = None

    def virtual(self, synonyms: Synonyms) -> list[tuple[str, Span]]:
        if self._virtual is None:
            words = self.analyzed.words
            self._virtual = [
                (text, self.analyzed.span(words[first][2], words[last][3]))
                for text, _, first, last, _ in synonyms.virtual(words)
            ]
        return self._virtual


class Highlighter:
    """Spans of the typed words in an entry's name; keeps the names it split for a while (the
    next keystroke usually shows the same entries)."""

    def __init__(self, folded: tuple[Folded, ...], synonyms: Synonyms) -> None:
        self._folded = folded
        self._synonyms = synonyms
        self._shown: dict[int, _Shown] = {}
        # "entry typed-word" → its spans there by prefix or synonym, flat (start, end, start…),
        # so the collector has one object per entry to look at, once (typo spans depend on the
        # query: not kept); the words typed before the last one repeat at every keystroke
        self._found: dict[str, tuple[int, ...]] = {}

    def spans(
        self, e: int, texts: list[tuple[str, re.Pattern[str]]], fuzzy_words: frozenset[str]
    ) -> tuple[Span, ...]:
        """`texts`: (typed word, its `word_start` pattern); `fuzzy_words`: vocabulary words the
        query reached as typos."""
        spans: list[Span] = []
        found = self._found
        for text, pattern in texts:
            key = f"{e} {text}"
            kept = found.get(key)
            if kept is None:
                kept = tuple(chain.from_iterable(self._by_prefix_or_synonym(e, text, pattern)))
                if len(found) >= MEMO_FOUND:  # the oldest goes, not all at once
                    del found[next(iter(found))]
                found[key] = kept
            if kept:
                spans.extend(zip(kept[::2], kept[1::2], strict=True))
                continue
            # reached through a typo: mark the whole word
            origin = self._folded[e][1]
            shown = self._shown_of(e)
            spans.extend(
                _span(origin, s, end) for w, _, s, end in shown.analyzed.words if w in fuzzy_words
            )
            spans.extend(span for w, span in shown.virtual(self._synonyms) if w in fuzzy_words)
        return _merge(spans)

    def _by_prefix_or_synonym(
        self, e: int, text: str, pattern: re.Pattern[str]
    ) -> tuple[Span, ...]:
        """Where `text` starts a word of the name, else the synonym forms it starts."""
        folded, origin = self._folded[e]
        n = len(text)
        prefix = tuple(_span(origin, m.start(), m.start() + n) for m in pattern.finditer(folded))
        if prefix:
            return prefix
        virtual = self._shown_of(e).virtual(self._synonyms)
        return tuple(span for w, span in virtual if w.startswith(text))

    def _shown_of(self, e: int) -> _Shown:
        shown = self._shown.get(e)
        if shown is None:
            if len(self._shown) >= MEMO_SHOWN:  # the oldest goes, not all at once
                del self._shown[next(iter(self._shown))]
            folded, origin = self._folded[e]
            shown = self._shown[e] = _Shown(analyze_folded(folded, origin))
        return shown


def _span(origin: Sequence[int] | None, fstart: int, fend: int) -> Span:
    if origin is None:
        return fstart, fend
    return origin[fstart], origin[fend - 1] + 1


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return tuple(out)
