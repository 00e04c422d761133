"""Key fingerprints in the shared database (issue #12): each process that signs links (the service,
or a workstation in estaciones mode) writes its row with the SHA-256 fingerprint of its link key
(never the key), so `doctor`, `/healthz` and the status bar can show a mismatch before a patient
gets a link the portal rejects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from dim_revision import __version__
from dim_revision.db.models import ServicioLatido
from dim_revision.db.uow import Database

RECENT = timedelta(hours=24)
SERVICE_ALIVE = timedelta(minutes=3)


@dataclass(frozen=True)
class Latido:
    nombre: str
    rol: str
    modo: str
    huella: str | None
    visto: datetime


def registrar(
    db: Database, *, nombre: str, rol: str, modo: str, huella: str | None, now: datetime
) -> None:
    """Upsert without MERGE (valid everywhere): UPDATE, then INSERT if no row matched."""
    values = {
        "rol": rol,
        "modo": modo,
        "huella_link": huella,
        "visto": now,
        "version_app": __version__[:30],
    }
    with db.uow() as uow:
        s = uow.session
        won = s.execute(
            update(ServicioLatido)
            .where(ServicioLatido.nombre == nombre[:60])
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if won == 0:
            s.add(ServicioLatido(nombre=nombre[:60], **values))
        uow.commit()


def recientes(db: Database, now: datetime, ventana: timedelta = RECENT) -> list[Latido]:
    with db.uow() as uow:
        rows = uow.session.execute(
            select(
                ServicioLatido.nombre,
                ServicioLatido.rol,
                ServicioLatido.modo,
                ServicioLatido.huella_link,
                ServicioLatido.visto,
            )
            .where(ServicioLatido.visto >= now - ventana)
            .order_by(ServicioLatido.visto.desc())
        ).all()
    return [Latido(r.nombre, r.rol, r.modo, r.huella_link, r.visto) for r in rows]


@dataclass(frozen=True)
class Comparacion:
    ok: bool
    texto: str
    servicio_vivo: bool


def comparar(
    propia: str | None, nombre_propio: str, vistos: list[Latido], now: datetime
) -> Comparacion:
    """Does our fingerprint match every other key holder seen lately?"""
    otros = [v for v in vistos if v.nombre != nombre_propio and v.huella]
    servicio_vivo = any(v.rol == "servicio" and now - v.visto <= SERVICE_ALIVE for v in vistos)
    distintas = sorted({v.huella for v in otros if v.huella and v.huella != propia})
    if propia is None:
        referencia = next((v.huella for v in vistos if v.rol == "servicio" and v.huella), None)
        if referencia:
            return Comparacion(True, f"clave de links del servicio {referencia}", servicio_vivo)
        return Comparacion(True, "sin clave de links en este puesto", servicio_vivo)
    if distintas:
        quienes = ", ".join(f"{v.nombre} ({v.huella})" for v in otros if v.huella in distintas)[
            :200
        ]
        return Comparacion(
            False,
            f"la clave de links de este puesto ({propia}) no coincide con la de {quienes}",
            servicio_vivo,
        )
    return Comparacion(True, f"clave de links {propia}", servicio_vivo)


def check_key_fingerprint(
    db: Database, secrets: Any, modo: str, estacion: str, now: datetime
) -> tuple[bool, str]:
    """A workstation's view (status bar): in estaciones mode publish our fingerprint and compare
    it; in servicio mode say whether the service is alive and which key it uses."""
    from dim_revision.secrets import key_fingerprint

    nombre = f"estacion@{estacion}"[:60]
    propia = None
    if modo != "servicio":
        try:
            propia = key_fingerprint(secrets.get("link-key"))
        except Exception:
            propia = None
        if propia is not None:
            registrar(db, nombre=nombre, rol="estacion", modo=modo, huella=propia, now=now)
    cmp = comparar(propia, nombre, recientes(db, now), now)
    if modo == "servicio" and not cmp.servicio_vivo:
        return False, "el servicio de envíos no da señales de vida: avisá a sistemas"
    if modo != "servicio" and propia is None:
        return False, "este puesto no tiene la clave de links: no puede confirmar envíos"
    return cmp.ok, cmp.texto
