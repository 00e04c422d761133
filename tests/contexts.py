"""Application contexts built by CLI tests (`main(context=...)` leaves the context to its owner):
each one made here is closed after the test by the autouse fixture in tests/conftest.py."""

from __future__ import annotations

from dim_revision.bootstrap import AppContext, build_context
from dim_revision.secrets import SecretStore

_open: list[AppContext] = []


def new_context(secrets: SecretStore) -> AppContext:
    ctx = build_context(secrets=secrets)
    _open.append(ctx)
    return ctx


def close_all() -> None:
    while _open:
        _open.pop().close()
