"""Confirmar envío and the 15-minute correction window (DESIGN §4 steps 3–4).

Confirming writes, in ONE transaction, the chosen prestaciones, the resolved mark, the signed link
and the outbox row (Envio, due after the correction window) plus the audit event. Edit, cancel and
"send now" are moves in `dim_revision/envio/por_persona.py`, conditional on `estado =
'programado'`: once the worker has claimed the send (estado 'enviando') they lose, with a clear
message, and the worker wins — never both. The supervisor's moves are in `envios_supervision.py`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dim_revision.config import Settings
from dim_revision.db import dim_repo, repository
from dim_revision.db.dim_repo import PacienteDim, PrestacionDim
from dim_revision.db.models import Envio, SolicitudAsistencia, SolicitudPrestacion
from dim_revision.db.uow import Database
from dim_revision.domain import link_tokens, mensaje
from dim_revision.domain.phones import enmascarar, normalizar_whatsapp
from dim_revision.envio import por_persona
from dim_revision.envio.mover import Actual, leer_actual
from dim_revision.errors import NotFound, ValidationError
from dim_revision.lectura.controles import Alerta
from dim_revision.services.aprendizaje import registrar_elecciones
from dim_revision.services.lecturas import auditar_alertas_confirmadas
from dim_revision.shared.actor import Actor
from dim_revision.shared.guards import guarded_update, resolved_values


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
    sol = repository.solicitud_viva(session, solicitud_id)
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
    alertas: Sequence[Alerta] = (),
) -> EnvioProgramado:
    """`consultas`: for the prestaciones added from the search, the query typed before each
    (recorded for the search's learning, in this same transaction). `alertas`: the offline
    reader's warnings on this record the operator confirms despite (audited here, with the
    save)."""
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
        if repository.envio_vivo(s, solicitud_id) is not None:
            raise ValidationError(
                "Esta solicitud ya tiene un envío programado: usá «Editar envío»."
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
            creado=now,
            creado_por=actor.usuario,
            enviar_desde=now + cfg.demora,
            intentos=0,
        )
        try:
            por_persona.programar(
                s,
                envio,
                actor,
                now,
                {
                    "prestaciones": list(borrador.prestacion_ids),
                    "telefono": enmascarar(borrador.telefono),
                    "enviar_desde": envio.enviar_desde.isoformat(),
                    "token_id": borrador.jti,
                },
            )
        except IntegrityError:
            raise ValidationError(
                "Esta solicitud ya tiene un envío programado: usá «Editar envío»."
            ) from None
        if consultas:
            chosen = set(borrador.prestacion_ids)
            registrar_elecciones(
                s, actor, now, {pid: q for pid, q in consultas.items() if pid in chosen}
            )
        auditar_alertas_confirmadas(s, actor, now, solicitud_id, alertas)
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


def _programado(session: Session, envio_id: int) -> Actual:
    """The send, if still inside its correction window (else the operator's refusal)."""
    actual = leer_actual(session, envio_id)
    refusal = por_persona.solo_programado(actual)
    if refusal is not None:
        raise refusal
    return actual


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
        envio = _programado(s, envio_id)
        borrador = _borrador(s, cfg, key, now, envio.solicitud_id, list(prestacion_ids))
        enviar_desde = now + cfg.demora
        por_persona.editar(
            s,
            envio_id,
            actor,
            now,
            {
                "telefono": borrador.telefono,
                "parametros": json.dumps(borrador.parametros, ensure_ascii=False),
                "link": borrador.link,
                "token_id": borrador.jti,
                "enviar_desde": enviar_desde,
                "proximo_intento": None,
            },
            {"prestaciones": list(borrador.prestacion_ids), "token_id": borrador.jti},
            version=envio.version,
        )
        new_version = guarded_update(s, actor, now, envio.solicitud_id, solicitud_version, {})
        _replace_prestaciones(s, envio.solicitud_id, borrador.prestacion_ids)
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
    """Cancel a send still in its window; the request goes back to unresolved (under the
    operator's lease and version check). Returns its new version."""
    with db.uow() as uow:
        s = uow.session
        envio = por_persona.cancelar(
            s, envio_id, actor, now, reabrir=False, explicar=por_persona.solo_programado
        )
        new_version = guarded_update(
            s,
            actor,
            now,
            envio.solicitud_id,
            solicitud_version,
            {"resuelto": False, "fecha_resuelto": None, "usuario_resuelto": None},
        )
        uow.commit()
        return new_version


def enviar_ahora(db: Database, actor: Actor, now: datetime, *, envio_id: int) -> None:
    """Skip the rest of the correction window (the worker is woken by the caller)."""
    with db.uow() as uow:
        por_persona.adelantar(uow.session, envio_id, actor, now)
        uow.commit()
