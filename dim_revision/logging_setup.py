"""Log files and crash reports: rotated logs in the user log folder, personal data and secrets masked.

Nothing here runs at import time. `configure_logging` is idempotent (called once per `cli.main`,
which tests call many times), and the crash handler takes a callable to show its message so the
Qt side can plug in a QMessageBox without the core importing Qt.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import platform
import re
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from dim_revision.domain.phones import enmascarar

LOG_FILE_NAME = "dim-revision.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
LINE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
SECRET_MASK = "***"
MIN_SECRET_LENGTH = 4  # shorter "secrets" would mask ordinary words

# A run of digits with the separators people type in phones and DNIs, not glued to a word
# (so hex ids and UUIDs stay intact).
# A label glued in front ("DNI39059857", "Tel.5491123456789") does not protect a number; a
# number glued to letters after it (hex ids, UUID parts) is not personal data.
_NUMBER_RUN = re.compile(r"(?<!\d)\+?\d[\d \t().-]*\d(?!\w)")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}")
_DNI = re.compile(r"^(\d{7,8}|\d{1,2}[. ]\d{3}[. ]\d{3})$")
_DNI_INSIDE = re.compile(r"(?<![\d.-])(\d{1,2}[. ]\d{3}[. ]\d{3}|\d{7,8})(?![\d-])")
# A JWT (our link token is one): three base64url segments, the header starting "eyJ".
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
JWT_MASK = "<token>"

_HANDLER_MARK = "_dim_revision_handler"

ShowMessage = Callable[[str], None]


# --- masking -------------------------------------------------------------------------------


def _mask_number(match: re.Match[str]) -> str:
    text = match.group()
    if _DATE_PREFIX.match(text):  # 2026-03-10: dates are not personal data; what follows may be
        return text[:10] + _NUMBER_RUN.sub(_mask_number, text[10:])
    digits = re.sub(r"\D", "", text)
    if len(digits) < 7:
        return text
    if _DNI.match(text):
        return "*" * len(digits)
    # "10:00 39059857", "00 39 059 857": a DNI glued to another number by a space.
    inner, found = _DNI_INSIDE.subn(lambda m: re.sub(r"\d", "*", m.group()), text)
    if found:
        return inner
    return enmascarar(text)  # phones (and any other long number): keep the last 4 digits


def mask_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Secret values → ***, DNI-like numbers (7–8 digits) fully masked, phones keep their last 4."""
    for value in sorted({s for s in secrets if s}, key=len, reverse=True):
        if len(value) >= MIN_SECRET_LENGTH:
            text = text.replace(value, SECRET_MASK)
    text = _JWT.sub(JWT_MASK, text)
    return _NUMBER_RUN.sub(_mask_number, text)


