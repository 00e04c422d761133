"""The lexicon's variant weights against the catalog: found at build time, lifted at query time.

An invasive, guided or specialised study (PAAF, infiltración, transesofágico, screening…) carries
its variant's weight as a penalty, unless the query names the variant: typing "paaf" gives the
weight back (`Lift`) to the entries that carry it through a form the query names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dim_revision.domain.lexicon import Variante


@dataclass(frozen=True)
class Variants:
    """The lexicon's variant weights resolved against the catalog."""

    weights: tuple[float, ...]  # per variant (a line of the lexicon)
    forms: tuple[tuple[int, frozenset[str]], ...]  # per form: (its variant, its words)
    words: tuple[str, ...]  # every word of every form
    entries: tuple[tuple[int, ...], ...]  # per variant: entries it weighs on
    form_entries: tuple[tuple[int, ...], ...]  # per form: entries weighed on through it
    of_entry: tuple[tuple[int, ...], ...]  # per entry: the forms that weigh on it


class VariantFinder:
    """Build step: the variant forms in each name, in entry order (`add`), then `variants()`."""

    def __init__(self, variantes: Sequence[Variante]) -> None:
        self._variantes = variantes
        self._forms = [(v, f) for v, variant in enumerate(variantes) for f in variant.formas]
        self._by_first: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for f, (_, form) in enumerate(self._forms):
            self._by_first.setdefault(form[0], []).append((f, form))
        self._variant_entries: list[list[int]] = [[] for _ in variantes]
        self._form_entries: list[list[int]] = [[] for _ in self._forms]
        self._of_entry: list[tuple[int, ...]] = []

    def add(self, e: int, content: list[str]) -> float:
        """Note the forms in entry `e` (its content words); the weight they put on it."""
        extra = 0.0
        carried: list[int] = []
        for f in sorted(self._forms_in(content)):
            v = self._forms[f][0]
            context = self._variantes[v].contexto
            if not context or all(w in content for w in context):
                carried.append(f)
                self._form_entries[f].append(e)
                entries = self._variant_entries[v]
                if not entries or entries[-1] != e:
                    entries.append(e)  # a line weighs once per name
                    extra += self._variantes[v].peso
        self._of_entry.append(tuple(carried))
        return extra

    def variants(self) -> Variants:
        return Variants(
            tuple(v.peso for v in self._variantes),
            tuple((v, frozenset(form)) for v, form in self._forms),
            tuple(sorted({w for _, form in self._forms for w in form})),
            tuple(tuple(es) for es in self._variant_entries),
            tuple(tuple(es) for es in self._form_entries),
            tuple(self._of_entry),
        )

    def _forms_in(self, content: list[str]) -> set[int]:
        """The variant forms present, as consecutive words, in a name's content words."""
        found: set[int] = set()
        for i, word in enumerate(content):
            for f, form in self._by_first.get(word, ()):
                if f not in found and tuple(content[i : i + len(form)]) == form:
                    found.add(f)
        return found


class Lift:
    """Entry → the weight to give back for the variant forms the query names, computed only for
    the entries a query looks at."""

    __slots__ = ("_named", "_variants", "_weights")

    def __init__(self, named: frozenset[int], variants: Variants | None) -> None:
        self._named, self._variants = named, variants
        self._weights: dict[int, float] | None = None

    @property
    def named(self) -> frozenset[int]:
        return self._named

    @classmethod
    def named_by(cls, typed: Iterable[str], variants: Variants) -> Lift:
        """The lift for a query whose words name `typed` variant words: a form is named when
        every word of it is ("paaf" lifts PAAF, not biopsias)."""
        words = set(typed)
        if not words:
            return NO_LIFT
        named = frozenset(f for f, (_, form) in enumerate(variants.forms) if form <= words)
        return cls(named, variants) if named else NO_LIFT

    def __bool__(self) -> bool:
        return bool(self._named)

    def entries(self) -> set[int]:
        """The entries a named form weighs on."""
        if self._variants is None:
            return set()
        per_form = self._variants.form_entries
        return {e for f in self._named for e in per_form[f]}

    def reach(self) -> int:
        """How many (form, entry) pairs the named forms weigh on: at least `len(entries())`."""
        if self._variants is None:
            return 0
        per_form = self._variants.form_entries
        return sum(len(per_form[f]) for f in self._named)

    def lines(self) -> dict[int, list[int]]:
        """Variant (a line of the lexicon) → its named forms: an entry carrying any of them gets
        that line's weight back once (`get`)."""
        if self._variants is None:
            return {}
        out: dict[int, list[int]] = {}
        for f in sorted(self._named):
            out.setdefault(self._variants.forms[f][0], []).append(f)
        return out

    def ceiling(self) -> float:
        """The most `get` can give any entry: every named line's positive weight."""
        if self._variants is None:
            return 0.0
        lines = {self._variants.forms[f][0] for f in self._named}
        return sum(max(self._variants.weights[v], 0.0) for v in lines)

    def weights(self) -> dict[int, float]:
        """`get` for every entry a named form weighs on (computed once per lift)."""
        if self._weights is None:
            self._weights = {e: self._weight(e, 0.0) for e in self.entries()}
        return self._weights

    def get(self, e: int, default: float = 0.0) -> float:
        if self._weights is not None:
            return self._weights.get(e, default)
        return self._weight(e, default)

    def _weight(self, e: int, default: float) -> float:
        variants = self._variants
        if variants is None or not variants.of_entry[e]:
            return default
        lines = {variants.forms[f][0] for f in variants.of_entry[e] if f in self._named}
        return sum(variants.weights[v] for v in lines) if lines else default


NO_LIFT = Lift(frozenset(), None)
