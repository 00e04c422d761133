"""Servicio mode: the link token is signed by the sender, right before the POST (issue #12).

Workstations in `[outbox] modo = "servicio"` hold no link key: Confirmar writes the Envio with an
empty `link`/`token_id`, and the worker that holds the key signs it here, in the batch's claim
transaction, while it owns the Envio (estado enviando, its lease). A link signed once is kept:
a retry or a re-queue sends the same token.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dim_revision.config import Settings
from dim_revision.db.models import Envio, SolicitudAsistencia, SolicitudPrestacion
from dim_revision.domain import link_tokens
from dim_revision.envio import por_worker
from dim_revision.envio.mover import Ref
from dim_revision.secrets import SecretStore, link_key
from dim_revision.shared.actor import Actor


class LinkSigner:
    def __init__(self, settings: Settings, secrets: SecretStore) -> None:
        self._link = settings.link
        self._variable = settings.botmaker.variable_link
        self._secrets = secrets

    def __call__(
        self, session: Session, envio_id: int, owner: Actor, now: datetime
    ) -> dict[str, Any] | None:
        """The new template variables if this Envio had no link yet (signed now), else None.
        Raises SecretMissing (a Spanish message) when this process holds no link key."""
        row = session.execute(
            select(Envio.link, Envio.parametros, Envio.solicitud_id).where(Envio.id == envio_id)
        ).one_or_none()
        if row is None or row.link:
            return None
        key = link_key(self._secrets)
        paciente_id = session.scalar(
            select(SolicitudAsistencia.paciente_id).where(
                SolicitudAsistencia.id == row.solicitud_id
            )
        )
        ids = list(
            session.scalars(
                select(SolicitudPrestacion.prestacion_id)
                .where(SolicitudPrestacion.solicitud_id == row.solicitud_id)
                .order_by(SolicitudPrestacion.orden)
            )
        )
        if paciente_id is None or not ids:
            return None  # nothing to sign: the worker's own checks fail it
        emitted = link_tokens.emitir_token(
            key,
            paciente_id=paciente_id,
            solicitud_id=row.solicitud_id,
            prestacion_ids=ids,
            now=now,
            ttl=timedelta(days=self._link.ttl_dias),
            issuer=self._link.issuer,
        )
        try:
            variables = json.loads(row.parametros or "{}")
        except ValueError:
            variables = {}
        if not isinstance(variables, dict):
            variables = {}
        variables[self._variable] = emitted.token
        row_ref = Ref(envio_id, row.solicitud_id)
        won = por_worker.firmar(
            session,
            row_ref,
            owner,
            now,
            {
                "link": link_tokens.construir_link(self._link.base_url, emitted.token),
                "token_id": emitted.jti,
                "parametros": json.dumps(variables, ensure_ascii=False),
            },
            emitted.jti,
        )
        return variables if won else None
