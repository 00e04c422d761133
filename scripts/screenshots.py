"""`make screenshots`: the workstation's main states as PNGs in `docs/screenshots/` (DESIGN §9).

For each screen size (1366×768, the call center's, and 1920×1080) this starts itself again under
Xvfb (`xvfb-run`, QT_QPA_PLATFORM=xcb) with a virtual screen of that size, builds the demo
database in a temporary folder with a fixed clock, opens the real main window as the app does on
a first start (`MainWindow.place_on_screen`: maximized on the small screen), drives it the way
an operator would — keys, not method calls, where a key exists — and grabs the whole screen at
each state, dialogs included. Every step waits for the widget it needs, never for a fixed time
(only the repaint after the last change gets a few event-loop passes). A state that cannot be
reached is reported and skipped; the others are still written, and the exit code says so.

Without Xvfb (or with QT_QPA_PLATFORM=offscreen) it falls back to the offscreen platform: the
window is resized to the size and dialogs are laid over its picture.

    python scripts/screenshots.py [--out docs/screenshots] [--sizes 1366x768,1920x1080]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python scripts/screenshots.py` from a checkout
    sys.path.insert(0, str(ROOT))

SIZES = ("1366x768", "1920x1080")


@dataclass(frozen=True)
class State:
    name: str
    title: str  # Spanish, for the index


STATES = (
    State("queue-detail", "La lista y la solicitud abierta (orden, paciente, prestaciones)"),
    State("help-overlay", "La ayuda de atajos (F1)"),
    State("picker-open", "El buscador de prestaciones con sugerencias"),
    State("viewer-focus", "El visor con el teclado (F6): marco azul, zoom por teclado"),
    State("confirm-preview", "La vista previa del WhatsApp antes de confirmar"),
    State("contact-dialog", "Indicar contacto"),
    State("db-down", "Sin conexión con la base de datos"),
    State("envio-programado", "Una solicitud con el envío programado (15 minutos para corregir)"),
    State("cambios-sin-guardar", "Un envío programado con una prestación más: cambios sin guardar"),
    State("saltear-dialog", "Saltear (Ctrl+S): el motivo, de la lista o escrito"),
    State("salteada", "La salteada en la lista (↷, en cursiva) y la siguiente abierta"),
    State("deshacer", "Después de Resuelto (Ctrl+R): la barra Deshacer (Ctrl+Z)"),
    State("requiere-atencion", "Un WhatsApp que no salió: requiere atención (en rojo)"),
    State("corregir-celular", "Corregir celular (Ctrl+M)"),
    State("empty-state", "Una búsqueda sin resultados: el estado vacío"),
    State("setup-dialog", "La ventana de configuración"),
    State("supervisor-dock", "El panel de supervisión abierto (supervisor)"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--sizes", default=",".join(SIZES), help="p. ej. 1366x768,1920x1080")
    parser.add_argument("--solicitudes", type=int, default=80)
    parser.add_argument("--prestaciones", type=int, default=1600)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    if args.inner:
        from scripts.screenshots_driver import shoot

        return shoot(args.out, sizes[0], args.solicitudes, args.prestaciones)
    args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for size in sizes:
        failed += run_one(size, args)
    write_index(args.out, sizes)
    return 1 if failed else 0


def run_one(size: str, args: argparse.Namespace) -> int:
    """One size in a fresh process (one QApplication, one virtual screen per size)."""
    width, height = (int(v) for v in size.lower().split("x"))
    inner = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--inner",
        "--sizes",
        size,
        "--out",
        str(args.out),
        "--solicitudes",
        str(args.solicitudes),
        "--prestaciones",
        str(args.prestaciones),
    ]
    env = dict(os.environ)
    wants_offscreen = env.get("QT_QPA_PLATFORM", "").startswith("offscreen")
    if shutil.which("xvfb-run") and not wants_offscreen:
        env["QT_QPA_PLATFORM"] = "xcb"
        command = ["xvfb-run", "-a", "-s", f"-screen 0 {width}x{height}x24 -nolisten tcp", *inner]
    else:
        print("Sin xvfb-run: capturas con la plataforma offscreen.", flush=True)
        env["QT_QPA_PLATFORM"] = "offscreen"
        command = inner
    print(f"== {size} ==", flush=True)
    started = time.monotonic()
    result = subprocess.run(command, env=env, cwd=ROOT, check=False)
    print(f"== {size}: {time.monotonic() - started:.0f} s, código {result.returncode} ==")
    return 0 if result.returncode == 0 else 1


def write_index(out: Path, sizes: list[str]) -> None:
    lines = [
        "# Capturas de pantalla",
        "",
        "Generadas por `make screenshots` (`scripts/screenshots.py`): la ventana real sobre la",
        "base de demostración, manejada con el teclado, en una pantalla virtual (Xvfb) de cada",
        "tamaño. La de 1366×768 es la pantalla de los puestos del call center: la ventana abre",
        "maximizada y todo entra. Xvfb no tiene barra de tareas ni barra de título; en Windows la",
        "ventana tiene unos 70 px menos de alto, y los tests (`tests/gui/test_small_screen.py`)",
        "verifican la distribución también a 1366×696.",
        "",
        "| estado | " + " | ".join(sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for state in STATES:
        cells = []
        for size in sizes:
            name = f"{state.name}-{size}.png"
            cells.append(f"[{size}]({name})" if (out / name).exists() else "—")
        lines.append(f"| {state.title} | " + " | ".join(cells) + " |")
    lines.append("")
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")


class Steps:
    """Runs named steps; a failing step is reported and the rest still run."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def run(self, name: str, step: Callable[[], object]) -> None:
        try:
            step()
        except Exception as exc:
            self.failed.append(name)
            print(f"  ✗ {name}: {exc}", flush=True)
            traceback.print_exc(limit=3)


def temp_home() -> Path:
    work = Path(tempfile.mkdtemp(prefix="dim-screenshots-"))
    os.environ["DIM_REVISION_HOME"] = str(work / "home")
    return work


if __name__ == "__main__":
    raise SystemExit(main())
