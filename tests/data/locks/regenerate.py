"""Make the lock files under tests/data/locks/ with the real tools.

    python tests/data/locks/regenerate.py --tools VENV

``VENV`` is a throwaway virtual environment with ``uv`` and ``poetry``
installed (``python -m venv VENV && VENV/bin/pip install uv poetry``); pip
comes from the interpreter running this script and must have ``pip lock``
(pip 25.1 or later).  The script serves the original files of
tests/support/lockset.py from a local index on 127.0.0.1 and runs, for each
lock set (``full``, ``wheels``):

- ``uv pip compile --generate-hashes``  -> requirements.txt
- ``pip lock``                          -> pylock.toml
- ``uv lock``                           -> uv.lock
- ``poetry lock``                       -> poetry.lock

and keeps what they wrote, with the index's origin (a random port) replaced
by ``http://127.0.0.1:9``, which the tests put back to their own index's.
Nothing here reaches beyond the loopback interface.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # tests/, for support.*

from support.fakeindex import serve_http  # noqa: E402
from support.lockset import FULL, WHEELS, lock_index, serve_original  # noqa: E402

PLACEHOLDER = "http://127.0.0.1:9"

PYPROJECT = """\
[project]
name = "lockdemo"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = [
{deps}
]

[tool.poetry]
package-mode = false

[[tool.poetry.source]]
name = "local"
url = "{url}"
priority = "primary"
"""


def run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    print("+", " ".join(command), file=sys.stderr)
    subprocess.run(command, cwd=cwd, env=env, check=True)


def make_set(name: str, requirements: list[str], url: str, origin: str, tools: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="cglib-locks-") as tmp:
        work = Path(tmp)
        project = work / "project"
        project.mkdir()
        deps = "\n".join(f'    "{r}",' for r in requirements)
        (project / "pyproject.toml").write_text(PYPROJECT.format(deps=deps, url=url))
        (project / "requirements.in").write_text("\n".join(requirements) + "\n")
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(work / "home"),
            "UV_CACHE_DIR": str(work / "uv-cache"),
            "UV_PYTHON": sys.executable,
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_NO_CONFIG": "1",
            "POETRY_CACHE_DIR": str(work / "poetry-cache"),
            "POETRY_CONFIG_DIR": str(work / "poetry-config"),
            "POETRY_VIRTUALENVS_PATH": str(work / "venvs"),
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_NO_CACHE_DIR": "1",
        }
        uv = str(tools / "bin" / "uv")
        poetry = str(tools / "bin" / "poetry")
        run([uv, "pip", "compile", "requirements.in", "--generate-hashes", "--default-index",
             url, "--python-version", "3.11", "-o", "requirements.txt"], project, env)  # fmt: skip
        run([sys.executable, "-m", "pip", "lock", "-r", "requirements.in", "--index-url", url,
             "-o", "pylock.toml"], project, env)  # fmt: skip
        run([uv, "lock", "--default-index", url], project, env)
        run([poetry, "lock"], project, env)
        out = HERE / name
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        for produced in ("pyproject.toml", "requirements.in", "requirements.txt", "pylock.toml",
                         "uv.lock", "poetry.lock"):  # fmt: skip
            text = (project / produced).read_text()
            (out / produced).write_text(text.replace(origin, PLACEHOLDER))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=Path, required=True, help="venv with uv and poetry")
    args = parser.parse_args()
    with serve_http(lock_index()) as index:
        serve_original(index)
        for name, requirements in (("full", FULL), ("wheels", WHEELS)):
            make_set(name, requirements, index.url, index.base, args.tools)


if __name__ == "__main__":
    main()
