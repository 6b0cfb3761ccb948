"""The snippets of `cglib configure` (cglib.toolconfig), built and read back as
each tool reads them; the command and the real tools are in test_cli_configure.py."""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess

import pytest

from cglib.netrc_source import parse_netrc
from cglib.toolconfig import SnippetError, build_snippet, index_name_for, uv_env_name

CG = "https://libraries.cgr.dev/python/simple/"
USER = "0123abcd/4567ef"  # the shape of a Chainguard pull-token identity
SECRET = "s3cr:et@to/ken%x"  # ':', '@', '/' and '%' must be encoded inside a URL


def _toml(text: str) -> dict[str, object]:
    import tomlkit  # a dependency of cglib; the standard tomllib is 3.11+ only

    data: dict[str, object] = tomlkit.parse(text).unwrap()
    return data


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


@pytest.mark.parametrize("tool", ["pip", "uv", "poetry", "netrc", "env"])
def test_repr_never_shows_the_secret(tool: str) -> None:
    snippet = build_snippet(tool, index_url=CG, username=USER, password="tok.en-secret")
    assert "tok.en-secret" in snippet.text  # asked for: it is written in
    assert "tok.en-secret" not in repr(snippet)
    assert "tok.en-secret" not in " ".join(snippet.notes)
