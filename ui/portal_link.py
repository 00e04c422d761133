"""«Asignar turno» and «Copiar link» (issue 13.10): the Portal LITE address for the open record,
opened in the browser or copied to the clipboard when no browser opens (or on request)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QGuiApplication

from dim_revision.domain.portal_lite import url_portal_lite
from dim_revision.errors import ValidationError
from ui.shortcuts import SPEC_BY_NAME
from ui.workstation import Workstation

Copy = Callable[[str], None]


def copy_to_clipboard(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


def portal_url(ws: Workstation) -> str | None:
    """The Portal LITE address with the patient and the chosen prestaciones, or None (and a
    Spanish message when the configured template is broken)."""
    rec = ws.current
    if rec is None or rec.detalle is None:
        return None
    d = rec.detalle
    try:
        return url_portal_lite(
            ws.settings.portal_lite.url,
            dni=d.dni,
            paciente_id=d.paciente_id,
            solicitud_id=d.id,
            prestacion_ids=[pid for pid, _ in ws.session.chosen(rec)],
        )
    except ValidationError as exc:
        ws.message.emit(str(exc), "error")
        return None


def _copy_key() -> str:
    return SPEC_BY_NAME["copiar_link"].label


def open_portal(ws: Workstation, copy: Copy = copy_to_clipboard) -> None:
    url = portal_url(ws)
    if url is None:
        return
    opener = ws.open_url
    if opener is None or opener(url) is False:
        copy(url)
        ws.message.emit(
            "No se pudo abrir el navegador: el link del Portal LITE quedó copiado, pegalo en el "
            f"navegador (Ctrl+V). {url}",
            "warning",
        )
        return
    nombre = ws.current.detalle.nombre if ws.current and ws.current.detalle else ""
    ws.message.emit(
        f"Se abrió el Portal LITE para {nombre}. Si no aparece, copiá el link con {_copy_key()}.",
        "info",
    )


def copy_portal_link(ws: Workstation, copy: Copy = copy_to_clipboard) -> None:
    url = portal_url(ws)
    if url is None:
        return
    copy(url)
    ws.message.emit(f"Link del Portal LITE copiado: pegalo en el navegador (Ctrl+V). {url}", "info")
