"""Personal data and bearer tokens never reach logs or stored provider text; typed digits in any
Unicode form are digits; oversized tokens are refused before any decoding."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dim_revision.domain.link_tokens import TokenMalformado, emitir_token, verificar_token
from dim_revision.domain.phones import normalizar_whatsapp
from dim_revision.logging_setup import mask_text
from dim_revision.services.intake import normalizar_dni
from dim_revision.shared.masking import mask_provider_text
from tests.conftest import FIXED_NOW

KEY = "clave-de-prueba-" + "x" * 32

dnis = st.integers(min_value=1_000_000, max_value=99_999_999).map(str)
phones = st.integers(min_value=10_000_000, max_value=99_999_999).map(lambda n: f"54911{n}")
before = st.sampled_from(
    [
        "",
        "DNI",
        "DNI ",
        "dni:",
        "Tel.",
        "tel ",
        "Cel:",
        "(",
        "2026-03-10 ",
        "2026-03-10T10:00 ",
        "Paciente_",
        "nro=",
        "#",
        "«",
        "id ",
    ]
)
after = st.sampled_from(["", " ", ".", ",", ")", " fin", ".pdf", "»", "\n"])


def _dni_forms(dni: str) -> list[str]:
    d = dni.rjust(8, "0")
    return [dni, f"{d[:2]}.{d[2:5]}.{d[5:]}", f"{d[:2]} {d[2:5]} {d[5:]}"]


@given(dni=dnis, pre=before, post=after, form=st.integers(0, 2))
def test_a_dni_in_any_context_is_fully_masked(dni: str, pre: str, post: str, form: int) -> None:
    text = pre + _dni_forms(dni)[form] + post
    masked = mask_text(text)
    digits = re.sub(r"\D", "", masked)
    assert dni[-4:] not in digits or dni[-4:] in re.sub(r"\D", "", pre + post)


@given(phone=phones, pre=before, post=after)
def test_a_phone_in_any_context_keeps_only_its_last_four(phone: str, pre: str, post: str) -> None:
    masked = mask_text(pre + phone + post)
    assert phone[:-4] not in masked
    assert phone[-4:] in masked


def test_named_cases_from_the_issue() -> None:
    assert mask_text("DNI39059857") == "DNI********"
    assert mask_text("Tel.5491123456789") == "Tel.*********6789"
    assert mask_text("2026-03-10 39059857") == "2026-03-10 ********"
    assert mask_text("39 059 857") == "********"


def test_jwt_and_link_are_masked_in_provider_text() -> None:
    token = emitir_token(
        KEY,
        paciente_id=1,
        solicitud_id=2,
        prestacion_ids=[3],
        now=FIXED_NOW,
        ttl=__import__("datetime").timedelta(days=1),
        issuer="dim-revision",
    ).token
    text = f'{{"link": "https://wsportal2023.dim.com.ar/turno-asistido/{token}", "nombre": "Ana"}}'
    masked = mask_provider_text(text, ["Ana"])
    assert token not in masked and "eyJ" not in masked and "Ana" not in masked
    assert "wsportal2023.dim.com.ar" in masked
    assert token.split(".")[1] not in mask_text(f"token {token}")


def test_a_huge_token_is_refused_before_decoding() -> None:
    huge = "eyJ" + "A" * (50 * 1024 * 1024) + ".x.y"
    with pytest.raises(TokenMalformado):
        verificar_token(KEY, huge, now=FIXED_NOW, issuer="dim-revision")


@pytest.mark.parametrize(
    ("raw", "dni"),
    [("３９０５９８５７", "39059857"), ("٣٩.٠٥٩.٨٥٧", "39059857"), ("39 059 857", "39059857")],
)
def test_unicode_digits_in_a_dni(raw: str, dni: str) -> None:
    assert normalizar_dni(raw) == dni


def test_unicode_digits_in_a_phone_and_superscripts_refused() -> None:
    assert normalizar_whatsapp("０１１ １５-２３４５-６７８９") == "5491123456789"
    with pytest.raises(Exception, match="DNI"):
        normalizar_dni("39²")
