"""Learning from operators in the database: Confirmar envío records the picks in its transaction,
the index built at start ranks them higher; the codes (DIM's and the nomenclador's) are indexed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from dim_revision.clock import FakeClock
from dim_revision.config import BusquedaSettings, Settings
from dim_revision.db.dim_mapping import SEED, dim_de
from dim_revision.db.models import EleccionPrestacion
from dim_revision.db.uow import Database
from dim_revision.errors import UserError
from dim_revision.services import claims, envios
from dim_revision.services.actor import Actor
from dim_revision.services.catalogo import codigos_activos, indice_de_busqueda
from tests import factories

ANA = Actor("ana", "pc-01")
KEY = "clave-de-prueba-" + "x" * 32
CFG = envios.EnvioConfig.from_settings(Settings())


def _setup(db: Database, clock: FakeClock, pacientes: int = 1) -> dict[str, list[int]]:
    with db.uow() as uow:
        s = uow.session
        sols = [
            factories.solicitud(s, factories.paciente(s, movil="011 15-2345-6789"), clock())
            for _ in range(pacientes)
        ]
        eco = factories.prestacion(s, "ECOGRAFÍA TIROIDEA")
        doppler = factories.prestacion(s, "ECODOPPLER TIROIDEO")
        rx = factories.prestacion(s, "RADIOGRAFÍA DE TÓRAX (FRENTE Y PERFIL)")
        uow.commit()
        return {"sols": [x.id for x in sols], "p": [eco.id, doppler.id, rx.id]}


def _elecciones(db: Database) -> list[tuple[str, int, str]]:
    with db.uow() as uow:
        rows = uow.session.execute(
            select(
                EleccionPrestacion.consulta,
                EleccionPrestacion.prestacion_id,
                EleccionPrestacion.usuario,
            ).order_by(EleccionPrestacion.id)
        )
        return [(r.consulta, r.prestacion_id, r.usuario) for r in rows]


def _confirm(
    db: Database, clock: FakeClock, sid: int, ids: list[int], consultas: dict[int, str]
) -> envios.EnvioProgramado:
    claims.claim(db, ANA, clock(), sid, timedelta(minutes=10))
    return envios.confirmar_envio(
        db,
        ANA,
        clock(),
        CFG,
        KEY,
        solicitud_id=sid,
        version=1,
        prestacion_ids=ids,
        consultas=consultas,
    )


def test_confirm_records_the_queries_in_its_transaction(
    database: Database, clock: FakeClock
) -> None:
    ids = _setup(database, clock)
    eco, doppler, rx = ids["p"]
    _confirm(
        database,
        clock,
        ids["sols"][0],
        [doppler, rx],
        {doppler: "Eco  TIROIDES ", rx: "rx tórax F y P", eco: "eco (removed before sending)"},
    )
    # normalized; only what was sent; one row per prestación
    assert _elecciones(database) == [
        ("eco tiroides", doppler, "ana"),
        ("rx torax f y p", rx, "ana"),
    ]


def test_a_refused_confirm_records_nothing(database: Database, clock: FakeClock) -> None:
    ids = _setup(database, clock)
    eco = ids["p"][0]
    sid = ids["sols"][0]
    claims.claim(database, ANA, clock(), sid, timedelta(minutes=10))
    with pytest.raises(UserError):
        envios.confirmar_envio(
            database,
            ANA,
            clock(),
            CFG,
            KEY,
            solicitud_id=sid,
            version=99,  # stale: refused
            prestacion_ids=[eco],
            consultas={eco: "eco tiroides"},
        )
    assert _elecciones(database) == []


def test_what_operators_chose_is_first_after_a_restart(
    database: Database, clock: FakeClock
) -> None:
    ids = _setup(database, clock, pacientes=3)
    eco, doppler, _ = ids["p"]
    cfg = BusquedaSettings()
    assert indice_de_busqueda(database, clock(), cfg).search("eco tiroides")[0].id == eco
    for sid in ids["sols"][:2]:
        _confirm(database, clock, sid, [doppler], {doppler: "eco tiroides"})
    clock.advance(days=1)
    index = indice_de_busqueda(database, clock(), cfg)  # what the app does at start
    assert index.search("eco tiroides")[0].id == doppler
    assert index.search("eco tir")[0].id == doppler
    # the switch: learning off ranks as before
    off = indice_de_busqueda(database, clock(), BusquedaSettings(aprender=False))
    assert off.search("eco tiroides")[0].id == eco
    # and outside the window the picks are not read
    clock.advance(days=200)
    assert indice_de_busqueda(database, clock(), cfg).search("eco tiroides")[0].id == eco


def test_codes_of_both_kinds_are_searchable(database: Database, clock: FakeClock) -> None:
    ids = _setup(database, clock)
    eco = ids["p"][0]
    with database.uow() as uow:
        p = dim_de(uow.session).prestacion
        uow.session.execute(
            update(p.table)
            .where(p.id == eco)
            .values(codigo="ECO-77", codigo_nomenclador="18.01.13")
            .execution_options(**SEED)
        )
        uow.commit()
    assert codigos_activos(database)[eco] == ["ECO-77", "18.01.13"]
    index = indice_de_busqueda(database, clock(), BusquedaSettings())
    for code in ("ECO-77", "eco77", "18.01.13"):
        first = index.search(code)[0]
        assert (first.id, first.codigo) == (eco, code if code != "eco77" else "ECO-77")
    with database.uow() as uow:
        count = uow.session.scalar(select(func.count()).select_from(EleccionPrestacion))
    assert count == 0


def test_a_dim_table_without_the_nomenclador_column_still_gives_its_codes(
    sqlite_db: Database, clock: FakeClock
) -> None:
    """`[dim] prestacion_codigo_nomenclador = ""`: DIM keeps only its own code."""
    ids = _setup(sqlite_db, clock)
    sin_nomenclador = factories.with_dim(sqlite_db, prestacion_codigo_nomenclador="")
    codes = codigos_activos(sin_nomenclador)
    assert sorted(codes) == sorted(ids["p"])
    assert all(len(v) == 1 and v[0] for v in codes.values())
