"""Phone masking for logs and listings: a phone number is personal data, the last 4 digits are enough."""

from __future__ import annotations

import re


def mask_phone(phone: str | None) -> str:
    """'5491123456789' → '*********6789' (length kept so a supervisor can tell numbers apart)."""
    digits = (phone or "").strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


_LONG_DIGITS = re.compile(r"\+?\d[\d\s-]{6,}\d")


def redact_phones(text: str) -> str:
    """Mask any phone-looking run of digits in free text (provider error messages may echo it)."""
    return _LONG_DIGITS.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group())), text)
