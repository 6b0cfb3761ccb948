"""``cglib login``, ``cglib logout`` and ``cglib auth status``."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from cglib.cli.common import (
    Session,
    with_session,
)
from cglib.errors import AuthError, CglibError, ConfigError, UsageError

if TYPE_CHECKING:
    from cglib.auth import Resolved
    from cglib.client import IndexClient
    from cglib.credentials import Credentials

__all__ = ["register"]

UsernameOpt = Annotated[
    Optional[str],  # noqa: UP045 - typer needs a runtime type on 3.10
    typer.Option(
        "--username",
        "-u",
        metavar="USER",
        help="User name (for Chainguard: the pull-token identity, CHAINGUARD_PYTHON_IDENTITY_ID).",
        show_default=False,
    ),
]


NetrcOpt = Annotated[
    bool,
    typer.Option(
        "--netrc",
        help="Use the netrc file ($NETRC, else ~/.netrc) instead of the keyring.",
    ),
]


def register(app: typer.Typer) -> None:
    app.command(
        "login",
        help="Check credentials against the index, then store them for its host: in the "
        "keyring, or with --netrc in the netrc file. Ctrl-C or Ctrl-D at a prompt: exit 130.",
        epilog="Examples:  cglib login;  cglib login --netrc;  "
        'printf %s "$TOKEN" | cglib login --username "$USER_ID" --password-stdin',
    )(login)
    app.command(
        "logout",
        help="Remove the credentials `cglib login` stored for the index host (with --netrc: "
        "its entry in the netrc file).",
    )(logout)
    auth = typer.Typer(
        name="auth",
        help="Inspect the credentials cglib would use.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    auth.command(
        "status",
        help="Which source the credentials come from, the user name, and whether the "
        "index accepts them (never the secret). Exit 3 or 4 when it does not.",
    )(status)
    app.add_typer(auth, name="auth")


# -- login ---------------------------------------------------------------------------


class _Cancelled(KeyboardInterrupt):
    """Ctrl-C or Ctrl-D at a prompt: exit 130, like any interruption."""

    def __init__(self, *, at_line_start: bool) -> None:
        super().__init__()
        self.at_line_start = at_line_start


def _prompt(text: str, *, hidden: bool) -> str:
    """Ask on the terminal (prompt text on stderr; the answer never echoed when hidden).

    Ctrl-C and Ctrl-D (click's ``Abort``) become :class:`_Cancelled`.
    """
    try:
        value: str = typer.prompt(text, hide_input=hidden, err=True)
    except typer.Abort:
        # click ends the line itself after a hidden prompt only.
        raise _Cancelled(at_line_start=hidden) from None
    return value


def _read_stdin_line() -> str:
    line = sys.stdin.readline()
    return line.rstrip("\r\n").strip()


@with_session
def login(
    session: Session,
    username: UsernameOpt = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password or token from one line of standard input."
        ),
    ] = False,
    netrc: NetrcOpt = False,
) -> None:
    out = session.output
    target = session.index
    if username is not None and not username.strip():
        raise UsageError("--username must not be empty")
    # Where they will go is checked before anything is asked or sent.
    if netrc:
        from cglib.netrc_edit import check_netrc_value, read_netrc

        read_netrc(os.environ)
        if username:
            check_netrc_value(username.strip(), "user name")
    else:
        from cglib.keyring_source import check_backend

        check_backend(target, timeout=_change_timeout(session))
    try:
        username, password = _ask(session, username, password_stdin)
    except _Cancelled as cancelled:
        out.info(("" if cancelled.at_line_start else "\n") + "login cancelled")
        raise
    out.add_secret(password)
    if netrc:
        check_netrc_value(username, "user name")
        check_netrc_value(password, "password")

    from cglib.credentials import Credentials

    credentials = Credentials(username, password)
    _check_login(session, credentials)
    out.note(f"the index accepted the credentials of user {username}")
    if netrc:
        _store_netrc(session, credentials)
        return

    from cglib.keyring_source import store_credentials

    stored = store_credentials(target, credentials, timeout=_change_timeout(session))
    if session.output.json_mode:
        out.json(
            {
                "index": target.url,
                "username": stored.username,
                "stored": True,
                "keyring_service": stored.service,
                "keyring_backend": stored.backend,
            }
        )
    else:
        out.info(
            f"Logged in to {target.url} as {stored.username}; stored in the keyring "
            f"(backend {stored.backend}) under service {stored.service!r}"
        )
    _warn_shadowing(session, "the keyring", before="keyring")


def _ask(session: Session, username: str | None, password_stdin: bool) -> tuple[str, str]:
    """The user name and password: from the options, standard input or prompts."""
    chainguard = session.index.is_chainguard
    user_label = "Identity ID (CHAINGUARD_PYTHON_IDENTITY_ID)" if chainguard else "Username"
    secret_label = "Token (CHAINGUARD_PYTHON_TOKEN)" if chainguard else "Password or token"
    if password_stdin:
        if not username:
            raise UsageError(
                "--password-stdin needs --username",
                hint="cglib login --username USER --password-stdin",
            )
        password = _read_stdin_line()
        if not password:
            raise UsageError("no password on standard input (--password-stdin reads one line)")
        return username.strip(), password
    if session.no_input:
        raise ConfigError(
            "cannot prompt for the token: no terminal (or --no-input)",
            hint='pipe it in: printf %s "$TOKEN" | cglib login --username USER --password-stdin',
        )
    if not username:
        username = _prompt(user_label, hidden=False).strip()
        if not username:
            raise UsageError("no user name given")
    password = _prompt(secret_label, hidden=True).strip()
    if not password:
        raise UsageError("no password or token given")
    return username.strip(), password


def _store_netrc(session: Session, credentials: Credentials) -> None:
    from cglib.netrc_edit import store_in_netrc

    out = session.output
    target = session.index
    change = store_in_netrc(target, credentials, os.environ)
    if out.json_mode:
        out.json(
            {
                "index": target.url,
                "username": credentials.username,
                "stored": True,
                "netrc_file": str(change.path),
                "netrc_machine": change.machine,
            }
        )
    else:
        out.info(
            f"Logged in to {target.url} as {credentials.username}; {change.action} "
            f"machine {change.machine} in {change.path} (mode 0600)"
        )
    _warn_shadowing(session, "the netrc file", before="netrc")


def _change_timeout(session: Session) -> float:
    """Storing may need the user to unlock the keyring: wait longer on a terminal."""
    from cglib.keyring_source import keyring_timeout

    timeout = keyring_timeout(os.environ)
    if timeout == 0:
        raise ConfigError(
            "the keyring is turned off (CGLIB_KEYRING_TIMEOUT=0)",
            hint="unset CGLIB_KEYRING_TIMEOUT to store or remove credentials, "
            "or use the netrc file: `cglib login --netrc`",
        )
    if not session.no_input and "CGLIB_KEYRING_TIMEOUT" not in os.environ:
        return max(timeout, 60.0)
    return timeout


def _check_login(session: Session, credentials: Credentials) -> None:
    """One cheap request with the new pair; 401/403 -> exit 4, nothing stored."""
    from cglib.client import IndexClient

    with IndexClient(
        session.index,
        credentials,
        credentials_source="login",
        settings=session.settings,
        log=session.output.note,
        warn=session.output.warn,
        allow_insecure_http=session.allow_insecure_http,
    ) as client:
        try:
            _probe(client)
        except AuthError as exc:
            if exc.status == 403 and session.index.is_chainguard:
                hint = "the token works, but the organisation lacks Chainguard Libraries for Python"
            else:
                hint = "check the user name and token"
                if session.index.is_chainguard:
                    hint += " (a new pull token: chainctl auth pull-token --output env)"
            raise AuthError(
                f"{exc.status} from {exc.url}: the index rejected these credentials; "
                "nothing was stored",
                status=exc.status,
                url=exc.url,
                hint=hint,
            ) from None


def _probe(client: IndexClient) -> None:
    """GET the index root and close it unread: statuses, not the (possibly huge)
    listing.  A 404 (a server without a root listing) still means the
    credentials got past authentication."""
    from cglib.client import ACCEPT_SIMPLE

    with client.stream(
        client.index.url,
        headers={"Accept": ACCEPT_SIMPLE},
        what="the index root",
        ok_statuses=frozenset({200, 404}),
    ):
        pass


#: How login names the sources that come before the keyring in the chain.
_SHADOWING = {
    "url": "credentials in --index-url",
    "env": "credentials in the environment (CHAINGUARD_PYTHON_* or CGLIB_USERNAME/CGLIB_PASSWORD)",
    "keyring": "credentials in the keyring",
}


def _warn_shadowing(session: Session, what: str, *, before: str) -> None:
    """Say so when a source before ``before`` in the chain will win over ``what``
    (``before`` itself is not asked again)."""
    from itertools import takewhile

    from cglib.auth import default_sources, resolve_credentials

    ahead = list(takewhile(lambda source: source.name != before, default_sources()))
    found = resolve_credentials(session.index, os.environ, ahead)
    if found.credentials is not None:
        shown = _SHADOWING.get(found.source, f"credentials from {found.source}")
        session.output.warn(f"{shown} take precedence over {what}")


# -- logout --------------------------------------------------------------------------


@with_session
def logout(
    session: Session,
    username: UsernameOpt = None,
    netrc: NetrcOpt = False,
) -> None:
    out = session.output
    target = session.index
    if netrc:
        _remove_netrc(session)
    else:
        from cglib.keyring_source import delete_credentials

        removed = delete_credentials(target, username=username, timeout=_change_timeout(session))
        if session.output.json_mode:
            out.json(
                {
                    "index": target.url,
                    "removed": list(removed.usernames),
                    "keyring_service": removed.service,
                    "keyring_backend": removed.backend,
                }
            )
        elif removed.usernames:
            users = ", ".join(removed.usernames)
            out.info(
                f"Removed the credentials of {users} for {removed.service!r} from the keyring "
                f"(backend {removed.backend})"
            )
        else:
            out.info(f"Nothing stored in the keyring for {removed.service!r}; nothing to remove")
    # Other sources may still answer for this index: say which.
    resolved = session.credentials()
    if resolved.credentials is not None:
        out.info(f"note: credentials from {resolved.source} still apply to {target.url}")


def _remove_netrc(session: Session) -> None:
    from cglib.netrc_edit import remove_from_netrc

    out = session.output
    target = session.index
    change = remove_from_netrc(target, os.environ)
    if out.json_mode:
        out.json(
            {
                "index": target.url,
                "removed": list(change.usernames) if change.action == "removed" else [],
                "netrc_file": str(change.path),
                "netrc_machine": change.machine,
            }
        )
    elif change.action == "removed":
        out.info(f"Removed machine {change.machine} from {change.path}")
    else:
        out.info(f"No entry for {change.machine} in {change.path}; nothing to remove")


# -- auth status -----------------------------------------------------------------------


@with_session
def status(
    session: Session,
    no_check: Annotated[
        bool,
        typer.Option("--no-check", help="Do not ask the index (accepted: null)."),
    ] = False,
) -> None:
    out = session.output
    target = session.index
    resolved = session.credentials(ask_all=True)
    _check_agreement(session, resolved)

    accepted: bool | None = None
    failure: CglibError | None = None
    if not no_check:
        try:
            with session.client() as client:
                _probe(client)
            accepted = True
        except (AuthError, ConfigError) as exc:
            accepted = False
            failure = exc
        except CglibError as exc:  # network trouble: we could not tell
            failure = exc
    username = resolved.credentials.username if resolved.credentials else None
    if session.output.json_mode:
        out.json(
            {
                "index": target.url,
                "source": resolved.source,
                "username": username,
                "accepted": accepted,
            }
        )
    else:
        shown = {True: "yes", False: "no", None: "not checked"}[accepted]
        out.lines(
            [
                f"index: {target.url}",
                f"source: {resolved.source}",
                f"username: {username if username is not None else '-'}",
                f"accepted: {shown}",
            ]
        )
    if failure is not None:
        raise failure


def _check_agreement(session: Session, resolved: Resolved) -> None:
    """Warn when the sources after the winner hold other credentials."""
    out = session.output
    for name, found in resolved.also_found:
        out.note(f"also found: {name} (user {found.username or '-'})")
    if resolved.credentials is None:
        return
    winner, first = resolved.source, resolved.credentials
    for name, other in resolved.also_found:
        if other.username != first.username:
            out.warn(
                f"{winner} gives user {first.username or '-'} but {name} gives user "
                f"{other.username or '-'}; {winner} wins"
            )
        elif other.password != first.password:
            out.warn(
                f"{winner} and {name} hold different passwords for user "
                f"{first.username or '-'}; {winner} wins (is one of them stale?)"
            )
