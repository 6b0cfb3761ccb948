"""``cglib configure pip|uv|poetry|netrc|env`` (cglib.cli.configure), and the real tools
reading what it prints; the snippets themselves are in test_toolconfig.py.

The integration tests run a pypiserver whose user name has a ``/`` (as
Chainguard's ``ORGID/TOKENID``) and whose password has characters that must
be percent-encoded in a URL, then let the real pip (and uv, from the test
extras) read each printed snippet and fetch a project that exists only there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cglib.toolconfig import index_name_for, uv_env_name
from support.dists import make_wheel
from support.isolation import isolated_env
from support.servers import PypiServer, cglib_executable, run_pypiserver

CG = "https://libraries.cgr.dev/python/simple/"
USER = "0123abcd/4567ef"  # the shape of a Chainguard pull-token identity
SECRET = "s3cr:et@to/ken%x"  # ':', '@', '/' and '%' must be encoded inside a URL
PROBE = "cglib-configure-probe"


# -- the command ------------------------------------------------------------------------------


def test_stdout_is_the_snippet_alone_and_notes_go_to_stderr(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("configure", "pip", "--keyring-provider", "import")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"# cglib configure pip: {CG}\n[global]\nindex-url = {CG}\nkeyring-provider = import\n"
    )
    assert "note: usually goes in" in result.stderr
    assert "pip.conf" in result.stderr


def test_quiet_drops_the_notes(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("configure", "uv", "-q")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "[[index]]" in result.stdout


def test_json_document(cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CGLIB_USERNAME", USER)
    monkeypatch.setenv("CGLIB_PASSWORD", SECRET)
    result = cli("configure", "uv", "--index-url", "https://example.org/simple/", "--json", "-v")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["tool"] == "uv"
    assert document["index"] == "https://example.org/simple/"
    assert document["commands"] == []
    assert document["env"] == {}
    (file,) = document["files"]
    assert file["path"].endswith(os.path.join("uv", "uv.toml"))
    assert "[[index]]" in file["content"]
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("tool", ["pip", "uv", "poetry", "env"])
def test_no_secret_without_with_credentials(cli, monkeypatch, tool: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CHAINGUARD_PYTHON_IDENTITY_ID", USER)
    monkeypatch.setenv("CHAINGUARD_PYTHON_TOKEN", "eyJhbGciOi.payload.signature")
    for extra in ((), ("--json",)):
        result = cli("configure", tool, "-vv", *extra)
        assert result.exit_code == 0, result.stderr
        assert "eyJhbGciOi" not in result.stdout + result.stderr


def test_with_credentials_writes_them_to_stdout_only(cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    token = "eyJhbGciOi.payload.signature"
    monkeypatch.setenv("CHAINGUARD_PYTHON_IDENTITY_ID", USER)
    monkeypatch.setenv("CHAINGUARD_PYTHON_TOKEN", token)
    result = cli("configure", "netrc", "--with-credentials", "-vv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"machine libraries.cgr.dev\n  login {USER}\n  password {token}\n"
    assert token not in result.stderr
    document = json.loads(cli("configure", "env", "--with-credentials", "--json").stdout)
    assert document["env"]["CHAINGUARD_PYTHON_TOKEN"] == token
    assert document["env"]["PIP_INDEX_URL"] == (
        f"https://0123abcd%2F4567ef:{token}@libraries.cgr.dev/python/simple/"
    )


def test_with_credentials_and_none_found_is_exit_3(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("configure", "pip", "--with-credentials")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "no credentials found" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("configure", "pipenv"), "unknown tool 'pipenv'"),
        (("configure", "netrc"), "nothing to reference"),
        (("configure", "pip", "--keyring-provider", "auto"), "unknown keyring provider"),
        (("configure", "uv", "--name", "bad name"), "is not usable"),
    ],
)
def test_usage_errors(cli, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr


# -- the real tools against a pypiserver ---------------------------------------------------------------

# A keyring backend kept in a JSON file, so that cglib (storing) and pip or the
# keyring command (reading) share it across processes.  Like Secret Service and
# Windows, it finds an entry without the user name.
FILE_KEYRING = """
import json, os
from keyring.backend import KeyringBackend
from keyring.credentials import SimpleCredential

