"""One pass over the queue: what comes next, and what was already done in this pass (no Qt).

"Next" is the next row in the table's current order after the record just finished, wrapping to
the top, skipping rows that are resolved, held by another operator, or already acted on in this
pass (confirmed, resolved, a contact registered, or skipped with a reason). The pass lives in the
workstation's memory: it starts when the program opens or the filter changes, so a record skipped
today comes back tomorrow or when the operator looks at another view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Hecho(StrEnum):
    """What the operator did with a record in this pass."""

    CONFIRMADO = "confirmado"
    RESUELTO = "resuelto"
    CONTACTO = "contacto"
    SALTEADO = "salteado"


@dataclass(frozen=True)
class Fila:
    """A row of the table as the pass sees it."""

    id: int
    libre: bool  # not resolved and not held by another operator


MOTIVOS_SALTEO = (
    "No tiene celular válido",
    "La orden no se lee",
    "Falta la orden o está incompleta",
    "Necesito consultar a un supervisor",
    "El paciente pidió que lo llamen",
)
MAX_MOTIVO = 300


@dataclass
class Pase:
    hechos: dict[int, Hecho] = field(default_factory=dict)
    motivos: dict[int, str] = field(default_factory=dict)  # skipped → the reason given
    _orden: list[int] = field(default_factory=list)  # the table's order last seen

    def marcar(self, sid: int, hecho: Hecho, motivo: str | None = None) -> None:
        self.hechos[sid] = hecho
        if hecho is Hecho.SALTEADO and motivo:
            self.motivos[sid] = motivo
        else:
            self.motivos.pop(sid, None)

    def olvidar(self, sid: int) -> None:
        """An undo: the record is workable again in this pass."""
        self.hechos.pop(sid, None)
        self.motivos.pop(sid, None)

    def reiniciar(self) -> None:
        self.hechos.clear()
        self.motivos.clear()
        self._orden.clear()

    def motivo(self, sid: int) -> str | None:
        return self.motivos.get(sid) if self.hechos.get(sid) is Hecho.SALTEADO else None

    @property
    def hechas(self) -> frozenset[int]:
        return frozenset(self.hechos)

    @property
    def salteadas(self) -> int:
        return sum(1 for h in self.hechos.values() if h is Hecho.SALTEADO)

    def siguientes(self, filas: Sequence[Fila], desde: int) -> list[int]:
        """Candidates after `desde`, in table order (wrapping), best first.

        If `desde` already left the table (a refresh dropped it), the order seen before is used
        to find where it was, so the loop still continues below it rather than at the top.
        """
        ids = [f.id for f in filas]
        start = self._position(ids, desde)
        if ids:
            self._orden = ids
        ordered = [*filas[start:], *filas[:start]]
        return [f.id for f in ordered if f.libre and f.id != desde and f.id not in self.hechos]

    def _position(self, ids: list[int], sid: int) -> int:
        """Index of the first row after `sid` in `ids`."""
        if sid in ids:
            return ids.index(sid) + 1
        if sid in self._orden:
            present = set(ids)
            after = self._orden[self._orden.index(sid) + 1 :]
            follower = next((i for i in after if i in present), None)
            if follower is not None:
                return ids.index(follower)
            before = [i for i in self._orden[: self._orden.index(sid)] if i in present]
            if before:
                return ids.index(before[-1]) + 1
        return 0


def limpiar_motivo(texto: str) -> str:
    """The reason as stored: one line, trimmed, capped; raises ValueError with a Spanish text."""
    motivo = " ".join(texto.split())
    if not motivo:
        raise ValueError("Indicá por qué la salteás (elegí un motivo o escribilo).")
    if len(motivo) > MAX_MOTIVO:
        raise ValueError(f"El motivo supera los {MAX_MOTIVO} caracteres.")
    return motivo
