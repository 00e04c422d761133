"""The record's sentences for issue 13: the retry strip, «Requiere atención», the preview's
warning on an unverified phone (pure functions over plain data)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from dim_revision.services.detalle import EnvioInfo
from tests.gui.test_patient_card import NOW, detalle
from ui import record_text

pytestmark = pytest.mark.gui


def _envio(**changes: object) -> EnvioInfo:
    base = EnvioInfo(
        id=9,
        version=1,
        estado="programado",
        telefono="5491123456789",
        link="https://x/t",
        creado=NOW - timedelta(minutes=40),
        creado_por="ana",
        enviar_desde=NOW - timedelta(minutes=25),
        intentos=0,
        ultimo_error=None,
        proveedor_id=None,
        enviado_en=None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_the_strip_counts_retries_and_says_when_the_next_one_goes() -> None:
    e = _envio(intentos=3, proximo_intento=NOW + timedelta(minutes=37), ultimo_error="Sin red")
    text = record_text.countdown(e, NOW, 8)
    assert (
        text
        == "Envío programado: reintentando (3/8), próximo intento 14:42. Último error: Sin red."
    )
    due = record_text.countdown(dataclasses.replace(e, proximo_intento=NOW), NOW, 8)
    assert due is not None and "el próximo intento sale en cualquier momento" in due
    assert "faltan" in (
        record_text.countdown(_envio(enviar_desde=NOW + timedelta(minutes=3)), NOW) or ""
    )


def test_requiere_atencion_says_why_and_what_to_do() -> None:
    fallido = _envio(estado="fallido", ultimo_error="Se agotaron los reintentos (8).")
    d = detalle(resuelto=True, envio=fallido, atencion=True)
    line = record_text.state_line(d, claimed=True, reason=None)
    assert "Requiere atención: El WhatsApp no salió: Se agotaron los reintentos (8)." in line
    assert "Ctrl+M" in line and "Ctrl+Enter" in line and "Ctrl+R" in line
    incierto = detalle(resuelto=True, envio=_envio(estado="incierto"), atencion=True)
    text = record_text.motivo_atencion(incierto) or ""
    assert "supervisor" in text and "Ctrl+Enter" not in text
    assert record_text.motivo_atencion(detalle(resuelto=True, envio=fallido)) is None


def test_the_preview_warns_only_when_the_phone_is_unverified() -> None:
    assert record_text.aviso_telefono(detalle()) is None
    aviso = record_text.aviso_telefono(detalle(telefono_verificado=False)) or ""
    assert "sin verificar" in aviso and "+54 9 11 2345-6789" in aviso
    corregido = detalle(
        telefono_verificado=False, movil_corregido_por="luis", movil_corregido_en=NOW
    )
    assert "lo corrigió luis el 25/11 a las 14:05" in (record_text.aviso_telefono(corregido) or "")
