"""The plain-list side of applying a polled snapshot (`ui.queue_diff`): no Qt, no database."""

from __future__ import annotations

from datetime import UTC, datetime

from dim_revision.services.queue import QueueRow
from ui.queue_diff import insertion_runs, removal_runs, unique, with_pinned

T = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _row(i: int, nombre: str = "") -> QueueRow:
    return QueueRow(
        id=i,
        version=1,
        fecha_subida=T,
        paciente_id=i,
        nombre=nombre or f"P{i}",
        dni="",
        telefono_verificado=False,
        telefono_movil=None,
        email=None,
        email_verificado=False,
        obra_social=None,
        plan=None,
        fecha_contacto=None,
        usuario_contacto=None,
        resuelto=False,
        estado_envio=None,
        tomado_por=None,
        tomado_clave=None,
        tomado_desde=None,
        id_turno_destino=None,
    )


def _apply(current: list[int], new: list[int]) -> list[int]:
    """What the model does with the runs: remove, then insert (the order is already common)."""
    rows = list(current)
    for first, last in removal_runs(rows, set(new)):
        del rows[first : last + 1]
    for position, run in insertion_runs(rows, [_row(i) for i in new]):
        rows[position:position] = [r.id for r in run]
    return rows


def test_removals_come_as_contiguous_runs_last_first() -> None:
    assert removal_runs([1, 2, 3, 4, 5, 6], {1, 4}) == [(4, 5), (1, 2)]
    assert removal_runs([1, 2], {1, 2}) == []
    assert removal_runs([1, 2], set()) == [(0, 1)]


def test_insertions_come_as_runs_at_their_final_positions() -> None:
    runs = insertion_runs([2, 5], [_row(i) for i in (1, 2, 3, 4, 5, 6)])
    assert [(p, [r.id for r in run]) for p, run in runs] == [(0, [1]), (2, [3, 4]), (5, [6])]
    for current, new in (([], [1, 2]), ([1, 2, 3], [2]), ([1, 3], [0, 1, 2, 3, 4]), ([], [])):
        assert _apply(current, new) == new


def test_a_pinned_row_stays_below_the_same_row_with_its_fresh_state() -> None:
    current = [_row(1), _row(2), _row(3)]
    fresh = _row(2, "leído de nuevo")
    merged = with_pinned([_row(1), _row(3), _row(4)], current, {2}, {2: fresh})
    assert [r.id for r in merged] == [1, 2, 3, 4]
    assert merged[1] is fresh
    # Not pinned, or still in the snapshot: nothing is added.
    assert [r.id for r in with_pinned([_row(3)], current, {1}, {})] == [1, 3]
    assert [r.id for r in with_pinned([_row(2)], current, {2}, {})] == [2]


def test_unique_keeps_the_first_row_of_each_id() -> None:
    first = _row(1, "primera")
    assert [r.nombre for r in unique([first, _row(2), _row(1, "otra")])] == ["primera", "P2"]
