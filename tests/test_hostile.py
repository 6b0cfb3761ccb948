"""Hostile indexes and bad input: nothing may leak, crash, hang or land in the wrong place.

Every case runs the installed ``cglib`` as a subprocess against the hostile
index of :mod:`support.hostile`, once against its HTML pages and once against
its JSON pages (the JSON runs also use ``--json`` output), with credentials in
the environment (or, for some cases, in ``--index-url``) and ``-v``.  Each
run is checked for:

- the exit code SPEC.md gives the case;
- on failure, exactly one ``error:`` line (or one JSON error document) that
  names the (redacted) URL, and nothing on stdout;
- no ``Traceback``; the token never printed, even with ``-v``;
- for downloads: no file under its final name unless it is right, no
  ``.part`` left by an integrity failure, nothing written outside ``-d DIR``;
- a bounded wall time.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from support.hostile import (
    ETAG_LATIN1,
    EVIL_NAMES,
    FAST_ENV,
    HOST,
    POLICY_REASONS,
    TOKEN,
    USERNAME,
    HostileIndex,
    credentials_env,
    error_lines,
    policy_project,
    run_hostile_index,
    snapshot,
)

pytestmark = pytest.mark.integration

FORMATS = ("html", "json")

#: (command, case, format, exit code, secret leaked?, stray files?) of each run,
#: written to $CGLIB_HOSTILE_TABLE when set (for the issue note).
TABLE: list[tuple[str, str, str, int, bool, bool]] = []


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileIndex]:
    with run_hostile_index(tmp_path_factory.mktemp("hostile")) as index:
        yield index
    target = os.environ.get("CGLIB_HOSTILE_TABLE")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            for row in TABLE:
                fh.write("\t".join(str(cell) for cell in row) + "\n")


@pytest.fixture(autouse=True)
def _fresh(hostile: HostileIndex) -> None:
    hostile.reset()


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    json_mode: bool
    fmt: str

    @property
    def document(self) -> Any:
        return json.loads(self.stdout)

    @property
    def error(self) -> dict[str, Any]:
        """The error: the JSON document's body, or the text of the ``error:`` line."""
        if self.json_mode:
            docs = [line for line in self.stderr.splitlines() if line.startswith('{"error"')]
            assert len(docs) == 1, self.stderr
            assert self.stderr.rstrip().splitlines()[-1] == docs[0], "the error must come last"
            body: dict[str, Any] = json.loads(docs[0])["error"]
            body["text"] = body["message"] + (f" ({body['hint']})" if body.get("hint") else "")
            return body
        lines = error_lines(self.stderr)
        assert len(lines) == 1, self.stderr
        assert self.stderr.rstrip().splitlines()[-1] == lines[0], "the error must come last"
        text = lines[0][len("error: ") :]
        return {"message": text, "text": text, "code": self.code}


@dataclass
class Cglib:
    """Runs cglib against the hostile index in one page format."""

    hostile: HostileIndex
    run_cglib: Callable[..., Any]
    fmt: str
    secrets: list[str] = field(default_factory=lambda: [TOKEN])

    def __call__(
        self,
        *args: str,
        creds: str = "env",
        env: dict[str, str] | None = None,
        limit: float = 15.0,
    ) -> Run:
        json_mode = self.fmt == "json"
        if creds == "url":
            index_url = self.hostile.url_with_credentials(self.fmt)
            full_env = dict(FAST_ENV)
        elif creds == "none":
            index_url = self.hostile.url(self.fmt)
            full_env = dict(FAST_ENV)
        else:
            index_url = self.hostile.url(self.fmt)
            full_env = credentials_env()
        full_env.update(env or {})
        argv = [*args, "--index-url", index_url, "-v"] + (["--json"] if json_mode else [])
        start = time.monotonic()
        result = self.run_cglib(*argv, env=full_env, timeout=limit + 30)
        seconds = time.monotonic() - start
        run = Run(result.exit_code, result.stdout, result.stderr, seconds, json_mode, self.fmt)
        both = run.stdout + run.stderr
        assert "Traceback" not in both, run.stderr
        for secret in self.secrets:
            assert secret not in both, "a secret leaked into the output"
        assert seconds < limit, f"took {seconds:.1f}s"
        return run


