"""Hostile limits: pages that never end or decode to a gigabyte, redirects to
``javascript:`` and friends.

Each case runs the installed ``cglib`` as a subprocess against the hostile
index of :mod:`support.hostile` (HTML and JSON pages), measures the child's
peak memory (``wait4``'s ``ru_maxrss``) and wall time, and checks the exit
code, the one-line message, no traceback, no secret, and the files left.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.hostile import (
    BAD_LOCATIONS,
    TOKEN,
    HostileIndex,
    credentials_env,
    error_lines,
    redirect_file_case,
    redirect_page_case,
    run_hostile_limits_index,
    snapshot,
)
from support.isolation import isolated_env
from support.servers import cglib_executable

pytestmark = pytest.mark.integration

FORMATS = ("html", "json")
#: The default page cap is 256 MB: a capped read must stay well under this.
PEAK_LIMIT_MB = 400


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileIndex]:
    with run_hostile_limits_index(tmp_path_factory.mktemp("limits")) as index:
        yield index


@pytest.fixture(autouse=True)
def _fresh(hostile: HostileIndex) -> None:
    hostile.reset()


@dataclass
class Measured:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float
    json_mode: bool

    @property
    def message(self) -> str:
        """The one error, as text (``message (hint)``)."""
        assert self.stdout.strip() == "", "nothing on stdout when failing"
        if self.json_mode:
            docs = [line for line in self.stderr.splitlines() if line.startswith('{"error"')]
            assert len(docs) == 1, self.stderr
            body: dict[str, Any] = json.loads(docs[0])["error"]
            assert body["code"] == self.code
            return str(body["message"]) + (f" ({body['hint']})" if body.get("hint") else "")
        lines = error_lines(self.stderr)
        assert len(lines) == 1, self.stderr
        assert self.stderr.rstrip().splitlines()[-1] == lines[0], "the error must come last"
        return lines[0][len("error: ") :]


#: Forks and runs argv[2:], writes the child's peak RSS (kB) to argv[1] and
#: exits with the child's status.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(
    home: Path, args: list[str], env: dict[str, str], *, limit: float, json_mode: bool
) -> Measured:
    """Run cglib; return its output, wall time and peak resident memory."""
    full_env = isolated_env(home)
    full_env.update(env)
    out, err = home / "stdout.txt", home / "stderr.txt"
    start = time.monotonic()
    usage_file = home / "rusage.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        # Through a small launcher that forks cglib itself: a child forked
        # straight from this (large) test process would count the test
        # process's memory in its own peak (Linux records the pre-exec peak).
        child = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(usage_file), cglib_executable(), *args],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=full_env,
        )
    try:
        child.wait(timeout=limit + 30)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        pytest.fail(f"cglib {' '.join(args)} still running after {limit + 30:.0f}s")
    seconds = time.monotonic() - start
    maxrss_kb = int(usage_file.read_text())
    run = Measured(
        code=child.returncode,
        stdout=out.read_text(errors="replace"),
        stderr=err.read_text(errors="replace"),
        seconds=seconds,
        peak_mb=maxrss_kb / 1024,  # kilobytes on Linux
        json_mode=json_mode,
    )
    both = run.stdout + run.stderr
    assert "Traceback" not in both, run.stderr
    assert TOKEN not in both, "a secret leaked into the output"
    assert seconds < limit, f"took {seconds:.1f}s"
    return run


@dataclass
class Cglib:
    hostile: HostileIndex
    home: Path
    fmt: str

    def __call__(
        self, *args: str, env: dict[str, str] | None = None, limit: float = 20
    ) -> Measured:
        json_mode = self.fmt == "json"
        argv = [*args, "--index-url", self.hostile.url(self.fmt), "-v"]
        if json_mode:
            argv.append("--json")
        return run_measured(
            self.home, argv, credentials_env(**(env or {})), limit=limit, json_mode=json_mode
        )


@pytest.fixture(params=FORMATS)
def cglib(request: pytest.FixtureRequest, hostile: HostileIndex, isolate: Path) -> Cglib:
    return Cglib(hostile, isolate, request.param)


def page_url(hostile: HostileIndex, fmt: str, project: str) -> str:
    return f"127.0.0.1:{hostile.port}/{fmt}/simple/{project}/"


# ---------------------------------------------------------------------------
# Page size


@pytest.mark.parametrize("case", ["gzip-bomb", "endless"])
def test_page_size_is_capped_by_default(cglib: Cglib, hostile: HostileIndex, case: str) -> None:
    # gzip-bomb: 1 MB on the wire, 1 GiB decoded; endless: chunked, never ends.
    run = cglib("versions", case, limit=60)
    assert run.code == 6, run.stderr
    message = run.message
    assert page_url(hostile, cglib.fmt, case) in message
    assert "larger than 268435456 bytes" in message
    assert "CGLIB_MAX_PAGE_BYTES" in message  # how to raise the cap
    assert run.peak_mb < PEAK_LIMIT_MB, f"peak memory {run.peak_mb:.0f} MB"
    # Not tried again: a second read would find the same page.
    assert len(hostile.seen("index", f"/{case}/")) == 1


@pytest.mark.parametrize("case", ["gzip-bomb", "endless", "huge"])
def test_page_size_cap_can_be_lowered(cglib: Cglib, hostile: HostileIndex, case: str) -> None:
    run = cglib("versions", case, env={"CGLIB_MAX_PAGE_BYTES": "5000000"}, limit=15)
    assert run.code == 6, run.stderr
    message = run.message
    assert page_url(hostile, cglib.fmt, case) in message
    assert "larger than 5000000 bytes" in message
    assert run.peak_mb < 150, f"peak memory {run.peak_mb:.0f} MB"


def test_a_page_under_the_cap_is_read(cglib: Cglib) -> None:
    run = cglib("versions", "good", env={"CGLIB_MAX_PAGE_BYTES": "100000"})
    assert run.code == 0, run.stderr


@pytest.mark.parametrize("value", ["lots", "0", "-5"])
def test_a_bad_page_cap_is_a_usage_error(cglib: Cglib, hostile: HostileIndex, value: str) -> None:
    run = cglib("versions", "good", env={"CGLIB_MAX_PAGE_BYTES": value})
    assert run.code == 2, run.stderr
    assert "CGLIB_MAX_PAGE_BYTES" in run.message
    assert hostile.seen("index") == []


# ---------------------------------------------------------------------------
# Redirects to something that is not an http(s) URL


@pytest.mark.parametrize("kind", list(BAD_LOCATIONS))
def test_page_redirect_to_a_non_http_url(cglib: Cglib, hostile: HostileIndex, kind: str) -> None:
    project = redirect_page_case(kind)
    run = cglib("versions", project)
    assert run.code == 6, run.stderr
    message = run.message
    assert page_url(hostile, cglib.fmt, project) in message
    assert "redirect" in message
    assert BAD_LOCATIONS[kind] not in run.stderr  # the target itself is not echoed
    assert len(hostile.seen("index", f"/{project}/")) == 1  # not retried


@pytest.mark.parametrize("kind", list(BAD_LOCATIONS))
def test_file_redirect_to_a_non_http_url(
    cglib: Cglib, hostile: HostileIndex, tmp_path: Path, kind: str
) -> None:
    project = redirect_file_case(kind)
    dest = tmp_path / "dest"
    run = cglib("download", "--no-deps", project, "-d", str(dest))
    assert run.code == 6, run.stderr
    message = run.message
    assert f"127.0.0.1:{hostile.port}/files/{project}/" in message
    assert "redirect" in message
    assert BAD_LOCATIONS[kind] not in run.stderr
    assert not dest.exists() or snapshot(dest) == {}, "no file and no .part left"
    assert len(hostile.seen("index", f"/files/{project}/")) == 1


# -- issue 14: credentials never over plain http to a non-loopback host ------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("where", ["env", "url"])
def test_credentials_over_plain_http_to_another_host_are_refused(
    tmp_path: Path, fmt: str, where: str
) -> None:
    """A non-loopback http index (a name that resolves nowhere offline) with
    credentials: exit 3 naming the flag, before any connection,
    so at once."""
    url = f"http://index.example.org:9/{fmt}/simple/"
    if where == "url":
        url = url.replace("http://", f"http://user:{TOKEN}@")
    json_mode = fmt == "json"
    argv = ["versions", "good", "--index-url", url, "-v"] + (["--json"] if json_mode else [])
    run = run_measured(tmp_path, argv, credentials_env(), limit=5, json_mode=json_mode)
    assert run.code == 3, run.stderr
    message = run.message
    assert "--allow-insecure-http" in message
    assert "index.example.org" in message
    assert "connect" not in run.stderr.lower(), "no connection was tried"
