"""The queue's free-text filter over our folded copy of DIM's patients (issue 19).

Folding every patient name in SQL (`lower()` + seven nested REPLACE) on every filter change and
poll cost 0.15–1.6 s at 100k–1M requests. `busqueda_paciente` (our schema; DIM's `paciente` is
never altered) keeps each patient's name folded once, with the DNI and mobile as digits. It is
written at intake (`sincronizar_busqueda`) and filled for older requests by `completar_busqueda`
(the grid runs it once in the background after its first page). A patient without a row yet is
still found: the condition falls back to folding DIM's columns for those rows only.

Names are matched by word start (what an operator types: the start of a surname or a name): each
typed word must begin a word of the patient's name. `busqueda_palabra` holds those words (each
space-separated piece of the folded name and each run of letters and digits inside it, so
«garcia» finds «Pérez-García»), written with the copy, so a name word is one index range of
patient ids instead of a LIKE '%…%' over every copied name (72 ms → a few at 333 000 patients).
A DNI is still matched by its start and a mobile by its last digits anywhere in it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Null,
    String,
    and_,
    bindparam,
    delete,
    exists,
    false,
    func,
    insert,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from dim_revision.db.dim_mapping import DimTables, dim_de, nombre_completo
from dim_revision.db.models import BusquedaPaciente as B
from dim_revision.db.models import BusquedaPalabra as W
from dim_revision.db.models import SolicitudAsistencia as S
from dim_revision.db.uow import Database
from dim_revision.domain.search_text import fold
from dim_revision.domain.texto_usuario import LIKE_ESCAPE, escape_like, limpiar_busqueda

_ACCENTS = (("á", "a"), ("é", "e"), ("í", "i"), ("ó", "o"), ("ú", "u"), ("ü", "u"), ("ñ", "n"))
_PHONE_SEPARATORS = (" ", "-", "(", ")", "+", ".", "/")
_NUMBER_SEPARATORS = frozenset(".-()+/")  # "30.123.456", "(0351)15-555", "+54…"
_CHUNK = 500  # ids per IN list (SQL Server allows 2 100 parameters per statement)


def fold_sql(expr: Any) -> Any:
    """lower() plus accent stripping with REPLACE (the fallback for patients not copied yet)."""
    out = func.lower(expr)
    for accented, plain in _ACCENTS:
        out = func.replace(out, accented, plain)
    return out


def digits_sql(expr: Any) -> Any:
    out = expr
    for sep in _PHONE_SEPARATORS:
        out = func.replace(out, sep, "")
    return out


_FOLDED_NAMES: dict[int, tuple[DimTables, list[Any]]] = {}


def _folded_names(dim: DimTables) -> list[Any]:
    """DIM's name columns folded in SQL, built once per mapping (building costs ~0.3 ms)."""
    cached = _FOLDED_NAMES.get(id(dim))
    if cached is None or cached[0] is not dim:
        names = [fold_sql(n) for n in dim.paciente_nombre_sql() if not isinstance(n, Null)]
        cached = _FOLDED_NAMES[id(dim)] = (dim, names)
    return cached[1]


def _digits(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit())


def _words(texto: str) -> list[str]:
    texto = limpiar_busqueda(texto)
    return [w for w in texto.replace(",", " ").split() if w]


def _numeric(word: str) -> str | None:
    """The digits of a word typed as a DNI or phone ("30.123.456", "11-4444"), else None."""
    digits = _digits(word)
    separated = all(ch.isdigit() or ch in _NUMBER_SEPARATORS for ch in word)
    if digits and (separated or len(digits) >= len(word.strip(".-()+")) - 1):
        return digits
    return None


def name_words(texto: str) -> list[str]:
    """The typed words matched against names (folded, in order, without repeats): every word
    that is not a DNI or phone number."""
    out: list[str] = []
    for w in _words(texto):
        folded = fold(w)[:WORD_MAX]
        if _numeric(w) is None and folded not in out:
            out.append(folded)
    return out


WORD_MAX = 100  # busqueda_palabra.palabra's length (a search text is at most 100 characters)
_PIECE = re.compile(r"[^\W_]+")


def palabras_en_orden(nombre_plegado: str) -> list[str]:
    """The words a folded name is found by, in order: each space-separated piece, then each run
    of letters and digits inside one ("o'brien-diaz ana" → o'brien-diaz, ana, o, brien, diaz)."""
    tokens = [t[:WORD_MAX] for t in nombre_plegado.replace(",", " ").split()]
    pieces = [p[:WORD_MAX] for t in tokens for p in _PIECE.findall(t)]
    return list(dict.fromkeys(tokens + pieces))