@pytest.fixture(params=FORMATS)
def cglib(request: pytest.FixtureRequest, hostile: HostileIndex, run_cglib: Any) -> Cglib:
    return Cglib(hostile, run_cglib, request.param)


def expect_failure(run: Run, code: int, *, names: str) -> str:
    """Check a clean failure with ``code`` whose message names ``names``; return it."""
    assert run.code == code, run.stderr
    error = run.error
    assert error["code"] == code
    assert names in str(error["message"]), error
    message = str(error["text"])
    assert run.stdout.strip() == "", "nothing on stdout when failing"
    if run.json_mode:
        assert error["kind"]
    return message


def record(command: str, case: str, run: Run, stray: bool = False) -> None:
    leaked = TOKEN in run.stdout + run.stderr
    TABLE.append((command, case, run.fmt, run.code, leaked, stray))


# ---------------------------------------------------------------------------
# Pages: `cglib versions`


def page_url(hostile: HostileIndex, fmt: str, project: str) -> str:
    return f"127.0.0.1:{hostile.port}/{fmt}/simple/{project}/"


@pytest.mark.parametrize(
    ("case", "code", "creds"),
    [
        ("auth-401", 4, "url"),
        ("auth-401-bare", 4, "env"),
        ("auth-403", 4, "url"),
        ("login-page", 6, "env"),
        ("binary", 6, "env"),
        ("no-such-project", 5, "url"),
    ],
)
def test_page_refused(
    cglib: Cglib, hostile: HostileIndex, case: str, code: int, creds: str
) -> None:
    run = cglib("versions", case, creds=creds)
    message = expect_failure(run, code, names=page_url(hostile, cglib.fmt, case))
    if code == 4:
        assert "cglib login" in message or "CHAINGUARD_PYTHON_TOKEN" in message
    if case == "login-page":
        assert "sign-in" in message
    record("versions", case, run)


def test_page_without_credentials_is_a_configuration_error(
    cglib: Cglib, hostile: HostileIndex
) -> None:
    run = cglib("versions", "good", creds="none")
    message = expect_failure(run, 3, names=page_url(hostile, cglib.fmt, "good"))
    assert "credentials" in message
    record("versions", "no credentials", run)


def test_page_with_wrong_password(cglib: Cglib, hostile: HostileIndex) -> None:
    cglib.secrets.append("WRONG-secret-1234")
    run = cglib("versions", "good", env={"CGLIB_PASSWORD": "WRONG-secret-1234"})
    expect_failure(run, 4, names=page_url(hostile, cglib.fmt, "good"))
    record("versions", "wrong password", run)


def test_503_forever_is_retried_a_bounded_number_of_times(
    cglib: Cglib, hostile: HostileIndex
) -> None:
    run = cglib("versions", "down-503", creds="url", limit=8)
    message = expect_failure(run, 6, names=page_url(hostile, cglib.fmt, "down-503"))
    assert "503" in message
    assert len(hostile.seen("index", "/down-503/")) == 1 + int(FAST_ENV["CGLIB_RETRIES"])
    record("versions", "down-503", run)


def test_503_with_no_retries_fails_at_once(cglib: Cglib, hostile: HostileIndex) -> None:
    run = cglib("versions", "down-503", env={"CGLIB_RETRIES": "0"}, limit=5)
    expect_failure(run, 6, names=page_url(hostile, cglib.fmt, "down-503"))
    assert len(hostile.seen("index", "/down-503/")) == 1


@pytest.mark.parametrize("case", ["flaky-429", "flaky-500"])
def test_transient_failure_then_success(cglib: Cglib, hostile: HostileIndex, case: str) -> None:
    run = cglib("versions", case, limit=8)
    assert run.code == 0, run.stderr
    assert "retrying" in run.stderr  # -v says why it waited
    assert len(hostile.seen("index", f"/{case}/")) == 2
    if run.json_mode:
        assert [v["version"] for v in run.document["versions"]] == ["1.0"]
    else:
        assert run.stdout.split("\t")[0] == "1.0"
    record("versions", case, run)


