"""Dependency resolution over the index, for one target or several.

:func:`resolve` runs ``resolvelib`` (the backtracking resolver pip uses)
with a provider over the index:

- a project's page is fetched once per run (in parallel: when a candidate's
  dependencies are known, the pages of the projects they name, and the
  metadata of each one's newest matching file, are fetched in the background
  while the resolver works);
- candidates are the versions with a file for the target
  (:func:`cglib.selection.choose_files`, honouring only-binary / no-binary),
  newest first: final releases unless ``pre`` or no final release satisfies
  the specifier (PEP 440), yanked ones only when pinned with ``==`` (PEP 592,
  with a warning); ``==2.0.0`` matches ``2.0.0+cgr.1``;
- dependencies come from the core metadata of the chosen file
  (:mod:`cglib.metadata`), with environment markers evaluated as the target
  would (:func:`cglib.targets.marker_environment`) and extras handled as pip
  does (``name[extra]`` is a candidate of its own that depends on ``name``
  of the same version);
- the ``Requires-Python`` of the metadata is a requirement on the target's
  Python, so a version that excludes it is backtracked over.

A conflict or a missing dependency raises :class:`~cglib.errors.NoMatchError`
whose message is the chain of requirements that led there.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version
from resolvelib import AbstractProvider
from resolvelib.structs import RequirementInformation

from cglib.errors import NoMatchError
from cglib.metadata import FileMetadata, MetadataFetcher
from cglib.models import DistributionFile, ProjectPage, Release
from cglib.pages import ProjectPages
from cglib.selection import ALL, Target, choose_files, is_pinned, names_prerelease
from cglib.targets import marker_environment

if TYPE_CHECKING:
    from cglib.client import IndexClient

__all__ = [
    "ALL",
    "Options",
    "Pin",
    "Resolution",
    "TargetResolution",
    "resolve",
]

_PYTHON = "<python>"


@dataclass(frozen=True)
class Options:
    """How to resolve.

    ``only_binary`` / ``no_binary``: project names (any spelling) or
    :data:`ALL`; ``prefer_binary``: an older version with a wheel for the
    target beats a newer one with only an sdist; ``no_deps``: take the
    requirements as they are (no metadata is read); ``jobs``: parallel
    requests."""

    pre: bool = False
    only_binary: frozenset[str] = frozenset()
    no_binary: frozenset[str] = frozenset()
    prefer_binary: bool = False
    no_deps: bool = False
    jobs: int = 8

    def binary_rule(self, name: str) -> tuple[bool, bool]:
        """(only_binary, no_binary) for project ``name``; a name listed
        explicitly wins over ``:all:`` of the other option, as in pip."""
        key = str(canonicalize_name(name))
        only = {str(canonicalize_name(n)) if n != ALL else ALL for n in self.only_binary}
        no = {str(canonicalize_name(n)) if n != ALL else ALL for n in self.no_binary}
        if key in only:
            return True, False
        if key in no:
            return False, True
        return ALL in only, ALL in no and ALL not in only


@dataclass(frozen=True)
class Pin:
    """One project pinned for one target."""

    project: str
    version: Version
    #: The file(s) to download for the target (best first).
    files: tuple[DistributionFile, ...]
    #: Projects whose requirements brought it in (empty: asked for directly).
    required_by: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    yanked: bool = False
    #: The file whose core metadata was read (``None`` with ``no_deps``).
    metadata_file: DistributionFile | None = None
    #: When that file had to be fetched whole: where it is (reuse it rather
    #: than fetching it again; the fetcher's spool is removed when closed).
    whole_file: Path | None = None
    #: Every file of the version, whatever the target (``--all-files``).
    release_files: tuple[DistributionFile, ...] = ()
    #: The sha256 of ``whole_file``, computed (and checked against the
    #: index's) as it arrived: moving it into place needs no second read.
    whole_sha256: str | None = None


@dataclass(frozen=True)
class TargetResolution:
    target: Target
    pins: Mapping[str, Pin]


@dataclass(frozen=True)
class Resolution:
    """The result of :func:`resolve`: one :class:`TargetResolution` per
    target, and the warnings to show (yanked versions taken)."""

    targets: tuple[TargetResolution, ...]
    warnings: tuple[str, ...] = ()

    def files(self) -> list[tuple[Pin, DistributionFile]]:
        """The union over targets: each file once, with the first pin that
        chose it (its ``required_by`` merged over all targets)."""
        seen: dict[str, tuple[Pin, DistributionFile]] = {}
        for tr in self.targets:
            for pin in tr.pins.values():
                for f in pin.files:
                    if f.url in seen:
                        old_pin, _ = seen[f.url]
                        merged = tuple(dict.fromkeys((*old_pin.required_by, *pin.required_by)))
                        seen[f.url] = (_replace_required_by(old_pin, merged), f)
                    else:
                        seen[f.url] = (pin, f)
        return list(seen.values())


def _replace_required_by(pin: Pin, required_by: tuple[str, ...]) -> Pin:
    from dataclasses import replace

    return replace(pin, required_by=required_by)


# ---------------------------------------------------------------------------
# Requirements and candidates the resolver works with


@dataclass(frozen=True)
class _Req:
    """A requirement on a project (with extras) or on the target's Python."""

    name: NormalizedName | str
    specifier: SpecifierSet
    extras: frozenset[str] = frozenset()
    text: str = ""

    @property
    def identifier(self) -> str:
        return _identifier(self.name, self.extras)

    def __str__(self) -> str:
        return self.text or f"{self.name}{self.specifier}"


