"""Errors that carry a message meant for a person (Spanish), not a traceback.

Every refusal the operator, the CLI user or the portal can trigger is a subclass of
`UserError`, so the edges (GUI banner, CLI exit code 2) can show `str(error)` verbatim.
"""

from __future__ import annotations


class UserError(Exception):
    """A refusal with a clear Spanish message; nothing was changed."""


class ConfigError(UserError):
    """The configuration file or a setting is unusable."""


class DatabaseUnavailable(UserError):
    """The database cannot be reached or the URL is malformed."""


class SecretMissing(UserError):
    """A secret the operation needs is not in the keyring."""


class NotFound(UserError):
    """The record asked for does not exist (or was deleted)."""


class ValidationError(UserError):
    """Input that breaks a business rule; nothing was written."""


class StaleWrite(UserError):
    """The record changed since it was read (optimistic locking)."""

    def __init__(
        self,
        message: str = "Otro operador modificó esta solicitud. Se recargó con los datos actuales.",
    ) -> None:
        super().__init__(message)


class ClaimLost(UserError):
    """The lease on the record belongs to someone else now."""


class EnvioLocked(UserError):
    """The send was already claimed by the outbox worker; it can no longer be edited or cancelled."""


class InvalidTransition(UserError):
    """A send state change that the state machine does not allow."""


class PermissionDenied(UserError):
    """The current user lacks the role the action needs."""
