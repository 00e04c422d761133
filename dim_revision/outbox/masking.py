"""Kept for call sites written before issue 16: masking of provider text is
`dim_revision/shared/masking.py` now. Import from there."""

from dim_revision.shared.masking import mask_provider_text, redact_phones

__all__ = ["mask_provider_text", "redact_phones"]
