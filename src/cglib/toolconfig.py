"""Configuration snippets that point pip, uv, poetry, netrc users or a shell at an index.

Pure functions: an index URL, what is known of the credentials, and the
platform in; a :class:`Snippet` out (the files to write, the commands to run,
the environment to set, and notes for the user).  Nothing here prints, reads
the environment or touches the keyring; :mod:`cglib.cli.configure` does that.

Credentials are *referenced* unless the caller passes them: a keyring
provider for pip and uv, environment variables for uv, poetry and the shell.
A user name with ``/`` (Chainguard's ``ORGID/TOKENID``) is written as each
format needs it: percent-encoded (``%2F``) inside URLs, raw in netrc entries,
in ``poetry config`` arguments and in environment values.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from urllib.parse import quote, urlsplit, urlunsplit

from cglib.config import INDEX_NAMES

__all__ = [
    "KEYRING_PROVIDERS",
    "TOOLS",
    "ConfigFile",
    "Snippet",
    "SnippetError",
    "build_snippet",
    "index_name_for",
    "uv_env_name",
]

#: The tools ``cglib configure`` knows.
TOOLS = ("pip", "uv", "poetry", "netrc", "env")
#: pip's ways of asking the keyring: import the module, or run the ``keyring`` command.
KEYRING_PROVIDERS = ("import", "subprocess")

_CHAINGUARD_VARS = ("CHAINGUARD_PYTHON_IDENTITY_ID", "CHAINGUARD_PYTHON_TOKEN")
_GENERIC_VARS = ("CGLIB_USERNAME", "CGLIB_PASSWORD")
# Characters never written into a snippet (a value carrying them would
# break the file or smuggle terminal escapes).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# What netrc cannot hold in a token (no quoting that every reader agrees on).
_NETRC_UNSAFE = re.compile(r"[\s\"'\\#]|[^\x21-\x7e]")
# Percent-encodes what may not stand in a URL's user information, in POSIX sh.
_SH_PERCENT = (
    "_cglib_pct() { printf '%s' \"$1\" | sed -e 's/%/%25/g' -e 's|/|%2F|g' -e 's/:/%3A/g' "
    "-e 's/@/%40/g' -e 's/#/%23/g' -e 's/?/%3F/g' -e 's/ /%20/g' -e 's/\\[/%5B/g' "
    "-e 's/]/%5D/g'; }"
)


class SnippetError(ValueError):
    """A snippet that cannot be written (the CLI turns it into a usage error)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """A file to write (or merge into): where it usually lives, and its text."""

    path: str
    content: str = field(repr=False)

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "content": self.content}


@dataclass(frozen=True, slots=True)
class Snippet:
    """What points one tool at the index.

    ``text`` is what ``cglib configure TOOL`` prints on stdout; ``env`` holds
    the variables to set, with literal values only (credentials only when the
    caller passed them); ``notes`` are for stderr.
    """

    tool: str
    index: str
    text: str = field(repr=False)
    files: tuple[ConfigFile, ...] = ()
    commands: tuple[str, ...] = field(default=(), repr=False)
    env: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "tool": self.tool,
            "index": self.index,
            "files": [f.to_json() for f in self.files],
            "commands": list(self.commands),
            "env": dict(self.env),
            "notes": list(self.notes),
        }


def index_name_for(index_url: str) -> str:
    """A short name for the index (uv's ``[[index]] name``, poetry's source).

    ``chainguard`` for Chainguard's Python index, ``chainguard-NAME`` for its
    other named indexes, else the host with ``.`` and ``:`` turned into ``-``.
    """
    for short, url in INDEX_NAMES.items():
        if url == index_url:
            return "chainguard" if short == "python" else f"chainguard-{short}"
    host = urlsplit(index_url).hostname or "index"
    if _is_chainguard_host(host):
        return "chainguard"
    return re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-") or "index"


def uv_env_name(name: str) -> str:
    """The ``NAME`` of uv's ``UV_INDEX_NAME_USERNAME``: upper case, other than
    letters and digits turned into ``_``."""
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def _is_chainguard_host(host: str) -> bool:
    return host == "libraries.cgr.dev" or host.endswith(".cgr.dev")


def _url_with(index_url: str, username: str | None, password: str | None = None) -> str:
    """``index_url`` with user information, percent-encoded (``/`` -> ``%2F``)."""
    if username is None:
        return index_url
    parts = urlsplit(index_url)
    userinfo = quote(username, safe="")
    if password is not None:
        userinfo += ":" + quote(password, safe="")
    return urlunsplit(
        (parts.scheme, f"{userinfo}@{parts.netloc}", parts.path, parts.query, parts.fragment)
    )


