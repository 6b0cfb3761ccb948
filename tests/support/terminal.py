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

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>]")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def run_in_terminal(
    argv: Sequence[str],
    *,
    columns: int,
    env: dict[str, str],
    rows: int = 50,
    timeout: float = 60,
) -> tuple[int, str]:
    """Run ``argv`` with stdin, stdout and stderr on a new pseudo-terminal of
    ``columns`` x ``rows``; returns its exit code and everything it wrote
    (ANSI escapes kept, ``\\r\\n`` turned into ``\\n``)."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    process = subprocess.Popen(
        list(argv), stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True
    )
    os.close(follower)
    chunks: list[bytes] = []
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
                chunks.append(data)
            elif process.poll() is not None:
                break
        else:
            process.kill()
            raise TimeoutError(f"{argv[0]} did not finish in {timeout}s")
        code = process.wait(timeout=10)
    finally:
        os.close(leader)
    return code, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
