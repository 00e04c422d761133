"""Tell "the database is unreachable" apart from every other failure of a background task.

Tasks wrap their service calls with `db_task`, so a dropped connection reaches the GUI as a
`DatabaseUnavailable` with a Spanish message (and no traceback in the log), which the workstation
turns into the offline banner instead of an error message.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from dim_revision.errors import DatabaseUnavailable
from ui.tasks import TaskFailure

P = ParamSpec("P")
R = TypeVar("R")

OFFLINE_MESSAGE = (
    "Sin conexión con la base de datos — reintentando… Lo que elegiste y escribiste queda guardado."
)


# OperationalError also covers errors of one statement that say nothing about the connection
# (SQLite: "LIKE or GLOB pattern too complex"; a statement timeout): those are not "offline".
_STATEMENT_ERRORS = (
    "pattern too complex",
    "too many terms",
    "expression tree is too large",
    "parser stack overflow",
    "string or blob too big",
    "too many sql variables",
    "statement timeout",
    "canceling statement",
)


def is_connection_error(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError):
        text = str(getattr(exc, "orig", exc)).lower()
        return not any(fragment in text for fragment in _STATEMENT_ERRORS)
    return isinstance(exc, InterfaceError | DisconnectionError | PoolTimeout)


def db_task(fn: Callable[P, R]) -> Callable[P, R]:
    """Run `fn`, turning a lost connection into `DatabaseUnavailable`."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (DBAPIError, DisconnectionError, PoolTimeout) as exc:
            if not is_connection_error(exc):
                raise
            detail = str(getattr(exc, "orig", exc) or type(exc).__name__).strip().splitlines()
            raise DatabaseUnavailable(
                f"No se pudo usar la base de datos: {detail[0] if detail else 'sin detalle'}"
            ) from None

    return wrapper


def is_offline(failure: TaskFailure) -> bool:
    exc = failure.exception
    return isinstance(exc, DatabaseUnavailable) or is_connection_error(exc)
