"""Text rules of the prestación search: folding, words, stopwords and synonym matching.

Kept apart from the index so the rules (what counts as the same word) read in one place and the
queue search can reuse `fold`. The synonym groups themselves are data: `resources/lexico.txt`
(see `lexicon.py`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# Optional in a query (unless the query is only these), ignored when matching synonym forms.
STOPWORDS = frozenset(
    {"de", "del", "la", "las", "el", "los", "y", "e", "en", "por", "para", "a", "al"}
)

_WORD = re.compile(r"[^\W_]+")
# Order shorthand with a slash, typed in a query:
# - a letter, a slash and at most three letters are one word: "c/c" → cc, "s / cte" → scte,
#   "f/p" → fp; so typing "c/c" → "c/ct" → "c/cte" only ever extends a word;
# - otherwise "c/" is "con" and "s/" is "sin": "c/ gadolinio", "c/doppler", "s/contraste".
_SLASH_SHORT = re.compile(r"(?<![^\W_])([^\W\d_])\s*/\s*([^\W_]{1,3})(?![^\W_])")
_SLASH_CON = re.compile(r"(?<![^\W_])([cs])\s*/")
_SLASH_WORD = {"c": "con ", "s": "sin "}


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Accent- and case-insensitive form: ``'Resonancia MAGNÉTICA Ñandú'`` → ``'resonancia magnetica nandu'``."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


# A word of a name: folded text, position among the name's non-stopword words, and its start
# and end in the folded name.
Word = tuple[str, int, int, int]


@dataclass(frozen=True)
class Analyzed:
    """A name split into folded words, with what is needed to map them back for highlighting."""

    words: list[Word]
    origin: Sequence[int] | None  # original index of each folded char; None when identical (ASCII)

    def span(self, fstart: int, fend: int) -> tuple[int, int]:
        """Original [start, end) covering folded characters [fstart, fend)."""
        if self.origin is None:
            return fstart, fend
        return self.origin[fstart], self.origin[fend - 1] + 1


def fold_with_origin(nombre: str) -> tuple[str, list[int] | None]:
    """The folded name and the original index of each folded character (None: identical)."""
    if nombre.isascii():
        return nombre.lower(), None
    pieces = list(map(_fold_char, nombre))
    lengths = set(map(len, pieces))
    if lengths == {1}:  # accents dropped, one char for one char: offsets are unchanged
        return "".join(pieces), None
    return "".join(pieces), [i for i, piece in enumerate(pieces) for _ in piece]


def analyze(nombre: str) -> Analyzed:
    return analyze_folded(*fold_with_origin(nombre))


def analyze_folded(folded: str, origin: Sequence[int] | None) -> Analyzed:
    words: list[Word] = []
    pos = 0
    for m in _WORD.finditer(folded):
        text = m.group()
        words.append((text, pos, m.start(), m.end()))
        if text not in STOPWORDS:
            pos += 1
    return Analyzed(words, origin)


def query_words(query: str) -> list[str]:
    """Distinct folded words of what the operator typed, in order."""
    folded = fold(query)
    if "/" in folded:
        folded = _SLASH_SHORT.sub(r"\1\2", folded)
        folded = _SLASH_CON.sub(lambda m: _SLASH_WORD[m.group(1)], folded)
    return list(dict.fromkeys(_WORD.findall(folded)))


def form_words(form: str) -> tuple[str, ...]:
    """A lexicon form as the query sees it (slash forms joined), stopwords left out."""
    return tuple(w for w in query_words(form) if w not in STOPWORDS)


def _name_words(form: str) -> tuple[str, ...]:
    """The same form as it appears inside a name ("C/C" is two words there)."""
    return tuple(w for w in _WORD.findall(fold(form)) if w not in STOPWORDS)


# (virtual word, position, index of the first and last word of the form that produced it, and
# whether it is one word of a longer form: "tc" of "pet tc" is not a TC by itself)
Virtual = tuple[str, int, int, int, bool]


@dataclass(frozen=True)
class Synonyms:
    """Synonym forms keyed by their first word, for one linear pass over a name's words."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]
    by_first: dict[str, tuple[tuple[tuple[str, ...], int], ...]]
    joins: dict[tuple[str, ...], str]  # a multi-word form → a one-word form of its group
    longest: int

    @classmethod
    def build(cls, table: Sequence[Sequence[str]]) -> Synonyms:
        groups = tuple(
            tuple(dict.fromkeys(f for raw in row for f in (form_words(raw), _name_words(raw)) if f))
            for row in table
        )
        by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for g, forms in enumerate(groups):
            for form in forms:
                by_first.setdefault(form[0], []).append((form, g))
        joins: dict[tuple[str, ...], str] = {}
        for row in table:
            typed = [f for f in map(form_words, row) if f]  # as typed: "c/c" is "cc" here
            singles = [f[0] for f in typed if len(f) == 1]
            for form in typed:
                # only compounds: "eco doppler" → ECODOPPLER, never "mamaria bilateral" → MAMA
                single = next((w for w in singles if w.startswith(form[0]) and w != form[0]), None)
                if len(form) > 1 and single is not None:
                    joins.setdefault(form, single)
        longest = max((len(f) for f in joins), default=1)
        return cls(groups, {k: tuple(v) for k, v in by_first.items()}, joins, longest)

    def join(self, typed: list[str]) -> list[str]:
        """Typed words that spell a multi-word form ("eco doppler", "angio rmn") become the
        one-word form of its group (ECODOPPLER, ANGIORRESONANCIA), longest first."""
        if not self.joins or len(typed) < 2:
            return typed
        out: list[str] = []
        i = 0
        while i < len(typed):
            for n in range(min(self.longest, len(typed) - i), 1, -1):
                single = self.joins.get(tuple(typed[i : i + n]))
                if single is not None:
                    out.append(single)
                    i += n
                    break
            else:
                out.append(typed[i])
                i += 1
        return list(dict.fromkeys(out))

    def virtual(self, words: Sequence[Word]) -> list[Virtual]:
        """The words a name also answers to: the other forms of every synonym form it contains
        (words the name really has are left out). Where forms of different groups start at the
        same word, only the longest counts: "TOMOGRAFÍA POR EMISIÓN DE POSITRONES" is a PET, not
        a "tomografía" (TC)."""
        content = [i for i, w in enumerate(words) if w[0] not in STOPWORDS]
        out: list[Virtual] = []
        real: set[str] | None = None
        for k, i in enumerate(content):
            candidates = self.by_first.get(words[i][0])
            if not candidates:
                continue
            matched = [
                (form, g)
                for form, g in candidates
                if k + len(form) <= len(content)
                and all(words[content[k + j]][0] == form[j] for j in range(1, len(form)))
            ]
            if not matched:
                continue
            longest = max(len(form) for form, _ in matched)
            if real is None:
                real = {w[0] for w in words}
            for form, g in matched:
                if len(form) < longest:
                    continue
                last = content[k + len(form) - 1]
                for other in self.groups[g]:
                    if other != form:
                        part = len(other) > 1
                        out.extend((v, words[i][1], i, last, part) for v in other if v not in real)
        return out
