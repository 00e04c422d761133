"""Signed link tokens: round trip, expiry against injected time, and every way to tamper."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dim_revision.domain.link_tokens import (
    VERIFICAR_OS_TEMPLATE,
    TokenClaims,
    TokenError,
    TokenExpirado,
    TokenFirmaInvalida,
    TokenMalformado,
    construir_link,
    emitir_token,
    link_verificar_os,
    verificar_token,
)
from dim_revision.errors import ConfigError, UserError, ValidationError

KEY = "clave-de-prueba-" + "k" * 32
OTRA_KEY = "otra-clave-distinta-" + "z" * 32
ISSUER = "dim-revision"
NOW = datetime(2026, 3, 10, 13, 0, 0, 250_000, tzinfo=UTC)
TTL = timedelta(days=7)


def _emitir(**kw: object) -> str:
    args: dict = {
        "paciente_id": 4021,
        "solicitud_id": 77,
        "prestacion_ids": [127, 33],
        "now": NOW,
        "ttl": TTL,
        "issuer": ISSUER,
    }
    args.update(kw)
    return emitir_token(KEY, **args).token


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_ida_y_vuelta() -> None:
    emitted = emitir_token(
        KEY,
        paciente_id=4021,
        solicitud_id=77,
        prestacion_ids=[127, 33],
        now=NOW,
        ttl=TTL,
        issuer=ISSUER,
    )
    assert len(emitted.jti) == 32 and int(emitted.jti, 16) >= 0
    assert emitted.exp == datetime(2026, 3, 17, 13, 0, 0, tzinfo=UTC)
    claims = verificar_token(KEY, emitted.token, now=NOW, issuer=ISSUER)
    assert claims == TokenClaims(
        paciente_id=4021,
        solicitud_id=77,
        prestacion_ids=[127, 33],
        iat=datetime(2026, 3, 10, 13, 0, 0, tzinfo=UTC),
        exp=emitted.exp,
        jti=emitted.jti,
    )


def test_jti_explicito_y_unicos() -> None:
    assert (
        emitir_token(
            KEY,
            paciente_id=1,
            solicitud_id=2,
            prestacion_ids=[3],
            now=NOW,
            ttl=TTL,
            issuer=ISSUER,
            jti="abc",
        ).jti
        == "abc"
    )
    jtis = {_payload(_emitir())["jti"] for _ in range(20)}
    assert len(jtis) == 20


def test_no_lleva_dni_ni_clave() -> None:
    payload = _payload(_emitir())
    assert set(payload) == {"iss", "sub", "sol", "prs", "iat", "exp", "jti"}
    assert payload["prs"] == [127, 33]


def test_vence_exactamente_en_exp() -> None:
    token = _emitir()
    exp = NOW.replace(microsecond=0) + TTL
    assert verificar_token(KEY, token, now=exp - timedelta(microseconds=1), issuer=ISSUER)
    with pytest.raises(TokenExpirado, match="venció"):
        verificar_token(KEY, token, now=exp, issuer=ISSUER)
    with pytest.raises(TokenExpirado):
        verificar_token(KEY, token, now=exp + timedelta(days=30), issuer=ISSUER)


def test_hora_naive_es_utc() -> None:
    token = _emitir(now=NOW.replace(tzinfo=None))
    exp = (NOW + TTL).replace(tzinfo=None, microsecond=0)
    with pytest.raises(TokenExpirado):
        verificar_token(KEY, token, now=exp, issuer=ISSUER)


def test_firma_falsificada() -> None:
    header, payload, signature = _emitir().split(".")
    forged = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    with pytest.raises(TokenFirmaInvalida, match="firma"):
        verificar_token(KEY, f"{header}.{payload}.{forged}", now=NOW, issuer=ISSUER)


def test_otra_clave() -> None:
    with pytest.raises(TokenFirmaInvalida):
        verificar_token(OTRA_KEY, _emitir(), now=NOW, issuer=ISSUER)


def test_payload_alterado() -> None:
    header, _, signature = _emitir().split(".")
    data = _payload(_emitir())
    data["prs"] = [999]
    with pytest.raises(TokenFirmaInvalida):
        verificar_token(KEY, f"{header}.{_b64(data)}.{signature}", now=NOW, issuer=ISSUER)


def test_otro_emisor() -> None:
    with pytest.raises(TokenFirmaInvalida, match="DIM"):
        verificar_token(KEY, _emitir(issuer="otro-sistema"), now=NOW, issuer=ISSUER)


def test_alg_none_rechazado() -> None:
    data = _payload(_emitir())
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(data)}."
    with pytest.raises(TokenFirmaInvalida):
        verificar_token(KEY, unsigned, now=NOW, issuer=ISSUER)


def test_otro_algoritmo_rechazado() -> None:
    data = _payload(_emitir())
    hs512 = jwt.encode(data, KEY + "x" * 32, algorithm="HS512")
    with pytest.raises(TokenFirmaInvalida):
        verificar_token(KEY + "x" * 32, hs512, now=NOW, issuer=ISSUER)


@pytest.mark.parametrize(
    "basura",
    [
        "",
        "   ",
        "hola",
        "a.b",
        "a.b.c",
        "....",
        "eyJhbGciOiJIUzI1NiJ9.e30.x",
        "https://dim.com.ar/",
        "ñ.ñ.ñ",
    ],
)
def test_basura(basura: str) -> None:
    with pytest.raises(TokenMalformado):
        verificar_token(KEY, basura, now=NOW, issuer=ISSUER)


@pytest.mark.parametrize("falta", ["exp", "iat", "jti", "sub", "iss"])
def test_faltan_claims(falta: str) -> None:
    data = _payload(_emitir())
    del data[falta]
    token = jwt.encode(data, KEY, algorithm="HS256")
    with pytest.raises(TokenMalformado, match=falta):
        verificar_token(KEY, token, now=NOW, issuer=ISSUER)


@pytest.mark.parametrize(
    "cambio",
    [
        {"sub": 4021},  # not a string
        {"sub": "DNI-30111222"},
        {"sol": "77"},
        {"sol": None},
        {"prs": []},
        {"prs": [127, "33"]},
        {"prs": [True]},
        {"prs": "127"},
        {"iat": "ayer"},
        {"iat": 1.5},
        {"exp": 10**20},
        {"jti": ""},
    ],
)
def test_claims_con_tipos_invalidos(cambio: dict) -> None:
    data = _payload(_emitir())
    data.update(cambio)
    data = {k: v for k, v in data.items() if v is not None}
    token = jwt.encode(data, KEY, algorithm="HS256")
    with pytest.raises(TokenMalformado):
        verificar_token(KEY, token, now=NOW, issuer=ISSUER)


@pytest.mark.parametrize(
    "plantilla",
    [
        "https://wsportal2023.dim.com.ar/turno-asistido/{t}",
        "https://wsportal2023.dim.com.ar/turno-asistido/{t}/",
        "https://portal.dim.com.ar/turno?t={t}",
        "https://portal.dim.com.ar/turno?utm=wa&token={t}",
        "  https://portal.dim.com.ar/a/b/{t}?utm=wa  ",
        "{t}",
        "  {t}\n",
    ],
)
def test_acepta_url_con_token(plantilla: str) -> None:
    token = _emitir()
    claims = verificar_token(KEY, plantilla.format(t=token), now=NOW, issuer=ISSUER)
    assert claims.solicitud_id == 77


@pytest.mark.parametrize(
    ("base", "esperado"),
    [
        (
            "https://wsportal2023.dim.com.ar/turno-asistido/",
            "https://wsportal2023.dim.com.ar/turno-asistido/TOK",
        ),
        (
            "https://wsportal2023.dim.com.ar/turno-asistido",
            "https://wsportal2023.dim.com.ar/turno-asistido/TOK",
        ),
        ("https://portal.dim.com.ar/turno?t=", "https://portal.dim.com.ar/turno?t=TOK"),
    ],
)
def test_construir_link(base: str, esperado: str) -> None:
    assert construir_link(base, "TOK") == esperado


def test_link_construido_se_verifica() -> None:
    link = construir_link("https://wsportal2023.dim.com.ar/turno-asistido", _emitir())
    assert verificar_token(KEY, link, now=NOW, issuer=ISSUER).prestacion_ids == [127, 33]


def test_link_verificar_os_del_requerimiento() -> None:
    assert (
        link_verificar_os(127)
        == "https://wsportal2023.dim.com.ar/api/v1/estudios/verificarOS/127/false/false//"
    )
    assert VERIFICAR_OS_TEMPLATE.format(id=5).endswith("/verificarOS/5/false/false//")
    with pytest.raises(ValidationError):
        link_verificar_os(0)


@pytest.mark.parametrize(
    "cambio",
    [
        {"prestacion_ids": []},
        {"prestacion_ids": [0]},
        {"prestacion_ids": [True]},
        {"paciente_id": -1},
        {"ttl": timedelta(0)},
    ],
)
def test_emitir_rechaza_datos_invalidos(cambio: dict) -> None:
    with pytest.raises(ValidationError):
        _emitir(**cambio)


@pytest.mark.parametrize("clave", ["", "corta"])
def test_clave_invalida(clave: str) -> None:
    with pytest.raises(ConfigError):
        emitir_token(
            clave,
            paciente_id=1,
            solicitud_id=2,
            prestacion_ids=[3],
            now=NOW,
            ttl=TTL,
            issuer=ISSUER,
        )
    with pytest.raises(ConfigError):
        verificar_token(clave, _emitir(), now=NOW, issuer=ISSUER)


def test_errores_son_user_error_en_castellano() -> None:
    assert issubclass(TokenError, UserError)
    for cls in (TokenExpirado, TokenFirmaInvalida, TokenMalformado):
        assert issubclass(cls, TokenError)


@given(st.text(max_size=200))
def test_texto_cualquiera_solo_token_error(texto: str) -> None:
    with pytest.raises(TokenError) as info:
        verificar_token(KEY, texto, now=NOW, issuer=ISSUER)
    assert str(info.value)


@given(st.integers(0, 2), st.integers(0, 200), st.characters(codec="ascii"))
def test_un_caracter_cambiado_nunca_pasa(parte: int, pos: int, char: str) -> None:
    token = _emitir()
    parts = token.split(".")
    target = parts[parte]
    pos %= len(target)
    if target[pos] == char:
        return
    parts[parte] = target[:pos] + char + target[pos + 1 :]
    try:
        claims = verificar_token(KEY, ".".join(parts), now=NOW, issuer=ISSUER)
    except TokenError:
        return
    # base64url's last char can carry unused bits: a change there may decode to the same bytes.
    assert claims == verificar_token(KEY, token, now=NOW, issuer=ISSUER)
