"""Benchmark: staff work during an anonymous flood (reliability review §6; issue 15, "Build and prove" 5).

Starts its own server (bench/server.py: `withu migrate`, `withu serve` on 127.0.0.1, default Argon2, default
submission ceiling) with 127.0.0.1 as the trusted proxy, so each flooding request can come from its own address
(X-Forwarded-For), as a botnet's would. A staff member (division head, `withu user create`) sends
`GET /api/v1/cases?limit=50` one request every 0.25 s: first while quiet, then during the flood — N concurrent
anonymous submitters and N/4 receipt guessers (random codes, and wrong codes at one acknowledged report's locator).
Afterwards every acknowledged receipt code must open its inbox (INT-7: nothing acknowledged is lost).

Reports: staff p50/p99 quiet and flooded, their ratio (goal ≤ 3), staff errors (goal 0), submissions answered
201/503/other, guesses, and acknowledged reports lost (goal 0). Exit 1 when a goal is missed (not with --smoke,
which only fails on errors and losses).

    .venv/bin/python bench/flood.py --smoke        # CI: a few seconds
    .venv/bin/python bench/flood.py                # 20 s quiet, 60 s flood, 32 submitters
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import sys
import time
import uuid
from collections import Counter

import httpx
from case_queue import PASSWORD, percentile
from server import Server, exit_on_sigterm, own_server, run_cli

from app.domain import receipt

NARRATIVE = "Flood benchmark report. The section chief commented on my body at the team dinner. " + "x" * 300
STAFF_EVERY = 0.25  # seconds between the staff member's requests
GOAL_RATIO = 3.0


def create_head(server: Server) -> dict[str, str]:
    email = f"bench-head-{secrets.token_hex(3)}@bench.withu.local"
    done = run_cli(server, "user", "create", "--email", email, "--name", "Bench head", "--role", "division_head",
                   "--password", PASSWORD)  # fmt: skip
    secret = done.stdout.split("TOTP secret")[1].split(":", 1)[1].split()[0] if "TOTP secret" in done.stdout else ""
    if done.returncode != 0 or not secret:
        raise RuntimeError(f"`withu user create` failed with code {done.returncode}")
    import pyotp

    body = {"email": email, "password": PASSWORD, "totp": pyotp.TOTP(secret).now()}
    response = httpx.post(f"{server.base_url}/api/v1/auth/login", json=body, timeout=60)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def address() -> str:
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


async def staff_probe(client: httpx.AsyncClient, headers: dict[str, str], until: float) -> tuple[list[float], int]:
    timings, errors = [], 0
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            response = await client.get("/api/v1/cases", params={"limit": "50"}, headers=headers)
            if response.status_code == 200:
                timings.append((time.monotonic() - started) * 1000)
            else:
                errors += 1
        except httpx.HTTPError:
            errors += 1
        await asyncio.sleep(max(0.0, STAFF_EVERY - (time.monotonic() - started)))
    return timings, errors


async def staff_probe_on_own_loop(base_url: str, headers: dict[str, str], until: float) -> tuple[list[float], int]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as staff:
        return await staff_probe(staff, headers, until)


async def submitter(client: httpx.AsyncClient, until: float, answers: Counter[str], codes: list[str]) -> None:
    while time.monotonic() < until:
        body = {
            "reporter_kind": "third_party",
            "identity_mode": "anonymous",
            "category": "other",
            "narrative": NARRATIVE,
        }
        headers = {"Idempotency-Key": uuid.uuid4().hex, "X-Forwarded-For": address()}
        try:
            response = await client.post("/api/v1/reports", json=body, headers=headers)
        except httpx.HTTPError as exc:
            answers[type(exc).__name__] += 1
            continue
        answers[str(response.status_code)] += 1
        if response.status_code == 201:
            codes.append(response.json()["receipt_code"])
        elif response.status_code == 503:
            await asyncio.sleep(min(5.0, float(response.headers.get("retry-after", "1"))))


async def guesser(client: httpx.AsyncClient, until: float, answers: Counter[str], target: str) -> None:
    while time.monotonic() < until:
        locator = receipt.split(receipt.normalize(target) or "")[0] if random.random() < 0.5 else ""
        code = locator + "".join(random.choices(receipt.ALPHABET, k=receipt.CODE_CHARS - len(locator)))
        try:
            response = await client.post(
                "/api/v1/inbox/session", json={"receipt_code": code}, headers={"X-Forwarded-For": address()}
            )
            answers[str(response.status_code)] += 1
        except httpx.HTTPError as exc:
            answers[type(exc).__name__] += 1


async def lost(client: httpx.AsyncClient, codes: list[str]) -> int:
    """Acknowledged receipt codes that do not open their inbox (each from its own address: no rate limit)."""
    missing = 0
    for code in codes:
        for _ in range(20):
            response = await client.post(
                "/api/v1/inbox/session", json={"receipt_code": code}, headers={"X-Forwarded-For": address()}
            )
            if response.status_code != 503:
                break
            await asyncio.sleep(1)
        missing += response.status_code != 200
    return missing


async def run(server: Server, args: argparse.Namespace) -> dict[str, object]:
    headers = create_head(server)
    limits = httpx.Limits(max_connections=args.concurrency * 2)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as staff, \
            httpx.AsyncClient(base_url=server.base_url, timeout=60, limits=limits) as flood:  # fmt: skip
        quiet, quiet_errors = await staff_probe(staff, headers, time.monotonic() + args.quiet)
        codes: list[str] = []
        submissions: Counter[str] = Counter()
        guesses: Counter[str] = Counter()
        await submitter(flood, time.monotonic() + 0.1, submissions, codes)  # one report whose locator is guessed
        target = codes[0] if codes else "0" * receipt.CODE_CHARS
        until = time.monotonic() + args.flood
        load_before = os.getloadavg()[0]
        tasks = [submitter(flood, until, submissions, codes) for _ in range(args.concurrency)]
        tasks += [guesser(flood, until, guesses, target) for _ in range(max(1, args.concurrency // 4))]
        # The staff member is not on the flooding machine: their probe runs on its own thread and event loop, so
        # that what it measures is the server's answer, not this process's queue of flooding coroutines.
        (flooded, flood_errors), *_ = await asyncio.gather(
            asyncio.to_thread(asyncio.run, staff_probe_on_own_loop(server.base_url, headers, until)), *tasks
        )
        load_after = os.getloadavg()[0]
        missing = await lost(flood, codes)
    return {
        "quiet": quiet, "flooded": flooded, "staff_errors": quiet_errors + flood_errors, "submissions": submissions,
        "guesses": guesses, "acknowledged": len(codes), "lost": missing, "load": (load_before, load_after),
    }  # fmt: skip


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", help="our server's database (default: a temporary SQLite file); use a fresh one")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--smoke", action="store_true", help="a few seconds (CI); exit 1 on staff errors or losses")
    p.add_argument("--quiet", type=float, help="seconds of quiet measurement, default 20 (--smoke: 2)")
    p.add_argument("--flood", type=float, help="seconds of flood, default 60 (--smoke: 3)")
    p.add_argument("--concurrency", type=int, help="concurrent submitters, default 32 (--smoke: 4)")
    p.add_argument("--start-timeout", type=float, default=60.0)
    args = p.parse_args(argv)
    args.quiet = args.quiet or (2.0 if args.smoke else 20.0)
    args.flood = args.flood or (3.0 if args.smoke else 60.0)
    args.concurrency = args.concurrency or (4 if args.smoke else 32)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    env = {"WITHU_TRUSTED_PROXIES": "127.0.0.1", "WITHU_RATE_LOGIN": "100000/minute"}
    try:
        with own_server(args.database_url, args.workers, args.start_timeout, env) as server:
            r = asyncio.run(run(server, args))
    except (RuntimeError, httpx.HTTPError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    quiet, flooded = r["quiet"], r["flooded"]
    q50, q99 = percentile(quiet, 50), percentile(quiet, 99)  # type: ignore[arg-type]
    f50, f99 = percentile(flooded, 50), percentile(flooded, 99)  # type: ignore[arg-type]
    ratio = f99 / q99 if q99 else float("inf")
    print(f"WithU flood benchmark: {server.description}")
    print(f"  {args.concurrency} submitters and {max(1, args.concurrency // 4)} receipt guessers for {args.flood:.0f} s;"
          f" load average {r['load'][0]:.2f} -> {r['load'][1]:.2f}")  # type: ignore[index]  # fmt: skip
    print(f"  staff GET /cases  quiet p50 {q50:.1f} p99 {q99:.1f} ms ({len(quiet)})"  # type: ignore[arg-type]
          f" | flood p50 {f50:.1f} p99 {f99:.1f} ms ({len(flooded)})")  # type: ignore[arg-type]  # fmt: skip
    print(f"  p99 ratio flood/quiet {ratio:.2f} (goal <= {GOAL_RATIO:.0f}); staff errors {r['staff_errors']} (goal 0)")
    print(f"  submissions {dict(r['submissions'])}; guesses {dict(r['guesses'])}")  # type: ignore[call-overload]
    print(f"  acknowledged {r['acknowledged']}, lost {r['lost']} (goal 0)")
    if r["staff_errors"] or r["lost"]:
        return 1
    return 0 if args.smoke or ratio <= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
