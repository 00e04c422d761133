"""Argentine mobile numbers in the form WhatsApp (Botmaker) wants: digits only, 54 9 area number.

What `phonenumbers` (region AR) says, and what these rules are built on:

* A mobile is stored as national number ``9`` + area code + subscriber (11 digits, type MOBILE);
  the ``0`` trunk prefix and the ``15`` mobile prefix are understood when parsing
  (``011 15-2345-6789`` → ``91123456789``).
* A number typed without ``15``/``9`` parses as FIXED_LINE: in Argentina landlines and mobiles
  share the same numbering space, so the digits alone cannot tell them apart. The metadata's
  MOBILE pattern is exactly "9 + a valid FIXED_LINE number", so we insert the ``9`` and keep the
  result when it is a valid MOBILE (that is how patients type their cell phones). A fixed line
  that would not become a valid mobile is refused as a landline (no such number exists in the
  current metadata, but the rule stays explicit rather than silently accepting it).
* 0800 (TOLL_FREE), 0810 (UAN) and 0600 (PREMIUM_RATE) numbers are never mobiles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from dim_revision.domain.texto_usuario import normalizar_digitos
from dim_revision.errors import ValidationError

_REGION = "AR"
_WHATSAPP = re.compile(r"^549\d{10}$")
# What people put around the digits: spaces (incl. non-breaking), dashes, dots, parentheses, slash.
_TYPABLE = re.compile(r"^[0-9\s+\-.()/]+$")
_SPECIAL_TYPES = {
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.UAN,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
}

MOTIVO_VACIO = "no hay un número de celular cargado."
MOTIVO_CARACTERES = "tiene letras u otros caracteres que no van en un teléfono."
MOTIVO_NO_NUMERO = "no es un número de teléfono."
MOTIVO_FIJO = "es un teléfono fijo; WhatsApp necesita un celular."
MOTIVO_ESPECIAL = "es un número 0800/0810/0600, no un celular."
MOTIVO_SIN_CARACTERISTICA = "falta la característica (código de área)."
MOTIVO_CORTO = "el número es demasiado corto."
MOTIVO_LARGO = "el número es demasiado largo."
MOTIVO_INVALIDO = "la característica o el número no existen en Argentina."


@dataclass(frozen=True)
class PhoneResult:
    """How a typed phone will be used for WhatsApp (`numero`), or why it cannot (`motivo`)."""

    numero: str | None
    motivo: str | None

    @property
    def valido(self) -> bool:
        return self.numero is not None


def normalizar_whatsapp(raw: str | None) -> str:
    """``'011 15-2345-6789'`` → ``'5491123456789'``; raises ValidationError with the reason."""
    result = resultado_whatsapp(raw)
    if result.numero is None:
        raise ValidationError(result.motivo or MOTIVO_NO_NUMERO)
    return result.numero


def resultado_whatsapp(raw: str | None) -> PhoneResult:
    """Non-raising variant for display: the WhatsApp number, or a Spanish reason."""
    try:
        return PhoneResult(_normalizar(raw), None)
    except ValidationError as exc:
        return PhoneResult(None, str(exc))


def formatear(numero_whatsapp: str | None) -> str:
    """For people: ``'5491123456789'`` → ``'+54 9 11 2345-6789'``.

    Display must never fail, so text that is not a usable mobile comes back unchanged (stripped);
    `resultado_whatsapp` says why.
    """
    result = resultado_whatsapp(numero_whatsapp)
    if result.numero is None:
        return (numero_whatsapp or "").strip()
    parsed = phonenumbers.parse("+" + result.numero, None)
    return str(phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL))


def enmascarar(numero: str | None) -> str:
    """For logs: keep only the last 4 digits (``'*********6789'``); a phone is personal data."""
    digits = re.sub(r"\D", "", numero or "")
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def _normalizar(raw: str | None) -> str:
    text = normalizar_digitos(raw or "").strip()
    if not text:
        raise ValidationError(MOTIVO_VACIO)
    if not _TYPABLE.match(text):
        raise ValidationError(MOTIVO_CARACTERES)
    digits = re.sub(r"\D", "", text)
    if not digits:
        raise ValidationError(MOTIVO_NO_NUMERO)
    parsed = _parse(text)
    if parsed is None:
        raise ValidationError(_motivo_invalido(text, digits, None))
    if parsed.country_code != 54:
        raise ValidationError(
            f"es un número de otro país (+{parsed.country_code}); "
            "WhatsApp se envía sólo a celulares de Argentina."
        )
    numero = _como_movil(parsed)
    if numero is None:
        repaired = _reparar(str(parsed.national_number))
        numero = _como_movil(repaired) if repaired is not None else None
    if numero is None:
        trunk_free = _sin_prefijo_troncal(digits)
        numero = _como_movil(trunk_free) if trunk_free is not None else None
    if numero is None:
        raise ValidationError(_motivo_invalido(text, digits, parsed))
    if not _WHATSAPP.match(numero):  # e.g. the odd 675 range: a mobile WhatsApp can't address
        raise ValidationError(MOTIVO_INVALIDO)
    return numero


def _parse(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, _REGION)
    except NumberParseException:
        return None


def _como_movil(parsed: phonenumbers.PhoneNumber) -> str | None:
    """The 549… form when `parsed` is (or, with the 9 inserted, becomes) a valid AR mobile."""
    if parsed.country_code != 54 or not phonenumbers.is_valid_number(parsed):
        return None
    kind = phonenumbers.number_type(parsed)
    national = str(parsed.national_number)
    if kind == PhoneNumberType.MOBILE:
        return "54" + national
    if kind in _SPECIAL_TYPES:
        raise ValidationError(MOTIVO_ESPECIAL)
    if kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        with_nine = phonenumbers.PhoneNumber(country_code=54, national_number=int("9" + national))
        if phonenumbers.number_type(with_nine) == PhoneNumberType.MOBILE:
            return "549" + national
        raise ValidationError(MOTIVO_FIJO)
    return None


def _reparar(national: str) -> phonenumbers.PhoneNumber | None:
    """Second chance for mixes phonenumbers doesn't undo on its own.

    ``549 11 15 2345 6789`` (9 and 15), ``+54 9 011 …`` (9 and the trunk 0), ``054 11 …``
    (trunk 0 before the country code): drop the 54/9/0 in front and parse what is left as a
    national number, so the usual 0/15 rules apply.
    """
    rest = national
    if rest.startswith("54") and len(rest) >= 12:
        rest = rest[2:]
    if rest.startswith("9"):
        rest = rest[1:]
    rest = rest.lstrip("0")
    if rest == national or len(rest) < 10:
        return None
    return _parse("0" + rest)


def _sin_prefijo_troncal(digits: str) -> phonenumbers.PhoneNumber | None:
    """``011 1500-0000``: after the trunk 0, phonenumbers takes a local number that starts with
    15 for the mobile prefix and is left with too few digits. When exactly ten digits (area code
    and number) follow the 0, read them as the whole national number instead."""
    if not digits.startswith("0") or digits.startswith("00"):
        return None
    rest = digits[1:]
    return _parse(rest) if len(rest) == 10 else None


def _motivo_invalido(text: str, digits: str, parsed: phonenumbers.PhoneNumber | None) -> str:
    """Best guess at why a number did not make it, in the operator's terms."""
    local = not text.startswith("+") and not digits.startswith(("0", "54"))
    if local and ((digits.startswith("15") and 8 <= len(digits) <= 10) or 6 <= len(digits) <= 8):
        return MOTIVO_SIN_CARACTERISTICA
    if parsed is None:
        if len(digits) < 6:
            return MOTIVO_CORTO
        return MOTIVO_LARGO if len(digits) > 15 else MOTIVO_NO_NUMERO
    national = str(parsed.national_number)
    # Argentine area codes start with 1-3; a leading 9 is always the mobile prefix.
    subscriber = national[1:] if national.startswith("9") else national
    if len(subscriber) < 10:
        return MOTIVO_CORTO
    if len(subscriber) > 10:
        return MOTIVO_LARGO
    return MOTIVO_INVALIDO
