"""The keyboard goes into the order viewer and back (issue 13.5).

F6 (the window's «Ir al visor», in `ui/shortcuts.py`) moves the focus to the picture,
remembering where it was — usually the prestación search. There the viewer's own keys work
(+, -, 0, R, AvPág…); F6 again or Esc puts the focus back where it was (or on the fallback, the
picker, if that place is gone). The picture draws a focus frame while it has the keyboard.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

BACK_KEYS = ("Esc",)
FOCUS_COLOR = "#2563eb"
# The same 3 px border with and without the focus (only its colour changes), so gaining the
# keyboard never resizes the picture.
CANVAS_STYLE = (
    "QGraphicsView#visorLienzo { border: 3px solid #525659; }"
    f"QGraphicsView#visorLienzo:focus {{ border-color: {FOCUS_COLOR}; }}"
)


def message_style(color: str) -> str:
    return (
        f"QLabel#visorMensaje {{ color: {color}; border: 3px solid transparent; }}"
        f"QLabel#visorMensaje:focus {{ border-color: {FOCUS_COLOR}; }}"
    )


class ViewerFocus(QObject):
    def __init__(
        self,
        viewer: QWidget,
        focus_in: Callable[[], object],
        fallback: Callable[[], object] = lambda: None,
    ) -> None:
        super().__init__(viewer)
        self.viewer = viewer
        self.focus_in = focus_in
        self.fallback = fallback  # where the keyboard goes when the remembered place is gone
        self._back_to: QWidget | None = None
        self.back_action = QAction("Volver del visor a donde estaba", viewer)
        self.back_action.setObjectName("visorVolver")
        self.back_action.setShortcuts([QKeySequence(k) for k in BACK_KEYS])
        self.back_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.back_action.triggered.connect(lambda _checked=False: self.leave())
        viewer.addAction(self.back_action)

    def inside(self) -> bool:
        focus = QApplication.focusWidget()
        return focus is not None and (focus is self.viewer or self.viewer.isAncestorOf(focus))

    def toggle(self) -> None:
        if self.inside():
            self.leave()
        else:
            self.enter()

    def enter(self) -> None:
        focus = QApplication.focusWidget()
        if focus is not None and not self.inside():
            self._back_to = focus
        self.focus_in()

    def leave(self) -> None:
        target, self._back_to = self._back_to, None
        if target is not None and target.isVisible() and target.isEnabled():
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self.fallback()