class MaskingFilter(logging.Filter):
    """Rewrites each record before any handler formats it: message, args and traceback."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self.add_secrets(secrets)

    def add_secrets(self, values: Iterable[str | None]) -> None:
        self._secrets.update(v for v in values if v and len(v) >= MIN_SECRET_LENGTH)

    def mask(self, text: str) -> str:
        return mask_text(text, self._secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        # The args are folded into the masked message, so no handler can see them unmasked.
        record.msg = self.mask(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


# --- log files -----------------------------------------------------------------------------


def log_file(log_dir: Path) -> Path:
    return log_dir / LOG_FILE_NAME


def configure_logging(
    log_dir: Path,
    secrets: Iterable[str | None] = (),
    level: int = logging.INFO,
    logger: logging.Logger | None = None,
) -> Path | None:
    """Attach the rotating file handler to `logger` (root by default) once.

    Called again with the same folder it only learns new secret values; with another folder
    (tests use one per test) the previous handler is closed and replaced, so handlers never stack.
    Returns the log file, or None when the folder cannot be written (logging is then skipped:
    the app must still start on a locked-down PC).
    """
    target = logger or logging.getLogger()
    path = log_file(log_dir)
    for handler in list(target.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            if Path(getattr(handler, "baseFilename", "")) == path.resolve():
                for f in handler.filters:
                    if isinstance(f, MaskingFilter):
                        f.add_secrets(secrets)
                return path
            target.removeHandler(handler)
            handler.close()
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True
        )
    except OSError:
        return None
    setattr(handler, _HANDLER_MARK, True)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(LINE_FORMAT))
    handler.addFilter(MaskingFilter(secrets))
    target.addHandler(handler)
    if target.level == logging.NOTSET or target.level > level:
        target.setLevel(level)
    return path


def active_log_file(logger: logging.Logger | None = None) -> Path | None:
    """The file our handler writes to, if logging was configured."""
    for handler in (logger or logging.getLogger()).handlers:
        if getattr(handler, _HANDLER_MARK, False):
            return Path(getattr(handler, "baseFilename", ""))
    return None


# --- crash reports -------------------------------------------------------------------------


def crash_message(report: Path | None) -> str:
    if report is None:
        return "Ocurrió un error inesperado y no se pudo guardar el informe."
    return f"Ocurrió un error inesperado. Se guardó un informe en {report}"


def write_crash_report(
    log_dir: Path,
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    *,
    version: str,
    config_summary: Mapping[str, Any] | None = None,
    secrets: Iterable[str | None] = (),
    now: datetime | None = None,
) -> Path | None:
    """Traceback + version + (already secret-free) config summary, masked; None if unwritable."""
    masker = MaskingFilter(secrets)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    lines = [
        "Informe de error de DIM Revisión",
        f"Fecha: {(now or datetime.now()).isoformat(timespec='seconds')}",
        f"Versión: {version}",
        f"Python: {sys.version.split()[0]} en {platform.platform()}",
        "",
        "Configuración:",
    ]
    for section, values in (config_summary or {}).items():
        if isinstance(values, Mapping):
            for key, value in values.items():
                lines.append(f"  [{section}] {key} = {value!r}")
        else:
            lines.append(f"  {section} = {values!r}")
    lines += ["", "Error:", "".join(traceback.format_exception(exc_type, exc, tb))]
    body = masker.mask("\n".join(lines))
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / f"error-{stamp}-{os.getpid()}.txt"
        n = 1
        while path.exists():
            n += 1
            path = log_dir / f"error-{stamp}-{os.getpid()}-{n}.txt"
        path.write_text(body, encoding="utf-8")
    except OSError:
        return None
    return path


def print_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class CrashHandler:
    """Writes the report, logs it, and shows the Spanish message through `show`."""

    def __init__(
        self,
        log_dir: Path,
        version: str,
        config_summary: Callable[[], Mapping[str, Any]] = dict,
        secrets: Callable[[], Iterable[str | None]] = tuple,
        show: ShowMessage = print_to_stderr,
    ) -> None:
        self.log_dir = log_dir
        self.version = version
        self._config_summary = config_summary
        self._secrets = secrets
        self.show = show

    def report(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> Path | None:
        try:
            summary = self._config_summary()
        except Exception as err:  # the report must not fail because the config is broken
            summary = {"config": f"no disponible ({type(err).__name__})"}
        try:
            secret_values = list(self._secrets())
        except Exception:
            secret_values = []
        path = write_crash_report(
            self.log_dir,
            exc_type,
            exc,
            tb,
            version=self.version,
            config_summary=summary,
            secrets=secret_values,
        )
        logging.getLogger("dim_revision.crash").error(
            "Error inesperado (%s); informe: %s", exc_type.__name__, path
        )
        try:
            self.show(crash_message(path))
        except Exception:
            print_to_stderr(crash_message(path))
        return path

    def excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.report(exc_type, exc, tb)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        self.report(args.exc_type, args.exc_value, args.exc_traceback)

    def install(self) -> None:
        """Process-wide: `sys.excepthook` and `threading.excepthook` (the GUI calls this too)."""
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook


# --- helpers for the composition root ------------------------------------------------------


def secret_values(store: Any, names: Iterable[str]) -> list[str]:
    """The current secret values to mask; a broken keyring just means nothing to mask."""
    values = []
    for name in names:
        try:
            value = store.get(name)
        except Exception:  # KeyringStore raises UserError without a backend
            continue
        if value:
            values.append(value)
    return values


def config_summary(settings: Any) -> dict[str, Any]:
    """Settings as a dict with the database URL's password hidden (secrets are never in it)."""
    from dim_revision.db.engine import mask_url

    data: dict[str, Any] = settings.as_dict()
    database = dict(data.get("database", {}))
    if database.get("url"):
        database["url"] = mask_url(database["url"])
    data["database"] = database
    return data
