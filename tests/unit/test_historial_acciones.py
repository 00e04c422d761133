"""Every audit code the code base writes has a Spanish text in the history (issue #6)."""

from __future__ import annotations

import re
from pathlib import Path

from dim_revision.envio.estados import MOVIMIENTOS
from dim_revision.services.historial import ACCIONES, texto_accion

ROOT = Path(__file__).resolve().parents[2] / "dim_revision"
# Quoted codes in any module that writes audit events (helpers such as _worker_move pass the
# accion along), minus dict keys like "solicitud_id":.
_CODE = re.compile(
    r'"((?:envio|solicitud|contacto|marcado|bloqueo|turno|operador|demo|atencion|movil)_[a-z_]+'
    r'|reabierta|exportacion)"(?!\s*:)'
)


def _codes_written() -> set[str]:
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if path.name == "historial.py":  # the mapping itself
            continue
        text = path.read_text(encoding="utf-8")
        if "registrar_evento" not in text and "_audit(" not in text:
            continue
        found.update(c for c in _CODE.findall(text) if not c.endswith("_id"))  # column names
    # The Envío's moves name their event in one table (dim_revision/envio/estados.py).
    found.update(m.evento for m in MOVIMIENTOS.values() if m.evento)
    return found


def test_every_audit_code_has_a_text() -> None:
    codes = _codes_written()
    assert {"envio_confirmado", "envio_enviado", "reabierta", "turno_vinculado"} <= codes
    assert codes - set(ACCIONES) == set()


def test_texts() -> None:
    assert texto_accion("envio_confirmado") == "Confirmó el envío por WhatsApp"
    assert texto_accion("solicitud_baja", {"motivo": "duplicada"}) == (
        "Dio de baja la solicitud: «duplicada»"
    )
    assert texto_accion("turno_vinculado", {"turno_id": 7}) == "Se vinculó un turno: turno 7"
    assert texto_accion("contacto_registrado", {"resultado": "dejo_mensaje"}) == (
        "Registró un contacto: Se dejó mensaje"
    )
    assert texto_accion("codigo_raro", {"x": 1}) == "codigo_raro"
