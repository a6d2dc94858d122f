"""Against a real gunicorn: a 300 MB upload to the login page is refused from its Content-Length,
before a byte of it is written to disk, and HEAD is answered (issue 13, items 8 and 15)."""

import socket
import time

import pytest

from tests.gunicorn_server import base_env, gunicorn, manage, request

BODY_BYTES = 300 * 1024 * 1024
BOUNDARY = "----probe"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("gunicorn-limits")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    # Django writes file parts over 2 MB to temporary files in TMPDIR: an empty TMPDIR afterwards
    # shows the body was never parsed.
    env = base_env(tmp_path / "site.sqlite3", TMPDIR=str(scratch))
    manage("migrate", "--noinput", env=env)
    with gunicorn(env, workers=1, access_log=tmp_path / "access.log") as port:
        yield port, scratch


def post_huge_multipart(port: int, path: str) -> tuple[bytes, float]:
    """Send the headers of a 300 MB multipart POST and its first megabyte, then wait for an answer.

    A server that parses the body first keeps waiting for the other 299 MB and never answers.
    """
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {BODY_BYTES}\r\n\r\n"
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(head + b"\0" * (1024 * 1024))
        try:
            answer = sock.recv(4096)
        except TimeoutError:
            answer = b""
    return answer, time.monotonic() - started


def test_a_300_mb_upload_to_the_login_page_is_refused_unread(server):
    port, scratch = server
    answer, seconds = post_huge_multipart(port, "/accounts/login/")

    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert seconds < 15
    assert list(scratch.iterdir()) == []
    # The worker is fine afterwards.
    assert request(port, "GET", "/healthz")[0] == 200


@pytest.mark.parametrize("path", ["/", "/therapists/", "/healthz"])
def test_head_is_answered_without_a_body(server, path):
    port, _ = server
    status, _, body = request(port, "HEAD", path)
    assert status == 200
    assert body == ""
