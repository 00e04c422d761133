"""The picker's two list models: the ranked suggestions and the chosen prestaciones.

Both are flat lists that pass `qtmodeltester`; the chosen list moves rows with `beginMoveRows` so
views keep the selection on the moved prestación.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

TAKEN = "ya agregada"
MISSING = "sin coincidencia: {}"

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SPANS_ROLE = Qt.ItemDataRole.UserRole + 2
TAKEN_ROLE = Qt.ItemDataRole.UserRole + 3
CODE_ROLE = Qt.ItemDataRole.UserRole + 4
MISSING_ROLE = Qt.ItemDataRole.UserRole + 5
ROW_ROLE = Qt.ItemDataRole.UserRole + 6  # the whole Suggestion (one call for the delegate)

AnyIndex = QModelIndex | QPersistentModelIndex
Span = tuple[int, int]


@dataclass(frozen=True)
class Suggestion:
    id: int
    nombre: str
    spans: tuple[Span, ...]
    taken: bool  # already chosen: shown greyed out, never added twice
    codigo: str | None = None  # shown at the right of the name and in the tooltip
    sin_coincidencia: tuple[str, ...] = ()  # typed words this entry lacks (partial match)

    def tooltip(self) -> str:
        lines = [self.nombre]
        if self.codigo:
            lines.append(f"Código: {self.codigo}")
        if self.sin_coincidencia:
            lines.append(MISSING.format(", ".join(self.sin_coincidencia)))
        return "\n".join(lines)


class SuggestionModel(QAbstractListModel):
    """The ranked suggestions for the current query; taken rows are disabled."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Suggestion] = []

    def set_rows(self, rows: Sequence[Suggestion]) -> bool:
        """Show `rows`; False (and no reset: nothing to lay out or repaint) if they are the
        rows already shown."""
        new = list(rows)
        if new == self._rows:
            return False
        self.beginResetModel()
        self._rows = new
        self.endResetModel()
        return True

    def row_at(self, row: int) -> Suggestion | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        s = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return s.nombre
        if role == Qt.ItemDataRole.ToolTipRole:
            return s.tooltip()
        if role == ID_ROLE:
            return s.id
        if role == SPANS_ROLE:
            return list(s.spans)
        if role == TAKEN_ROLE:
            return s.taken
        if role == CODE_ROLE:
            return s.codigo
        if role == MISSING_ROLE:
            return list(s.sin_coincidencia)
        if role == ROW_ROLE:
            return s
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemNeverHasChildren
        if self._rows[index.row()].taken:
            return base
        return base | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ChosenModel(QAbstractListModel):
    """The prestaciones picked for the request, in the order they will be sent."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[tuple[int, str]] = []

    def items(self) -> list[tuple[int, str]]:
        return list(self._items)

    def ids(self) -> list[int]:
        return [pid for pid, _ in self._items]

    def set_items(self, items: Iterable[tuple[int, str]]) -> None:
        unique: dict[int, str] = {}
        for pid, nombre in items:
            unique.setdefault(int(pid), nombre)
        self.beginResetModel()
        self._items = list(unique.items())
        self.endResetModel()

    def append(self, pid: int, nombre: str) -> bool:
        if pid in self.ids():
            return False
        row = len(self._items)
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.append((pid, nombre))
        self.endInsertRows()
        return True

    def remove(self, row: int) -> bool:
        if not 0 <= row < len(self._items):
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._items[row]
        self.endRemoveRows()
        return True

    def move(self, row: int, delta: int) -> bool:
        """Move one row up (-1) or down (+1)."""
        target = row + delta
        if (
            delta not in (-1, 1)
            or not 0 <= row < len(self._items)
            or not 0 <= target < len(self._items)
        ):
            return False
        # beginMoveRows takes the destination *before* which the row lands, in pre-move numbering.
        dest = target if delta < 0 else target + 1
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), dest)
        self._items.insert(target, self._items.pop(row))
        self.endMoveRows()
        return True

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        pid, nombre = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return nombre
        if role == ID_ROLE:
            return pid
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
