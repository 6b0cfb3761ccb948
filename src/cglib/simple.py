"""Pure parsers for the simple repository API: PEP 503 HTML and PEP 691 JSON.

Nothing here does I/O.  The client hands over the body of a response, its
``Content-Type`` and the final URL (after redirects); these functions turn
them into :mod:`cglib.models` objects or raise
:class:`~cglib.errors.InvalidPageError` with a one-line message naming the
URL.  No other exception escapes: a page that cannot be read is the server's
fault, never a crash.

Pages can be large (100,000 files for a busy project, 600,000 names for a
root page), so the HTML parser is a pair of precompiled regular expressions
rather than :mod:`html.parser` (five times slower), versions and project names
are parsed once per distinct string, and relative links that share a
directory are resolved once per directory.  ``benchmarks/bench_parse.py``
measures it.

Files whose name is not a wheel or an sdist (eggs, installers, junk), whose
version is not a valid PEP 440 version, or which belong to another project
are left out of :attr:`ProjectPage.files` and listed in
:attr:`ProjectPage.skipped`.
"""

from __future__ import annotations

import codecs
import json
import re
from html import unescape
from typing import Any, Literal
from urllib.parse import unquote, urljoin, urlsplit

from packaging.version import InvalidVersion, Version

from cglib.errors import InvalidPageError
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
# One attribute of a tag: name, then a double-quoted, single-quoted or bare value.
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>]+)))?""")
_BASE = re.compile(r"""<base\s([^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*)>""", re.IGNORECASE)
_META = re.compile(r"""<meta\s([^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*)>""", re.IGNORECASE)
_FORM = re.compile(r"<form[\s>/]", re.IGNORECASE)
_PASSWORD_INPUT = re.compile(r"""<input\s[^<>]*type\s*=\s*["']?password""", re.IGNORECASE)
_API_VERSION = re.compile(r"\s*(\d{1,9})(?:\.(\d{1,9}))?\s*\Z")
# PEP 508 project names; what precedes the version in a file name.
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\Z")

_ABSOLUTE = ("https://", "http://")
_SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz")


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
# File names


class _FilenameParser:
    """Splits file names into (normalised name, version, kind), remembering
    every name and version string it has parsed: a page with 100,000 files
    has only a few hundred distinct versions and usually one name."""

    __slots__ = ("_names", "_versions", "project")

    def __init__(self, project: str | None) -> None:
        self.project = normalize_name(project) if project else None
        self._names: dict[str, str | None] = {}
        self._versions: dict[str, Version | None] = {}

    def name(self, raw: str) -> str | None:
        try:
            return self._names[raw]
        except KeyError:
            normal = normalize_name(raw) if _NAME.match(raw) else None
            self._names[raw] = normal
            return normal

    def version(self, raw: str) -> Version | None:
        try:
            return self._versions[raw]
        except KeyError:
            try:
                parsed: Version | None = Version(raw)
            except InvalidVersion:
                parsed = None
            self._versions[raw] = parsed
            return parsed

    def parse(self, filename: str) -> tuple[str, Version, FileKind] | None:
        if "/" in filename or "\\" in filename:
            return None
        if filename.endswith(".whl"):
            # {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl
            parts = filename[:-4].split("-")
            count = len(parts)
            if count == 5 or (count == 6 and parts[2][:1].isdigit()):
                name = self.name(parts[0])
                version = self.version(parts[1])
                if name is not None and version is not None and all(parts[-3:]):
                    return name, version, "wheel"
            return None
        for suffix in _SDIST_SUFFIXES:
            if filename.endswith(suffix):
                stem = filename[: -len(suffix)]
                break
        else:
            return None
        # {name}-{version}: the name may contain '-', so find where the
        # project's own name ends when we know it.
        if self.project is not None:
            dash = stem.find("-")
            while dash > 0:
                if self.name(stem[:dash]) == self.project:
                    version = self.version(stem[dash + 1 :])
                    if version is None:
                        return None
                    return self.project, version, "sdist"
                dash = stem.find("-", dash + 1)
        raw_name, dash_found, raw_version = stem.rpartition("-")
        if not dash_found:
            return None
        name = self.name(raw_name)
        version = self.version(raw_version)
        if name is None or version is None:
            return None
        return name, version, "sdist"


def parse_filename(
    filename: str, project: str | None = None
) -> tuple[str, Version, FileKind] | None:
    """Split a wheel or sdist file name into its normalised project name,
    version and kind.

    ``project`` (any spelling) tells where the name of an sdist ends, since
    names may contain ``-``.  Returns ``None`` for anything that is not a
    wheel or sdist name (eggs, installers, junk) or whose version is not a
    valid PEP 440 version.  The returned name may differ from ``project``:
    callers decide whether the file belongs to the project.
    """
    return _FilenameParser(project).parse(filename)


# ---------------------------------------------------------------------------
# URLs


class _Resolver:
    """``urljoin`` against the page, with the directory part of each link
    resolved only once: the links of a page usually share a few directories
    and ``urljoin`` costs more than the rest of the parse of a link."""

    __slots__ = ("_dirs", "base")

    def __init__(self, base: str) -> None:
        self.base = base
        self._dirs: dict[str, str] = {}

    def rebase(self, href: str) -> None:
        """Make ``href`` (a ``<base href>``) the base of later links."""
        self.base = self.join(href)
        self._dirs.clear()

    def join(self, href: str) -> str:
        return urljoin(self.base, href)

    def resolve(self, href: str) -> str:
        """``urljoin(base, href)``, fast; ``href`` has no fragment."""
        if href.startswith(_ABSOLUTE):
            # urljoin returns an absolute link of the same or another scheme
            # as it is, after a round trip through urlparse that changes
            # only degenerate forms (a bare trailing '?' or ';').
            if href[-1] not in "?;" and href.isprintable():
                return href
            return urljoin(self.base, href)
        # Split the link into a prefix made of '/' or of '../' and './'
        # segments, resolved once per page, and the rest, which is appended
        # as it is when that is what urljoin would do: no dot segments, no
        # '//' (urljoin squeezes them), no scheme-like first segment, nothing
        # that urlsplit strips.
        if href[:1] == "/":
            if href[1:2] == "/":
                return urljoin(self.base, href)
            start = 1
        else:
            start = 0
            while True:
                if href.startswith("../", start):
                    start += 3
                elif href.startswith("./", start):
                    start += 2
                else:
                    break
        rest = href[start:]
        if (
            rest[:1] in "/?;."
            or rest[-1] in "?;"
            or "//" in rest
            or "/." in rest
            or ":" in rest.partition("/")[0]
            or not rest.isprintable()
        ):
            return urljoin(self.base, href)
        prefix = href[:start]
        try:
            return self._dirs[prefix] + rest
        except KeyError:
            directory = self._dirs[prefix] = urljoin(self.base, prefix or "./")
            return directory + rest


def _split_fragment(href: str) -> tuple[str, dict[str, str]]:
    """``url#sha256=abc`` -> (``url``, ``{"sha256": "abc"}``)."""
    href, _, fragment = href.partition("#")
    if fragment:
        algorithm, eq, digest = fragment.partition("=")
        if eq and algorithm and digest:
            return href, {algorithm.lower(): digest}
    return href, {}


def _clean_base(url: str) -> str:
    """The page URL without credentials and fragment, so that links resolved
    against it never carry a password."""
    clean = split_credentials(url)[0] if "@" in url else url
    return clean.partition("#")[0]


def _guess_project(url: str) -> str:
    segments = [s for s in urlsplit(url).path.split("/") if s]
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


def _invalid(url: str, what: str, hint: str | None = None) -> InvalidPageError:
    return InvalidPageError(f"index page {redact(url)} {what}", url=redact(url), hint=hint)


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
    if media_type(content_type, url=url) == "json":
        return _project_page_from_json(_load_json(body, url), url, project)
    return _project_page_from_html(_decode(body, content_type, url), url, project)


def parse_project_list(body: bytes, content_type: str, url: str) -> ProjectList:
    """Parse the root page of an index: every project name, as given, in
    page order."""
    if media_type(content_type, url=url) == "json":
        return _project_list_from_json(_load_json(body, url), url)
    return _project_list_from_html(_decode(body, content_type, url), url)


# ---------------------------------------------------------------------------
# HTML (PEP 503, 592, 629, 658, 714)


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


def _html_api_version(text: str, url: str) -> str | None:
    if "pypi:repository-version" not in text:
        return None
    for tag in _META.finditer(text):
        attrs = _attributes(tag[1])
        if attrs.get("name") == "pypi:repository-version" and "content" in attrs:
            return _check_api_version(attrs["content"], url)
    return None


def _attributes(source: str) -> dict[str, str]:
    """Attributes of a tag, names lower-cased, values unescaped; the first
    of a repeated attribute wins, as in browsers."""
    attrs: dict[str, str] = {}
    for name, double, single, bare in _ATTR.findall(source):
        key = name.lower()
        if key not in attrs:
            value = double or single or bare
            attrs[key] = unescape(value) if "&" in value else value
    return attrs


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


def _metadata_value(value: str) -> bool | dict[str, str]:
    algorithm, eq, digest = value.partition("=")
    if eq and algorithm and digest:
        return {algorithm.strip().lower(): digest.strip()}
    return value.strip().lower() != "false"


def _project_page_from_html(text: str, url: str, project: str | None) -> ProjectPage:
    api_version = _html_api_version(text, url)
    resolver = _html_resolver(text, url)
    name = normalize_name(project) if project else _guess_project(url)
    parser = _FilenameParser(name or None)
    parse = parser.parse
    resolve = resolver.resolve
    attribute = _ATTR.findall
    files: list[DistributionFile] = []
    append = files.append
    skipped: list[str] = []

    for source, anchor_text in _ANCHOR.findall(text):
        href = None
        requires_python = None
        yanked_attr = None
        core: str | None = None
        dist_info: str | None = None
        for key, double, single, bare in attribute(source):
            value = double or single or bare
            key = key.lower()
            if key == "href":
                if href is None:
                    href = value
            elif key == "data-requires-python":
                requires_python = value
            elif key == "data-yanked":
                yanked_attr = value
            elif key == "data-core-metadata":
                core = value
            elif key == "data-dist-info-metadata":
                dist_info = value
        if href is None:
            continue
        if "&" in href:
            href = unescape(href)
        href, hashes = _split_fragment(href.strip())
        if not href:
            continue
        file_url = resolve(href)

        filename = unescape(anchor_text).strip() if "&" in anchor_text else anchor_text.strip()
        parsed = parse(filename) if filename else None
        if parsed is None:
            basename = unquote(href.partition("?")[0].rpartition("/")[2])
            parsed = parse(basename) if basename else None
            if parsed is None:
                skipped.append(filename or basename or href)
                continue
            filename = basename
        if name and parsed[0] != name:
            skipped.append(filename)
            continue

        if requires_python is not None:
            if "&" in requires_python:
                requires_python = unescape(requires_python)
            requires_python = requires_python.strip() or None
        yanked_reason = None
        if yanked_attr is not None and yanked_attr:
            yanked_reason = (unescape(yanked_attr) if "&" in yanked_attr else yanked_attr).strip()
            yanked_reason = yanked_reason or None
        if core is None:
            core = dist_info
        core_metadata: bool | dict[str, str] = False
        if core is not None:
            core_metadata = _metadata_value(unescape(core) if "&" in core else core)

        append(
            DistributionFile(
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
        raise _invalid(
            url, "looks like a sign-in page, not a package index", hint=_SIGN_IN_HINT
        )
    return ProjectPage(
        name=name,
        url=_clean_base(url),
        files=tuple(files),
        api_version=api_version,
        versions=(),
        skipped=tuple(skipped),
    )


def _project_list_from_html(text: str, url: str) -> ProjectList:
    api_version = _html_api_version(text, url)
    names: list[str] = []
    append = names.append
    for _source, anchor_text in _ANCHOR.findall(text):
        name = unescape(anchor_text).strip() if "&" in anchor_text else anchor_text.strip()
        if name:
            append(name)
    # A sign-in page may have links ("forgot your password?"), so one with a
    # password field is refused even when it has some.
    if (_looks_like_sign_in(text) if not names else _has_password_field(text)):
        raise _invalid(
            url, "looks like a sign-in page, not a package index", hint=_SIGN_IN_HINT
        )
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


def _json_api_version(data: dict[str, Any], url: str) -> str:
    meta = data.get("meta")
    if meta is None:
        return "1.0"
    if not isinstance(meta, dict):
        raise _invalid(url, "has a 'meta' that is not an object")
    if "api-version" not in meta:
        return "1.0"
    return _check_api_version(meta["api-version"], url)


def _json_hashes(value: object, url: str, filename: str) -> dict[str, str]:
    if value is None:
        return {}
    if type(value) is not dict:
        raise _invalid(url, f"gives hashes of {filename[:80]!r} that are not an object")
    for algorithm, digest in value.items():
        if type(digest) is not str:
            raise _invalid(url, f"gives a {algorithm[:20]!r} hash of {filename[:80]!r} that is not a string")
    return value


def _project_page_from_json(data: dict[str, Any], url: str, project: str | None) -> ProjectPage:
    api_version = _json_api_version(data, url)
    raw_name = data.get("name")
    if raw_name is not None and not isinstance(raw_name, str):
        raise _invalid(url, "has a 'name' that is not a string")
    files_data = data.get("files")
    if not isinstance(files_data, list):
        raise _invalid(url, "has no 'files' list; is it a project page?")
    versions_data = data.get("versions", ())
    if not isinstance(versions_data, list | tuple) or not all(
        isinstance(v, str) for v in versions_data
    ):
        raise _invalid(url, "has a 'versions' that is not a list of strings")

    name = normalize_name(raw_name or project or "") or _guess_project(url)
    wanted = normalize_name(project) if project else name
    parser = _FilenameParser(wanted or None)
    parse = parser.parse
    resolver = _Resolver(_clean_base(url))
    resolve = resolver.resolve
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
        hashes = _json_hashes(entry.get("hashes"), url, filename)
        if "#" in href:
            href, from_fragment = _split_fragment(href)
            if from_fragment:
                hashes = {**from_fragment, **hashes}
        href = href.strip()
        if not href:
            raise _invalid(url, f"gives an empty url for {filename[:80]!r}")

        yanked = entry.get("yanked", False)
        yanked_reason = None
        if yanked is not False and yanked is not True:
            if type(yanked) is str:
                yanked_reason = yanked.strip() or None
                yanked = True
            elif yanked is None:
                yanked = False
            else:
                raise _invalid(url, f"gives 'yanked' of {filename[:80]!r} as neither bool nor string")

        requires_python = entry.get("requires-python")
        if requires_python is not None:
            if type(requires_python) is not str:
                raise _invalid(url, f"gives a 'requires-python' of {filename[:80]!r} that is not a string")
            requires_python = requires_python.strip() or None

        core = entry.get("core-metadata")
        if core is None:
            core = entry.get("dist-info-metadata", False)
        if core is None:
            core = False
        elif core is not False and core is not True:
            if type(core) is not dict:
                raise _invalid(url, f"gives 'core-metadata' of {filename[:80]!r} as neither bool nor object")
            core = _json_hashes(core, url, filename)

        size = entry.get("size")
        if size is not None and (type(size) is not int or size < 0):
            raise _invalid(url, f"gives a 'size' of {filename[:80]!r} that is not a whole number")
        upload_time = entry.get("upload-time")
        if upload_time is not None and type(upload_time) is not str:
            raise _invalid(url, f"gives an 'upload-time' of {filename[:80]!r} that is not a string")

        parsed = parse(filename)
        if parsed is None or (wanted and parsed[0] != wanted):
            skipped.append(filename)
            continue
        append(
            DistributionFile(
                filename,
                resolve(href),
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
        skipped=tuple(skipped),
    )


def _project_list_from_json(data: dict[str, Any], url: str) -> ProjectList:
    api_version = _json_api_version(data, url)
    projects = data.get("projects")
    if not isinstance(projects, list):
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
