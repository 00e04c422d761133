"""Secrets live in the OS keyring (Windows Credential Manager, Secret Service…), never in files or logs."""

from __future__ import annotations

import hashlib
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
# `dim-revision serve` only: Botmaker's webhook token (header auth-bm-token) and one API key per
# portal client (`api-key-<cliente>`, clients listed in `[servicio] clientes`).
WEBHOOK_TOKEN = "webhook-token"
API_KEY_PREFIX = "api-key-"
SERVICE_NAMES = (WEBHOOK_TOKEN,)


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
    if name in SERVICE_NAMES or is_api_key_name(name):
        return
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


LINK_KEY_MISSING = (
    "Esta PC no tiene la clave que firma los links de los pacientes (link-key), así que no puede "
    "confirmar envíos: un link firmado con otra clave sería rechazado por el portal. Pedile a "
    "sistemas que cargue la misma clave que usan las demás PCs y el portal con «dim-revision "
    'secrets set link-key», o que configure el modo servicio ([outbox] modo = "servicio").'
)


def is_api_key_name(name: str) -> bool:
    client = name[len(API_KEY_PREFIX) :]
    return name.startswith(API_KEY_PREFIX) and bool(client) and client.replace("-", "").isalnum()


def new_link_key() -> str:
    return _random.token_urlsafe(32)  # 256 random bits


def link_key(store: SecretStore) -> str:
    """The link signing key; never generated here (a PC with its own random key would send links
    the portal rejects): without it Confirmar is refused with `LINK_KEY_MISSING`."""
    value = store.get("link-key")
    if not value:
        logging.getLogger(__name__).warning("Confirmar rechazado: falta link-key en esta PC")
        raise SecretMissing(LINK_KEY_MISSING)
    return value


def key_fingerprint(key: str | None) -> str | None:
    """First 8 hex digits of the key's SHA-256: enough to tell two keys apart, useless to forge."""
    if not key:
        return None
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


def keyring_usable() -> tuple[bool, str]:
    """Whether a real keyring backend is configured (headless Linux usually has none)."""
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return False, "no hay un llavero del sistema disponible"
    return True, type(backend).__module__ + "." + type(backend).__name__
