"""ACC-1 (staff sign-in with TOTP): a new account's authenticator is set up from a QR code drawn on the server, and
`withu user create` works from a script (--password-stdin), printing the otpauth:// URI — never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
import uuid
from pathlib import Path

import pyotp
import segno

from app.domain.enums import Role
from tests.builders import login, make_staff

GOOD_PASSWORD = "amber kettle on the windowsill"


async def test_acc_1_the_enrolment_offer_carries_its_uri_as_a_qr_code(client, uow_factory) -> None:
    """ACC-1: the enrolment page's offer holds the otpauth:// URI and the same URI as a QR code — an SVG data: URI made
    on the server (no third-party QR service ever sees the secret)."""
    admin_h = await login(client, await make_staff(uow_factory, role=Role.sysadmin))
    body = {"email": f"qr-{uuid.uuid4().hex[:8]}@test.withu.local", "display_name": "Q R", "role": "hr_officer"}
    made = await client.post("/api/v1/users", json=body, headers=admin_h)
    assert made.status_code == 201, made.text
    token = made.json()["enrolment"]["enrolment_url"].split("#", 1)[1]
    offer = (await client.post("/api/v1/enrolment/offer", json={"token": token})).json()
    uri = offer["totp_uri"]
    assert pyotp.parse_uri(uri).secret == offer["totp_secret"]
    assert offer["totp_qr"].startswith("data:image/svg+xml")
    assert offer["totp_qr"] == segno.make(uri, error="m").svg_data_uri(scale=5, border=4)  # exactly that URI
    assert offer["totp_secret"] not in urllib.parse.unquote(offer["totp_qr"])  # only as modules, not as text


def _withu(args: list[str], stdin: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WITHU_ENVIRONMENT": "development",
        "WITHU_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "app.cli", *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def test_acc_1_user_create_works_without_a_terminal(tmp_path: Path) -> None:
    """ACC-1: `withu user create --password-stdin` reads the password from a pipe and prints the TOTP secret and its
    otpauth:// URI; with no terminal and no password it says what to pass, exit 2, no traceback; a weak password is
    refused the same way."""
    assert _withu(["migrate"], "", tmp_path).returncode == 0
    base = ["user", "create", "--name", "New Comer", "--role", "sysadmin"]

    made = _withu([*base, "--email", "new@example.org", "--password-stdin"], GOOD_PASSWORD + "\n", tmp_path)
    assert made.returncode == 0, made.stderr
    uri = next(line.split(": ", 1)[1] for line in made.stdout.splitlines() if "otpauth URI" in line)
    totp = pyotp.parse_uri(uri)
    assert totp.issuer == "WithU" and totp.name == "new@example.org" and totp.secret in made.stdout

    for args, stdin, says in (
        ([*base, "--email", "no-tty@example.org"], "", "--password-stdin"),
        ([*base, "--email", "empty@example.org", "--password-stdin"], "\n", "held no password"),
        ([*base, "--email", "weak@example.org", "--password-stdin"], "password\n", "15 characters"),
    ):
        refused = _withu(args, stdin, tmp_path)
        assert refused.returncode == 2 and says in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr and GOOD_PASSWORD not in refused.stderr
