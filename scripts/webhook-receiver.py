"""A tiny webhook receiver for trying the integration locally: verifies each event with the Standard Webhooks
library (`standardwebhooks`) and prints it.

    WITHU_WEBHOOK_SECRET=whsec_... .venv/bin/python scripts/webhook-receiver.py 9000
    .venv/bin/python scripts/webhook-receiver.py 9000 whsec_NEW,whsec_OLD

Several secrets, comma-separated (the environment variable or the second argument), are all accepted: a receiver
in the middle of a secret rotation (docs/webhooks.md §5) trusts both. `make install` puts the library in .venv
(the test extras); elsewhere `pip install standardwebhooks==1.1.0`. WithU itself does not need it to send."""

from __future__ import annotations

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

try:
    from standardwebhooks import Webhook, WebhookVerificationError
except ImportError:  # pragma: no cover - explained to whoever runs it
    sys.exit("This receiver needs the Standard Webhooks library: pip install standardwebhooks==1.1.0")

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
SECRETS = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("WITHU_WEBHOOK_SECRET", "")
VERIFIERS = [Webhook(secret.strip()) for secret in SECRETS.split(",") if secret.strip()]
seen: set[str] = set()  # webhook-id of the events already handled: a repeated delivery is acknowledged only


def verified(body: bytes, headers: dict[str, str]) -> dict | None:
    for webhook in VERIFIERS:
        try:
            return webhook.verify(body, headers)
        except WebhookVerificationError:
            continue
    return None


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        event = verified(body, dict(self.headers.items()))
        if event is None:
            self.send_response(401)
            self.end_headers()
            print("refused: bad signature", flush=True)
            return
        if event["id"] not in seen:
            seen.add(event["id"])
            print(f"{event['type']}: {json.dumps(event['data'], ensure_ascii=False)}", flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    if not VERIFIERS:
        sys.exit("Give the subscription's secret: WITHU_WEBHOOK_SECRET=whsec_... (several: comma-separated)")
    HTTPServer(("127.0.0.1", PORT), Receiver).serve_forever()
