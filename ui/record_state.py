"""Moved to `dim_revision.workstation.state` (the Qt-free session, issue 16.4); kept for imports."""

from dim_revision.workstation.state import (
    ALWAYS,
    Chosen,
    Draft,
    Flags,
    Loaded,
    Record,
    RecordView,
    enabled_actions,
    live_send,
    picks_editable,
    programado,
    send_due,
)

__all__ = [
    "ALWAYS",
    "Chosen",
    "Draft",
    "Flags",
    "Loaded",
    "Record",
    "RecordView",
    "enabled_actions",
    "live_send",
    "picks_editable",
    "programado",
    "send_due",
]