def test_redirect_loop(cglib: Cglib, hostile: HostileIndex) -> None:
    run = cglib("versions", "loop")
    message = expect_failure(run, 6, names=f"127.0.0.1:{hostile.port}/{cglib.fmt}/simple/loop")
    assert "redirect" in message
    assert len(hostile.seen("index")) <= 25
    record("versions", "loop", run)


def test_stalled_response_times_out(cglib: Cglib, hostile: HostileIndex) -> None:
    # CGLIB_TIMEOUT=1, one retry: two attempts of about a second each.
    run = cglib("versions", "stall", creds="url", env={"CGLIB_RETRIES": "1"}, limit=8)
    message = expect_failure(run, 6, names=page_url(hostile, cglib.fmt, "stall"))
    assert "timed out" in message
    assert "CGLIB_TIMEOUT" in message  # says what to do
    # A body that stalls is not necessarily tried again, but never more than allowed.
    assert 1 <= len(hostile.seen("index", "/stall/")) <= 2
    record("versions", "stall", run)


@pytest.mark.parametrize(
    ("case", "html_code", "json_code"),
    [
        # The HTML parser reads past broken tags; broken JSON is refused.
        ("malformed", 0, 6),
        # 100,000 levels of tags are just text to skip; JSON that deep is refused.
        ("nested", 0, 6),
        ("huge", 0, 0),
    ],
)
def test_bad_page_shapes(
    cglib: Cglib, hostile: HostileIndex, case: str, html_code: int, json_code: int
) -> None:
    code = html_code if cglib.fmt == "html" else json_code
    run = cglib("versions", case, limit=20)
    if code:
        expect_failure(run, code, names=page_url(hostile, cglib.fmt, case))
    else:
        assert run.code == 0, run.stderr
        versions = (
            [v["version"] for v in run.document["versions"]]
            if run.json_mode
            else [line.split("\t")[0] for line in run.stdout.splitlines()]
        )
        assert versions == ["1.0"]
    record("versions", case, run)


def test_invalid_versions_are_skipped(cglib: Cglib) -> None:
    run = cglib("versions", "mixed-versions", "--files")
    assert run.code == 0, run.stderr
    if run.json_mode:
        versions = [v["version"] for v in run.document["versions"]]
    else:
        versions = [line.split("\t")[0] for line in run.stdout.splitlines()]
        assert "skipped 5 link(s)" in run.stderr
    assert versions == ["2.0", "1.0"]
    record("versions", "mixed-versions", run)


def test_all_yanked_project_lists_its_yanked_versions(cglib: Cglib) -> None:
    run = cglib("versions", "all-yanked")
    assert run.code == 0, run.stderr
    if run.json_mode:
        releases = run.document["versions"]
        assert [(r["version"], r["yanked"]) for r in releases] == [("2.0", True), ("1.0", True)]
        assert releases[0]["files"][0]["yanked_reason"] == "broken build"
    else:
        assert [line.split("\t")[0] for line in run.stdout.splitlines()] == ["2.0", "1.0"]
        assert "yanked: broken build" in run.stdout
    record("versions", "all-yanked", run)


@pytest.mark.parametrize("case", ["evil-dotdot", "evil-absolute", "evil-backslash"])
def test_path_like_file_names_are_not_listed(cglib: Cglib, case: str) -> None:
    run = cglib("versions", case)
    assert run.code == 0, run.stderr
    if run.json_mode:
        assert run.document["versions"] == []
    else:
        assert run.stdout == ""
        assert "no final versions" in run.stderr
    record("versions", case, run)


@pytest.mark.parametrize("case", ["evil-nul", "evil-control"])
def test_control_characters_never_reach_the_terminal(
    hostile: HostileIndex, run_cglib: Any, case: str
) -> None:
    # Plain output only: --json escapes control characters by construction.
    run = Cglib(hostile, run_cglib, "html")("versions", case, "--files")
    assert run.code == 0, run.stderr
    for char in ("\x00", "\x1b", "\r"):
        assert char not in run.stdout
        assert char not in run.stderr
    assert len(run.stdout.splitlines()) <= 1, "one file, at most one line"


