"""Set-up that only the PyInstaller build needs (called by `cli.main` when `sys.frozen`).

A frozen app cannot rely on `keyring`'s entry-point discovery (the package metadata it scans may
be incomplete in the bundle), so the backend is chosen explicitly per OS. Where no usable keyring
exists, a backend that refuses with a Spanish explanation replaces the generic English one.
"""

from __future__ import annotations

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
    "KWallet). Para probar sin llavero use «dim-revision demo»."
)


def configure_frozen() -> None:
    """Make the bundled app self-sufficient: standard streams and the keyring backend."""
    _ensure_streams()
    import keyring

    keyring.set_keyring(choose_keyring_backend(sys.platform))


def _ensure_streams() -> None:
    """A windowed (console-less) Windows build has no stdout/stderr; writes must not crash."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives for the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


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
