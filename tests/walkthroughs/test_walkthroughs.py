"""The walkthroughs of README.md and docs/*.md run as written (issue 14), so that they cannot rot.

A shell block (```sh, ```bash, ```console) is marked by an HTML comment on the line before its fence:
`<!-- walkthrough: NAME -->` — run, with the other blocks of NAME, in order, as one `bash` with
`set -euo pipefail` — or `<!-- not run: REASON -->` (deployment, benchmarks, reference snippets with
placeholders). An unmarked shell block fails the first test, so nobody adds one without deciding.

Each order runs on a fresh server started the way `make run` starts one (tests/e2e/live_server.py: migrate, demo
seed, serve on a free 127.0.0.1 port; and the worker beside it), the docs' `http://127.0.0.1:8000` replaced by that
server's address. The walkthroughs run as listed on one server and reversed on another, so each runs after
every other and before it: none may depend on another or leave anything (a receiver, a subscription) that breaks
one after it. `curl` is wrapped to log each answer's status; an answer of 500 or above fails, and so does any 4xx
the walkthrough does not show on purpose (EXPECTED_REFUSALS). No walkthrough block may hold a fixed date: dates
are computed in the shell, so a walkthrough runs on any day. All traffic goes to 127.0.0.1."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.e2e import live_server as live

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DOCS_URL = "http://127.0.0.1:8000"
SHELL_FENCE = re.compile(r"^\s*```(sh|bash|console)\b")
MARKER = re.compile(r"^\s*<!--\s*(walkthrough|not run):\s*(.+?)\s*-->\s*$")
FIXED_DATE = re.compile(r"\b20\d\d-[01]\d-[0-3]\d(?!\d)")
WALKTHROUGH_SECONDS = 120
SERVER_START_SECONDS = 120  # a busy machine (the full suite beside it) starts slowly

# The 4xx answers each walkthrough shows on purpose ("STATUS METHOD path", ids as {id}), in the order they come.
EXPECTED_REFUSALS: dict[str, list[str]] = {
    "api-case": ["403 POST /cases/{id}/decision-proposals/{id}/decision"],  # the proposer cannot confirm (F5)
    "registry": ["409 POST /contracts/{id}/cancellation/confirm"],  # confirmed already
    "sanctions": [
        "422 POST /cases/{id}/sanctions/{id}/decision",  # victim-opinion-required (SAN-2)
        "403 POST /cases/{id}/sanctions/{id}/decision",  # the proposer cannot decide
        "422 POST /cases/{id}/sanctions",  # below-penalty-floor (SD-3)
    ],
}

# What each walkthrough must show (its point, and the silent failures the review found: api.md step 7 opened no
# review, registry.md's contract was initiated after it was cancelled).
EXPECTED_OUTPUT: dict[str, list[str]] = {
    "readme": ["'author': 'staff', 'body': 'Thank you for telling us."],
    "api-integration": [
        "separation.violation_found: ",  # the receiver verified and printed it (SEP-5)
        '"refusals":[{"order_reference"',  # the check refused the placement (SEP-4)
        '{"allowed":true,"refusals":[]}',
        " secondary_damage received",  # the retaliation watch opened a review (RET-1)
        '"resolved_on":null',
    ],
    "api-case": ["closed False ['applied']", "audit chain intact"],
    "registry": ["under_review", '"status":"shut"', "cancellation_initiated", '"cancelled_on":"'],
    "sanctions": ["victim-opinion-required", "below-penalty-floor", "sanction.decided: ", "respondent.ineligible: "],
    "webhooks": ['"secret":"whsec_'],
}

# A `curl` that logs "STATUS METHOD path" of every answer to $WALK_LOG (a doc's own `-D -` wins: status "?").
CURL_LOGGER = r"""
curl() {
  local headers method=GET url="" arg prev="" rc=0
  headers=$(mktemp)
  for arg in "$@"; do
    if [ "$prev" = -X ]; then method=$arg; fi
    case "$arg" in
      http://*|https://*) url=$arg ;;
      -d|-F|--data*) if [ "$method" = GET ]; then method=POST; fi ;;
    esac
    prev=$arg
  done
  command curl -D "$headers" "$@" || rc=$?
  printf '%s %s %s\n' "$(awk 'toupper($1) ~ /^HTTP\// {c=$2} END {print (c ? c : "?")}' "$headers")" \
    "$method" "${url#"$WALK_BASE"}" >> "$WALK_LOG"
  rm -f "$headers"
  return $rc
}
"""


@dataclass
class Block:
    doc: Path
    line: int
    kind: str  # "walkthrough" or "not run"
    label: str  # the walkthrough's name, or the reason it is not run
    text: str


@dataclass
class Walkthrough:
    name: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def script(self) -> str:
        return "\n".join(f"# {b.doc.relative_to(ROOT)}:{b.line}\n{b.text}" for b in self.blocks)


def shell_blocks(doc: Path) -> list[Block | tuple[Path, int]]:
    """Every shell block of a document: a Block when it is marked, else (doc, line) of its fence."""
    lines = doc.read_text().splitlines()
    found: list[Block | tuple[Path, int]] = []
    i = 0
    while i < len(lines):
        fence = SHELL_FENCE.match(lines[i])
        if not fence:
            if lines[i].lstrip().startswith("```"):  # another kind of block: skip to its end
                i += 1
                while i < len(lines) and not lines[i].lstrip().startswith("```"):
                    i += 1
            i += 1
            continue
        start = i
        i += 1
        body = []
        while i < len(lines) and not lines[i].lstrip().startswith("```"):
            body.append(lines[i])
            i += 1
        marker = MARKER.match(lines[start - 1]) if start > 0 else None
        if marker:
            found.append(Block(doc, start + 1, marker[1], marker[2], "\n".join(body)))
        else:
            found.append((doc, start + 1))
        i += 1
    return found


def all_blocks() -> list[Block | tuple[Path, int]]:
    return [block for doc in DOCS for block in shell_blocks(doc)]


def walkthroughs() -> list[Walkthrough]:
    by_name: dict[str, Walkthrough] = {}
    for block in all_blocks():
        if isinstance(block, Block) and block.kind == "walkthrough":
            by_name.setdefault(block.label, Walkthrough(block.label)).blocks.append(block)
    return list(by_name.values())


def test_every_shell_block_is_a_walkthrough_or_says_why_not() -> None:
    """Issue 14 (the walkthroughs run as written): every shell block of README.md and docs/ is marked, and the
    walkthroughs hold no fixed date (they run on any day: dates are computed in the shell)."""
    blocks = all_blocks()
    unmarked = [f"{doc.relative_to(ROOT)}:{line}" for doc, line in (b for b in blocks if isinstance(b, tuple))]
    assert not unmarked, (
        "shell blocks without `<!-- walkthrough: NAME -->` or `<!-- not run: REASON -->` on the line before: "
        + ", ".join(unmarked)
    )
    not_run = [b for b in blocks if isinstance(b, Block) and b.kind == "not run"]
    print("not run:\n" + "\n".join(f"  {b.doc.relative_to(ROOT)}:{b.line} — {b.label}" for b in not_run))
    names = [w.name for w in walkthroughs()]
    assert {"readme", "api-integration", "api-case", "registry", "sanctions", "webhooks"} <= set(names), names
    dated = [
        f"{b.doc.relative_to(ROOT)}:{b.line + 1 + n}: {line.strip()}"
        for w in walkthroughs()
        for b in w.blocks
        for n, line in enumerate(b.text.splitlines())
        if FIXED_DATE.search(line) and not line.lstrip().startswith("#")  # a comment may show an example answer
    ]
    assert not dated, "fixed dates in walkthroughs (compute them, e.g. $(date -u +%F)):\n" + "\n".join(dated)


@dataclass
class Outcome:
    name: str
    returncode: int | None
    seconds: float
    output: str
    answers: list[str]
    left_running: bool


def _normalised(answer: str) -> str:
    return re.sub(r"/[0-9a-f]{8}-[0-9a-f-]{27,}|/WU-[0-9A-Z-]+|/SO-[0-9A-Z-]+", "/{id}", answer.split("?")[0])


def run_walkthrough(server: live.LiveServer, walkthrough: Walkthrough, workdir: Path) -> Outcome:
    """One walkthrough's blocks in one `bash`, in its own process group: whatever it leaves running is found."""
    log = workdir / f"{walkthrough.name}.answers"
    out = workdir / f"{walkthrough.name}.out"
    script = "set -euo pipefail\n" + CURL_LOGGER + walkthrough.script.replace(DOCS_URL, server.base_url)
    env = {**server.env, "WALK_LOG": str(log), "WALK_BASE": server.base_url + "/api/v1"}
    started = time.monotonic()
    with out.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603
            ["bash", "-c", script],  # noqa: S607
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            returncode: int | None = process.wait(timeout=WALKTHROUGH_SECONDS)
        except subprocess.TimeoutExpired:
            returncode = None
    seconds = time.monotonic() - started
    left_running = _group_alive(process.pid)
    if left_running or returncode is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    answers = log.read_text().splitlines() if log.exists() else []
    return Outcome(walkthrough.name, returncode, seconds, out.read_text(errors="replace"), answers, left_running)