def test_control_characters_are_escaped_in_json(hostile: HostileIndex, run_cglib: Any) -> None:
    run = Cglib(hostile, run_cglib, "json")("versions", "evil-control", "--files")
    assert run.code == 0, run.stderr
    assert "\x1b" not in run.stdout
    assert "\r" not in run.stdout


def test_redirect_to_another_host_drops_the_credentials(
    cglib: Cglib, hostile: HostileIndex
) -> None:
    run = cglib("versions", "offhost", "--files")
    assert run.code == 0, run.stderr
    first = hostile.seen("index", "/offhost/")
    assert first
    assert "Authorization" in first[0].headers
    other = hostile.seen("other")
    assert other, "the redirect was not followed"
    for request in other:
        assert "Authorization" not in request.headers
        assert TOKEN not in json.dumps(request.headers)
    assert "offhost-1.0-py3-none-any.whl" in run.stdout
    record("versions", "offhost (page)", run)


# ---------------------------------------------------------------------------
# Files: `cglib download`


@dataclass
class Place:
    """A download directory nested inside a watched tree."""

    root: Path
    dest: Path
    cwd: Path

    def outside(self) -> dict[str, int]:
        return snapshot(self.root, exclude=self.dest)

    def inside(self) -> dict[str, int]:
        return snapshot(self.dest) if self.dest.exists() else {}


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Place:
    root = tmp_path / "watched"
    dest = root / "a" / "b" / "dest"
    cwd = root / "cwd"
    cwd.mkdir(parents=True)
    (root / "a" / "keep.txt").parent.mkdir(parents=True, exist_ok=True)
    (root / "a" / "keep.txt").write_text("untouched")
    monkeypatch.chdir(cwd)  # the subprocess runs here: a relative write would show
    return Place(root, dest, cwd)


def download(cglib: Cglib, place: Place, *reqs: str, **kw: Any) -> tuple[Run, bool]:
    """Run ``cglib download REQS -d DEST``; return the run and whether any
    file appeared outside DEST."""
    before = place.outside()
    run = cglib("download", "--no-deps", *reqs, "-d", str(place.dest), **kw)
    stray = place.outside() != before
    return run, stray


def dist_sha(hostile: HostileIndex, project: str, filename: str) -> str:
    dist = hostile.dist(project, filename)
    assert dist is not None
    return dist.sha256


def wheel_name(project: str, version: str = "1.0") -> str:
    return f"{project.replace('-', '_')}-{version}-py3-none-any.whl"


def expect_saved(
    run: Run, place: Place, hostile: HostileIndex, project: str, filename: str
) -> None:
    assert run.code == 0, run.stderr
    final = place.dest / filename
    assert final.is_file()
    assert hashlib.sha256(final.read_bytes()).hexdigest() == dist_sha(hostile, project, filename)
    assert sorted(place.inside()) == [filename], "only the final file is left"
    if run.json_mode:
        files = run.document["files"]
        assert [f["filename"] for f in files] == [filename]
        assert files[0]["status"] == "downloaded"
        assert files[0]["sha256"] == dist_sha(hostile, project, filename)
        assert Path(files[0]["path"]).resolve() == final.resolve()
    else:
        assert [Path(line).resolve() for line in run.stdout.splitlines()] == [final.resolve()]


def test_download_good(cglib: Cglib, hostile: HostileIndex, place: Place) -> None:
    run, stray = download(cglib, place, "good")
    assert not stray
    expect_saved(run, place, hostile, "good", wheel_name("good"))
    record("download", "good", run, stray)


def test_download_wrong_sha256(cglib: Cglib, hostile: HostileIndex, place: Place) -> None:
    run, stray = download(cglib, place, "wrong-hash", creds="url")
    message = expect_failure(run, 7, names=f"127.0.0.1:{hostile.port}/files/wrong-hash/")
    assert "sha256" in message.lower() or "hash" in message.lower()
    assert not stray
    assert place.inside() == {}, "no final file and no .part after a hash mismatch"
    record("download", "wrong-hash", run, stray)


