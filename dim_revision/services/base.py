"""The service convention, and the one name the UI needs from below the services.

A service is a plain function (or a small class) in `dim_revision/services/` that takes a
`Database` (the unit-of-work factory from `db/uow.py`), an `Actor` and `now` where it writes, and
plain values; it opens its own short transaction (`with db.uow() as uow: … uow.commit()`),
checks roles itself (`operadores.requerir_supervisor`), and returns plain frozen dataclasses.
Helpers that compose into a caller's transaction (`guards`, `dim_revision.envio`, `db.repository`)
take a `Session` instead and never commit.

`ui/` imports `Database` from here (it passes the handle around, never opens a transaction):
the import-linter contract keeps `ui` away from `dim_revision.db.uow` itself.
"""

from dim_revision.db.uow import Database

__all__ = ["Database"]
