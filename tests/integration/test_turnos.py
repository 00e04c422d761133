"""Turno association on SQLite and PostgreSQL: link, idempotence, refusals, races, and the CLI."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.dialects import mssql

from dim_revision.bootstrap import AppContext
from dim_revision.cli import main
from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.models import Evento, SolicitudAdjunto, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.errors import NotFound, UserError, ValidationError
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor
from dim_revision.services.turnos import VinculoResultado, sentencia_vincular, vincular_turno
from tests import factories

ACTOR = Actor("portal", "web-1")


def setup(db: Database, clock: FakeClock, files: int = 2) -> tuple[int, int, int]:
    """A request with `files` attachments, a turno of the same patient and one of another patient."""
    with db.uow() as uow:
        s = uow.session
        pac, otro = factories.paciente(s), factories.paciente(s)
        sol = factories.solicitud(s, pac, clock() - timedelta(days=1), files=files)
        turno = factories.turno(s, pac, clock() + timedelta(days=3))
        ajeno = factories.turno(s, otro, clock() + timedelta(days=3))
        uow.commit()
        return sol.id, turno.id, ajeno.id


def state(db: Database) -> dict[str, Any]:
    with db.uow() as uow:
        s = uow.session
        return {
            "links": s.execute(
                select(
                    SolicitudAsistencia.id,
                    SolicitudAsistencia.id_turno_destino,
                    SolicitudAsistencia.version,
                ).order_by(SolicitudAsistencia.id)
            ).all(),
            "turno_adjuntos": [c[:2] for c in factories.copias_en_turnos(s)],
            "eventos": s.scalar(select(func.count()).select_from(Evento)),
        }


def refused(db: Database, call: Callable[[], object], error: type[UserError]) -> str:
    before = state(db)
    with pytest.raises(error) as info:
        call()
    assert state(db) == before
    return str(info.value)


def test_link_copies_the_order_to_the_turno(database: Database, clock: FakeClock) -> None:
    sid, tid, _ = setup(database, clock)
    res = vincular_turno(database, ACTOR, clock(), solicitud_id=sid, turno_id=tid)
    assert res == VinculoResultado(sid, tid, adjuntos_copiados=2, ya_vinculado=False)
    with database.uow() as uow:
        s = uow.session
        sol = s.get(SolicitudAsistencia, sid)
        assert sol is not None and (sol.id_turno_destino, sol.version) == (tid, 2)
        origen = s.scalars(
            select(SolicitudAdjunto)
            .where(SolicitudAdjunto.solicitud_id == sid)
            .order_by(SolicitudAdjunto.orden)
        ).all()
        copias = factories.copias_en_turnos(s)
        assert copias == [(tid, o.nombre_archivo, o.mime, o.contenido, clock()) for o in origen]
        evento = s.scalars(select(Evento)).one()
        assert (evento.accion, evento.solicitud_id) == ("turno_vinculado", sid)
        assert evento.detalle is not None and json.loads(evento.detalle)["turno_id"] == tid


def test_relinking_the_same_pair_changes_nothing(database: Database, clock: FakeClock) -> None:
    sid, tid, _ = setup(database, clock)
    vincular_turno(database, ACTOR, clock(), solicitud_id=sid, turno_id=tid)
    before = state(database)
    again = vincular_turno(database, ACTOR, clock(), solicitud_id=sid, turno_id=tid)
    assert again == VinculoResultado(sid, tid, adjuntos_copiados=0, ya_vinculado=True)
    assert state(database) == before


def test_a_different_turno_is_refused(database: Database, clock: FakeClock) -> None:
    sid, tid, _ = setup(database, clock)
    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None
        otro = factories.turno(
            uow.session, factories.Fila(id=sol.paciente_id), clock() + timedelta(days=9)
        )
        uow.commit()
        otro_id = otro.id
    vincular_turno(database, ACTOR, clock(), solicitud_id=sid, turno_id=tid)
    msg = refused(
        database,
        lambda: vincular_turno(database, ACTOR, clock(), solicitud_id=sid, turno_id=otro_id),
        ValidationError,
    )
    assert msg == (
        f"La solicitud {sid} ya está vinculada al turno {tid}; "
        f"no se puede vincular también al turno {otro_id}."
    )


def test_another_patients_turno_is_refused(database: Database, clock: FakeClock) -> None:
    sid, _, ajeno = setup(database, clock)
    msg = refused(
        database,
        lambda: vincular_turno(database, ACTOR, clock(), solicitud_id=sid, turno_id=ajeno),
        ValidationError,
    )
    assert (
        msg == f"El turno {ajeno} es de otro paciente; no se puede vincular a la solicitud {sid}."
    )


def test_unknown_or_deleted_solicitud_and_unknown_turno(
    database: Database, clock: FakeClock
) -> None:
    sid, tid, _ = setup(database, clock)

    def link(s: int, t: int) -> Callable[[], object]:
        return lambda: vincular_turno(database, ACTOR, clock(), solicitud_id=s, turno_id=t)

    assert (
        refused(database, link(sid + 100, tid), NotFound) == f"No existe la solicitud {sid + 100}."
    )
    assert refused(database, link(sid, tid + 100), NotFound) == f"No existe el turno {tid + 100}."
    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None
        sol.fecha_baja = clock()
        uow.commit()
    assert refused(database, link(sid, tid), NotFound) == f"La solicitud {sid} fue dada de baja."


def test_two_threads_linking_the_same_pair_copy_the_files_once(
    database: Database, clock: FakeClock
) -> None:
    sid, tid, _ = setup(database, clock, files=3)
    start = threading.Barrier(2)
    results: list[VinculoResultado | BaseException] = []

    def work() -> None:
        start.wait()
        try:
            results.append(vincular_turno(database, ACTOR, clock(), solicitud_id=sid, turno_id=tid))
        except BaseException as exc:
            results.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted((r.ya_vinculado, r.adjuntos_copiados) for r in results) == [  # type: ignore[union-attr]
        (False, 3),
        (True, 0),
    ]
    after = state(database)
    assert len(after["turno_adjuntos"]) == 3
    assert after["eventos"] == 1


@pytest.mark.parametrize("other_turno", [False, True])
def test_link_committed_between_read_and_write_is_honoured(
    pg_db: Database, clock: FakeClock, other_turno: bool
) -> None:
    """Deterministic race on PostgreSQL: another transaction links the row after our read; our
    conditional UPDATE waits for it, then matches nothing, and we report its outcome instead of
    copying the files a second time."""
    sid, tid, _ = setup(pg_db, clock)
    with pg_db.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None
        rival = (
            factories.turno(uow.session, factories.Fila(id=sol.paciente_id), clock()).id
            if other_turno
            else tid
        )
        uow.commit()
    holder = pg_db.engine.connect()
    tx = holder.begin()
    holder.execute(sentencia_vincular(sid, rival))  # row locked, not committed yet
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(vincular_turno(pg_db, ACTOR, clock(), solicitud_id=sid, turno_id=tid))
        except UserError as exc:
            outcome.append(exc)

    t = threading.Thread(target=work)
    t.start()
    try:
        _wait_for_lock_waiter(pg_db)
        tx.commit()
    finally:
        holder.close()
        t.join()
    (result,) = outcome
    if other_turno:
        assert isinstance(result, ValidationError)
        assert f"ya está vinculada al turno {rival}" in str(result)
    else:
        assert result == VinculoResultado(sid, tid, 0, ya_vinculado=True)
    after = state(pg_db)
    assert after["turno_adjuntos"] == [] and after["eventos"] == 0


def _wait_for_lock_waiter(db: Database) -> None:
    """Poll the server's own view of blocked backends (the only signal PostgreSQL gives us)."""
    deadline = time.monotonic() + 20
    with db.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            conn.rollback()
            if waiting:
                return
            time.sleep(0.01)
    raise AssertionError("the second linker never blocked on the row lock")


