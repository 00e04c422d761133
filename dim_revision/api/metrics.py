"""`GET /metrics`: Prometheus text exposition (counters kept here, gauges read from the database)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime

from sqlalchemy import false, func, select

from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio as E


class Metrics:
    """Thread-safe counters incremented by the routes and the middleware."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()

    def inc(self, name: str, amount: int = 1, **labels: str) -> None:
        if amount <= 0:
            return
        with self._lock:
            self._counters[(name, tuple(sorted(labels.items())))] += amount

    def value(self, name: str, **labels: str) -> int:
        with self._lock:
            return self._counters[(name, tuple(sorted(labels.items())))]

    def snapshot(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], int]:
        with self._lock:
            return dict(self._counters)


HELP = {
    "dim_http_respuestas_total": ("counter", "Respuestas HTTP por código"),
    "dim_webhook_eventos_total": ("counter", "Eventos de webhook de Botmaker por resultado"),
    "dim_errores_total": ("counter", "Errores por tipo"),
    "dim_conciliacion_consultas_total": ("counter", "Consultas de resultados a Botmaker"),
}


def _labels(pairs: tuple[tuple[str, str], ...]) -> str:
    if not pairs:
        return ""
    inner = ",".join(f'{k}="{v.replace(chr(92), "").replace(chr(34), "")}"' for k, v in pairs)
    return "{" + inner + "}"


def render(metrics: Metrics, db: Database, now: datetime, extra: dict[str, float]) -> str:
    lines: list[str] = []
    with db.uow() as uow:
        s = uow.session
        por_estado = dict(
            s.execute(select(Envio.estado, func.count()).group_by(Envio.estado)).all()
        )
        por_entrega = dict(
            s.execute(
                select(Envio.estado_entrega, func.count())
                .where(Envio.estado_entrega.is_not(None))
                .group_by(Envio.estado_entrega)
            ).all()
        )
        pendientes = s.scalar(
            select(func.count()).where(
                SolicitudAsistencia.resuelto == false(), SolicitudAsistencia.fecha_baja.is_(None)
            )
        )
        oldest_due = s.scalar(
            select(func.min(Envio.enviar_desde)).where(
                Envio.estado == E.PROGRAMADO.value, Envio.enviar_desde <= now
            )
        )
    lag = max(0.0, (now - oldest_due).total_seconds()) if oldest_due is not None else 0.0
    lines += ["# HELP dim_envios Envíos por estado del outbox", "# TYPE dim_envios gauge"]
    for estado in E:
        lines.append(
            f'dim_envios{{estado="{estado.value}"}} {int(por_estado.get(estado.value, 0))}'
        )
    lines += [
        "# HELP dim_envios_entrega Envíos por estado de entrega",
        "# TYPE dim_envios_entrega gauge",
    ]
    for entrega in ("entregado", "leido", "error_entrega"):
        lines.append(
            f'dim_envios_entrega{{entrega="{entrega}"}} {int(por_entrega.get(entrega, 0))}'
        )
    lines += [
        "# HELP dim_cola_envios Envíos en cola (programados y enviando)",
        "# TYPE dim_cola_envios gauge",
        f'dim_cola_envios{{estado="programado"}} {int(por_estado.get(E.PROGRAMADO.value, 0))}',
        f'dim_cola_envios{{estado="enviando"}} {int(por_estado.get(E.ENVIANDO.value, 0))}',
        "# HELP dim_solicitudes_pendientes Solicitudes sin resolver",
        "# TYPE dim_solicitudes_pendientes gauge",
        f"dim_solicitudes_pendientes {int(pendientes or 0)}",
        "# HELP dim_enviador_retraso_segundos Antigüedad del envío vencido más viejo sin enviar",
        "# TYPE dim_enviador_retraso_segundos gauge",
        f"dim_enviador_retraso_segundos {lag:.1f}",
    ]
    for name, value in sorted(extra.items()):
        lines += [f"# TYPE {name} gauge", f"{name} {value:g}"]
    by_name: dict[str, list[str]] = {}
    for (name, labels), value in sorted(metrics.snapshot().items()):
        by_name.setdefault(name, []).append(f"{name}{_labels(labels)} {value}")
    for name in sorted(set(HELP) | set(by_name)):
        kind, text = HELP.get(name, ("counter", name))
        lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
        lines += by_name.get(name, [f"{name} 0"])
    return "\n".join(lines) + "\n"
