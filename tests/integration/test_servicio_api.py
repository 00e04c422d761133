"""`dim-revision serve` over HTTP: a real uvicorn on 127.0.0.1, SQLite and PostgreSQL.

Portal endpoints (link verification, turno association, request state), Botmaker's webhook
(statuses, replies, replays, unknown ids), /healthz, /metrics — and every bad input gets a clear
JSON error and writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from dim_revision.clock import FakeClock
from dim_revision.db.models import (
    Envio,
    Evento,
    RespuestaPaciente,
    SolicitudAsistencia,
)
from dim_revision.db.uow import Database
from dim_revision.domain import link_tokens
from tests import factories
from tests.integration.servicio_support import (
    LINK_KEY,
    WEBHOOK_TOKEN,
    Escenario,
    escenario,
    portal,
    reply_event,
    running_service,
    service_context,
    snapshot,
    status_event,
    webhook,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def svc(
    database: Database, clock: FakeClock
) -> Iterator[tuple[str, Database, FakeClock, Escenario]]:
    esc = escenario(database, clock)
    with running_service(service_context(database, clock, max_cuerpo_kb=16)) as (url, _rt):
        yield url, database, clock, esc


# --- portal: links ---------------------------------------------------------------------------


def test_verificar_devuelve_paciente_solicitud_y_prestaciones_con_url(svc) -> None:
    url, _db, _clock, esc = svc
    with portal(url) as c:
        r = c.post("/v1/links/verificar", json={"url": "https://portal.example/" + esc.token})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["paciente_id"] == esc.paciente_id
    assert body["solicitud_id"] == esc.solicitud_id
    assert [p["id"] for p in body["prestaciones"]] == esc.prestaciones
    first = body["prestaciones"][0]
    assert first["nombre"] == "RESONANCIA MAGNÉTICA DE RODILLA" and first["codigo"]
    assert first["url_reserva"] == (
        f"https://wsportal2023.dim.com.ar/api/v1/estudios/verificarOS/{esc.prestaciones[0]}"
        "/false/false//"
    )


@pytest.mark.parametrize(
    "caso, codigo",
    [
        ("vencido", "vencido"),
        ("firma", "firma_invalida"),
        ("reemplazado", "reemplazado"),
        ("anulado", "anulado"),
        ("basura", "malformado"),
        ("enorme", "malformado"),
        ("vacio", "malformado"),
    ],
)
def test_verificar_rechaza_con_codigo_estable(svc, caso: str, codigo: str) -> None:
    url, db, clock, esc = svc
    token = esc.token
    if caso == "vencido":
        clock.advance(days=8)
    elif caso == "firma":
        token = link_tokens.emitir_token(
            "otra-clave-" + "z" * 40,
            paciente_id=esc.paciente_id,
            solicitud_id=esc.solicitud_id,
            prestacion_ids=esc.prestaciones,
            now=clock(),
            ttl=timedelta(days=7),
            issuer="dim-revision",
        ).token
    elif caso in ("reemplazado", "anulado"):
        with db.uow() as uow:
            e = uow.session.get(Envio, esc.envio_id)
            assert e is not None
            if caso == "anulado":
                e.estado = "cancelado"
            else:
                sol = uow.session.get(SolicitudAsistencia, e.solicitud_id)
                assert sol is not None
                factories.envio(uow.session, sol, clock())
            uow.commit()
    elif caso == "basura":
        token = "esto-no-es-un-token"
    elif caso == "enorme":
        token = "a." + "b" * 5000 + ".c"
    elif caso == "vacio":
        token = ""
    before = snapshot(db)
    with portal(url) as c:
        r = c.post("/v1/links/verificar", json={"token": token})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["codigo"] == codigo
    assert r.json()["error"]["mensaje"]
    assert snapshot(db) == before


@pytest.mark.parametrize("key", [None, "", "clave-equivocada"])
def test_sin_clave_o_clave_equivocada_401(svc, key: str | None) -> None:
    url, db, _clock, esc = svc
    before = snapshot(db)
    with portal(url, key) as c:
        for method, path, body in (
            ("POST", "/v1/links/verificar", {"token": esc.token}),
            ("POST", f"/v1/solicitudes/{esc.solicitud_id}/turno", {"turno_id": esc.turno_id}),
            ("GET", f"/v1/solicitudes/{esc.solicitud_id}", None),
        ):
            r = c.request(method, path, json=body)
            assert r.status_code == 401, (path, r.text)
            assert r.json()["error"]["codigo"] == "no_autorizado"
    assert snapshot(db) == before


def test_json_mal_formado_400_sin_cambios(svc) -> None:
    url, db, _clock, esc = svc
    before = snapshot(db)
    with portal(url) as c:
        r = c.post(
            f"/v1/solicitudes/{esc.solicitud_id}/turno",
            content=b"{turno_id: 1",
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 400
        assert r.json()["error"]["codigo"] == "json_invalido"
        r = c.post(f"/v1/solicitudes/{esc.solicitud_id}/turno", json={"turno_id": "x"})
        assert r.status_code == 422
        assert r.json()["error"]["codigo"] == "datos_invalidos"
    assert snapshot(db) == before


# --- portal: turno and state -----------------------------------------------------------------


def test_turno_vincula_idempotente_y_409(svc) -> None:
    url, db, _clock, esc = svc
    path = f"/v1/solicitudes/{esc.solicitud_id}/turno"
    with portal(url) as c:
        r = c.post(path, json={"turno_id": esc.turno_ajeno})
        assert r.status_code == 409 and r.json()["error"]["codigo"] == "otro_paciente"
        r = c.post(path, json={"turno_id": esc.turno_id})
        assert r.status_code == 200, r.text
        assert r.json() == {
            "solicitud_id": esc.solicitud_id,
            "turno_id": esc.turno_id,
            "adjuntos_copiados": 2,
            "ya_vinculado": False,
        }
        after_first = snapshot(db)
        r = c.post(path, json={"turno_id": esc.turno_id})
        assert r.status_code == 200 and r.json()["ya_vinculado"] is True
        assert snapshot(db) == after_first
        with db.uow() as uow:
            pac = factories.Fila(id=esc.paciente_id)
            otro = factories.turno(uow.session, pac, _clock() + timedelta(days=5)).id
            uow.commit()
        before = snapshot(db)
        r = c.post(path, json={"turno_id": otro})
        assert r.status_code == 409 and r.json()["error"]["codigo"] == "otro_turno"
        r = c.post("/v1/solicitudes/999999/turno", json={"turno_id": esc.turno_id})
        assert r.status_code == 404 and r.json()["error"]["codigo"] == "no_encontrado"
        assert snapshot(db) == before
        estado = c.get(f"/v1/solicitudes/{esc.solicitud_id}").json()
    assert estado["turno_id"] == esc.turno_id
    assert estado["envio"]["estado"] == "enviado" and estado["envio"]["etiqueta"] == "Enviado"


def test_estado_de_solicitud_desconocida_404(svc) -> None:
    url, _db, _clock, _esc = svc
    with portal(url) as c:
        r = c.get("/v1/solicitudes/424242")
        assert r.status_code == 404 and r.json()["error"]["codigo"] == "no_encontrado"
        r = c.get("/v1/no-existe")
        assert r.status_code == 404 and r.json()["error"]["codigo"] == "no_encontrado"


# --- Botmaker webhook ------------------------------------------------------------------------


def entrega(db: Database, envio_id: int) -> tuple[str | None, object, object, str | None]:
    with db.uow() as uow:
        e = uow.session.get(Envio, envio_id)
        assert e is not None
        return e.estado_entrega, e.entregado_en, e.leido_en, e.error_entrega


def test_webhook_entregado_leido_por_txid_y_payload(svc) -> None:
    url, db, _clock, esc = svc
    with portal(url, None) as c:
        r = webhook(c, status_event("delivered", tx=f"tx-{esc.envio_id}"))
        assert r.status_code == 200 and r.json()["aplicados"] == 1
        assert entrega(db, esc.envio_id)[0] == "entregado"
        r = webhook(c, status_event("read", payload=esc.envio_id, date="2026-03-10T13:07:00Z"))
        assert r.json()["aplicados"] == 1
        estado, entregado, leido, _ = entrega(db, esc.envio_id)
        assert estado == "leido" and entregado is not None and leido is not None
        # A late "delivered" never undoes "read" (it is recorded once, changes nothing).
        r = webhook(c, status_event("delivered", payload=esc.envio_id))
        assert entrega(db, esc.envio_id)[0] == "leido"
    with portal(url) as c:
        estado_portal = c.get(f"/v1/solicitudes/{esc.solicitud_id}").json()
    assert estado_portal["envio"]["entrega"] == "leido"
    assert estado_portal["envio"]["etiqueta"] == "Leído"
    with db.uow() as uow:
        acciones = [
            a
            for (a,) in uow.session.execute(
                select(Evento.accion).where(Evento.envio_id == esc.envio_id).order_by(Evento.id)
            )
        ]
    assert acciones.count("entrega_entregado") == 1 and acciones.count("entrega_leido") == 1


def test_webhook_error_de_entrega_guarda_el_motivo(svc) -> None:
    url, db, _clock, esc = svc
    with portal(url, None) as c:
        r = webhook(
            c,
            status_event(
                "error",
                tx=f"tx-{esc.envio_id}",
                error={"code": "131026", "message": "Message undeliverable to 5491123456789"},
            ),
        )
    assert r.status_code == 200 and r.json()["aplicados"] == 1
    estado, _, _, motivo = entrega(db, esc.envio_id)
    assert estado == "error_entrega"
    assert motivo is not None and "131026" in motivo and "5491123456789" not in motivo


def test_webhook_repetido_se_aplica_una_vez(svc) -> None:
    url, db, _clock, esc = svc
    event = status_event("delivered", tx=f"tx-{esc.envio_id}")
    with portal(url, None) as c:
        assert webhook(c, event).json()["aplicados"] == 1
        after = snapshot(db)
        for _ in range(3):
            r = webhook(c, event)
            assert r.status_code == 200 and r.json() == {
                "ok": True,
                "aplicados": 0,
                "repetidos": 1,
                "desconocidos": 0,
            }
    assert snapshot(db) == after


def test_webhook_id_desconocido_200_y_nada_escrito(svc) -> None:
    url, db, _clock, _esc = svc
    before = snapshot(db)
    with portal(url, None) as c:
        r = webhook(c, status_event("delivered", tx="tx-que-no-existe", payload=987654))
        assert r.status_code == 200 and r.json()["desconocidos"] == 1
        r = webhook(c, reply_event("hola", phone="+5493519999999"))
        assert r.status_code == 200 and r.json()["desconocidos"] == 1
        r = webhook(c, {"type": "variable_change", "variable": "x"})
        assert r.status_code == 200 and r.json()["aplicados"] == 0
    assert snapshot(db) == before


@pytest.mark.parametrize(
    "token, body, status, codigo",
    [
        (None, "delivered", 401, "token_invalido"),
        ("otro-token", "delivered", 401, "token_invalido"),
        ("ok", b"{no es json", 400, "json_invalido"),
        ("ok", b"\xff\xfe", 400, "json_invalido"),
        ("ok", b'"un texto"', 422, "formato_desconocido"),
        ("ok", b'{"type": "status", "status": "volando", "txId": "x"}', 422, "formato_desconocido"),
        ("ok", b'{"type": "status", "status": "read"}', 422, "formato_desconocido"),
        ("ok", b'{"type": "message", "messages": 3}', 422, "formato_desconocido"),
        ("ok", b"[" + b'"x",' * 9000 + b'"x"]', 413, "demasiado_grande"),
    ],
)
def test_webhook_mala_entrada_error_json_y_nada_escrito(
    svc, token: str | None, body: object, status: int, codigo: str
) -> None:

    url, db, _clock, esc = svc
    before = snapshot(db)
    payload = status_event("delivered", tx=f"tx-{esc.envio_id}") if body == "delivered" else body
    with portal(url, None) as c:
        r = webhook(c, payload, WEBHOOK_TOKEN if token == "ok" else token)
    assert r.status_code == status, r.text
    assert r.json()["error"]["codigo"] == codigo
    assert snapshot(db) == before


def test_webhook_respuesta_del_paciente(svc) -> None:
    url, db, _clock, esc = svc
    with portal(url, None) as c:
        r = webhook(c, reply_event("Gracias! ya saqué turno"))
        assert r.status_code == 200 and r.json()["aplicados"] == 1
        assert webhook(c, reply_event("Gracias! ya saqué turno")).json()["repetidos"] == 1
        # The bot's own messages are not the patient's reply.
        bot = reply_event("Hola, soy el bot", msg_id="BOT1")
        bot["messages"][0]["from"] = "bot"
        assert webhook(c, bot).json()["aplicados"] == 0
    with db.uow() as uow:
        rows = uow.session.execute(
            select(RespuestaPaciente.texto, RespuestaPaciente.envio_id)
        ).all()
        respuesta_en = uow.session.get(Envio, esc.envio_id).respuesta_en  # type: ignore[union-attr]
        eventos = uow.session.scalars(
            select(Evento.accion).where(Evento.accion == "respuesta_paciente")
        ).all()
    assert rows == [("Gracias! ya saqué turno", esc.envio_id)]
    assert respuesta_en is not None and len(eventos) == 1


def test_webhook_confirma_un_incierto(database: Database, clock: FakeClock) -> None:
    esc = escenario(database, clock, estado="incierto")
    with running_service(service_context(database, clock)) as (url, _rt), portal(url, None) as c:
        r = webhook(c, status_event("delivered", payload=esc.envio_id, tx="tx-nuevo"))
    assert r.json()["aplicados"] == 1
    with database.uow() as uow:
        e = uow.session.get(Envio, esc.envio_id)
        assert e is not None
        assert (e.estado, e.estado_entrega, e.proveedor_id) == ("enviado", "entregado", "tx-nuevo")


# --- operations --------------------------------------------------------------------------------


def test_healthz_y_metrics(svc) -> None:
    url, _db, _clock, esc = svc
    with portal(url, None) as c:
        h = c.get("/healthz")
        webhook(c, status_event("delivered", tx=f"tx-{esc.envio_id}"))
        m = c.get("/metrics")
    body = h.json()
    assert h.status_code == 200, body
    assert body["base_de_datos"] and body["esquema_al_dia"]
    assert (
        body["huella_clave_link"] == __import__("hashlib").sha256(LINK_KEY.encode()).hexdigest()[:8]
    )
    assert LINK_KEY not in h.text
    assert m.status_code == 200
    assert 'dim_envios{estado="enviado"} 1' in m.text
    assert 'dim_envios_entrega{entrega="entregado"} 1' in m.text
    assert 'dim_webhook_eventos_total{resultado="aplicado"} 1' in m.text
    assert "dim_enviador_retraso_segundos" in m.text


def test_openapi_committed_matches_the_app(svc) -> None:
    url, _db, _clock, _esc = svc
    with portal(url, None) as c:
        served = c.get("/openapi.json").json()
    committed = json.loads((ROOT / "docs" / "api" / "openapi.json").read_text(encoding="utf-8"))
    assert served == committed, "regenerá docs/api/openapi.json: python -m dim_revision.api.openapi"


def test_oversize_chunked_body_is_413_and_nothing_written(svc) -> None:
    url, db, _clock, _esc = svc
    before = snapshot(db)

    def chunks():  # no Content-Length: the limit is enforced while reading
        yield b"["
        for _ in range(2000):
            yield b'"xxxxxxxxxxxxxxxxxxxx",'
        yield b'"x"]'

    with portal(url, None) as c:
        r = c.post(
            "/v1/botmaker/webhook",
            content=chunks(),
            headers={"content-type": "application/json", "auth-bm-token": WEBHOOK_TOKEN},
        )
    assert r.status_code == 413, r.text
    assert r.json()["error"]["codigo"] == "demasiado_grande"
    assert snapshot(db) == before


def test_access_log_is_structured_and_masks_numbers(svc, caplog: pytest.LogCaptureFixture) -> None:
    url, _db, _clock, esc = svc
    with caplog.at_level("INFO", logger="dim_revision.api.access"), portal(url) as c:
        c.get(f"/v1/solicitudes/{esc.solicitud_id}?dni=30123456")
        c.get("/v1/pacientes/30123456/5491123456789")
    ours = [r.getMessage() for r in caplog.records if r.name == "dim_revision.api.access"]
    lines = [json.loads(m) for m in ours]
    assert {"metodo", "ruta", "estado", "ms"} <= set(lines[0])
    text = " ".join(ours)
    assert "30123456" not in text and "5491123456789" not in text
    assert not [r for r in caplog.records if r.name == "uvicorn.access"]  # never the raw path
    assert any(line["ruta"] == "/v1/solicitudes/{solicitud_id}" for line in lines)


def test_read_without_delivered_fills_the_delivered_time(svc) -> None:
    url, db, _clock, esc = svc
    with portal(url, None) as c:
        webhook(c, status_event("read", tx=f"tx-{esc.envio_id}", date="2026-03-10T13:07:00Z"))
    with db.uow() as uow:
        e = uow.session.get(Envio, esc.envio_id)
        assert e is not None
        assert e.entregado_en == e.leido_en
        assert e.leido_en is not None and e.leido_en.isoformat() == "2026-03-10T13:07:00+00:00"