def _identifier(name: str, extras: Iterable[str]) -> str:
    extras = sorted(extras)
    return f"{name}[{','.join(extras)}]" if extras else name


@dataclass(frozen=True)
class _Candidate:
    name: str
    version: Version
    release: Release | None = None
    files: tuple[DistributionFile, ...] = ()
    extras: frozenset[str] = frozenset()
    yanked: bool = False

    @property
    def identifier(self) -> str:
        return _identifier(self.name, self.extras)

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


def _from_requirement(req: Requirement) -> _Req:
    return _Req(
        canonicalize_name(req.name),
        req.specifier,
        frozenset(str(canonicalize_name(e)) for e in req.extras),
        str(req).split(";")[0].strip(),
    )


# ---------------------------------------------------------------------------
# The provider


class _Provider(AbstractProvider):  # type: ignore[type-arg]
    """A resolvelib provider for one target."""

    def __init__(
        self,
        pages: ProjectPages,
        fetcher: MetadataFetcher,
        target: Target,
        options: Options,
        warnings: list[str],
    ) -> None:
        self.pages = pages
        self.fetcher = fetcher
        self.target = target
        self.options = options
        self.environment = marker_environment(target)
        self.python = target.python_full_version()
        self.warnings = warnings
        #: Which candidate asked for each identifier first (for messages).
        self.parents: dict[str, _Candidate] = {}
        self.metadata: dict[tuple[str, Version], FileMetadata] = {}
        self.missing: set[str] = set()
        self._cache: dict[tuple[str, str], list[_Candidate]] = {}
        #: (file URL, extras) whose dependencies are being fetched ahead.
        self._crawled: set[tuple[str, frozenset[str]]] = set()
        self._crawl_lock = threading.Lock()

    # -- resolvelib's interface ------------------------------------------------------

    def identify(self, requirement_or_candidate: _Req | _Candidate) -> str:
        return requirement_or_candidate.identifier

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, _Candidate],
        candidates: Mapping[str, Iterator[_Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> tuple[bool, bool, bool, bool, str]:
        infos = list(information[identifier])
        pinned = any(is_pinned(info.requirement.specifier) for info in infos)
        direct = any(info.parent is None for info in infos)
        causes = {c.requirement.identifier for c in backtrack_causes} | {
            c.parent.identifier for c in backtrack_causes if c.parent is not None
        }
        return (
            identifier != _PYTHON,
            identifier not in causes,
            not pinned,
            not direct,
            identifier,
        )

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[_Req]],
        incompatibilities: Mapping[str, Iterator[_Candidate]],
    ) -> list[_Candidate]:
        reqs = list(requirements[identifier])
        bad = {c.version for c in incompatibilities[identifier]}
        if identifier == _PYTHON:
            fits = all(r.specifier.contains(self.python, prereleases=True) for r in reqs)
            return [_Candidate(_PYTHON, self.python)] if fits and self.python not in bad else []
        name = str(reqs[0].name)
        extras = frozenset().union(*(r.extras for r in reqs))
        out = [
            c for c in self.candidates(name, [r.specifier for r in reqs]) if c.version not in bad
        ]
        if extras:
            out = [_Candidate(c.name, c.version, c.release, c.files, extras, c.yanked) for c in out]
        if out:
            # The resolver tries the first: start reading its metadata now.
            self._prefetch_metadata(out[0])
        return out

    def is_satisfied_by(self, requirement: _Req, candidate: _Candidate) -> bool:
        if requirement.identifier != candidate.identifier:
            return False
        return requirement.specifier.contains(candidate.version, prereleases=True)

    def get_dependencies(self, candidate: _Candidate) -> list[_Req]:
        if candidate.name == _PYTHON:
            return []
        if self.options.no_deps:
            return []
        meta = self._metadata(candidate)
        out: list[_Req] = []
        if candidate.extras:
            out.append(
                _Req(
                    canonicalize_name(candidate.name),
                    SpecifierSet(f"=={candidate.version}"),
                    text=f"{candidate.name}=={candidate.version}",
                )
            )
        requires_python = meta.metadata.requires_python
        if requires_python:
            try:
                spec = SpecifierSet(requires_python)
            except ValueError:
                spec = None  # unreadable: ignored, as pip does
            if spec is not None:
                out.append(_Req(_PYTHON, spec, text=f"Python {requires_python}"))
        own = canonicalize_name(candidate.name)
        for req in meta.metadata.dependencies(self.environment, candidate.extras):
            dep = _from_requirement(req)
            if dep.name == own and not dep.extras:
                continue  # a self-reference (``pkg[all]`` listing ``pkg``) adds nothing
            out.append(dep)
            self.parents.setdefault(dep.identifier, candidate)
            self.pages.prefetch(
                str(dep.name), then=functools.partial(self._prefetch_newest, dep=dep)
            )
        return out

    # -- candidates ------------------------------------------------------------------

    def candidates(self, name: str, specifiers: Sequence[SpecifierSet]) -> list[_Candidate]:
        """Versions of ``name`` allowed by every specifier and having a file
        for the target, best first."""
        merged = SpecifierSet()
        for spec in specifiers:
            merged &= spec
        key = (name, str(merged))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        page = self.pages.page(name)
        if page is None:
            self.missing.add(name)
            self._cache[key] = []
            return []
        pinned = any(is_pinned(s) for s in specifiers)
        allow_pre = self.options.pre or any(names_prerelease(s) for s in specifiers)
        only, no = self.options.binary_rule(name)
        by_version: dict[Version, list[DistributionFile]] = {}
        for f in page.files:
            by_version.setdefault(f.version, []).append(f)
        finals: list[_Candidate] = []
        pres: list[_Candidate] = []
        for version in sorted(by_version, reverse=True):
            if not merged.contains(version, prereleases=True):
                continue
            release = Release(version, tuple(by_version[version]))
            if release.yanked and not pinned:
                continue
            choice = choose_files(
                release, self.target, only_binary=only, no_binary=no, allow_yanked=release.yanked
            )
            if not choice:
                continue
            candidate = _Candidate(name, version, release, choice.files, yanked=release.yanked)
            (pres if version.is_prerelease else finals).append(candidate)
        # PEP 440: pre-releases when asked for, or when no final release fits.
        out = sorted(finals + pres, key=lambda c: c.version, reverse=True) if allow_pre else finals
        if not out:
            out = pres
        if self.options.prefer_binary:
            out.sort(key=lambda c: c.files[0].kind != "wheel")  # stable: newest first within
        self._cache[key] = out
        return out

    def _prefetch_newest(self, page: ProjectPage | None, *, dep: _Req) -> None:
        if page is None:
            return
        try:
            found = self.candidates(str(dep.name), [dep.specifier])
            if found:
                newest = found[0]
                if dep.extras:  # what the extras add is part of the closure too
                    newest = _Candidate(
                        newest.name, newest.version, newest.release, newest.files, dep.extras
                    )
                self._prefetch_metadata(newest)
        except Exception:  # speculative: the resolver asks again and reports errors
            return

    def _prefetch_metadata(self, candidate: _Candidate) -> None:
        """Read the metadata of ``candidate`` in the background and, when it
        arrives, the pages (and newest candidates' metadata) of what it
        depends on: the likely closure is fetched ahead of the resolver,
        which would otherwise ask one level at a time."""
        if self.options.no_deps or not candidate.files or self.pages.closed:
            return
        file = candidate.files[0]
        key = (file.url, candidate.extras)
        with self._crawl_lock:
            if key in self._crawled:
                return
            self._crawled.add(key)
        future = self.fetcher.future(file)
        future.add_done_callback(functools.partial(self._crawl, candidate=candidate))

    def _crawl(self, future: Future[FileMetadata], *, candidate: _Candidate) -> None:
        if self.pages.closed or future.cancelled() or future.exception() is not None:
            return
        try:
            requirements = future.result().metadata.dependencies(self.environment, candidate.extras)
            for req in requirements:
                dep = _from_requirement(req)
                self.pages.prefetch(
                    str(dep.name), then=functools.partial(self._prefetch_newest, dep=dep)
                )
        except Exception:  # speculative: the resolver asks again and reports errors
            return

    def _metadata(self, candidate: _Candidate) -> FileMetadata:
        key = (candidate.name, candidate.version)
        found = self.metadata.get(key)
        if found is None:
            found = self.fetcher.get(candidate.files[0])
            self.metadata[key] = found
        return found


