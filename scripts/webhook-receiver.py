"""A tiny webhook receiver for trying the integration locally: verifies each event's signature and prints it.

    WITHU_WEBHOOK_SECRET=whsec_... python3 scripts/webhook-receiver.py 9000

Standard library only, so integrators can read it as an example (the verification is the same as
app/integrations/webhook_sender.py::verify_signature, shown in docs/webhooks.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

SECRET = os.environ.get("WITHU_WEBHOOK_SECRET", "")
TOLERANCE = 300


def verified(header: str, body: bytes) -> bool:
    parts = dict(p.strip().partition("=")[::2] for p in header.split(","))
    if not parts.get("t", "").isdigit() or abs(time.time() - int(parts["t"])) > TOLERANCE:
        return False
    expected = hmac.new(SECRET.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not verified(self.headers.get("WithU-Signature", ""), body):
            self.send_response(401)
            self.end_headers()
            print("refused: bad signature", flush=True)
            return
        event = json.loads(body)
        print(f"{event['type']}: {json.dumps(event['data'], ensure_ascii=False)}", flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 9000), Receiver).serve_forever()