def palabras(nombre_plegado: str) -> set[str]:
    return set(palabras_en_orden(nombre_plegado))


def _next_after_prefix(word: str) -> str | None:
    """The least string above every string that starts with `word` (binary order), or None."""
    code = ord(word[-1]) + 1
    if 0xD800 <= code <= 0xDFFF:  # no surrogates: the next character is U+E000
        code = 0xE000
    return word[:-1] + chr(code) if code <= 0x10FFFF else None


def _prefix(column: Any, word: Any, upper: Any | None, pattern: Any) -> ColumnElement[bool]:
    conds = [column >= word, column.like(pattern, escape=LIKE_ESCAPE)]
    if upper is not None:
        conds.insert(1, column < upper)
    return and_(*conds)


def starts_with(column: Any, word: str) -> ColumnElement[bool]:
    """`column` starts with `word`: an index range under the column's binary collation, and the
    LIKE that says exactly the same on any collation."""
    return _prefix(column, word, _next_after_prefix(word), f"{escape_like(word)}%")


def _bound_type(column: Any) -> Any:
    """The type SQLAlchemy gives a string compared with `column` (untyped SQL: a string)."""
    return String() if isinstance(column.type, NullType) else column.type


class Valores:
    """One filter's literal values (the day range and what each typed word becomes), each under
    a fixed name. Called with a name and the column it meets, it gives the value itself (a
    statement built for one call: the SQL as always) or, `ligados`, a bound parameter of that
    name (a statement built once per shape, `forma()`; `valores` is bound at each call)."""

    def __init__(
        self,
        texto: str,
        inicio: datetime | None = None,
        fin: datetime | None = None,
        *,
        ligados: bool = False,
    ) -> None:
        self.ligados = ligados
        self.palabras = _words(texto)
        self.nombres = name_words(" ".join(self.palabras))
        valores: dict[str, Any] = {"qt_inicio": inicio, "qt_fin": fin}
        for i, word in enumerate(self.nombres):
            escaped = escape_like(word)
            valores[f"qt_n{i}"] = word
            upper = _next_after_prefix(word)
            if upper is not None:
                valores[f"qt_n{i}_hasta"] = upper
            valores[f"qt_n{i}_inicio"] = f"{escaped}%"
            valores[f"qt_n{i}_medio"] = f"% {escaped}%"
        for j, word in enumerate(self.palabras):
            digits = _numeric(word)
            if digits is not None:
                tail = digits[-7:] if len(digits) >= 7 else digits
                valores[f"qt_p{j}_dni"] = f"{digits}%"
                valores[f"qt_p{j}_movil"] = f"%{tail}%"
            else:
                valores[f"qt_p{j}_nombre"] = f"%{escape_like(fold(word))}%"
        self.valores = valores

    def ligado(self) -> Valores:
        """These values as bound parameters (to build a statement once for this shape)."""
        bound = copy.copy(self)
        bound.ligados = True
        return bound

    def forma(self) -> tuple[Any, ...]:
        """What a statement's structure takes from the text (not its values): each typed word a
        number (-1) or which name word, and which name words have an upper bound."""
        kinds = tuple(
            -1 if f"qt_p{j}_dni" in self.valores else self.nombres.index(fold(w)[:WORD_MAX])
            for j, w in enumerate(self.palabras)
        )
        uppers = tuple(f"qt_n{i}_hasta" in self.valores for i in range(len(self.nombres)))
        return kinds, uppers

    def __call__(self, nombre: str, column: Any) -> Any:
        if self.ligados:
            return bindparam(nombre, type_=_bound_type(column))
        return self.valores[nombre]

    def indice(self, nombre: str) -> int:
        """A typed name word's position (the guide of a plan is always one of them)."""
        if nombre not in self.nombres:
            raise ValueError(f"{nombre!r} is not one of the typed name words {self.nombres}")
        return self.nombres.index(nombre)

    def starts_with(self, column: Any, i: int) -> ColumnElement[bool]:
        """`starts_with(column, self.nombres[i])` from these values."""
        upper = f"qt_n{i}_hasta"
        return _prefix(
            column,
            self(f"qt_n{i}", column),
            self(upper, column) if upper in self.valores else None,
            self(f"qt_n{i}_inicio", column),
        )

    def word_patients(self, i: int) -> Any:
        """`word_patients(self.nombres[i])` from these values."""
        return select(W.paciente_id).where(self.starts_with(W.palabra, i))

    def es_numero(self, j: int) -> bool:
        return f"qt_p{j}_dni" in self.valores

    def numero(self, j: int, dni: Any, movil: Any) -> ColumnElement[bool]:
        """Typed word `j` as a number: a DNI prefix or a mobile's tail."""
        return or_(
            dni.like(self(f"qt_p{j}_dni", dni), escape=LIKE_ESCAPE),
            movil.like(self(f"qt_p{j}_movil", movil), escape=LIKE_ESCAPE),
        )


