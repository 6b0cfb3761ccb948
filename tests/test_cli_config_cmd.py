"""`cglib config show|path` (cglib.cli.config_cmd): each setting with where it
comes from, never a secret; the file itself is in test_configfile.py."""

from __future__ import annotations

import json

MIRROR = "https://mirror.example.org/simple/"
SECRET = "s3cr3t-in-config"


def test_config_show_names_each_source(cli, config_file, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = config_file(f'index-url = "{MIRROR}"\njobs = 3\n[indexes]\nwork = "{MIRROR}"\n')
    monkeypatch.setenv("CGLIB_CACHE_MAX_AGE", "42")
    result = cli("config", "show", "--json")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["path"] == str(path)
    assert shown["exists"] is True
    assert shown["settings"] == {
        "index_url": {"value": MIRROR, "source": "config"},
        "jobs": {"value": 3, "source": "config"},
        "cache_max_age": {"value": 42, "source": "env"},
    }
    assert shown["indexes"]["work"] == {"url": MIRROR, "source": "config"}
    flagged = json.loads(
        cli("config", "show", "--json", "--index-url", "https://x.example.org/s/").stdout
    )
    assert flagged["settings"]["index_url"] == {
        "value": "https://x.example.org/s/",
        "source": "flag",
    }
    plain = cli("config", "show")
    assert plain.exit_code == 0
    assert f"config file: {path}\n" in plain.stdout
    assert f"index-url = {MIRROR}  (config)\n" in plain.stdout
    assert "jobs = 3  (config)\n" in plain.stdout
    assert "cache-max-age = 42  (env)\n" in plain.stdout


def test_config_show_never_shows_a_secret(cli, config_file) -> None:  # type: ignore[no-untyped-def]
    config_file(
        f'index-url = "https://me:{SECRET}@example.org/simple/"\n'
        f'[indexes]\nwork = "https://me:{SECRET}@work.example.org/simple/"\n'
    )
    for args in (("config", "show"), ("config", "show", "--json"), ("config", "show", "-vv")):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        assert SECRET not in result.stdout + result.stderr
        assert "***@example.org/simple/" in result.stdout
        assert "***@work.example.org/simple/" in result.stdout
