"""`cglib login` / `logout` / `auth status` against a real pypiserver, as
subprocesses, with a real file keyring (keyrings.alt) in the test's own HOME."""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.integration

KEYRING = {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}


def login(run_cglib, pypi, password, *extra):  # type: ignore[no-untyped-def]
    return run_cglib(
        "login",
        "--username",
        pypi.username,
        "--password-stdin",
        "--index-url",
        pypi.url,
        *extra,
        env=KEYRING,
        input=password + "\n",
    )


def test_login_then_versions_with_no_env_credentials(pypi, run_cglib, isolate):
    result = login(run_cglib, pypi, pypi.password)
    assert result.exit_code == 0, result.stderr
    netloc = urlsplit(pypi.url).netloc
    assert f"service '{netloc}'" in result.stderr
    assert "PlaintextKeyring" in result.stderr

    versions = run_cglib("versions", "six", "--index-url", pypi.url, "-v", env=KEYRING)
    assert versions.exit_code == 0, versions.stderr
    assert [line.split("\t")[0] for line in versions.stdout.splitlines()] == ["1.17.0", "1.16.0"]
    assert "credentials: keyring (user ci-user)" in versions.stderr

    status = run_cglib("auth", "status", "--index-url", pypi.url, "--json", env=KEYRING)
    assert status.exit_code == 0, status.stderr
    assert json.loads(status.stdout) == {
        "index": pypi.url,
        "source": "keyring",
        "username": pypi.username,
        "accepted": True,
    }
    for result in (versions, status):
        assert pypi.password not in result.stdout + result.stderr


def test_stored_where_the_keyring_cli_finds_it(pypi, run_cglib, isolate):
    """`keyring get HOST:PORT USER` is what uv's subprocess provider runs; pip
    asks the keyring module for the same network location."""
    assert login(run_cglib, pypi, pypi.password).exit_code == 0
    from conftest import isolated_env

    env = isolated_env(isolate)
    env.update(KEYRING)
    netloc = urlsplit(pypi.url).netloc
    done = subprocess.run(
        [sys.executable, "-m", "keyring", "get", netloc, pypi.username],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == pypi.password


def test_wrong_token_exit_4_and_nothing_stored(pypi, run_cglib):
    result = login(run_cglib, pypi, "wrong-sentinel-token", "-v")
    assert result.exit_code == 4
    assert "nothing was stored" in result.stderr
    assert "wrong-sentinel-token" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    status = run_cglib("auth", "status", "--index-url", pypi.url, "--json", env=KEYRING)
    assert status.exit_code == 3
    assert json.loads(status.stdout)["source"] == "none"


def test_logout_then_versions_needs_credentials(pypi, run_cglib):
    assert login(run_cglib, pypi, pypi.password).exit_code == 0
    result = run_cglib("logout", "--index-url", pypi.url, env=KEYRING)
    assert result.exit_code == 0, result.stderr
    assert "Removed the credentials of ci-user" in result.stderr
    versions = run_cglib("versions", "six", "--index-url", pypi.url, env=KEYRING)
    assert versions.exit_code == 3


def test_login_without_a_terminal_is_exit_3_with_a_hint(pypi, run_cglib):
    result = run_cglib("login", "--username", pypi.username, "--index-url", pypi.url, env=KEYRING)
    assert result.exit_code == 3
    assert "--password-stdin" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_netrc_in_home_is_used_and_loose_modes_warned(pypi, run_cglib, isolate):
    netrc = isolate / ".netrc"
    netrc.write_text(f"machine 127.0.0.1\n  login {pypi.username}\n  password {pypi.password}\n")
    netrc.chmod(0o600)
    result = run_cglib("versions", "six", "--index-url", pypi.url)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    netrc.chmod(0o644)
    result = run_cglib("versions", "six", "--index-url", pypi.url)
    assert result.exit_code == 0, result.stderr
    assert f"warning: netrc file {netrc} is readable by other users" in result.stderr
    assert pypi.password not in result.stdout + result.stderr