def _word(v: Valores, j: int, dni: Any, movil: Any, names: list[Any]) -> ColumnElement[bool]:
    """One typed word on DIM's own columns (the fallback): a number, else part of a name."""
    if v.es_numero(j):
        return v.numero(j, dni, movil)
    key = f"qt_p{j}_nombre"
    return or_(*(name.like(v(key, name), escape=LIKE_ESCAPE) for name in names))


def _numbers_on_copy(v: Valores) -> ColumnElement[bool] | None:
    """Every typed number on our folded copy (None: no number typed)."""
    numbers = [j for j in range(len(v.palabras)) if v.es_numero(j)]
    conds = [v.numero(j, B.dni, B.movil) for j in numbers]
    return and_(*conds) if conds else None


def _starts_a_word(column: Any, v: Valores, i: int) -> ColumnElement[bool]:
    """`column` (words joined by spaces) has a word starting with name word `i`."""
    return or_(
        column.like(v(f"qt_n{i}_inicio", column), escape=LIKE_ESCAPE),
        column.like(v(f"qt_n{i}_medio", column), escape=LIKE_ESCAPE),
    )


def _copy_probe(
    v: Valores, words: list[int], numbers: ColumnElement[bool] | None
) -> ColumnElement[bool]:
    """The request's patient's copy (one seek by key) has every name word and number: its
    `nombre` holds the same words as `busqueda_palabra`, joined by spaces."""
    conds = [_starts_a_word(B.nombre, v, i) for i in words]
    if numbers is not None:
        conds.append(numbers)
    return select(B.paciente_id).where(B.paciente_id == S.paciente_id, *conds).correlate(S).exists()


def word_patients(word: str) -> Any:
    """The patients with a name word starting with `word` (one index range)."""
    return select(W.paciente_id).where(starts_with(W.palabra, word))


def _dim_condition(dim: DimTables, v: Valores) -> ColumnElement[bool]:
    """Every word on DIM's own columns, folded in SQL (only for patients without a copy). A
    name word is matched anywhere in the name here: never fewer rows than the copy finds."""
    dni = func.replace(dim.dni_texto(), ".", "")
    movil = digits_sql(dim.paciente.telefono_movil)
    names = _folded_names(dim)
    return and_(*(_word(v, j, dni, movil, names) for j in range(len(v.palabras))))


# How the text is matched (`queue.search_mode` picks one):
FILA = "fila"  # walk the range: each request probes its patient's words by key
RANGO = "rango"  # walk the range: each request looked up in the guide word's patient list
RECORRIDO = "recorrido"  # walk a big range probing each request's patient (a very frequent word)
PACIENTES = "pacientes"  # list the guide word's patients (index range), then seek their requests
NADA = "nada"  # a name word no patient has (every patient copied): nothing matches, no scan
# The caller joins `busqueda_palabra` on the guide word (`queue.count_queue`): the other words
# are probes. Only for a guide whose range holds one word (no request met twice) and a
# complete copy (an uncopied patient would be lost in the join).
UNIDA = "unida"


def _copied_condition(v: Valores, modo: str, guia: str | None) -> ColumnElement[bool] | None:
    """The requests whose patient's copy matches every word. `guia` (the typed name word
    fewest patients have) drives PACIENTES / RANGO / UNIDA; every other word is a probe.
    `paciente_id + 0` keeps SQLite walking the range's own index (RANGO)."""
    names = v.nombres
    numbers = _numbers_on_copy(v)
    if guia is None and names and modo in (PACIENTES, RANGO):
        guia = names[0]
    guided = guia is not None and modo in (PACIENTES, RANGO, UNIDA)
    conds: list[ColumnElement[bool]] = []
    if guided and modo != UNIDA:
        column = S.paciente_id + 0 if modo == RANGO else S.paciente_id
        conds.append(column.in_(v.word_patients(v.indice(str(guia)))))
    probed = [i for i, w in enumerate(names) if not (guided and w == guia)]
    if (probed or numbers is not None) and (names or modo in (FILA, RECORRIDO, UNIDA)):
        # By key: the request's patient's copy (the candidates are already few).
        conds.append(_copy_probe(v, probed, numbers))
    elif numbers is not None:
        # Only numbers on a long range (PACIENTES) or a backlog day (RANGO): the copy is read
        # once.
        column = S.paciente_id + 0 if modo == RANGO else S.paciente_id
        conds.append(column.in_(select(B.paciente_id).where(numbers)))
    return and_(*conds) if conds else None  # None: UNIDA on its only word (the join says all)


