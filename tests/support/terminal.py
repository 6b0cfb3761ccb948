"""Run a program under a pseudo-terminal of a given size and read its screen
output (for tests of what a person sees on a terminal)."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import time
from collections.abc import Sequence

from support.servers import default_sigint

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>]")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def run_in_terminal(
    argv: Sequence[str],
    *,
    env: dict[str, str],
    columns: int = 80,
    rows: int = 50,
    timeout: float = 60,
    keys: Sequence[tuple[str, bytes]] = (),
) -> tuple[int, str]:
    """Run ``argv`` with a new pseudo-terminal of ``columns`` x ``rows`` as its
    controlling terminal (stdin, stdout and stderr; Ctrl-C there is SIGINT);
    each time the text of the next of ``keys`` appears, type its bytes.
    Returns the exit code and everything it wrote (ANSI escapes kept,
    ``\\r\\n`` turned into ``\\n``)."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"

    def controlling_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        default_sigint()  # Ctrl-C there must interrupt, even if the suite ignores it

    process = subprocess.Popen(
        list(argv),
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
        start_new_session=True,
        preexec_fn=controlling_terminal,
    )
    os.close(follower)
    seen = b""
    pending = list(keys)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.1)
            if ready:
                try:
                    data = os.read(leader, 65536)
                except OSError:  # EIO: the other end is closed
                    break
                if not data:
                    break
                seen += data
            if pending and pending[0][0].encode() in seen:
                time.sleep(0.2)  # let it reach the read
                os.write(leader, pending.pop(0)[1])
            elif not ready and process.poll() is not None:
                break
        else:
            process.kill()
            raise TimeoutError(f"{argv[0]} did not finish in {timeout}s")
        code = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)
    return code, seen.decode("utf-8", "replace").replace("\r\n", "\n")
