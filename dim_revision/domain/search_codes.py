"""Query normalisation and the catalog's codes: a query that starts a code lists that entry first.

Codes compare without case, accents, dots, dashes or spaces, so "34.50.01", "345001" and
"34 50 01" are the same code; an entry may have several (DIM's own, then the nomenclador's).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dim_revision.domain.search_text import fold, query_words

_CODE_CHARS = re.compile(r"[^0-9a-z]")


def normalize_query(query: str) -> str:
    """The form a query is remembered under by the learning table: folded words, one space."""
    return " ".join(query_words(query))


def normalize_code(code: str) -> str:
    """Codes compare without case, accents, dots, dashes or spaces: "34.50.01" → "345001"."""
    return _CODE_CHARS.sub("", fold(code))


@dataclass(frozen=True)
class Codes:
    """Every code of the catalog, sorted by its normalized form, and the code each entry shows."""

    codes: tuple[tuple[str, int, str], ...]  # (normalized code, entry, as written), sorted
    keys: tuple[str, ...]  # the normalized codes alone, for bisecting
    shown: tuple[str | None, ...]  # per entry: the code shown beside its name (its first one)

    @classmethod
    def build(cls, entry_of: Mapping[int, int], codigos: Mapping[int, Sequence[str]]) -> Codes:
        """`entry_of` maps an id to its entry; `codigos` an id to its codes, DIM's own first."""
        shown: list[str | None] = [None] * len(entry_of)
        codes: list[tuple[str, int, str]] = []
        for ident, values in codigos.items():
            entry = entry_of.get(ident)
            if entry is None:
                continue
            for value in values:
                if value and value.strip():
                    if shown[entry] is None:
                        shown[entry] = value.strip()
                    key = normalize_code(value)
                    if key:
                        codes.append((key, entry, value.strip()))
        codes.sort()
        return cls(tuple(codes), tuple(c for c, _, _ in codes), tuple(shown))

    def hits(self, query: str, limit: int) -> dict[int, str]:
        """Entry → matched code, for the codes starting with the query (exact first), if the
        query has a digit (DIM's code or the nomenclador's)."""
        if not self.codes or not any(c.isdigit() for c in query):
            return {}
        key = normalize_code(query)
        if len(key) < 2:
            return {}
        lo = bisect_left(self.keys, key)
        hi = bisect_left(self.keys, key + "\x7f", lo)
        # sorted by code, so the exact code (if any) comes first, then the longer ones in order
        found: dict[int, str] = {}
        for _, e, written in self.codes[lo : min(hi, lo + 4 * limit)]:
            found.setdefault(e, written)
            if len(found) == limit:
                break
        return found
