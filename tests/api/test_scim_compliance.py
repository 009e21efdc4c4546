"""SCIM 2.0 compliance (issue 16): scim2-tester, a checker nobody here wrote, against a live server."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

from scim2_tester import CheckResult, Status, check_server

from tests.api.test_deadlines import own_db
from tests.directory import machine_headers, make_org
from tests.scim_server import live_scim

PASSED = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}
NOT_APPLICABLE = {Status.SKIPPED}
# scim2-tester 0.5.2 replaces a whole extension with random values of every writable sub-attribute and expects it
# back verbatim: it sends new values for immutable ones (RFC 7644 §3.5.1: the server answers 400 mutability, as
# ours does) and compares read-only ones the server sets (employeeNumber, organization). These three checks cannot
# pass on a server whose extensions have immutable or read-only sub-attributes; they must fail for that reason only.
EXTENSION_LIMITS = {
    ("User", "check_replace_attribute"): "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    ("Group", "object_replacement"): "kind and organization are set when a group is created",
    ("Group", "check_replace_attribute"): "'kind' is immutable",
}


def _outcome(result: CheckResult) -> str:
    if result.status in PASSED:
        return "passed"
    return "not applicable" if result.status in NOT_APPLICABLE else "failed"


async def test_scim_compliance_checker_passes_every_check_that_applies(settings) -> None:
    """SEP-4, SEP-5: the personnel system's standard integration (SCIM) is held to RFC 7643/7644 by scim2-tester:
    every check that applies to what ServiceProviderConfig declares passes, but for the checks that test
    whole-extension replacement against immutable / read-only sub-attributes (they fail for that reason only).
    On a database of its own: the checker looks for what it created on the first page of a list, which the other
    tests' thousands of employees would push off it."""
    async with own_db(settings) as db, db.client() as client:
        await make_org(db.uow, units={"HQ": None, "Arts": "HQ"}, people={"a": ("HQ", None)})
        headers = await machine_headers(client, db.uow, "scim")
        token = headers["Authorization"].removeprefix("Bearer ")

        def run() -> list[CheckResult]:
            # scim2-tester draws its values from `random`: seeded, every run checks the same values (an unseeded
            # run sometimes drew a group's own `kind` again, which a server rightly accepts, and the check differed)
            random.seed(20261203)
            with live_scim(db.settings, token) as scim:
                return check_server(scim)

        results = await asyncio.to_thread(run)
    print(f"\nscim2-tester: {dict(Counter(_outcome(r) for r in results))}")  # the summary the issue asks for
    failed = [r for r in results if _outcome(r) == "failed"]
    unexpected = [
        f"{r.resource_type or '-'} {r.title}: {r.status.name} {r.reason}"
        for r in failed
        if EXTENSION_LIMITS.get((r.resource_type or "", r.title or ""), "\0") not in (r.reason or "")
    ]
    assert not unexpected, "\n".join(unexpected)
    assert len(failed) <= len(EXTENSION_LIMITS)
    assert sum(_outcome(r) == "passed" for r in results) >= 55
