"""``cglib configure pip|uv|poetry|netrc|env``: the snippets, and the real tools reading them.

The integration tests run a pypiserver whose user name has a ``/`` (as
Chainguard's ``ORGID/TOKENID``) and whose password has characters that must
be percent-encoded in a URL, then let the real pip (and uv, from the test
extras) read each printed snippet and fetch a project that exists only there.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cglib.netrc_source import parse_netrc
from cglib.toolconfig import SnippetError, build_snippet, index_name_for, uv_env_name
from support.dists import make_wheel
from support.isolation import isolated_env
from support.servers import PypiServer, cglib_executable, run_pypiserver

CG = "https://libraries.cgr.dev/python/simple/"
USER = "0123abcd/4567ef"  # the shape of a Chainguard pull-token identity
SECRET = "s3cr:et@to/ken%x"  # ':', '@', '/' and '%' must be encoded inside a URL
PROBE = "cglib-configure-probe"


def _toml(text: str) -> dict[str, object]:
    import tomlkit  # a dependency of cglib; the standard tomllib is 3.11+ only

    data: dict[str, object] = tomlkit.parse(text).unwrap()
    return data


# -- the snippets themselves -------------------------------------------------------------


def test_pip_conf_references_the_keyring_and_holds_no_secret() -> None:
    snippet = build_snippet("pip", index_url=CG, username=USER, source="keyring")
    parser = configparser.RawConfigParser()  # what pip reads its files with
    parser.read_string(snippet.text)
    assert parser.get("global", "index-url") == CG
    assert parser.get("global", "keyring-provider") == "import"
    # the alternative line for keyrings that need the user name: '/' as %2F
    assert "# index-url = https://0123abcd%2F4567ef@libraries.cgr.dev/python/simple/" in (
        snippet.text
    )
    assert snippet.files[0].content == snippet.text
    assert snippet.commands == (
        f"pip config set global.index-url {CG}",
        "pip config set global.keyring-provider import",
    )


def test_pip_conf_with_credentials_encodes_them_in_the_url() -> None:
    snippet = build_snippet("pip", index_url=CG, username=USER, password=SECRET, source="env")
    parser = configparser.RawConfigParser()
    parser.read_string(snippet.text)
    assert parser.get("global", "index-url") == (
        "https://0123abcd%2F4567ef:s3cr%3Aet%40to%2Fken%25x@libraries.cgr.dev/python/simple/"
    )
    assert not parser.has_option("global", "keyring-provider")


def test_pip_keyring_provider_subprocess_and_unknown() -> None:
    snippet = build_snippet("pip", index_url=CG, keyring_provider="subprocess")
    assert "keyring-provider = subprocess\n" in snippet.text
    assert any("runs the `keyring` command" in note for note in snippet.notes)
    with pytest.raises(SnippetError, match="unknown keyring provider"):
        build_snippet("pip", index_url=CG, keyring_provider="auto")


def test_uv_toml_index_with_authenticate_always() -> None:
    snippet = build_snippet("uv", index_url=CG, username=USER, source="keyring")
    data = _toml(snippet.text)
    assert data["keyring-provider"] == "subprocess"
    assert data["index"] == [
        {
            "name": "chainguard",
            "url": "https://0123abcd%2F4567ef@libraries.cgr.dev/python/simple/",
            "default": True,
            "authenticate": "always",
        }
    ]
    assert "UV_INDEX_CHAINGUARD_USERNAME" in snippet.text
    assert SECRET not in snippet.text


def test_uv_toml_leaves_the_user_out_when_the_keyring_does_not_hold_it() -> None:
    # credentials from the environment: uv gets them from UV_INDEX_*; a user
    # name in the URL would only send uv to a keyring that has nothing
    snippet = build_snippet("uv", index_url=CG, username=USER, source="env")
    data = _toml(snippet.text)
    assert data["index"][0]["url"] == CG  # type: ignore[index]
    assert any("cglib configure env" in note for note in snippet.notes)


def test_uv_toml_with_credentials() -> None:
    snippet = build_snippet(
        "uv", index_url="https://example.org/simple/", username=USER, password=SECRET
    )
    data = _toml(snippet.text)
    assert "keyring-provider" not in data
    assert data["index"][0]["url"] == (  # type: ignore[index]
        "https://0123abcd%2F4567ef:s3cr%3Aet%40to%2Fken%25x@example.org/simple/"
    )
    assert data["index"][0]["name"] == "example-org"  # type: ignore[index]


def test_poetry_commands_reference_the_variables() -> None:
    snippet = build_snippet("poetry", index_url=CG)
    assert snippet.text == (
        f"poetry source add --priority=primary chainguard {CG}\n"
        'poetry config http-basic.chainguard "$CHAINGUARD_PYTHON_IDENTITY_ID" '
        '"$CHAINGUARD_PYTHON_TOKEN"\n'
    )
    other = build_snippet("poetry", index_url="https://example.org/simple/")
    assert '"$CGLIB_USERNAME" "$CGLIB_PASSWORD"' in other.text
    assert any("POETRY_HTTP_BASIC_EXAMPLE_ORG_USERNAME" in note for note in other.notes)


def test_poetry_with_credentials_passes_them_raw() -> None:
    snippet = build_snippet("poetry", index_url=CG, username=USER, password=SECRET)
    assert shlex.split(snippet.commands[1]) == [
        "poetry",
        "config",
        "http-basic.chainguard",
        USER,
        SECRET,
    ]


def test_netrc_entry_is_raw_and_parses() -> None:
    snippet = build_snippet(
        "netrc", index_url="https://example.org:8443/simple/", username=USER, password="tok.en"
    )
    assert snippet.text == "machine example.org\n  login 0123abcd/4567ef\n  password tok.en\n"
    (entry,) = parse_netrc(snippet.text)
    assert (entry.machine, entry.login, entry.password) == ("example.org", USER, "tok.en")


def test_netrc_needs_the_credentials_and_netrc_safe_ones() -> None:
    with pytest.raises(SnippetError, match="nothing to reference"):
        build_snippet("netrc", index_url=CG, username=USER)
    with pytest.raises(SnippetError, match="netrc readers disagree"):
        build_snippet("netrc", index_url=CG, username=USER, password="a b")


def test_control_characters_never_reach_a_snippet() -> None:
    with pytest.raises(SnippetError, match="control character"):
        build_snippet("env", index_url=CG, username="user\x1b[31m", password="x")


def _sh(script: str, env: dict[str, str]) -> dict[str, str]:
    """Run ``script`` in sh and return the environment it leaves."""
    done = subprocess.run(
        ["sh", "-c", f"{script}\nenv -0"],
        capture_output=True,
        env=env,
        check=True,
    )
    pairs = (item.split(b"=", 1) for item in done.stdout.split(b"\0") if b"=" in item)
    return {k.decode(): v.decode() for k, v in pairs}


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_env_snippet_in_sh_encodes_what_the_url_needs() -> None:
    snippet = build_snippet("env", index_url=CG)
    base = {"PATH": os.environ.get("PATH", "")}
    done = _sh(
        snippet.text,
        {**base, "CHAINGUARD_PYTHON_IDENTITY_ID": USER, "CHAINGUARD_PYTHON_TOKEN": SECRET},
    )
    assert done["PIP_INDEX_URL"] == (
        "https://0123abcd%2F4567ef:s3cr%3Aet%40to%2Fken%25x@libraries.cgr.dev/python/simple/"
    )
    assert done["UV_DEFAULT_INDEX"] == f"chainguard={CG}"
    assert done["UV_INDEX_CHAINGUARD_USERNAME"] == USER  # raw in env values
    assert done["UV_INDEX_CHAINGUARD_PASSWORD"] == SECRET
    leftover = subprocess.run(
        ["sh", "-c", f"{snippet.text}\ncommand -v _cglib_pct"],
        capture_output=True,
        text=True,
        env={**base, "CHAINGUARD_PYTHON_IDENTITY_ID": USER, "CHAINGUARD_PYTHON_TOKEN": "t"},
    )
    assert leftover.stdout == ""  # the helper function is gone again
    # without the variables: plain URLs, no empty credentials
    bare = _sh(snippet.text, base)
    assert bare["PIP_INDEX_URL"] == CG
    assert "UV_INDEX_CHAINGUARD_USERNAME" not in bare
    # env holds only literal, credential-free values
    assert dict(snippet.env) == {
        "CGLIB_INDEX_URL": CG,
        "PIP_INDEX_URL": CG,
        "UV_DEFAULT_INDEX": f"chainguard={CG}",
    }


def test_env_snippet_with_credentials_and_generic_variables() -> None:
    snippet = build_snippet(
        "env", index_url="https://example.org/simple/", username=USER, password=SECRET
    )
    env = dict(snippet.env)
    assert env["CGLIB_USERNAME"] == USER
    assert env["CGLIB_PASSWORD"] == SECRET
    assert env["UV_INDEX_EXAMPLE_ORG_PASSWORD"] == SECRET
    assert env["PIP_INDEX_URL"] == (
        "https://0123abcd%2F4567ef:s3cr%3Aet%40to%2Fken%25x@example.org/simple/"
    )
    assert "CHAINGUARD_PYTHON_TOKEN" not in snippet.text  # not for a foreign host
    done = _sh(snippet.text, {"PATH": os.environ.get("PATH", "")})
    assert {k: done[k] for k in env} == env


@pytest.mark.parametrize(
    ("url", "name", "env_name"),
    [
        (CG, "chainguard", "CHAINGUARD"),
        (
            "https://libraries.cgr.dev/python-remediated/simple/",
            "chainguard-remediated",
            "CHAINGUARD_REMEDIATED",
        ),
        ("http://127.0.0.1:8080/simple/", "127-0-0-1", "127_0_0_1"),
        ("https://pkgs.Example.org/simple/", "pkgs-example-org", "PKGS_EXAMPLE_ORG"),
    ],
)
def test_index_names(url: str, name: str, env_name: str) -> None:
    assert index_name_for(url) == name
    assert uv_env_name(name) == env_name


@pytest.mark.parametrize(
    ("platform", "env", "pip", "uv"),
    [
        (
            "linux",
            {"HOME": "/users/u"},
            "/users/u/.config/pip/pip.conf",
            "/users/u/.config/uv/uv.toml",
        ),
        (
            "linux",
            {"HOME": "/users/u", "XDG_CONFIG_HOME": "/cfg"},
            "/cfg/pip/pip.conf",
            "/cfg/uv/uv.toml",
        ),
        (
            "darwin",
            {"HOME": "/Users/u"},
            "/Users/u/Library/Application Support/pip/pip.conf",
            "/Users/u/.config/uv/uv.toml",
        ),
        (
            "win32",
            {"APPDATA": "C:\\Users\\u\\AppData\\Roaming"},
            "C:\\Users\\u\\AppData\\Roaming\\pip\\pip.ini",
            "C:\\Users\\u\\AppData\\Roaming\\uv\\uv.toml",
        ),
    ],
)
def test_suggested_paths(platform: str, env: dict[str, str], pip: str, uv: str) -> None:
    assert build_snippet("pip", index_url=CG, platform=platform, env=env).files[0].path == pip
    assert build_snippet("uv", index_url=CG, platform=platform, env=env).files[0].path == uv


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


@pytest.mark.parametrize("tool", ["pip", "uv", "poetry", "netrc", "env"])
def test_repr_never_shows_the_secret(tool: str) -> None:
    snippet = build_snippet(tool, index_url=CG, username=USER, password="tok.en-secret")
    assert "tok.en-secret" in snippet.text  # asked for: it is written in
    assert "tok.en-secret" not in repr(snippet)
    assert "tok.en-secret" not in " ".join(snippet.notes)
