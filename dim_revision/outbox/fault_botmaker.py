"""A fault-injection Botmaker on 127.0.0.1 for the soak harness and the classification tests.

Unlike the demo's fake (`fake_server.py`), this one is about proof:

- every *complete* request is appended to a journal file and fsync'ed **before** anything is
  answered, so "requests received" survives any crash of the answering side and a duplicate can
  never go unnoticed;
- it fails *after reading the request*, the worst case for the client: a TLS alert (plaintext
  garbage on an established TLS session), a TCP reset, 500/502/504 after processing, an answer
  slower than the client's read timeout, or a silent close;
- optionally over TLS with a self-signed certificate generated at run time (`make_tls_files`).

A request whose body never arrives complete is not processed and not recorded (what any HTTP
server does). `mode_for(n)` picks the fault for the n-th complete request.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import ipaddress
import json
import os
import random
import socket
import ssl
import struct
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

MODES = ("ok", "tls_alert", "reset", "close", "500", "502", "504", "slow")
MAX_HEADER = 64 * 1024
MAX_BODY = 1_000_000


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path


def make_tls_files(folder: Path) -> TlsFiles:
    """A self-signed certificate for 127.0.0.1 / localhost, valid for a day (generated now)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = _dt.datetime.now(_dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(minutes=5))
        .not_valid_after(now + _dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(folder / "fault-botmaker.crt", folder / "fault-botmaker.key")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files


def random_modes(weights: Mapping[str, float], seed: int) -> Callable[[int], str]:
    """A mode chooser: each request gets a mode drawn with these weights ("ok" takes the rest)."""
    rng = random.Random(seed)
    lock = threading.Lock()
    names = [*weights, "ok"]
    rest = max(0.0, 1.0 - sum(weights.values()))
    probs = [*weights.values(), rest]

    def choose(_n: int) -> str:
        with lock:
            return rng.choices(names, probs)[0]

    return choose


class FaultBotmaker:
    """Start with `start()` or as a context manager; `url` is the base URL to configure."""

    def __init__(
        self,
        journal: Path,
        token: str,
        *,
        mode_for: Callable[[int], str] | None = None,
        tls: TlsFiles | None = None,
        slow_seconds: float = 2.0,
        delay: Callable[[], float] | None = None,
    ) -> None:
        self.journal = journal
        self.token = token
        self.mode_for = mode_for or (lambda _n: "ok")
        self.tls = tls
        self.slow_seconds = slow_seconds
        self.delay = delay
        self._ssl: ssl.SSLContext | None = None
        if tls is not None:
            self._ssl = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._ssl.load_cert_chain(str(tls.cert), str(tls.key))
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._count = 0
        self._fh: Any = None

    # lifecycle -------------------------------------------------------------------------------

    def start(self) -> FaultBotmaker:
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.journal.open("a", encoding="utf-8")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        sock.settimeout(0.2)
        self._sock = sock
        self._thread = threading.Thread(
            target=self._accept_loop, name="fault-botmaker", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        if self._sock is not None:
            self._sock.close()
        if self._fh is not None:
            self._fh.close()
        self._sock = self._thread = self._fh = None

    def __enter__(self) -> FaultBotmaker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._sock is not None, "not started"
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self._sock.getsockname()[1]}"

    # the journal -----------------------------------------------------------------------------

    def received(self) -> list[dict[str, Any]]:
        """Every complete request recorded so far (read back from the journal file)."""
        return read_journal(self.journal)

    def counts(self) -> Counter[str]:
        return Counter(str(r.get("envio")) for r in self.received())

    def _record(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self._fh.write(line)
            self._fh.flush()
            os.fsync(self._fh.fileno())

    # serving ---------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        assert self._sock is not None
        while not self._stopping.is_set():
            try:
                conn, _addr = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        conn: socket.socket = raw
        try:
            raw.settimeout(10.0)
            if self._ssl is not None:
                try:
                    conn = self._ssl.wrap_socket(raw, server_side=True)
                except (ssl.SSLError, OSError):
                    return  # the client refused our certificate: nothing was sent
            request = _read_request(conn)
            if request is None:
                return  # incomplete: never processed
            self._handle(conn, raw, *request)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _handle(
        self,
        conn: socket.socket,
        raw: socket.socket,
        path: str,
        headers: dict[str, str],
        body: bytes,
    ) -> None:
        if path.startswith("/v2.0/chats-actions/trigger-intent"):
            api = "v2"
        elif path.startswith("/api/v1.0/intent/v2"):
            api = "v1"
        else:
            _reply(conn, 404, {"error": {"message": "not found"}})
            return
        try:
            data: Any = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            data = None
        if headers.get("access-token") != self.token:
            _reply(conn, 401, {"error": {"code": 1, "message": "Invalid access-token"}})
            return
        envio = data.get("webhookPayload") if isinstance(data, dict) and api == "v2" else None
        with self._lock:
            self._count += 1
            n = self._count
        mode = self.mode_for(n)
        if mode == "tls_alert" and self.tls is None:
            mode = "close"
        # Durable BEFORE any answer: this is the ground truth of what Botmaker "processed".
        self._record({"n": n, "envio": envio, "mode": mode, "at": time.time()})
        if self.delay is not None:
            time.sleep(self.delay())
        if mode == "ok":
            _reply(conn, 202, {"webhookNotificationId": uuid.uuid4().hex})
        elif mode in ("500", "502", "504"):
            _reply(conn, int(mode), {"errors": [{"message": f"{mode} (inyectado)"}]})
        elif mode == "slow":
            self._stopping.wait(self.slow_seconds)
            with contextlib.suppress(OSError):
                _reply(conn, 202, {"webhookNotificationId": uuid.uuid4().hex})
        elif mode == "tls_alert":
            # A fatal alert record in plaintext on an encrypted session: the client's TLS layer
            # fails (bad record) after its request was fully processed.
            with contextlib.suppress(OSError):
                raw.sendall(b"\x15\x03\x03\x00\x02\x02\x50" + os.urandom(32))
            _abort(raw)
        elif mode == "reset":
            _abort(raw)
        else:  # close: no answer at all
            with contextlib.suppress(OSError):
                raw.shutdown(socket.SHUT_RDWR)


def read_journal(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(ValueError):
            out.append(json.loads(line))
    return out


def _read_request(conn: socket.socket) -> tuple[str, dict[str, str], bytes] | None:
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buf += chunk
        if len(buf) > MAX_HEADER:
            return None
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) < 2 or parts[0] != "POST":
        return None
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        return None
    if length > MAX_BODY:
        return None
    body = rest
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None  # the client hung up before the last byte: not processed
        body += chunk
    return parts[1], headers, body[:length]


def _reply(conn: socket.socket, status: int, payload: Any) -> None:
    data = json.dumps(payload).encode("utf-8")
    head = (
        f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    ).encode("ascii")
    conn.sendall(head + data)


def _abort(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0)."""
    linger = struct.pack("HH" if sys.platform == "win32" else "ii", 1, 0)
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
    with contextlib.suppress(OSError):
        sock.close()
