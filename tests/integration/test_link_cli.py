"""`dim-revision link verify` and `secrets generate link-key`: success and each refusal (exit 2)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from dim_revision.bootstrap import AppContext, build_context
from dim_revision.cli import main
from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db import migrate
from dim_revision.db.engine import sqlite_url
from dim_revision.errors import SecretMissing
from dim_revision.secrets import KeyringStore, MemoryStore, link_key
from dim_revision.services import envios
from dim_revision.services.actor import Actor
from tests import factories

KEY = "clave-de-prueba-" + "x" * 32


@pytest.fixture
def ctx(tmp_path: Path, clock: FakeClock) -> Iterator[AppContext]:
    context = build_context(
        {"database": {"url": sqlite_url(tmp_path / "l.sqlite3")}},
        secrets=MemoryStore({"link-key": KEY}),
        clock=clock,
    )
    migrate.upgrade(context.db)
    yield context
    context.close()


def _send(ctx: AppContext, clock: FakeClock) -> envios.EnvioProgramado:
    with ctx.db.uow() as uow:
        s = uow.session
        sol = factories.solicitud(s, factories.paciente(s), clock() - timedelta(hours=1))
        pr = factories.prestacion(s)
        uow.commit()
        sid, pid = sol.id, pr.id
    return envios.confirmar_envio(
        ctx.db,
        Actor("ana", "pc"),
        clock(),
        envios.EnvioConfig.from_settings(Settings()),
        KEY,
        solicitud_id=sid,
        version=1,
        prestacion_ids=[pid],
    )


def test_verify_prints_the_claims(
    ctx: AppContext, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    sent = _send(ctx, clock)
    assert main(["link", "verify", sent.link], context=ctx) == 0
    claims = json.loads(capsys.readouterr().out)
    assert claims["solicitud_id"] == sent.solicitud_id and len(claims["prestacion_ids"]) == 1
    token = sent.link.rsplit("/", 1)[-1]
    assert main(["link", "verify", token], context=ctx) == 0


@pytest.mark.parametrize(
    ("mangle", "advance_days", "message"),
    [
        (lambda t: t, 8, "venci"),
        (lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"), 0, "firma"),
        (lambda t: "esto-no-es-un-token", 0, ""),
    ],
)
def test_verify_refusals_exit_2(
    ctx: AppContext,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    mangle,
    advance_days: int,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    sent = _send(ctx, clock)
    clock.advance(days=advance_days)
    assert main(["link", "verify", mangle(sent.link)], context=ctx) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "Traceback" not in err
    assert message.lower() in err.lower()


def test_verify_superseded_link(
    ctx: AppContext, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    sent = _send(ctx, clock)
    envios.cancelar_envio(
        ctx.db,
        Actor("ana", "pc"),
        clock(),
        envio_id=sent.envio_id,
        solicitud_version=sent.solicitud_version,
    )
    assert main(["link", "verify", sent.link], context=ctx) == 2
    assert "anulado" in capsys.readouterr().err


def test_generate_link_key_once(capsys: pytest.CaptureFixture[str]) -> None:
    context = build_context(secrets=KeyringStore())
    try:
        assert main(["secrets", "generate", "link-key"], context=context) == 0
        printed = capsys.readouterr().out.strip()
        assert KeyringStore().get("link-key") == printed and len(printed) >= 40
        assert main(["secrets", "generate", "link-key"], context=context) == 2
        assert "--reemplazar" in capsys.readouterr().err
        assert KeyringStore().get("link-key") == printed  # refused: unchanged
    finally:
        context.close()


def test_missing_link_key_is_refused_never_generated() -> None:
    """Issue #12: a PC without the key must not invent one (the portal would reject its links)."""
    store = MemoryStore()
    with pytest.raises(SecretMissing, match="secrets set link-key"):
        link_key(store)
    assert store.get("link-key") is None
    store.set("link-key", KEY)
    assert link_key(store) == KEY


def test_booking_cancels_the_pending_send_and_the_link_says_already_booked(
    ctx: AppContext, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    """Booked means done: linking the turno cancels the still-programado send (audited, the
    request stays resolved) and the link answers «ya tiene turno»."""
    import json as _json

    from sqlalchemy import select

    from dim_revision.db.models import Envio, Evento, SolicitudAsistencia
    from dim_revision.services.turnos import vincular_turno

    sent = _send(ctx, clock)
    with ctx.db.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sent.solicitud_id)
        assert sol is not None
        turno_id = factories.turno(
            uow.session, factories.Fila(id=sol.paciente_id), clock() + timedelta(days=3)
        ).id
        uow.commit()
    vincular_turno(
        ctx.db, Actor("portal", "web"), clock(), solicitud_id=sent.solicitud_id, turno_id=turno_id
    )
    with ctx.db.uow() as uow:
        envio = uow.session.get(Envio, sent.envio_id)
        sol = uow.session.get(SolicitudAsistencia, sent.solicitud_id)
        assert envio is not None and sol is not None
        assert envio.estado == "cancelado" and sol.resuelto is True
        evs = uow.session.execute(
            select(Evento.accion, Evento.detalle).where(Evento.envio_id == sent.envio_id)
        ).all()
    cancel = [e for e in evs if e.accion == "envio_cancelado"]
    assert cancel and _json.loads(cancel[0].detalle)["motivo"] == "el paciente ya tiene turno"
    assert main(["link", "verify", sent.link], context=ctx) == 2
    assert "ya tiene turno" in capsys.readouterr().err
