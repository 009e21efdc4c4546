"""A real WithU server on 127.0.0.1 for the SCIM proofs: uvicorn in a thread of its own, serving an app built from
the test settings (the same database as the test's own app), and a synchronous SCIM client over the network
(scim2-client's httpx2 engine), as an integrator's would be."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2
import uvicorn
from scim2_client.engines.httpx2 import SyncSCIMClient

from app.main import create_app
from app.settings import Settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_scim(settings: Settings, token: str) -> Iterator[SyncSCIMClient]:
    """Serve the app on a free port for the duration; yield a SCIM client with the bearer token, undiscovered."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    http = httpx2.Client(
        base_url=f"http://127.0.0.1:{port}/scim/v2", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    try:
        yield SyncSCIMClient(http)
    finally:
        http.close()
        server.should_exit = True
        thread.join(timeout=20)
