"""Phone masking for provider messages: a phone number is personal data, the last 4 digits are enough."""

from __future__ import annotations

import re

from dim_revision.domain.phones import enmascarar

_LONG_DIGITS = re.compile(r"\+?\d[\d\s-]{6,}\d")


def redact_phones(text: str) -> str:
    """Mask any phone-looking run of digits in free text (provider error messages may echo it)."""
    return _LONG_DIGITS.sub(lambda m: enmascarar(m.group()), text)
