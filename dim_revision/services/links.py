"""Verify a patient's link: signature and expiry (pure), then that it is still the current one (DB)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.domain.link_tokens import TokenClaims, TokenError, verificar_token


class TokenReemplazado(TokenError):
    """A newer send for the same request replaced this link, or the send was cancelled."""


class TokenAnulado(TokenReemplazado):
    """The send that carried this link was cancelled."""


class TokenYaUsado(TokenError):
    """The request already has its turno: the link did its job."""


def verificar_link(
    db: Database, key: str, token_or_url: str, *, now: datetime, issuer: str
) -> TokenClaims:
    claims = verificar_token(key, token_or_url, now=now, issuer=issuer)
    with db.uow() as uow:
        turno = uow.session.scalar(
            select(SolicitudAsistencia.id_turno_destino).where(
                SolicitudAsistencia.id == claims.solicitud_id
            )
        )
        if turno is not None:
            raise TokenYaUsado(
                f"Esta solicitud ya tiene turno (turno {turno}); si necesitás otro, pedilo desde "
                "el portal con tu usuario."
            )
        latest = uow.session.execute(
            select(Envio.token_id, Envio.estado)
            .where(Envio.solicitud_id == claims.solicitud_id)
            .order_by(Envio.id.desc())
            .limit(1)
        ).first()
    if latest is None or latest.token_id != claims.jti:
        raise TokenReemplazado(
            "Este link fue reemplazado por uno más nuevo; usá el último mensaje recibido."
        )
    if latest.estado == EstadoEnvio.CANCELADO:
        raise TokenAnulado("Este link fue anulado: el envío se canceló.")
    return claims
