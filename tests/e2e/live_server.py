"""A real WithU server for browser tests and Lighthouse: a fresh SQLite database in a temporary folder, migrated
and seeded with the demo staff by the `withu` command, served by `withu serve` on a free 127.0.0.1 port.

The one way to start it, used by the pytest fixture `live_server` and by scripts/lighthouse.sh:

    python -m tests.e2e.live_server -- COMMAND ARG...    # serves, runs COMMAND with WITHU_LIVE_URL set, stops

Settings: development (demo data exists only there), a random master key and JWT secret, the repository's
pwa/ (or WITHU_LIVE_PWA_DIR), cheap Argon2, rate limits no test reaches, no Redis, webhooks to 127.0.0.1 allowed.
Inherited WITHU_* variables are dropped so that the machine's own configuration never leaks in."""

from __future__ import annotations

import base64
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
WITHU = Path(sys.executable).with_name("withu")
HEALTH = "/api/v1/health"
GENEROUS_RATE = "100000/minute"
SEED_LINE = re.compile(r"^\s*(\S+)\s+(\S+@\S+)\s+password\s+(\S+)\s+TOTP secret\s+([A-Z2-7]+)\s*$")
REPORT_LINE = re.compile(r"Demo report (\S+) filed; its receipt code \(shown once\): (.+)$")


@dataclass(frozen=True)
class DemoStaff:
    role: str
    email: str
    password: str
    totp_secret: str

    @property
    def slug(self) -> str:
        return self.email.split("@", 1)[0]


@dataclass
class LiveServer:
    """A running server: `base_url`, the environment it runs with (`env`, also right for any `withu` command
    against the same database: see `withu()`), its folder, the demo staff and the demo report it seeded."""

    base_url: str
    env: dict[str, str]
    workdir: Path
    process: subprocess.Popen[bytes]
    staff: dict[str, DemoStaff] = field(default_factory=dict)  # by slug: "intake", "lead-intake", "head", ...
    demo_case_reference: str | None = None
    demo_receipt_code: str | None = None

    @property
    def host(self) -> str:
        return self.base_url.split("://", 1)[1]

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def withu(self, *args: str, stdin: str | None = None) -> str:
        """Run a `withu` command against this server's database (given `stdin`, e.g. recovery shares, one a line);
        its standard output."""
        return _run([str(WITHU), *args], self.env, self.workdir, stdin)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def server_env(workdir: Path, **overrides: str) -> dict[str, str]:
    """The environment of the server and of every `withu` command for it; `overrides` are settings by field
    name (e.g. rate_login="2/minute", pwa_dir="/tmp/other")."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITHU_")}
    settings = {
        "environment": "development",
        "database_url": f"sqlite+aiosqlite:///{workdir}/withu.db",
        "master_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        "master_key_file": str(workdir / "master.key"),
        "jwt_secret": secrets.token_urlsafe(48),
        "pwa_dir": os.environ.get("WITHU_LIVE_PWA_DIR") or str(ROOT / "pwa"),
        "evidence_dir": str(workdir / "evidence"),
        "argon2_time_cost": "1",
        "argon2_memory_kib": "1024",
        "argon2_parallelism": "1",
        "rate_submit": GENEROUS_RATE,
        "rate_receipt": GENEROUS_RATE,
        "rate_login": GENEROUS_RATE,
        "rate_token": GENEROUS_RATE,
        "webhook_allowed_hosts": "127.0.0.1",  # as `make run`: receivers on this machine (F7)
    }
    settings.update(overrides)
    env.update({f"WITHU_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(cmd: list[str], env: dict[str, str], cwd: Path, stdin: str | None = None) -> str:
    done = subprocess.run(cmd, env=env, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def start(workdir: Path | None = None, *, timeout: float = 30.0, **overrides: str) -> LiveServer:
    """Migrate and seed a fresh database, serve it, and wait until /api/v1/health answers."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="withu-live-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = server_env(workdir, **overrides)
    _run([str(WITHU), "migrate"], env, workdir)
    seeded = _run([str(WITHU), "demo", "seed"], env, workdir)
    staff: dict[str, DemoStaff] = {}
    reference = receipt = None
    for line in seeded.splitlines():
        if m := SEED_LINE.match(line):
            person = DemoStaff(role=m[1], email=m[2], password=m[3], totp_secret=m[4])
            staff[person.slug] = person
        elif m := REPORT_LINE.search(line):
            reference, receipt = m[1], m[2].strip()
    if not staff:
        raise RuntimeError(f"`withu demo seed` printed no logins:\n{seeded}")
    return serve(workdir, env, staff, reference, receipt, timeout=timeout)


def serve(
    workdir: Path,
    env: dict[str, str],
    staff: dict[str, DemoStaff],
    reference: str | None = None,
    receipt: str | None = None,
    *,
    timeout: float = 30.0,
) -> LiveServer:
    """Serve a database that is ready (migrated, its staff known: e.g. a restored copy of a started server's) with
    `env`, and wait until /api/v1/health answers."""
    last_error = ""
    for _attempt in range(3):  # a free port can be taken between probing and binding: try another
        port = free_port()
        log = (workdir / "server.log").open("ab")
        process = subprocess.Popen(  # noqa: S603
            [str(WITHU), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        server = LiveServer(f"http://127.0.0.1:{port}", env, workdir, process, staff, reference, receipt)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(server.url(HEALTH), timeout=2).status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        server.stop()
        last_error = server.log()[-4000:]
    raise RuntimeError(f"the live server did not become healthy:\n{last_error}")


def main(argv: list[str]) -> int:
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        print("usage: python -m tests.e2e.live_server -- COMMAND [ARG...]", file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1 :]
    workdir = Path(tempfile.mkdtemp(prefix="withu-live-"))
    server = start(workdir)
    try:
        print(f"live server on {server.base_url} (folder {workdir})", file=sys.stderr, flush=True)
        return subprocess.call(command, env={**os.environ, "WITHU_LIVE_URL": server.base_url})  # noqa: S603
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
