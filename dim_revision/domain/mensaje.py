"""The WhatsApp message: template variables and the text the patient will read.

The approved Botmaker template holds the text and a URL button whose fixed prefix is the portal's
address; we fill the patient's first name, the prestaciones and the button's suffix (the token).
`texto_vista_previa` renders the same text locally so the operator sees exactly what goes out.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXTO_PLANTILLA = (
    "Hola {nombre}, somos DIM Centros de Diagnóstico. Revisamos la orden médica que subiste al "
    "portal y ya dejamos seleccionado lo que necesitás: {prestaciones}.\n"
    "Tocá el botón «Sacar turno» para elegir día y horario. El link es personal y vence en "
    "{dias} días."
)


@dataclass(frozen=True)
class VariablesPlantilla:
    """Names of the template variables as configured in Botmaker."""

    nombre: str = "nombre"
    prestaciones: str = "prestaciones"
    link: str = "link"


def primer_nombre(nombre: str) -> str:
    first = nombre.strip().split()[0] if nombre.strip() else ""
    return first.capitalize() if first.isupper() or first.islower() else first


def lista_prestaciones(nombres: list[str]) -> str:
    """'A', 'A y B', 'A, B y C' — readable in a chat bubble."""
    clean = [n.strip() for n in nombres if n.strip()]
    if len(clean) <= 1:
        return "".join(clean)
    return ", ".join(clean[:-1]) + " y " + clean[-1]


def parametros(
    variables: VariablesPlantilla, *, nombre: str, prestaciones: list[str], token: str
) -> dict[str, str]:
    return {
        variables.nombre: primer_nombre(nombre),
        variables.prestaciones: lista_prestaciones(prestaciones),
        variables.link: token,
    }


def texto_vista_previa(*, nombre: str, prestaciones: list[str], link: str, dias: int) -> str:
    body = TEXTO_PLANTILLA.format(
        nombre=primer_nombre(nombre), prestaciones=lista_prestaciones(prestaciones), dias=dias
    )
    return f"{body}\n[Sacar turno] → {link}"
