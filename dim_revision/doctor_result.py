"""What one `doctor` check answers: OK / FALLA / AVISO, the detail, and the fix in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Estado = Literal["OK", "FALLA", "AVISO"]
OK: Estado = "OK"
FALLA: Estado = "FALLA"
AVISO: Estado = "AVISO"


@dataclass(frozen=True)
class Resultado:
    nombre: str
    estado: Estado
    detalle: str
    arreglo: str = ""  # what to do, when not OK

    def lineas(self) -> list[str]:
        out = [f"[{self.estado}] {self.nombre}: {self.detalle}"]
        if self.arreglo and self.estado != OK:
            out.append(f"        → {self.arreglo}")
        return out


def first_line(exc: BaseException) -> str:
    text_ = str(getattr(exc, "orig", None) or exc).strip()
    return text_.splitlines()[0] if text_ else type(exc).__name__
