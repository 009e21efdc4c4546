"""ACC-2: a process starts only with the master key its database's data is encrypted under (reliability review,
finding 5). A development server whose key went missing used to make a new key silently, come up healthy, store new
reports under it and answer 500 for every older one. Real `withu` commands on an SQLite database in a temporary
folder."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.chaos import fleet
from tests.e2e import live_server as live

# a live server's migration and seeding alone can take a minute on a loaded machine
pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="withu-key-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_acc_2_a_server_with_another_master_key_refuses_to_start(workdir: Path) -> None:
    """Migrate and write with key A; then `withu serve` and another command with key B (here: the development
    fallback, a key file that went missing and is made anew) stop at once with exit 2 and one line naming
    WITHU_MASTER_KEY, serving nothing; with key A the server starts and opens the reports written before."""
    key_a = live.server_env(workdir)
    assert fleet.run_withu(key_a, workdir, "migrate").returncode == 0
    seeded = fleet.run_withu(key_a, workdir, "demo", "seed")
    assert seeded.returncode == 0, seeded.stderr
    receipt = next(m[2].strip() for line in seeded.stdout.splitlines() if (m := live.REPORT_LINE.search(line)))

    key_b = {k: v for k, v in key_a.items() if k != "WITHU_MASTER_KEY"}
    key_b["WITHU_MASTER_KEY_FILE"] = str(workdir / "missing" / "master.key")
    port = live.free_port()
    for args in (("serve", "--host", "127.0.0.1", "--port", str(port)), ("demo", "seed")):
        refused = fleet.run_withu(key_b, workdir, *args)
        assert refused.returncode == 2, (args, refused.stdout, refused.stderr)
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1 and "WITHU_MASTER_KEY" in lines[0] and "does not match" in lines[0], lines

    server = subprocess.Popen(  # noqa: S603
        [str(live.WITHU), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=key_a,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=10) as client:
            for _attempt in range(100):
                try:
                    if client.get("/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            opened = client.post("/inbox/session", json={"receipt_code": receipt})
        assert opened.status_code == 200, opened.text
    finally:
        server.terminate()
        server.wait(timeout=15)
