"""The domain model: what an index page says, independent of its wire form.

The parsers in :mod:`cglib.simple` build these from PEP 503 HTML or PEP 691
JSON; everything else in cglib works on them.  Each model has ``to_json()``
giving the shape documented in SPEC.md, so no caller builds dicts by hand.

A project page of 100,000 files also has ``to_json_text()``: the same document,
compactly encoded, without building 100,000 dicts for the encoder to walk
(each string still goes through the JSON encoder's own escaping).  Tests hold
it equal, byte for byte, to ``json.dumps(to_json(), ensure_ascii=False,
separators=(",", ":"))``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from types import EllipsisType
from typing import Literal

from packaging.version import Version

__all__ = ["DistributionFile", "ProjectList", "ProjectPage", "Release", "latest"]


def _text(value: str | None) -> str:
    """A JSON string (the encoder's own escaping, ``ensure_ascii=False``) or ``null``."""
    return "null" if value is None else encode_basestring(value)


def _bool(value: bool) -> str:
    return "true" if value else "false"


FileKind = Literal["wheel", "sdist"]


@dataclass(frozen=True, slots=True)
class DistributionFile:
    """One file of a project, as its index page lists it."""

    filename: str
    #: Absolute URL of the file, resolved against the page; never carries credentials.
    url: str
    project: str
    version: Version
    kind: FileKind
    hashes: Mapping[str, str] = field(default_factory=dict)
    requires_python: str | None = None
    yanked: bool = False
    yanked_reason: str | None = None
    #: PEP 658/714: whether a ``.metadata`` file is served, or its hashes.
    core_metadata: bool | Mapping[str, str] = False
    size: int | None = None
    upload_time: str | None = None

    @property
    def sha256(self) -> str | None:
        return self.hashes.get("sha256")

    def to_json(self, *, version: str | None = None) -> dict[str, object]:
        """SPEC.md's file object (``version``: ``str(self.version)``, when the
        caller has it already)."""
        return {
            "filename": self.filename,
            "url": self.url,
            "kind": self.kind,
            "version": str(self.version) if version is None else version,
            "sha256": self.sha256,
            "requires_python": self.requires_python,
            "size": self.size,
            "upload_time": self.upload_time,
            "yanked": self.yanked,
            "yanked_reason": self.yanked_reason,
        }

    def to_json_text(self, *, version: str | None = None) -> str:
        """:meth:`to_json` compactly encoded (``version``: the version as a
        JSON string, when the caller has it already).  Written out for speed:
        it runs once per file of a page."""
        enc = encode_basestring
        sha256 = self.hashes.get("sha256")
        requires, uploaded, reason = self.requires_python, self.upload_time, self.yanked_reason
        return (
            f'{{"filename":{enc(self.filename)},"url":{enc(self.url)},"kind":{enc(self.kind)},'
            f'"version":{enc(str(self.version)) if version is None else version},'
            f'"sha256":{"null" if sha256 is None else enc(sha256)},'
            f'"requires_python":{"null" if requires is None else enc(requires)},'
            f'"size":{"null" if self.size is None else int(self.size)},'
            f'"upload_time":{"null" if uploaded is None else enc(uploaded)},'
            f'"yanked":{"true" if self.yanked else "false"},'
            f'"yanked_reason":{"null" if reason is None else enc(reason)}}}'
        )


@dataclass(frozen=True, slots=True)
class Release:
    """All files of one version of a project."""

    version: Version
    files: tuple[DistributionFile, ...]

    @property
    def yanked(self) -> bool:
        """A release is yanked when every one of its files is (PEP 592)."""
        return bool(self.files) and all(f.yanked for f in self.files)

    def to_json(self) -> dict[str, object]:
        version = str(self.version)
        return {
            "version": version,
            "yanked": self.yanked,
            "files": [f.to_json(version=version) for f in self.files],
        }

    def to_json_text(self) -> str:
        """:meth:`to_json` compactly encoded."""
        version = _text(str(self.version))
        files = ",".join([f.to_json_text(version=version) for f in self.files])
        return f'{{"version":{version},"yanked":{_bool(self.yanked)},"files":[{files}]}}'


def latest(releases: list[Release], *, pre: bool = False) -> Release | None:
    """The newest of ``releases`` that is not yanked and is a final release
    (or, with ``pre``, any release), or ``None``: what a user would install."""
    for release in releases:
        if not release.yanked and (pre or not release.version.is_prerelease):
            return release
    return None


def _latest_version(
    latest_given: Version | EllipsisType | None, releases: list[Release], pre: bool
) -> str | None:
    if isinstance(latest_given, EllipsisType):
        found = latest(releases, pre=pre)
        return None if found is None else str(found.version)
    return None if latest_given is None else str(latest_given)


@dataclass(frozen=True, slots=True)
class ProjectPage:
    """A project's page of the simple API."""

    name: str
    url: str
    files: tuple[DistributionFile, ...]
    api_version: str | None = None
    #: PEP 700 ``versions`` (JSON pages only; may name versions with no files).
    versions: tuple[str, ...] = ()
    #: Links skipped because their file name or version could not be parsed.
    skipped: tuple[str, ...] = ()

    def releases(self, *, pre: bool = False) -> list[Release]:
        """Releases newest first; pre-releases only with ``pre`` (or when
        there is nothing but pre-releases, as pip does)."""
        by_version: dict[Version, list[DistributionFile]] = {}
        for f in self.files:
            by_version.setdefault(f.version, []).append(f)
        ordered = sorted(by_version, reverse=True)
        if not pre:
            final = [v for v in ordered if not v.is_prerelease]
            if final:
                ordered = final
        return [Release(v, tuple(by_version[v])) for v in ordered]

    def to_json(
        self,
        *,
        pre: bool = False,
        index: str | None = None,
        releases: list[Release] | None = None,
        latest: Version | EllipsisType | None = ...,
    ) -> dict[str, object]:
        """SPEC.md's versions document; ``releases`` are those of
        ``self.releases(pre=pre)`` when the caller has computed them already.
        ``latest`` is the newest final non-yanked version (any, with ``pre``)
        of ``releases`` unless the caller gives it (e.g. for a list cut to
        ``--limit``)."""
        if releases is None:
            releases = self.releases(pre=pre)
        body: dict[str, object] = {"project": self.name}
        if index is not None:
            body["index"] = index
        body["url"] = self.url
        body["latest"] = _latest_version(latest, releases, pre)
        body["versions"] = [r.to_json() for r in releases]
        return body

    def to_json_text(
        self,
        *,
        pre: bool = False,
        index: str | None = None,
        releases: list[Release] | None = None,
        latest: Version | EllipsisType | None = ...,
    ) -> str:
        """:meth:`to_json` compactly encoded (see the module's docstring)."""
        if releases is None:
            releases = self.releases(pre=pre)
        head = f'{{"project":{_text(self.name)},'
        if index is not None:
            head += f'"index":{_text(index)},'
        newest = _text(_latest_version(latest, releases, pre))
        versions = ",".join([r.to_json_text() for r in releases])
        return f'{head}"url":{_text(self.url)},"latest":{newest},"versions":[{versions}]}}'


@dataclass(frozen=True, slots=True)
class ProjectList:
    """The root page of the simple API: every project name in the index."""

    url: str
    names: tuple[str, ...]
    api_version: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"url": self.url, "names": list(self.names)}
