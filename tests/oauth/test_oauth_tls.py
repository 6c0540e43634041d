"""GitHub Enterprise Server over https with a certificate from a private CA: the fake GitHub
serves TLS with a throw-away certificate made by ``openssl`` for 127.0.0.1."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import IN_CI
from fakes.github import FakeGitHub
from oauth.oauth_helpers import LeakLog, base_args, parse_json, secret_env


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate (and its key, in the same file) for 127.0.0.1."""
    openssl = shutil.which("openssl")
    if openssl is None:
        if IN_CI:
            pytest.fail("openssl is missing in CI")
        pytest.skip("openssl not installed")
    pem = tmp_path_factory.mktemp("tls") / "ghes.pem"
    subject = ["-subj", "/CN=ghes.test", "-addext", "subjectAltName=IP:127.0.0.1"]
    files = ["-keyout", str(pem), "-out", str(pem)]
    command = [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
    subprocess.run([*command, *subject, *files], check=True, capture_output=True)
    return pem


@pytest.fixture
def ghes(certificate: Path, leak_log: LeakLog) -> Iterator[FakeGitHub]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate)
    fake = FakeGitHub(tls=context).start()
    try:
        yield fake
    finally:
        fake.stop()
        leak_log.secrets |= fake.secrets()


def test_private_ca_is_a_tls_failure_that_says_what_to_do(cli, ghes: FakeGitHub) -> None:
    app = ghes.add_app()
    assert ghes.url.startswith("https://")
    run = cli(*base_args(ghes, app.client_id), env=secret_env(app.client_secret), code=3)
    data = parse_json(run)
    assert data["verdict"] == "unreachable"
    assert "TLS failed with 127.0.0.1" in data["detail"]
    assert "REQUESTS_CA_BUNDLE" in data["hint"] and "GitHub Enterprise" in data["hint"]
    assert ghes.requests == []  # nothing was sent over an unverified connection


def test_with_the_ca_in_requests_ca_bundle_it_works(
    cli, ghes: FakeGitHub, certificate: Path
) -> None:
    app = ghes.add_app()
    env = {**secret_env(app.client_secret), "REQUESTS_CA_BUNDLE": str(certificate)}
    run = cli(*base_args(ghes, app.client_id), env=env)
    data = parse_json(run)
    assert data["verdict"] == "credentials-valid"
    assert data["api_url"] == ghes.url + "/api/v3"
