"""The prestación picker: type a few letters, Enter adds the highlighted suggestion (DESIGN §4.2).

The suggestion list is a plain child `QListView` laid over the area under the search field, never
a popup window: it cannot steal keyboard focus (the line edit keeps it, and handles Up/Down/Enter/
Esc itself), and it behaves the same offscreen, under X11 and on Windows. The ranking comes from a
search index built off the GUI thread by the caller (`set_index`); querying it is cheap enough to
do on every keystroke.

Below the field, the chosen prestaciones in order: Supr removes the selected one, Alt+↑/↓ reorder,
Retroceso on an empty search field removes the last one, and each row has a ✕ for the mouse.
`changed` fires only for the operator's edits, like `QLineEdit.textEdited`: loading a record with
`set_chosen`/`clear` is silent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from ui.picker_models import ChosenModel, Span, Suggestion, SuggestionModel
from ui.picker_paint import ChosenDelegate, HintListView, SuggestionDelegate

MAX_SUGGESTIONS = 12
PLACEHOLDER = "Buscar prestación… (Ctrl+P)"
EMPTY_CHOSEN = "Escribí parte del nombre: «rmn rodilla», «eco abdominal»…"
NO_MATCHES = "Ninguna prestación coincide con «{}»."
LOADING = "Cargando el catálogo de prestaciones…"
KEYS_HINT = "Enter agrega · Supr quita · Alt+↑/↓ ordena · Retroceso quita la última"


class MatchLike(Protocol):
    """One ranked suggestion as `dim_revision.domain.search_index.Match` provides it."""

    @property
    def id(self) -> int: ...
    @property
    def nombre(self) -> str: ...
    @property
    def spans(self) -> Sequence[Span]: ...


class SuggestionSource(Protocol):
    """What the picker needs from the search index."""

    def search(self, query: str, limit: int = ...) -> Sequence[MatchLike]: ...


class PrestacionPicker(QWidget):
    """Search field + ranked suggestions + the ordered list of chosen prestaciones."""

    changed = Signal(list)  # list[int]: chosen ids in order, after each operator edit

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("prestacionPicker")
        self._index: SuggestionSource | None = None
        self._read_only = False
        self._consultas: dict[int, str] = {}  # prestación id → the query it was added from

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("pickerSearch")
        self.search_edit.setPlaceholderText(PLACEHOLDER)
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Buscar prestación")

        self.suggestions = SuggestionModel(self)
        self.popup = HintListView(self)
        self.popup.setObjectName("pickerPopup")
        self.popup.setModel(self.suggestions)
        self._suggestion_delegate = SuggestionDelegate(self.popup)
        self.popup.setItemDelegate(self._suggestion_delegate)
        # rows are cached by identity: forget their sizes before the model drops them
        self.suggestions.modelAboutToBeReset.connect(self._suggestion_delegate.forget_sizes)
        self.popup.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.popup.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.popup.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.popup.setUniformItemSizes(False)  # long names wrap onto a second line
        self.popup.setWordWrap(True)
        self.popup.setResizeMode(QListView.ResizeMode.Adjust)  # re-wrap when the width changes
        self.popup.setMouseTracking(True)
        self.popup.hide()

        self.chosen_model = ChosenModel(self)
        self.chosen_view = HintListView(self)
        self.chosen_view.setObjectName("pickerChosen")
        self.chosen_view.setModel(self.chosen_model)
        self._chosen_delegate = ChosenDelegate(self.chosen_view)
        self.chosen_view.setItemDelegate(self._chosen_delegate)
        self.chosen_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.chosen_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chosen_view.setUniformItemSizes(True)
        self.chosen_view.set_empty_text(EMPTY_CHOSEN)
        self.chosen_view.setAccessibleName("Prestaciones elegidas")
        self.chosen_view.setMinimumHeight(8 * QFontMetrics(self.font()).height())

        self.hint = QLabel(KEYS_HINT, self)
        self.hint.setProperty("role", "muted")
        self.hint.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.chosen_view, 1)
        layout.addWidget(self.hint)

        self.search_edit.textChanged.connect(self._refresh_suggestions)
        self.search_edit.installEventFilter(self)
        self.chosen_view.installEventFilter(self)
        self.popup.clicked.connect(self._add_index)
        self.popup.entered.connect(self._hover)
        self._chosen_delegate.remove_clicked.connect(self._remove_row)

    # --- public API ---------------------------------------------------------------------------

    def set_index(self, index: SuggestionSource | None) -> None:
        """Use a (freshly built) search index; the current query is re-run against it."""
        self._index = index
        self._refresh_suggestions()

    def chosen(self) -> list[tuple[int, str]]:
        return self.chosen_model.items()

    def chosen_ids(self) -> list[int]:
        return self.chosen_model.ids()

    def consultas(self) -> dict[int, str]:
        """For the chosen prestaciones added from the search field: the query typed before."""
        return {pid: self._consultas[pid] for pid in self.chosen_ids() if pid in self._consultas}

    def set_chosen(self, items: Iterable[tuple[int, str]]) -> None:
        """Load a record's prestaciones (silent: no `changed`); duplicates are dropped."""
        self._consultas.clear()
        self.chosen_model.set_items(items)
        self._refresh_suggestions()

    def clear(self) -> None:
        """Empty the search and the chosen list (silent: no `changed`)."""
        self.search_edit.clear()
        self._consultas.clear()
        self.chosen_model.set_items([])
        self._hide_popup()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def set_read_only(self, read_only: bool) -> None:
        """For records that can no longer be edited: the list stays readable, nothing changes."""
        self._read_only = read_only
        self.search_edit.setReadOnly(read_only)
        self.search_edit.setPlaceholderText("" if read_only else PLACEHOLDER)
        self._chosen_delegate.read_only = read_only
        self.hint.setVisible(not read_only)
        self.chosen_view.viewport().update()
        if read_only:
            self.search_edit.clear()  # hides the suggestions too

    def is_read_only(self) -> bool:
        return self._read_only

    def popup_visible(self) -> bool:
        return self.popup.isVisible()

    def current_suggestion(self) -> Suggestion | None:
        return self.suggestions.row_at(self.popup.currentIndex().row())

    # --- suggestions --------------------------------------------------------------------------

    def _refresh_suggestions(self) -> None:
        query = self.search_edit.text().strip()
        if not query or self._read_only:
            self.suggestions.set_rows([])
            self._hide_popup()
            return
        if self._index is None:
            self.suggestions.set_rows([])
            self.popup.set_empty_text(LOADING)
        else:
            taken = set(self.chosen_model.ids())
            rows = [
                Suggestion(
                    m.id,
                    m.nombre,
                    tuple(m.spans),
                    m.id in taken,
                    getattr(m, "codigo", None),
                    tuple(getattr(m, "sin_coincidencia", ())),
                )
                for m in self._index.search(query, limit=MAX_SUGGESTIONS)
            ]
            self.suggestions.set_rows(rows)
            self.popup.set_empty_text(NO_MATCHES.format(query))
        self._select(self._next_enabled(-1, 1))
        self._show_popup()

    def _next_enabled(self, row: int, step: int) -> int:
        """The next selectable row from `row` in direction `step`, or `row` if there is none."""
        r = row + step
        while 0 <= r < self.suggestions.rowCount():
            s = self.suggestions.row_at(r)
            if s is not None and not s.taken:
                return r
            r += step
        return row

    def _select(self, row: int) -> None:
        if 0 <= row < self.suggestions.rowCount():
            index = self.suggestions.index(row, 0)
            self.popup.setCurrentIndex(index)
            self.popup.scrollTo(index)
        else:
            self.popup.setCurrentIndex(QModelIndex())

    def _hover(self, index: QModelIndex) -> None:
        s = self.suggestions.row_at(index.row())
        if s is not None and not s.taken:
            self._select(index.row())

    def _show_popup(self) -> None:
        self._place_popup()
        self.popup.show()
        self.popup.raise_()

    def _hide_popup(self) -> None:
        self.popup.hide()

    def _place_popup(self) -> None:
        """Under the search field, as tall as the (wrapped) rows need, within this widget."""
        edit = self.search_edit.geometry()
        top = edit.bottom() + 2
        frame = 2 * self.popup.frameWidth()
        if self.popup.width() != edit.width():  # the rows wrap to the width: set it first
            self.popup.setGeometry(edit.left(), top, edit.width(), max(self.popup.height(), 1))
        rows = self.suggestions.rowCount()
        line_h = QFontMetrics(self.font()).height() * 2
        wanted = sum(self.popup.sizeHintForRow(r) for r in range(rows)) if rows else line_h
        available = max(self.height() - top, line_h + frame)
        self.popup.setGeometry(edit.left(), top, edit.width(), min(wanted + frame, available))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.popup.isVisible():
            self._place_popup()

    def _add_index(self, index: QModelIndex) -> None:
        s = self.suggestions.row_at(index.row())
        if s is not None:
            self._add(s)

    def _add_current(self) -> None:
        current = self.current_suggestion()
        if current is not None:
            self._add(current)

    def _add(self, s: Suggestion) -> None:
        if self._read_only or s.taken:
            return
        query = self.search_edit.text().strip()
        if self.chosen_model.append(s.id, s.nombre):
            if query:
                self._consultas[s.id] = query
            self.chosen_view.setCurrentIndex(
                self.chosen_model.index(self.chosen_model.rowCount() - 1, 0)
            )
            self.chosen_view.scrollToBottom()
            self._emit()
        self.search_edit.clear()  # ready for the next one; hides the popup
        self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- chosen list --------------------------------------------------------------------------

    def _remove_row(self, row: int) -> None:
        if self._read_only or not self.chosen_model.remove(row):
            return
        remaining = self.chosen_model.rowCount()
        if remaining:
            self.chosen_view.setCurrentIndex(self.chosen_model.index(min(row, remaining - 1), 0))
        self._refresh_suggestions()
        self._emit()

    def _move_current(self, delta: int) -> None:
        row = self.chosen_view.currentIndex().row()
        if self._read_only or not self.chosen_model.move(row, delta):
            return
        self.chosen_view.setCurrentIndex(self.chosen_model.index(row + delta, 0))
        self._emit()

    def _emit(self) -> None:
        self.changed.emit(self.chosen_model.ids())

    # --- keyboard -----------------------------------------------------------------------------
    #
    # Each handler returns the action a key stands for (or None). The same answer serves the
    # ShortcutOverride event, so a window shortcut on the same key (Esc, Enter, arrows) cannot
    # steal it while the picker needs it, and the KeyPress that follows, which runs the action.

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and isinstance(
            event, QKeyEvent
        ):
            action = None
            if watched is self.search_edit:
                action = self._search_action(event)
            elif watched is self.chosen_view:
                action = self._chosen_action(event)
            if action is not None:
                event.accept()
                if kind == QEvent.Type.KeyPress:
                    action()
                return True
        elif watched is self.search_edit and kind == QEvent.Type.FocusOut:
            self._hide_popup()
        elif (
            watched is self.search_edit
            and kind == QEvent.Type.FocusIn
            and self.search_edit.text().strip()
        ):
            self._refresh_suggestions()
        return super().eventFilter(watched, event)

    def _search_action(self, event: QKeyEvent) -> Callable[[], None] | None:
        key = event.key()
        if (
            event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            != Qt.KeyboardModifier.NoModifier
        ):
            return None  # Ctrl+Enter and friends belong to the window
        if self.popup.isVisible():
            row = self.popup.currentIndex().row()
            if key == Qt.Key.Key_Down:
                return lambda: self._select(self._next_enabled(row, 1))
            if key == Qt.Key.Key_Up:
                return lambda: self._select(self._next_enabled(row, -1))
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                return self._add_current
            if key == Qt.Key.Key_Escape:
                return self._hide_popup
        elif key == Qt.Key.Key_Down and self.search_edit.text().strip() and not self._read_only:
            return self._refresh_suggestions
        if key == Qt.Key.Key_Backspace and self.search_edit.text() == "" and not self._read_only:
            return lambda: self._remove_row(self.chosen_model.rowCount() - 1)
        return None

    def _chosen_action(self, event: QKeyEvent) -> Callable[[], None] | None:
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if self._read_only:
            return None
        if mods == Qt.KeyboardModifier.AltModifier and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            return lambda: self._move_current(-1 if key == Qt.Key.Key_Up else 1)
        row = self.chosen_view.currentIndex().row()
        if (
            mods == Qt.KeyboardModifier.NoModifier
            and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and row >= 0
        ):
            return lambda: self._remove_row(row)
        return None