def _toml(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _check(value: str, what: str) -> str:
    if _CONTROL.search(value):
        raise SnippetError(f"the {what} holds a control character; it cannot go into a snippet")
    return value


@dataclass(frozen=True, slots=True)
class _Input:
    index: str
    chainguard: bool
    name: str
    username: str | None  # known user name (referenced setups put it where it helps)
    password: str | None = field(repr=False)  # only with --with-credentials
    source: str  # where cglib found the credentials: url, env, keyring, netrc, none
    keyring_provider: str
    platform: str
    env: Mapping[str, str]

    @property
    def variables(self) -> tuple[str, str]:
        return _CHAINGUARD_VARS if self.chainguard else _GENERIC_VARS

    @property
    def with_credentials(self) -> bool:
        return self.password is not None

    def pair(self) -> tuple[str, str]:
        """The user name and password to write in (``--with-credentials``)."""
        if self.username is None or self.password is None:  # pragma: no cover - checked first
            raise SnippetError("no credentials to write in")
        return self.username, self.password


def build_snippet(
    tool: str,
    *,
    index_url: str,
    username: str | None = None,
    password: str | None = None,
    source: str = "none",
    name: str | None = None,
    keyring_provider: str = "import",
    platform: str = "linux",
    env: Mapping[str, str] | None = None,
) -> Snippet:
    """The configuration that points ``tool`` at ``index_url``.

    ``password`` is given only when the credentials are to be written in
    (``--with-credentials``); then ``username`` must be given too.  Without
    it, ``username`` (when known) is used only where it helps a keyring find
    the password.  ``source`` says where cglib found the credentials, for the
    notes.  ``platform`` is a ``sys.platform`` value and ``env`` the
    environment, both only to suggest where a file usually goes.
    """
    if tool not in TOOLS:
        raise SnippetError(f"unknown tool {tool!r}", hint=f"one of: {', '.join(TOOLS)}")
    if keyring_provider not in KEYRING_PROVIDERS:
        raise SnippetError(
            f"unknown keyring provider {keyring_provider!r}",
            hint=f"one of: {', '.join(KEYRING_PROVIDERS)}",
        )
    if password is not None and username is None:
        raise SnippetError("credentials to write need a user name")
    _check(index_url, "index URL")
    for value, what in ((username, "user name"), (password, "password")):
        if value is not None:
            _check(value, what)
    host = urlsplit(index_url).hostname or ""
    given = _Input(
        index=index_url,
        chainguard=_is_chainguard_host(host),
        name=name or index_name_for(index_url),
        username=username,
        password=password,
        source=source,
        keyring_provider=keyring_provider,
        platform=platform,
        env=env or {},
    )
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", given.name):
        raise SnippetError(
            f"index name {given.name!r} is not usable",
            hint="letters, digits, '-', '_' and '.', starting with a letter or digit",
        )
    builders = {"pip": _pip, "uv": _uv, "poetry": _poetry, "netrc": _netrc, "env": _env}
    return builders[tool](given)


# -- paths ------------------------------------------------------------------------------


def _home(given: _Input) -> PurePath:
    windows = given.platform.startswith("win")
    path_type: type[PurePath] = PureWindowsPath if windows else PurePosixPath
    home = given.env.get("USERPROFILE" if windows else "HOME") or "~"
    return path_type(home)


def _config_home(given: _Input) -> PurePath:
    if given.platform.startswith("win"):
        appdata = given.env.get("APPDATA")
        return PureWindowsPath(appdata) if appdata else _home(given) / "AppData" / "Roaming"
    xdg = given.env.get("XDG_CONFIG_HOME")
    return PurePosixPath(xdg) if xdg else _home(given) / ".config"


def _pip_config_path(given: _Input) -> str:
    if given.platform.startswith("win"):
        return str(_config_home(given) / "pip" / "pip.ini")
    if given.platform == "darwin":  # pip: ~/.config/pip/pip.conf only without this folder
        return str(_home(given) / "Library" / "Application Support" / "pip" / "pip.conf")
    return str(_config_home(given) / "pip" / "pip.conf")


def _uv_config_path(given: _Input) -> str:
    return str(_config_home(given) / "uv" / "uv.toml")


def _netrc_file_path(given: _Input) -> str:
    named = given.env.get("NETRC")
    if named:
        return named
    name = "_netrc" if given.platform.startswith("win") else ".netrc"
    return str(_home(given) / name)


# -- the tools ------------------------------------------------------------------------------


def _source_note(given: _Input, tool: str) -> str | None:
    """Say when the credentials cglib uses now would not reach ``tool``."""
    user_var, secret_var = given.variables
    if given.with_credentials:
        return None
    if given.source in ("env", "url"):
        where = "the environment" if given.source == "env" else "--index-url"
        return (
            f"cglib takes its credentials from {where}, which {tool} does not read from this "
            f"configuration: use `cglib configure env` (it sets {tool}'s variables from "
            f"{user_var} and {secret_var}), store them with `cglib login`, or add "
            "--with-credentials"
        )
    if given.source == "none":
        if given.chainguard:
            return (
                "no credentials found: `cglib login` stores a pull token in the keyring, or "
                "install keyrings-chainguard-libraries where the keyring runs for short-lived "
                "tokens from chainctl"
            )
        return "no credentials found: `cglib login` stores them in the keyring"
    return None


def _header(tool: str, given: _Input) -> str:
    return f"# cglib configure {tool}: {given.index}"


def _pip(given: _Input) -> Snippet:
    notes = []
    lines = [_header("pip", given), "[global]"]
    commands: list[str] = []
    if given.with_credentials:
        url = _url_with(given.index, given.username, given.password)
        lines.append(f"index-url = {url}")
        commands.append(f"pip config set global.index-url {shlex.quote(url)}")
    else:
        lines.append(f"index-url = {given.index}")
        lines.append(f"keyring-provider = {given.keyring_provider}")
        commands.append(f"pip config set global.index-url {shlex.quote(given.index)}")
        commands.append(f"pip config set global.keyring-provider {given.keyring_provider}")
        if given.username and given.source == "keyring":
            # pip sends "user:" with an empty password first and asks the
            # keyring only after a 401: a server that answers 403 to that
            # fails, so the user name stays out of the active line.
            lines.append(
                "# a keyring that needs the user name (macOS Keychain, keyrings.alt): "
                "use this line instead"
            )
            lines.append(f"# index-url = {_url_with(given.index, given.username)}")
        if given.keyring_provider == "import":
            notes.append(
                "keyring-provider = import: pip imports keyring from its own environment "
                "(`python -m pip install keyring` there); `subprocess` runs the `keyring` "
                "command on PATH instead"
            )
        else:
            notes.append(
                "keyring-provider = subprocess: pip runs the `keyring` command found on PATH "
                "(outside pip's own environment; e.g. `pipx install keyring`)"
            )
        if given.source == "netrc":
            notes.append("pip also reads the netrc entry cglib found (before the keyring)")
    note = _source_note(given, "pip")
    if note:
        notes.append(note)
    path = _pip_config_path(given)
    notes.append(
        f"usually goes in {path} (or $VIRTUAL_ENV/pip.conf; `pip config debug` lists the files "
        "pip reads); merge it into an existing [global] section, or run the `pip config set` "
        "commands (--json lists them)"
    )
    content = "\n".join(lines) + "\n"
    return Snippet(
        "pip",
        given.index,
        content,
        files=(ConfigFile(path, content),),
        commands=tuple(commands),
        notes=tuple(notes),
    )


def _uv(given: _Input) -> Snippet:
    env_name = uv_env_name(given.name)
    user_env, secret_env = f"UV_INDEX_{env_name}_USERNAME", f"UV_INDEX_{env_name}_PASSWORD"
    notes = []
    lines = [_header("uv", given)]
    if given.with_credentials:
        url = _url_with(given.index, given.username, given.password)
    else:
        lines.append(f"# credentials: {user_env} and {secret_env}, or the keyring below")
        lines.append('keyring-provider = "subprocess"')
        lines.append("")
        # uv asks the keyring before sending anything; with the user name it
        # also finds entries of keyrings that cannot look up without one.
        known = given.username if given.source == "keyring" else None
        url = _url_with(given.index, known)
        notes.append(
            "uv runs the `keyring` command found on PATH (e.g. `uv tool install keyring`), or "
            f"takes {user_env} and {secret_env} from the environment"
        )
        notes.append("keep `keyring-provider` above any [table] when merging into an existing file")
    lines += [
        "[[index]]",
        f"name = {_toml(given.name)}",
        f"url = {_toml(url)}",
        "default = true",
        'authenticate = "always"',
    ]
    note = _source_note(given, "uv")
    if note:
        notes.append(note)
    path = _uv_config_path(given)
    notes.append(f"usually goes in {path}, or uv.toml in a project (--config-file FILE to test)")
    content = "\n".join(lines) + "\n"
    return Snippet(
        "uv", given.index, content, files=(ConfigFile(path, content),), notes=tuple(notes)
    )


def _poetry(given: _Input) -> Snippet:
    name = given.name
    env_name = uv_env_name(name)
    user_var, secret_var = given.variables
    if given.with_credentials:
        user, secret = (shlex.quote(value) for value in given.pair())
    else:
        user, secret = f'"${user_var}"', f'"${secret_var}"'
    commands = (
        f"poetry source add --priority=primary {shlex.quote(name)} {shlex.quote(given.index)}",
        f"poetry config http-basic.{name} {user} {secret}",
    )
    notes = []
    if not given.with_credentials:
        notes.append(
            f"the second command reads {user_var} and {secret_var} from the environment when it "
            "runs and stores them in poetry's keyring (or auth.toml); in CI set "
            f"POETRY_HTTP_BASIC_{env_name}_USERNAME and POETRY_HTTP_BASIC_{env_name}_PASSWORD "
            "instead"
        )
    notes.append("run these in the project (poetry source add edits its pyproject.toml)")
    text = "\n".join(commands) + "\n"
    return Snippet("poetry", given.index, text, commands=commands, notes=tuple(notes))


def _netrc(given: _Input) -> Snippet:
    if not given.with_credentials:
        raise SnippetError(
            "a netrc entry holds the password itself: there is nothing to reference",
            hint="add --with-credentials, and keep the file readable by you alone (chmod 600)",
        )
    username, password = given.pair()
    for value, what in ((username, "user name"), (password, "password")):
        if _NETRC_UNSAFE.search(value):
            raise SnippetError(
                f"the {what} holds a space, quote, '#', backslash or non-ASCII character, "
                "which netrc readers disagree on",
                hint="use `cglib configure env` or the keyring instead",
            )
    host = urlsplit(given.index).hostname or ""
    content = f"machine {host}\n  login {username}\n  password {password}\n"
    path = _netrc_file_path(given)
    notes = (
        f"usually goes in {path} (readable by you alone: chmod 600 {shlex.quote(path)}); "
        "pip, uv, poetry and cglib all read it",
        "netrc matches the host name only: this entry answers for every index on that host",
    )
    return Snippet("netrc", given.index, content, files=(ConfigFile(path, content),), notes=notes)


def _env(given: _Input) -> Snippet:
    env_name = uv_env_name(given.name)
    user_env, secret_env = f"UV_INDEX_{env_name}_USERNAME", f"UV_INDEX_{env_name}_PASSWORD"
    user_var, secret_var = given.variables
    uv_index = f"{given.name}={given.index}"
    values: list[tuple[str, str]] = [("CGLIB_INDEX_URL", given.index)]
    lines = [_header("env", given)]
    if given.with_credentials:
        username, password = given.pair()
        values += [
            (user_var, username),
            (secret_var, password),
            ("PIP_INDEX_URL", _url_with(given.index, username, password)),
            ("UV_DEFAULT_INDEX", uv_index),
            (user_env, username),
            (secret_env, password),
        ]
        lines += [f"export {key}={shlex.quote(value)}" for key, value in values]
        notes = ["these lines hold the token: keep them out of shell history and logs"]
    else:
        values += [("PIP_INDEX_URL", given.index), ("UV_DEFAULT_INDEX", uv_index)]
        lines += [f"export {key}={shlex.quote(value)}" for key, value in values]
        parts = urlsplit(given.index)
        rest = given.index[len(f"{parts.scheme}://") :]
        lines += [
            f'if [ -n "${{{user_var}-}}" ] && [ -n "${{{secret_var}-}}" ]; then',
            f'  export {user_env}="${user_var}"',
            f'  export {secret_env}="${secret_var}"',
            f"  {_SH_PERCENT}",
            f'  PIP_INDEX_URL="{parts.scheme}://$(_cglib_pct "${user_var}"):'
            f'$(_cglib_pct "${secret_var}")@{_sh_double(rest)}"',
            "  unset -f _cglib_pct",
            "fi",
        ]
        notes = [
            f'for POSIX shells (sh, bash, zsh): `eval "$(cglib configure env)"` after setting '
            f"{user_var} and {secret_var}"
            + (" (`chainctl auth pull-token --output env` prints them)" if given.chainguard else "")
            + "; pip and uv then take the credentials from them"
        ]
    text = "\n".join(lines) + "\n"
    return Snippet(
        "env", given.index, text, commands=tuple(lines[1:]), env=tuple(values), notes=tuple(notes)
    )


def _sh_double(value: str) -> str:
    """``value`` inside a double-quoted shell word."""
    return re.sub(r'(["\\$`])', r"\\\1", value)