def text_condition(
    dim: DimTables,
    texto: str,
    *,
    modo: str = FILA,
    completa: bool = False,
    guia: str | None = None,
    valores: Valores | None = None,
) -> ColumnElement[bool] | None:
    """The requests whose patient matches every word, as a condition on `S.paciente_id`.

    FILA / RANGO probe each request's patient by key (≈2 ms at 2 000 requests a day; a page of a
    frequent name on a backlog day stops after its 200 rows); PACIENTES lists the patients of
    one name word (an index range) and seeks their requests; NADA matches nothing.
    `completa`: every request's patient is known to have a copy (`preparar_busqueda` ran in this
    process; intake writes the copy with the request), so DIM's names are never folded.
    `valores`: the text's values (bound parameters for a statement built once), by default
    `texto`'s, as they are."""
    v = Valores(texto) if valores is None else valores
    if not v.palabras:
        return None
    if modo == NADA and completa:
        return false()
    if modo == UNIDA and not completa:
        modo = FILA  # the join would lose the patients without a copy
    copied = _copied_condition(v, FILA if modo == NADA else modo, guia)
    if completa or copied is None:
        return copied
    # Correlated, so DIM's names are folded only for the rows of the range that lack a copy
    # (an IN over DIM's patients folded all of them: 0.6 s at 333 000 patients).
    p = dim.paciente
    not_copied = and_(
        not_(exists().where(B.paciente_id == S.paciente_id)),
        select(p.id)
        .select_from(p.table)
        .where(p.id == S.paciente_id, _dim_condition(dim, v))
        .correlate(S)
        .exists(),
    )
    return or_(copied, not_copied)


def sincronizar_busqueda(session: Session, paciente_ids: Iterable[int]) -> int:
    """(Re)write the folded copy and the name words of these patients from DIM's rows; the
    caller commits."""
    dim = dim_de(session)
    p = dim.paciente
    apellido, nombre = dim.paciente_nombre_sql()
    ids = sorted(set(paciente_ids))
    written = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = session.execute(
            select(
                p.id,
                apellido.label("apellido"),
                nombre.label("nombre"),
                dim.dni_texto().label("dni"),
                p.telefono_movil.label("movil"),
            ).where(p.id.in_(chunk))
        ).all()
        session.execute(delete(W).where(W.paciente_id.in_(chunk)))
        session.execute(delete(B).where(B.paciente_id.in_(chunk)))
        values = [
            {
                "paciente_id": r.id,
                # The name's words (as in busqueda_palabra), joined: a request probes them here.
                "nombre": " ".join(palabras_en_orden(fold(nombre_completo(r.apellido, r.nombre))))[
                    :300
                ],
                "dni": _digits(str(r.dni) if r.dni is not None else "")[:20],
                "movil": _digits(r.movil)[:40],
            }
            for r in rows
        ]
        # A patient gone from DIM gets an empty row: it matches nothing (as before) and is not
        # looked for again.
        found = {r.id for r in rows}
        values += [
            {"paciente_id": i, "nombre": "", "dni": "", "movil": ""}
            for i in chunk
            if i not in found
        ]
        if values:
            session.execute(insert(B), values)
            # The words of the whole name (not of the 300 characters kept above).
            words = [
                {"palabra": w, "paciente_id": r.id}
                for r in rows
                for w in sorted(palabras(fold(nombre_completo(r.apellido, r.nombre))))
            ]
            if words:
                session.execute(insert(W), words)
        written += len(values)
    return written


def sin_copia(session: Session, limit: int) -> list[int]:
    """Patients with requests and no folded copy yet (at most `limit`)."""
    stmt = (
        select(S.paciente_id)
        .where(not_(exists().where(B.paciente_id == S.paciente_id)))
        .group_by(S.paciente_id)
        .order_by(S.paciente_id)
        .limit(limit)
    )
    return [int(i) for i in session.scalars(stmt)]


def completar_busqueda(db: Database, *, lote: int = 5000) -> int:
    """Copy every patient that has requests and no folded row yet, `lote` per transaction.
    A read finds them first, so on an up-to-date database no write lock is taken."""
    total = 0
    while True:
        with db.read() as uow:
            faltan = sin_copia(uow.session, lote)
        if not faltan:
            return total
        with db.write() as uow:
            sincronizar_busqueda(uow.session, faltan)
            uow.commit()
        total += len(faltan)
