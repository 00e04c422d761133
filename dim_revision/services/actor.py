"""Kept for the call sites that predate `dim_revision.shared`: the Actor lives there now."""

from dim_revision.shared.actor import Actor

__all__ = ["Actor"]