# ---------------------------------------------------------------------------
# Running it


def resolve(
    client: IndexClient,
    requirements: Sequence[Requirement | str],
    targets: Sequence[Target] = (),
    options: Options | None = None,
    *,
    fetcher: MetadataFetcher | None = None,
    pages: ProjectPages | None = None,
    progress: Callable[[str], None] | None = None,
    max_rounds: int = 20000,
) -> Resolution:
    """Resolve ``requirements`` for each of ``targets`` (default: this
    machine) and return the pins of each.

    ``fetcher``: a :class:`MetadataFetcher` to use (and close yourself,
    after moving any ``Pin.whole_file`` away); by default one with cglib's
    disk cache is made and closed here, so ``whole_file`` paths are gone on
    return.  ``pages``: the :class:`~cglib.pages.ProjectPages` to read the
    project pages through (and close yourself), e.g. one whose reads of the
    roots have started already; by default one is made, whose ``progress``
    is called with each project name as its page is fetched (from worker
    threads), and closed here.  Raises :class:`NoMatchError` on a
    conflict or when nothing fits."""
    options = options or Options()
    parsed = [_parse(r) for r in requirements]
    roots = [_from_requirement(r) for r in parsed]
    if not roots:
        return Resolution(tuple(TargetResolution(t, {}) for t in (targets or [Target()])))
    own_pages = pages is None
    if pages is None:
        pages = ProjectPages(client, options.jobs, progress)
    # Every root's page at once, first thing.
    pages.prefetch_all(str(root.name) for root in roots)
    own_fetcher = fetcher is None
    warnings: list[str] = []
    results: list[TargetResolution] = []
    interrupted = False
    try:
        if fetcher is None:
            fetcher = MetadataFetcher(client, jobs=options.jobs)
        providers = [_Provider(pages, fetcher, t, options, warnings) for t in targets or [Target()]]
        # For the first target: each root's newest candidate's metadata as
        # soon as its page is in, and so on down the likely closure, ahead
        # of the resolver.
        for root in roots:
            pages.prefetch(
                str(root.name), then=functools.partial(providers[0]._prefetch_newest, dep=root)
            )
        # What the rest needs is imported while the first answers are on their way.
        import packaging.metadata  # noqa: F401 - parses the metadata (cglib.coremetadata)
        from resolvelib import BaseReporter, ResolutionImpossible, ResolutionTooDeep, Resolver

        for provider in providers:
            target = provider.target
            # A root whose marker is false for the target does not apply to it.
            applicable = [
                root
                for root, req in zip(roots, parsed, strict=True)
                if req.marker is None or req.marker.evaluate(provider.environment)
            ]
            if options.no_deps:
                results.append(_no_deps(provider, applicable, target))
                continue
            if not applicable:
                results.append(TargetResolution(target, {}))
                continue
            resolver: Resolver[_Req, _Candidate, str] = Resolver(provider, BaseReporter())
            try:
                result = resolver.resolve(applicable, max_rounds=max_rounds)
            except ResolutionImpossible as exc:
                raise _conflict(provider, exc.causes, target) from None
            except ResolutionTooDeep:
                raise NoMatchError(
                    f"gave up resolving for {target.describe()} after {max_rounds} rounds "
                    "of backtracking",
                    hint="pin some of the requirements (==) to narrow the search",
                ) from None
            results.append(_pins(provider, result, target))
        for tr in results:
            for pin in tr.pins.values():
                if pin.yanked:
                    warnings.append(
                        f"{pin.project} {pin.version} is yanked"
                        + _yank_reason(pin)
                        + "; taken because it is pinned with =="
                    )
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        if own_pages:
            pages.close(wait=not interrupted)
        if own_fetcher and fetcher is not None:
            fetcher.close(wait=not interrupted)
    return Resolution(tuple(results), tuple(dict.fromkeys(warnings)))


