"""The queue text filter's word rules (issue 19), without a database: which words a name is
found by, which typed words are names, and the prefix range on the word column."""

from __future__ import annotations

from sqlalchemy.dialects import mssql, postgresql, sqlite

from dim_revision.db.models import BusquedaPalabra
from dim_revision.domain.search_text import fold
from dim_revision.services.queue_texto import (
    WORD_MAX,
    _next_after_prefix,
    _numeric,
    name_words,
    palabras,
    starts_with,
)


def test_a_name_is_found_by_each_word_and_each_piece_of_one() -> None:
    assert palabras(fold("PÉREZ-GARCÍA, María José")) == {
        "perez-garcia",
        "perez",
        "garcia",
        "maria",
        "jose",
    }
    assert palabras("o'brien ana") == {"o'brien", "o", "brien", "ana"}
    assert palabras("o_neil%") == {"o_neil%", "o", "neil"}
    assert palabras("") == set() and palabras("  ,  ") == set()
    assert palabras("x" * 150) == {"x" * WORD_MAX}


def test_typed_names_are_folded_and_numbers_are_left_to_dni_and_phone() -> None:
    assert name_words("GONZÁLEZ, María gonzález") == ["gonzalez", "maria"]
    assert name_words("30.123.456 11-4444 perez") == ["perez"]
    assert name_words("%") == ["%"]  # a symbol is matched literally, never "anything"
    assert name_words("   ") == []
    assert _numeric("30.123.456") == "30123456"
    assert _numeric("(0351)15-555") == "035115555"
    assert _numeric("a1234567") == "1234567"  # one stray character, as before
    assert _numeric("ana") is None and _numeric("--") is None


def test_the_prefix_range_ends_right_after_the_prefix() -> None:
    assert _next_after_prefix("gonz") == "gon{"
    assert _next_after_prefix("a\ud7ff") == "a\ue000"  # never a surrogate
    assert _next_after_prefix("a\U0010ffff") is None
    for word in ("gonz", "gonzalez", "z", "ñ"):
        upper = _next_after_prefix(word)
        assert upper is not None and word < word + "\uffff" < upper


def test_the_word_column_sorts_binary_on_every_backend() -> None:
    column = BusquedaPalabra.__table__.c.palabra
    assert "BIN2" in str(column.type.compile(dialect=mssql.dialect()))
    assert 'COLLATE "C"' in str(column.type.compile(dialect=postgresql.dialect()))
    cond = starts_with(BusquedaPalabra.palabra, "o_n")
    sql = str(cond.compile(dialect=mssql.dialect(), compile_kwargs={"literal_binds": True}))
    assert "busqueda_palabra.palabra >= N'o_n'" in sql
    assert "busqueda_palabra.palabra < N'o_o'" in sql
    assert "LIKE N'o!_n%' ESCAPE '!'" in sql
    assert "LIKE" in str(cond.compile(dialect=sqlite.dialect()))
