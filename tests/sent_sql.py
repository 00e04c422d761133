"""The statements a block of code sends to the database, as the driver got them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from dim_revision.db.uow import Database

Sent = list[tuple[str, list[Any]]]


@contextmanager
def sent_statements(db: Database) -> Iterator[Sent]:
    """The statements sent (BEGIN apart), each with its parameters in the order they appear:
    psycopg's named `%(name)s` placeholders become `?` like SQLite's, so both compare."""
    sent: Sent = []

    def record(_c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
        if sql.startswith("BEGIN"):
            return
        if isinstance(params, dict):  # psycopg: %(name)s
            names = re.findall(r"%\(([^)]+)\)s", sql)
            sent.append((re.sub(r"%\([^)]+\)s", "?", sql), [params[n] for n in names]))
        else:
            sent.append((sql, list(params)))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
