"""Set-up that only the PyInstaller build needs (called by `cli.main` when `sys.frozen`).

A frozen app cannot rely on `keyring`'s entry-point discovery (the package metadata it scans may
be incomplete in the bundle), so the backend is chosen explicitly per OS. Where no usable keyring
exists, a backend that refuses with a Spanish explanation replaces the generic English one.
"""

from __future__ import annotations

import io
import logging
import os
import sys
from typing import Any

from keyring.backends import fail
from keyring.errors import NoKeyringError

log = logging.getLogger(__name__)

NO_KEYRING_MESSAGE = (
    "no hay un llavero del sistema disponible. En Windows se usa el Administrador de "
    "credenciales; en Linux hace falta un servicio Secret Service desbloqueado (gnome-keyring o "
    "KWallet). Para probar sin llavero usá «dim-revision demo»."
)


WINDOWLESS_COMMAND = (
    "Este es el ejecutable de la ventana (dim-revision-gui.exe): no tiene consola para mostrar "
    "el resultado de «{command}». Abrí cmd o PowerShell y usá dim-revision.exe {command}."
)


def configure_frozen() -> bool:
    """Make the bundled app self-sufficient: standard streams and the keyring backend.

    Returns whether the process has a console: False for the windowed Windows executable
    (`dim-revision-gui.exe`), True for the console one (`dim-revision.exe`) and on Linux."""
    has_console = ensure_streams()
    import keyring

    keyring.set_keyring(choose_keyring_backend(sys.platform))
    return has_console


def ensure_streams() -> bool:
    """A windowed (console-less) Windows build has no stdout/stderr; writes must not crash.

    Only missing streams are replaced, so the console executable keeps its real stdout/stderr.
    stdin stays None: readers check for it (`secrets set`). True if stdout was already there."""
    has_console = sys.stdout is not None
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives for the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    for stream in (sys.stdout, sys.stderr):
        utf8_output(stream)
    return has_console


def utf8_output(stream: object) -> None:
    """Redirected output (`doctor > informe.txt`, a CI log) of the Windows console executable
    is in the ANSI code page (cp1252), which has no «→» or «✓»: printing them would raise
    UnicodeEncodeError. Such streams switch to UTF-8; an interactive console already is."""
    if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower().replace("-", "") != "utf8":
        stream.reconfigure(encoding="utf-8", errors="replace")


def tell_windowless(command: str, platform: str = sys.platform) -> str:
    """The message for a CLI command started from the windowed executable, shown in a Windows
    message box (there is nowhere else to show it). Returns the message."""
    message = WINDOWLESS_COMMAND.format(command=command)
    log.warning(message)
    if platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        ctypes.windll.user32.MessageBoxW(None, message, "DIM Revisión", 0x40)  # type: ignore[attr-defined]
    return message


def choose_keyring_backend(platform: str) -> Any:
    """The OS keyring backend if it is usable here, else one that refuses with a clear message."""
    try:
        if platform == "win32":
            from keyring.backends.Windows import WinVaultKeyring

            return _usable(WinVaultKeyring)
        if platform == "darwin":
            from keyring.backends.macOS import Keyring as MacKeyring

            return _usable(MacKeyring)
        from keyring.backends.SecretService import Keyring as SecretServiceKeyring

        return _usable(SecretServiceKeyring)
    except Exception as exc:  # any probe failure means "no keyring", explained below
        log.info("Llavero del sistema no disponible (%s): %s", platform, exc)
        return unavailable_keyring()


def _usable(backend_cls: Any) -> Any:
    """keyring signals "not usable here" by raising from the `priority` class property."""
    _ = backend_cls.priority
    return backend_cls()


def unavailable_keyring() -> Any:
    """The refusing backend, instantiated."""
    return SinLlavero()


class SinLlavero(fail.Keyring):
    """A `fail.Keyring` (so `keyring_usable()` still recognises it) with a Spanish message."""

    def get_password(self, service: str, username: str, *args: Any, **kw: Any) -> str | None:
        raise NoKeyringError(NO_KEYRING_MESSAGE)

    def set_password(self, service: str, username: str, *args: Any, **kw: Any) -> None:
        raise NoKeyringError(NO_KEYRING_MESSAGE)

    def delete_password(self, service: str, username: str, *args: Any, **kw: Any) -> None:
        raise NoKeyringError(NO_KEYRING_MESSAGE)
