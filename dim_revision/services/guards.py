"""Kept for the call sites that predate `dim_revision.shared`: the solicitud's conditional write
lives in `dim_revision/shared/guards.py` now (it composes into a caller's transaction)."""

from dim_revision.shared.guards import (
    RELEASED,
    diagnose,
    guarded_update,
    lease_live,
    lease_owner,
    lease_refusal,
    not_held_by_other,
    owner_name,
    resolved_values,
)

__all__ = [
    "RELEASED",
    "diagnose",
    "guarded_update",
    "lease_live",
    "lease_owner",
    "lease_refusal",
    "not_held_by_other",
    "owner_name",
    "resolved_values",
]
