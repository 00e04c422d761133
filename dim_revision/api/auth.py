"""API keys per portal client and Botmaker's webhook token, both from the secret store.

Keys are compared in constant time (`hmac.compare_digest` over SHA-256 digests, every client
compared, no early exit), cached for a minute so a key changed with `secrets set` is picked up
without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable

from dim_revision.secrets import API_KEY_PREFIX, WEBHOOK_TOKEN, SecretStore

CACHE_SECONDS = 60.0


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


class Credentials:
    def __init__(
        self,
        secrets: SecretStore,
        clientes: list[str],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._secrets = secrets
        self.clientes = clientes
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._loaded_at: float | None = None
        self._keys: dict[str, bytes] = {}
        self._webhook: bytes | None = None

    @classmethod
    def parse_clientes(cls, text: str) -> list[str]:
        return [c.strip() for c in text.split(",") if c.strip()]

    def _load(self) -> None:
        now = self._monotonic()
        with self._lock:
            if self._loaded_at is not None and now - self._loaded_at < CACHE_SECONDS:
                return
            keys = {}
            for client in self.clientes:
                value = self._secrets.get(API_KEY_PREFIX + client)
                if value:
                    keys[client] = _digest(value)
            token = self._secrets.get(WEBHOOK_TOKEN)
            self._keys = keys
            self._webhook = _digest(token) if token else None
            self._loaded_at = now

    def client_for(self, presented: str | None) -> str | None:
        """The client whose key this is, or None."""
        if not presented:
            return None
        self._load()
        given = _digest(presented)
        found: str | None = None
        for client, key in self._keys.items():
            if hmac.compare_digest(given, key) and found is None:
                found = client
        return found

    def webhook_ok(self, presented: str | None) -> bool:
        self._load()
        expected = self._webhook
        if expected is None or not presented:
            return False
        return hmac.compare_digest(_digest(presented), expected)

    def configured(self) -> tuple[int, bool]:
        """How many client keys, and whether the webhook token is loaded (for /healthz)."""
        self._load()
        return len(self._keys), self._webhook is not None
