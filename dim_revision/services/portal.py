"""What the portal asks the service (issue #12): verify a link, a request's state for the portal.

Plain functions over the database, the link key and settings; the HTTP layer (`api/`) only maps
them to JSON and status codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from dim_revision.db import dim_repo
from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import etiqueta_envio
from dim_revision.domain.link_tokens import (
    TokenClaims,
    TokenExpirado,
    TokenFirmaInvalida,
    TokenMalformado,
)
from dim_revision.errors import NotFound
from dim_revision.services.links import TokenAnulado, TokenReemplazado, verificar_link

MAX_TOKEN_CHARS = 4096  # a real link token is ~300 characters; never decode a huge one

# Stable codes for the portal, one per refusal class (checked in order: subclasses first).
TOKEN_CODES: tuple[tuple[type[Exception], str], ...] = (
    (TokenExpirado, "vencido"),
    (TokenFirmaInvalida, "firma_invalida"),
    (TokenAnulado, "anulado"),
    (TokenReemplazado, "reemplazado"),
    (TokenMalformado, "malformado"),
)


def token_code(exc: Exception) -> str:
    return next((code for cls, code in TOKEN_CODES if isinstance(exc, cls)), "malformado")


@dataclass(frozen=True)
class PrestacionReserva:
    id: int
    codigo: str
    nombre: str
    url_reserva: str


@dataclass(frozen=True)
class LinkVerificado:
    claims: TokenClaims
    prestaciones: tuple[PrestacionReserva, ...]


def url_reserva(template: str, prestacion_id: int) -> str:
    return template.replace("{id}", str(prestacion_id))


def verificar(
    db: Database, key: str, token_or_url: str, *, now: datetime, issuer: str, template: str
) -> LinkVerificado:
    if len(token_or_url) > MAX_TOKEN_CHARS:
        raise TokenMalformado("El link es demasiado largo: no es un link de DIM.")
    claims = verificar_link(db, key, token_or_url, now=now, issuer=issuer)
    with db.uow() as uow:
        found = {
            pid: (p.codigo, p.nombre)
            for pid, p in dim_repo.prestaciones(uow.session, claims.prestacion_ids).items()
        }
    prestaciones = tuple(
        PrestacionReserva(pid, found[pid][0], found[pid][1], url_reserva(template, pid))
        for pid in claims.prestacion_ids
        if pid in found
    )
    return LinkVerificado(claims, prestaciones)


@dataclass(frozen=True)
class EnvioPortal:
    estado: str
    entrega: str | None
    etiqueta: str
    enviado_en: datetime | None
    entregado_en: datetime | None
    leido_en: datetime | None
    error_entrega: str | None
    respuesta_en: datetime | None


@dataclass(frozen=True)
class EstadoSolicitud:
    id: int
    resuelta: bool
    turno_id: int | None
    envio: EnvioPortal | None


def estado_solicitud(db: Database, solicitud_id: int) -> EstadoSolicitud:
    with db.uow() as uow:
        s = uow.session
        sol = s.execute(
            select(
                SolicitudAsistencia.id,
                SolicitudAsistencia.resuelto,
                SolicitudAsistencia.id_turno_destino,
                SolicitudAsistencia.fecha_baja,
            ).where(SolicitudAsistencia.id == solicitud_id)
        ).one_or_none()
        if sol is None or sol.fecha_baja is not None:
            raise NotFound(f"No existe la solicitud {solicitud_id}.")
        e = s.execute(
            select(
                Envio.estado,
                Envio.estado_entrega,
                Envio.enviado_en,
                Envio.entregado_en,
                Envio.leido_en,
                Envio.error_entrega,
                Envio.respuesta_en,
            )
            .where(Envio.solicitud_id == solicitud_id)
            .order_by(Envio.id.desc())
            .limit(1)
        ).first()
    envio = (
        EnvioPortal(
            e.estado,
            e.estado_entrega,
            etiqueta_envio(e.estado, e.estado_entrega),
            e.enviado_en,
            e.entregado_en,
            e.leido_en,
            e.error_entrega,
            e.respuesta_en,
        )
        if e is not None
        else None
    )
    return EstadoSolicitud(sol.id, bool(sol.resuelto), sol.id_turno_destino, envio)
