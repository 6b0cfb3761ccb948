"""Core metadata of one distribution (``METADATA`` / ``PKG-INFO``): pure, no I/O.

:func:`parse_core_metadata` reads the email-header form with
``packaging.metadata.parse_email`` (tolerant: fields it cannot read are
left out rather than failing the whole file); :class:`CoreMetadata` is the
domain model, with the dependencies of the distribution for one marker
environment and set of extras (:meth:`CoreMetadata.dependencies`), and
``to_json()`` for ``cglib show --json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cglib.errors import InvalidPageError

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from cglib.models import DistributionFile

__all__ = ["CoreMetadata", "ShowResult", "parse_core_metadata"]


@dataclass(frozen=True, slots=True)
class CoreMetadata:
    """What a distribution says about itself (the fields cglib uses)."""

    name: str
    version: str
    metadata_version: str = ""
    summary: str | None = None
    requires_python: str | None = None
    requires_dist: tuple[str, ...] = ()
    provides_extra: tuple[str, ...] = ()
    license: str | None = None
    project_urls: Mapping[str, str] = field(default_factory=dict)
    dynamic: tuple[str, ...] = ()

    def requirements(self) -> list[Requirement]:
        """``Requires-Dist`` as parsed requirements (unreadable lines skipped,
        as installers do)."""
        from packaging.requirements import InvalidRequirement, Requirement

        out = []
        for line in self.requires_dist:
            try:
                out.append(Requirement(line))
            except InvalidRequirement:
                continue
        return out

    def dependencies(
        self, environment: Mapping[str, str], extras: Iterable[str] = ()
    ) -> list[Requirement]:
        """The requirements whose markers hold in ``environment`` with no
        extra, or with one of ``extras``."""
        from packaging.utils import canonicalize_name

        wanted = [""] + [str(canonicalize_name(e)) for e in extras]
        out = []
        for req in self.requirements():
            if req.marker is None:
                out.append(req)
                continue
            if any(req.marker.evaluate({**environment, "extra": e}) for e in wanted):
                out.append(req)
        return out

    def dynamic_requirements(self) -> bool:
        """True when ``Requires-Dist`` may change at build time: metadata
        older than 2.2 (no ``Dynamic`` field), or listed as dynamic."""
        if _version_tuple(self.metadata_version) < (2, 2):
            return True
        return any(d.strip().lower() == "requires-dist" for d in self.dynamic)


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.strip().split("."):
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return tuple(parts)


def parse_core_metadata(data: bytes, *, source: str = "metadata") -> CoreMetadata:
    """Parse a ``METADATA`` / ``PKG-INFO`` file.  ``source`` names it in
    the error raised when there is no ``Name`` / ``Version``."""
    from packaging.metadata import parse_email

    raw, _unparsed = parse_email(data)
    name = raw.get("name")
    version = raw.get("version")
    if not name or not version:
        raise InvalidPageError(
            f"the core metadata of {source} has no Name or Version",
            hint="the index serves a broken metadata file; tell its operator",
        )
    license_text = raw.get("license_expression") or raw.get("license")
    if license_text:
        license_text = license_text.strip().splitlines()[0] if license_text.strip() else None
    urls = dict(raw.get("project_urls", {}))
    home = raw.get("home_page")
    if home and "Homepage" not in urls:
        urls = {"Homepage": home, **urls}
    return CoreMetadata(
        name=name,
        version=version,
        metadata_version=raw.get("metadata_version", ""),
        summary=raw.get("summary"),
        requires_python=raw.get("requires_python"),
        requires_dist=tuple(raw.get("requires_dist", ())),
        provides_extra=tuple(raw.get("provides_extra", ())),
        license=license_text or None,
        project_urls=urls,
        dynamic=tuple(raw.get("dynamic", ())),
    )


@dataclass(frozen=True, slots=True)
class ShowResult:
    """``cglib show``: one version's core metadata and its files."""

    project: str
    metadata: CoreMetadata
    files: tuple[DistributionFile, ...]
    #: The file whose metadata was read, and how (``pep658``, ``range``,
    #: ``whole``, ``cache``).
    source_file: DistributionFile | None = None
    source: str = ""

    def to_json(self) -> dict[str, object]:
        meta = self.metadata
        return {
            "project": self.project,
            "version": meta.version,
            "summary": meta.summary,
            "requires_python": meta.requires_python,
            "requires_dist": list(meta.requires_dist),
            "extras": list(meta.provides_extra),
            "license": meta.license,
            "project_urls": dict(meta.project_urls),
            "files": [f.to_json() for f in self.files],
            "metadata_source": {
                "filename": self.source_file.filename if self.source_file else None,
                "via": self.source,
            },
        }
