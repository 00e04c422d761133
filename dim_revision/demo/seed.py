"""Placeholder replaced by the demo-data work (keeps `demo` importable meanwhile)."""

from __future__ import annotations

from datetime import datetime

from dim_revision.db.uow import Database


def seed_demo(db: Database, *, seed: int, solicitudes: int, prestaciones: int, now: datetime) -> str:
    raise NotImplementedError
