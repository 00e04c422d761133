"""A text filter's values by name (`queue_texto.Valores`, issue 19), without a database: texts of
one shape share a statement and differ only in values; anything that changes the SQL changes
the shape; bound values are parameters that must be given."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import InvalidRequestError

from dim_revision.db.models import BusquedaPalabra
from dim_revision.db.models import SolicitudAsistencia as S
from dim_revision.services.queue_texto import Valores, starts_with


def test_texts_of_one_shape_differ_only_in_their_values() -> None:
    gonz, ruiz = Valores("gonz"), Valores("RUÍZ")
    assert gonz.forma() == ruiz.forma()
    assert (ruiz.valores["qt_n0"], ruiz.valores["qt_n0_hasta"]) == ("ruiz", "rui{")
    assert ruiz.valores["qt_n0_medio"] == "% ruiz%"
    shapes = {
        Valores(t).forma()
        for t in ("gonz", "gonz mar", "mar gonz ana", "30111", "perez 3122", "3122 perez")
    }
    assert len(shapes) == 6  # words, numbers and their order change the SQL
    # A repeated word is one name word, probed once, but folded on DIM's columns twice.
    repeated = Valores("Ana ruiz ANA")
    assert repeated.nombres == ["ana", "ruiz"] and repeated.forma()[0] == (0, 1, 0)


def test_values_are_escaped_and_numbers_kept_as_digits() -> None:
    v = Valores("100%_! 30.111.222 1123456789")
    assert v.valores["qt_n0_inicio"] == "100!%!_!!%"  # LIKE's specials are literal
    assert v.valores["qt_p0_nombre"] == "%100!%!_!!%"
    assert (v.valores["qt_p1_dni"], v.valores["qt_p1_movil"]) == ("30111222%", "%0111222%")
    assert v.valores["qt_p2_movil"] == "%3456789%"  # a mobile by its last seven digits
    assert v.es_numero(1) and v.es_numero(2) and not v.es_numero(0)
    with pytest.raises(ValueError):
        v.indice("ruiz")  # only a typed name word guides a plan


def test_as_they_are_the_sql_is_starts_with_and_bound_it_needs_its_values() -> None:
    v = Valores("gonz", datetime(2026, 3, 10, 3), datetime(2026, 3, 11, 3))
    column = BusquedaPalabra.palabra
    dialect = sqlite.dialect(paramstyle="qmark")
    literal = v.starts_with(column, 0).compile(dialect=dialect)
    assert str(literal) == str(starts_with(column, "gonz").compile(dialect=dialect))
    assert list(literal.params.values()) == ["gonz", "gon{", "gonz%"]
    bound = v.ligado()
    assert not v.ligados and bound.ligados and bound.valores is v.valores
    stmt = select(S.id).where(
        S.fecha_subida >= bound("qt_inicio", S.fecha_subida), bound.starts_with(column, 0)
    )
    compiled = stmt.compile(dialect=dialect)
    assert set(compiled.params) == {"qt_inicio", "qt_n0", "qt_n0_hasta", "qt_n0_inicio"}
    assert compiled.construct_params(v.valores)["qt_n0_hasta"] == "gon{"
    with pytest.raises(InvalidRequestError):  # a value left unbound is an error, never stale
        compiled.construct_params({"qt_n0": "ruiz"})
