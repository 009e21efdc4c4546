"""F9: a server process of its own that receives one upload and reports how much its peak memory grew.

Run as `python -m tests.evidence_memory_probe FILE WORKDIR [SETTING=VALUE ...]` from the project root. It
migrates a scratch SQLite database in WORKDIR, builds the app, submits a report, opens its inbox, uploads a
small PNG (so every import and code path is warm), then uploads FILE and prints one JSON line: the status, the
problem code, the growth of VmHWM (this process's peak resident memory) over the second upload, and the peak
resident memory of its children. Measured in its own process so nothing else in the test run moves the mark.
"""

from __future__ import annotations

import asyncio
import io
import json
import resource
import sys
from pathlib import Path

import httpx
from PIL import Image

from app.cli import migrate
from app.main import create_app
from app.settings import Settings
from tests.builders import inbox_headers, make_report
from tests.conftest import make_settings


def peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (64, 64), (1, 2, 3, 255)).save(out, "PNG")
    return out.getvalue()


async def probe(content: bytes, settings: Settings) -> dict[str, object]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=120) as client:
            headers = await inbox_headers(client, (await make_report(client))["receipt_code"])
            url = "/api/v1/inbox/evidence"
            warm = await client.post(url, headers=headers, files={"file": ("warm.png", small_png(), "image/png")})
            assert warm.status_code == 201, warm.text
            before = peak_kib()
            response = await client.post(url, headers=headers, files={"file": ("f9.png", content, "image/png")})
            after = peak_kib()
    finally:
        await app.state.runtime.engine.dispose()
    return {
        "status": response.status_code,
        "code": response.json().get("code"),
        "growth_kib": after - before,
        "children_peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }


def main() -> None:
    content, workdir = Path(sys.argv[1]).read_bytes(), Path(sys.argv[2])
    overrides = dict(arg.split("=", 1) for arg in sys.argv[3:])
    settings = make_settings(
        database_url=f"sqlite+aiosqlite:///{workdir}/probe.db", evidence_dir=workdir / "evidence", **overrides
    )
    migrate(settings)  # before the event loop: Alembic's env runs its own
    print(json.dumps(asyncio.run(probe(content, settings))))


if __name__ == "__main__":
    main()