def test_download_truncated_body(cglib: Cglib, hostile: HostileIndex, place: Place) -> None:
    run, stray = download(cglib, place, "short-body", limit=10)
    expect_failure(run, 7, names=f"127.0.0.1:{hostile.port}/files/short-body/")
    assert not stray
    assert not (place.dest / wheel_name("short-body")).exists()
    # Retries are bounded.
    assert len(hostile.seen("index", "/files/short-body/")) <= 1 + int(FAST_ENV["CGLIB_RETRIES"])
    record("download", "short-body", run, stray)


@pytest.mark.parametrize("reason", POLICY_REASONS)
def test_download_withheld_by_policy(
    cglib: Cglib, hostile: HostileIndex, place: Place, reason: str
) -> None:
    project = policy_project(reason)
    run, stray = download(cglib, place, project)
    message = expect_failure(run, 8, names=f"127.0.0.1:{hostile.port}/files/{project}/")
    assert reason in message
    if run.json_mode:
        assert run.error["reason"] == reason
    assert not stray
    assert place.inside() == {}
    record("download", f"409 {reason}", run, stray)


@pytest.mark.parametrize("case", ["file-429", "file-500"])
def test_download_transient_failure_then_success(
    cglib: Cglib, hostile: HostileIndex, place: Place, case: str
) -> None:
    run, stray = download(cglib, place, case, limit=8)
    assert not stray
    expect_saved(run, place, hostile, case, wheel_name(case))
    assert len(hostile.seen("index", f"/files/{case}/")) == 2
    record("download", case, run, stray)


def test_download_503_forever(cglib: Cglib, hostile: HostileIndex, place: Place) -> None:
    run, stray = download(cglib, place, "file-503", limit=8)
    expect_failure(run, 6, names=f"127.0.0.1:{hostile.port}/files/file-503/")
    assert len(hostile.seen("index", "/files/file-503/")) == 1 + int(FAST_ENV["CGLIB_RETRIES"])
    assert not stray
    assert not (place.dest / wheel_name("file-503")).exists()
    record("download", "file-503", run, stray)


def test_download_stalled_body(cglib: Cglib, hostile: HostileIndex, place: Place) -> None:
    run, stray = download(cglib, place, "file-stall", env={"CGLIB_RETRIES": "1"}, limit=10)
    message = expect_failure(run, 6, names=f"127.0.0.1:{hostile.port}/files/file-stall/")
    assert "timed out" in message
    assert not stray
    assert not (place.dest / wheel_name("file-stall")).exists()
    record("download", "file-stall", run, stray)


@pytest.mark.parametrize(
    ("case", "code"),
    [("auth-401", 4), ("auth-403", 4), ("login-page", 6), ("down-503", 6), ("loop", 6)],
)
def test_download_page_failures(
    cglib: Cglib, hostile: HostileIndex, place: Place, case: str, code: int
) -> None:
    run, stray = download(cglib, place, case, creds="url", limit=8)
    expect_failure(run, code, names=f"127.0.0.1:{hostile.port}/{cglib.fmt}/simple/")
    assert not stray
    assert place.inside() == {}
    record("download", case, run, stray)


def test_download_all_yanked(cglib: Cglib, hostile: HostileIndex, place: Place) -> None:
    run, stray = download(cglib, place, "all-yanked")
    message = expect_failure(run, 5, names="all-yanked")
    assert "yank" in message
    assert not stray
    assert place.inside() == {}
    record("download", "all-yanked", run, stray)


def test_download_pinned_yanked_version(cglib: Cglib, hostile: HostileIndex, place: Place) -> None:
    run, stray = download(cglib, place, "all-yanked==1.0")
    assert not stray
    expect_saved(run, place, hostile, "all-yanked", wheel_name("all-yanked"))
    record("download", "all-yanked==1.0", run, stray)


def test_download_skips_invalid_versions(cglib: Cglib, hostile: HostileIndex, place: Place) -> None:
    run, stray = download(cglib, place, "mixed-versions")
    assert not stray
    expect_saved(run, place, hostile, "mixed-versions", wheel_name("mixed-versions", "2.0"))
    record("download", "mixed-versions", run, stray)


