"""IndexClient: the one way cglib talks HTTP (and the only module importing httpx).

It sends the index credentials up front, but only to the index's own origin
(scheme, host, port): redirects are followed one hop at a time and a hop to
another origin (an object store with pre-signed URLs, a mirror) never sees the
``Authorization`` header.  Connection errors, time-outs, 429 and 5xx are tried
again a bounded number of times with exponential back-off, honouring
``Retry-After``; everything else becomes a :class:`~cglib.errors.CglibError`
naming the URL.

httpx is loaded on the first request, not with this module: a search whose
cached listing is fresh never needs it.
"""

from __future__ import annotations

import binascii
import ipaddress
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from cglib.__about__ import __version__
from cglib.config import Index, Settings, login_hint
from cglib.credentials import Credentials
from cglib.errors import (
    AuthError,
    CglibError,
    ConfigError,
    InvalidPageError,
    NetworkError,
    NotFoundError,
    PolicyError,
)
from cglib.parallel import Stopped
from cglib.urls import normalize_name, origin, redact

if TYPE_CHECKING:
    import ssl
    from types import TracebackType

    import httpx

    from cglib.models import ProjectList, ProjectPage

__all__ = ["ACCEPT_SIMPLE", "Fetched", "IndexClient", "is_safe_origin", "tls_context"]

#: PEP 691 content negotiation: JSON first, then HTML.
ACCEPT_SIMPLE = (
    "application/vnd.pypi.simple.v1+json, "
    "application/vnd.pypi.simple.v1+html;q=0.1, "
    "text/html;q=0.01"
)
USER_AGENT = f"cglib/{__version__}"
MAX_REDIRECTS = 10
#: Content encodings asked for pages, and the largest piece one read decodes to.
PAGE_ENCODINGS = "gzip, deflate"
PAGE_PIECE = 1024 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
POLICY_REASONS = {
    "MALWARE_DETECTED": "malware was detected in it",
    "POLICY_ORG_BLOCKLIST": "your organisation's block list names it",
    "POLICY_COOLDOWN": "it is in the cool-down period for new upstream releases",
}

Log = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Fetched:
    """A complete response: final URL (after redirects), status, headers, body."""

    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes = field(repr=False)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def tls_context() -> ssl.SSLContext:
    """The TLS trust of every connection (:func:`cglib.tls.tls_context`)."""
    from cglib.tls import tls_context as context

    return context()


def _proxy_configured() -> bool:
    """Whether a proxy variable is set (httpx then sends requests through a
    proxy, which may be reached over TLS)."""
    proxies = ("http_proxy", "https_proxy", "all_proxy")
    return any(value and key.lower() in proxies for key, value in os.environ.items())


def is_safe_origin(url: str) -> bool:
    """True when credentials may be sent to ``url``: https, or plain http to
    the loopback range (127.0.0.0/8, ::1, ``localhost``)."""
    scheme, host, _ = origin(url)
    if scheme != "http":
        return scheme == "https"
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _as_bytes(headers: Mapping[str, str | bytes]) -> dict[bytes, bytes]:
    """Headers as bytes: a value given as bytes (a validator holding obs-text,
    RFC 7232) goes out byte for byte."""
    return {
        key.encode("ascii"): value if isinstance(value, bytes) else value.encode("ascii")
        for key, value in headers.items()
    }


def _basic(credentials: Credentials) -> str:
    token = f"{credentials.username}:{credentials.password}".encode()
    return "Basic " + binascii.b2a_base64(token, newline=False).decode("ascii")


