"""``cglib configure TOOL``: the configuration that points pip, uv, poetry,
netrc users or a shell at the index in use.

The snippet goes to stdout alone (so ``cglib configure pip >> pip.conf``
works); where it usually goes and how the tool finds the credentials go to
stderr.  Credentials are referenced, never written, unless
``--with-credentials`` asks for them.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated, Optional

import typer

from cglib.cli.common import Session, with_session
from cglib.errors import ConfigError, UsageError

__all__ = ["register"]

_TOOL_HELP = "pip (pip.conf), uv (uv.toml), poetry (commands), netrc (an entry), env (exports)."


def register(app: typer.Typer) -> None:
    app.command(
        "configure",
        help="Print the configuration that points pip, uv, poetry, netrc or the shell at the "
        "index (credentials referenced, not written, unless --with-credentials).",
        epilog="Examples:  cglib configure pip >> ~/.config/pip/pip.conf;  "
        'eval "$(cglib configure env)";  cglib configure uv --json',
    )(configure)


@with_session
def configure(
    session: Session,
    tool: Annotated[
        str,
        typer.Argument(metavar="TOOL", help=_TOOL_HELP, show_default=False),
    ],
    with_credentials: Annotated[
        bool,
        typer.Option(
            "--with-credentials",
            help="Write the user name and token in (from cglib's credential chain).",
        ),
    ] = False,
    keyring_provider: Annotated[
        Optional[str],  # noqa: UP045 - typer needs a runtime type on 3.10
        typer.Option(
            "--keyring-provider",
            metavar="import|subprocess",
            help="How pip asks the keyring (default: subprocess when a `keyring` command is "
            "on PATH, else import).",
            show_default=False,
        ),
    ] = None,
    name: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--name",
            metavar="NAME",
            help="Name of the index for uv and poetry (default: chainguard, or from the host).",
            show_default=False,
        ),
    ] = None,
) -> None:
    from cglib.toolconfig import TOOLS, SnippetError, build_snippet

    tool = tool.strip().lower()
    if tool not in TOOLS:
        raise UsageError(f"unknown tool {tool!r}", hint=f"one of: {', '.join(TOOLS)}")
    out = session.output
    index = session.index
    resolved = session.credentials()
    credentials = resolved.credentials
    if with_credentials and credentials is None:
        raise ConfigError(
            f"no credentials found for {index.url} to write in",
            url=index.url,
            hint="run `cglib login`, or set the credential variables (`cglib auth status` "
            "says what cglib finds)",
        )
    import shutil

    provider = keyring_provider or ("subprocess" if shutil.which("keyring") else "import")
    try:
        snippet = build_snippet(
            tool,
            index_url=index.url,
            username=credentials.username if credentials else None,
            password=credentials.password if (with_credentials and credentials) else None,
            source=resolved.source,
            name=name,
            keyring_provider=provider,
            platform=sys.platform,
            env=os.environ,
        )
    except SnippetError as exc:
        raise UsageError(str(exc), hint=exc.hint) from None
    # Written as is: the snippet is the result, and with --with-credentials
    # the secret it holds is what was asked for (Output.line would mask it).
    if out.json_mode:
        out.stdout.write(json.dumps(snippet.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        out.stdout.write(snippet.text)
        for note in snippet.notes:
            out.info(f"note: {note}")
    out.stdout.flush()
