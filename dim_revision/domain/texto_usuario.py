"""Typed text as it reaches a query or a rule: control characters out, any Unicode digit as its
ASCII digit, LIKE wildcards escaped, a length cap with a Spanish message."""

from __future__ import annotations

import unicodedata

from dim_revision.errors import ValidationError

MAX_BUSQUEDA = 100
LIKE_ESCAPE = "!"
# `%` and `_` are LIKE's wildcards everywhere; `[` opens a character class on SQL Server.
_LIKE_SPECIAL = ("!", "%", "_", "[")


def normalizar_digitos(texto: str) -> str:
    """Full-width (`３９０５`), Arabic-Indic and any other decimal digits → `0-9`; the rest as is."""
    out = []
    for ch in texto:
        if ch.isdigit() and not ("0" <= ch <= "9"):
            value = unicodedata.decimal(ch, None)
            out.append(str(value) if value is not None else ch)
        else:
            out.append(ch)
    return "".join(out)


def sin_controles(texto: str) -> str:
    """NUL, other control and format characters become spaces (they separate words)."""
    return "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") else ch for ch in texto
    )


def limpiar_busqueda(texto: str) -> str:
    """The free-text filter: NFKC, controls out, digits normalised, at most 100 characters."""
    texto = unicodedata.normalize("NFKC", texto or "")
    limpio = " ".join(sin_controles(normalizar_digitos(texto)).split())
    if len(limpio) > MAX_BUSQUEDA:
        raise ValidationError(
            f"La búsqueda admite hasta {MAX_BUSQUEDA} caracteres; acortala "
            "(por ejemplo, el DNI o el apellido)."
        )
    return limpio


def escape_like(texto: str) -> str:
    """Literal text for a LIKE pattern used with ESCAPE '!' (same result on every backend)."""
    for ch in _LIKE_SPECIAL:
        texto = texto.replace(ch, LIKE_ESCAPE + ch)
    return texto