def _group_alive(pgid: int) -> bool:
    time.sleep(0.2)
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def start_worker(server: live.LiveServer) -> subprocess.Popen[bytes]:
    log = (server.workdir / "worker.log").open("ab")
    worker = subprocess.Popen(  # noqa: S603
        [str(live.WITHU), "worker"], env=server.env, cwd=server.workdir, stdout=log, stderr=subprocess.STDOUT
    )
    log.close()
    return worker


def run_in_order(order: list[Walkthrough], label: str) -> tuple[list[Outcome], str, int]:
    """A fresh server and worker, the walkthroughs one after the other; the outcomes, the server's log and the
    deliveries left failing."""
    server = live.start(timeout=SERVER_START_SECONDS)
    worker = start_worker(server)
    try:
        outcomes = [run_walkthrough(server, w, server.workdir) for w in order]
        status = httpx.get(server.url(live.HEALTH), timeout=5).status_code
        assert status == 200, f"{label}: the server is unhealthy after the walkthroughs"
        return outcomes, server.log(), failing_deliveries(server)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
        server.stop()
        keep = ROOT / "test-output" / f"walkthroughs-{label}"
        shutil.rmtree(keep, ignore_errors=True)
        shutil.copytree(server.workdir, keep, ignore=shutil.ignore_patterns("evidence", "*.db*", "master.key"))
        shutil.rmtree(server.workdir, ignore_errors=True)