class FileKeyring(KeyringBackend):
    priority = 1

    def _load(self):
        try:
            with open(os.environ["TEST_KEYRING_FILE"]) as f:
                return json.load(f)
        except FileNotFoundError:
            return {}

    def get_password(self, service, username):
        return self._load().get(service, {}).get(username)

    def set_password(self, service, username, password):
        data = self._load()
        data.setdefault(service, {})[username] = password
        with open(os.environ["TEST_KEYRING_FILE"], "w") as f:
            json.dump(data, f)

    def delete_password(self, service, username):
        data = self._load()
        data.get(service, {}).pop(username, None)
        with open(os.environ["TEST_KEYRING_FILE"], "w") as f:
            json.dump(data, f)

    def get_credential(self, service, username):
        entries = self._load().get(service, {})
        if username is None:
            for user, password in entries.items():
                if user != service:
                    return SimpleCredential(user, password)
            return None
        password = entries.get(username)
        return SimpleCredential(username, password) if password is not None else None
"""


@pytest.fixture(scope="module")
def slashed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PypiServer]:
    """A pypiserver whose user name has a '/' and whose password needs encoding."""
    packages = tmp_path_factory.mktemp("configure-packages")
    make_wheel(packages, PROBE, "1.0", "py3-none-any")
    workdir = tmp_path_factory.mktemp("configure-server")
    with run_pypiserver(packages, workdir, username=USER, password=SECRET) as server:
        yield server


@pytest.fixture
def tool_env(isolate: Path, tmp_path: Path) -> dict[str, str]:
    """An environment for pip, uv and cglib: isolated, with none of the machine's
    PIP_* / UV_* settings, and the file keyring above available."""
    (tmp_path / "kr").mkdir()
    (tmp_path / "kr" / "file_keyring.py").write_text(FILE_KEYRING)
    env = isolated_env(isolate, also_prefixes=("PIP_", "UV_"))
    env.update(
        PYTHONPATH=str(tmp_path / "kr"),
        TEST_KEYRING_FILE=str(tmp_path / "keyring.json"),
        UV_CACHE_DIR=str(tmp_path / "uv-cache"),
        PIP_NO_CACHE_DIR="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def _cglib(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [cglib_executable(), *args], capture_output=True, text=True, env=env, input=stdin
    )
    assert done.returncode == 0, done.stderr
    return done


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _pip_download(env: dict[str, str], dest: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-input",
            "-d",
            str(dest),
            PROBE,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _assert_probe_from(
    server: PypiServer, dest: Path, done: subprocess.CompletedProcess[str]
) -> None:
    assert done.returncode == 0, done.stdout + done.stderr
    (saved,) = dest.iterdir()
    original = server.packages / saved.name
    digest = hashlib.sha256
    assert digest(saved.read_bytes()).digest() == digest(original.read_bytes()).digest()
    assert SECRET not in done.stdout + done.stderr


def _login(env: dict[str, str], server: PypiServer) -> None:
    _cglib(
        env,
        "login",
        "--index-url",
        server.url,
        "--username",
        USER,
        "--password-stdin",
        stdin=SECRET + "\n",
    )


# pip's secure-origin check parses a redacted copy of the URL in which the
# user name is quoted with '/' left raw, so over plain http (this test server)
# it takes "0123abcd" for the host and ignores the index.  https indexes (every
# real one) are not checked that way; here pip is told to trust that "host".
PIP_HTTP_WORKAROUND = {"PIP_TRUSTED_HOST": USER.split("/")[0]}


@pytest.mark.integration
def test_pip_reads_pip_conf_with_credentials(slashed, tool_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**tool_env, "CGLIB_USERNAME": USER, "CGLIB_PASSWORD": SECRET}
    conf = _cglib(env, "configure", "pip", "--index-url", slashed.url, "--with-credentials")
    env = {
        **tool_env,
        "PIP_CONFIG_FILE": str(_write(tmp_path / "pip.conf", conf.stdout)),
        **PIP_HTTP_WORKAROUND,
    }
    _assert_probe_from(slashed, tmp_path / "dl", _pip_download(env, tmp_path / "dl"))


@pytest.mark.integration
@pytest.mark.parametrize("provider", ["import", "subprocess"])
def test_pip_reads_pip_conf_and_the_keyring_cglib_login_filled(  # type: ignore[no-untyped-def]
    slashed, tool_env, tmp_path, provider
) -> None:
    env = {**tool_env, "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring"}
    _login(env, slashed)
    conf = _cglib(
        env, "configure", "pip", "--index-url", slashed.url, "--keyring-provider", provider
    )
    assert SECRET not in conf.stdout
    env["PIP_CONFIG_FILE"] = str(_write(tmp_path / "pip.conf", conf.stdout))
    if provider == "subprocess":
        # pip runs a `keyring` command on PATH, but not one from its own environment
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        (bin_dir / "keyring").symlink_to(Path(sys.executable).with_name("keyring"))
        env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    _assert_probe_from(slashed, tmp_path / "dl", _pip_download(env, tmp_path / "dl"))
    # and without the keyring entry pip is refused: the snippet holds no secret
    env["TEST_KEYRING_FILE"] = str(tmp_path / "empty.json")
    assert _pip_download(env, tmp_path / "dl2").returncode != 0


@pytest.mark.integration
def test_pip_reads_the_netrc_entry(slashed, tool_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    entry = _cglib(
        {**tool_env, "CGLIB_USERNAME": USER, "CGLIB_PASSWORD": SECRET},
        "configure",
        "netrc",
        "--index-url",
        slashed.url,
        "--with-credentials",
    )
    assert entry.stdout == f"machine 127.0.0.1\n  login {USER}\n  password {SECRET}\n"
    netrc = _write(tmp_path / "netrc", entry.stdout)
    netrc.chmod(0o600)
    conf = _cglib(tool_env, "configure", "pip", "--index-url", slashed.url)
    env = {
        **tool_env,
        "NETRC": str(netrc),
        "PIP_CONFIG_FILE": str(_write(tmp_path / "pip.conf", conf.stdout)),
    }
    _assert_probe_from(slashed, tmp_path / "dl", _pip_download(env, tmp_path / "dl"))


@pytest.mark.integration
def test_pip_and_uv_read_the_env_snippet(slashed, tool_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    uv = _uv()
    snippet = _cglib(tool_env, "configure", "env", "--index-url", slashed.url).stdout
    script = _write(tmp_path / "env.sh", snippet)
    env = {**tool_env, "CGLIB_USERNAME": USER, "CGLIB_PASSWORD": SECRET, **PIP_HTTP_WORKAROUND}
    dest = tmp_path / "dl"
    pip = subprocess.run(
        [
            "sh",
            "-c",
            f'. "$1"; exec "$2" -m pip download --no-deps --no-input -d "$3" {PROBE}',
            "sh",
            str(script),
            sys.executable,
            str(dest),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    _assert_probe_from(slashed, dest, pip)
    done = subprocess.run(
        [
            "sh",
            "-c",
            '. "$1"; printf %s "$3" | exec "$2" pip compile --no-config -',
            "sh",
            str(script),
            uv,
            PROBE,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"{PROBE}==1.0" in done.stdout


def _uv() -> str:
    candidate = Path(sys.executable).with_name("uv")
    found = str(candidate) if candidate.exists() else shutil.which("uv")
    assert found, "uv is missing: install the test extras (pip install -e '.[test]')"
    return found


def _uv_compile(uv: str, config: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [uv, "pip", "compile", "--config-file", str(config), "--no-header", "-"],
        input=PROBE,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.integration
def test_uv_reads_uv_toml_with_its_index_variables(slashed, tool_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    uv = _uv()
    text = _cglib(tool_env, "configure", "uv", "--index-url", slashed.url).stdout
    config = _write(tmp_path / "uv.toml", text)
    name = uv_env_name(index_name_for(slashed.url))
    env = {
        **tool_env,
        f"UV_INDEX_{name}_USERNAME": USER,
        f"UV_INDEX_{name}_PASSWORD": SECRET,
    }
    done = _uv_compile(uv, config, env)
    assert done.returncode == 0, done.stderr
    assert f"{PROBE}==1.0" in done.stdout
    # without the variables (and no keyring command) uv is refused
    refused = _uv_compile(uv, config, tool_env)
    assert refused.returncode != 0
    assert PROBE not in refused.stdout


@pytest.mark.integration
def test_uv_reads_uv_toml_and_the_keyring_cglib_login_filled(slashed, tool_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    uv = _uv()
    # keyrings.alt's file backend needs the user name to find an entry: the
    # snippet puts it in the URL, encoded, for exactly that
    env = {**tool_env, "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
    _login(env, slashed)
    text = _cglib(env, "configure", "uv", "--index-url", slashed.url).stdout
    assert "0123abcd%2F4567ef@127.0.0.1" in text
    assert SECRET not in text
    config = _write(tmp_path / "uv.toml", text)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # the keyring command
    done = _uv_compile(uv, config, env)
    assert done.returncode == 0, done.stderr
    assert f"{PROBE}==1.0" in done.stdout


@pytest.mark.integration
def test_uv_reads_uv_toml_with_credentials(slashed, tool_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    uv = _uv()
    env = {**tool_env, "CGLIB_USERNAME": USER, "CGLIB_PASSWORD": SECRET}
    text = _cglib(env, "configure", "uv", "--index-url", slashed.url, "--with-credentials").stdout
    done = _uv_compile(uv, _write(tmp_path / "uv.toml", text), tool_env)
    assert done.returncode == 0, done.stderr
    assert f"{PROBE}==1.0" in done.stdout
