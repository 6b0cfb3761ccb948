"""Start real servers on 127.0.0.1 for integration tests and benchmarks."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    host: str, port: int, process: subprocess.Popen[bytes], timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"server on {host}:{port} did not start in {timeout}s")


@dataclass
class PypiServer:
    """A running pypiserver with htpasswd Basic auth on every action."""

    url: str  # the simple index, e.g. http://127.0.0.1:PORT/simple/
    root: str  # http://127.0.0.1:PORT/
    username: str
    password: str
    packages: Path

    @property
    def url_with_credentials(self) -> str:
        return self.url.replace("http://", f"http://{self.username}:{self.password}@", 1)


def write_htpasswd(path: Path, username: str, password: str) -> None:
    from passlib.apache import HtpasswdFile

    htpasswd = HtpasswdFile(str(path), new=True)
    htpasswd.set_password(username, password)
    htpasswd.save()


@contextlib.contextmanager
def run_pypiserver(
    packages: Path,
    workdir: Path,
    *,
    username: str = "ci-user",
    password: str = "ci-secret-token",
    authenticate: str = "download,list,update",
) -> Iterator[PypiServer]:
    """Run pypiserver over ``packages`` until the context ends."""
    htpasswd = workdir / "htpasswd"
    write_htpasswd(htpasswd, username, password)
    port = free_port()
    log = (workdir / "pypiserver.log").open("wb")
    command = [
        sys.executable,
        "-m",
        "pypiserver",
        "run",
        "-p",
        str(port),
        "-i",
        "127.0.0.1",
        "-a",
        authenticate,
        "-P",
        str(htpasswd),
        "--disable-fallback",
        "--hash-algo",
        "sha256",
        "--backend",
        "simple-dir",
        str(packages),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CGLIB_", "CHAINGUARD_"))}
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        wait_for_port("127.0.0.1", port, process)
        root = f"http://127.0.0.1:{port}/"
        yield PypiServer(f"{root}simple/", root, username, password, packages)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def default_sigint() -> None:
    """``preexec_fn`` of a child that a test interrupts: SIGINT at its default.

    A shell starts background jobs with SIGINT ignored, and a Python started
    so keeps ignoring it (Ctrl-C then does nothing): resetting it makes these
    tests pass however the suite was started."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def cglib_executable() -> str:
    """The installed ``cglib`` console script beside this interpreter."""
    candidate = Path(sys.executable).with_name("cglib")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("cglib")
    if not found:
        raise RuntimeError("cglib is not installed in this environment")
    return found
