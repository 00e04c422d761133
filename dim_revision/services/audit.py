"""Kept for the call sites that predate `dim_revision.shared`: the audit trail lives there now."""

from dim_revision.shared.audit import registrar_evento

__all__ = ["registrar_evento"]
