"""Reading the orders (issue 15) on a fixed demo sample with its ground truth: proposals top-1 /
top-3 per kind of page, "order of another person" and "expired" detection (precision, recall,
false alarms), seconds per page, the picker's keystroke while a page is read, and peak memory.

The peer is Tesseract 5 with Spanish data (Debian's tesseract-ocr-spa) through the same line
parser and proposer, when it is installed. The reading runs in a child process so its peak RSS
is the reader's own. `python -m benchmarks.bench_ocr [--quick]` runs this case alone.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from benchmarks.common import Options, Row, percentile

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
SEED = 15
CUOTAS = {"manuscrita": 24, "electronica": 24, "autorizacion": 12, "pdf": 14, "otra_persona": 24}
CUOTAS_RAPIDAS = {"manuscrita": 1, "electronica": 1, "autorizacion": 1, "pdf": 1, "otra_persona": 0}
KINDS = ("electronica", "manuscrita", "autorizacion", "pdf")
LECTURAS = 200  # readings through the reader's own process: its RSS must stay flat (issue 19)
QUERIES = ("rmn rodi", "eco abdo", "tac cerebro", "rx torax", "mamografia bilat", "ecodoppler")


@dataclass(frozen=True)
class Muestra:
    """One page of the sample: what it asks for and whose it is."""

    archivo: int
    pagina: int
    tipo: str  # kind for the table: electronica / manuscrita / autorizacion / pdf
    pide: tuple[int, ...]
    ajena: bool
    vencida: bool


def _muestra(quick: bool) -> tuple[Any, list[tuple[bytes, Any]], list[Muestra]]:
    from dim_revision.clock import to_local
    from dim_revision.demo.camera import PDF
    from dim_revision.demo.files import Taller
    from dim_revision.demo.seed import planificar

    demo = planificar(seed=SEED, solicitudes=60 if quick else 900, prestaciones=1600, now=NOW)
    cuotas = dict(CUOTAS_RAPIDAS if quick else CUOTAS)
    taller = Taller()
    archivos: list[tuple[bytes, Any]] = []
    muestras: list[Muestra] = []
    for plan in demo.planes:
        pac = demo.contexto.pacientes[plan.paciente]
        subida = to_local(plan.fecha_subida).date()
        for archivo in plan.archivos:
            paginas = archivo.paginas
            ajena = any(o.de_otra_persona for o in paginas)
            kind = "pdf" if archivo.toma.forma == PDF else paginas[0].tipo
            cupo = "otra_persona" if ajena else kind
            if cuotas.get(cupo, 0) <= 0:
                continue
            cuotas[cupo] -= 1
            data = taller.render(archivo).contenido
            archivos.append((data, pac))
            for n, o in enumerate(paginas):
                muestras.append(
                    Muestra(
                        len(archivos) - 1,
                        n,
                        "pdf" if kind == "pdf" else o.tipo,
                        o.pide,
                        o.de_otra_persona,
                        (subida - o.fecha).days > 30,
                    )
                )
        if not any(cuotas.values()):
            break
    return demo, archivos, muestras


def _indice(demo: Any) -> Any:
    from dim_revision.domain.search_index import SearchIndex
    from dim_revision.lectura.propuestas import Proponedor

    cat = demo.contexto.catalogo
    items = [(i, p.nombre) for i, p in enumerate(cat) if p.activa]
    index = SearchIndex.build(items, codigos={i: [p.codigo] for i, p in enumerate(cat)})
    return index, Proponedor(index, [n for _, n in items])


class Tesseract:
    """The peer engine: `tesseract - - -l spa tsv`, one thread, lines with boxes."""

    nombre = "tesseract"

    def version(self) -> str:
        out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
        return (out.stdout or out.stderr).splitlines()[0]

    def leer(self, imagen: Any) -> Any:
        from dim_revision.lectura.modelo import Linea, Pagina

        buf = io.BytesIO()
        imagen.save(buf, "PNG")
        out = subprocess.run(
            ["tesseract", "-", "-", "-l", "spa", "--psm", "3", "tsv"],
            input=buf.getvalue(),
            capture_output=True,
            env={"OMP_THREAD_LIMIT": "1"},
        ).stdout.decode("utf-8", "replace")
        grupos: dict[tuple[str, ...], list[list[str]]] = {}
        for fila in out.splitlines()[1:]:
            c = fila.split("\t")
            if len(c) == 12 and c[11].strip() and float(c[10]) >= 0:
                grupos.setdefault(tuple(c[1:5]), []).append(c)
        lineas = []
        for palabras in grupos.values():
            x0 = min(int(p[6]) for p in palabras)
            y0 = min(int(p[7]) for p in palabras)
            x1 = max(int(p[6]) + int(p[8]) for p in palabras)
            y1 = max(int(p[7]) + int(p[9]) for p in palabras)
            conf = statistics.mean(float(p[10]) for p in palabras) / 100
            lineas.append(Linea(" ".join(p[11] for p in palabras), conf, (x0, y0, x1, y1)))
        return Pagina(imagen.width, imagen.height, tuple(lineas))


def _paciente(demo: Any, pac: Any) -> Any:
    from dim_revision.lectura.controles import Paciente

    coberturas: tuple[str, ...] = ()
    if pac.obra_social is not None:
        obra = demo.contexto.obras[pac.obra_social]
        plan = obra.planes[pac.plan or 0].nombre if obra.planes else ""
        coberturas = tuple(f"{n} {plan}".strip() for n in (obra.nombre, obra.sigla) if n)
    return Paciente(pac.dni, pac.nombre_completo, coberturas)


def _worker(carpeta: str, motor_nombre: str, lecturas: int = 0) -> dict[str, Any]:
    """Runs in a child process: read every file of the sample, nothing else (clean RSS). Ours
    goes as the app runs it: through the reader's own process (`MotorEnProceso`), read again
    in turn until `lecturas` readings, with that process's RSS after each (issue 19: flat)."""
    from pathlib import Path

    from dim_revision.lectura.lector import Lector
    from dim_revision.lectura.proceso import MotorEnProceso
    from dim_revision.memoria import pico_mb, rss_mb

    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork + exec (this process would
    # report the bench's own RSS at the moment it started it).
    base_mb = pico_mb() or 0.0
    motor: Any = MotorEnProceso(1) if motor_nombre == "rapidocr" else Tesseract()
    lector = Lector(motor, timeout=120)
    lector.leer((Path(carpeta) / "0000.bin").read_bytes())  # load the models (not timed)
    rutas = sorted(Path(carpeta).glob("*.bin"))
    salida, rss = [], []
    peak_mb = pico_mb() or 0.0
    for n in range(max(len(rutas), lecturas)):
        lec = lector.leer(rutas[n % len(rutas)].read_bytes())
        if n < len(rutas):
            salida.append({"estado": lec.estado, "paginas": lec.a_json(), "segundos": lec.segundos})
        pid = getattr(motor, "pid", None)
        if pid is not None:  # (reading number, RSS between pages, its process's peak so far)
            rss.append((n + 1, rss_mb(pid) or 0.0))
            peak_mb = max(peak_mb, pico_mb(pid) or 0.0)
    lector.cerrar()
    return {
        "lecturas": salida,
        "version": motor.version(),
        "peak_mb": peak_mb,
        "base_mb": base_mb,
        "rss_hijo": rss,
        "arranques": getattr(motor, "arranques", 0),
    }


def _puntuar(
    demo: Any,
    archivos: list[tuple[bytes, Any]],
    muestras: list[Muestra],
    proponedor: Any,
    crudo: dict[str, Any],
) -> dict[str, Any]:
    from dim_revision.lectura.controles import controlar
    from dim_revision.lectura.modelo import Lectura, paginas_de_json
    from dim_revision.lectura.renglones import renglones

    lecturas = [
        Lectura(x["estado"], "", "", paginas_de_json(x["paginas"]), x["segundos"])
        for x in crudo["lecturas"]
    ]
    segundos: list[float] = []
    for lec in lecturas:
        segundos += [lec.segundos / max(1, len(lec.paginas))] * max(1, len(lec.paginas))
    resultado: dict[str, Any] = {
        "por_tipo": {},
        "segundos": segundos,
        "paginas": len(muestras),
        "archivos": len(archivos),
        **crudo,
    }
    for m in muestras:
        lec = lecturas[m.archivo]
        una = Lectura(lec.estado, "", "", lec.paginas[m.pagina : m.pagina + 1])
        props = proponedor.proponer(una)
        top1 = {p.prestacion_id for p in props}
        top3 = top1 | {a for p in props for a in p.alternativas}
        t = resultado["por_tipo"].setdefault(m.tipo, [0, 0, 0])
        t[0] += len(m.pide)
        t[1] += sum(1 for x in m.pide if x in top1)
        t[2] += sum(1 for x in m.pide if x in top3)
    dni = [0, 0, 0, 0]  # tp fp fn tn
    ven = [0, 0, 0]  # tp fp fn
    hoy = NOW.date()
    for i, (lec, (_, pac)) in enumerate(zip(lecturas, archivos, strict=True)):
        dichas = {a.clave for a in controlar(renglones(lec), _paciente(demo, pac), hoy)}
        paginas = [m for m in muestras if m.archivo == i]
        ajena, vencida = any(m.ajena for m in paginas), any(m.vencida for m in paginas)
        dicha = "otra_persona" in dichas
        dni[0 if ajena and dicha else 1 if dicha else 2 if ajena else 3] += 1
        vdicha = "vencida" in dichas
        if vencida or vdicha:
            ven[0 if vencida and vdicha else 1 if vdicha else 2] += 1
    resultado["dni"], resultado["vencida"] = dni, ven
    return resultado


def _picker_mientras_lee(
    index: Any, archivos: list[tuple[bytes, Any]]
) -> tuple[list[float], list[float]]:
    """The picker's keystrokes idle, then while pages are read as the app reads them (the
    niced reader process, fed from a thread of this one)."""
    from dim_revision.lectura.lector import Lector
    from dim_revision.lectura.proceso import MotorEnProceso

    _keystrokes(index, None)  # warm the memo: both runs then see the same state
    idle = _keystrokes(index, None) + _keystrokes(index, None)
    lector = Lector(MotorEnProceso(1), timeout=120)
    busy: list[float] = []
    for data, _ in archivos:
        hilo = threading.Thread(target=lector.leer, args=(data,))
        hilo.start()
        while hilo.is_alive():
            busy += _keystrokes(index, hilo)
        hilo.join()
    lector.cerrar()
    return idle, busy


def _keystrokes(index: Any, mientras: threading.Thread | None) -> list[float]:
    tiempos = []
    for q in QUERIES:
        for n in range(1, len(q) + 1):
            t0 = time.perf_counter()
            index.search(q[:n], 20)
            tiempos.append((time.perf_counter() - t0) * 1000)
            if mientras is not None:
                time.sleep(0.05)  # an operator types a few keys per second, not in a tight loop
        if mientras is not None and not mientras.is_alive():
            break
    return tiempos


def _child(carpeta: str, motor: str, lecturas: int = 0) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.bench_ocr", "--worker", motor, carpeta]
    cmd += ["--lecturas", str(lecturas)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    resultado: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return resultado


def _pct(a: int, b: int) -> float:
    return 100.0 * a / b if b else float("nan")


def run(opts: Options) -> list[Row]:
    from dim_revision.lectura.motor import disponible

    if disponible() is not None:
        return [Row("ocr: reader", "%", float("nan"), None, "", None, "", None, str(disponible()))]
    import tempfile
    from pathlib import Path

    demo, archivos, muestras = _muestra(opts.quick)
    index, proponedor = _indice(demo)
    with tempfile.TemporaryDirectory() as carpeta:
        for i, (data, _) in enumerate(archivos):
            (Path(carpeta) / f"{i:04d}.bin").write_bytes(data)
        veces = 12 if opts.quick else LECTURAS
        ours = _puntuar(demo, archivos, muestras, proponedor, _child(carpeta, "rapidocr", veces))
        peer = (
            _puntuar(demo, archivos, muestras, proponedor, _child(carpeta, "tesseract"))
            if shutil.which("tesseract") and not opts.quick
            else None
        )
    idle, busy = _picker_mientras_lee(index, archivos[: 1 if opts.quick else 3])
    rows: list[Row] = []
    budgets = {("electronica", 1): 80.0, ("electronica", 3): 90.0}
    for kind in KINDS:
        n, h1, h3 = ours["por_tipo"].get(kind, [0, 0, 0])
        pn, p1, p3 = peer["por_tipo"].get(kind, [0, 0, 0]) if peer else [0, 0, 0]
        for k, hits, phits in ((1, h1, p1), (3, h3, p3)):
            budget = budgets.get((kind, k))
            value = _pct(hits, n)
            rows.append(
                Row(
                    f"ocr: {kind} top-{k}",
                    "%",
                    value,
                    None,
                    "",
                    _pct(phits, pn) if peer else None,
                    f"≥{budget:.0f}" if budget else "reported",
                    None if budget is None else value >= budget,
                    f"{hits}/{n} studies" + (f"; tesseract {phits}/{pn}" if peer else ""),
                )
            )
    tp, fp, fn, tn = ours["dni"]
    recall, falsas = _pct(tp, tp + fn), _pct(fp, fp + tn)
    rows.append(
        Row(
            "ocr: otra persona recall",
            "%",
            recall,
            None,
            "",
            None,
            "≥95",
            recall >= 95,
            f"TP {tp} FN {fn}; precision {_pct(tp, tp + fp):.1f}% (FP {fp}, TN {tn})",
        )
    )
    rows.append(
        Row(
            "ocr: otra persona false alarms",
            "%",
            falsas,
            None,
            "",
            None,
            "≤2",
            falsas <= 2,
            f"{fp} of {fp + tn} files of the patient",
        )
    )
    v_tp, v_fp, v_fn = ours["vencida"]
    rows.append(
        Row(
            "ocr: vencida recall",
            "%",
            _pct(v_tp, v_tp + v_fn),
            None,
            "",
            None,
            "reported",
            None,
            f"TP {v_tp} FN {v_fn} FP {v_fp}",
        )
    )
    seg = ours["segundos"]
    med = statistics.median(seg)
    rows.append(
        Row(
            "ocr: s/page (1 thread, niced)",
            "s",
            med,
            percentile(seg, 95),
            "p95",
            statistics.median(peer["segundos"]) if peer else None,
            "med≤4",
            med <= 4.0,
            f"{ours['paginas']} pages in {ours['archivos']} files; {ours['version']}; "
            f"reader process peak RSS {ours['peak_mb']:.0f} MB (Python + imports "
            f"{ours['base_mb']:.0f} MB)",
        )
    )
    rows.append(_fila_hijo(ours))
    rows.append(
        Row(
            "ocr: picker keystroke while reading",
            "ms",
            statistics.median(busy),
            percentile(busy, 99),
            "p99",
            statistics.median(idle),
            "med≤1 p99≤5",
            statistics.median(busy) <= 1 and percentile(busy, 99) <= 5,
            f"peer column = same keystrokes idle (p99 {percentile(idle, 99):.2f})",
        )
    )
    return rows


def _fila_hijo(ours: dict[str, Any]) -> Row:
    """The reader's own process over many readings: RSS after the 50th reading (a quarter, if
    fewer) and after the last, measured between pages (its free heap already given back)."""
    rss: list[tuple[int, float]] = [(int(n), float(mb)) for n, mb in ours["rss_hijo"]]
    if not rss:
        return Row("ocr: reader process RSS", "MB", float("nan"), None, "", None, "", None, "")
    total = rss[-1][0]
    k = min(50, max(1, total // 4))
    primero = next((mb for n, mb in reversed(rss) if n <= k), rss[0][1])
    ultimo = rss[-1][1]
    return Row(
        f"ocr: reader process RSS after {total} readings",
        "MB",
        ultimo,
        None,
        "",
        primero,
        f"≤+50 vs {k}",
        ultimo - primero <= 50,
        f"peer column = after {k}; highest between pages {max(mb for _, mb in rss):.0f} MB, "
        f"peak while reading {ours['peak_mb']:.0f} MB; {ours['arranques']} process(es) "
        f"started; the sample's {ours['archivos']} files read in turn",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.bench_ocr")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--worker", choices=("rapidocr", "tesseract"))
    parser.add_argument("--lecturas", type=int, default=0)
    parser.add_argument("carpeta", nargs="?")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.carpeta, args.worker, args.lecturas)))
        return 0
    from benchmarks.run import format_table

    print(format_table(run(Options(quick=args.quick))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
