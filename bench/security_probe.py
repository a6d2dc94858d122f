"""Measure the issue-13 probe findings (items 6 to 9) against a checkout, before or after the fixes.

    .venv/bin/python bench/security_probe.py --tree DIR [--port 8102] [--redis redis://127.0.0.1:6379/2]

DIR is the checkout to serve (e.g. `git archive main | tar -x -C /tmp/before` for the "before"
figures). It serves DIR with gunicorn (2 workers, production settings, real PBKDF2 hashing, behind
a pretend proxy so each request can carry its own client address) from a throwaway SQLite database
and prints:
  admin   20 right vs 20 wrong passwords at /admin/login/ and at /accounts/login/ (medians), and how
          many of 40 wrong passwords in a row from one address the admin login checked
  signup  20 signups with a known email vs 20 with new ones (medians)
  body    a 300 MB multipart part posted to /accounts/login/: seconds to the answer, the status,
          and the most bytes seen in the server's temporary directory meanwhile
  png     process_photo on a 6300 x 6300 PNG: seconds and the process's peak memory
"""

import argparse
import contextlib
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

PASSWORD = "the-real-pass-2026"  # noqa: S105 - a throwaway account on a throwaway database
STAFF = "staff@example.com"
TRIES = 20
BOUNDARY = "----probe"


