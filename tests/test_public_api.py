"""The library's public names resolve lazily and stay cheap to import."""

from __future__ import annotations

import subprocess
import sys

import cglib


def test_every_public_name_resolves():
    for name in cglib.__all__:
        assert getattr(cglib, name) is not None


def test_import_is_cheap():
    code = "import sys, cglib; print('httpx' in sys.modules, 'packaging' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_every_error_class_is_public():
    import cglib.errors

    for name in cglib.errors.__all__:
        assert name in cglib.__all__, name
        assert getattr(cglib, name) is getattr(cglib.errors, name)
