"""`queue_filas.plain`: a statement's rows as named tuples with the same names and values."""

from __future__ import annotations

from sqlalchemy import create_engine, literal_column, select

from dim_revision.services.queue_filas import plain


def test_plain_rows_answer_every_name_and_position_as_the_rows_do() -> None:
    engine = create_engine("sqlite://")
    stmt = select(
        literal_column("1").label("id"),
        literal_column("'Pérez'").label("apellido"),
        literal_column("NULL").label("email"),
        literal_column("2.5").label("orden"),
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt.union_all(stmt)).all()
    got = plain(rows)
    assert len(got) == 2
    for row, fila in zip(rows, got, strict=True):
        assert fila._fields == row._fields
        assert tuple(fila) == tuple(row)
        assert (fila.id, fila.apellido, fila.email, fila.orden) == (1, "Pérez", None, 2.5)


def test_rows_whose_labels_a_tuple_cannot_take_come_back_as_they_are() -> None:
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        twice = conn.execute(select(literal_column("1").label("a"), literal_column("2").label("a")))
        rows = twice.all()
        under = conn.execute(select(literal_column("3").label("_x"))).all()
    assert plain(rows) is rows
    assert plain(under) is under
    assert plain([]) == []