@pytest.mark.parametrize("case", sorted(EVIL_NAMES))
def test_download_hostile_file_names(
    cglib: Cglib, hostile: HostileIndex, place: Place, case: str
) -> None:
    run, stray = download(cglib, place, case)
    # Refused as an unsafe name (7), or never offered because it is not a
    # wheel name at all (5): either way, nothing is written.
    assert run.code in (5, 7), run.stderr
    expect_failure(run, run.code, names=case if run.code == 5 else "")
    assert not stray
    assert place.inside() == {}
    assert not Path("/var/evil_absolute-1.0-py3-none-any.whl").exists()
    record("download", case, run, stray)


def test_download_hostile_names_beside_an_honest_file(
    cglib: Cglib, hostile: HostileIndex, place: Place
) -> None:
    run, stray = download(cglib, place, "evil-mixed")
    assert not stray
    expect_saved(run, place, hostile, "evil-mixed", wheel_name("evil-mixed"))
    record("download", "evil-mixed", run, stray)


def test_download_all_files_refuses_hostile_names(
    cglib: Cglib, hostile: HostileIndex, place: Place
) -> None:
    run, stray = download(cglib, place, "evil-mixed", "--all-files")
    # Hostile names are either dropped by the parser (the honest file alone is
    # saved) or refused as unsafe (exit 7): never written.
    assert run.code in (0, 7), run.stderr
    if run.code == 7:
        expect_failure(run, 7, names="evil_mixed")
        assert set(place.inside()) <= {wheel_name("evil-mixed")}
    else:
        expect_saved(run, place, hostile, "evil-mixed", wheel_name("evil-mixed"))
    assert not stray
    record("download", "evil-mixed --all-files", run, stray)


def test_download_redirect_to_store_drops_the_credentials(
    cglib: Cglib, hostile: HostileIndex, place: Place
) -> None:
    run, stray = download(cglib, place, "offhost-file")
    assert not stray
    expect_saved(run, place, hostile, "offhost-file", wheel_name("offhost-file"))
    store = hostile.seen("other", "/obj/")
    assert store
    assert all("Authorization" not in r.headers for r in store)
    assert "X-Signature" not in run.stderr, "pre-signed query strings are not logged"
    record("download", "offhost-file", run, stray)


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (("good==",), 2),
        (("good>=1,<",), 2),
        (("../../etc/passwd",), 2),
        (("good", "--jobs", "0"), 2),
    ],
)
def test_download_user_mistakes(
    cglib: Cglib, hostile: HostileIndex, place: Place, argv: tuple[str, ...], code: int
) -> None:
    run, stray = download(cglib, place, *argv)
    assert run.code == code, run.stderr
    assert "Traceback" not in run.stderr
    assert not stray
    assert place.inside() == {}
    record("download", " ".join(argv), run, stray)


def test_download_into_a_file(cglib: Cglib, hostile: HostileIndex, place: Place) -> None:
    place.dest.parent.mkdir(parents=True, exist_ok=True)
    place.dest.write_text("I am a file")
    before = place.outside()
    run = cglib("download", "good", "-d", str(place.dest))
    message = expect_failure(run, 9, names=str(place.dest))  # local file system
    assert "directory" in message
    assert place.dest.read_text() == "I am a file"
    assert place.outside() == before
    record("download", "-d is a file", run)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--python-version", "3.99999999999999999999"),
        ("--platform", "manylinux_2_99999_x86_64"),
    ],
)
def test_absurd_targets_fail_fast(
    hostile: HostileIndex, run_cglib: Any, place: Place, option: str, value: str
) -> None:
    import subprocess

    try:
        result = run_cglib(
            "download",
            "good",
            option,
            value,
            "-d",
            str(place.dest),
            "--index-url",
            hostile.url("html"),
            env=credentials_env(),
            timeout=4,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"cglib hung on an absurd {option}")
    assert result.exit_code in (0, 2, 5), result.stderr
    assert "Traceback" not in result.stderr
    assert place.outside() == {"a/keep.txt": 9}


# ---------------------------------------------------------------------------
# Issue 14: secrets and hosts, waits, the local file system


