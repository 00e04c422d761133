"""One open record as `services.detalle` returns it, for the tests that need a `SolicitudDetalle`
without a database (the patient card, the Qt-free workstation session)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from dim_revision.domain.phones import resultado_whatsapp
from dim_revision.services.detalle import EnvioInfo, SolicitudDetalle

MOVIL = "011 15-2345-6789"


def detalle(now: datetime, **changes: object) -> SolicitudDetalle:
    """María Fernanda's request #4812, uploaded 2 h 10 min before `now`: a verified mobile that
    takes WhatsApp, an unverified email, OSDE 310, nothing picked, no contact, no send.
    `changes` replace any field (`id=7`, `envio=…`, `whatsapp=None`)."""
    phone = resultado_whatsapp(MOVIL)
    base = SolicitudDetalle(
        id=4812,
        version=3,
        fecha_subida=now - timedelta(hours=2, minutes=10),
        resuelto=False,
        fecha_resuelto=None,
        usuario_resuelto=None,
        id_turno_destino=None,
        turno_fecha=None,
        paciente_id=77,
        nombre="María Fernanda Gómez Ibáñez",
        dni="28456789",
        telefono_movil=MOVIL,
        whatsapp=phone.numero,
        whatsapp_motivo=phone.motivo,
        telefono_verificado=True,
        email="mfgomez@correo.com.ar",
        email_verificado=False,
        obra_social="OSDE",
        plan="310",
        numero_afiliado="61234567801",
        tomado_por=None,
        tomado_clave=None,
        adjuntos=(),
        prestaciones=(),
        contactos=(),
        otras=(),
        envio=None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def envio_programado(now: datetime, **changes: object) -> EnvioInfo:
    """Its send, confirmed by Ana at `now` and due 15 minutes later; `changes` replace fields."""
    base = EnvioInfo(
        id=901,
        version=1,
        estado="programado",
        telefono="5491123456789",
        link="https://portal/x",
        creado=now,
        creado_por="ana",
        enviar_desde=now + timedelta(minutes=15),
        intentos=0,
        ultimo_error=None,
        proveedor_id=None,
        enviado_en=None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]
