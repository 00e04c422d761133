"""The Envío's one owner: every change of a send's state is made here, and only here.

- `estados.py` — THE tables: which state may follow which (`TRANSITIONS`) and every named move
  the code makes (`MOVIMIENTOS`: who, from, to, the audit event it writes).
- `mover.py` — the one conditional UPDATE all moves share ("read, check the version, update,
  explain the refusal" written once), checked against the tables, writing the audit event once.
- `por_persona.py` — the operator's and the supervisor's moves (confirm, edit, send now,
  **cancel**, retry, mark sent).
- `por_worker.py` — the sender's moves (take, begin, accepted, retry later, failed, incierto,
  release, expired reservations, the servicio-mode link signature).
- `por_botmaker.py` — what Botmaker's own record decides (confirm or re-queue an incierto, the
  delivery state).

Role checks are not here: they are the services' (`services/envios.py`), so the GUI, the CLI and
the HTTP service share them. `tests/unit/test_envio_moves.py` proves no other module writes
`envio.estado`.
"""
