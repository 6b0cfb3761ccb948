"""Pure parsers for the simple repository API: PEP 503 HTML and PEP 691 JSON.

Nothing here does I/O.  The client hands over the body of a response, its
``Content-Type`` and the final URL (after redirects); these functions turn
them into :mod:`cglib.models` objects or raise
:class:`~cglib.errors.InvalidPageError` with a one-line message naming the
URL.  No other exception escapes: a page that cannot be read is the server's
fault, never a crash.

Pages can be large (100,000 files for a busy project, 600,000 names for a
root page), and every step is paid per file, so: anchors are found by one
precompiled regular expression rather than :mod:`html.parser` (several times
slower); the attributes of anchors shaped alike are read by position; versions
and names are parsed once per distinct string; links are resolved without
``urljoin`` when the result is provably the same; files are built without the
frozen dataclass's ``__init__``; and the cyclic garbage collector is paused
while a page is parsed.  ``benchmarks/bench_parse.py`` measures it.

Files whose name is not a wheel or an sdist (eggs, installers, junk), whose
version is not a valid PEP 440 version, or which belong to another project
are left out of :attr:`ProjectPage.files` and listed in
:attr:`ProjectPage.skipped`.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import gc
import json
import re
from collections.abc import Callable, Iterator
from html import unescape
from operator import itemgetter
from typing import Any, Literal
from urllib.parse import unquote, urljoin, urlsplit

from packaging.version import Version

from cglib.errors import InvalidPageError
from cglib.filenames import FilenameParser, parse_filename  # parse_filename: re-exported
from cglib.models import DistributionFile, FileKind, ProjectList, ProjectPage
from cglib.urls import normalize_name, redact, split_credentials

__all__ = [
    "SUPPORTED_API_VERSION",
    "media_type",
    "parse_filename",
    "parse_project_list",
    "parse_project_page",
]

#: The newest version of the simple API (PEP 629) this module knows.  Any
#: ``1.x`` page is read; a major version above 1 is refused.
SUPPORTED_API_VERSION = "1.1"

PageFormat = Literal["json", "html"]

_JSON_TYPES = frozenset(
    {
        "application/vnd.pypi.simple.v1+json",
        "application/vnd.pypi.simple.latest+json",
        "application/json",
    }
)
_HTML_TYPES = frozenset(
    {
        "application/vnd.pypi.simple.v1+html",
        "application/vnd.pypi.simple.latest+html",
        "text/html",
        "text_html",  # devpi's answer to an Accept of v1+html
        "application/xhtml+xml",
    }
)
_VERSIONED_TYPE = re.compile(r"application/vnd\.pypi\.simple\.v(\d+)\+(?:json|html)\Z")

_SIGN_IN_HINT = "check --index-url and the credentials"

# One anchor: ``<a`` + attributes (quoted values may hold ``>``) + ``>`` + the
# text up to the next tag.  No ``</a>`` is required, so unclosed anchors work,
# and no part can run past a ``<`` outside quotes, so a malformed page costs
# linear time.
_ANCHOR = re.compile(r"""<[aA]\s([^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*)>([^<]*)""")
# The same anchors, only their text (a root page needs nothing else): a fifth
# less time on 600,000 names than capturing the attributes as well.
_ANCHOR_TEXT = re.compile(r"""<[aA]\s[^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*>([^<]*)""")
# One attribute of a tag: name, then a double-quoted, single-quoted or bare value.
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>]+)))?""")
_BASE = re.compile(r"""<base\s([^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*)>""", re.IGNORECASE)
_META = re.compile(r"""<meta\s([^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*)>""", re.IGNORECASE)
_FORM = re.compile(r"<form[\s>/]", re.IGNORECASE)
_PASSWORD_INPUT = re.compile(r"""<input\s[^<>]*type\s*=\s*["']?password""", re.IGNORECASE)
_API_VERSION = re.compile(r"\s*(\d{1,9})(?:\.(\d{1,9}))?\s*\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SHOWN_LENGTH = 200

_ABSOLUTE = ("https://", "http://")
_DOT_SEGMENTS = re.compile(r"(?:\.\.?/)*")


# ---------------------------------------------------------------------------
# Content types


def media_type(content_type: str, *, url: str | None = None) -> PageFormat:
    """``"json"`` or ``"html"`` for a response's ``Content-Type`` header.

    Raises :class:`InvalidPageError` for anything else (naming ``url`` when
    given), and for a simple API content type of a major version other
    than 1.
    """
    essence = content_type.partition(";")[0].strip().lower()
    if essence in _JSON_TYPES:
        return "json"
    if essence in _HTML_TYPES:
        return "html"
    where = f"{redact(url)} " if url else ""
    versioned = _VERSIONED_TYPE.match(essence)
    if versioned and versioned[1] != "1":
        raise InvalidPageError(
            f"index page {where}uses simple API version {versioned[1]}, which cglib does "
            "not support — upgrade cglib",
            url=redact(url) if url else None,
        )
    shown = essence or "none"
    raise InvalidPageError(
        f"{where or 'the server '}answered with Content-Type {shown!r}, which is not "
        "a simple index page (expected PEP 503 HTML or PEP 691 JSON)",
        url=redact(url) if url else None,
        hint="check --index-url",
    )


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


# ---------------------------------------------------------------------------
# URLs


class _Resolver:
    """``urljoin`` against the page, fast.

    ``urljoin`` costs more than everything else done for a link, and links
    are opaque (each may sit in a directory of its own), so the resolver
    splits a relative link into a prefix of ``/`` or of ``../`` and ``./``
    segments, resolved once per page, and a rest appended as it is, when that
    is exactly what ``urljoin`` would do; an absolute ``http(s)`` link is
    kept as it is.  Anything unusual goes to ``urljoin``.  A link that
    ``urljoin`` refuses (a malformed IPv6 host) resolves to ``None``.
    """

    __slots__ = ("_prefixes", "base")

    def __init__(self, base: str) -> None:
        self.base = base
        self._prefixes: dict[str, str | None] = {}

    def rebase(self, href: str) -> None:
        """Make ``href`` (a ``<base href>``) the base of later links."""
        joined = self.join(href)
        if joined is not None:
            self.base = joined
            self._prefixes.clear()

    def join(self, href: str) -> str | None:
        try:
            return urljoin(self.base, href)
        except ValueError:
            return None

    def resolve(self, href: str) -> str | None:
        """``urljoin(base, href)`` for an ``href`` without fragment."""
        # urlsplit drops tabs and newlines anywhere and control characters
        # in front; urlunparse drops a bare trailing '?' or ';'.
        if "\n" in href or "\t" in href or "\r" in href or href[-1:] in "?;":
            return self.join(href)
        if href.startswith(_ABSOLUTE):
            # urljoin gives back an absolute link with a host as it is (after
            # a round trip through urlparse, which also checks '[' hosts).
            host = 8 if href[4] == "s" else 7
            if href[host : host + 1] in "/?" or "[" in href:
                return self.join(href)
            return href
        # A relative link: a prefix of '/' or of '../' and './' segments, and
        # the rest.
        rest = href.lstrip("./")
        prefix = href[: len(href) - len(rest)]
        try:
            directory = self._prefixes[prefix]
        except KeyError:
            directory = self._prefixes[prefix] = self._prefix(prefix)
        # The rest is appended as it is unless urljoin would change it: dot
        # segments, '//' (urljoin squeezes them), a scheme-like first
        # segment, a leading control character or space.
        if (
            directory is None
            or not rest
            or rest[0] <= " "
            or rest[0] in "?;"
            or "//" in rest
            or "/." in rest
            or (":" in rest and ":" in rest.partition("/")[0])
        ):
            return self.join(href)
        return directory + rest

    def _prefix(self, prefix: str) -> str | None:
        """The directory a link prefix resolves to; ``None`` when ``prefix``
        is not ``/`` or a run of ``../`` and ``./`` segments."""
        if prefix != "/" and _DOT_SEGMENTS.fullmatch(prefix) is None:
            return None
        return self.join(prefix or "./")


def _clean_base(url: str) -> str:
    """The page URL without credentials and fragment, so that links resolved
    against it never carry a password."""
    if "@" in url:
        with contextlib.suppress(ValueError):
            url = split_credentials(url)[0]
    return url.partition("#")[0]


def _guess_project(url: str) -> str:
    """The project a page is about, from the last segment of its URL."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    segments = [s for s in path.split("/") if s]
    return normalize_name(unquote(segments[-1])) if segments else ""


def _check_api_version(value: object, url: str) -> str:
    if not isinstance(value, str):
        raise _invalid(url, "has a meta.api-version that is not a string")
    match = _API_VERSION.match(value)
    if match is None:
        raise _invalid(url, f"has an unrecognised simple API version {value[:40]!r}")
    if int(match[1]) != 1:
        raise InvalidPageError(
            f"index page {redact(url)} uses simple API version {value.strip()}, which cglib "
            "does not support — upgrade cglib",
            url=redact(url),
        )
    return value.strip()


def _shown(skipped: list[str]) -> tuple[str, ...]:
    """Skipped link names, safe to print: a hostile page may name a file
    with terminal escapes, so control characters become ``\\xNN`` and a
    name is cut at 200 characters."""
    return tuple(
        name
        if len(name) <= _SHOWN_LENGTH and _CONTROL.search(name) is None
        else _CONTROL.sub(_escape_control, name[:_SHOWN_LENGTH])
        + ("…" if len(name) > _SHOWN_LENGTH else "")
        for name in skipped
    )


def _escape_control(match: re.Match[str]) -> str:
    return f"\\x{ord(match[0]):02x}"


def _invalid(url: str, what: str, hint: str | None = None) -> InvalidPageError:
    return InvalidPageError(f"index page {redact(url)} {what}", url=redact(url), hint=hint)


# ---------------------------------------------------------------------------
# Building the models fast


_FILE_FIELDS = (
    "filename",
    "url",
    "project",
    "version",
    "kind",
    "hashes",
    "requires_python",
    "yanked",
    "yanked_reason",
    "core_metadata",
    "size",
    "upload_time",
)

_MakeFile = Callable[
    [
        str,
        str,
        str,
        Version,
        FileKind,
        dict[str, str],
        "str | None",
        bool,
        "str | None",
        "bool | dict[str, str]",
        "int | None",
        "str | None",
    ],
    DistributionFile,
]


def _file_maker() -> _MakeFile:
    """A constructor of :class:`DistributionFile` that sets its slots
    directly: the ``__init__`` of a frozen dataclass sets each field through
    ``object.__setattr__`` and costs half of what parsing a file costs.

    Falls back to the class itself if the model is not the one this was
    written for (other fields, a ``__post_init__``), so it can never build
    something the class's own ``__init__`` would not.
    """
    fields = tuple(f.name for f in dataclasses.fields(DistributionFile))
    slots = getattr(DistributionFile, "__slots__", ())
    if (
        fields != _FILE_FIELDS
        or tuple(slots) != fields
        or hasattr(DistributionFile, "__post_init__")
    ):
        return DistributionFile
    (
        set_filename,
        set_url,
        set_project,
        set_version,
        set_kind,
        set_hashes,
        set_requires_python,
        set_yanked,
        set_yanked_reason,
        set_core_metadata,
        set_size,
        set_upload_time,
    ) = (getattr(DistributionFile, name).__set__ for name in fields)
    new = object.__new__

    def make(
        filename: str,
        url: str,
        project: str,
        version: Version,
        kind: FileKind,
        hashes: dict[str, str],
        requires_python: str | None,
        yanked: bool,
        yanked_reason: str | None,
        core_metadata: bool | dict[str, str],
        size: int | None,
        upload_time: str | None,
    ) -> DistributionFile:
        file = new(DistributionFile)
        set_filename(file, filename)
        set_url(file, url)
        set_project(file, project)
        set_version(file, version)
        set_kind(file, kind)
        set_hashes(file, hashes)
        set_requires_python(file, requires_python)
        set_yanked(file, yanked)
        set_yanked_reason(file, yanked_reason)
        set_core_metadata(file, core_metadata)
        set_size(file, size)
        set_upload_time(file, upload_time)
        return file

    return make


_make_file = _file_maker()


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a page is turned into
    objects: the hundreds of thousands of (acyclic) objects of a big page
    trigger collections that cost a third of the parse.  Collection resumes
    afterwards, so nothing is lost."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ---------------------------------------------------------------------------
# Public entry points


def parse_project_page(
    body: bytes, content_type: str, url: str, project: str | None = None
) -> ProjectPage:
    """Parse a project page (``/simple/<project>/``).

    ``url`` is the final URL of the page, after redirects: relative links are
    resolved against it (or against the page's ``<base href>``).  ``project``
    is the name that was asked for, in any spelling; files of other projects
    are skipped.  Without it the name comes from the JSON ``name`` or, for
    HTML, from the last segment of ``url``.
    """
    kind = media_type(content_type, url=url)
    with _gc_paused():
        if kind == "json":
            return _project_page_from_json(_load_json(body, url), url, project)
        return _project_page_from_html(_decode(body, content_type, url), url, project)


def parse_project_list(body: bytes, content_type: str, url: str) -> ProjectList:
    """Parse the root page of an index: every project name, as given, in
    page order."""
    kind = media_type(content_type, url=url)
    with _gc_paused():
        if kind == "json":
            return _project_list_from_json(_load_json(body, url), url)
        return _project_list_from_html(_decode(body, content_type, url), url)


# ---------------------------------------------------------------------------
# HTML (PEP 503, 592, 629, 658, 714)

# The attributes of an anchor that matter, in the order the parser wants them.
_WANTED = (
    "href",
    "data-requires-python",
    "data-yanked",
    "data-core-metadata",
    "data-dist-info-metadata",
)
# A part of an anchor's attributes split on '"' that holds a name: ` name=`.
_NAME_PART = re.compile(r"""\s*([^\s"'<>/=]+)\s*=\s*""")
_TAIL_PART = re.compile(r"\s*/?\s*")

_Values = tuple["str | None", "str | None", "str | None", "str | None", "str | None"]
_Getter = Callable[[list["str | None"]], _Values]


def _decode(body: bytes, content_type: str, url: str) -> str:
    charset = _charset(content_type) or "utf-8"
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        raise _invalid(url, f"declares an unknown charset {charset[:40]!r}") from None
    if codec == "utf-8" and body.startswith(codecs.BOM_UTF8):
        body = body[3:]
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        raise _invalid(url, f"is not valid {codec} text (byte {exc.start})") from None
    except Exception:  # a codec that fails in its own way (there are odd ones)
        raise _invalid(url, f"cannot be decoded as {codec}") from None


def _raw_attributes(source: str) -> dict[str, str]:
    """Attributes of a tag, names lower-cased, values as written; the first
    of a repeated attribute wins, as in browsers."""
    attrs: dict[str, str] = {}
    for name, double, single, bare in _ATTR.findall(source):
        key = name.lower()
        if key not in attrs:
            attrs[key] = double or single or bare
    return attrs


def _attributes(source: str) -> dict[str, str]:
    """Like :func:`_raw_attributes`, with the values unescaped."""
    return {k: unescape(v) if "&" in v else v for k, v in _raw_attributes(source).items()}


def _shape_getter(shape: tuple[str, ...]) -> _Getter | None:
    """For an anchor whose attributes split on '"' into ``parts``, whose
    even parts are ``shape``: an ``itemgetter`` taking the wanted values out
    of ``parts + [None]``, or ``None`` when the attributes are not all
    ``name="value"`` (single quotes, bare values) and need the full parser.

    Links on one page are alike, so there is a handful of shapes a page.
    """
    *names, tail = shape
    if _TAIL_PART.fullmatch(tail) is None:
        return None
    positions: dict[str, int] = {}
    for index, part in enumerate(names):
        match = _NAME_PART.fullmatch(part)
        if match is None:
            return None
        positions.setdefault(match[1].lower(), 2 * index + 1)
    getter: _Getter = itemgetter(*(positions.get(key, -1) for key in _WANTED))
    return getter


def _html_api_version(text: str, url: str) -> str | None:
    if "pypi:repository-version" not in text:
        return None
    for tag in _META.finditer(text):
        attrs = _attributes(tag[1])
        if attrs.get("name") == "pypi:repository-version" and "content" in attrs:
            return _check_api_version(attrs["content"], url)
    return None


def _html_resolver(text: str, url: str) -> _Resolver:
    resolver = _Resolver(_clean_base(url))
    base = _BASE.search(text)
    if base is not None:
        href = _attributes(base[1]).get("href", "").strip()
        if href:
            resolver.rebase(href.partition("#")[0])
    return resolver


def _has_password_field(text: str) -> bool:
    if "password" in text or "Password" in text or "PASSWORD" in text:
        return _PASSWORD_INPUT.search(text) is not None
    return False


def _looks_like_sign_in(text: str) -> bool:
    """A form or a password field: a sign-in page rather than an index."""
    return _FORM.search(text) is not None or _has_password_field(text)


def _sign_in_error(url: str) -> InvalidPageError:
    return _invalid(url, "looks like a sign-in page, not a package index", hint=_SIGN_IN_HINT)


def _clean_text(value: str) -> str | None:
    """An attribute value as meant: unescaped, stripped, ``None`` if empty."""
    if "&" in value:
        value = unescape(value)
    return value.strip() or None


def _metadata_value(value: str) -> bool | dict[str, str]:
    """``data-core-metadata``: ``"true"`` or ``"<hashname>=<hashvalue>"``."""
    if "&" in value:
        value = unescape(value)
    algorithm, eq, digest = value.partition("=")
    if eq and algorithm.strip() and digest.strip():
        return {algorithm.strip().lower(): digest.strip()}
    return value.strip().lower() != "false"


def _project_page_from_html(text: str, url: str, project: str | None) -> ProjectPage:
    api_version = _html_api_version(text, url)
    resolver = _html_resolver(text, url)
    resolve = resolver.resolve
    name = normalize_name(project) if project else _guess_project(url)
    parse = FilenameParser(name or None).parse
    make = _make_file
    shapes: dict[tuple[str, ...], _Getter | None] = {}
    requires: dict[str, str | None] = {}
    files: list[DistributionFile] = []
    append = files.append
    skipped: list[str] = []

    for source, anchor_text in _ANCHOR.findall(text):
        parts = source.split('"')
        shape = tuple(parts[::2])
        try:
            getter = shapes[shape]
        except KeyError:
            getter = shapes[shape] = _shape_getter(shape)
        if getter is not None:
            values: list[str | None] = parts
            values.append(None)  # what the getter gives for a missing attribute
            href, requires_python, yanked_attr, core, dist_info = getter(values)
        else:
            attrs = _raw_attributes(source)
            href = attrs.get("href")
            requires_python = attrs.get("data-requires-python")
            yanked_attr = attrs.get("data-yanked")
            core = attrs.get("data-core-metadata")
            dist_info = attrs.get("data-dist-info-metadata")
        if not href:
            continue
        if "&" in href:
            href = unescape(href)
        href, _, fragment = href.strip().partition("#")
        hashes: dict[str, str] = {}
        if fragment:
            algorithm, eq, digest = fragment.partition("=")
            if eq and algorithm and digest:
                hashes = {algorithm.lower(): digest}

        filename = unescape(anchor_text).strip() if "&" in anchor_text else anchor_text.strip()
        parsed = parse(filename) if filename else None
        if parsed is None:
            # PEP 503 says the text is the file name; some servers put
            # something else there, so the link's last segment is next best.
            basename = unquote(href.partition("?")[0].rpartition("/")[2])
            parsed = parse(basename) if basename and basename != filename else None
            if parsed is None:
                skipped.append(filename or basename or href)
                continue
            filename = basename
        if name and parsed[0] != name:
            skipped.append(filename)
            continue
        file_url = resolve(href) if href else None
        if file_url is None:
            skipped.append(filename)
            continue

        if requires_python is not None:
            raw_requires = requires_python
            try:
                requires_python = requires[raw_requires]
            except KeyError:
                requires_python = requires[raw_requires] = _clean_text(raw_requires)
        yanked_reason = _clean_text(yanked_attr) if yanked_attr else None
        if core is None:
            core = dist_info
        if core is None:
            core_metadata: bool | dict[str, str] = False
        elif core == "true":
            core_metadata = True
        elif core.startswith("sha256=") and len(core) == 71 and "&" not in core:
            core_metadata = {"sha256": core[7:]}
        else:
            core_metadata = _metadata_value(core)
        append(
            make(
                filename,
                file_url,
                parsed[0],
                parsed[1],
                parsed[2],
                hashes,
                requires_python,
                yanked_attr is not None,
                yanked_reason,
                core_metadata,
                None,
                None,
            )
        )

    if not files and _looks_like_sign_in(text):
        raise _sign_in_error(url)
    return ProjectPage(
        name=name,
        url=_clean_base(url),
        files=tuple(files),
        api_version=api_version,
        versions=(),
        skipped=_shown(skipped),
    )


def _project_list_from_html(text: str, url: str) -> ProjectList:
    api_version = _html_api_version(text, url)
    names: list[str] = []
    append = names.append
    for anchor_text in _ANCHOR_TEXT.findall(text):
        name = unescape(anchor_text).strip() if "&" in anchor_text else anchor_text.strip()
        if name:
            append(name)
    # A sign-in page may have links ("forgot your password?"), so one with a
    # password field is refused even when it has some.
    if _looks_like_sign_in(text) if not names else _has_password_field(text):
        raise _sign_in_error(url)
    return ProjectList(url=_clean_base(url), names=tuple(names), api_version=api_version)


# ---------------------------------------------------------------------------
# JSON (PEP 691, 700)


def _load_json(body: bytes, url: str) -> dict[str, Any]:
    if body.startswith(codecs.BOM_UTF8):
        body = body[3:]
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _invalid(url, f"is not valid UTF-8 JSON (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise _invalid(url, "is JSON nested too deeply to read") from None
    except ValueError as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)[:80]
        raise _invalid(url, f"is not valid JSON ({reason})") from None
    if not isinstance(data, dict):
        raise _invalid(url, "is JSON but not an object")
    return data


def _json_api_version(data: dict[str, Any], url: str) -> str | None:
    """``meta.api-version``; a page that does not say is read as 1.0."""
    meta = data.get("meta")
    if meta is None:
        return None
    if type(meta) is not dict:
        raise _invalid(url, "has a 'meta' that is not an object")
    if "api-version" not in meta:
        return None
    return _check_api_version(meta["api-version"], url)


def _json_hashes(value: object, url: str, filename: str, key: str) -> dict[str, str]:
    """A JSON ``{"sha256": "…"}`` object, checked; hash names lower-cased."""
    if type(value) is not dict:
        raise _invalid(url, f"gives {key!r} of {filename[:80]!r} that is not an object")
    for algorithm, digest in value.items():
        if type(digest) is not str:
            raise _invalid(url, f"gives a {key!r} value of {filename[:80]!r} that is not a string")
        if not algorithm.islower():
            return {k.lower(): v for k, v in value.items()}
    return value


def _project_page_from_json(data: dict[str, Any], url: str, project: str | None) -> ProjectPage:
    api_version = _json_api_version(data, url)
    raw_name = data.get("name")
    if raw_name is not None and type(raw_name) is not str:
        raise _invalid(url, "has a 'name' that is not a string")
    files_data = data.get("files")
    if type(files_data) is not list:
        raise _invalid(url, "has no 'files' list; is it a project page?")
    versions_data = data.get("versions", [])
    if type(versions_data) is not list or not all(type(v) is str for v in versions_data):
        raise _invalid(url, "has a 'versions' that is not a list of strings")

    name = normalize_name(raw_name or project or "") or _guess_project(url)
    wanted = normalize_name(project) if project else name
    parse = FilenameParser(wanted or None).parse
    resolve = _Resolver(_clean_base(url)).resolve
    make = _make_file
    requires: dict[str, str | None] = {}
    files: list[DistributionFile] = []
    append = files.append
    skipped: list[str] = []

    for entry in files_data:
        if type(entry) is not dict:
            raise _invalid(url, "lists a file that is not an object")
        filename = entry.get("filename")
        href = entry.get("url")
        if type(filename) is not str or type(href) is not str:
            raise _invalid(url, "lists a file without a string 'filename' and 'url'")
        shown = filename[:80]

        hashes = entry.get("hashes")
        if hashes is None:
            hashes = {}
        elif type(hashes) is not dict or len(hashes) != 1 or type(hashes.get("sha256")) is not str:
            hashes = _json_hashes(hashes, url, filename, "hashes")
        if "#" in href:
            href, _, fragment = href.partition("#")
            algorithm, eq, digest = fragment.partition("=")
            if eq and algorithm and digest:
                hashes = {algorithm.lower(): digest, **hashes}

        yanked = entry.get("yanked", False)
        yanked_reason = None
        if yanked is not False and yanked is not True:
            if type(yanked) is str:
                yanked_reason = yanked.strip() or None
                yanked = True
            elif yanked is None:
                yanked = False
            else:
                raise _invalid(url, f"gives 'yanked' of {shown!r} as neither bool nor string")

        raw_requires = entry.get("requires-python")
        requires_python = None
        if raw_requires is not None:
            if type(raw_requires) is not str:
                raise _invalid(url, f"gives 'requires-python' of {shown!r} that is not a string")
            try:
                requires_python = requires[raw_requires]
            except KeyError:
                requires_python = requires[raw_requires] = raw_requires.strip() or None

        core = entry.get("core-metadata")
        if core is None:
            core = entry.get("dist-info-metadata")
        if core is None:
            core = False
        elif (
            core is not False
            and core is not True
            and (type(core) is not dict or len(core) != 1 or type(core.get("sha256")) is not str)
        ):
            core = _json_hashes(core, url, filename, "core-metadata")

        size = entry.get("size")
        if size is not None and (type(size) is not int or size < 0):
            raise _invalid(url, f"gives 'size' of {shown!r} that is not a whole number")
        upload_time = entry.get("upload-time")
        if upload_time is not None and type(upload_time) is not str:
            raise _invalid(url, f"gives 'upload-time' of {shown!r} that is not a string")

        parsed = parse(filename)
        if parsed is None or (wanted and parsed[0] != wanted):
            skipped.append(filename)
            continue
        href = href.strip()
        file_url = resolve(href) if href else None
        if file_url is None:
            skipped.append(filename)
            continue
        append(
            make(
                filename,
                file_url,
                parsed[0],
                parsed[1],
                parsed[2],
                hashes,
                requires_python,
                yanked,
                yanked_reason,
                core,
                size,
                upload_time,
            )
        )

    return ProjectPage(
        name=name,
        url=_clean_base(url),
        files=tuple(files),
        api_version=api_version,
        versions=tuple(versions_data),
        skipped=_shown(skipped),
    )


def _project_list_from_json(data: dict[str, Any], url: str) -> ProjectList:
    api_version = _json_api_version(data, url)
    projects = data.get("projects")
    if type(projects) is not list:
        raise _invalid(url, "has no 'projects' list; is it the root page of an index?")
    names: list[str] = []
    append = names.append
    for entry in projects:
        if type(entry) is not dict:
            raise _invalid(url, "lists a project that is not an object")
        name = entry.get("name")
        if type(name) is not str:
            raise _invalid(url, "lists a project without a string 'name'")
        append(name)
    return ProjectList(url=_clean_base(url), names=tuple(names), api_version=api_version)
