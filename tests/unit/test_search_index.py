"""Prestación search: operator-style queries against a realistic catalog, and invariants."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dim_revision.domain.lexicon import Lexicon, default_lexicon
from dim_revision.domain.search_index import Match, SearchIndex, fold
from dim_revision.domain.search_text import STOPWORDS, form_words, query_words

CATALOGO: list[tuple[int, str]] = [
    (1, "RESONANCIA MAGNÉTICA DE RODILLA"),
    (2, "RESONANCIA MAGNÉTICA DE RODILLA BILATERAL"),
    (3, "RESONANCIA MAGNÉTICA DE RODILLA CON CONTRASTE"),
    (4, "RESONANCIA MAGNÉTICA DE CEREBRO"),
    (5, "RESONANCIA MAGNÉTICA DE CEREBRO CON CONTRASTE"),
    (6, "RESONANCIA MAGNÉTICA DE COLUMNA LUMBOSACRA"),
    (7, "RESONANCIA MAGNÉTICA DE COLUMNA CERVICAL"),
    (8, "RESONANCIA MAGNÉTICA DE HOMBRO DERECHO"),
    (9, "RESONANCIA MAGNÉTICA DE HOMBRO IZQUIERDO"),
    (10, "RESONANCIA MAGNÉTICA DE PELVIS"),
    (11, "RESONANCIA MAGNÉTICA DE ABDOMEN SUPERIOR"),
    (12, "RESONANCIA MAGNÉTICA DE MAMAS BILATERAL"),
    (13, "ANGIORRESONANCIA DE VASOS DE CUELLO"),
    (14, "RMN DE CODO"),
    (20, "TOMOGRAFÍA COMPUTADA DE TÓRAX"),
    (21, "TOMOGRAFÍA COMPUTADA DE TÓRAX CON CONTRASTE"),
    (22, "TOMOGRAFÍA COMPUTADA DE ABDOMEN Y PELVIS"),
    (23, "TOMOGRAFÍA COMPUTADA DE CEREBRO SIN CONTRASTE"),
    (24, "TOMOGRAFÍA COMPUTADA DE MACIZO FACIAL"),
    (25, "TOMOGRAFÍA COMPUTADA DE COLUMNA LUMBAR"),
    (26, "ANGIOTOMOGRAFÍA DE ARTERIAS CORONARIAS"),
    (27, "TC DE RODILLA"),
    (28, "TOMOGRAFÍA COMPUTADA DE SENOS PARANASALES"),
    (30, "ECOGRAFÍA ABDOMINAL COMPLETA"),
    (31, "ECOGRAFÍA RENAL Y VESICAL"),
    (32, "ECOGRAFÍA TIROIDEA"),
    (33, "ECOGRAFÍA MAMARIA BILATERAL"),
    (34, "ECOGRAFÍA TRANSVAGINAL"),
    (35, "ECOGRAFÍA OBSTÉTRICA"),
    (36, "ECOGRAFÍA DE PARTES BLANDAS"),
    (37, "ECODOPPLER DE VASOS DE CUELLO"),
    (38, "ECODOPPLER VENOSO DE MIEMBROS INFERIORES"),
    (39, "ECO DOPPLER ARTERIAL DE MIEMBROS INFERIORES"),
    (40, "ECOCARDIOGRAMA DOPPLER COLOR"),
    (41, "ECO DE HOMBRO DERECHO"),
    (50, "RADIOGRAFÍA DE TÓRAX FRENTE Y PERFIL"),
    (51, "RADIOGRAFÍA DE RODILLA DERECHA"),
    (52, "RADIOGRAFÍA DE RODILLA IZQUIERDA"),
    (53, "RADIOGRAFÍA DE COLUMNA LUMBOSACRA"),
    (54, "RADIOGRAFÍA DE MANO IZQUIERDA"),
    (55, "RADIOGRAFÍA DE PELVIS"),
    (56, "RX DE CADERA BILATERAL"),
    (57, "RADIOGRAFÍA PANORÁMICA DENTAL"),
    (58, "RADIOGRAFÍA DE HOMBRO DERECHO"),
    (60, "MAMOGRAFÍA BILATERAL"),
    (61, "MAMOGRAFÍA CON TOMOSÍNTESIS"),
    (62, "MAMOGRAFÍA UNILATERAL"),
    (65, "DENSITOMETRÍA ÓSEA DE COLUMNA Y CADERA"),
    (66, "DENSITOMETRÍA ÓSEA CORPORAL TOTAL"),
    (70, "CENTELLOGRAMA ÓSEO CORPORAL TOTAL"),
    (71, "CENTELLOGRAMA TIROIDEO"),
    (72, "CENTELLOGRAMA RENAL (DMSA)"),
    (73, "PERFUSIÓN MIOCÁRDICA (SPECT) EN REPOSO Y ESFUERZO"),
    (74, "PET-TC CORPORAL TOTAL CON FDG"),
    (75, "PET-TC CON PSMA"),
    (76, "TOMOGRAFÍA POR EMISIÓN DE POSITRONES DE CEREBRO"),
    (80, "RESONANCIA MAGNÉTICA DE MUÑECA"),
    (81, "RADIOGRAFÍA DE MUÑECA"),
    (82, "ECOGRAFÍA DE MUÑECA"),
    (83, "PUNCIÓN ASPIRATIVA CON AGUJA FINA (PAAF) DE TIROIDES"),
    (84, "BIOPSIA MAMARIA GUIADA POR ECOGRAFÍA"),
    (85, "RX COLUMNA CERVICAL C/C"),
]
NOMBRES = dict(CATALOGO)


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(CATALOGO)


TOP1 = [
    # the example from the design, and its variants
    ("rmn rodila", 1),
    ("rm rodilla", 1),
    ("rnm rodilla", 1),
    ("rodilla rmn", 1),  # any order
    ("RESONANCIA MAGNÉTICA DE RODILLA", 1),
    ("res mag rod", 1),  # partial words
    ("resonancia rodilla contraste", 3),
    ("rmn rodilla cc", 3),
    ("rm cerebro con contraste", 5),
    ("resonansia cerebro", 4),  # typo
    ("rmn lumbosacra", 6),
    ("rm hombro izq", 9),
    ("rm hombro der", 8),
    ("resonancia codo", 14),  # the catalog abbreviates, the operator doesn't
    ("rmn codo", 14),
    ("rm muneca", 80),  # no ñ on the keyboard
    # tomografía
    ("tc torax", 20),
    ("tac de torax", 20),
    ("tomografia de torax", 20),
    ("tomografya de toraz", 20),  # two typos
    ("tom comp tor", 20),
    ("tc torax cc", 21),
    ("tc cerebro sc", 23),
    ("tc cerebro s/c", 23),
    ("cerebor tc", 23),  # transposition, reversed order
    ("tomografia rodilla", 27),
    ("tc abd pelvis", 22),
    ("tac senos", 28),
    ("angiotomografia coronarias", 26),
    # ecografía / doppler
    ("eco abdominal", 30),
    ("ecografia abdomen", 30),  # abdomen ≈ abdominal
    ("eco tiroides", 32),
    ("eco trans", 34),
    ("eco obst", 35),
    ("doppler vasos cuello", 37),
    ("ecodoppler venoso", 38),
    ("ecodoppler arterial", 39),  # the catalog splits ECO DOPPLER
    ("doppler arterial miembros", 39),
    ("eco hombro der", 41),
    # radiografía
    ("rx torax", 50),
    ("radiografia cadera", 56),
    ("rx rodilla izq", 52),
    ("rx rodilla derecha", 51),
    ("rx mano izquierda", 54),
    ("rx muñeca", 81),
    ("rx mamo", 54),  # "mamo" is a prefix of MAMOGRAFÍA, but no RX has it: a typo of MANO
    ("rx columna cervical con contraste", 85),  # C/C in the catalog
    # mamografía, densitometría, nuclear, PET
    ("mamo", 60),
    ("mamografia tomosintesis", 61),
    ("dmo cadera", 65),
    ("densito corporal", 66),
    ("centello oseo", 70),
    ("centellograma tiroides", 71),
    ("spect", 73),
    ("pet psma", 75),
    ("pet fdg", 74),
    ("pet cerebro", 76),  # PET spelled out in the catalog
    ("positrones", 76),
    ("paaf tiroides", 83),
    ("angiorresonancia cuello", 13),
]


@pytest.mark.parametrize(("query", "expected"), TOP1)
def test_top1(index: SearchIndex, query: str, expected: int) -> None:
    results = index.search(query)
    assert results, f"{query!r} found nothing"
    assert results[0].id == expected, [(m.id, m.nombre, m.score) for m in results[:3]]


def test_rmn_rodila_prefiere_el_nombre_corto(index: SearchIndex) -> None:
    ids = [m.id for m in index.search("rmn rodila")]
    assert ids == [1, 2, 3]  # plain, then the longer variants; no TC/RX of the knee


def test_prefijo_gana_a_sinonimo_y_sinonimo_a_error(index: SearchIndex) -> None:
    # "rmn" is a real word of "RMN DE CODO" but a synonym in the RESONANCIA entries.
    results = index.search("rmn", 3)
    assert results[0].id == 14 and results[1].score < results[0].score
    # A real prefix outranks a typo match of the same word.
    results = index.search("mano")
    assert results[0].id == 54
    assert all(r.score < results[0].score for r in results[1:])


def test_sinonimos_en_los_dos_sentidos(index: SearchIndex) -> None:
    assert {m.id for m in index.search("rx cadera")} == {56}
    assert {m.id for m in index.search("radiografia cadera")} == {56}
    assert 14 in {m.id for m in index.search("resonancia magnetica codo")}
    assert {m.id for m in index.search("tc rodilla")} == {27}
    assert {m.id for m in index.search("tomografia computada rodilla")} == {27}


def test_contraste(index: SearchIndex) -> None:
    assert [m.id for m in index.search("tc cerebro sin contraste")] == [23]
    assert [m.id for m in index.search("rm rodilla c/c")] == [3]


def test_palabras_vacias_opcionales(index: SearchIndex) -> None:
    assert [m.id for m in index.search("tc de torax")] == [m.id for m in index.search("tc torax")]
    assert index.search("de")  # a query made only of stopwords still searches


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "-", "/", "¿?", "de la"[0:0]])
def test_consulta_vacia(index: SearchIndex, query: str) -> None:
    assert index.search(query) == []


def test_sin_resultados(index: SearchIndex) -> None:
    assert index.search("xyzzy") == []
    # One unknown word no longer empties the list (issue #14; the old expectation was `[]`):
    # the entries with the other words come first, saying which typed word they lack.
    results = index.search("rmn rodilla tobillo")
    assert results[0].id == 1
    assert all(m.sin_coincidencia == ("tobillo",) for m in results)


def test_limite(index: SearchIndex) -> None:
    assert len(index.search("r", limit=5)) == 5
    assert index.search("rodilla", limit=0) == []
    assert len(index.search("radiografia", limit=100)) == 11  # 9 spelled out + 2 RX


def test_spans_marcan_lo_que_coincide(index: SearchIndex) -> None:
    match = index.search("rmn rodila")[0]
    assert [match.nombre[a:b] for a, b in match.spans] == ["RESONANCIA MAGNÉTICA", "RODILLA"]
    match = index.search("tom comp tor")[0]
    assert [match.nombre[a:b] for a, b in match.spans] == ["TOM", "COMP", "TÓR"]
    match = index.search("muneca rx")[0]
    assert [match.nombre[a:b] for a, b in match.spans] == ["RADIOGRAFÍA", "MUÑECA"]


def test_spans_con_caracteres_que_cambian_de_largo() -> None:
    """Folding can turn one character into two (ß → ss) or drop one (a lone combining
    accent): highlights must still point into the original text."""
    index = SearchIndex.build([(1, "Straße Ma\u0301nos"), (2, "ﬁbula")])
    match = index.search("strasse manos")[0]
    assert [match.nombre[a:b] for a, b in match.spans] == ["Straße", "Ma\u0301nos"]
    match = index.search("fib")[0]
    assert [match.nombre[a:b] for a, b in match.spans] == ["ﬁb"]


def test_fold() -> None:
    assert fold("Resonancia MAGNÉTICA Ñandú") == "resonancia magnetica nandu"
    assert fold("ÜÇÀ ß") == "uca ss"
    assert fold("") == ""


def test_ids_duplicados() -> None:
    with pytest.raises(ValueError):
        SearchIndex.build([(1, "RX TORAX"), (1, "RX MANO")])


def test_catalogo_vacio() -> None:
    index = SearchIndex.build([])
    assert len(index) == 0
    assert index.search("rmn") == []


def test_tabla_de_sinonimos_en_un_solo_lugar() -> None:
    """The synonyms are data (resources/lexico.txt), not code."""
    flat = {" ".join(form_words(form)) for row in default_lexicon().sinonimos for form in row}
    for abbreviation in (
        "rmn",
        "rm",
        "tc",
        "tac",
        "rx",
        "eco",
        "doppler",
        "mamo",
        "dmo",
        "densito",
        "pet",
        "cc",
        "sc",
        "izq",
        "der",
    ):
        assert abbreviation in flat


def test_memo_no_cambia_resultados(index: SearchIndex) -> None:
    """Typing keystroke by keystroke (memoized words) ranks exactly like a fresh index."""
    queries = ["rmn rodila", "tc torax cc", "eco doppler art", "rx mamo", "c", "con c", "r d"]
    for query in queries:
        for i in range(1, len(query) + 1):
            index.search(query[:i])
    fresh = SearchIndex.build(CATALOGO)
    for query in queries:
        assert index.search(query, 100) == fresh.search(query, 100)


# --- properties -------------------------------------------------------------------------------

WORDS = sorted({w for _, nombre in CATALOGO for w in query_words(nombre)})
ACCENTED = str.maketrans("aeioun", "áéíóúñ")


def _same(a: list[Match], b: list[Match]) -> bool:
    return [(m.id, m.score, m.spans) for m in a] == [(m.id, m.score, m.spans) for m in b]


query_text = st.one_of(
    st.text(max_size=30),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
    st.lists(
        st.tuples(st.sampled_from(WORDS), st.integers(1, 8)).map(lambda wl: wl[0][: wl[1]]),
        min_size=1,
        max_size=3,
    ).map(" ".join),
)


@settings(max_examples=200)
@given(query=query_text, limit=st.integers(1, 80))
def test_resultados_validos(index: SearchIndex, query: str, limit: int) -> None:
    results = index.search(query, limit)
    assert len(results) <= limit
    ids = [m.id for m in results]
    assert len(ids) == len(set(ids))
    for m in results:
        assert NOMBRES[m.id] == m.nombre
        previous_end = 0
        for start, end in m.spans:
            assert previous_end <= start < end <= len(m.nombre)
            previous_end = end
    scores = [m.score for m in results]
    assert scores == sorted(scores, reverse=True)


@settings(max_examples=150)
@given(query=query_text)
def test_mayusculas_y_acentos_no_cambian_nada(index: SearchIndex, query: str) -> None:
    base = index.search(query)
    assert _same(index.search(query.upper()), base)
    assert _same(index.search(query.translate(ACCENTED)), base)
    assert _same(index.search(fold(query)), base)


@st.composite
def entry_and_prefixes(draw: st.DrawFn) -> tuple[int, str]:
    """A catalog entry and a query made of prefixes of some of its words, in any order."""
    ident, nombre = draw(st.sampled_from(CATALOGO))
    words = [w for w in query_words(nombre) if w not in STOPWORDS]
    chosen = draw(st.lists(st.sampled_from(words), min_size=1, max_size=3, unique=True))
    parts = [w[: draw(st.integers(1, len(w)))] for w in chosen]
    draw(st.randoms(use_true_random=False)).shuffle(parts)
    return ident, " ".join(parts)


@settings(max_examples=200)
@given(entry_and_prefixes())
def test_prefijos_de_un_nombre_lo_encuentran(index: SearchIndex, case: tuple[int, str]) -> None:
    ident, query = case
    assert ident in {m.id for m in index.search(query, limit=len(CATALOGO))}


def test_catalogo_grande_sin_sorpresas() -> None:
    """A few thousand generated names: every exact name finds itself first."""
    rng = random.Random(5)
    modalidades = [
        "RESONANCIA MAGNÉTICA DE",
        "TC DE",
        "RADIOGRAFÍA DE",
        "ECOGRAFÍA DE",
        "CENTELLOGRAMA DE",
    ]
    regiones = [
        "RODILLA",
        "HOMBRO",
        "CADERA",
        "CEREBRO",
        "TÓRAX",
        "PELVIS",
        "MANO",
        "PIE",
        "CUELLO",
    ]
    extras = ["", "DERECHA", "IZQUIERDA", "BILATERAL", "CON CONTRASTE", "SIN CONTRASTE", "CONTROL"]
    nombres = sorted(
        {
            f"{rng.choice(modalidades)} {rng.choice(regiones)} {rng.choice(extras)}".strip()
            for _ in range(3000)
        }
    )
    index = SearchIndex.build(enumerate(nombres, start=1))
    for ident, nombre in list(enumerate(nombres, start=1))[::7]:
        assert index.search(nombre, 3)[0].id == ident


def test_empate_textual_gana_el_primero_del_catalogo() -> None:
    """Equal textual matches: the catalog's order (most requested first) decides, not the name.

    (Without the lexicon's variant weights, which since issue #14 put SIN CONTRASTE first.)"""
    sin = "RESONANCIA MAGNÉTICA DE RODILLA DERECHA SIN CONTRASTE"
    con = "RESONANCIA MAGNÉTICA DE RODILLA DERECHA CON CONTRASTE"
    plain = Lexicon(default_lexicon().sinonimos, ())
    assert [
        m.id for m in SearchIndex.build([(7, sin), (3, con)], plain).search("rmn rodilla der")
    ] == [7, 3]
    assert [
        m.id for m in SearchIndex.build([(3, con), (7, sin)], plain).search("rmn rodilla der")
    ] == [3, 7]
    # An explicit prior overrides the input order; ids it does not name go last.
    ranked = SearchIndex.build([(3, con), (7, sin), (9, sin + " ")], plain, rank={7: 0, 3: 1})
    assert [m.id for m in ranked.search("rodilla der")] == [7, 3, 9]
    # The prior never beats a better textual match.
    assert ranked.search("rodilla der con")[0].id == 3
