"""Has a page changed?  A conditional GET that needs no HTTP library.

A warm ``cglib search`` asks the index one question, "is the root listing
still the one I have?", and nearly always hears ``304 Not Modified``.  Loading
httpx to ask it would cost several times more than everything else the search
does, so :class:`~cglib.client.IndexClient` asks it here first, over a plain
socket (TLS verified with the same trust as the client, :mod:`cglib.tls`).

Only a ``304`` is taken as an answer.  Anything else (another status, a
redirect, a proxy to go through, a header that cannot be sent as it is, a
refused or slow connection, a TLS failure) gives ``False``, and the caller
makes the request in full with :class:`~cglib.client.IndexClient`, whose
retries, redirects and error messages then apply.  Nothing here raises,
prints or keeps a connection.

``ENABLED`` turns the shortcut off (the test suite does so where it replaces
httpx's transport, which a plain socket would bypass).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from urllib.parse import urlsplit

__all__ = ["ENABLED", "not_modified"]

#: False: always answer "ask in full".
ENABLED = True
#: At most this long to connect, and to hear the status (seconds); a server
#: slower than that is asked again in full, with the client's own time-outs.
MAX_CONNECT_WAIT = 3.0
MAX_ANSWER_WAIT = 5.0
#: The longest response head read.
MAX_HEAD = 64 * 1024


def not_modified(
    url: str,
    headers: Mapping[str, str],
    *,
    connect_timeout: float,
    timeout: float,
    environ: Mapping[str, str] | None = None,
) -> bool:
    """``True`` when a ``GET url`` with ``headers`` (the validators, and any
    credentials) is answered ``304``; ``False`` when the request should be
    made in full."""
    if not ENABLED:
        return False
    try:
        parts = urlsplit(url)
        scheme, host, port = parts.scheme, parts.hostname, parts.port
    except ValueError:
        return False
    if scheme not in ("http", "https") or not host or not host.isascii() or parts.username:
        return False
    if _proxied(scheme, os.environ if environ is None else environ):
        return False
    default_port = 443 if scheme == "https" else 80
    port = port or default_port
    shown_host = f"[{host}]" if ":" in host else host
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [
        f"GET {target} HTTP/1.1",
        f"Host: {shown_host}" + (f":{port}" if port != default_port else ""),
        "Accept-Encoding: identity",
        "Connection: close",
    ]
    for name, value in headers.items():
        lines.append(f"{name}: {value}")
    # Each header one line of printable ASCII: nothing may smuggle in another.
    if not all(_printable(line) for line in lines) or " " in target:
        return False
    request = "\r\n".join(lines) + "\r\n\r\n"
    try:
        return _ask(scheme, host, port, request.encode("ascii"), connect_timeout, timeout)
    except (OSError, ValueError):  # refused, reset, timed out, TLS refused…
        return False


def _ask(
    scheme: str, host: str, port: int, request: bytes, connect_timeout: float, timeout: float
) -> bool:
    # The host as bytes: it is ASCII, and a str would load the IDNA codec.
    address = (host.encode("ascii"), port)
    sock = socket.create_connection(address, timeout=min(connect_timeout, MAX_CONNECT_WAIT))  # type: ignore[arg-type]
    try:
        sock.settimeout(min(timeout, MAX_ANSWER_WAIT))
        if scheme == "https":
            from cglib.tls import tls_context

            sock = tls_context().wrap_socket(sock, server_hostname=host)
        sock.sendall(request)
        head = b""
        while b"\r\n" not in head and len(head) < MAX_HEAD:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
    finally:
        sock.close()
    status_line = head.partition(b"\r\n")[0]
    version, _, rest = status_line.partition(b" ")
    return version in (b"HTTP/1.1", b"HTTP/1.0") and rest[:4] in (b"304", b"304 ")


def _printable(text: str) -> bool:
    return text.isascii() and text.isprintable()


def _proxied(scheme: str, environ: Mapping[str, str]) -> bool:
    """Whether httpx would send this request through a proxy (then the full
    client makes it): a proxy variable is set and ``NO_PROXY`` is not ``*``."""
    values = {key.lower(): value for key, value in environ.items() if key[-6:].lower() == "_proxy"}
    if values.get("no_proxy", "").strip() == "*":
        return False
    return bool(values.get(f"{scheme}_proxy", "").strip() or values.get("all_proxy", "").strip())
