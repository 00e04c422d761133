"""Kept for call sites written before issue 16: the Envío's state table is
`dim_revision/envio/estados.py` now. Import from there."""

from dim_revision.envio.estados import (
    TERMINALES,
    TRANSITIONS,
    Quien,
    Transicion,
    check_transition,
    is_allowed,
    refusal_reason,
)

__all__ = [
    "TERMINALES",
    "TRANSITIONS",
    "Quien",
    "Transicion",
    "check_transition",
    "is_allowed",
    "refusal_reason",
]
