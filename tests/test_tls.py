"""cglib.tls: the TLS context every client uses."""

from __future__ import annotations

import ssl

import pytest

from cglib.tls import tls_context


def test_tls_context_verifies_and_honours_ssl_cert_file(monkeypatch, tmp_path):
    context = tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate")
    monkeypatch.setenv("SSL_CERT_FILE", str(bogus))
    with pytest.raises(ssl.SSLError):
        tls_context()
