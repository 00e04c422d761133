"""F1: every action of the window and its shortcut, grouped, over the dimmed window."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from ui.key_names import action_label, shortcut_label


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    return label


class HelpOverlay(QWidget):
    """F1: every action and its shortcut, grouped, over a dimmed window. Esc, F1 or a click close it.

    While open it takes every key (it answers ShortcutOverride), so the window's shortcuts can't
    fire behind it; F1 therefore closes it here rather than through the window's action.
    """

    def __init__(self, parent: QWidget, groups: Sequence[tuple[str, Sequence[QAction]]]) -> None:
        super().__init__(parent)
        self.setObjectName("helpOverlay")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, False)
        self._previous_focus: QWidget | None = None

        self.panel = QFrame(self)
        self.panel.setObjectName("helpPanel")
        self.panel.setFrameShape(QFrame.Shape.StyledPanel)
        self.panel.setAutoFillBackground(True)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 8, 0)
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(3)
        self.rows: list[tuple[str, str, str]] = []  # (group, action, keys)
        bold = QFont(self.font())
        bold.setBold(True)
        row = 0
        for group, actions in groups:
            head = QLabel(group)
            head.setProperty("role", "section")
            grid.addWidget(head, row, 0, 1, 2)
            row += 1
            for action in actions:
                text, keys = action_label(action), shortcut_label(action)
                self.rows.append((group, text, keys))
                key_label = QLabel(keys)
                key_label.setObjectName("shortcutKey")
                key_label.setFont(bold)
                grid.addWidget(QLabel(text), row, 0)
                grid.addWidget(key_label, row, 1, Qt.AlignmentFlag.AlignRight)
                row += 1
            grid.setRowMinimumHeight(row, 8)
            row += 1
        inner = QWidget()
        inner.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.viewport().setAutoFillBackground(False)
        inner.setAutoFillBackground(False)
        self._scroll = scroll
        self._inner = inner

        heading = QLabel("Atajos de teclado")
        title_font = QFont(self.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.3)
        title_font.setBold(True)
        heading.setFont(title_font)
        panel_layout = QVBoxLayout(self.panel)
        panel_layout.setContentsMargins(20, 16, 20, 14)
        panel_layout.setSpacing(8)
        panel_layout.addWidget(heading)
        panel_layout.addWidget(scroll, 1)
        panel_layout.addWidget(_muted("Esc o F1 para cerrar"))

        parent.installEventFilter(self)
        self.hide()

    # --- open / close -------------------------------------------------------------------------

    def open_overlay(self) -> None:
        focus = self.window().focusWidget()
        self._previous_focus = focus if focus is not self else None
        self._fit_to_parent()
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def close_overlay(self) -> None:
        self.hide()
        if self._previous_focus is not None:
            self._previous_focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self._previous_focus = None

    def toggle(self) -> None:
        if self.isVisible():
            self.close_overlay()
        else:
            self.open_overlay()

    # --- geometry and painting ----------------------------------------------------------------

    def _fit_to_parent(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        self.setGeometry(parent.rect())
        hint = self._inner.sizeHint()
        width = min(max(hint.width() + 60, 420), max(self.width() - 80, 300))
        height = min(hint.height() + 110, max(self.height() - 80, 200))
        self.panel.setGeometry(
            (self.width() - width) // 2, (self.height() - height) // 2, width, height
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.parentWidget()
            and event.type() == QEvent.Type.Resize
            and self.isVisible()
        ):
            self._fit_to_parent()
        return super().eventFilter(watched, event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(20, 24, 28, 110))
        painter.end()

    # --- input --------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # keys come to keyPressEvent instead of triggering window shortcuts
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        bar = self._scroll.verticalScrollBar()
        if key in (Qt.Key.Key_Escape, Qt.Key.Key_F1):
            self.close_overlay()
        elif key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            bar.setValue(bar.value() + (1 if key == Qt.Key.Key_Down else -1) * bar.singleStep() * 3)
        elif key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            bar.setValue(bar.value() + (1 if key == Qt.Key.Key_PageDown else -1) * bar.pageStep())
        event.accept()

    def focusNextPrevChild(self, next: bool) -> bool:
        return True  # Tab must not wander into the window behind the overlay

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if not self.panel.geometry().contains(event.position().toPoint()):
            self.close_overlay()
        event.accept()
