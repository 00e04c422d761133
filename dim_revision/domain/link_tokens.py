"""Signed tokens for the patient's booking link (JWT, HS256): issue, verify, build the URL.

The WhatsApp template carries the URL prefix; we send only the token. The token names the
patient, the request and the prestaciones by id: never a DNI or a password. Time is always
injected (`now`): PyJWT's own checks against the wall clock are switched off and done here.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeGuard
from urllib.parse import parse_qs, urlsplit

from dim_revision.clock import as_utc
from dim_revision.errors import ConfigError, UserError, ValidationError

ALGORITHM = "HS256"
MIN_KEY_BYTES = 32  # RFC 7518 §3.2: an HS256 key at least as long as the hash
_REQUIRED = ("exp", "iat", "jti", "sub", "iss")
_QUERY_NAMES = ("t", "token")
# Our tokens are ~300 characters; a link is never more than a few hundred. Anything longer is
# refused before it is parsed, decoded or its signature computed.
MAX_TOKEN_CHARS = 4096
MIN_KEY_BITS = 256  # "≥ 32 bytes of entropy", estimated from the alphabet used
MIN_BITS_PER_CHAR = 3.0  # Shannon estimate: repeated characters and patterns fall below

# The portal's reference "search turnos for this prestación" endpoint, from the requirements
# (documentation for the portal team; our link carries a token, not this path).
VERIFICAR_OS_TEMPLATE = (
    "https://wsportal2023.dim.com.ar/api/v1/estudios/verificarOS/{id}/false/false//"
)


class TokenError(UserError):
    """The link cannot be used; the message is for the patient/portal, in Spanish."""


class TokenExpirado(TokenError):
    """The link's validity period is over."""


class TokenFirmaInvalida(TokenError):
    """The signature does not match our key (forged, altered or from another system)."""


class TokenMalformado(TokenError):
    """Not a token at all, or one missing the data a link must carry."""


@dataclass(frozen=True)
class EmittedToken:
    token: str
    jti: str
    exp: datetime


@dataclass(frozen=True)
class TokenClaims:
    paciente_id: int
    solicitud_id: int
    prestacion_ids: list[int]
    iat: datetime
    exp: datetime
    jti: str


def emitir_token(
    key: str,
    *,
    paciente_id: int,
    solicitud_id: int,
    prestacion_ids: list[int],
    now: datetime,
    ttl: timedelta,
    issuer: str,
    jti: str | None = None,
) -> EmittedToken:
    """Sign a token for one request; `jti` (uuid4 hex by default) lets a newer link replace it."""
    _check_key(key)
    if not prestacion_ids:
        raise ValidationError("El link necesita al menos una prestación.")
    if ttl <= timedelta(0):
        raise ValidationError("La vigencia del link debe ser positiva.")
    if not all(_is_id(v) for v in (paciente_id, solicitud_id, *prestacion_ids)):
        raise ValidationError("Los identificadores del link deben ser números enteros positivos.")
    iat = _epoch(now)
    exp = _epoch(now + ttl)
    token_id = jti or uuid.uuid4().hex
    payload: dict[str, Any] = {
        "iss": issuer,
        "sub": str(paciente_id),
        "sol": solicitud_id,
        "prs": list(prestacion_ids),
        "iat": iat,
        "exp": exp,
        "jti": token_id,
    }
    import jwt  # here, not at import: PyJWT loads cryptography (~0.1 s of the window's start)

    token = jwt.encode(payload, key, algorithm=ALGORITHM)
    return EmittedToken(token=token, jti=token_id, exp=datetime.fromtimestamp(exp, UTC))


def verificar_token(key: str, token_or_url: str, *, now: datetime, issuer: str) -> TokenClaims:
    """Check signature, issuer, required claims and expiry (against `now`), return the claims."""
    import jwt

    _check_key(key)
    token = extraer_token(token_or_url)
    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=issuer,
            leeway=0,
            options={
                "require": list(_REQUIRED),
                # Checked below against the injected `now`, not the wall clock.
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError):
        raise TokenFirmaInvalida(
            "El link no es válido: la firma no corresponde (link alterado o falso)."
        ) from None
    except jwt.InvalidIssuerError:
        raise TokenFirmaInvalida("El link no es válido: no fue emitido por DIM.") from None
    except jwt.MissingRequiredClaimError as exc:
        raise TokenMalformado(f"El link está incompleto (falta «{exc.claim}»).") from None
    except jwt.PyJWTError:
        raise TokenMalformado("El link está incompleto o dañado.") from None
    claims = _claims(payload)
    if as_utc(now) >= claims.exp:
        raise TokenExpirado(
            "El link venció. Pedí uno nuevo o sacá el turno desde el portal con tu usuario."
        )
    return claims


