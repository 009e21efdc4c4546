"""The benchmarks' own server: `withu migrate`, then `withu serve` on 127.0.0.1 and a free port, in a fresh
temporary directory (its own master key, a temporary SQLite file unless a database URL is given), stopped at the
end, also on failure. Shared by bench/submit.py and bench/separation_check.py; traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import base64
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from sqlalchemy.engine import make_url

from app.settings import Settings

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Server:
    """A server to measure: our own (workers, log and directory known) or one already running (--url)."""

    base_url: str
    settings: Settings
    description: str
    workers: int | None = None  # unknown for a server we did not start
    log_path: Path | None = None  # our own server's log
    workdir: Path | None = None  # our own server's temporary directory (its CLI runs there)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(base_url: str, server: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited with code {server.returncode} before answering")
            try:
                if client.get("/api/v1/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer GET /api/v1/health with 200 within {timeout:.0f} s")


class BareApp:
    """A factory of bench/bare_app.py under uvicorn with `withu serve`'s options (1 worker, no access log, no server
    header), on 127.0.0.1 and a free port, with `env` added to its environment; started once it answers GET /health,
    stopped by `close` (the benchmarks call it at the end, also on failure)."""

    def __init__(self, factory: str, env: Mapping[str, str], start_timeout: float) -> None:
        self.port = free_port()
        code = (
            f"import uvicorn; uvicorn.run('bare_app:{factory}', factory=True, host='127.0.0.1', "
            f"port={self.port}, workers=1, access_log=False, server_header=False, log_level='warning')"
        )
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", code],
            cwd=Path(__file__).parent,
            stdout=subprocess.DEVNULL,
            env={**os.environ, **env},
        )
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                stop(self.process)
                raise RuntimeError("the bare uvicorn server did not start")
            time.sleep(0.2)

    def close(self) -> None:
        stop(self.process)


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


def show_log(log_path: Path, lines: int = 40) -> None:
    if log_path.exists():
        tail = log_path.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- last {len(tail)} lines of the server log ---", file=sys.stderr)
        print("\n".join(tail), file=sys.stderr)


def show_errors(log_path: Path, limit: int = 60) -> None:
    """The server's error lines and tracebacks (the log carries no report content), before its directory goes."""
    lines = log_path.read_text(errors="replace").splitlines()
    wanted = [line for line in lines if "withu.access" not in line and not line.startswith("INFO:")]
    print(f"--- server log without access lines (last {min(limit, len(wanted))} of {len(wanted)}) ---", file=sys.stderr)
    print("\n".join(wanted[-limit:]), file=sys.stderr)


def check_loopback(url: str, option: str = "--url") -> str:
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise SystemExit(f"{option} must point at 127.0.0.1 (this benchmark sends traffic to loopback only): {url}")
    return url.rstrip("/")


def check_database_loopback(database_url: str | None) -> None:
    """Our own server's database must be local too (PostgreSQL on 127.0.0.1 or a socket; SQLite is a file)."""
    if database_url is None or database_url.startswith("sqlite"):
        return
    host = make_url(database_url).host
    if host not in LOOPBACK | {None}:
        raise SystemExit(f"--database-url must point at 127.0.0.1 (loopback only): {host}")


def exit_on_sigterm() -> None:
    """A terminated benchmark still stops its server (the `finally` in own_server runs on SystemExit)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def withu_executable() -> Path:
    withu = Path(sys.executable).parent / "withu"
    if not withu.exists():
        raise RuntimeError(f"{withu} not found: run this with the project's virtualenv python (.venv/bin/python)")
    return withu


def run_cli(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    """`withu ARGS` in our own server's directory and environment (stdout captured, stderr to the server log)."""
    if server.workdir is None or server.log_path is None:
        raise RuntimeError("the CLI runs only beside our own server")
    done = subprocess.run(  # noqa: S603
        [str(withu_executable()), *args], cwd=server.workdir, capture_output=True, text=True, check=False
    )
    with server.log_path.open("a") as log:
        log.write(done.stderr)
    return done


@contextmanager
def own_server(
    database_url: str | None, workers: int, start_timeout: float, env: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """Migrate and serve a fresh instance on 127.0.0.1; always stopped (and its directory removed) at the end.
    `env` adds WITHU_* settings (e.g. rate limits high enough not to interfere)."""
    check_database_loopback(database_url)
    withu = withu_executable()
    with tempfile.TemporaryDirectory(prefix="withu-bench-") as tmp:
        tmpdir = Path(tmp)
        key_file = tmpdir / "master.key"
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(base64.b64encode(secrets.token_bytes(32)).decode())
        # The benchmark's Settings() and the server read the same environment.
        os.environ.update(
            {
                "WITHU_ENVIRONMENT": "development",
                "WITHU_DATABASE_URL": database_url or f"sqlite+aiosqlite:///{tmpdir / 'bench.db'}",
                "WITHU_MASTER_KEY_FILE": str(key_file),
                "WITHU_PWA_DIR": str(tmpdir / "no-pwa"),
                **(env or {}),
            }
        )
        os.environ.pop("WITHU_MASTER_KEY", None)
        settings = Settings()
        log_path = tmpdir / "server.log"
        with log_path.open("wb") as log:
            migrated = subprocess.run([str(withu), "migrate"], cwd=tmpdir, stdout=log, stderr=log, check=False)  # noqa: S603
        if migrated.returncode != 0:
            show_log(log_path)
            raise RuntimeError(f"`withu migrate` failed with code {migrated.returncode}")
        port = free_port()
        command = [str(withu), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
        with log_path.open("ab") as log:
            server = subprocess.Popen(command, cwd=tmpdir, stdout=log, stderr=log)  # noqa: S603
        failed = True
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_healthy(base_url, server, start_timeout)
            db = make_url(settings.database_url).render_as_string(hide_password=True)
            description = f"own server {base_url}, {workers} worker(s), database {db}"
            yield Server(base_url, settings, description, workers, log_path, tmpdir)
            failed = False
        finally:
            stop(server)
            if failed:
                show_log(log_path)


class Http:
    """A keep-alive HTTP/1.1 connection (the standard library's: the leanest client, so that the figures are the
    server's, not the client's). A failed request closes it and opens a new one (counted in `reconnects`)."""

    def __init__(self, base_url: str, timeout: float) -> None:
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname or "127.0.0.1", parts.port or 80, timeout
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        self.reconnects = 0

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        try:
            self.connection.request("GET", path, headers=headers or {})
            response = self.connection.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.reconnects += 1
            raise
        return response.status, body, (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.connection.close()
