"""`queue_items.row_cells` (made on the worker, written into the model's items) against
`queue_columns.cell`, role by role, for every combination of what changes a row's looks: the
lease (nobody, mine, someone else's), resolved or not, a send in every state with and without
an answer or an attention mark, verified phone and email, and ages of every colour."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont

from dim_revision.services.queue import QueueRow
from ui.queue_columns import COLUMNS, ID_ROLE, TAKEN_ROLE, cell
from ui.queue_items import RowCells, row_cells

pytestmark = pytest.mark.gui

NOW = datetime(2026, 3, 10, 15, 0)
ME = "ana@pc-01"
ROLES = [
    int(Qt.ItemDataRole.DisplayRole),
    int(Qt.ItemDataRole.ToolTipRole),
    int(Qt.ItemDataRole.ForegroundRole),
    int(Qt.ItemDataRole.BackgroundRole),
    int(Qt.ItemDataRole.FontRole),
    int(Qt.ItemDataRole.TextAlignmentRole),
    TAKEN_ROLE,
]
LEASES = [(None, None), (ME, "ana"), ("beto@pc-02", "beto")]
SENDS = [
    (None, None),
    ("programado", None),
    ("enviado", None),
    ("enviado", "entregado"),
    ("enviado", "error_entrega"),
    ("fallido", None),
    ("incierto", None),
]
AGES = [timedelta(minutes=5), timedelta(minutes=40), timedelta(hours=3), timedelta(hours=9)]


def _rows() -> list[QueueRow]:
    rows = []
    combos = itertools.product(LEASES, [False, True], SENDS, [False, True], [False, True], AGES)
    for n, (lease, resuelto, send, respondio, verified, age) in enumerate(combos):
        clave, nombre = lease
        estado, entrega = send
        rows.append(
            QueueRow(
                id=n + 1,
                version=1,
                fecha_subida=NOW - age,
                paciente_id=n,
                nombre=f"PÉREZ, ANA {n}",
                dni=str(20_000_000 + n),
                telefono_verificado=verified,
                telefono_movil="11 5555-0000" if n % 3 else None,
                email=f"p{n}@example.com" if n % 2 else None,
                email_verificado=not verified,
                obra_social="OSDE" if n % 4 else None,
                plan="210" if n % 4 else None,
                fecha_contacto=NOW - timedelta(minutes=3) if resuelto else None,
                usuario_contacto="ana" if resuelto else None,
                resuelto=resuelto,
                estado_envio=estado,
                tomado_por=nombre,
                tomado_clave=clave,
                tomado_desde=NOW - timedelta(minutes=2) if clave else None,
                id_turno_destino=900 + n if n % 5 == 0 else None,
                estado_entrega=entrega,
                respondio=respondio and estado is not None,
                atencion=resuelto and estado in ("fallido", "incierto"),
            )
        )
    return rows


def _stored(cells: RowCells, column: int, role: int) -> Any:
    """What `write_row` leaves in the item for `role` (the prototype says «not taken»)."""
    text, extras = cells.cells[column]
    if role == Qt.ItemDataRole.DisplayRole:
        return text
    if role == ID_ROLE:
        return cells.id
    values = dict(extras)
    if role == TAKEN_ROLE:
        return values.get(TAKEN_ROLE, False)
    return values.get(role)


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, QBrush):
        return isinstance(got, QBrush) and got.color() == want.color()
    if isinstance(want, QFont):
        return isinstance(got, QFont) and (got.bold(), got.italic()) == (want.bold(), want.italic())
    return bool(got == want)


def test_row_cells_answer_every_role_as_cell_does_for_every_kind_of_row() -> None:
    rows = _rows()
    assert len(rows) == 3 * 2 * 7 * 2 * 2 * 4
    for row in rows:
        cells = row_cells(row, NOW, ME)
        assert cells.id == row.id
        assert cells.taken == (row.tomado_clave not in (None, ME))
        assert len(cells.cells) == len(COLUMNS)
        for c, column in enumerate(COLUMNS):
            roles_written = [role for role, _value in cells.cells[c][1]]
            assert len(roles_written) == len(set(roles_written)), (row.id, column.key)
            for role in [*ROLES, ID_ROLE]:
                want = cell(row, column.key, role, NOW, ME)
                got = _stored(cells, c, role)
                assert _same(got, want), (row.id, column.key, role, got, want)
