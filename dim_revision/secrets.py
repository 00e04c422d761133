"""Secrets live in the OS keyring (Windows Credential Manager, Secret Service…), never in files or logs."""

from __future__ import annotations

import logging
import secrets as _random
from dataclasses import dataclass, field
from typing import Protocol

from dim_revision.errors import SecretMissing, UserError

SERVICE = "dim-revision"


@dataclass(frozen=True)
class SecretSpec:
    name: str
    description: str
    required: bool


KNOWN_SECRETS: tuple[SecretSpec, ...] = (
    SecretSpec(
        "db-password", "contraseña de la base SQL Server (si no usa seguridad integrada)", False
    ),
    SecretSpec("botmaker-token", "access-token de la API de Botmaker", True),
    SecretSpec("link-key", "clave que firma los links enviados a los pacientes", True),
)
KNOWN_NAMES = tuple(s.name for s in KNOWN_SECRETS)
# Needed only where WhatsApp sends happen: every workstation in [outbox] modo = "estaciones",
# only `dim-revision serve` in modo = "servicio".
SENDER_SECRETS = ("botmaker-token", "link-key")


class SecretStore(Protocol):
    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...


class KeyringStore:
    """The real store; `keyring` picks the OS backend."""

    def __init__(self, service: str = SERVICE) -> None:
        self._service = service

    def get(self, name: str) -> str | None:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(self._service, name)
        except KeyringError as exc:
            raise UserError(f"No se pudo usar el llavero del sistema: {exc}") from None

    def set(self, name: str, value: str) -> None:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(self._service, name, value)
        except KeyringError as exc:
            raise UserError(f"No se pudo guardar en el llavero del sistema: {exc}") from None


@dataclass
class MemoryStore:
    """In-process store for demo mode without a keyring backend, and for tests."""

    values: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value


def validate_name(name: str) -> None:
    if name not in KNOWN_NAMES:
        raise UserError(f"Secreto desconocido «{name}». Válidos: {', '.join(KNOWN_NAMES)}.")


def require(store: SecretStore, name: str) -> str:
    value = store.get(name)
    if not value:
        raise SecretMissing(
            f"Falta el secreto «{name}» en el llavero del sistema. "
            f"Cárguelo con: dim-revision secrets set {name}"
        )
    return value


LINK_KEY_GENERATED = (
    "Se generó una clave nueva para firmar los links de los pacientes. Todas las PCs y el portal "
    "deben usar la misma: cópiela con «dim-revision secrets generate link-key» en una PC y "
    "«dim-revision secrets set link-key» en las demás."
)


def new_link_key() -> str:
    return _random.token_urlsafe(32)  # 256 random bits


def link_key(store: SecretStore) -> str:
    """The link signing key, generated the first time one is needed (and said so in the log)."""
    value = store.get("link-key")
    if not value:
        value = new_link_key()
        store.set("link-key", value)
        logging.getLogger(__name__).warning(LINK_KEY_GENERATED)
    return value


def keyring_usable() -> tuple[bool, str]:
    """Whether a real keyring backend is configured (headless Linux usually has none)."""
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return False, "no hay un llavero del sistema disponible"
    return True, type(backend).__module__ + "." + type(backend).__name__
