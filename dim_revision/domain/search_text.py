"""Text rules of the prestación search: folding, words, stopwords and the synonym table.

Kept apart from the index so the rules (what counts as the same word) read in one place and the
queue search can reuse `fold`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# One row per synonym group; every form is equivalent to every other one, both ways (a name
# with RX also answers "radiografia", a name with RADIOGRAFÍA also answers "rx"). Multi-word
# forms match consecutive words of a name, stopwords ignored.
SINONIMOS: tuple[tuple[str, ...], ...] = (
    ("resonancia magnetica", "resonancia magnetica nuclear", "rmn", "rm", "rnm"),
    ("tomografia computada", "tomografia computarizada", "tomografia axial computada", "tc", "tac"),
    ("radiografia", "rx"),
    ("ecografia", "eco"),
    ("ecodoppler", "doppler", "eco doppler"),
    ("mamografia", "mamo"),
    ("densitometria", "densito", "dmo"),
    ("tomografia por emision de positrones", "pet"),
    ("con contraste", "cc", "c/c"),
    ("sin contraste", "sc", "s/c"),
    ("izquierdo", "izquierda", "izq"),
    ("derecho", "derecha", "der"),
    ("bilateral", "bilat"),
)

# Optional in a query (unless the query is only these), ignored when matching synonym forms.
STOPWORDS = frozenset(
    {"de", "del", "la", "las", "el", "los", "y", "e", "en", "por", "para", "a", "al"}
)

_WORD = re.compile(r"[^\W_]+")
_SLASH_FORMS = re.compile(r"\b([cs])\s*/\s*c\b")  # "c/c", "s / c" typed in a query → cc, sc


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
    origin: list[int] | None  # original index of each folded char; None when identical (ASCII)

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


def analyze_folded(folded: str, origin: list[int] | None) -> Analyzed:
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
    folded = _SLASH_FORMS.sub(r"\1c", fold(query))
    return list(dict.fromkeys(_WORD.findall(folded)))


def _form_words(form: str) -> tuple[str, ...]:
    return tuple(w for w in _WORD.findall(fold(form)) if w not in STOPWORDS)


# (virtual word, position, index of the first and last word of the form that produced it)
Virtual = tuple[str, int, int, int]


@dataclass(frozen=True)
class Synonyms:
    """Synonym forms keyed by their first word, for one linear pass over a name's words."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]
    by_first: dict[str, tuple[tuple[tuple[str, ...], int], ...]]

    @classmethod
    def build(cls, table: Sequence[Sequence[str]] = SINONIMOS) -> Synonyms:
        groups = tuple(tuple(f for f in map(_form_words, row) if f) for row in table)
        by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for g, forms in enumerate(groups):
            for form in forms:
                by_first.setdefault(form[0], []).append((form, g))
        return cls(groups, {k: tuple(v) for k, v in by_first.items()})

    def virtual(self, words: Sequence[Word]) -> list[Virtual]:
        """The words a name also answers to: the other forms of every synonym form it contains
        (words the name really has are left out)."""
        content = [i for i, w in enumerate(words) if w[0] not in STOPWORDS]
        out: list[Virtual] = []
        real: set[str] | None = None
        for k, i in enumerate(content):
            candidates = self.by_first.get(words[i][0])
            if not candidates:
                continue
            for form, g in candidates:
                n = len(form)
                last = k + n - 1
                if last >= len(content) or any(
                    words[content[k + j]][0] != form[j] for j in range(1, n)
                ):
                    continue
                if real is None:
                    real = {w[0] for w in words}
                for other in self.groups[g]:
                    if other != form:
                        out.extend(
                            (v, words[i][1], i, content[last]) for v in other if v not in real
                        )
        return out
