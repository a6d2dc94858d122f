"""A real gunicorn serving the site from a throwaway SQLite database, for tests about several workers.

The test client runs views in-process; what these tests show (a limit shared by two workers, a slow
client holding one worker) only exists with separate processes and real sockets.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(8301, 8310)
SERVER_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "gunicorn-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    # Plain HTTP on loopback; the headers themselves are tested in test_security_headers.py.
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    # Static files without a collectstatic manifest.
    "DJANGO_TESTING": "true",
}


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def manage(*args: str, env: dict) -> None:
    command = [sys.executable, "manage.py", *args]
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)


def base_env(database: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.pop("PYTEST_CURRENT_TEST", None)
    return {**env, **SERVER_ENV, "DATABASE_URL": f"sqlite:///{database}", **extra}


@contextmanager
def gunicorn(env: dict, *, workers: int, access_log: Path, timeout: int = 30, preload: bool = False):
    """Start gunicorn on a free port of ours; yield the port; stop it (and only it) afterwards.

    `preload` loads the application once in the arbiter, so workers start at once: with a short
    --timeout on a busy machine, a worker still importing Django is killed before it ever serves.
    """
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "directory.wsgi",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers),
            "--timeout", str(timeout),
            "--access-logfile", str(access_log),
            "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
            *(["--preload"] if preload else []),
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                # Stop it before reading its stderr: a gunicorn that is still running keeps the pipe
                # open, and the read would wait for ever instead of failing the test.
                process.kill()
                _, errors = process.communicate(timeout=10)
                raise RuntimeError(f"gunicorn did not answer /healthz with 200: {errors.decode()[-2000:]}")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def request(port: int, method: str, path: str, body: str | None = None, headers: dict | None = None):
    """One request on its own connection (no keep-alive), so the kernel may hand it to any worker."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request(method, path, body=body, headers={"Connection": "close", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read().decode(errors="replace")
    finally:
        connection.close()


def csrf_pair(port: int, path: str) -> tuple[str, str]:
    """(cookie header, form token) from a GET of a page with a form."""
    status, headers, body = request(port, "GET", path)
    assert status == 200, status
    cookie = next(value for name, value in headers if name.lower() == "set-cookie" and value.startswith("csrftoken="))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    return cookie.split(";", 1)[0], token


def worker_pids(access_log: Path, method: str, path: str) -> set[str]:
    pids = set()
    for line in access_log.read_text().splitlines():
        pid, line_method, line_path, _status = line.split(" ", 3)
        if line_method == method and line_path == path:
            pids.add(pid)
    return pids
