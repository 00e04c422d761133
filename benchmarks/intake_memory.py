"""Peak memory and time of intake's file check on every hostile file, each in a fresh child
process (the child's VmHWM: the whole interpreter included; Linux). Target: < 150 MB peak.

    python -m benchmarks.intake_memory
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.hostile_corpus import BENIGNOS, CORPUS

LIMIT_MB = 150.0

CHILD = """
import json, sys, time
from pathlib import Path
from dim_revision.config import IntakeSettings
from dim_revision.errors import ValidationError
from dim_revision.services.archivos import inspeccionar_archivo
path = Path(sys.argv[1])
data = path.read_bytes()
def hwm():  # this process's peak RSS in KB (unlike ru_maxrss, not inherited across fork+exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0
before = hwm()
t = time.perf_counter()
verdict = "aceptado"
if sys.argv[2] == "check":
    try:
        inspeccionar_archivo(path.name, data, IntakeSettings())
    except ValidationError as exc:
        verdict = str(exc)
elapsed = time.perf_counter() - t
peak = hwm()
print(json.dumps({"peak_kb": peak, "before_kb": before, "s": elapsed, "verdict": verdict}))
"""


@dataclass(frozen=True)
class Medida:
    nombre: str
    tamano: int
    peak_mb: float
    base_mb: float
    segundos: float
    veredicto: str


def measure(path: Path, mode: str = "check") -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run() -> list[Medida]:
    medidas = []
    with tempfile.TemporaryDirectory(prefix="dimrev-intake-") as tmp:
        items = [(h.nombre, h.hacer) for h in CORPUS] + list(BENIGNOS)
        for nombre, hacer in items:
            path = Path(tmp) / nombre
            path.write_bytes(hacer())
            got = measure(path)
            base = measure(path, "none")
            medidas.append(
                Medida(
                    nombre,
                    path.stat().st_size,
                    int(got["peak_kb"]) / 1024,  # type: ignore[call-overload]
                    int(base["peak_kb"]) / 1024,  # type: ignore[call-overload]
                    float(got["s"]),  # type: ignore[arg-type]
                    str(got["verdict"]),
                )
            )
    return medidas


def table(medidas: list[Medida]) -> str:
    lines = [
        "| file | size | peak RSS (MB) | same process without the check (MB) | check (s) | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for m in medidas:
        verdict = m.veredicto.split(": ", 1)[-1][:70]
        lines.append(
            f"| {m.nombre} | {m.tamano / 1024:.0f} KB | {m.peak_mb:.0f} | {m.base_mb:.0f} | "
            f"{m.segundos:.2f} | {verdict} |"
        )
    return "\n".join(lines)


def main() -> int:
    medidas = run()
    print(table(medidas))
    worst = max(m.peak_mb for m in medidas)
    print(f"\nPeor pico: {worst:.0f} MB (objetivo < {LIMIT_MB:.0f} MB)")
    return 0 if worst < LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main())
