"""Test isolation and shared fixtures.

Every test runs with its own HOME, XDG directories, no cglib/Chainguard
environment variables, no netrc and the null keyring backend, so the
developer's real credentials are never read or touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support.dists import make_sdist, make_wheel
from support.fakeindex import FORMS, FakeIndex
from support.isolation import isolated_env as isolated_env  # integration tests import it
from support.servers import PypiServer, cglib_executable, run_pypiserver

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def isolate(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give every test its own HOME and a clean environment."""
    home = tmp_path_factory.mktemp("home")
    env = isolated_env(home)
    for key in list(os.environ):
        if key not in env:
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return home


@pytest.fixture(params=FORMS)
def form(request: pytest.FixtureRequest) -> str:
    """Each page form a test runs over: PEP 503 HTML and PEP 691 JSON."""
    return str(request.param)


@pytest.fixture
def fake_index(form: str) -> FakeIndex:
    """An empty :class:`FakeIndex` at https://example.org/simple/, in each form."""
    return FakeIndex(form=form)


@pytest.fixture
def config_file(isolate: Path):  # type: ignore[no-untyped-def]
    """Write the user's config file (in the test's own XDG config dir)."""
    path = isolate / ".config" / "cglib" / "config.toml"

    def write(text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run cglib in-process: ``cli("versions", "six")`` -> Result."""
    from cglib.cli.main import run

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = run(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture(scope="session")
def packages_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Distributions served by the session's pypiserver."""
    packages = tmp_path_factory.mktemp("packages")
    for version in ("1.16.0", "1.17.0"):
        make_wheel(packages, "six", version, "py2.py3-none-any")
        make_sdist(packages, "six", version)
    make_wheel(packages, "six", "2.0.0rc1", "py3-none-any")
    make_wheel(
        packages, "zope.interface", "7.2", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"
    )
    make_sdist(packages, "zope.interface", "7.2")
    make_wheel(packages, "APIFlask", "2.3.0", "py3-none-any")
    make_wheel(packages, "APIFlask", "2.0.0+cgr.1", "py3-none-any")
    return packages


@pytest.fixture(scope="session")
def pypi(packages_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PypiServer]:
    """A real pypiserver on 127.0.0.1 with Basic auth on every action."""
    with run_pypiserver(packages_dir, tmp_path_factory.mktemp("pypiserver")) as server:
        yield server


@pytest.fixture
def run_cglib(isolate: Path):
    """Run the installed ``cglib`` as a subprocess, as a CI script would."""
    executable = cglib_executable()

    def invoke(
        *args: str,
        env: dict[str, str] | None = None,
        input: str | None = None,
        timeout: float = 60,
    ) -> Result:
        full_env = isolated_env(isolate)
        full_env.update(env or {})
        done = subprocess.run(
            [executable, *args],
            capture_output=True,
            text=True,
            env=full_env,
            input=input if input is not None else "",
            timeout=timeout,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return invoke


def assert_no_secret(secret: str, *texts: Sequence[str] | str) -> None:
    for text in texts:
        assert secret not in str(text), "a secret leaked into the output"
