"""Window shortcuts work from any focus in the window (issue 13.3).

A text field claims some Ctrl keys for itself before any window shortcut sees them: under X11 a
QLineEdit takes Ctrl+E (end of line) and Ctrl+Z (undo), among others, through the
ShortcutOverride event (checked with xdotool under Xvfb: without this filter those two never
reach the window), so «Editar envío» did nothing while the cursor was in the
prestación search. This filter answers that event first for the keys of the window's enabled
actions, leaving it unaccepted, so Qt goes on to the window's shortcut. Keys without Ctrl/Alt
(typing, arrows, Enter, Esc) stay with the field, and a disabled action leaves its key to the
field too (Ctrl+Z undoes typing when there is nothing to «Deshacer»).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QKeyCombination, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

_CHORD = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


class ShortcutGuard(QObject):
    def __init__(self, window: QWidget, actions: Iterable[QAction]) -> None:
        super().__init__(window)
        self._window = window
        self._actions = list(actions)

    def install(self) -> ShortcutGuard:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        return self

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def owner(self, event: QKeyEvent) -> QAction | None:
        """The enabled window action this key stands for, if any."""
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if not mods & _CHORD:
            return None
        combo = QKeyCombination(mods, Qt.Key(event.key()))
        for action in self._actions:
            if not action.isEnabled():
                continue
            for seq in action.shortcuts():
                if seq.count() == 1 and seq[0] == combo:  # type: ignore[index]
                    return action
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(watched, QWidget)
            and isinstance(event, QKeyEvent)
            and watched.window() is self._window
            and self.owner(event) is not None
        ):
            event.ignore()  # not overridden: the window's shortcut fires
            return True
        return False
