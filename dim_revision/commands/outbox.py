"""`dim-revision outbox run|list|cancel|retry|mark-sent`: the WhatsApp outbox from a terminal.

`run` is the headless worker (a PC switched off at 17:59 loses nothing: any station or a server
running this flushes the queue). The other actions are the supervisor's, each audited.
`list` never shows secrets: no link or parameters (they carry the patient's token), and phones
are masked in the table AND in `--json`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from datetime import datetime
from typing import Any

from dim_revision.bootstrap import AppContext, build_outbox_worker
from dim_revision.clock import to_local
from dim_revision.db.engine import check_connection
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.errors import UserError
from dim_revision.outbox.status import WorkerStatus, outbox_counts
from dim_revision.outbox.worker import OutboxThread, OutboxWorker
from dim_revision.services import envios_supervision

# Headless: a paused worker (bad token, no credit) looks again after this long, since nobody
# is there to press "Reanudar" (a supervisor may have fixed the token with `secrets set`).
PAUSE_RECHECK_SECONDS = 300.0


def register(sub: Any) -> None:
    p = sub.add_parser("outbox", help="cola de envíos de WhatsApp (Botmaker)")
    osub = p.add_subparsers(dest="outbox_command", metavar="ACCION", required=True)

    run_p = osub.add_parser(
        "run", help="enviar los mensajes vencidos (sin ventana; Ctrl+C detiene)"
    )
    mode = run_p.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="una sola pasada (un lote) y salir")
    mode.add_argument(
        "--drain", action="store_true", help="pasadas seguidas hasta no dejar nada vencido, y salir"
    )
    run_p.set_defaults(handler=run)

    list_p = osub.add_parser("list", help="listar envíos (teléfonos enmascarados, sin links)")
    list_p.add_argument("--estado", metavar="ESTADO", help=", ".join(e.value for e in EstadoEnvio))
    list_p.add_argument("--limite", default="50", metavar="N", help="cuántos mostrar (50)")
    list_p.add_argument("--json", action="store_true", help="salida JSON (también enmascarada)")
    list_p.set_defaults(handler=list_cmd)

    for name, func, text in (
        ("cancel", cancel, "cancelar un envío programado"),
        ("retry", retry, "reintentar un envío fallido o incierto (un intento nuevo)"),
        ("mark-sent", mark_sent, "marcar como enviado un envío incierto"),
    ):
        action = osub.add_parser(name, help=text)
        action.add_argument("id", metavar="ID", help="número de envío")
        action.set_defaults(handler=func)


# --- run -----------------------------------------------------------------------------------------


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    if ctx.settings.outbox.modo == "servicio":  # issue #12: one sender, one key holder
        raise UserError(
            'Con [outbox] modo = "servicio" los mensajes los envía sólo «dim-revision serve»; '
            "esta PC no envía."
        )
    check_connection(ctx.db.engine)  # a clear message now, not a retry loop in the background
    worker = build_outbox_worker(ctx)
    try:
        if args.once or args.drain:
            return _run_batches(worker, drain=args.drain)
        return _run_forever(worker, ctx)
    finally:
        worker.close()


def _run_batches(worker: OutboxWorker, drain: bool) -> int:
    while True:
        report = worker.run_once()
        print(report.resumen(), flush=True)
        if not drain or report.pausado or report.tomados == 0:
            break
    if worker.paused:
        print(f"Envíos en pausa: {worker.status.motivo}", file=sys.stderr)
        return 1
    return 0


def _run_forever(worker: OutboxWorker, ctx: AppContext) -> int:
    shown: list[str] = []

    def on_status(status: WorkerStatus) -> None:
        line = _status_line(status)
        if not shown or shown[-1] != line:
            shown.append(line)
            print(line, flush=True)

    thread = OutboxThread(
        worker, counts=lambda now: outbox_counts(ctx.db, now), on_status=on_status
    )
    print("Enviando los mensajes vencidos. Ctrl+C para detener.", flush=True)
    thread.start()
    paused_since: float | None = None
    try:
        while not thread.join(0.5):
            if worker.paused:
                paused_since = paused_since or time.monotonic()
                if time.monotonic() - paused_since >= PAUSE_RECHECK_SECONDS:
                    paused_since = None
                    worker.resume()
                    thread.wake()
            else:
                paused_since = None
    except KeyboardInterrupt:
        print("Deteniendo: se termina el envío en curso…", flush=True)
    finally:
        thread.stop()
    print(f"Detenido. {worker.status.enviados} mensajes enviados en esta sesión.", flush=True)
    return 0


def _status_line(status: WorkerStatus) -> str:
    if status.pausado:
        return f"Envíos en pausa: {status.motivo}"
    if status.ultimo_error:
        return f"Problema: {status.ultimo_error}"
    c = status.conteos
    if c is None:
        return "Envíos: en marcha."
    return (
        f"Envíos: {c.programados + c.enviando} programados, {c.enviados_hoy} enviados hoy, "
        f"{c.fallidos} fallidos, {c.inciertos} inciertos."
    )


# --- list ----------------------------------------------------------------------------------------


def _estado(text: str | None) -> EstadoEnvio | None:
    if text is None:
        return None
    try:
        return EstadoEnvio(text.strip().lower())
    except ValueError:
        valid = ", ".join(e.value for e in EstadoEnvio)
        raise UserError(f"Estado de envío desconocido «{text}». Válidos: {valid}.") from None


def _positive_int(text: str, what: str) -> int:
    value = text.strip()
    if not value.isdigit() or int(value) < 1:
        raise UserError(f"{what} debe ser un número entero positivo (se recibió «{text}»).")
    return int(value)


def _local(value: datetime | None) -> str:
    return f"{to_local(value):%d/%m/%Y %H:%M}" if value is not None else ""


def list_cmd(args: argparse.Namespace, ctx: AppContext) -> int:
    estado = _estado(args.estado)
    limite = _positive_int(args.limite, "El límite")
    filas = envios_supervision.listar(ctx.db, estado, limite)
    if args.json:
        data = []
        for f in filas:
            row = asdict(f)
            row["estado"] = f.estado.value
            data.append(
                {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}
            )
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    if not filas:
        print("No hay envíos" + (f" en estado «{estado.etiqueta}»." if estado else "."))
        return 0
    header = (
        "ID",
        "Solicitud",
        "Estado",
        "Teléfono",
        "Enviar desde",
        "Int.",
        "Próximo",
        "Último error",
    )
    rows = [
        (
            str(f.id),
            str(f.solicitud_id),
            f.estado.etiqueta,
            f.telefono,
            _local(f.enviar_desde),
            str(f.intentos),
            _local(f.proximo_intento),
            _clip(f.ultimo_error or "", 60),
        )
        for f in filas
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    for line in (header, *rows):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
    return 0


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# --- supervisor actions (the service checks the role, as in the GUI) --------------------------------------------------------------------------


def cancel(args: argparse.Namespace, ctx: AppContext) -> int:
    envio_id = _positive_int(args.id, "El número de envío")
    envios_supervision.cancelar(ctx.db, ctx.actor, ctx.clock(), envio_id)
    print(f"Envío {envio_id} cancelado: no se enviará.")
    return 0


def retry(args: argparse.Namespace, ctx: AppContext) -> int:
    envio_id = _positive_int(args.id, "El número de envío")
    envios_supervision.reintentar(ctx.db, ctx.actor, ctx.clock(), envio_id)
    print(f"Envío {envio_id} vuelve a la cola: sale en la próxima pasada del trabajador de envíos.")
    return 0


def mark_sent(args: argparse.Namespace, ctx: AppContext) -> int:
    envio_id = _positive_int(args.id, "El número de envío")
    envios_supervision.marcar_enviado(ctx.db, ctx.actor, ctx.clock(), envio_id)
    print(f"Envío {envio_id} marcado como enviado.")
    return 0