def authorizations(hostile: HostileIndex) -> dict[str, list[str]]:
    """The Authorization headers each host saw (server -> values, "" for none)."""
    seen: dict[str, list[str]] = {}
    for r in hostile.seen():
        seen.setdefault(r.server, []).append(r.headers.get("Authorization", ""))
    return seen


def test_unencoded_credentials_in_the_url_are_refused_without_echo(
    hostile: HostileIndex, run_cglib: Any
) -> None:
    for fmt in FORMATS:
        hostile.reset()
        url = (
            f"http://{USERNAME}:{TOKEN[:8]}@{HOST}:{hostile.other_port}/"
            f"{TOKEN[8:]}@{HOST}:{hostile.port}/{fmt}/simple/"
        )
        result = run_cglib("versions", "good", "--index-url", url, "-v", env=credentials_env())
        both = result.stdout + result.stderr
        assert result.exit_code == 2, result.stderr
        assert len(error_lines(result.stderr)) == 1
        assert "Traceback" not in both
        for part in (TOKEN[:8], TOKEN[8:], str(hostile.other_port), USERNAME):
            assert part not in both
        assert hostile.seen() == [], "no request to either host"


def test_the_chainguard_pair_is_not_sent_to_another_index(
    cglib: Cglib, hostile: HostileIndex
) -> None:
    env = {
        "CGLIB_USERNAME": "",
        "CGLIB_PASSWORD": "",
        "CHAINGUARD_PYTHON_IDENTITY_ID": USERNAME,
        "CHAINGUARD_PYTHON_TOKEN": TOKEN,
    }
    run = cglib("versions", "good", creds="none", env=env)
    expect_failure(run, 3, names=page_url(hostile, cglib.fmt, "good"))
    assert "CHAINGUARD_PYTHON_IDENTITY_ID" in run.stderr  # the -v note says why
    seen = authorizations(hostile)
    assert seen["index"]
    assert all(value == "" for value in seen["index"])
    record("versions", "chainguard pair elsewhere", run)


def test_page_retries_are_said_without_verbose(hostile: HostileIndex, run_cglib: Any) -> None:
    result = run_cglib(
        "versions", "down-503", "--index-url", hostile.url("html"), env=credentials_env()
    )
    assert result.exit_code == 6, result.stderr
    waits = [line for line in result.stderr.splitlines() if line.startswith("warning: retrying")]
    assert len(waits) == int(FAST_ENV["CGLIB_RETRIES"]), result.stderr
    assert "503" in waits[0]
    assert "(1/2)" in waits[0]


def test_download_a_stall_without_progress_gives_up_early(
    cglib: Cglib, hostile: HostileIndex, place: Place
) -> None:
    run, stray = download(cglib, place, "file-stall", env={"CGLIB_RETRIES": "5"}, limit=12)
    expect_failure(run, 6, names=f"127.0.0.1:{hostile.port}/files/file-stall/")
    # One try that got 100 bytes, then two that got no further: three, not six.
    assert len(hostile.seen("index", "/files/file-stall/")) == 3
    waits = [line for line in run.stderr.splitlines() if "retrying" in line]
    assert len(waits) == 2, run.stderr
    assert all("file_stall-1.0-py3-none-any.whl" in line for line in waits)
    assert not stray
    assert set(place.inside()) == {
        wheel_name("file-stall") + ".part",
        wheel_name("file-stall") + ".part.json",
    }, "the .part is kept for the next run, and no lock"
    record("download", "file-stall, no progress", run, stray)


def test_download_duplicate_names_pick_the_same_file(
    cglib: Cglib, hostile: HostileIndex, place: Place
) -> None:
    name = wheel_name("dup-names")
    first = hostile.projects["dup-names"][0]
    for extra in ((), ("--all-files",)):
        if place.dest.exists():
            for child in place.dest.iterdir():
                child.unlink()
        run, stray = download(cglib, place, "dup-names", *extra)
        assert run.code == 0, run.stderr
        assert "twice with different hashes" in run.stderr
        assert sorted(place.inside()) == [name]
        assert hashlib.sha256((place.dest / name).read_bytes()).hexdigest() == first.sha256
        assert not stray
        record("download", f"dup-names {' '.join(extra)}".strip(), run, stray)


