"""The grid's cells stored in the model's C++ items, every role a paint asks for (issue 19).

A paint of the queue grid asks each visible cell for seven roles; answered from Python that was
one call into the interpreter per cell (plus `rowCount`/`columnCount` per index), about 6 ms of
a 32-row paint. Instead each row's cells are formatted once — on the worker, with its page, as
plain values (`row_cells`) — and written into `QStandardItemModel`'s items on the GUI thread
(`write_row`); a paint then reads them in C++ and never enters Python. The values are the ones
`queue_columns.cell` answers, role by role (tests compare them).

The items are created by the model itself (`setData` on an empty cell clones its prototype),
never from Python: a Python-made item costs a wrapper, and a wrapper of an item the model later
deletes stays registered under a freed address (shiboken is not told), which crashed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from dim_revision.services.queue import QueueRow
from ui.queue_columns import (
    CENTERED,
    COLUMN_INDEX,
    COLUMNS,
    DISPLAY,
    ID_ROLE,
    TAKEN_BRUSH,
    TAKEN_ROLE,
    background,
    styled,
    taken_by_other,
    taken_tooltip,
    tooltip,
)

ESPERA = COLUMN_INDEX["espera"]
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_PLAN = tuple((c.key, c.key in CENTERED) for c in COLUMNS)

Extras = tuple[tuple[int, Any], ...]  # (role, value) beyond the text and the id
Cell = tuple[str, Extras]

_TEXTS = tuple(DISPLAY[c.key] for c in COLUMNS)
# The columns whose colours, tooltip or font depend on the row when nobody else holds it (see
# `queue_columns.background` / `tooltip`, and the bold «Envío» of an answered message); every
# other column of such a row only has its alignment.
_DYNAMIC = tuple(
    COLUMN_INDEX[k] for k in ("espera", "telefono_verificado", "email", "estado_envio")
)
_FREE_EXTRAS: tuple[Extras, ...] = tuple(((_ALIGN, _CENTER),) if c else () for _k, c in _PLAN)


@dataclass(frozen=True, slots=True)
class RowCells:
    """A row's cells in `COLUMNS` order, as plain values (made on any thread)."""

    id: int
    taken: bool
    cells: tuple[Cell, ...]


def prototype() -> QStandardItem:
    """What every cell starts as: enabled, selectable, never edited nor a parent, and not taken
    by someone else (the usual case: only taken rows write that role)."""
    item = QStandardItem()
    item.setFlags(
        Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
    )
    item.setData(False, TAKEN_ROLE)
    return item


def prepare_styles() -> None:
    """Make the fonts on the GUI thread (a QFont wants it); workers only pass them along."""
    styled("bold")
    styled("italic")


def row_cells(row: QueueRow, now: datetime, me: str) -> RowCells:
    """A row's cells, as `queue_columns.cell` answers them role by role. A row nobody else holds
    (nearly all of them) only works out the roles of the few columns whose roles depend on it."""
    texts = [text(row, now, me) for text in _TEXTS]
    if taken_by_other(row, me):
        return RowCells(row.id, True, _cells(row, now, me, texts, taken=True))
    extras = list(_FREE_EXTRAS)
    for column in _DYNAMIC:
        extras[column] = _extras(row, now, me, column, (), taken=False)
    return RowCells(row.id, False, tuple(zip(texts, extras, strict=True)))


def _cells(
    row: QueueRow, now: datetime, me: str, texts: list[str], *, taken: bool
) -> tuple[Cell, ...]:
    shared: Extras = ()
    if taken:
        shared = (
            (TAKEN_ROLE, True),
            (_FOREGROUND, TAKEN_BRUSH),
            (_FONT, styled("italic")),
            (_TOOLTIP, taken_tooltip(row)),
        )
    return tuple(
        (text, _extras(row, now, me, column, shared, taken=taken))
        for column, text in enumerate(texts)
    )


def _extras(
    row: QueueRow, now: datetime, me: str, column: int, shared: Extras, *, taken: bool
) -> Extras:
    key, centered = _PLAN[column]
    extras = list(shared)
    if centered:
        extras.append((_ALIGN, _CENTER))
    brush = background(row, key, now, me)
    if brush is not None:
        extras.append((_BACKGROUND, brush))
    if not taken:
        tip = tooltip(row, key, now, me)
        if tip is not None:
            extras.append((_TOOLTIP, tip))
        if key == "estado_envio" and row.respondio:
            extras.append((_FONT, styled("bold")))
    return tuple(extras)


def write_row(model: QStandardItemModel, number: int, row: RowCells, *, fresh: bool) -> None:
    """Write `row` into row `number`; `fresh`: its cells are new (only the prototype's roles),
    else every role is cleared first. The caller blocks and then announces the change."""
    index, set_data = model.index, model.setData
    for column, (text, extras) in enumerate(row.cells):
        cell = index(number, column)
        if not fresh:
            model.clearItemData(cell)
            if not row.taken:
                set_data(cell, False, TAKEN_ROLE)
        set_data(cell, text)
        set_data(cell, row.id, ID_ROLE)
        for role, value in extras:
            set_data(cell, value, role)


def write_age(
    model: QStandardItemModel, number: int, row: QueueRow, now: datetime, me: str
) -> None:
    """The «Espera» cell at `now` (the clock ticked)."""
    cell = model.index(number, ESPERA)
    model.setData(cell, DISPLAY["espera"](row, now, me))
    model.setData(cell, background(row, "espera", now, me), _BACKGROUND)


class quiet:
    """Block the model's signals for a batch of item changes the caller announces itself."""

    def __init__(self, model: QStandardItemModel) -> None:
        self._model = model
        self._was = False

    def __enter__(self) -> None:
        self._was = self._model.blockSignals(True)

    def __exit__(self, *_exc: object) -> None:
        self._model.blockSignals(self._was)
