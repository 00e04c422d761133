"""Widgets that come and go with the open record keep their room (issue 19).

A widget hidden in a layout gives its room to its neighbours: every record that showed or hid one
re-laid out the panel around it — the chosen prestaciones' list, the order's picture (re-fitted
and re-scaled) — and painted it again, on the GUI thread, while the record was on its way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def keep_room_when_hidden(widget: QWidget) -> None:
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(policy)


def install(window: MainWindow) -> None:
    """The picker's key hint hides on a read-only record, which every record is while it is
    claimed: it keeps its room."""
    keep_room_when_hidden(window.picker.hint)