def extraer_token(token_or_url: str) -> str:
    """The token alone: from a bare token, or a URL (``?t=``/``?token=`` or its last path part)."""
    text = (token_or_url or "").strip()
    if len(text) > MAX_TOKEN_CHARS:
        raise TokenMalformado("El link está incompleto o dañado.")
    if "://" in text:
        parts = urlsplit(text)
        query = parse_qs(parts.query)
        for name in _QUERY_NAMES:
            if query.get(name):
                text = query[name][0].strip()
                break
        else:
            segments = [s for s in parts.path.split("/") if s]
            text = segments[-1] if segments else ""
    if text.count(".") != 2:
        raise TokenMalformado("El link está incompleto o dañado.")
    return text


def construir_link(base_url: str, token: str) -> str:
    """Patient URL: base + token. A base ending in ``=`` takes it as a query value."""
    base = base_url.strip()
    if base.endswith(("=", "/")):
        return base + token
    return base + "/" + token


def link_verificar_os(prestacion_id: int) -> str:
    """The requirements' reference portal path for one prestación (for the portal team)."""
    if not _is_id(prestacion_id):
        raise ValidationError("El id de prestación debe ser un entero positivo.")
    return VERIFICAR_OS_TEMPLATE.format(id=prestacion_id)


def _claims(payload: dict[str, Any]) -> TokenClaims:
    sub, sol, prs = payload.get("sub"), payload.get("sol"), payload.get("prs")
    iat, exp, jti = payload.get("iat"), payload.get("exp"), payload.get("jti")
    if not (isinstance(sub, str) and sub.isdigit() and sub.isascii()):
        raise TokenMalformado("El link no indica el paciente.")
    if not _is_id(sol):
        raise TokenMalformado("El link no indica la solicitud.")
    if not (isinstance(prs, list) and prs and all(_is_id(p) for p in prs)):
        raise TokenMalformado("El link no indica las prestaciones.")
    if not (_is_epoch(iat) and _is_epoch(exp) and iat <= exp):
        raise TokenMalformado("El link tiene fechas inválidas.")
    if not (isinstance(jti, str) and jti):
        raise TokenMalformado("El link no tiene identificador.")
    return TokenClaims(
        paciente_id=int(sub),
        solicitud_id=sol,
        prestacion_ids=list(prs),
        iat=datetime.fromtimestamp(iat, UTC),
        exp=datetime.fromtimestamp(exp, UTC),
        jti=jti,
    )


def _check_key(key: str) -> None:
    if not key:
        raise ConfigError("Falta la clave de firma de links.")
    if len(key.encode()) < MIN_KEY_BYTES:
        raise ConfigError(
            f"La clave de firma de links es demasiado corta (mínimo {MIN_KEY_BYTES} bytes)."
        )


def validar_clave_nueva(key: str) -> None:
    """A link key someone types must carry ≥ 32 bytes of entropy: long enough for its alphabet
    and not a repetition ("abc", 32 × "a", "abcabc…" are refused). ConfigError says why."""
    _check_key(key)
    alfabeto = 0
    if any(c.isdigit() for c in key):
        alfabeto += 10
    if any(c.islower() for c in key):
        alfabeto += 26
    if any(c.isupper() for c in key):
        alfabeto += 26
    if any(not c.isalnum() for c in key):
        alfabeto += 32
    bits_por_alfabeto = len(key) * math.log2(max(alfabeto, 2))
    cuenta = Counter(key)
    shannon = -sum(n / len(key) * math.log2(n / len(key)) for n in cuenta.values())
    if shannon < MIN_BITS_PER_CHAR or bits_por_alfabeto < MIN_KEY_BITS:
        raise ConfigError(
            "La clave de firma de links es demasiado predecible (caracteres repetidos o texto "
            "corto). Generá una con «dim-revision secrets generate link-key»."
        )


def _is_id(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


_MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z: anything later is not a real date


def _is_epoch(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_EPOCH


def _epoch(value: datetime) -> int:
    """Whole seconds (JWT NumericDate); naive datetimes are taken as UTC, like the database."""
    return int(as_utc(value).timestamp())
