"""The window remembers its layout between runs: geometry, splitters and grid columns (DESIGN §9).

Stored with QSettings in an INI file inside the app's config folder (not the registry), so every
test and every portable install gets its own, and a damaged value is simply ignored.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QMainWindow, QSplitter

LAYOUT_VERSION = 1  # bump when the widgets change so old states are not applied to new layouts


class LayoutStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._settings = QSettings(str(path), QSettings.Format.IniFormat)
        if self._settings.value("layout/version") not in (LAYOUT_VERSION, str(LAYOUT_VERSION)):
            self._settings.clear()
            self._settings.setValue("layout/version", LAYOUT_VERSION)

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def restore_window(self, window: QMainWindow) -> bool:
        geometry = self._bytes("window/geometry")
        state = self._bytes("window/state")
        restored = geometry is not None and window.restoreGeometry(geometry)
        if state is not None:
            window.restoreState(state)
        return restored

    def save_window(self, window: QMainWindow) -> None:
        self._settings.setValue("window/geometry", window.saveGeometry())
        self._settings.setValue("window/state", window.saveState())

    def restore_splitter(self, name: str, splitter: QSplitter) -> bool:
        state = self._bytes(f"splitter/{name}")
        return state is not None and splitter.restoreState(state)

    def save_splitter(self, name: str, splitter: QSplitter) -> None:
        self._settings.setValue(f"splitter/{name}", splitter.saveState())

    def restore_header(self, name: str, header: QHeaderView) -> bool:
        state = self._bytes(f"header/{name}")
        return state is not None and header.restoreState(state)

    def save_header(self, name: str, header: QHeaderView) -> None:
        self._settings.setValue(f"header/{name}", header.saveState())

    def sync(self) -> None:
        self._settings.sync()
