"""The test vector published for the portal team (docs/portal-integration.md) is what our code
signs and verifies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dim_revision.domain.link_tokens import (
    TokenExpirado,
    TokenFirmaInvalida,
    emitir_token,
    verificar_token,
)
from dim_revision.secrets import key_fingerprint

DOC = Path(__file__).resolve().parents[2] / "docs" / "portal-integration.md"
KEY = "dim-revision-vector-de-prueba-0123456789abcdef"
IAT = datetime.fromtimestamp(1773147600, UTC)


def test_vector_in_the_docs_matches_our_signer_and_verifier() -> None:
    token = emitir_token(
        KEY,
        paciente_id=1234,
        solicitud_id=987,
        prestacion_ids=[127, 301],
        now=IAT,
        ttl=timedelta(days=7),
        issuer="dim-revision",
        jti="9f4806def8564e9688f2a26655b88b1d",
    ).token
    doc = DOC.read_text(encoding="utf-8")
    assert token in doc and KEY in doc
    assert f"fingerprint `{key_fingerprint(KEY)}`" in doc
    claims = verificar_token(KEY, token, now=IAT + timedelta(hours=1), issuer="dim-revision")
    assert (claims.paciente_id, claims.solicitud_id, claims.prestacion_ids) == (
        1234,
        987,
        [127, 301],
    )
    with pytest.raises(TokenFirmaInvalida):
        tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
        verificar_token(KEY, tampered, now=IAT, issuer="dim-revision")
    with pytest.raises(TokenExpirado):
        verificar_token(KEY, token, now=IAT + timedelta(days=8), issuer="dim-revision")
