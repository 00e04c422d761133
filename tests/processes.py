"""A real `python` child process for the tests that run a command the way IT does (`outbox run`,
`serve`, `botmaker-fake`): started with this environment plus a few settings, text pipes, and
killed and reaped if a test leaves it running."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

CANAL = "canal-prueba"


def sender_env(db_url: str, botmaker_url: str, token: str, **settings: str) -> dict[str, str]:
    """A process on `db_url` sending to `botmaker_url` (the token in TEST_BOTMAKER_TOKEN, for
    the child's script); `settings` as `seccion__clave="valor"` (DIM_REVISION__SECCION__CLAVE)."""
    env = {
        "DIM_REVISION_DB_URL": db_url,
        "DIM_REVISION__BOTMAKER__BASE_URL": botmaker_url,
        "DIM_REVISION__BOTMAKER__CANAL": CANAL,
        "TEST_BOTMAKER_TOKEN": token,
    }
    env.update({f"DIM_REVISION__{key.upper()}": value for key, value in settings.items()})
    return env


@contextmanager
def python_process(
    args: Sequence[str], env: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen[str]]:
    """`python ARGS` (`["-c", SCRIPT]`, `["-m", "dim_revision", …]`), os.environ plus `env`."""
    full = dict(os.environ)
    full.update(env or {})
    proc = subprocess.Popen(
        [sys.executable, *args],
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def served_url(proc: subprocess.Popen[str]) -> str:
    """The `http://127.0.0.1:PORT` a serving process prints on its first line."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    assert found, line
    return f"http://127.0.0.1:{found.group(1)}"
