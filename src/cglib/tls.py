"""The TLS trust every connection cglib makes uses."""

from __future__ import annotations

import os
import ssl

__all__ = ["tls_context"]


def tls_context() -> ssl.SSLContext:
    """Verification is always on.  ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` name the
    trusted CAs when set; otherwise the system's trust store is used together
    with certifi's bundle, so both corporate CAs installed on the machine and
    the public ones work."""
    cafile = os.environ.get("SSL_CERT_FILE") or None
    capath = os.environ.get("SSL_CERT_DIR") or None
    if cafile or capath:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    context = ssl.create_default_context()  # the system's default CA locations
    try:
        import certifi

        context.load_verify_locations(cafile=certifi.where())
    except (ImportError, OSError, ssl.SSLError):  # pragma: no cover - certifi ships with httpx
        pass
    return context
