"""Benchmark: reading one case (GET /api/v1/cases/{id}) as its handler, beside the signed-in floor — issue 18's speed
goal: the case read's p50 after per-case keys at most 1.2x the p50 measured before (record both with this script).

Run on demand, never as a timed test (`--smoke` is a short run that fails on any error). The benchmark starts its own
server (bench/server.py: `withu migrate`, `withu serve` on 127.0.0.1 and a free port, in a fresh temporary directory
with its own master key) and builds one realistic case through the public API only: a personnel-system client
(`withu client create`, OAuth2 client credentials) syncs a one-organisation directory with the two staff members'
employee numbers (F2: a case-team account sees no case without that match); `withu user create` makes a team lead
and a handler of the case's team; one confidential third-party report is submitted (POST /api/v1/reports: a
~2,000-character narrative, the reporter's identity, victim, respondent, witnesses, workplace, wishes); the team lead
signs in (password + TOTP) and assigns the handler; the handler and the reporter (inbox session with the receipt
code) exchange 10 messages (one of them an internal note); the handler attaches a text file and the reporter a small
PNG. The handler's reads are checked to carry the narrative, the reporter's identity, the 10 messages and 2 files.

Then, as the handler, after a warm-up, N rounds through one keep-alive HTTP/1.1 connection, each sequentially:
  GET /api/v1/cases/{id}            the case: reports (decrypted narrative, identity, details), messages, deadlines
  GET /api/v1/cases/{id}/evidence   the case's files' metadata
  GET /api/v1/auth/me               the floor: the same token and staff look-ups, no case
(There is no GET /cases/{id}/messages: the conversation comes with the case.) Printed: p50, p99 and mean of each in
ms, and the ratio of the case read to the floor. An expired access token (15 min) is refreshed and the request
repeated (not counted).

    .venv/bin/python bench/case_read.py                  # 300 rounds, temporary SQLite
    .venv/bin/python bench/case_read.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/SCRATCH_DB
    .venv/bin/python bench/case_read.py --smoke          # 20 rounds; exit 1 on a failure
    cd OTHER_TREE && .venv/bin/python /work/main/bench/case_read.py   # another checkout's app, its venv's withu

The `withu` run is the one beside the Python running the benchmark (bench/server.py), and `app` is imported from
that Python's environment, so running another checkout's venv python measures that checkout; `--withu` checks that
the executable is the expected one. Exit 1 if a request failed or an answer lacked what was built; 2 if the
benchmark could not run. Traffic goes to 127.0.0.1 only; nothing of the report's content is printed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import secrets
import statistics
import struct
import sys
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyotp
import server as bench_server
from server import Http, Server, exit_on_sigterm, own_server, run_cli, show_errors

PASSWORD = "bench-case-read-password-1"
STAFF_NUMBERS = {"lead": "E-BENCH-READ-LEAD", "handler": "E-BENCH-READ-HANDLER"}
ORGANISATION = "ORG-BENCH-READ"
WARMUP = 10
MESSAGES = 10
CATEGORY = "sexual_harassment"

NARRATIVE = (
    "I am writing on behalf of my colleague, who works as a contract administrator in our procurement unit. She "
    "agreed that I report this and asked that her name is only shared with the case team. Since March the deputy "
    "head of our unit has repeatedly made remarks about her figure and her clothes, at first in passing and later "
    "openly in front of other staff, for example asking whether she dressed like that for him and commenting on "
    "her legs during the weekly planning meeting. She told him twice, once by message and once in person, that "
    "the remarks made her uncomfortable and that she wanted them to stop. He laughed it off and said she should "
    "not be so sensitive. "
    "On the evening of the unit's spring dinner he sat next to her although seats had been arranged, put his hand "
    "on her knee under the table several times and, when she got up to leave, followed her into the corridor near "
    "the lifts, stood very close, put his arm around her waist and tried to kiss her. She pushed him away and went "
    "back into the room. Two colleagues from the budget team saw her come back upset, and one of them saw him "
    "return from the corridor right after her. I was at the dinner too and she told me what happened that same "
    "night, in the taxi home; she was shaking and crying. "
    "Since then he has changed how he treats her at work. He took her off the framework contract she had prepared "
    "for months and gave it to a newer colleague, he has stopped copying her on e-mails she needs for her work, "
    "and last week he wrote in her mid-year review that she lacks commitment, which nobody had said before. He "
    "also made a comment in front of the team that some people cannot take a joke and should think about their "
    "future here. She is afraid that her contract, which ends in December, will not be renewed, and she has been "
    "on sick leave for three days because she cannot sleep. "
    "She kept the messages she sent him and his answers, and she wrote down the dates of the remarks she "
    "remembers. She would like the remarks and the touching to stop, to be moved out of his reporting line while "
    "this is looked at, and to be protected from any effect on her contract. She does not want him to be told who "
    "reported until she has spoken with someone from the case team. We can both be reached by e-mail during "
    "working hours; please do not call her at home."
)
REPORT: dict[str, Any] = {
    "reporter_kind": "third_party",
    "identity_mode": "confidential",
    "narrative": NARRATIVE,
    "reporter": {"name": "Bench Reporter", "email": "bench.reporter@withu-bench.kr", "phone": "+82 2 555 0101"},
    "category": CATEGORY,
    "occurred_on": "2026-04-17",
    "occurred_when": "The spring dinner of the unit, and remarks since March in meetings and at her desk.",
    "location": "The restaurant on the second floor of the annex building, and the corridor near the lifts.",
    "respondent": {"name": "Bench Respondent", "description": "Deputy head of the procurement unit."},
    "victim": {"name": "Bench Victim", "description": "Contract administrator in the procurement unit."},
    "witnesses": [
        {"name": "Bench Witness One", "description": "Budget team, saw her come back upset."},
        {"name": "Bench Witness Two", "description": "Budget team, saw him return from the corridor."},
    ],
    "workplace": {"kind": "smg", "name": "Bench City Hall", "unit": "Procurement unit"},
    "wishes": "Stop the behaviour, move her out of his reporting line, protect her contract renewal.",
}
STAFF_REPLIES = [
    "Thank you for reporting this. I am the handler of this case; we will contact you within three working days.",
    "Could your colleague tell us whether she prefers to be contacted by e-mail or through this inbox?",
    "We have noted her wish not to be named to the respondent for now. Nothing is shared without her consent.",
    "Please send the messages she kept when convenient; a screenshot or a text copy is enough.",
]
INTERNAL_NOTE = "Internal: witnesses from the budget team to be interviewed; check the review date against the dinner."
REPORTER_MESSAGES = [
    "Thank you. She prefers e-mail during working hours, and this inbox otherwise.",
    "She spoke with the union representative yesterday, who advised her to keep a diary of what happens.",
    "I attach a copy of the exchange of messages she had with him in March.",
    "Her sick leave was extended until Friday. She would like to know what happens next.",
    "She also remembers a remark at the end-of-year party, with two people from another unit present.",
]
EVIDENCE_TEXT = (
    "Messages of 12 March: 'Please stop commenting on my clothes, it makes me uncomfortable.' - "
    "Reply: 'Relax, it was a compliment. Don't be so sensitive.'\n"
    "Messages of 3 April: 'I asked you to stop.' - Reply: 'We will talk about your attitude at the review.'\n"
)


def percentile(values: Iterable[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def small_png(width: int = 24, height: int = 16) -> bytes:
    """A small RGB PNG (a gradient) written by hand: no imaging library needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(
        b"\x00" + b"".join(bytes((x * 10 % 256, y * 15 % 256, 128)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


# --- the staff and their sign-in ----------------------------------------------------------------------------------


@dataclass
class Account:
    email: str
    totp_secret: str
    access_token: str = ""
    refresh_token: str = ""
    last_step: int = -1  # the TOTP step used last: a step is accepted once

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def create_staff(server: Server, role: str, team: str, employee_number: str) -> Account:
    """A staff account through `withu user create`; its e-mail and TOTP secret."""
    email = f"bench-read-{role}-{secrets.token_hex(3)}@bench.withu.local"
    args = ["user", "create", "--email", email, "--name", f"Bench {role}", "--role", role, "--password", PASSWORD]
    done = run_cli(server, *args, "--team", team, "--employee-number", employee_number)
    found = re.search(r"TOTP secret[^:]*: ([A-Z2-7]+)", done.stdout)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"`withu user create` failed with code {done.returncode}")
    return Account(email, found.group(1))


def sign_in(client: httpx.Client, account: Account) -> None:
    """Password + TOTP (waits for the next 30-second step if this account's last code was of the current one)."""
    while int(time.time() // 30) == account.last_step:
        time.sleep(0.5)
    account.last_step = int(time.time() // 30)
    body = {"email": account.email, "password": PASSWORD, "totp": pyotp.TOTP(account.totp_secret).now()}
    response = client.post("/api/v1/auth/login", json=body)
    expect(response, 200, "sign-in")
    tokens = response.json()
    account.access_token, account.refresh_token = tokens["access_token"], tokens["refresh_token"]


def refresh(client: httpx.Client, account: Account) -> None:
    """A new access token from the refresh token; a new sign-in if the session is gone (idle limit)."""
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    if response.status_code != 200:
        sign_in(client, account)
        return
    tokens = response.json()
    account.access_token, account.refresh_token = tokens["access_token"], tokens["refresh_token"]


def expect(response: httpx.Response, status: int, what: str) -> None:
    if response.status_code != status:
        problem = response.json() if "json" in response.headers.get("content-type", "") else {}
        fields = [".".join(map(str, e.get("loc", []))) for e in problem.get("errors", []) if isinstance(e, dict)]
        where = f" at {', '.join(fields)}" if fields else ""  # where, never the value sent (report content)
        raise RuntimeError(f"{what}: HTTP {response.status_code} {problem.get('code', '')}{where} (expected {status})")


# --- the case, through the public API -----------------------------------------------------------------------------


@dataclass
class Built:
    case_id: str
    case_bytes: int
    evidence_bytes: int
    messages: int
    files: int


def sync_directory(server: Server, client: httpx.Client) -> None:
    """F2: the staff members' employee numbers in the directory, sent by a personnel-system client (OAuth2)."""
    done = run_cli(
        server, "client", "create", "--name", "bench personnel", "--kind", "hr_system", "--scopes", "personnel:write"
    )
    client_id = re.search(r"client_id:\s+(\S+)", done.stdout)
    client_secret = re.search(r"client_secret:\s+(\S+)", done.stdout)
    if done.returncode != 0 or not client_id or not client_secret:
        raise RuntimeError(f"`withu client create` failed with code {done.returncode}")
    form = {
        "grant_type": "client_credentials",
        "client_id": client_id.group(1),
        "client_secret": client_secret.group(1),
    }
    token = client.post("/api/v1/oauth/token", data=form)
    expect(token, 200, "client token")
    snapshot = {
        "as_of": datetime.now(UTC).isoformat(),
        "organisations": [{"id": ORGANISATION, "name": "Bench City Hall", "kind": "smg"}],
        "units": [{"id": "U-BENCH-READ", "organisation": ORGANISATION, "name": "Gender-violence division"}],
        "employees": [
            {"employee_number": number, "organisation": ORGANISATION, "unit": "U-BENCH-READ", "status": "active"}
            for number in STAFF_NUMBERS.values()
        ],
    }
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    expect(client.post("/api/v1/personnel/sync", json=snapshot, headers=headers), 200, "directory sync")


def build_case(server: Server, client: httpx.Client) -> tuple[Built, Account]:
    """One report and its handling, as described in the module docstring; the handler's account, signed in."""
    sync_directory(server, client)
    team = server.settings.routing.get(CATEGORY, "intake_counselling")
    lead = create_staff(server, "team_lead", team, STAFF_NUMBERS["lead"])
    handler_role = "intake" if team == "intake_counselling" else "investigator"
    handler = create_staff(server, handler_role, team, STAFF_NUMBERS["handler"])

    submitted = client.post("/api/v1/reports", json=REPORT)
    expect(submitted, 201, "report submission")
    receipt, reference = submitted.json()["receipt_code"], submitted.json()["case_reference"]

    sign_in(client, lead)
    sign_in(client, handler)
    page = client.get("/api/v1/cases", params={"reference": reference}, headers=lead.headers)
    expect(page, 200, "the team lead's queue")
    if page.json()["total"] != 1:
        raise RuntimeError("the team lead does not see the new case (directory match, team?)")
    case_id = page.json()["items"][0]["id"]
    me = client.get("/api/v1/auth/me", headers=handler.headers)
    expect(me, 200, "the handler's /auth/me")
    assigned = client.post(f"/api/v1/cases/{case_id}/handlers", json={"user_id": me.json()["id"]}, headers=lead.headers)
    expect(assigned, 201, "assignment of the handler")

    session = client.post("/api/v1/inbox/session", json={"receipt_code": receipt})
    expect(session, 200, "inbox session")
    reporter = {"Authorization": f"Bearer {session.json()['access_token']}"}
    staff_messages = [*[{"body": b} for b in STAFF_REPLIES], {"body": INTERNAL_NOTE, "internal": True}]
    for staff_message, reporter_message in zip(staff_messages, REPORTER_MESSAGES, strict=True):
        sent = client.post(f"/api/v1/cases/{case_id}/messages", json=staff_message, headers=handler.headers)
        expect(sent, 201, "a staff message")
        expect(client.post("/api/v1/inbox/messages", json={"body": reporter_message}, headers=reporter), 201, "inbox")

    text_file = {"file": ("messages.txt", EVIDENCE_TEXT.encode(), "text/plain")}
    uploaded = client.post(
        f"/api/v1/cases/{case_id}/evidence",
        files=text_file,
        data={"description": "Copy of the messages of March and April, typed by the reporter."},
        headers=handler.headers,
    )
    expect(uploaded, 201, "the handler's evidence upload")
    picture = {"file": ("screen.png", small_png(), "image/png")}
    sent_png = client.post(
        "/api/v1/inbox/evidence",
        files=picture,
        data={"description": "Screenshot of the seating plan."},
        headers=reporter,
    )
    expect(sent_png, 201, "the reporter's evidence upload")

    case = client.get(f"/api/v1/cases/{case_id}", headers=handler.headers)
    expect(case, 200, "the handler's case read")
    files = client.get(f"/api/v1/cases/{case_id}/evidence", headers=handler.headers)
    expect(files, 200, "the handler's evidence list")
    body = case.json()
    narrative_shown = any(r["narrative"] == NARRATIVE for r in body["reports"])
    identity_shown = any((r["reporter"] or {}).get("name") == REPORT["reporter"]["name"] for r in body["reports"])
    if not narrative_shown or not identity_shown:
        raise RuntimeError("the handler's case read lacks the decrypted narrative or the reporter's identity")
    ours = {INTERNAL_NOTE, *STAFF_REPLIES, *REPORTER_MESSAGES}
    written = sum(m["body"] in ours for m in body["messages"])  # besides them, the service's own notices
    if written != MESSAGES or len(files.json()["items"]) != 2:
        raise RuntimeError(
            f"the case shows {written} of the messages written and {len(files.json()['items'])} files, "
            f"not {MESSAGES} and 2"
        )
    built = Built(case_id, len(case.content), len(files.content), len(body["messages"]), len(files.json()["items"]))
    return built, handler


# --- the measurement ----------------------------------------------------------------------------------------------


@dataclass
class Series:
    name: str
    path: str
    ms: list[float] = field(default_factory=list)


@dataclass
class Run:
    series: list[Series]
    failures: list[str] = field(default_factory=list)
    refreshes: int = 0
    seconds: float = 0.0


def measure(server: Server, handler: Account, case_id: str, rounds: int, warmup: int, timeout: float) -> Run:
    """`warmup` rounds not counted, then `rounds` rounds; each the case, its files, and the floor, in turn."""
    run = Run(
        [
            Series("case", f"/api/v1/cases/{case_id}"),
            Series("evidence list", f"/api/v1/cases/{case_id}/evidence"),
            Series("floor /auth/me", "/api/v1/auth/me"),
        ]
    )
    connection = Http(server.base_url, timeout)
    started = time.perf_counter()
    try:
        with httpx.Client(base_url=server.base_url, timeout=timeout) as client:
            for round_number in range(warmup + rounds):
                for series in run.series:
                    status, _, ms = connection.get(series.path, handler.headers)
                    if status == 401:  # the access token expired: refresh, repeat, do not count
                        refresh(client, handler)
                        run.refreshes += 1
                        status, _, ms = connection.get(series.path, handler.headers)
                    if status != 200:
                        run.failures.append(f"{series.name}: HTTP {status}")
                    elif round_number >= warmup:
                        series.ms.append(ms)
    finally:
        run.seconds = time.perf_counter() - started
        connection.close()
    return run


# --- the report ---------------------------------------------------------------------------------------------------


def report(
    args: argparse.Namespace,
    description: str,
    built: Built,
    run: Run,
    load_before: tuple[float, ...],
    load_after: tuple[float, ...],
) -> int:
    import app  # where the measured code comes from (another checkout's venv measures that checkout)

    print(f"WithU case read benchmark: {description}")
    print(f"  app from {Path(app.__file__).parent}, withu {bench_server.withu_executable()}")
    print(
        f"  machine: {os.cpu_count()} CPUs; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after "
        f"(1 min; another process's work skews every figure)"
    )
    print(
        f"  the case: 1 report (narrative {len(NARRATIVE):,} characters), {built.messages} messages ({MESSAGES} "
        f"written, the rest the service's notices), {built.files} files; answers {built.case_bytes:,} B (case), {built.evidence_bytes:,} B (evidence list)"
    )
    print(
        f"  {args.requests} rounds after {WARMUP} warm-up, sequential, one keep-alive connection ({run.seconds:.1f} s)"
    )
    print(f"  {'request':<32} {'p50':>7} {'p99':>7} {'mean':>7}  {'p50 / floor':>11}  (ms)")
    floor = run.series[-1]
    floor50 = percentile(floor.ms, 50) if floor.ms else float("nan")
    for series in run.series:
        if not series.ms:
            continue
        p50, p99, mean = percentile(series.ms, 50), percentile(series.ms, 99), statistics.fmean(series.ms)
        label = f"GET {series.path.replace(built.case_id, '{id}')}"
        print(f"  {label:<32} {p50:>7.2f} {p99:>7.2f} {mean:>7.2f}  {p50 / floor50:>11.2f}")
    case = run.series[0]
    if case.ms and floor.ms:
        net = percentile(case.ms, 50) - floor50
        print(f"  the case read's own work (case p50 - floor p50): {net:.2f} ms")
    if run.refreshes:
        print(f"  access token refreshed {run.refreshes} time(s) (the repeated requests counted, not the 401s)")
    for line in run.failures[:10]:
        print(f"  failure: {line}")
    return 1 if run.failures else 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", help="our server's database (default: a temporary SQLite file); use a fresh one")
    p.add_argument("--smoke", action="store_true", help="a short run (20 rounds); exit 1 on any failure")
    p.add_argument("--requests", type=int, help="rounds measured, each request once per round (default 300)")
    p.add_argument("--withu", type=Path, help="check that the `withu` used is this one (it is the one beside python)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default 60)")
    p.add_argument("--start-timeout", type=float, default=60.0, help="seconds for our server to answer (default 60)")
    args = p.parse_args(argv)
    args.requests = args.requests or (20 if args.smoke else 300)
    if args.requests < 1:
        p.error("--requests must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.withu is not None and args.withu.resolve() != bench_server.withu_executable().resolve():
        print(
            f"--withu {args.withu} is not the withu beside this python ({bench_server.withu_executable()}): run the "
            f"benchmark with that checkout's .venv/bin/python",
            file=sys.stderr,
        )
        return 2
    load_before = os.getloadavg()
    exit_on_sigterm()
    env = {"WITHU_RATE_LOGIN": "100000/minute", "WITHU_RATE_RECEIPT": "100000/minute"}
    try:
        with own_server(args.database_url, 1, args.start_timeout, env) as server:
            try:
                with httpx.Client(base_url=server.base_url, timeout=args.timeout) as client:
                    built, handler = build_case(server, client)
                run = measure(server, handler, built.case_id, args.requests, WARMUP, args.timeout)
            except (RuntimeError, httpx.HTTPError, OSError, http.client.HTTPException):
                if server.log_path is not None:
                    show_errors(server.log_path)
                raise
            description = server.description
            if run.failures and server.log_path is not None:
                show_errors(server.log_path)
    except (RuntimeError, httpx.HTTPError, OSError, http.client.HTTPException, json.JSONDecodeError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    return report(args, description, built, run, load_before, os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
