"""The operator loop's pieces on the main window (issue 13: 1, 3, 6, 7), installed with one call.

Saltear and Deshacer, the «¿Enviar ahora?» question, the «cambios sin guardar» marker, the undo
bar's countdown, window shortcuts from any focus, Enter/↓ in the search, the empty state's text
and the skipped rows' marker in the grid. Decisions stay in the session; this only connects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QFont, QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from dim_revision.workstation.session import WorkstationSession, undo_text
from ui import steady_layout
from ui.loop_dialogs import AskDialog, SkipDialog
from ui.queue_model import ID_ROLE
from ui.shortcut_guard import ShortcutGuard

if TYPE_CHECKING:
    from ui.main_window import MainWindow

SKIP_MARK = "↷ "  # in DejaVu Sans and Segoe UI (⏭ is not)


class SkippedRows(QStyledItemDelegate):
    """Rows skipped in this pass: the name in italics with ⏭, the reason as the tooltip."""

    def __init__(self, session: WorkstationSession, column: int, parent: QObject) -> None:
        super().__init__(parent)
        self._session = session
        self._column = column

    def _reason(self, index: QModelIndex | QPersistentModelIndex) -> str | None:
        sid = index.data(ID_ROLE)
        return self._session.pase.motivo(int(sid)) if sid is not None else None

    def tooltip(self, index: QModelIndex | QPersistentModelIndex) -> str | None:
        reason = self._reason(index)
        return f"Salteada en esta pasada: {reason}" if reason is not None else None

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if self._reason(index) is None:
            return
        font = QFont(option.font)
        font.setItalic(True)
        option.font = font
        if index.column() == self._column:
            option.text = SKIP_MARK + option.text

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        tip = self.tooltip(index)
        if tip is None:
            return super().helpEvent(event, view, option, index)
        QToolTip.showText(event.globalPos(), tip, view)
        return True


class LoopWiring(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        ws, ra, acts = window.ws, window.record_actions, window.actions_by_name
        self.ws, self.ra = ws, ra
        self.skip_dialog: SkipDialog | None = None
        self.ask_dialog: AskDialog | None = None
        self.guard = ShortcutGuard(window, acts.values()).install()
        steady_layout.install(window)  # what comes and goes with a record keeps its room

        acts["saltear"].triggered.connect(lambda _c=False: ra.skip())
        acts["deshacer"].triggered.connect(lambda _c=False: ra.undo())
        ra.skip_requested.connect(self.ask_skip)
        ra.send_now_requested.connect(self.ask_send_now)
        ws.unsaved_changed.connect(window.action_bar.show_unsaved)
        ws.undo_changed.connect(lambda _offer: self._tick_undo())
        ws.focus_grid_requested.connect(
            lambda: window.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        )
        window.filter_bar.open_first.connect(ws.open_first)
        for signal in (ws.empty_changed, ws.model.first_page_loaded, ws.model.refreshed):
            signal.connect(self._update_empty_text)
        self._undo_timer = QTimer(self)
        self._undo_timer.setInterval(1000)
        self._undo_timer.timeout.connect(self._tick_undo)
        column = next(
            (
                i
                for i in range(ws.model.columnCount())
                if ws.model.headerData(i, Qt.Orientation.Horizontal) == "Nombre"
            ),
            0,
        )
        # The grid paints with Qt's own delegate (no Python per cell) until a row of this pass
        # is skipped with a reason; then the marking delegate, back to the plain one when none is.
        self.delegate = SkippedRows(ws.session, column, window.grid)
        self.plain = QStyledItemDelegate(window.grid)
        window.grid.setItemDelegate(self.plain)
        for changed in (ws.record_changed, ws.actions_changed, ws.undo_changed):
            changed.connect(self._sync_delegate)
        for changed in (ws.model.first_page_loaded, ws.model.refreshed, ws.model.dataChanged):
            changed.connect(self._sync_delegate)

    def _sync_delegate(self, *_args: object) -> None:
        wanted = self.delegate if self.ws.session.pase.motivos else self.plain
        if self.window.grid.itemDelegate() is not wanted:
            self.window.grid.setItemDelegate(wanted)

    # --- the empty state and the undo bar ----------------------------------------------------------

    def _update_empty_text(self, *_args: object) -> None:
        """The empty page says why it is empty, and (the undo bar being on the detail page)
        what can still be undone."""
        if not (self.ws.flags.empty or self.ws.current is None):
            return
        now = self.ws.clock()
        offer = self.ws.session.undo_pending(now)
        text = self.ws.empty_text()
        self.window.empty_state.setText(f"{undo_text(offer, now)}\n\n{text}" if offer else text)

    def _tick_undo(self) -> None:
        now = self.ws.clock()
        offer = self.ws.session.undo_pending(now)
        if offer is None:
            if self.ws.session.deshacer is not None:
                self.ws.session.drop_undo()
                self.ws.actions_changed.emit()
            self._undo_timer.stop()
            self.window.action_bar.show_undo(None)
            self._update_empty_text()
            return
        self.window.action_bar.show_undo(undo_text(offer, now))
        self._update_empty_text()
        if not self._undo_timer.isActive():
            self._undo_timer.start()

    # --- the two questions ----------------------------------------------------------------------

    def ask_skip(self, sid: int) -> None:
        rec = self.ws.current
        nombre = rec.detalle.nombre if rec is not None and rec.detalle is not None else str(sid)
        dialog = SkipDialog(self.window, nombre)
        self.skip_dialog = dialog
        self._open(dialog, lambda: self.ra.skip_with(sid, dialog.motivo()), "skip_dialog")

    def ask_send_now(self, sid: int) -> None:
        dialog = AskDialog(
            self.window,
            "Enviar ahora",
            "¿Mandar el WhatsApp ahora, sin esperar el fin de los 15 minutos? Después ya no se "
            "puede editar ni cancelar.",
            "Enviar ahora",
        )
        self.ask_dialog = dialog
        self._open(dialog, lambda: self.ra.send_now_confirmed(sid), "ask_dialog")

    def _open(self, dialog: QDialog, on_accept: object, attr: str) -> None:
        focus = QApplication.focusWidget()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def finished(result: int) -> None:
            setattr(self, attr, None)
            self.window.activateWindow()
            if isinstance(focus, QWidget) and focus.isVisible() and focus.isEnabled():
                focus.setFocus(Qt.FocusReason.OtherFocusReason)
            if result == QDialog.DialogCode.Accepted and callable(on_accept):
                on_accept()

        dialog.finished.connect(finished)
        dialog.open()
        dialog.activateWindow()


def install(window: MainWindow) -> LoopWiring:
    return LoopWiring(window)
