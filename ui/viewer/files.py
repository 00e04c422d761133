"""What the viewer is given (one attachment) and the Spanish messages it shows about files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dim_revision.errors import UserError


@dataclass(frozen=True)
class ViewerFile:
    """One attachment. `load` fetches its bytes (from the DB); it is only called off the GUI thread."""

    adjunto_id: int
    nombre: str
    mime: str
    load: Callable[[], bytes] = field(compare=False, repr=False)


class DecodeError(UserError):
    """The file cannot be shown; the message names it and says why, in Spanish."""


def cannot_show(nombre: str, reason: str) -> str:
    return f"No se pudo mostrar «{nombre}»: {reason}."


DAMAGED_IMAGE = "la imagen está dañada"
INCOMPLETE_IMAGE = "la imagen está dañada o incompleta (el archivo se cortó)"
DAMAGED_PDF = "el PDF está dañado"
PASSWORD_PDF = "el PDF está protegido con contraseña"
EMPTY_PDF = "el PDF no tiene páginas"
EMPTY_FILE = "el archivo está vacío"
UNSUPPORTED = "este tipo de archivo no se puede mostrar acá; probá «Abrir con el visor del sistema»"


def too_big(megapixels: float, max_megapixels: float) -> str:
    return (
        f"la imagen es demasiado grande ({megapixels:.0f} megapíxeles; "
        f"el máximo es {max_megapixels:.0f})"
    )


NO_FILES = (
    "Esta solicitud no tiene archivos adjuntos.\n"
    "Podés indicar un contacto para pedirle la orden al paciente."
)