def _parse(requirement: Requirement | str) -> Requirement:
    if isinstance(requirement, Requirement):
        return requirement
    from cglib.requirements import parse_requirement

    return parse_requirement(requirement)


def _yank_reason(pin: Pin) -> str:
    reasons = {f.yanked_reason for f in pin.files if f.yanked_reason}
    return f" ({'; '.join(sorted(reasons))})" if reasons else ""


def _no_deps(provider: _Provider, roots: Sequence[_Req], target: Target) -> TargetResolution:
    pins: dict[str, Pin] = {}
    by_name: dict[str, list[_Req]] = {}
    for r in roots:
        by_name.setdefault(str(r.name), []).append(r)
    for name, reqs in by_name.items():
        found = provider.candidates(name, [r.specifier for r in reqs])
        if not found:
            raise _conflict(provider, [RequirementInformation(r, None) for r in reqs], target)
        c = found[0]
        extras = tuple(sorted(frozenset().union(*(r.extras for r in reqs))))
        pins[name] = Pin(
            c.name,
            c.version,
            c.files,
            (),
            extras,
            c.yanked,
            release_files=c.release.files if c.release else (),
        )
    return TargetResolution(target, pins)


def _pins(provider: _Provider, result: Any, target: Target) -> TargetResolution:
    mapping: Mapping[str, _Candidate] = result.mapping
    graph = result.graph
    extras: dict[str, set[str]] = {}
    required_by: dict[str, list[str]] = {}
    for identifier, candidate in mapping.items():
        if identifier == _PYTHON:
            continue
        name = str(canonicalize_name(candidate.name))
        extras.setdefault(name, set()).update(candidate.extras)
        for parent_id in graph.iter_parents(identifier):
            if parent_id is None:
                continue
            parent = mapping[parent_id]
            parent_name = str(canonicalize_name(parent.name))
            if parent_name != name:
                required_by.setdefault(name, []).append(parent.name)
    pins: dict[str, Pin] = {}
    for identifier, candidate in mapping.items():
        if identifier == _PYTHON or candidate.extras:
            continue
        name = str(canonicalize_name(candidate.name))
        meta = provider.metadata.get((candidate.name, candidate.version))
        pins[name] = Pin(
            project=candidate.name,
            version=candidate.version,
            files=candidate.files,
            required_by=tuple(dict.fromkeys(required_by.get(name, []))),
            extras=tuple(sorted(extras.get(name, ()))),
            yanked=candidate.yanked,
            metadata_file=meta.file if meta else None,
            whole_file=meta.whole_file if meta else None,
            release_files=candidate.release.files if candidate.release else (),
            whole_sha256=meta.whole_sha256 if meta else None,
        )
    return TargetResolution(target, pins)