def _retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    import email.utils

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class IndexClient:
    """A client for one PEP 503 / PEP 691 index.

    Use as a context manager, or call :meth:`close`.  ``credentials`` are sent
    to the index's origin only; ``credentials_source`` (``url``, ``env``,
    ``keyring``, ``netrc`` or ``none``) is used in error messages.  ``log``
    receives one-line notes for ``-v`` output; they never carry secrets.
    """

    def __init__(
        self,
        index: Index,
        credentials: Credentials | None = None,
        *,
        credentials_source: str = "none",
        settings: Settings | None = None,
        transport: httpx.BaseTransport | None = None,
        log: Log | None = None,
        warn: Log | None = None,
        sleep: Callable[[float], None] | None = None,
        stop: threading.Event | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        self.index = index
        self.credentials = credentials
        self.credentials_source = credentials_source if credentials else "none"
        self.settings = settings or Settings()
        self.stop = stop if stop is not None else threading.Event()
        self._log = log
        self._warn = warn
        self._given_sleep = sleep
        self._sleep = sleep if sleep is not None else self._interruptible_sleep
        self._origin = origin(index.url)
        if credentials is not None and not allow_insecure_http and not is_safe_origin(index.url):
            raise ConfigError(
                f"refusing to send credentials over plain http to {index.host}",
                url=redact(index.url),
                hint="use https, or pass --allow-insecure-http (CGLIB_ALLOW_INSECURE_HTTP=1) "
                "if this network is trusted",
            )
        self._transport = transport
        #: httpx clients made on first use: one for https (and for anything
        #: that goes through a proxy), one for plain http.
        self._clients: dict[bool, httpx.Client] = {}
        self._clients_lock = threading.Lock()
        #: Whether a proxy variable is set, read once (every request asks).
        self._proxied = _proxy_configured()

    def _http_for(self, url: str) -> httpx.Client:
        """The httpx client for ``url``, made on first use (importing httpx
        takes a while).  Loading the trusted certificates takes a while too,
        so only a client that may speak TLS has them: an ``http://`` index
        reached without a proxy builds no TLS context at all."""
        tls = url[:5].lower() != "http:" or self._proxied
        with self._clients_lock:
            client = self._clients.get(tls)
            if client is None:
                import httpx

                client = httpx.Client(
                    transport=self._transport,
                    event_hooks={"response": [_refuse_bad_redirect]},
                    # The plain client only ever opens plain-http connections
                    # (no proxy is configured), so it has no use for trust.
                    verify=tls_context() if tls else False,
                    timeout=httpx.Timeout(
                        self.settings.timeout, connect=self.settings.connect_timeout
                    ),
                    follow_redirects=False,
                    headers={"User-Agent": USER_AGENT},
                    limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
                )
                self._clients[tls] = client
        return client

    def _interruptible_sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or less when :attr:`stop` is set (then raise
        :class:`~cglib.parallel.Stopped`)."""
        if self.stop.wait(seconds):
            raise Stopped

    def _wait(self, seconds: float, stop: threading.Event | None) -> None:
        """The wait before a retry: ends early (with :class:`Stopped`) when
        :attr:`stop` or the caller's own ``stop`` is set."""
        if stop is None or stop is self.stop or self._given_sleep is not None:
            if stop is not None and stop.is_set():
                raise Stopped
            self._sleep(seconds)
            return
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if stop.is_set() or self.stop.is_set():
                raise Stopped
            if left <= 0:
                return
            stop.wait(min(left, 0.1))

    def __repr__(self) -> str:
        return f"IndexClient(index={self.index.url!r}, source={self.credentials_source!r})"

    # -- lifecycle -----------------------------------------------------------------

    def close(self) -> None:
        with self._clients_lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def __enter__(self) -> IndexClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- pages ---------------------------------------------------------------------

    def prepare(self) -> None:
        """Load the HTTP stack and make the index's connection pool now, in
        this thread; it is otherwise made by the first request.  A caller
        about to start requests in worker threads calls it first, so that
        they do not wait on the import while this thread imports more."""
        self._http_for(self.index.url)

    def get_project(self, name: str) -> ProjectPage:
        """The page of project ``name`` (normalised first, as PEP 503 says)."""
        from cglib.simple import parse_project_page

        normalized = normalize_name(name)
        url = self.index.project_url(normalized)
        fetched = self.fetch(url, accept=ACCEPT_SIMPLE, what=f"project {normalized!r}")
        return parse_project_page(
            fetched.content, fetched.content_type, fetched.url, project=normalized
        )

    def get_project_list(self) -> ProjectList:
        """The root page: every project name the index lists."""
        from cglib.simple import parse_project_list

        fetched = self.fetch(self.index.url, accept=ACCEPT_SIMPLE, what="the project list")
        return parse_project_list(fetched.content, fetched.content_type, fetched.url)

    def fetch(
        self,
        url: str,
        *,
        accept: str = ACCEPT_SIMPLE,
        headers: Mapping[str, str] | None = None,
        what: str | None = None,
        ok_statuses: frozenset[int] = frozenset({200}),
    ) -> Fetched:
        """GET ``url`` with retries and redirects; return the whole response.

        A status outside ``ok_statuses`` (e.g. add 304 for a conditional GET)
        raises the matching :class:`CglibError`.
        """
        import httpx

        # Only the encodings _decoded() reads piece by piece (never br, zstd).
        extra = {"Accept": accept, "Accept-Encoding": PAGE_ENCODINGS, **(headers or {})}
        # A body that breaks off after the headers is fetched once more (the
        # request itself already had its retries); a second failure is final.
        body_tries = 2 if self.settings.retries > 0 else 1
        for attempt in range(body_tries):
            with self.stream(url, headers=extra, what=what, ok_statuses=ok_statuses) as response:
                try:
                    content = self._read_page(response)
                except httpx.HTTPError as exc:
                    error = self._network_error(exc, str(response.url))
                    if attempt + 1 >= body_tries:
                        raise error from None
                    self._warning(f"retrying {what or 'the page'} at once: {error.message}")
                    continue
                return Fetched(
                    url=str(response.url),
                    status=response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    content=content,
                )
        raise AssertionError("unreachable")  # pragma: no cover

    def _read_page(self, response: httpx.Response) -> bytes:
        """The decoded body of ``response``, at most ``settings.max_page_bytes``.

        Decoded bytes are counted as they arrive, in pieces of at most
        :data:`PAGE_PIECE` (a 1 MB gzip body can decode to a gigabyte; a
        chunked one can go on for ever): past the cap, reading stops with an
        :class:`InvalidPageError` that says how to raise it.
        """
        cap = self.settings.max_page_bytes
        url = str(response.url)
        if response.is_stream_consumed:  # already read and decoded (a MockTransport)
            if len(response.content) > cap:
                raise self._page_too_large(url, cap)
            return response.content
        encoding = response.headers.get("content-encoding", "").strip().lower()
        announced = response.headers.get("content-length", "")
        if encoding in ("", "identity") and announced.isdigit() and int(announced) > cap:
            raise self._page_too_large(url, cap)
        chunks: list[bytes] = []
        size = 0
        for piece in _decoded(response.iter_raw(), encoding, url):
            size += len(piece)
            if size > cap:
                chunks.clear()
                raise self._page_too_large(url, cap)
            chunks.append(piece)
        return b"".join(chunks)

    def _page_too_large(self, url: str, cap: int) -> InvalidPageError:
        shown = redact(_strip_query(url))
        return InvalidPageError(
            f"the page at {shown} is larger than {cap} bytes (decoded); stopped reading it",
            url=shown,
            hint="if the index really serves pages this large, raise CGLIB_MAX_PAGE_BYTES",
        )

    # -- the request loop ------------------------------------------------------------

    def _headers_for(
        self, url: str, extra: Mapping[str, str | bytes] | None
    ) -> dict[str, str | bytes]:
        headers: dict[str, str | bytes] = dict(extra or {})
        if self.credentials is not None and origin(url) == self._origin:
            headers["Authorization"] = _basic(self.credentials)
        return headers

    @contextmanager
    def stream(
        self,
        url: str,
        *,
        headers: Mapping[str, str | bytes] | None = None,
        what: str | None = None,
        ok_statuses: frozenset[int] = frozenset({200}),
        stop: threading.Event | None = None,
    ) -> Iterator[httpx.Response]:
        """Open ``url`` for streaming, after retries and redirects.

        Yields the final response (status in ``ok_statuses``); its body is not
        read yet.  Credentials go only to the index's origin.  The waits
        between retries end early when ``stop`` (or :attr:`stop`) is set.
        """
        response = self._open(url, headers, what, ok_statuses, stop)
        try:
            yield response
        finally:
            response.close()

    def iter_raw(self, response: httpx.Response) -> Iterator[bytes]:
        """The body of a :meth:`stream` response as it arrives, undecoded.

        A connection that fails or closes early becomes a retryable
        :class:`NetworkError` naming the (redacted) URL.
        """
        import httpx

        try:
            if response.is_stream_consumed:  # already read (e.g. by a MockTransport)
                yield response.content
                return
            yield from response.iter_raw()
        except httpx.HTTPError as exc:
            raise self._network_error(exc, str(response.url)) from None

    def _open(
        self,
        url: str,
        headers: Mapping[str, str | bytes] | None,
        what: str | None,
        ok_statuses: frozenset[int],
        stop: threading.Event | None = None,
    ) -> httpx.Response:
        settings = self.settings
        deadline = time.monotonic() + settings.total_timeout
        attempt = 0
        while True:
            try:
                response, final_url = self._follow(url, headers)
            except NetworkError as exc:
                if not exc.retryable:
                    raise
                error: CglibError = exc
                wait = self._backoff(attempt, None)
            else:
                status = response.status_code
                if status in ok_statuses:
                    return response
                if status in RETRY_STATUSES:
                    wait = self._backoff(attempt, response.headers.get("retry-after"))
                    error = self._status_error(response, final_url, what)
                    response.close()
                else:
                    try:
                        raise self._status_error(response, final_url, what)
                    finally:
                        response.close()
            attempt += 1
            if attempt > settings.retries or time.monotonic() + wait > deadline:
                raise error
            self._warning(
                f"retrying {what or redact(_strip_query(url))} in {wait:.1f} s "
                f"({attempt}/{settings.retries}): {error.message}"
            )
            self._wait(wait, stop)

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        settings = self.settings
        server_wait = _retry_after(retry_after, time.time())
        if server_wait is not None:
            return min(server_wait, settings.max_retry_wait)
        import random

        base = settings.backoff * (2.0**attempt)
        return min(base * (0.5 + random.random() / 2), settings.max_retry_wait)  # noqa: S311

    def _follow(
        self, url: str, headers: Mapping[str, str | bytes] | None
    ) -> tuple[httpx.Response, str]:
        """One request, following redirects by hand so credentials stay scoped."""
        import httpx

        seen: set[str] = set()
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            try:
                http = self._http_for(current)
                request = http.build_request(
                    "GET", current, headers=_as_bytes(self._headers_for(current, headers))
                )
            except httpx.InvalidURL:
                shown = redact(_strip_query(current))
                raise NetworkError(f"cannot request {shown}: not a valid URL", url=shown) from None
            try:
                response = http.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise self._network_error(exc, current) from None
            if response.status_code not in REDIRECT_STATUSES:
                return response, current
            location = response.headers.get("location")
            response.close()
            if not location:
                raise NetworkError(
                    f"{response.status_code} redirect without a Location from {redact(current)}",
                    status=response.status_code,
                    url=redact(current),
                )
            problem, target = _redirect_target(current, location)
            if problem:  # normally refused by _refuse_bad_redirect already
                raise _bad_redirect(response.status_code, current, problem)
            if target in seen:
                raise NetworkError(
                    f"redirect loop at {redact(current)}",
                    url=redact(current),
                    hint="the server sends requests round in circles; tell its operator",
                )
            seen.add(current)
            if origin(target) != origin(current):
                self._note(f"redirected to another host: {redact(_strip_query(target))}")
            current = target
        raise NetworkError(
            f"more than {MAX_REDIRECTS} redirects from {redact(url)}",
            url=redact(url),
        )

    def _note(self, message: str) -> None:
        if self._log is not None:
            self._log(message)

    def _warning(self, message: str) -> None:
        """A wait the user should hear of without ``-v`` (a retry)."""
        if self._warn is not None:
            self._warn(message)
        else:
            self._note(message)

    # -- errors --------------------------------------------------------------------

    def _network_error(self, exc: httpx.HTTPError, url: str) -> NetworkError:
        import httpx

        shown = redact(_strip_query(url))
        if isinstance(exc, httpx.TimeoutException):
            return NetworkError(
                f"timed out talking to {shown}",
                url=shown,
                retryable=True,
                hint="the server is slow or unreachable; raise CGLIB_TIMEOUT or try again",
            )
        if isinstance(exc, httpx.ConnectError):
            detail = _first_line(str(exc)) or "connection failed"
            return NetworkError(
                f"cannot connect to {shown}: {detail}",
                url=shown,
                retryable=True,
                hint="check the index URL and your network",
            )
        detail = _first_line(str(exc)) or type(exc).__name__
        return NetworkError(
            f"network error talking to {shown}: {detail}",
            url=shown,
            retryable=True,
            closed_early=isinstance(exc, httpx.RemoteProtocolError),
        )

    def _status_error(self, response: httpx.Response, url: str, what: str | None) -> CglibError:
        status = response.status_code
        shown = redact(_strip_query(url))
        on_index = origin(url) == self._origin
        if status == 401 or status == 403:
            return self._auth_error(status, shown, on_index)
        if status == 404:
            subject = what or shown
            hint = None
            if self.index.is_chainguard:
                hint = (
                    "Chainguard queues a missing project or version for building from source, "
                    "so it may just not be there yet"
                )
            return NotFoundError(f"{subject} not found at {shown} (404)", url=shown, hint=hint)
        if status == 409:
            return _policy_error(response, shown)
        if status in RETRY_STATUSES:
            label = "too many requests" if status == 429 else "server error"
            return NetworkError(
                f"{status} {label} from {shown}",
                status=status,
                url=shown,
                hint="the server is overloaded or failing; try again later",
            )
        reason = response.reason_phrase or "unexpected answer"
        return NetworkError(f"{status} {reason} from {shown}", status=status, url=shown)

    def _auth_error(self, status: int, shown: str, on_index: bool) -> CglibError:
        if not on_index:
            return AuthError(
                f"{status} from {shown}: the file store refused the download link",
                status=status,
                url=shown,
                hint="the link may have expired; try again",
            )
        hint = login_hint(self.index)
        if self.credentials is None:
            return ConfigError(
                f"{status} from {shown}: the index needs credentials and none were found",
                url=shown,
                hint=hint,
            )
        source = self.credentials_source
        if status == 403 and self.index.is_chainguard:
            return AuthError(
                f"403 from {shown}: your organisation has no entitlement for this index",
                status=status,
                url=shown,
                hint="the token works, but the organisation lacks Chainguard Libraries for Python",
            )
        return AuthError(
            f"{status} from {shown}: the credentials (from {source}) were rejected",
            status=status,
            url=shown,
            hint=f"they may have expired; {hint}",
        )


def _policy_error(response: httpx.Response, shown: str) -> PolicyError:
    import json

    import httpx

    reason: str | None = None
    detail: str | None = None
    try:
        body = json.loads(response.read()[:65536])
    except (ValueError, httpx.HTTPError):
        body = None
    if isinstance(body, dict):
        raw_reason = body.get("reason")
        reason = raw_reason if isinstance(raw_reason, str) else None
        raw_message = body.get("message") or body.get("error")
        detail = _first_line(raw_message) if isinstance(raw_message, str) else None
    why = POLICY_REASONS.get(reason or "")
    text = f"409 from {shown}: withheld by the index's policy"
    if why:
        text += f" ({reason}: {why})"
    elif reason:
        text += f" ({_first_line(reason)[:80]})"
    if detail:
        text += f": {detail[:200]}"
    return PolicyError(text, reason=reason, url=shown)


def _decoded(raw: Iterator[bytes], encoding: str, url: str) -> Iterator[bytes]:
    """The body ``raw`` undone of its ``Content-Encoding`` (none, gzip or
    deflate), in pieces of at most :data:`PAGE_PIECE` bytes however much one
    network read inflates to."""
    if encoding in ("", "identity"):
        yield from raw
        return
    import itertools
    import zlib

    if encoding not in ("gzip", "x-gzip", "deflate"):
        shown = redact(_strip_query(url))
        raise InvalidPageError(
            f"the page at {shown} is sent with Content-Encoding {_first_line(encoding)[:40]!r}, "
            "which cglib did not ask for",
            url=shown,
        )
    pieces = iter(raw)
    first = b""
    for first in pieces:
        if first:
            break
    if not first:
        return
    # gzip: a gzip header; deflate: a zlib header or, from some servers, none.
    wbits = zlib.MAX_WBITS | 16
    if encoding == "deflate":
        wbits = zlib.MAX_WBITS if first[0] & 0x0F == 8 else -zlib.MAX_WBITS
    decoder = zlib.decompressobj(wbits)
    try:
        for data in itertools.chain((first,), pieces):
            while data and not decoder.eof:
                piece = decoder.decompress(data, PAGE_PIECE)
                if piece:
                    yield piece
                data = decoder.unconsumed_tail
        if not decoder.eof:
            yield decoder.flush()
    except zlib.error as exc:
        shown = redact(_strip_query(url))
        raise InvalidPageError(
            f"the page at {shown} is not valid {encoding} data: {exc}", url=shown
        ) from None


def _redirect_target(current: str, location: str) -> tuple[str, str]:
    """``(problem, target)``: where a redirect from ``current`` to ``location``
    leads, and what is wrong with it ("" when it is a usable http(s) URL)."""
    import httpx

    try:
        target = urljoin(current, location.strip())
        parts = urlsplit(target)
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        return "a malformed URL", ""
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        known = scheme.isascii() and scheme.isalnum() and len(scheme) <= 20
        return (f"a {scheme}: URL (not http or https)" if known else "a non-HTTP URL"), ""
    try:
        httpx.URL(target)
    except httpx.InvalidURL:
        return "a malformed URL", ""
    if not parts.hostname:
        return "a URL without a host", ""
    return "", target


def _bad_redirect(status: int, current: str, problem: str) -> NetworkError:
    shown = redact(_strip_query(current))
    return NetworkError(
        f"refusing the {status} redirect from {shown} to {problem}",
        status=status,
        url=shown,
        hint="the server or a proxy in front of it is misconfigured; tell its operator",
    )


def _refuse_bad_redirect(response: httpx.Response) -> None:
    """httpx response hook: refuse a redirect to anything but an http(s) URL.

    httpx works out the next request of every redirect, even one it does not
    follow, and fails on ``javascript:``, ``mailto:``, ``data:`` or a
    malformed ``Location`` before :meth:`IndexClient._follow` sees it; this
    hook runs first and turns it into a clear, final :class:`NetworkError`.
    """
    if response.status_code not in REDIRECT_STATUSES:
        return
    location = response.headers.get("location")
    if not location:
        return  # _follow says so
    current = str(response.request.url)
    problem, _ = _redirect_target(current, location)
    if problem:
        raise _bad_redirect(response.status_code, current, problem)


def _strip_query(url: str) -> str:
    """A URL fit to show: pre-signed query strings are long and secret-ish."""
    base, sep, _ = url.partition("?")
    return base + ("?…" if sep else "")


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return "".join(ch for ch in line if ch.isprintable())
