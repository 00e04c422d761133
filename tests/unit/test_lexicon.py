"""The search lexicon: the reviewed file's format, every group reachable, DIM's own file, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dim_revision.demo.catalog import base_pool
from dim_revision.domain.lexicon import Lexicon, LexiconError, default_path, load_lexicon
from dim_revision.domain.search_index import SearchIndex
from dim_revision.domain.search_text import STOPWORDS, Synonyms, form_words, query_words

LEXICON = Lexicon.load([default_path()])
NAMES = [nombre for _, nombre, _ in base_pool()]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(enumerate(NAMES, start=1), LEXICON)


def _content(nombre: str) -> list[str]:
    return [w for w in query_words(nombre) if w not in STOPWORDS]


def test_the_reviewed_file_parses_and_has_both_sections() -> None:
    assert len(LEXICON.sinonimos) >= 80
    assert len(LEXICON.variantes) >= 5
    text = default_path().read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        body = line.split("#", 1)[0]
        assert body == body.rstrip() or not body.strip() or "#" in line, number
        assert "\t" not in line, f"line {number}: tabs make the file hard to review"


def test_every_form_is_in_one_group_only() -> None:
    """A form in two groups would silently merge two meanings."""
    owner: dict[str, int] = {}
    rows = Lexicon.parse(default_path().read_text(encoding="utf-8")).sinonimos  # as written
    for g, row in enumerate(rows):
        for form in row:
            key = " ".join(form_words(form))
            assert owner.setdefault(key, g) == g, f"«{form}» is in groups {owner[key]} and {g}"


def test_the_issue_vocabulary_is_covered() -> None:
    """The minimum list of issue #14, item 1."""
    flat = {" ".join(form_words(f)) for row in LEXICON.sinonimos for f in row}
    wanted = [
        "rm",
        "rmn",
        "rnm",
        "tc",
        "tac",
        "rx",
        "eco",
        "ecodoppler",
        "pet",
        "centellograma",
        "gammagrafia",
        "spect",
        "densitometria",
        "dmo",
        "mamografia",
        "mamo",
        "ccte",
        "scte",
        "cc",
        "sc",
        "gadolinio",
        "ev",
        "der",
        "izq",
        "bilat",
        "ambas",
        "ambos",
        "encefalo",
        "cerebro",
        "craneo",
        "mmii",
        "mmss",
        "col",
        "cervical",
        "dorsal",
        "lumbar",
        "lumbosacra",
        "angiotomografia",
        "colangiorresonancia",
        "urotomografia",
        "artrorresonancia",
        "tv",
        "transvaginal",
        "morfologica",
    ]
    assert not [w for w in wanted if w not in flat]
    for phrase in (
        "1er trimestre",
        "2do trimestre",
        "3er trimestre",
        "translucencia nucal",
        "miembros inferiores",
        "miembros superiores",
        "abdomen y pelvis",
        "con contraste",
        "sin contraste",
        "pet ct",
        "eco doppler",
    ):
        assert " ".join(form_words(phrase)) in flat, phrase


def test_every_group_is_reachable(index: SearchIndex) -> None:
    """Each group names something the catalog has, and each of its forms, typed alone, finds an
    entry that has one of the group's forms."""
    groups = Synonyms.build(LEXICON.sinonimos).groups
    contents = [_content(n) for n in NAMES]
    for row, forms in zip(LEXICON.sinonimos, groups, strict=True):

        def has(content: list[str], forms: tuple[tuple[str, ...], ...] = forms) -> bool:
            return any(
                tuple(content[i : i + len(f)]) == f
                for f in forms
                for i in range(len(content) - len(f) + 1)
            )

        assert any(has(c) for c in contents), f"no demo study has any form of {row}"
        for form in row:
            results = index.search(form, 10)
            assert results, f"«{form}» finds nothing"
            assert any(has(_content(m.nombre)) for m in results), (form, results[0].nombre)


def test_every_variant_applies_to_some_study(index: SearchIndex) -> None:
    for variant, entries in zip(LEXICON.variantes, index._variants.entries, strict=True):
        assert entries, f"resources/lexico.txt line {variant.linea} matches no study"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rmn | rm", r"línea 1: falta la sección"),
        ("[sinonimos]\nrmn", r"línea 2: un grupo de sinónimos necesita al menos dos formas"),
        ("[sinonimos]\nrmn | ", r"línea 2: hay una forma vacía"),
        ("[otra]\n", r"línea 1: sección «\[otra\]» desconocida"),
        ("[variantes]\npaaf | biopsia", r"línea 2: se espera «peso \[contexto\]: forma"),
        ("[variantes]\ntreinta: paaf", r"línea 2: se espera"),
    ],
)
def test_bad_lines_say_where(text: str, message: str) -> None:
    with pytest.raises(LexiconError, match=message):
        Lexicon.parse(text, "dim.txt")


def test_comments_blank_lines_and_context() -> None:
    lexicon = Lexicon.parse(
        "# comentario\n\n[sinonimos]\nrmn | rm  # al final\n[variantes]\n"
        "-0,5 densitometria: columna lumbar y cadera\n30: paaf\n"
    )
    assert lexicon.sinonimos == (("rmn", "rm"),)
    usual, paaf = lexicon.variantes
    assert usual.peso == -0.5 and usual.contexto == ("densitometria",)
    assert usual.formas == (("columna", "lumbar", "cadera"),)
    assert paaf.peso == 30 and paaf.contexto == ()


def test_dim_extends_it_with_its_own_file(tmp_path: Path) -> None:
    extra = tmp_path / "dim.txt"
    extra.write_text("[sinonimos]\nrmn | rmi   # como lo escribe un médico de la casa\n", "utf-8")
    catalog = [(1, "RESONANCIA MAGNÉTICA DE RODILLA"), (2, "RADIOGRAFÍA DE RODILLA")]
    assert SearchIndex.build(catalog).search("rmi rodilla")[0].sin_coincidencia == ("rmi",)
    index = SearchIndex.build(catalog, load_lexicon(extra))
    first = index.search("rmi rodilla")[0]
    assert (first.id, first.sin_coincidencia) == (1, ())


def test_a_broken_dim_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-existe.txt"
    with pytest.raises(LexiconError, match="No se pudo leer el léxico"):
        load_lexicon(missing)
    broken = tmp_path / "dim.txt"
    broken.write_bytes("[sinonimos]\nrmn | r\xe9sonancia\n".encode("latin-1"))
    with pytest.raises(LexiconError, match="no está en UTF-8"):
        load_lexicon(broken)
    broken.write_text("[sinonimos]\nrmn\n", "utf-8")
    with pytest.raises(LexiconError, match=re.escape(f"{broken}, línea 2")):
        load_lexicon(broken)