def _chain(provider: _Provider, candidate: _Candidate | None, limit: int = 6) -> str:
    """``app 1.0 <- web 2.1 <- your request``: how ``candidate`` came in."""
    steps: list[str] = []
    seen: set[str] = set()
    while candidate is not None and len(steps) < limit and candidate.identifier not in seen:
        seen.add(candidate.identifier)
        steps.append(str(candidate))
        candidate = provider.parents.get(candidate.identifier) or provider.parents.get(
            candidate.name
        )
    return " <- ".join(steps)


def _conflict(provider: _Provider, causes: Iterable[Any], target: Target) -> NoMatchError:
    lines: list[str] = []
    names: list[str] = []
    python_problem = False
    first: _Req | None = None
    for info in causes:
        req: _Req = info.requirement
        first = first or req
        parent: _Candidate | None = info.parent
        if req.name == _PYTHON:
            python_problem = True
            who = str(parent) if parent is not None else "a requirement"
            lines.append(f"{who} requires {req} (target Python is {provider.python})")
            continue
        names.append(str(req.name))
        if parent is None:
            lines.append(f"you asked for {req}")
        else:
            via = _chain(provider, provider.parents.get(parent.identifier))
            line = (
                f"{parent} (required by {via}) requires {req}"
                if via
                else (f"{parent} requires {req}")
            )
            lines.append(line)
    lines = list(dict.fromkeys(lines))
    name = names[0] if names else "the requirements"
    where = target.describe()
    missing = [n for n in dict.fromkeys(names) if n in provider.missing]
    if missing:
        head = f"no project {missing[0]!r} on the index"
    elif python_problem and not names:
        head = f"no version fits Python {provider.python} of {where}"
    elif len({*names}) == 1 and len(lines) == 1:
        head = f"no version of {name} matches for {where}"
    else:
        head = f"conflicting requirements on {name} for {where}"
    available = ""
    if names and not missing:
        page = provider.pages.page(names[0])
        if page is not None and len(lines) == 1 and first is not None:
            from cglib.planning import only_yanked_error

            yanked = only_yanked_error(page, first.specifier, provider.options.pre)
            if yanked is not None:
                return yanked
        if page is not None:
            versions = sorted({f.version for f in page.files}, reverse=True)[:8]
            available = ", ".join(str(v) for v in versions)
    message = head + ": " + "; ".join(lines)
    hint = None
    if available:
        hint = f"versions of {names[0]} on the index: {available}"
        hint += " (some may have no file for this target or be yanked / pre-releases)"
    return NoMatchError(message, hint=hint)
