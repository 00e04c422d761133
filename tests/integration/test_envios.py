"""Confirmar envío, its 15-minute window (edit, cancel, send now), and the worker winning the race."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.models import Envio, Evento, SolicitudAsistencia, SolicitudPrestacion
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.domain.link_tokens import verificar_token
from dim_revision.errors import EnvioLocked, NotFound, StaleWrite, ValidationError
from dim_revision.services import claims, envios
from dim_revision.services.actor import Actor
from dim_revision.services.links import TokenReemplazado, verificar_link
from tests import factories

ANA = Actor("ana", "pc-01")
KEY = "clave-de-prueba-" + "x" * 32
CFG = envios.EnvioConfig.from_settings(Settings())


def _setup(
    db: Database, clock: FakeClock, movil: str | None = "011 15-2345-6789"
) -> dict[str, int]:
    with db.uow() as uow:
        s = uow.session
        pac = factories.paciente(s, nombre="Ana María", movil=movil)
        sol = factories.solicitud(s, pac, clock() - timedelta(hours=1))
        rodilla = factories.prestacion(s, "RESONANCIA MAGNÉTICA DE RODILLA DERECHA")
        torax = factories.prestacion(s, "RADIOGRAFÍA DE TÓRAX FRENTE Y PERFIL")
        vieja = factories.prestacion(s, "ECOGRAFÍA VIEJA", activa=False)
        other = factories.solicitud(s, factories.paciente(s), clock() - timedelta(minutes=30))
        uow.commit()
        return {
            "sol": sol.id,
            "rodilla": rodilla.id,
            "torax": torax.id,
            "vieja": vieja.id,
            "otra": other.id,
        }


def _counts(db: Database) -> tuple[int, int, int]:
    with db.uow() as uow:
        s = uow.session
        return (
            s.scalar(select(func.count()).select_from(Envio)) or 0,
            s.scalar(select(func.count()).select_from(SolicitudPrestacion)) or 0,
            s.scalar(select(func.count()).select_from(Evento)) or 0,
        )


def _confirm(
    db: Database, clock: FakeClock, ids: dict[str, int], prest: list[int], version: int = 1
) -> envios.EnvioProgramado:
    return envios.confirmar_envio(
        db, ANA, clock(), CFG, KEY, solicitud_id=ids["sol"], version=version, prestacion_ids=prest
    )


def test_confirm_writes_everything_in_one_transaction(database: Database, clock: FakeClock) -> None:
    ids = _setup(database, clock)
    claims.claim(database, ANA, clock(), ids["sol"], timedelta(minutes=10))
    result = _confirm(database, clock, ids, [ids["torax"], ids["rodilla"]])
    assert result.telefono == "5491123456789"
    assert result.enviar_desde == clock() + timedelta(minutes=15)
    assert (
        "Ana" in result.texto
        and "RADIOGRAFÍA DE TÓRAX FRENTE Y PERFIL y RESONANCIA" in result.texto
    )
    with database.uow() as uow:
        s = uow.session
        sol = s.get(SolicitudAsistencia, ids["sol"])
        assert sol is not None
        assert sol.resuelto and sol.usuario_resuelto == "ana" and sol.fecha_resuelto == clock()
        assert sol.tomado_por is None  # the claim is released
        picked = s.scalars(
            select(SolicitudPrestacion.prestacion_id)
            .where(SolicitudPrestacion.solicitud_id == ids["sol"])
            .order_by(SolicitudPrestacion.orden)
        ).all()
        assert list(picked) == [ids["torax"], ids["rodilla"]]  # the order the operator picked
        envio = s.get(Envio, result.envio_id)
        assert envio is not None and envio.estado == EstadoEnvio.PROGRAMADO
        params = json.loads(envio.parametros)
        assert params["nombre"] == "Ana"
        assert result.link.endswith(params["link"])  # the URL button carries only the token
        assert "30" not in params["link"][:0]  # (token is opaque)
        evento = s.scalars(select(Evento).where(Evento.accion == "envio_confirmado")).one()
        assert (
            evento.envio_id == envio.id and evento.usuario == "ana" and evento.estacion == "pc-01"
        )
        assert "clave" not in (evento.detalle or "") and KEY not in (evento.detalle or "")
    claims_ = verificar_token(KEY, result.link, now=clock(), issuer=CFG.issuer)
    assert claims_.solicitud_id == ids["sol"] and claims_.prestacion_ids == [
        ids["torax"],
        ids["rodilla"],
    ]


@pytest.mark.parametrize(
    ("prest_keys", "message"),
    [
        ([], "al menos una prestación"),
        (["rodilla", "rodilla"], "repetida"),
        (["vieja"], "no está activa"),
        (["inexistente"], "no existe"),
    ],
)
def test_bad_prestaciones_are_refused_and_nothing_is_written(
    database: Database, clock: FakeClock, prest_keys: list[str], message: str
) -> None:
    ids = _setup(database, clock)
    before = _counts(database)
    with pytest.raises(ValidationError, match=message):
        _confirm(database, clock, ids, [ids.get(k, 999_999) for k in prest_keys])
    assert _counts(database) == before


@pytest.mark.parametrize("movil", [None, "", "15-2345-6789", "4321-1234", "hola"])
def test_patient_without_a_valid_mobile_is_refused(
    database: Database, clock: FakeClock, movil: str | None
) -> None:
    ids = _setup(database, clock, movil=movil)
    before = _counts(database)
    with pytest.raises(ValidationError, match="WhatsApp"):
        _confirm(database, clock, ids, [ids["rodilla"]])
    assert _counts(database) == before


def test_stale_version_is_refused(database: Database, clock: FakeClock) -> None:
    ids = _setup(database, clock)
    before = _counts(database)
    with pytest.raises(StaleWrite, match="Otro operador"):
        _confirm(database, clock, ids, [ids["rodilla"]], version=7)
    assert _counts(database) == before


def test_never_two_live_envios(database: Database, clock: FakeClock) -> None:
    ids = _setup(database, clock)
    first = _confirm(database, clock, ids, [ids["rodilla"]])
    with pytest.raises(ValidationError, match="Editar envío"):
        _confirm(database, clock, ids, [ids["torax"]], version=first.solicitud_version)


def test_edit_inside_the_window_updates_the_same_envio_and_restarts_it(
    database: Database, clock: FakeClock
) -> None:
    ids = _setup(database, clock)
    first = _confirm(database, clock, ids, [ids["rodilla"]])
    clock.advance(minutes=10)
    edited = envios.editar_envio(
        database,
        ANA,
        clock(),
        CFG,
        KEY,
        envio_id=first.envio_id,
        solicitud_version=first.solicitud_version,
        prestacion_ids=[ids["rodilla"], ids["torax"]],
    )
    assert edited.envio_id == first.envio_id and edited.link != first.link
    assert edited.enviar_desde == clock() + timedelta(minutes=15)
    with pytest.raises(TokenReemplazado):
        verificar_link(database, KEY, first.link, now=clock(), issuer=CFG.issuer)
    assert verificar_link(
        database, KEY, edited.link, now=clock(), issuer=CFG.issuer
    ).prestacion_ids == [
        ids["rodilla"],
        ids["torax"],
    ]
    with database.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Envio)) == 1


def test_cancel_returns_the_request_to_unresolved(database: Database, clock: FakeClock) -> None:
    ids = _setup(database, clock)
    first = _confirm(database, clock, ids, [ids["rodilla"]])
    new_version = envios.cancelar_envio(
        database, ANA, clock(), envio_id=first.envio_id, solicitud_version=first.solicitud_version
    )
    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, ids["sol"])
        envio = uow.session.get(Envio, first.envio_id)
        assert sol is not None and envio is not None
        assert not sol.resuelto and sol.fecha_resuelto is None and sol.version == new_version
        assert envio.estado == EstadoEnvio.CANCELADO
    with pytest.raises(TokenReemplazado, match="anulado"):
        verificar_link(database, KEY, first.link, now=clock(), issuer=CFG.issuer)
    again = _confirm(database, clock, ids, [ids["torax"]], version=new_version)  # can confirm anew
    assert again.envio_id != first.envio_id


def test_send_now_makes_it_due_immediately(database: Database, clock: FakeClock) -> None:
    ids = _setup(database, clock)
    first = _confirm(database, clock, ids, [ids["rodilla"]])
    envios.enviar_ahora(database, ANA, clock(), envio_id=first.envio_id)
    with database.uow() as uow:
        envio = uow.session.get(Envio, first.envio_id)
        assert envio is not None and envio.enviar_desde == clock()


def test_once_the_worker_claimed_it_edit_and_cancel_are_refused(
    database: Database, clock: FakeClock
) -> None:
    ids = _setup(database, clock)
    first = _confirm(database, clock, ids, [ids["rodilla"]])
    with database.uow() as uow:  # what the outbox worker's claim does
        uow.session.execute(
            update(Envio)
            .where(Envio.id == first.envio_id)
            .values(estado=EstadoEnvio.ENVIANDO.value, version=Envio.version + 1)
        )
        uow.commit()
    with pytest.raises(EnvioLocked, match="ya se está enviando"):
        envios.cancelar_envio(
            database,
            ANA,
            clock(),
            envio_id=first.envio_id,
            solicitud_version=first.solicitud_version,
        )
    with pytest.raises(EnvioLocked):
        envios.editar_envio(
            database,
            ANA,
            clock(),
            CFG,
            KEY,
            envio_id=first.envio_id,
            solicitud_version=first.solicitud_version,
            prestacion_ids=[ids["torax"]],
        )
    with pytest.raises(EnvioLocked):
        envios.enviar_ahora(database, ANA, clock(), envio_id=first.envio_id)
    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, ids["sol"])
        assert sol is not None and sol.resuelto


def test_unknown_envio(database: Database, clock: FakeClock) -> None:
    with pytest.raises(NotFound):
        envios.enviar_ahora(database, ANA, clock(), envio_id=12345)


def test_preview_matches_what_is_sent(database: Database, clock: FakeClock) -> None:
    ids = _setup(database, clock)
    before = _counts(database)
    borrador = envios.preparar_envio(database, CFG, KEY, clock(), ids["sol"], [ids["rodilla"]])
    assert _counts(database) == before  # preview writes nothing
    result = envios.confirmar_envio(
        database,
        ANA,
        clock(),
        CFG,
        KEY,
        solicitud_id=ids["sol"],
        version=1,
        prestacion_ids=[ids["rodilla"]],
        borrador=borrador,
    )
    assert result.link == borrador.link and result.texto == borrador.texto
