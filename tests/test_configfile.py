"""The configuration file (cglib.configfile): where it is, what it holds,
precedence, errors; `cglib config show|path` is in test_cli_config_cmd.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cglib.cache import max_age_from_env
from cglib.config import DEFAULT_INDEX_URL, choose_index, default_jobs, resolve_index
from cglib.configfile import config_path, load_config
from cglib.download import DEFAULT_JOBS
from cglib.errors import ConfigError, UsageError

MIRROR = "https://mirror.example.org/simple/"
SECRET = "s3cr3t-in-config"


def error_line(result) -> str:  # type: ignore[no-untyped-def]
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


# -- where ----------------------------------------------------------------------------


def test_the_file_lives_in_the_user_config_dir(isolate: Path, cli) -> None:  # type: ignore[no-untyped-def]
    expected = isolate / ".config" / "cglib" / "config.toml"
    assert config_path() == (expected, False)
    result = cli("config", "path")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{expected}\n"
    result = cli("config", "path", "--json")
    assert json.loads(result.stdout) == {"path": str(expected), "exists": False}


def test_cglib_config_file_names_another(tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "elsewhere.toml"
    other.write_text("jobs = 2\n")
    monkeypatch.setenv("CGLIB_CONFIG_FILE", str(other))
    assert cli("config", "path").stdout == f"{other}\n"
    assert default_jobs() == 2


def test_no_file_means_defaults(cli) -> None:  # type: ignore[no-untyped-def]
    config = load_config()
    assert not config.exists
    assert resolve_index().url == DEFAULT_INDEX_URL
    assert default_jobs() == DEFAULT_JOBS
    assert max_age_from_env() is None
    result = cli("config", "show", "--json")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["exists"] is False
    assert shown["settings"] == {
        "index_url": {"value": DEFAULT_INDEX_URL, "source": "default"},
        "jobs": {"value": DEFAULT_JOBS, "source": "default"},
        "cache_max_age": {"value": None, "source": "default"},
    }
    assert shown["indexes"]["remediated"]["source"] == "default"


# -- values and precedence ---------------------------------------------------------------


def test_values_from_the_file(config_file) -> None:  # type: ignore[no-untyped-def]
    config_file(
        f'index-url = "{MIRROR}"\njobs = 11\ncache-max-age = 90\n\n[indexes]\n'
        'Work = "https://work.example.org/pypi/simple"\n'
    )
    assert choose_index()[0].url == MIRROR
    assert choose_index()[1] == "config"
    assert default_jobs() == 11
    assert max_age_from_env() == 90
    work = resolve_index(index_name="work")
    assert work.url == "https://work.example.org/pypi/simple/"


def test_precedence_flag_env_config_default(config_file, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    config_file(f'index-url = "{MIRROR}"\n[indexes]\nwork = "https://work.example.org/simple/"\n')
    assert choose_index()[1] == "config"
    monkeypatch.setenv("CGLIB_INDEX_URL", "https://env.example.org/simple/")
    assert choose_index() == (resolve_index(), "env")
    assert resolve_index().url == "https://env.example.org/simple/"
    monkeypatch.setenv("CGLIB_INDEX_URL", "work")  # a config name in the variable
    assert resolve_index().url == "https://work.example.org/simple/"
    index, source = choose_index("https://flag.example.org/simple/")
    assert (index.url, source) == ("https://flag.example.org/simple/", "flag")
    index, source = choose_index(index_name="remediated")
    assert source == "flag"
    assert index.url.endswith("/python-remediated/simple/")


def test_config_index_url_may_be_a_name(config_file) -> None:  # type: ignore[no-untyped-def]
    config_file('index-url = "cu128"\n')
    assert resolve_index().url.endswith("/cu128/simple/")
    config_file('index-url = "work"\n[indexes]\nwork = "https://work.example.org/simple/"\n')
    assert resolve_index().url == "https://work.example.org/simple/"


def test_env_cache_max_age_beats_the_config(config_file, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    config_file("cache-max-age = 90\n")
    monkeypatch.setenv("CGLIB_CACHE_MAX_AGE", "5")
    assert max_age_from_env() == 5


def test_unknown_index_name_lists_the_config_names_too(config_file) -> None:  # type: ignore[no-untyped-def]
    config_file('[indexes]\nwork = "https://work.example.org/simple/"\n')
    with pytest.raises(UsageError) as caught:
        resolve_index(index_name="nope")
    assert caught.value.hint is not None
    assert "work" in caught.value.hint
    assert "remediated" in caught.value.hint


def test_commands_use_the_config_index(cli, config_file, httpx_mock) -> None:  # type: ignore[no-untyped-def]
    config_file(f'index-url = "{MIRROR}"\n')
    result = cli("auth", "status", "--no-check", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["index"] == MIRROR
    result = cli("auth", "status", "--no-check", "--json", "--index", "python")
    assert json.loads(result.stdout)["index"] == DEFAULT_INDEX_URL


def test_credentials_in_the_config_url_are_used(cli, config_file) -> None:  # type: ignore[no-untyped-def]
    config_file(f'index-url = "https://me:{SECRET}@example.org/simple/"\n')
    result = cli("auth", "status", "--no-check", "--json")
    assert result.exit_code == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["source"] == "url"
    assert status["username"] == "me"
    assert SECRET not in result.stdout + result.stderr


# -- problems -----------------------------------------------------------------------------


def test_unknown_keys_are_warned_about(cli, config_file) -> None:  # type: ignore[no-untyped-def]
    path = config_file('jobs = 2\nindex_url = "https://typo.example.org/simple/"\n')
    result = cli("config", "show")
    assert result.exit_code == 0, result.stderr
    assert f"warning: config file {path} line 2: unknown key 'index_url' (ignored)" in result.stderr
    result = cli("auth", "status", "--no-check", "--index-url", MIRROR)
    assert result.exit_code == 0
    result = cli("auth", "status", "--no-check")
    assert "unknown key 'index_url'" in result.stderr


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("jobs = \n", ["line 1", "not valid TOML"]),
        ('index-url = "https://example.org/simple/"\n[indexes\n', ["line 2", "not valid TOML"]),
        ('jobs = "many"\n', ["line 1", "jobs must be a whole number"]),
        ("\n\njobs = 0\n", ["line 3", "jobs must be a whole number"]),
        ("jobs = true\n", ["jobs must be a whole number"]),
        ('cache-max-age = "soon"\n', ["line 1", "cache-max-age must be a number of seconds"]),
        ("cache-max-age = -1\n", ["cache-max-age must be"]),
        ("index-url = 3\n", ["index-url must be a URL or an index name"]),
        ('index-url = "ftp://example.org/"\n', ["index-url is neither"]),
        ('indexes = "x"\n', ["indexes must be a table"]),
        ('[indexes]\nwork = "not a url"\n', ["line 2", "indexes.work is not an http(s) index URL"]),
        ("[indexes]\nwork = 1\n", ["indexes.work must be a URL"]),
        ('[indexes]\n"bad name" = "https://example.org/simple/"\n', ["not a usable index name"]),
    ],
)
def test_an_invalid_file_is_exit_3_naming_file_and_place(cli, config_file, text, words) -> None:  # type: ignore[no-untyped-def]
    path = config_file(text)
    result = cli("auth", "status", "--no-check")
    assert result.exit_code == 3, result.stderr
    line = error_line(result)
    assert f"config file {path}" in line
    for word in words:
        assert word in line
    assert cli("config", "show").exit_code == 3


def test_errors_never_repeat_a_value_of_the_file(cli, config_file) -> None:  # type: ignore[no-untyped-def]
    config_file(f'index-url = "https://me:{SECRET}@example.org/simple/" oops\n')
    result = cli("config", "show")
    assert result.exit_code == 3
    assert SECRET not in result.stderr
    config_file(f'[indexes]\nwork = "ftp://me:{SECRET}@example.org/"\n')
    result = cli("config", "show", "--json")
    assert result.exit_code == 3
    assert SECRET not in result.stderr
    assert json.loads(result.stderr)["error"]["code"] == 3


def test_an_unreadable_file_is_exit_3(cli, config_file) -> None:  # type: ignore[no-untyped-def]
    path = config_file("")
    path.unlink()
    path.mkdir()  # a directory where the file belongs: reading it fails
    result = cli("auth", "status", "--no-check")
    assert result.exit_code == 3
    assert f"cannot read the config file {path}" in error_line(result)


def test_a_file_that_is_not_utf8_is_exit_3(cli, config_file) -> None:  # type: ignore[no-untyped-def]
    path = config_file("")
    path.write_bytes(b"jobs = 2\n# caf\xe9\n")
    result = cli("auth", "status", "--no-check")
    assert result.exit_code == 3
    assert f"config file {path} line 2: not UTF-8" in error_line(result)


def test_a_named_file_that_does_not_exist_is_exit_3(cli, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "missing.toml"
    monkeypatch.setenv("CGLIB_CONFIG_FILE", str(missing))
    with pytest.raises(ConfigError):
        load_config()
    result = cli("auth", "status", "--no-check")
    assert result.exit_code == 3
    assert f"CGLIB_CONFIG_FILE names {missing}, which does not exist" in error_line(result)


def test_the_file_is_read_when_a_command_runs_not_at_import(run_cglib, isolate) -> None:  # type: ignore[no-untyped-def]
    path = isolate / ".config" / "cglib" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("jobs = [\n")
    assert run_cglib("--help").exit_code == 0
    assert run_cglib("config", "--help").exit_code == 0
    assert run_cglib("config", "path").exit_code == 0
    result = run_cglib("config", "show")
    assert result.exit_code == 3
    assert "Traceback" not in result.stderr
