"""The operator's workstation session without Qt: decisions the window only renders (issue 16.4)."""

from dim_revision.workstation.pase import MOTIVOS_SALTEO, Fila, Hecho, Pase
from dim_revision.workstation.session import Deshacer, WorkstationSession

__all__ = ["MOTIVOS_SALTEO", "Deshacer", "Fila", "Hecho", "Pase", "WorkstationSession"]