def call(port, method, path, body=None, headers=None, address="10.0.0.1"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        started = time.perf_counter()
        connection.request(method, path, body=body, headers={
            "Connection": "close", "X-Forwarded-For": address, "X-Forwarded-Proto": "https", **(headers or {})})
        response = connection.getresponse()
        page = response.read().decode(errors="replace")
        return response.status, dict(response.getheaders()), page, time.perf_counter() - started
    finally:
        connection.close()


def csrf(port):
    _status, headers, page, _ = call(port, "GET", "/accounts/login/")
    cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return {"Cookie": f"csrftoken={cookie}", "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://127.0.0.1:{port}/"}, token


def timed_logins(port, path, field, password, addresses):
    headers, token = csrf(port)
    times, statuses = [], []
    for address in addresses:
        body = urlencode({"csrfmiddlewaretoken": token, field: STAFF, "password": password})
        status, _, _, seconds = call(port, "POST", path, body, headers, address)
        times.append(seconds)
        statuses.append(status)
    return statistics.median(times), sorted(set(statuses))


def admin(port):
    # A new client address for every attempt, so the per-(account, IP) throttle does not end the measurement.
    addresses = (f"10.1.{n // 250}.{n % 250 + 1}" for n in range(10_000))
    for path, field in (("/admin/login/", "username"), ("/accounts/login/?next=/admin/", "login")):
        right, wrong = [], []
        for _ in range(TRIES):  # alternated, so load on the machine hits both alike
            right.append(timed_logins(port, path, field, PASSWORD, [next(addresses)]))
            wrong.append(timed_logins(port, path, field, "a-wrong-guess", [next(addresses)]))
        r = statistics.median(t for t, _ in right) * 1000
        w = statistics.median(t for t, _ in wrong) * 1000
        print(f"admin  {path:32} right {r:6.0f} ms {sorted({s for _, st in right for s in st})}  "
              f"wrong {w:6.0f} ms {sorted({s for _, st in wrong for s in st})}  wrong/right {w / r:.2f}")
    headers, token = csrf(port)
    checked = 0
    for _ in range(40):
        body = urlencode({"csrfmiddlewaretoken": token, "username": STAFF, "password": "a-wrong-guess"})
        status, _, page, _ = call(port, "POST", "/admin/login/", body, headers, "10.9.9.9")
        checked += status == 200 and "correct email address and password" in page.replace("\n", " ")
    print(f"admin  40 wrong passwords in a row at /admin/login/ from one address: {checked} checked")


def signup(port):
    headers, token = csrf(port)
    known, new = [], []
    for n in range(TRIES):
        for email, times in ((STAFF, known), (f"fresh{n}-{time.time_ns()}@example.com", new)):
            body = urlencode({"csrfmiddlewaretoken": token, "email": email, "password1": "a-long-enough-pass-9",
                              "password2": "a-long-enough-pass-9"})
            status, _, _, seconds = call(port, "POST", "/accounts/signup/", body, headers, f"10.2.{n}.{len(times)+1}")
            assert status == 302, status
            times.append(seconds)
    k, w = statistics.median(known) * 1000, statistics.median(new) * 1000
    print(f"signup known email {k:6.0f} ms  new email {w:6.0f} ms  new/known {w / k:.2f}")


def body(port, scratch: Path):
    peak = [0]
    done = threading.Event()

    def watch():
        while not done.is_set():
            size = sum(f.stat().st_size for f in scratch.rglob("*") if f.is_file())
            peak[0] = max(peak[0], size)
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    total = 300 * 1024 * 1024
    # Plain HTTP, as the probe sent it (over HTTPS the CSRF Referer check happens to refuse first).
    # With a CSRF cookie: without one the CSRF check refuses before it reads the body.
    cookie = csrf(port)[0]["Cookie"]
    head = (f"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: {cookie}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {total}\r\n\r\n").encode()
    part = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    filler = total - len(part) - len(tail)
    started = time.perf_counter()
    sent = 0
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        sock.sendall(head + part)
        chunk = b"\0" * (1024 * 1024)
        try:
            while sent < filler:
                piece = chunk[: min(len(chunk), filler - sent)]
                sock.sendall(piece)
                sent += len(piece)
            sock.sendall(tail)
        except (BrokenPipeError, ConnectionResetError):
            pass
        with contextlib.suppress(ConnectionResetError, TimeoutError):
            answer = sock.recv(200)
    seconds = time.perf_counter() - started
    done.set()
    watcher.join()
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace") or "(connection closed)"
    print(f"body   300 MB part to /accounts/login/: {seconds:.2f} s, {status}, "
          f"{sent / 1024 / 1024:.0f} MB sent, peak {peak[0] / 1024 / 1024:.0f} MB in the server's TMPDIR")


PNG_SCRIPT = """
import io, resource, subprocess, sys, time
from PIL import Image
from django.core.files.uploadedfile import SimpleUploadedFile
import django; django.setup()
from therapists.images import process_photo
size, image_format = (int(sys.argv[1]), int(sys.argv[2])), sys.argv[3]
buffer = io.BytesIO()
# A PNG of one colour compresses to a few hundred KB however many pixels it has (the probe's was 154 KB).
picture = Image.new("RGB", size, (200, 180, 160)) if image_format == "PNG" else (
    Image.effect_noise((64, 64), 40).convert("RGB").resize(size))
picture.save(buffer, format=image_format)
data = buffer.getvalue()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    process_photo(SimpleUploadedFile("probe", data)); result = "accepted"
except Exception as error:
    result = "refused: " + " ".join(getattr(error, "messages", [str(error)]))[:48]
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"png    {len(data) // 1024:5} KB {size[0]}x{size[1]} {image_format}: {seconds:.2f} s, "
      f"peak memory +{(peak - before) / 1024:.0f} MB, {result}")
"""
PHOTOS = [(6300, 6300, "PNG"), (4896, 4896, "PNG"), (6000, 4000, "JPEG"), (4000, 3000, "JPEG")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", required=True, type=Path)
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/2")
    parser.add_argument("what", nargs="*", default=["admin", "signup", "body", "png"])
    args = parser.parse_args()
    tree = args.tree.resolve()
    work = Path(tempfile.mkdtemp(prefix="security-probe-"))
    scratch = work / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update({
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}", "REDIS_URL": args.redis, "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "security-probe-secret-key-0123456789-abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_TESTING": "true",
        "DJANGO_BEHIND_PROXY": "true", "DJANGO_SETTINGS_MODULE": "directory.settings", "TMPDIR": str(scratch),
        "DJANGO_LOG_LEVEL": "ERROR",
    })
    python = sys.executable
    if "png" in args.what:
        for width, height, image_format in PHOTOS:
            # One process each, so each peak is its own.
            subprocess.run([python, "-c", PNG_SCRIPT, str(width), str(height), image_format], cwd=tree, env=env,
                           check=True)
    server_what = [w for w in args.what if w != "png"]
    if not server_what:
        return
    import redis

    redis.Redis.from_url(args.redis).flushdb()
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=tree, env=env, check=True)
    subprocess.run([python, "manage.py", "shell", "-c",
                    f"from accounts.models import User; User.objects.create_superuser(email={STAFF!r}, "
                    f"password={PASSWORD!r})"], cwd=tree, env=env, check=True)
    server = subprocess.Popen([python, "-m", "gunicorn", "directory.wsgi", "--bind", f"127.0.0.1:{args.port}",
                               "--workers", "2", "--timeout", "120"], cwd=tree, env=env,
                              stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                if call(args.port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        for what in server_what:
            {"admin": admin, "signup": signup, "body": lambda port: body(port, scratch)}[what](args.port)
    finally:
        server.terminate()
        server.wait(timeout=20)
        redis.Redis.from_url(args.redis).flushdb()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
