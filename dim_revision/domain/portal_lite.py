"""The Portal LITE address for «Asignar turno» (issue 13.10): `[portal_lite] url` is a template.

Placeholders: {dni}, {paciente_id}, {solicitud_id} and {prestaciones} (the ids of the chosen
prestaciones, comma-separated, in the operator's order). Each value is URL-encoded; a template
with an unknown placeholder or a stray brace is a Spanish ValidationError.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from dim_revision.errors import ValidationError

PLACEHOLDERS = ("dni", "paciente_id", "solicitud_id", "prestaciones")


def url_portal_lite(
    template: str,
    *,
    dni: str,
    paciente_id: int,
    solicitud_id: int,
    prestacion_ids: Sequence[int] = (),
) -> str:
    values = {
        "dni": quote(str(dni), safe=""),
        "paciente_id": quote(str(paciente_id), safe=""),
        "solicitud_id": quote(str(solicitud_id), safe=""),
        "prestaciones": quote(",".join(str(int(p)) for p in prestacion_ids), safe=","),
    }
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError, AttributeError):
        raise ValidationError(
            f"La dirección del Portal LITE en la configuración no es válida: «{template}». "
            "Usá {dni}, {paciente_id}, {solicitud_id} o {prestaciones}."
        ) from None
