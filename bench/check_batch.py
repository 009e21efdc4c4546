"""Benchmark: the batch separation check (POST /api/v1/separation/check-batch, issue 17 "the reshuffle") beside one
hand-written SQL statement doing the same check over a VALUES list (bench/raw_batch.py), on the same database, in
the same run, interleaved. Goal (issue 17): 10,000 placements in at most 2x the baseline's time.

1. Directory: bench/separation_check.py's synthetic directory (50,000 employees, 5,000 units, 20,000 assignments)
   through the API's full sync, then 5,000 active orders inserted directly (as that benchmark does).
2. The draft list: 10,000 placements of distinct employees. About a fifth are combinations that only connect a
   separated pair together (both of a pair into one unit or onto one assignment; the victim under someone who moves
   under the respondent; the respondent under a manager who moves under the victim), ~0.5 % cannot be applied
   (unknown employee, unit or assignment, a retired employee); the rest are unit / supervisor / assignment
   placements as the single check's benchmark mixes them, half of those of people with an order towards the other
   person.
3. Each round: the API request (the whole list in one body, keep-alive connection, from the first byte sent to the
   answer read), and the baseline on a plain driver connection (aiosqlite or asyncpg) to the same database: the
   orders read (every active order, `raw/all`; or those named by the MACs of the movers and of everyone below a
   mover with a new supervisor, `raw/mac`), their ids decrypted, then RAW_BATCH, one statement over the placements
   and the orders as VALUES lists. The order alternates between rounds. Every answer of every round is compared
   with the baseline's. The goal's baseline is the faster of the two (medians).

    .venv/bin/python bench/check_batch.py                                    # own server, temporary SQLite
    .venv/bin/python bench/check_batch.py \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/withu_bench_batch   # a fresh, empty database
    .venv/bin/python bench/check_batch.py --smoke        # 1,000 employees, 300 placements; exit 1 on a failure

The server is bench/server.py's own (migrated, 127.0.0.1, a free port, stopped at the end), with the app's own body
limits (the batch's path has its own, `app.api.separation.CHECK_BATCH_BODY_BYTES`). Exit 1 if a request failed or
any answer differed from the baseline's; 2 if the benchmark could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from raw_batch import RawBatch
from separation_check import (
    Directory,
    Http,
    Server,
    build_directory,
    create_client,
    machine,
    pick_pairs,
    seed_orders,
    timed_sync,
    token,
)
from server import exit_on_sigterm, own_server

from app.api.separation import CHECK_BATCH_PATH
from app.db.engine import make_engine

GOAL_RATIO = 2.0
FULL = {"employees": 50_000, "units": 5_000, "assignments": 20_000, "orders": 5_000, "placements": 10_000, "rounds": 5}
SMOKE = {"employees": 1_000, "units": 100, "assignments": 400, "orders": 100, "placements": 300, "rounds": 2}
COMBINATIONS = 0.2  # of the list
INVALID = 0.005


# --- the draft list --------------------------------------------------------------------------------------------


@dataclass
class Draft:
    directory: Directory
    placements: list[dict[str, str]] = field(default_factory=list)
    combinations: int = 0
    invalid: int = 0
    used: set[str] = field(default_factory=set)
    new_supervisor: dict[str, str] = field(default_factory=dict)

    def add(self, placement: dict[str, str]) -> None:
        self.used.add(placement["employee_number"])
        self.placements.append(placement)
        if "supervisor" in placement:
            self.new_supervisor[placement["employee_number"]] = placement["supervisor"]

    def can_supervise(self, supervisor: str | None, mover: str) -> bool:
        """Not the mover, and not below the mover once the placements so far are applied (a draft list has few
        cycles; each one is answered `cycle`, and every chain through it walks in circles in the baseline)."""
        if supervisor is None or supervisor == mover:
            return False
        current: str | None = supervisor
        seen: set[str] = set()
        while current is not None and current not in seen:
            if current == mover:
                return False
            seen.add(current)
            current = self.new_supervisor.get(current, self.directory.supervisor_of.get(current))
        return True


def build_draft(
    snapshot: dict[str, Any], directory: Directory, pairs: list[tuple[str, str]], n: int, rng: random.Random
) -> Draft:
    """n placements of distinct employees: combinations first, then a few that cannot be applied, then a mix."""
    draft = Draft(directory)
    free = [number for number in directory.placeable]
    rng.shuffle(free)

    def someone(*not_these: str) -> str | None:
        while free:
            number = free.pop()
            if number not in draft.used and number not in not_these:
                return number
        return None

    for victim, respondent in rng.sample(pairs, len(pairs)):
        if len(draft.placements) >= n * COMBINATIONS:
            break
        if victim in draft.used or respondent in draft.used:
            continue
        roll = rng.random()
        if roll < 0.35:  # both into one unit
            unit = rng.choice(directory.units)
            moves = [{"employee_number": p, "unit": unit} for p in (victim, respondent)]
        elif roll < 0.6:  # both onto one assignment
            assignment = rng.choice(directory.assignments)
            moves = [{"employee_number": p, "assignment": assignment} for p in (victim, respondent)]
        else:
            middle = someone(victim, respondent)
            if middle is None:
                break
            if roll < 0.85:  # the victim under someone who moves under the respondent
                moves = [
                    {"employee_number": middle, "supervisor": respondent},
                    {"employee_number": victim, "supervisor": middle},
                ]
            else:  # the respondent under a manager who moves under the victim
                moves = [
                    {"employee_number": middle, "supervisor": victim},
                    {"employee_number": respondent, "supervisor": middle},
                ]
        for move in moves:
            if "supervisor" in move and not draft.can_supervise(move["supervisor"], move["employee_number"]):
                break
            draft.add(move)
            draft.combinations += 1

    retired = [e["employee_number"] for e in snapshot["employees"] if e["status"] == "retired"]
    for i in range(max(1, int(n * INVALID)) if n >= 50 else 0):
        kind = i % 5
        if kind == 0:
            draft.add({"employee_number": f"NOBODY-{i}", "unit": rng.choice(directory.units)})
        elif kind == 1 and retired:
            draft.add({"employee_number": retired.pop(), "unit": rng.choice(directory.units)})
        elif kind == 4:  # under themselves: a cycle
            mover = someone()
            if mover is not None:
                draft.add({"employee_number": mover, "supervisor": mover})
        elif (mover := someone()) is not None:
            field_name, value = ("unit", "U-NOWHERE") if kind == 2 else ("assignment", "A-NOWHERE")
            draft.add({"employee_number": mover, field_name: value})
        draft.invalid += 1

    partners: dict[str, list[str]] = {}
    for victim, respondent in pairs:
        partners.setdefault(victim, []).append(respondent)
        partners.setdefault(respondent, []).append(victim)
    kinds = ("unit", "supervisor", "assignment", "unit+supervisor")
    while len(draft.placements) < n:
        mover = someone()
        if mover is None:
            break
        kind = kinds[len(draft.placements) % len(kinds)]
        partner = rng.choice(partners[mover]) if mover in partners and rng.random() < 0.5 else None
        placement = {"employee_number": mover}
        if "unit" in kind:
            placement["unit"] = directory.unit_of[partner] if partner else rng.choice(directory.units)
        if "supervisor" in kind:
            candidates = [partner, directory.supervisor_of.get(partner)] if partner else []
            for _ in range(100):
                found = [c for c in candidates if draft.can_supervise(c, mover)]
                if found:
                    placement["supervisor"] = found[0]
                    break
                candidates = [rng.choice(directory.placeable)]
        if kind == "assignment":
            own = directory.assignments_of.get(partner or "", [])
            placement["assignment"] = rng.choice(own) if own else rng.choice(directory.assignments)
        draft.add(placement)
    return draft


# --- the measurement -------------------------------------------------------------------------------------------


@dataclass
class Round:
    api: float
    raw: dict[str, float]  # by order-reading way: the whole baseline
    statement: dict[str, float]  # RAW_BATCH alone
    counts: dict[str, int]


@dataclass
class Run:
    rounds: list[Round] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    differences: list[tuple[int, dict[str, str], Any, Any]] = field(default_factory=list)
    compared: int = 0


def api_answers(payload: dict[str, Any]) -> list[Any]:
    answers: list[Any] = []
    for result in payload["results"]:
        if result["problem"] is not None:
            answers.append(result["problem"]["code"])
        else:
            answers.append([(r["order_reference"], r["reason"]) for r in result["refusals"]])
    return answers


async def _raw(raw: RawBatch, placements: list[dict[str, str]]) -> tuple[float, float, list[Any]]:
    started = time.perf_counter()
    answers = await raw.check(placements)
    return time.perf_counter() - started, raw.last_statement_seconds, answers


def _api(server: Server, access_token: str, body: bytes, request_timeout: float) -> tuple[float, int, bytes]:
    """One request on a connection of its own (the baseline can take longer than the server keeps an idle
    connection open); the connection is made before the clock starts."""
    http = Http(server.base_url, access_token, request_timeout)
    try:
        http.connection.connect()
        started = time.perf_counter()
        status, content = http.request("POST", CHECK_BATCH_PATH, body)
        return time.perf_counter() - started, status, content
    finally:
        http.close()


async def measure(server: Server, access_token: str, draft: Draft, rounds: int, request_timeout: float) -> Run:
    """One warm-up round (not counted: cold caches), then `rounds` rounds, alternating which side goes first."""
    run = Run()
    body = json.dumps({"placements": draft.placements}).encode()
    engine = make_engine(server.settings.database_url)
    master_key = server.settings.load_master_key()
    try:
        async with engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            raws = {way: RawBatch(driver, server.settings.is_sqlite, master_key, way) for way in ("all", "mac")}
            await raws["all"].prepare()
            for number in range(rounds + 1):
                raw: dict[str, tuple[float, float, list[Any]]] = {}
                if number % 2 == 0:
                    api_seconds, status, content = _api(server, access_token, body, request_timeout)
                for way in ("all", "mac") if number % 2 == 0 else ("mac", "all"):
                    raw[way] = await _raw(raws[way], draft.placements)
                if number % 2 == 1:
                    api_seconds, status, content = _api(server, access_token, body, request_timeout)
                if status != 200:
                    run.failures.append(f"round {number}: HTTP {status} {content[:300]!r}")
                    continue
                payload = json.loads(content)
                got = api_answers(payload)
                for way, (_, _, expected) in raw.items():
                    for i, (a, b) in enumerate(zip(got, expected, strict=True)):
                        run.compared += 1
                        if a != b:
                            run.differences.append((i, draft.placements[i], a, (way, b)))
                if number == 0:
                    continue  # the warm-up
                counts = {k: int(payload[k]) for k in ("allowed", "refused", "invalid")}
                seconds = {way: r[0] for way, r in raw.items()}
                statement = {way: r[1] for way, r in raw.items()}
                run.rounds.append(Round(api_seconds, seconds, statement, counts))
    finally:
        await engine.dispose()
    return run


# --- the report ------------------------------------------------------------------------------------------------


def report(draft: Draft, run: Run, load_before: tuple[float, ...]) -> float | None:
    print(
        f"  draft list: {len(draft.placements)} placements of distinct employees; {draft.combinations} in "
        f"combinations, {draft.invalid} that cannot be applied"
    )
    if run.rounds:
        counts = run.rounds[-1].counts
        print(f"  answered: {counts['allowed']} allowed, {counts['refused']} refused, {counts['invalid']} problems")
    print(f"  answers compared with the baseline: {run.compared}, differing: {len(run.differences)}")
    for i, placement, api, raw in run.differences[:10]:
        print(f"    differs at {i}: {json.dumps(placement)}: API {api}, baseline {raw}")
    for failure in run.failures[:5]:
        print(f"    failed: {failure}")
    if not run.rounds:
        return None
    print(
        "  seconds per round after a warm-up round (API: the whole request; raw: orders read + decrypted + RAW_BATCH; stmt: RAW_BATCH):"
    )
    for i, r in enumerate(run.rounds):
        print(
            f"    round {i}: API {r.api:7.3f}   raw/all {r.raw['all']:7.3f} (stmt {r.statement['all']:.3f})   "
            f"raw/mac {r.raw['mac']:7.3f} (stmt {r.statement['mac']:.3f})"
        )
    api = statistics.median(r.api for r in run.rounds)
    raw = {way: statistics.median(r.raw[way] for r in run.rounds) for way in ("all", "mac")}
    best = min(raw, key=raw.__getitem__)
    statement = statistics.median(r.statement[best] for r in run.rounds)
    ratio = api / raw[best]
    print(f"  median API {api:.3f} s; baseline raw/{best} {raw[best]:.3f} s (its statement alone {statement:.3f} s)")
    verdict = "met" if ratio <= GOAL_RATIO else f"NOT met ({ratio / GOAL_RATIO:.2f}x the allowance)"
    print(f"  goal: the API within {GOAL_RATIO:.0f}x one hand-written statement over a VALUES list")
    print(f"  figure: {api:.3f} s for {len(draft.placements)} placements; ratio {ratio:.2f} -> {verdict}")
    print(f"  ratio to the statement alone (no order look-up, no decryption): {api / statement:.2f}")
    after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"  load average before {', '.join(f'{x:.2f}' for x in load_before)}; after {after}")
    return ratio


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", help="our server's database (default: a temporary SQLite file); use a fresh one")
    p.add_argument("--smoke", action="store_true", help="a tiny, fast run (CI); exit 1 on any failure")
    for name, full in FULL.items():
        p.add_argument(f"--{name}", type=int, help=f"default {full:,} (--smoke: {SMOKE[name]:,})")
    p.add_argument("--seed", type=int, default=7, help="the random choices (default 7)")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds for one request (default 600)")
    p.add_argument("--start-timeout", type=float, default=60.0, help="seconds for our server to answer (default 60)")
    args = p.parse_args(argv)
    for name in FULL:
        if getattr(args, name) is None:
            setattr(args, name, (SMOKE if args.smoke else FULL)[name])
    if min(args.employees, args.units, args.assignments) < 2 or args.placements < 1 or args.rounds < 1:
        p.error("--employees, --units and --assignments must be at least 2, --placements and --rounds at least 1")
    if args.placements > 10_000:
        p.error("--placements: at most 10,000 (the batch's limit)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load = os.getloadavg()
    exit_on_sigterm()
    rng = random.Random(args.seed)
    tag = f"b{secrets.token_hex(2)}"
    snapshot = build_directory(args.employees, args.units, args.assignments, prefix=f"{tag}-", seed=args.seed)
    env = {"WITHU_RATE_TOKEN": "100000/minute"}
    try:
        with own_server(args.database_url, 1, args.start_timeout, env) as server:
            credentials = create_client(server)
            sync = timed_sync(server, token(server, credentials, "personnel:write"), json.dumps(snapshot).encode(), 600)
            directory = Directory(snapshot)
            pairs = pick_pairs(directory, args.orders, rng)
            seeded = asyncio.run(seed_orders(server.settings, pairs, tag))
            draft = build_draft(snapshot, directory, pairs, args.placements, rng)
            check_token = token(server, credentials, "separation:check")
            run = asyncio.run(measure(server, check_token, draft, args.rounds, args.timeout))
            print(f"WithU batch separation check benchmark: {server.description}")
            print(f"  machine: {machine(load, seeded.database_version, server.settings)}")
            print(
                f"  directory: {len(snapshot['employees'])} employees, {len(snapshot['units'])} units, "
                f"{len(snapshot['assignments'])} assignments (full sync {sync.seconds:.1f} s); "
                f"{seeded.orders} active orders"
            )
            report(draft, run, load)
    except (RuntimeError, httpx.HTTPError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    if run.failures or run.differences or not run.rounds:
        print(f"{len(run.failures)} failed request(s), {len(run.differences)} answer(s) differing from the baseline")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