def test_download_a_206_of_the_whole_file_is_taken(
    cglib: Cglib, hostile: HostileIndex, place: Place
) -> None:
    run, stray = download(cglib, place, "whole-206")
    assert not stray
    expect_saved(run, place, hostile, "whole-206", wheel_name("whole-206"))
    assert [r.headers.get("Range") for r in hostile.seen("index", "/files/whole-206/")] == [None]
    record("download", "whole-206", run, stray)


def test_download_resumes_with_a_latin1_etag(
    cglib: Cglib, hostile: HostileIndex, place: Place
) -> None:
    run, stray = download(cglib, place, "etag-latin1", limit=12)
    assert not stray
    expect_saved(run, place, hostile, "etag-latin1", wheel_name("etag-latin1"))
    tries = hostile.seen("index", "/files/etag-latin1/")
    assert len(tries) == 2
    assert tries[1].headers.get("If-Range") == ETAG_LATIN1
    assert (tries[1].headers.get("Range") or "").startswith("bytes=")
    record("download", "etag-latin1", run, stray)


def test_download_a_broken_part_json_is_not_fatal(
    cglib: Cglib, hostile: HostileIndex, place: Place
) -> None:
    place.dest.mkdir(parents=True)
    name = wheel_name("good")
    (place.dest / f"{name}.part").write_bytes(b"x" * 10)
    (place.dest / f"{name}.part.json").write_text('{"sha256": 1, "validator": "\u20ac"}')
    run, stray = download(cglib, place, "good")
    assert not stray
    expect_saved(run, place, hostile, "good", name)
    assert ".part.json cannot be used" in run.stderr
    record("download", "unusable .part.json", run, stray)


@pytest.mark.parametrize("link", ["outside", "loop"])
def test_download_a_symlink_at_the_final_name_is_a_local_error(
    cglib: Cglib, hostile: HostileIndex, place: Place, link: str
) -> None:
    place.dest.mkdir(parents=True)
    name = wheel_name("good")
    final = place.dest / name
    if link == "outside":
        final.symlink_to(place.root / "a" / "keep.txt")
    else:
        final.symlink_to(final)
    run, stray = download(cglib, place, "good")
    message = expect_failure(run, 9, names=str(final))
    assert "symbolic link" in message
    assert not stray
    assert (place.root / "a" / "keep.txt").read_text() == "untouched"
    assert final.is_symlink()
    assert sorted(place.inside()) == [name]
    assert hostile.seen("index", "/files/") == [], "nothing fetched"
    record("download", f"symlink {link} at the final name", run, stray)


def test_download_disk_full_is_exit_9_and_removes_the_part(
    hostile: HostileIndex, place: Place, isolate: Path
) -> None:
    """A file-size limit in the child (EFBIG, as a full disk gives ENOSPC)."""
    import resource
    import signal
    import subprocess

    from support.isolation import isolated_env
    from support.servers import cglib_executable

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))

    hostile.slow_rate = 0
    try:
        for fmt, deps in [(fmt, deps) for fmt in FORMATS for deps in (False, True)]:
            hostile.reset()
            argv = [cglib_executable(), "download", "slow", "-d", str(place.dest)]
            if not deps:
                argv.append("--no-deps")
            # With dependencies the whole file is fetched to read its metadata
            # (the hostile index offers no PEP 658 file and ignores Range): that
            # write, into a spool directory, fails first.
            done = subprocess.run(
                [*argv, "--index-url", hostile.url(fmt)],
                capture_output=True,
                text=True,
                env={**isolated_env(isolate), **credentials_env()},
                timeout=30,
                preexec_fn=limit,
            )
            assert done.returncode == 9, done.stderr
            lines = error_lines(done.stderr)
            assert len(lines) == 1, done.stderr
            assert "no space left" in lines[0]
            if not deps:
                assert str(place.dest) in lines[0]
            assert "Traceback" not in done.stderr
            assert TOKEN not in done.stdout + done.stderr
            assert place.inside() == {}, "no .part keeps the disk full"
            assert len(hostile.seen("index", "/files/slow/")) == 1
    finally:
        hostile.slow_rate = 2 * 1024 * 1024