def failing_deliveries(server: live.LiveServer) -> int:
    """Deliveries that failed and are retried (the dashboard's "deliveries keep failing"): a walkthrough that left a
    subscription whose receiver is gone makes them."""
    database = server.env["WITHU_DATABASE_URL"].split(":///", 1)[1]
    with closing(sqlite3.connect(database)) as db:
        return int(
            db.execute("SELECT count(*) FROM outbox_message WHERE status = 'pending' AND attempts > 0").fetchone()[0]
        )


def problems(outcome: Outcome) -> list[str]:
    found = []
    if outcome.returncode is None:
        found.append(f"did not finish within {WALKTHROUGH_SECONDS} s")
    elif outcome.returncode != 0:
        found.append(f"exit status {outcome.returncode}")
    if outcome.left_running:
        found.append("left a process running (a webhook receiver?): stop what it starts")
    errors = [a for a in outcome.answers if a[:1] == "5"]
    if errors:
        found.append(f"server errors: {errors}")
    missing = [text for text in EXPECTED_OUTPUT.get(outcome.name, []) if text not in outcome.output]
    if missing:
        found.append(f"its output lacks {missing}")
    refusals = [_normalised(a) for a in outcome.answers if a[:1] == "4"]
    if refusals != EXPECTED_REFUSALS.get(outcome.name, []):
        found.append(f"4xx answers {refusals}, expected {EXPECTED_REFUSALS.get(outcome.name, [])}")
    return found


@pytest.mark.timeout(600)
def test_walkthroughs_run_as_written_in_either_order() -> None:
    """Issue 14 (README and docs walkthroughs; they exercise INT-4, INT-5, CASE-1, CASE-5, CASE-7, SEP-1, SEP-4,
    SEP-5, RET-1, AMB-1, AMB-2, CON-1, CON-2, STAT-1, SAN-1, SAN-2, SD-3, SAN-4): each walkthrough runs as written
    on a fresh `make run`-like server, as listed and reversed (each order on its own server, the two at once), with
    no server error, no refusal it does not show on purpose, and nothing left running."""
    listed = walkthroughs()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        forward = pool.submit(run_in_order, listed, "listed")
        backward = pool.submit(run_in_order, list(reversed(listed)), "reversed")
        results = {"listed": forward.result(), "reversed": backward.result()}
    report = []
    failures = []
    for label, (outcomes, server_log, failing) in results.items():
        if failing:
            failures.append(f"[{label}] {failing} webhook deliveries keep failing after the walkthroughs")
        for outcome in outcomes:
            report.append(f"{label:8} {outcome.name:16} {outcome.seconds:5.1f} s")
            if found := problems(outcome):
                failures.append(
                    f"[{label}] {outcome.name}: {'; '.join(found)}\n--- output ---\n{outcome.output[-6000:]}"
                )
        if "Traceback" in server_log:
            failures.append(f"[{label}] the server logged a traceback:\n{server_log[-4000:]}")
    print("\n".join(report) + f"\ntotal {time.monotonic() - started:.1f} s")
    assert not failures, "\n\n".join(failures)
