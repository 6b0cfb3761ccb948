"""``cglib config show`` and ``cglib config path``: the configuration file and
the values in effect, each with where it came from."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from cglib.cli.common import Session, with_session

if TYPE_CHECKING:
    from cglib.config import Index
    from cglib.configfile import ConfigFile

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    config = typer.Typer(
        name="config",
        help="The configuration file, and the settings in effect.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    config.command(
        "show",
        short_help="Each setting in effect and its source.",
        help="Print each setting in effect (index-url, named indexes, jobs, cache-max-age) "
        "with its source: flag, env, config or default. Never a secret: credentials in "
        "URLs are shown as ***.",
    )(show)
    config.command(
        "path",
        short_help="Print the configuration file's path.",
        help="Print the configuration file's path ($CGLIB_CONFIG_FILE, else config.toml in "
        "the platform's user config directory), whether or not it exists.",
    )(path)
    app.add_typer(config, name="config")


@with_session
def path(session: Session) -> None:
    from cglib.configfile import config_path

    where, _named = config_path()
    if session.output.json_mode:
        session.output.json({"path": str(where), "exists": where.is_file()})
    else:
        session.output.line(str(where))


def _url(raw: str) -> str:
    from cglib.urls import redact

    return redact(raw)


@with_session
def show(session: Session) -> None:
    from cglib.config import INDEX_NAMES, choose_index
    from cglib.configfile import load_config

    out = session.output
    config = load_config()
    for warning in config.warnings:
        out.warn(warning)
    # The flags as given (Session keeps them; it exposes only the chosen index).
    index, index_source = choose_index(
        session._index_url,
        session._index_name,
        config=config,
    )
    out.add_secret(index.url_password)
    jobs, jobs_source = _jobs(config)
    max_age, max_age_source = _max_age(config)
    indexes = {name: (url, "default") for name, url in INDEX_NAMES.items()}
    indexes.update({name: (url, "config") for name, url in config.indexes.items()})
    shown_url = (
        index.url if not index.url_username and not index.url_password else _with_stars(index)
    )
    if out.json_mode:
        out.json(
            {
                "path": str(config.path),
                "exists": config.exists,
                "settings": {
                    "index_url": {"value": shown_url, "source": index_source},
                    "jobs": {"value": jobs, "source": jobs_source},
                    "cache_max_age": {"value": max_age, "source": max_age_source},
                },
                "indexes": {
                    name: {"url": _url(url), "source": source}
                    for name, (url, source) in indexes.items()
                },
            }
        )
        return
    age = "the index's Cache-Control, else 600" if max_age is None else f"{max_age:g}"
    exists = "" if config.exists else " (not found)"
    lines = [
        f"config file: {config.path}{exists}",
        f"index-url = {shown_url}  ({index_source})",
        f"jobs = {jobs}  ({jobs_source})",
        f"cache-max-age = {age}  ({max_age_source})",
    ]
    lines += [
        f"indexes.{name} = {_url(url)}  ({source})" for name, (url, source) in indexes.items()
    ]
    out.lines(lines)


def _with_stars(index: Index) -> str:
    """The index URL with ``***`` where its credentials were."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(index.url)
    return urlunsplit(parts._replace(netloc=f"***@{parts.netloc}"))


def _jobs(config: ConfigFile) -> tuple[int, str]:
    if config.jobs is not None:
        return config.jobs, "config"
    from cglib.parallel import DEFAULT_JOBS

    return DEFAULT_JOBS, "default"


def _max_age(config: ConfigFile) -> tuple[float | None, str]:
    import os

    from cglib.cache import max_age_from_env

    value = max_age_from_env()
    if os.environ.get("CGLIB_CACHE_MAX_AGE", "").strip():
        return value, "env"
    if config.cache_max_age is not None:
        return value, "config"
    return None, "default"
