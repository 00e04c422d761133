"""Masking of provider text before it is logged or stored (`ultimo_error`, events).

Botmaker's error answers may echo our request: the patient's phone, first name and link token.
A phone or DNI is personal data (the last 4 digits are enough); a link token is a bearer
credential for the patient's booking and is never kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dim_revision.domain.phones import enmascarar
from dim_revision.logging_setup import mask_text

_LONG_DIGITS = re.compile(r"\+?\d[\d\s-]{6,}\d")
# Three base64url segments separated by dots, the first one a JSON header ("eyJ"): a JWT.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
# Any URL: keep scheme and host, drop the path and query (our link's suffix is the token).
_URL = re.compile(r"(https?://[^/\s\"'<>]+)[^\s\"'<>]*", re.IGNORECASE)
TOKEN_MASK = "<token>"
VALUE_MASK = "***"
MIN_VALUE = 3


def redact_phones(text: str) -> str:
    """Mask any phone-looking run of digits in free text (provider error messages may echo it)."""
    return _LONG_DIGITS.sub(lambda m: enmascarar(m.group()), text)


def mask_provider_text(text: str, sent_values: Iterable[object] = ()) -> str:
    """JWTs, URL paths, the values we sent (name, prestaciones, token), DNIs and phones."""
    values = sorted({str(v) for v in sent_values if v is not None}, key=len, reverse=True)
    for value in values:
        if len(value) >= MIN_VALUE:
            text = text.replace(value, VALUE_MASK)
    text = _JWT.sub(TOKEN_MASK, text)
    text = _URL.sub(lambda m: m.group(1) + "/…", text)
    return redact_phones(mask_text(text))
