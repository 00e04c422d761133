"""WhatsApp normalization of Argentine mobiles: the formats people really type."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dim_revision.domain import phones
from dim_revision.domain.phones import (
    enmascarar,
    formatear,
    normalizar_whatsapp,
    resultado_whatsapp,
)
from dim_revision.errors import UserError, ValidationError

WHATSAPP = re.compile(r"^549\d{10}$")

VALIDOS = [
    # CABA, every way people write it
    ("011 15-2345-6789", "5491123456789"),
    ("+54 9 11 2345-6789", "5491123456789"),
    ("11 2345-6789", "5491123456789"),
    ("5491123456789", "5491123456789"),
    ("+5491123456789", "5491123456789"),
    ("(011) 2345-6789", "5491123456789"),
    ("(011) 15 2345-6789", "5491123456789"),
    ("11 15 2345 6789", "5491123456789"),
    ("1123456789", "5491123456789"),
    ("91123456789", "5491123456789"),
    ("011.2345.6789", "5491123456789"),
    ("  011 15 2345 6789  ", "5491123456789"),
    ("011\u00a015\u00a02345\u00a06789", "5491123456789"),  # non-breaking spaces from a paste
    ("541123456789", "5491123456789"),  # 54 without the 9
    ("+54 11 2345 6789", "5491123456789"),
    ("+54 11 15 2345 6789", "5491123456789"),
    ("00541123456789", "5491123456789"),  # international prefix, no 9
    ("0054 9 11 2345 6789", "5491123456789"),
    ("549 11 15 2345 6789", "5491123456789"),  # both the 9 and the 15
    ("+54 9 011 2345 6789", "5491123456789"),  # the 9 and the trunk 0
    ("054 11 2345 6789", "5491123456789"),  # trunk 0 before the country code
    ("0 11 15 2345 6789", "5491123456789"),
    ("011 1500-0000", "5491115000000"),  # a number that itself starts with 15, after the 0
    ("011 1 5000000", "5491115000000"),
    ("011/15-2345-6789", "5491123456789"),
    # Interior
    ("(0351) 15 555-1234", "5493515551234"),
    ("0351 555-1234", "5493515551234"),
    ("351 15 555 1234", "5493515551234"),
    ("+54 9 351 555 1234", "5493515551234"),
    ("0221 15-456-7890", "5492214567890"),
    ("+54 221 456 7890", "5492214567890"),
    ("0341 156 123456", "5493416123456"),
    ("02966 15 42 3456", "5492966423456"),  # 4-digit area code (Río Gallegos)
]


@pytest.mark.parametrize(("raw", "esperado"), VALIDOS)
def test_formatos_validos(raw: str, esperado: str) -> None:
    assert normalizar_whatsapp(raw) == esperado
    assert resultado_whatsapp(raw) == phones.PhoneResult(esperado, None)


INVALIDOS = [
    (None, phones.MOTIVO_VACIO),
    ("", phones.MOTIVO_VACIO),
    ("   ", phones.MOTIVO_VACIO),
    ("15-2345-6789", phones.MOTIVO_SIN_CARACTERISTICA),
    ("15 555 1234", phones.MOTIVO_SIN_CARACTERISTICA),
    ("2345-6789", phones.MOTIVO_SIN_CARACTERISTICA),
    ("4321 1234", phones.MOTIVO_SIN_CARACTERISTICA),
    ("cel 11 2345 6789", phones.MOTIVO_CARACTERES),
    ("11 2345 678O", phones.MOTIVO_CARACTERES),  # a letter O for a zero
    ("no tiene", phones.MOTIVO_CARACTERES),
    ("11 2345-6789 int. 12", phones.MOTIVO_CARACTERES),
    ("---", phones.MOTIVO_NO_NUMERO),
    ("+", phones.MOTIVO_NO_NUMERO),
    ("1234", phones.MOTIVO_CORTO),
    ("011 15 2345 678", phones.MOTIVO_CORTO),
    ("0114321123", phones.MOTIVO_CORTO),
    ("011 15 2345 67890", phones.MOTIVO_LARGO),
    ("5491123456789123", phones.MOTIVO_LARGO),
    ("1123456789012345678901234567890", phones.MOTIVO_LARGO),
    ("0800 333 1234", phones.MOTIVO_ESPECIAL),
    ("0810 555 1234", phones.MOTIVO_ESPECIAL),
    ("0600 555 1234", phones.MOTIVO_ESPECIAL),
    ("2966 15 12 3456", phones.MOTIVO_INVALIDO),  # Río Gallegos has no 1x-xxxx numbers
    ("6750001234", phones.MOTIVO_INVALIDO),  # MOBILE for phonenumbers, but not 549…
]


@pytest.mark.parametrize(("raw", "motivo"), INVALIDOS)
def test_formatos_invalidos_con_motivo(raw: str | None, motivo: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalizar_whatsapp(raw)
    assert str(info.value) == motivo
    assert resultado_whatsapp(raw) == phones.PhoneResult(None, motivo)


@pytest.mark.parametrize(
    ("raw", "pais"),
    [
        ("+1 212 555 1234", "+1"),
        ("+598 99 123 456", "+598"),
        ("00598 99 123 456", "+598"),
        ("+34 612 345 678", "+34"),
    ],
)
def test_otro_pais(raw: str, pais: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(f"otro país ({pais})")):
        normalizar_whatsapp(raw)


def test_motivos_en_castellano_y_sin_el_numero() -> None:
    """The reason is shown to operators and may reach logs: it must not echo the phone."""
    for raw, _ in INVALIDOS:
        motivo = resultado_whatsapp(raw).motivo
        assert motivo and motivo.endswith(".")
        assert "2345" not in motivo


def test_un_fijo_se_toma_como_celular_porque_comparten_numeracion() -> None:
    """Reality check of the metadata the 9-insertion rule relies on: a number typed without 15/9
    is FIXED_LINE for phonenumbers, and the same digits with a 9 are a valid MOBILE."""
    fijo = phonenumbers.parse("011 4321-1234", "AR")
    assert phonenumbers.number_type(fijo) == phonenumbers.PhoneNumberType.FIXED_LINE
    assert normalizar_whatsapp("011 4321-1234") == "5491143211234"


@pytest.mark.parametrize(
    ("numero", "humano"),
    [
        ("5491123456789", "+54 9 11 2345-6789"),
        ("5493515551234", "+54 9 351 555-1234"),
        ("5492966423456", "+54 9 2966 42-3456"),
        ("011 15-2345-6789", "+54 9 11 2345-6789"),
    ],
)
def test_formatear(numero: str, humano: str) -> None:
    assert formatear(numero) == humano


def test_formatear_no_falla_con_basura() -> None:
    assert formatear(" 15-2345-6789 ") == "15-2345-6789"
    assert formatear(None) == ""


@pytest.mark.parametrize(
    ("numero", "oculto"),
    [
        ("5491123456789", "*********6789"),
        ("+54 9 11 2345-6789", "*********6789"),
        ("1234", "****"),
        ("12", "**"),
        ("", ""),
        (None, ""),
    ],
)
def test_enmascarar(numero: str | None, oculto: str) -> None:
    assert enmascarar(numero) == oculto


# --- properties -------------------------------------------------------------------------------

AREAS = ["11", "221", "223", "261", "291", "299", "341", "342", "351", "381", "387", "2966", "3543"]


@st.composite
def movil_tipeado(draw: st.DrawFn) -> tuple[str, str]:
    """A real-looking AR mobile, written the way a person might, and its WhatsApp form."""
    area = draw(st.sampled_from(AREAS))
    local = draw(st.text("0123456789", min_size=10 - len(area), max_size=10 - len(area)))
    national = area + local
    fixed = phonenumbers.PhoneNumber(country_code=54, national_number=int(national))
    assume(phonenumbers.is_valid_number(fixed))
    sep = draw(st.sampled_from([" ", "-", ".", "", "  "]))
    split = draw(st.integers(1, len(local) - 1))
    body = local[:split] + sep + local[split:]
    area_txt = draw(st.sampled_from([area, "0" + area, f"({area})", f"(0{area})"]))
    style = draw(st.sampled_from(["local", "quince", "intl", "intl9", "intl_sin_mas", "idd"]))
    if style == "local":
        text = f"{area_txt} {body}"
    elif style == "quince":
        text = f"{area_txt} 15{sep}{body}"
    elif style == "intl":
        text = f"+54 {area} {body}"
    elif style == "intl9":
        text = f"+54 9 {area} {body}"
    elif style == "intl_sin_mas":
        text = f"549{area}{local}"
    else:
        text = f"0054 9 {area} {body}"
    pad = draw(st.sampled_from(["", " ", "\t", " \u00a0"]))
    return pad + text + pad, "549" + national


@given(movil_tipeado())
def test_cualquier_forma_de_tipear_un_movil(caso: tuple[str, str]) -> None:
    raw, esperado = caso
    assert normalizar_whatsapp(raw) == esperado


@given(movil_tipeado())
def test_idempotente_y_formato_whatsapp(caso: tuple[str, str]) -> None:
    numero = normalizar_whatsapp(caso[0])
    assert WHATSAPP.match(numero)
    assert normalizar_whatsapp(numero) == numero


@given(movil_tipeado())
def test_formatear_y_volver(caso: tuple[str, str]) -> None:
    numero = normalizar_whatsapp(caso[0])
    assert normalizar_whatsapp(formatear(numero)) == numero


@given(st.one_of(st.text(), st.text("0123456789 +-().", max_size=30), st.none()))
def test_solo_falla_con_validation_error(raw: str | None) -> None:
    try:
        numero = normalizar_whatsapp(raw)
    except ValidationError as exc:
        assert isinstance(exc, UserError) and str(exc)
        assert resultado_whatsapp(raw).motivo == str(exc)
    else:
        assert WHATSAPP.match(numero)
        assert normalizar_whatsapp(numero) == numero
        assert normalizar_whatsapp(formatear(numero)) == numero