def test_conditional_update_compiles_for_sql_server() -> None:
    sql = str(sentencia_vincular(1, 2).compile(dialect=mssql.dialect()))
    assert "UPDATE solicitud_asistencia SET id_turno_destino=" in sql
    assert "version=(solicitud_asistencia.version +" in sql
    assert "solicitud_asistencia.id_turno_destino IS NULL" in sql
    assert "solicitud_asistencia.fecha_baja IS NULL" in sql


# --- CLI ---------------------------------------------------------------------------------------


def cli(
    database: Database, clock: FakeClock, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    ctx = AppContext(Settings(), AppPaths.for_user(), MemoryStore(), ACTOR, clock, _db=database)
    code = main(list(argv), context=ctx)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_vincular(
    database: Database, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    sid, tid, ajeno = setup(database, clock)
    args = ("turno", "vincular", "--solicitud", str(sid), "--turno", str(tid))
    code, out, err = cli(database, clock, capsys, *args)
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "solicitud_id": sid,
        "turno_id": tid,
        "adjuntos_copiados": 2,
        "ya_vinculado": False,
    }
    code, out, _ = cli(database, clock, capsys, *args)
    assert code == 0 and json.loads(out)["ya_vinculado"] is True

    before = state(database)
    code, out, err = cli(
        database, clock, capsys, "turno", "vincular", "--solicitud", str(sid), "--turno", str(ajeno)
    )
    assert (code, out) == (2, "")
    assert (
        err
        == f"Error: La solicitud {sid} ya está vinculada al turno {tid}; no se puede vincular también al turno {ajeno}.\n"
    )
    assert state(database) == before
