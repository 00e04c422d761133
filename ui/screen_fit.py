"""Where the main window opens: inside the screen it is on, whatever size that screen is.

A call-center PC often has a 1366×768 screen. The first start opens maximized there (the
default 1400×900 would put Confirmar envío and the status bar off-screen); on a bigger screen it
opens at the default size, centred. A geometry saved on a bigger screen (or on a monitor that is
gone) is shrunk and moved back inside the available area instead of being trusted.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

DEFAULT_SIZE = QSize(1400, 900)
MARGIN = 40  # room a window manager needs around a normal window (title bar, borders)


def opens_maximized(available: QRect, default: QSize = DEFAULT_SIZE) -> bool:
    """True when the default size (plus a window frame) does not fit the available area."""
    return (
        available.width() < default.width() + MARGIN
        or available.height() < default.height() + MARGIN
    )


def centred(available: QRect, size: QSize = DEFAULT_SIZE) -> QRect:
    rect = QRect(0, 0, min(size.width(), available.width()), min(size.height(), available.height()))
    rect.moveCenter(available.center())
    return rect


def fit_rect(wanted: QRect, available: QRect) -> QRect:
    """`wanted` shrunk to the available area and moved inside it (a saved geometry from a bigger
    or a missing screen)."""
    width = min(wanted.width(), available.width())
    height = min(wanted.height(), available.height())
    left = min(max(wanted.left(), available.left()), available.right() + 1 - width)
    top = min(max(wanted.top(), available.top()), available.bottom() + 1 - height)
    return QRect(left, top, width, height)


def screen_of(window: QWidget) -> QScreen | None:
    return window.screen() or QGuiApplication.primaryScreen()


def place(window: QWidget, *, restored: bool, available: QRect | None = None) -> None:
    """Before `show()`: fit the first start to the screen, or keep a restored geometry inside it.

    Maximizing also sets the geometry to the whole available area, so the window fills the
    screen even where no window manager honours the maximized state (Xvfb in the screenshots).
    """
    if available is None:
        screen = screen_of(window)
        if screen is None:
            return
        available = screen.availableGeometry()
    if window.isMaximized() or window.isFullScreen():
        return
    if not restored:
        if opens_maximized(available):
            window.setGeometry(available)
            window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
        else:
            window.setGeometry(centred(available))
        return
    frame = window.frameGeometry()
    inside = fit_rect(frame, available)
    if inside != frame:
        extra_w = frame.width() - window.width()
        extra_h = frame.height() - window.height()
        window.resize(max(1, inside.width() - extra_w), max(1, inside.height() - extra_h))
        window.move(inside.topLeft())
