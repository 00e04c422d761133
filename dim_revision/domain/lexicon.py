"""The search lexicon: synonyms, abbreviations and variant weights, read from a text file.

The reviewed file is `resources/lexico.txt`; DIM can add its own file (config `[busqueda] lexico`)
in the same format, read when the catalog index is built (at start); a DIM group that shares a
form with a reviewed one extends it. Format, one entry a line::

    # a comment (also after an entry)
    [sinonimos]
    resonancia magnetica | rmn | rm | rnm     # every form means every other one, both ways
    [variantes]
    30: paaf | biopsia                        # names with a form rank 30 points lower…
    10 densitometria: cuerpo entero           # …only in names that also have all the context words
    -0.5 densitometria: columna lumbar y cadera   # a negative weight: the usual study of its kind

A variant weight applies unless the query names the variant (typing "paaf" lifts it). Weights
are on the scale of the ranking: a whole word is worth about 100, a typo costs 20, so 30 sends an
invasive study below any spelling of the plain one; a fraction of a point only orders near-equals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dim_revision.domain.search_text import form_words
from dim_revision.errors import ConfigError

SECTIONS = ("sinonimos", "variantes")
_VARIANT = re.compile(r"^(-?\d+(?:[.,]\d+)?)(?:\s+([^:|]+?))?\s*:\s*(.+)$")


class LexiconError(ConfigError):
    """A malformed lexicon line (the message says which file and line, in Spanish)."""


@dataclass(frozen=True)
class Variante:
    peso: float
    formas: tuple[tuple[str, ...], ...]  # folded words of each form
    contexto: tuple[str, ...]  # folded words a name must also contain
    linea: int


@dataclass(frozen=True)
class Lexicon:
    sinonimos: tuple[tuple[str, ...], ...]  # each group's forms, as written (folded later)
    variantes: tuple[Variante, ...]

    @classmethod
    def parse(cls, text: str, source: str = "léxico") -> Lexicon:
        section: str | None = None
        groups: list[tuple[str, ...]] = []
        variants: list[Variante] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            where = f"{source}, línea {number}"
            if line.startswith("["):
                name = line.strip("[] ").lower()
                if not line.endswith("]") or name not in SECTIONS:
                    raise LexiconError(
                        f"{where}: sección «{line}» desconocida; se espera "
                        + " o ".join(f"[{s}]" for s in SECTIONS)
                        + "."
                    )
                section = name
                continue
            if section is None:
                raise LexiconError(f"{where}: falta la sección ([sinonimos] o [variantes]).")
            if section == "sinonimos":
                forms = _forms(line, where)
                if len(forms) < 2:
                    raise LexiconError(
                        f"{where}: un grupo de sinónimos necesita al menos dos formas "
                        "separadas por «|»."
                    )
                groups.append(tuple(forms))
            else:
                m = _VARIANT.match(line)
                if m is None:
                    raise LexiconError(
                        f"{where}: se espera «peso [contexto]: forma | forma», "
                        "por ejemplo «30: paaf | biopsia»."
                    )
                weight = float(m.group(1).replace(",", "."))
                context = form_words(m.group(2) or "")
                formas = tuple(form_words(f) for f in _forms(m.group(3), where))
                variants.append(Variante(weight, formas, context, number))
        return cls(tuple(groups), tuple(variants))

    @classmethod
    def load(cls, paths: Iterable[Path]) -> Lexicon:
        """The files merged in order (the reviewed one first, then DIM's own)."""
        parts = []
        for path in paths:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise LexiconError(f"No se pudo leer el léxico {path}: {exc.strerror}.") from None
            except UnicodeDecodeError:
                raise LexiconError(f"El léxico {path} no está en UTF-8.") from None
            parts.append(cls.parse(text, str(path)))
        return cls.merge(parts)

    @classmethod
    def merge(cls, parts: Iterable[Lexicon]) -> Lexicon:
        """The parts in order; a later group that shares a form with an earlier one extends it
        (DIM's "rmn | rmi" adds "rmi" to the reviewed resonancia group)."""
        groups: list[list[str]] = []
        owner: dict[tuple[str, ...], int] = {}
        variants: list[Variante] = []
        for part in parts:
            for row in part.sinonimos:
                keys = [form_words(f) for f in row]
                known = next((owner[k] for k in keys if k in owner), None)
                if known is None:
                    known = len(groups)
                    groups.append([])
                for form, key in zip(row, keys, strict=True):
                    owner.setdefault(key, known)
                    if form not in groups[known]:  # "c/c" stays beside "cc": names split it
                        groups[known].append(form)
            variants.extend(part.variantes)
        return cls(tuple(tuple(g) for g in groups), tuple(variants))


def _forms(text: str, where: str) -> list[str]:
    forms = [f.strip() for f in text.split("|")]
    if any(not f for f in forms) or any(not form_words(f) for f in forms):
        raise LexiconError(f"{where}: hay una forma vacía (revisá los «|»).")
    return forms


def default_path() -> Path:
    from dim_revision.resources import resource_path

    return resource_path("lexico.txt")


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The reviewed lexicon shipped in `resources/` (read once, on first use)."""
    return Lexicon.load([default_path()])


def load_lexicon(extra: str | Path | None = None) -> Lexicon:
    """The reviewed lexicon plus DIM's own file, if configured."""
    if not extra:
        return default_lexicon()
    return Lexicon.merge([default_lexicon(), Lexicon.load([Path(extra)])])
