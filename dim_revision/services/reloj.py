"""Whether this PC's clock is off from the database server's (the workstation's banner)."""

from __future__ import annotations

from dim_revision.clock import Clock
from dim_revision.db.sql_time import DatabaseClock, skew_message


def aviso_de_reloj(clock: Clock) -> str | None:
    """Re-read the server's time if due (call it from a background task) and return the banner
    text when this PC's clock differs by more than 30 s; None when it is fine or unknown."""
    if not isinstance(clock, DatabaseClock):
        return None
    clock.sync_if_due()
    return skew_message(clock.offset_seconds)
