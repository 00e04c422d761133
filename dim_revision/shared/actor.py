"""Who does something, and from which PC: every service call carries one for the audit trail."""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    usuario: str
    estacion: str

    @classmethod
    def from_os(cls, usuario: str = "", estacion: str = "") -> Actor:
        try:
            login = getpass.getuser()
        except (KeyError, OSError):
            login = "desconocido"
        return cls(usuario or login, estacion or socket.gethostname())
