"""Confirmar envío and the 15-minute correction window (DESIGN §4 steps 3–4).

Confirming writes, in ONE transaction, the chosen prestaciones, the resolved mark, the signed link
and the outbox row (Envio, due after the correction window) plus the audit event. Edit, cancel and
"send now" are conditional UPDATEs on `estado = 'programado'`: once the worker has claimed the send
(estado 'enviando') they lose, with a clear message, and the worker wins — never both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dim_revision.config import Settings
from dim_revision.db import dim_repo
from dim_revision.db.dim_repo import PacienteDim, PrestacionDim
from dim_revision.db.models import Envio, SolicitudAsistencia, SolicitudPrestacion
from dim_revision.db.uow import Database
from dim_revision.domain import link_tokens, mensaje
from dim_revision.domain.enums import ESTADOS_VIVOS, EstadoEnvio
from dim_revision.domain.phones import enmascarar, normalizar_whatsapp
from dim_revision.errors import EnvioLocked, NotFound, ValidationError
from dim_revision.services.actor import Actor
from dim_revision.services.aprendizaje import registrar_elecciones
from dim_revision.services.audit import registrar_evento
from dim_revision.services.guards import guarded_update, resolved_values


@dataclass(frozen=True)
class EnvioConfig:
    demora: timedelta
    plantilla: str
    variables: mensaje.VariablesPlantilla
    link_base_url: str
    link_ttl: timedelta
    issuer: str

    @classmethod
    def from_settings(cls, settings: Settings) -> EnvioConfig:
        bm = settings.botmaker
        return cls(
            demora=timedelta(minutes=settings.envio.demora_minutos),
            plantilla=bm.plantilla,
            variables=mensaje.VariablesPlantilla(
                bm.variable_nombre, bm.variable_prestaciones, bm.variable_link
            ),
            link_base_url=settings.link.base_url,
            link_ttl=timedelta(days=settings.link.ttl_dias),
            issuer=settings.link.issuer,
        )


@dataclass(frozen=True)
class Borrador:
    """Everything that will go out, computed before writing (the confirm preview shows it)."""

    solicitud_id: int
    paciente_id: int
    prestacion_ids: tuple[int, ...]
    prestaciones: tuple[str, ...]
    telefono: str
    token: str
    jti: str
    link: str
    parametros: dict[str, str]
    texto: str


@dataclass(frozen=True)
class EnvioProgramado:
    envio_id: int
    solicitud_id: int
    solicitud_version: int
    telefono: str
    link: str
    enviar_desde: datetime
    texto: str


def _prestaciones(session: Session, ids: list[int]) -> list[PrestacionDim]:
    if not ids:
        raise ValidationError("Elegí al menos una prestación antes de confirmar el envío.")
    if len(set(ids)) != len(ids):
        raise ValidationError("Hay una prestación repetida en la selección.")
    found = dim_repo.prestaciones(session, ids)
    for pid in ids:
        if pid not in found:
            raise ValidationError(f"La prestación {pid} no existe en el catálogo.")
        if not found[pid].activa:
            raise ValidationError(f"La prestación «{found[pid].nombre}» no está activa.")
    return [found[pid] for pid in ids]


def _solicitud(session: Session, solicitud_id: int) -> tuple[SolicitudAsistencia, PacienteDim]:
    sol = session.get(SolicitudAsistencia, solicitud_id)
    if sol is None or sol.fecha_baja is not None:
        raise NotFound(f"La solicitud {solicitud_id} no existe o fue dada de baja.")
    paciente = dim_repo.paciente(session, sol.paciente_id)
    if paciente is None:
        raise NotFound(
            f"El paciente {sol.paciente_id} de la solicitud {solicitud_id} ya no está en la "
            "base de DIM."
        )
    return sol, paciente


def _telefono(sol: SolicitudAsistencia, paciente: PacienteDim) -> str:
    try:
        return normalizar_whatsapp(sol.movil_ingresado or paciente.telefono_movil)
    except ValidationError as exc:
        raise ValidationError(f"No se puede enviar por WhatsApp: {exc}") from None


# Servicio mode (`[outbox] modo = "servicio"`): the workstation holds no link key, so the Envio is
# written without a token (link and token_id empty) and the service signs it right before the
# POST. The preview shows this placeholder where the link goes.
LINK_PLACEHOLDER = "«link personal: se genera al enviar el mensaje»"


def _borrador(
    session: Session,
    cfg: EnvioConfig,
    key: str | None,
    now: datetime,
    solicitud_id: int,
    ids: list[int],
) -> Borrador:
    """`key` None: servicio mode, the token is signed later by the service (`firmar_pendiente`)."""
    prestaciones = _prestaciones(session, ids)
    sol, paciente = _solicitud(session, solicitud_id)
    telefono = _telefono(sol, paciente)
    if key is None:
        token = jti = link = ""
    else:
        emitted = link_tokens.emitir_token(
            key,
            paciente_id=paciente.id,
            solicitud_id=sol.id,
            prestacion_ids=list(ids),
            now=now,
            ttl=cfg.link_ttl,
            issuer=cfg.issuer,
        )
        token, jti = emitted.token, emitted.jti
        link = link_tokens.construir_link(cfg.link_base_url, token)
    nombres = [p.nombre for p in prestaciones]
    return Borrador(
        solicitud_id=sol.id,
        paciente_id=paciente.id,
        prestacion_ids=tuple(ids),
        prestaciones=tuple(nombres),
        telefono=telefono,
        token=token,
        jti=jti,
        link=link,
        parametros=mensaje.parametros(
            cfg.variables, nombre=paciente.nombre_saludo, prestaciones=nombres, token=token
        ),
        texto=mensaje.texto_vista_previa(
            nombre=paciente.nombre_saludo,
            prestaciones=nombres,
            link=link or LINK_PLACEHOLDER,
            dias=max(1, round(cfg.link_ttl / timedelta(days=1))),
        ),
    )


def preparar_envio(
    db: Database,
    cfg: EnvioConfig,
    key: str | None,
    now: datetime,
    solicitud_id: int,
    prestacion_ids: list[int],
) -> Borrador:
    """Validate and build the message without writing anything (for the confirm preview)."""
    with db.uow() as uow:
        return _borrador(uow.session, cfg, key, now, solicitud_id, list(prestacion_ids))


def _replace_prestaciones(session: Session, solicitud_id: int, ids: tuple[int, ...]) -> None:
    session.execute(
        delete(SolicitudPrestacion).where(SolicitudPrestacion.solicitud_id == solicitud_id)
    )
    session.add_all(
        SolicitudPrestacion(solicitud_id=solicitud_id, prestacion_id=pid, orden=i)
        for i, pid in enumerate(ids)
    )


def _live_envio(session: Session, solicitud_id: int) -> Envio | None:
    return session.scalars(
        select(Envio).where(Envio.solicitud_id == solicitud_id, Envio.estado.in_(ESTADOS_VIVOS))
    ).first()


def confirmar_envio(
    db: Database,
    actor: Actor,
    now: datetime,
    cfg: EnvioConfig,
    key: str | None,
    *,
    solicitud_id: int,
    version: int,
    prestacion_ids: list[int],
    borrador: Borrador | None = None,
    consultas: Mapping[int, str] | None = None,
) -> EnvioProgramado:
    """`consultas`: for the prestaciones added from the search, the query typed before each
    (recorded for the search's learning, in this same transaction)."""
    with db.uow() as uow:
        s = uow.session
        if (
            borrador is None
            or borrador.prestacion_ids != tuple(prestacion_ids)
            or borrador.solicitud_id != solicitud_id
        ):
            borrador = _borrador(s, cfg, key, now, solicitud_id, list(prestacion_ids))
        else:  # re-validate: the catalog or the patient may have changed since the preview
            _prestaciones(s, list(prestacion_ids))
            sol, paciente = _solicitud(s, solicitud_id)
            if _telefono(sol, paciente) != borrador.telefono:
                borrador = _borrador(s, cfg, key, now, solicitud_id, list(prestacion_ids))
        if _live_envio(s, solicitud_id) is not None:
            raise ValidationError(
                "Esta solicitud ya tiene un envío programado: use «Editar envío»."
            )
        new_version = guarded_update(
            s,
            actor,
            now,
            solicitud_id,
            version,
            resolved_values(actor, now),
        )
        _replace_prestaciones(s, solicitud_id, borrador.prestacion_ids)
        envio = Envio(
            solicitud_id=solicitud_id,
            telefono=borrador.telefono,
            plantilla=cfg.plantilla,
            parametros=json.dumps(borrador.parametros, ensure_ascii=False),
            link=borrador.link,
            token_id=borrador.jti,
            estado=EstadoEnvio.PROGRAMADO.value,
            creado=now,
            creado_por=actor.usuario,
            enviar_desde=now + cfg.demora,
            intentos=0,
            version=1,
        )
        s.add(envio)
        try:
            s.flush()
        except IntegrityError:
            raise ValidationError(
                "Esta solicitud ya tiene un envío programado: use «Editar envío»."
            ) from None
        registrar_evento(
            s,
            actor,
            "envio_confirmado",
            now,
            solicitud_id=solicitud_id,
            envio_id=envio.id,
            detalle={
                "prestaciones": list(borrador.prestacion_ids),
                "telefono": enmascarar(borrador.telefono),
                "enviar_desde": envio.enviar_desde.isoformat(),
                "token_id": borrador.jti,
            },
        )
        if consultas:
            chosen = set(borrador.prestacion_ids)
            registrar_elecciones(
                s, actor, now, {pid: q for pid, q in consultas.items() if pid in chosen}
            )
        uow.commit()
        return EnvioProgramado(
            envio.id,
            solicitud_id,
            new_version,
            borrador.telefono,
            borrador.link,
            envio.enviar_desde,
            borrador.texto,
        )


def _envio_programado(session: Session, envio_id: int) -> Envio:
    envio = session.get(Envio, envio_id)
    if envio is None:
        raise NotFound(f"El envío {envio_id} no existe.")
    if envio.estado != EstadoEnvio.PROGRAMADO:
        raise EnvioLocked(_locked_message(envio.estado))
    return envio


def _locked_message(estado: str) -> str:
    if estado == EstadoEnvio.ENVIANDO:
        return "El mensaje ya se está enviando: no se puede modificar ni cancelar."
    if estado == EstadoEnvio.CANCELADO:
        return "El envío ya estaba cancelado."
    return f"El envío ya no está programado (estado: {EstadoEnvio(estado).etiqueta.lower()}): no se puede modificar."


def _conditional_envio_update(session: Session, envio: Envio, values: dict[str, object]) -> None:
    result = session.execute(
        update(Envio)
        .where(
            and_(
                Envio.id == envio.id,
                Envio.estado == EstadoEnvio.PROGRAMADO.value,
                Envio.version == envio.version,
            )
        )
        .values(version=Envio.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.expire(envio)
        current = session.scalar(select(Envio.estado).where(Envio.id == envio.id))
        raise EnvioLocked(_locked_message(current or ""))


def editar_envio(
    db: Database,
    actor: Actor,
    now: datetime,
    cfg: EnvioConfig,
    key: str | None,
    *,
    envio_id: int,
    solicitud_version: int,
    prestacion_ids: list[int],
) -> EnvioProgramado:
    """New prestaciones for a send still in its window: same Envio, new link; the window restarts."""
    with db.uow() as uow:
        s = uow.session
        envio = _envio_programado(s, envio_id)
        borrador = _borrador(s, cfg, key, now, envio.solicitud_id, list(prestacion_ids))
        enviar_desde = now + cfg.demora
        _conditional_envio_update(
            s,
            envio,
            {
                "telefono": borrador.telefono,
                "parametros": json.dumps(borrador.parametros, ensure_ascii=False),
                "link": borrador.link,
                "token_id": borrador.jti,
                "enviar_desde": enviar_desde,
                "proximo_intento": None,
            },
        )
        new_version = guarded_update(s, actor, now, envio.solicitud_id, solicitud_version, {})
        _replace_prestaciones(s, envio.solicitud_id, borrador.prestacion_ids)
        registrar_evento(
            s,
            actor,
            "envio_editado",
            now,
            solicitud_id=envio.solicitud_id,
            envio_id=envio.id,
            detalle={"prestaciones": list(borrador.prestacion_ids), "token_id": borrador.jti},
        )
        uow.commit()
        return EnvioProgramado(
            envio.id,
            envio.solicitud_id,
            new_version,
            borrador.telefono,
            borrador.link,
            enviar_desde,
            borrador.texto,
        )


def cancelar_envio(
    db: Database, actor: Actor, now: datetime, *, envio_id: int, solicitud_version: int
) -> int:
    """Cancel a send still in its window; the request goes back to unresolved. Returns its new version."""
    with db.uow() as uow:
        s = uow.session
        envio = _envio_programado(s, envio_id)
        _conditional_envio_update(s, envio, {"estado": EstadoEnvio.CANCELADO.value})
        new_version = guarded_update(
            s,
            actor,
            now,
            envio.solicitud_id,
            solicitud_version,
            {"resuelto": False, "fecha_resuelto": None, "usuario_resuelto": None},
        )
        registrar_evento(
            s, actor, "envio_cancelado", now, solicitud_id=envio.solicitud_id, envio_id=envio.id
        )
        uow.commit()
        return new_version


def enviar_ahora(db: Database, actor: Actor, now: datetime, *, envio_id: int) -> None:
    """Skip the rest of the correction window (the worker is woken by the caller)."""
    with db.uow() as uow:
        s = uow.session
        envio = _envio_programado(s, envio_id)
        _conditional_envio_update(s, envio, {"enviar_desde": now, "proximo_intento": None})
        registrar_evento(
            s, actor, "envio_adelantado", now, solicitud_id=envio.solicitud_id, envio_id=envio.id
        )
        uow.commit()
