"""A model checker for the rules (issue 13): hypothesis drives random histories through the real use cases on SQLite
and checks, after every step, invariants taken straight from ../shared/RULES.md:

1. SEP-1, SEP-2, SEP-5: a pair a report separated has an active order until a team lead lifts it or one of the two
   leaves (SEP-6); while it is active, every connection through work that arises after the order opened is a
   recorded `SeparationViolation` (connections present at opening are the plan's, SEP-3).
2. CASE-7, RET-1, SEP-3: a victim is never moved, put on leave or given a new supervisor without the victim's
   recorded wish to move or a retaliation flag (RET-2 review); an adverse event (RET-1's list) about any protected
   person is flagged.
3. SD-3: no decided secondary-damage sanction is lighter than suspension or than the original respondent's heaviest
   sanction, and none is decided before that one.
4. STAT-1: no count below 5 is shown to a role outside the case team, none can be worked out from one answer's
   totals, and no two answers differ by 1 to 4 in the same count.
5. ACC-1, CASE-3: hr_officer, sysadmin, auditor, a recused case-team member and a machine client get no content.
6. AUD-1: the audit chain verifies.

Everything goes through the services (app/services) with the actor the HTTP edge would build; the clock is the
model's (time passes as a step), so quarters end and statistics can be asked for. Each example runs on its own copy
of one migrated SQLite template. Profiles: the bounded one for `make test`; WITHU_RULES_PROFILE=long for
`make check-rules`. WITHU_RULES_INVARIANTS=sep,moves,sd3,stat,acc,audit checks only those (default: all)."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from pydantic import TypeAdapter
from sqlalchemy import select

from app.cli import migrate
from app.db import encryption
from app.db.engine import make_engine, make_sessionmaker
from app.db.models import (
    AssignmentMember,
    Case,
    Employee,
    PersonnelEvent,
    RetaliationFlag,
    Sanction,
    SeparationOrder,
    SeparationViolation,
    VictimWish,
)
from app.db.uow import UnitOfWork
from app.domain.deadlines import add_months
from app.domain.enums import (
    Category,
    ClientKind,
    ConnectionKind,
    Finding,
    OrderStatus,
    Role,
    Team,
)
from app.domain.errors import AccessDenied, DomainError, NotFound
from app.schemas.case import CaseTransitionCreate
from app.schemas.decisions import DecisionProposalCreate, ProposalDecision
from app.schemas.personnel import PersonnelEventIn
from app.schemas.report import ReportCreate
from app.schemas.sanctions import SanctionCreate, SanctionDecision
from app.services import (
    audit,
    audit_log,
    auth,
    case_decisions,
    case_handling,
    cases,
    clock,
    personnel,
    reports,
    sanctions,
    separation,
    statistics,
)
from app.services.actors import ClientActor, StaffActor
from app.settings import Settings
from tests.builders import make_staff
from tests.conftest import TEST_DIR, make_settings
from tests.directory import make_org

PROFILE = os.environ.get("WITHU_RULES_PROFILE", "bounded")
CHECKED = set(os.environ.get("WITHU_RULES_INVARIANTS", "sep,moves,sd3,stat,acc,audit").split(","))
PROFILES = {
    # `make test`: about a minute on SQLite, the same examples every run (derandomized, no example database).
    "bounded": settings(max_examples=25, stateful_step_count=20, report_multiple_bugs=False),
    # `make check-rules`: many more histories, each longer; every distinct failure shrunk and reported.
    "long": settings(max_examples=500, stateful_step_count=40, report_multiple_bugs=True),
}
SETTINGS = settings(
    PROFILES[PROFILE],
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    # No "explain" phase: its line tracer (Python < 3.12) makes shrinking a history of database calls take minutes.
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# Each example's database is a copy of one template; in memory where the machine has it (no fsync per commit).
SHM = Path("/dev/shm")  # noqa: S108 - mkdtemp makes a private (0700) directory there
DB_DIR = Path(tempfile.mkdtemp(prefix="withu-rules-", dir=SHM if SHM.is_dir() else TEST_DIR))
atexit.register(shutil.rmtree, DB_DIR, True)
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
MARK = "RULESMARK"  # in every narrative and reporter name: no answer to an outsider may carry it (ACC-1)
NARRATIVE = f"{MARK} At the team dinner the respondent touched me repeatedly and commented on my body."
REASON = "Recorded by the model checker."
# The people of the model's organisation: unit and supervisor. U0 ⊃ U1, U2; U3 apart; assignments A0, A1.
UNITS: dict[str, str | None] = {"U0": None, "U1": "U0", "U2": "U0", "U3": None}
PEOPLE: dict[str, tuple[str | None, str | None]] = {
    "P0": ("U0", None),
    "P1": ("U1", "P0"),
    "P2": ("U1", "P1"),
    "P3": ("U2", "P0"),
    "P4": ("U2", "P3"),
    "P5": ("U3", None),
    "P6": ("U3", "P5"),
    "P7": ("U1", "P1"),  # also the insider: an investigator of intake & counselling (CASE-3 recusal)
}
ASSIGNMENTS = {"A0": ["P2", "P4"], "A1": ["P5"]}
NAMES = list(PEOPLE)
CASE_TEAMS = (Team.intake_counselling, Team.investigation)
OUTSIDERS = (Role.hr_officer, Role.sysadmin, Role.auditor)
# SAN-1, most severe first; (level, months) compared by level, then months.
LEVELS = ("dismissal", "discharge", "demotion", "suspension", "salary_reduction", "reprimand")
WITH_MONTHS = {"suspension", "salary_reduction"}
# RET-1's list of adverse events (a move counts unless the person asked for it).
ALWAYS_ADVERSE = {"dismissal", "discipline", "duties_removed", "objection"}
MOVES = {"transfer", "new_supervisor"}
VICTIM_MOVES = {"transfer", "new_supervisor", "leave"}  # CASE-7: moved, put on leave, re-supervised


def severity(level: str, months: int | None) -> tuple[int, int]:
    return len(LEVELS) - LEVELS.index(level), months or 0


# --- the template database, built once per run --------------------------------------------------------------


@dataclass
class Template:
    path: Path
    employees: dict[str, str]  # P0 → employee number
    units: dict[str, str]
    assignments: dict[str, str]
    staff: dict[str, StaffActor]
    client_id: str


_TEMPLATE: Template | None = None


def template() -> Template:
    global _TEMPLATE
    if _TEMPLATE is None:
        path = DB_DIR / f"rules-template-{uuid.uuid4().hex[:8]}.db"
        s = make_settings(database_url=f"sqlite+aiosqlite:///{path}")
        encryption.configure(s.load_master_key())
        migrate(s)
        _TEMPLATE = asyncio.run(_fill_template(s, path))
    return _TEMPLATE


async def _fill_template(s: Settings, path: Path) -> Template:
    engine = make_engine(s.database_url)
    sessionmaker = make_sessionmaker(engine)

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(sessionmaker, s)

    org = await make_org(uow_factory, units=UNITS, people=PEOPLE, assignments=ASSIGNMENTS)
    staff: dict[str, StaffActor] = {}

    async def add(key: str, role: Role, team: Team | None, number: str | None = None) -> None:
        made = await make_staff(uow_factory, role=role, team=team, employee_number=number)
        staff[key] = StaffActor(made.id, role, team, uuid.uuid4(), made.employee_number)

    for team in CASE_TEAMS:
        await add(f"lead:{team}", Role.team_lead, team)
        await add(f"handler:{team}", Role.investigator, team)
    await add("division_head", Role.division_head, None)
    await add("insider", Role.investigator, Team.intake_counselling, org.employees["P7"])
    for role in OUTSIDERS:
        await add(str(role), role, None)
    async with uow_factory() as uow:
        machine, _ = await auth.create_client(uow, "rules hr", ClientKind.hr_system, ["personnel:write"])
        await uow.commit()
    await engine.dispose()
    return Template(path, org.employees, org.units, org.assignments, staff, machine.client_id)


# --- what the model remembers -------------------------------------------------------------------------------


@dataclass
class ModelCase:
    id: uuid.UUID
    reference: str
    team: Team
    victim: str | None = None  # person names (P0 …)
    respondent: str | None = None
    protected: dict[str, str] = field(default_factory=dict)  # person → role (victim, reporter, witness)
    from_report: bool = True
    seq: int = 0  # when the model opened it (RET-1's watch starts at the report)


@dataclass
class Watched:
    """A separated pair as the model sees it (SEP-1): its connections at opening and since."""

    case_id: uuid.UUID
    victim: str
    respondent: str
    tolerated: set[tuple[str, str]] | None = None  # connections present when the order opened (the SEP-3 plan)
    previous: set[tuple[str, str]] = field(default_factory=set)
    required: Counter[str] = field(default_factory=Counter)  # violations owed per connection kind
    lifted: bool = False


@dataclass
class SentEvent:
    event_id: str
    person: str
    kind: str
    data: dict[str, Any]
    on: date
    seq: int  # when the model sent it


EVENTS = TypeAdapter(PersonnelEventIn)


class RulesMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.t = template()
        self.loop = asyncio.new_event_loop()
        path = DB_DIR / f"rules-{uuid.uuid4().hex}.db"
        shutil.copyfile(self.t.path, path)
        self.db = path
        self.settings = make_settings(database_url=f"sqlite+aiosqlite:///{path}")
        self.engine = self.loop.run_until_complete(self._engine())
        self.sessionmaker = make_sessionmaker(self.engine)
        self.now = START
        self._real_now = clock.now
        clock.now = lambda: self.now  # type: ignore[assignment]
        self.cases: list[ModelCase] = []
        self.pairs: list[Watched] = []
        self.events: list[SentEvent] = []
        self.retired: set[str] = set()
        self.answers: list[tuple[date, date, dict[str, int | None]]] = []  # STAT-1: every answer outsiders got
        self.counter = 0

    async def _engine(self):  # type: ignore[no-untyped-def]
        return make_engine(self.settings.database_url)

    def teardown(self) -> None:
        clock.now = self._real_now  # type: ignore[assignment]
        self.loop.run_until_complete(self.engine.dispose())
        self.loop.close()
        for file in self.db.parent.glob(self.db.name + "*"):
            file.unlink()

    # --- helpers --------------------------------------------------------------------------------------------

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessionmaker, self.settings)

    def act(self, use_case: Any, *args: Any, **kwargs: Any) -> Any:
        """One request: the use case in its own unit of work, committed when it succeeds, rolled back on a refusal
        (as app/api/unit_of_work.py does). Returns the answer, or the DomainError."""

        async def go() -> Any:
            async with self.uow() as uow:
                try:
                    answer = await use_case(uow, *args, **kwargs)
                except DomainError as refused:
                    if getattr(refused, "keeps_changes", False):
                        await uow.commit()
                    return refused
                await uow.commit()
                return answer

        self.now += timedelta(seconds=1)
        return self.run(go())

    def staff(self, key: str) -> StaffActor:
        return self.t.staff[key]

    def lead(self, case: ModelCase) -> StaffActor:
        return self.staff(f"lead:{case.team}")

    def handler(self, case: ModelCase) -> StaffActor:
        return self.staff(f"handler:{case.team}")

    def number(self, person: str) -> str:
        return self.t.employees[person]

    def next_id(self) -> int:
        self.counter += 1
        return self.counter

    async def _rows(self, model: Any, *where: Any) -> list[Any]:
        """Rows read and detached with their values (a unit of work rolls back, and so expires, on leaving)."""
        async with self.uow() as uow:
            rows = list((await uow.session.scalars(select(model).where(*where))).all())
            uow.session.expunge_all()
            return rows

    async def _case_by_reference(self, reference: str) -> Case:
        (row,) = await self._rows(Case, Case.reference == reference)
        return row

    async def _case(self, case_id: uuid.UUID) -> Case:
        (row,) = await self._rows(Case, Case.id == case_id)
        return row

    # --- steps ----------------------------------------------------------------------------------------------

    @initialize()
    def start(self) -> None:
        """Nothing to set up: the template holds the organisation, the staff and the personnel system."""

    @rule(
        by_victim=st.booleans(),
        mode=st.sampled_from(["named", "confidential", "anonymous"]),
        victim=st.sampled_from(NAMES),
        respondent=st.none() | st.sampled_from(NAMES),
        reporter=st.none() | st.sampled_from(NAMES),
        witnesses=st.lists(st.sampled_from(NAMES), max_size=2, unique=True),
        category=st.sampled_from([str(c) for c in Category]),
        original=st.none() | st.integers(min_value=0, max_value=50),
    )
    def report(
        self,
        by_victim: bool,
        mode: str,
        victim: str,
        respondent: str | None,
        reporter: str | None,
        witnesses: list[str],
        category: str,
        original: int | None,
    ) -> None:
        """INT-2, INT-3, SD-2: a victim or a third party reports, named, confidential or anonymous."""
        identity = None
        if mode != "anonymous":
            who = victim if by_victim else reporter
            identity = {"name": f"{MARK} Reporter", "employee_number": self.number(who) if who else None}
        body: dict[str, Any] = {
            "reporter_kind": "victim" if by_victim else "third_party",
            "identity_mode": mode,
            "narrative": NARRATIVE,
            "category": category,
            "reporter": identity,
            "respondent": {"employee_number": self.number(respondent)} if respondent else None,
            "victim": None if by_victim else {"employee_number": self.number(victim)},
            "witnesses": [{"employee_number": self.number(w)} for w in witnesses],
        }
        if category == Category.secondary_damage and original is not None and self.cases:
            body["original_case_reference"] = self.cases[original % len(self.cases)].reference
        answer = self.act(lambda uow: reports.submit_report(uow, ReportCreate.model_validate(body), None))
        if isinstance(answer, DomainError):
            return
        row = self.run(self._case_by_reference(answer[1]["case_reference"]))
        named_victim = victim if (not by_victim or mode != "anonymous") else None
        case = ModelCase(row.id, row.reference, row.team, named_victim, respondent, seq=self.next_id())
        if named_victim:
            case.protected[named_victim] = "victim"
        if not by_victim and mode != "anonymous" and reporter:
            case.protected.setdefault(reporter, "reporter")
        for w in witnesses:
            case.protected.setdefault(w, "witness")
        case.protected.pop(respondent or "", None)
        self.cases.append(case)
        # SEP-1: both named as employees, different people, both still in the organisation.
        if named_victim and respondent and named_victim != respondent and not {named_victim, respondent} & self.retired:
            self.pairs.append(Watched(row.id, named_victim, respondent))

    @rule(
        person=st.sampled_from(NAMES),
        kind=st.sampled_from(
            [
                "transfer",
                "new_supervisor",
                "joined_assignment",
                "left_assignment",
                "leave",
                "returned",
                "retirement",
                "evaluation",
                "discipline",
                "promotion_decision",
                "training_decision",
                "duties_removed",
                "dismissal",
                "objection",
            ]
        ),
        unit=st.sampled_from(list(UNITS)),
        supervisor=st.none() | st.sampled_from(NAMES),
        assignment=st.sampled_from(list(ASSIGNMENTS)),
        requested=st.booleans(),
        cite_order=st.booleans(),
    )
    def personnel_event(
        self,
        person: str,
        kind: str,
        unit: str,
        supervisor: str | None,
        assignment: str,
        requested: bool,
        cite_order: bool,
    ) -> None:
        """SEP-5, RET-1: the personnel system reports a change about anyone (victims, respondents, witnesses)."""
        data: dict[str, Any] = {}
        if kind == "transfer":
            data = {"unit": self.t.units[unit], "requested_by_employee": requested}
            if supervisor:
                data["supervisor"] = self.number(supervisor)
        elif kind == "new_supervisor":
            data = {"supervisor": self.number(supervisor) if supervisor else None, "requested_by_employee": requested}
            if cite_order and (reference := self.run(self._order_of(person))):
                data["separation_order"] = reference
        elif kind in ("joined_assignment", "left_assignment"):
            data = {"assignment": self.t.assignments[assignment]}
        elif kind == "evaluation":
            data = {"grade": "C", "previous_grade": "A"}
        elif kind == "discipline":
            data = {"level": "reprimand"}
        elif kind == "promotion_decision":
            data = {"promoted": False}
        elif kind == "training_decision":
            data = {"granted": False}
        event_id = f"ev-{self.next_id()}"
        self.now += timedelta(minutes=1)
        event = EVENTS.validate_python(
            {
                "event_id": event_id,
                "employee_number": self.number(person),
                "kind": kind,
                "effective_at": self.now.isoformat(),
                "data": data,
            }
        )
        client = ClientActor(self.t.client_id, ClientKind.hr_system, frozenset({"personnel:write"}))
        answer = self.act(personnel.record_events, client, [event])
        if isinstance(answer, DomainError) or answer.results[0].outcome not in ("applied", "recorded"):
            return
        self.events.append(SentEvent(event_id, person, kind, data, self.now.date(), self.next_id()))
        if kind in ("retirement", "dismissal"):
            self.retired.add(person)
        self.run(self._learn_reviews())

    async def _order_of(self, person: str) -> str | None:
        """The reference of an active order naming the person (SEP-3: the event says it carries out its plan)."""
        async with self.uow() as uow:
            orders = await uow.separation.active_orders_of([self.number(person)])
            first = {case.id: index for index, case in enumerate(self.cases)}  # the same one on every replay
            return min(orders, key=lambda o: first.get(o.case_id, len(first))).reference if orders else None

    async def _learn_reviews(self) -> None:
        """RET-2: reviews the watch opened are cases too (secondary damage, linked to the original)."""
        known = {c.id for c in self.cases}
        first = {case.id: index for index, case in enumerate(self.cases)}
        rows = await self._rows(Case, Case.parent_case_id.is_not(None))
        for row in sorted(rows, key=lambda r: first.get(r.parent_case_id, len(first))):  # the same order on replays
            if row.id not in known:
                self.cases.append(ModelCase(row.id, row.reference, row.team, from_report=False))

    @precondition(lambda self: self.cases)
    @rule(
        pick=st.integers(min_value=0, max_value=50),
        to=st.sampled_from(["triaged", "investigating", "decided", "closed", "withdrawn", "received"]),
        finding=st.sampled_from([str(f) for f in Finding]),
        approve=st.booleans(),
    )
    def transition(self, pick: int, to: str, finding: str, approve: bool) -> None:
        """CASE-1, F5: ordinary moves by the team lead; decisions and withdrawals proposed by an assigned handler
        and confirmed (or declined) by the team lead."""
        case = self.cases[pick % len(self.cases)]
        lead, handler = self.lead(case), self.handler(case)
        version = str(self.run(self._case(case.id)).version)
        if to not in ("decided", "withdrawn"):
            self.act(case_handling.transition_case, lead, case.id, CaseTransitionCreate(to=to, reason=REASON), version)
            return
        self.act(case_handling.assign_handler, lead, case.id, handler.user_id)
        command = DecisionProposalCreate(to=to, finding=finding if to == "decided" else None, reason=REASON)
        proposal = self.act(case_decisions.propose, handler, case.id, command, version)
        if isinstance(proposal, DomainError):
            return
        self.act(case_decisions.decide, lead, case.id, proposal.id, ProposalDecision(approve=approve, reason=REASON))

    @precondition(lambda self: self.cases)
    @rule(
        pick=st.integers(min_value=0, max_value=50),
        level=st.sampled_from(LEVELS),
        months=st.integers(min_value=1, max_value=3),
        respondent=st.none() | st.sampled_from(NAMES),
        opinion=st.booleans(),
        approve=st.booleans(),
    )
    def sanction(
        self, pick: int, level: str, months: int, respondent: str | None, opinion: bool, approve: bool
    ) -> None:
        """SAN-2, SD-3, CASE-6: a handler proposes a sanction, a team lead decides it."""
        case = self.cases[pick % len(self.cases)]
        lead, handler = self.lead(case), self.handler(case)
        self.act(case_handling.assign_handler, lead, case.id, handler.user_id)
        if opinion:
            self.act(sanctions.record_victim_opinion, handler, case.id, "The victim wants discipline.")
        command = SanctionCreate(
            level=level,
            months=months if level in WITH_MONTHS else None,
            respondent_employee_number=self.number(respondent) if respondent else None,
            reason=REASON,
        )
        proposed = self.act(sanctions.propose_sanction, handler, case.id, command)
        if isinstance(proposed, DomainError):
            return
        decision = SanctionDecision(approve=approve, reason=REASON)
        self.act(sanctions.decide_sanction, lead, case.id, proposed.id, decision)

    @precondition(lambda self: self.cases)
    @rule(pick=st.integers(min_value=0, max_value=50), wants_to_move=st.booleans())
    def victim_wish(self, pick: int, wants_to_move: bool) -> None:
        """CASE-7: the case team records the victim's own wish."""
        case = self.cases[pick % len(self.cases)]
        self.act(separation.record_victim_wish, self.handler(case), case.id, wants_to_move, None)

    @precondition(lambda self: self.pairs)
    @rule(pick=st.integers(min_value=0, max_value=50))
    def lift_order(self, pick: int) -> None:
        """SEP-6: a team lead lifts the case's active order, with a reason."""
        pair = self.pairs[pick % len(self.pairs)]
        case = next(c for c in self.cases if c.id == pair.case_id)
        for order_id in self.run(self._active_order_ids(pair.case_id)):
            answer = self.act(separation.lift_order, self.lead(case), case.id, order_id, REASON)
            if not isinstance(answer, DomainError):
                pair.lifted = True

    async def _active_order_ids(self, case_id: uuid.UUID) -> list[uuid.UUID]:
        async with self.uow() as uow:
            orders = await uow.separation.orders_for_case(case_id)
            return [o.id for o in orders if o.status == OrderStatus.active]

    @rule(days=st.integers(min_value=1, max_value=75))
    def time_passes(self, days: int) -> None:
        """Days pass: quarters end (STAT-1's windows), deadlines fall due."""
        self.now += timedelta(days=days)

    @rule(
        role=st.sampled_from(OUTSIDERS),
        quarters_back=st.integers(min_value=1, max_value=4),
        shape=st.sampled_from(["quarter", "quarter", "month", "half-year"]),
        which=st.sampled_from(["cases", "intake"]),
    )
    def statistics_request(self, role: Role, quarters_back: int, shape: str, which: str) -> None:
        """STAT-1: a role outside the case team asks for statistics of an ended quarter (or tries other windows)."""
        today = self.now.date()
        q = (today.year * 4 + (today.month - 1) // 3) - quarters_back
        start = date(q // 4, (q % 4) * 3 + 1, 1)
        months = {"quarter": 3, "month": 1, "half-year": 6}[shape]
        end = add_months(start, months) - timedelta(days=1)
        use_case = statistics.case_statistics if which == "cases" else statistics.intake_statistics
        answer = self.act(use_case, self.staff(str(role)), start, end)
        if not isinstance(answer, DomainError):
            self.answers.append((start, end, _cells(which, answer.model_dump(mode="json"))))

    @precondition(lambda self: self.cases)
    @rule(pick=st.integers(min_value=0, max_value=50), who=st.sampled_from([*map(str, OUTSIDERS), "insider"]))
    def outsider_reads(self, pick: int, who: str) -> None:
        """ACC-1, CASE-3: content-blind roles and a recused case-team member try every read of a case's content."""
        if "acc" not in CHECKED:
            return
        case = self.cases[pick % len(self.cases)]
        actor = self.staff(who)
        if who == "insider" and not self.run(self._recused("P7", case)):
            return  # not recused from this case: they may read it, nothing to check
        reads = (
            cases.read_case,
            separation.case_separation,
            sanctions.case_sanctions,
            sanctions.victim_opinions,
            case_decisions.case_proposals,
        )
        for read in reads:
            answer = self.act(read, actor, case.id)
            assert isinstance(answer, NotFound | AccessDenied), (
                f"ACC-1/CASE-3: {who} read {read.__name__} of a case: {type(answer).__name__}"
            )
        timeline = self.act(audit_log.case_timeline, actor, case.id, offset=0, limit=50)
        assert isinstance(timeline, NotFound | AccessDenied), f"ACC-1/CASE-3: {who} read the case's timeline"
        if who == str(Role.auditor):
            page = self.act(
                audit_log.search_entries, actor, action=None, actor_id=None, case_id=None, start=None, end=None,
                offset=0, limit=200,
            )  # fmt: skip
            assert MARK not in page.model_dump_json(), "ACC-1: the audit log carries case content"
        orders = self.act(
            separation.list_active_orders,
            ClientActor(self.t.client_id, ClientKind.hr_system, frozenset({"separation:check"})),
            0,
            100,
        )
        assert MARK not in orders.model_dump_json(), "ACC-1/SEP-4: the personnel system got case content"

    async def _recused(self, person: str, case: ModelCase) -> bool:
        """CASE-3 from the rulebook: a party, in the respondent's unit, or in the respondent's chain of command."""
        if not case.from_report:
            return False
        if person == case.respondent or person in case.protected:
            return True
        if case.respondent is None:
            return False
        people = await self._directory()
        unit, _ = people[self.number(person)]
        respondent = self.number(case.respondent)
        return (unit is not None and unit == people[respondent][0]) or self.number(person) in _chain(respondent, people)

    async def _directory(self) -> dict[str, tuple[uuid.UUID | None, str | None]]:
        """Employee number → (unit, supervisor's number), as the directory stands."""
        rows = await self._rows(Employee)
        by_id = {e.id: e.employee_number for e in rows}
        return {e.employee_number: (e.unit_id, by_id.get(e.supervisor_id)) for e in rows}  # type: ignore[arg-type]

    # --- invariants -----------------------------------------------------------------------------------------

    @invariant()
    def separated_pairs_are_never_connected_unflagged(self) -> None:
        """SEP-1, SEP-2, SEP-5 (SEP-6)."""
        if "sep" in CHECKED:
            self.run(self._check_separation())

    async def _check_separation(self) -> None:
        people = await self._directory()
        members = await self._rows(AssignmentMember, AssignmentMember.member)
        employees = {e.id: e for e in await self._rows(Employee)}
        orders = await self._rows(SeparationOrder)
        violations = await self._rows(SeparationViolation)
        assignments: dict[str, set[uuid.UUID]] = {}
        for m in members:
            assignments.setdefault(employees[m.employee_id].employee_number, set()).add(m.assignment_id)
        for pair in self.pairs:
            if pair.lifted or {pair.victim, pair.respondent} & self.retired:
                continue
            victim, respondent = self.number(pair.victim), self.number(pair.respondent)
            active = [
                o
                for o in orders
                if o.case_id == pair.case_id
                and o.status == OrderStatus.active
                and {employees[o.victim_id].employee_number, employees[o.respondent_id].employee_number}
                == {victim, respondent}
            ]
            assert active, (
                f"SEP-1/SEP-6: the report of case {pair.case_id} named victim {pair.victim} and respondent "
                f"{pair.respondent}, neither left and no team lead lifted it, yet no active separation order"
            )
            now = _connections(victim, respondent, people, assignments)
            if pair.tolerated is None:
                pair.tolerated, pair.previous = set(now), set(now)
                continue
            for kind, via in now - pair.previous:
                if (kind, via) not in pair.tolerated:
                    pair.required[kind] += 1
            pair.tolerated &= now
            pair.previous = set(now)
            recorded = Counter(str(v.kind) for v in violations if v.order_id in {o.id for o in active})
            for kind, owed in pair.required.items():
                assert recorded[kind] >= owed, (
                    f"SEP-2/SEP-5: victim {pair.victim} and respondent {pair.respondent} (active order) became "
                    f"connected by {kind} {owed} time(s) since the order opened, {recorded[kind]} violation(s) recorded"
                )

    @invariant()
    def victims_are_not_moved_against_their_will(self) -> None:
        """CASE-7, RET-1, SEP-3 (RET-2)."""
        if "moves" in CHECKED:
            self.run(self._check_moves())

    async def _check_moves(self) -> None:
        flags = await self._rows(RetaliationFlag)
        rows = {e.event_id: e.id for e in await self._rows(PersonnelEvent)}
        wishes = await self._rows(VictimWish)
        cases_now = {c.id: c for c in await self._rows(Case)}
        flagged = {(f.event_id, f.original_case_id) for f in flags}
        years = self.settings.watch_years_after_closing
        for event in self.events:
            for case in self.cases:
                role = case.protected.get(event.person)
                row = cases_now[case.id]
                if role is None or event.seq < case.seq:  # sent before the report: not watched yet
                    continue
                if row.closed_on is not None and event.on > add_months(row.closed_on, 12 * years):
                    continue
                if (rows[event.event_id], case.id) in flagged:
                    continue
                if role == "victim" and event.kind in VICTIM_MOVES:
                    latest = max(
                        (w for w in wishes if w.case_id == case.id and w.recorded_on <= event.on),
                        key=lambda w: w.recorded_on,
                        default=None,
                    )
                    assert latest is not None and latest.wants_to_move, (
                        f"CASE-7/SEP-3/RET-1: victim {event.person} of case {case.reference}: {event.kind} "
                        f"{event.data} without the victim's recorded wish and without a retaliation flag"
                    )
                elif _adverse(event):
                    raise AssertionError(
                        f"RET-1/RET-2: {role} {event.person} of case {case.reference}: adverse {event.kind} "
                        f"{event.data} not flagged"
                    )

    @invariant()
    def secondary_damage_sanctions_meet_their_floor(self) -> None:
        """SD-3."""
        if "sd3" in CHECKED:
            self.run(self._check_sd3())

    async def _check_sd3(self) -> None:
        all_cases = {c.id: c for c in await self._rows(Case)}
        decided = await self._rows(Sanction, Sanction.status == "decided")
        for s in decided:
            case = all_cases[s.case_id]
            if case.category != Category.secondary_damage:
                continue
            floor = severity("suspension", 1)
            if case.parent_case_id is not None:
                original = all_cases[case.parent_case_id]
                theirs = [
                    severity(o.level, o.months)
                    for o in decided
                    if o.case_id == original.id
                    and o.respondent_employee_id == original.respondent_employee_id
                    and o.decided_at is not None
                    and s.decided_at is not None
                    and o.decided_at <= s.decided_at
                ]
                assert theirs, (
                    f"SD-3: a secondary-damage sanction ({s.level}) of case {case.reference} was decided before "
                    f"the original respondent's sanction"
                )
                floor = max(floor, *theirs)
            assert severity(s.level, s.months) >= floor, (
                f"SD-3: secondary-damage sanction {s.level}/{s.months} of case {case.reference} below its floor "
                f"{LEVELS[len(LEVELS) - floor[0]]}/{floor[1]}"
            )

    @invariant()
    def statistics_show_no_small_count_outside_the_case_team(self) -> None:
        """STAT-1."""
        if "stat" not in CHECKED:
            return
        for start, end, cells in self.answers:
            for name, count in cells.items():
                assert count is None or count >= 5, f"STAT-1: {name} = {count} shown for {start}..{end}"
            for name, derived in _derived(cells).items():
                assert derived >= 5, f"STAT-1: withheld {name} worked out as {derived} from {start}..{end}"
        for i, (s1, e1, a) in enumerate(self.answers):
            for s2, e2, b in self.answers[i + 1 :]:
                if not (s2 <= s1 and e1 <= e2) and not (s1 <= s2 and e2 <= e1):
                    continue  # neither window holds the other
                for name in a.keys() & b.keys():
                    if "month=" in name or a[name] is None or b[name] is None:
                        continue
                    gap = abs(a[name] - b[name])  # type: ignore[operator]
                    assert not 0 < gap < 5, f"STAT-1: {name} differs by {gap} between {s1}..{e1} and {s2}..{e2}"
                for name in a.keys() & b.keys():  # a month's row: the same cases whatever the window
                    if "month=" in name and a[name] is not None and b[name] is not None:
                        gap = abs(a[name] - b[name])  # type: ignore[operator]
                        assert not 0 < gap < 5, f"STAT-1: {name} differs by {gap} between two answers"

    @invariant()
    def audit_chain_verifies(self) -> None:
        """AUD-1."""
        if "audit" in CHECKED:
            self.run(self._check_audit())

    async def _check_audit(self) -> None:
        async with self.uow() as uow:
            report = await audit.verify(uow)
        for chain in (report.main, report.reporter):
            assert chain.broken is None, f"AUD-1: the {chain.chain} chain is broken: {chain.broken}"


# --- pure helpers of the invariants -------------------------------------------------------------------------


def _chain(number: str, people: dict[str, tuple[uuid.UUID | None, str | None]]) -> list[str]:
    """Everyone above the person, nearest first (stops at a cycle)."""
    chain, current = [], people[number][1]
    while current is not None and current not in chain and current != number:
        chain.append(current)
        current = people[current][1]
    return chain


def _connections(
    a: str, b: str, people: dict[str, tuple[uuid.UUID | None, str | None]], assignments: dict[str, set[uuid.UUID]]
) -> set[tuple[str, str]]:
    """SEP-2 as the rulebook says it: same unit, one in the other's chain of command, a shared assignment."""
    found: set[tuple[str, str]] = set()
    if people[a][0] is not None and people[a][0] == people[b][0]:
        found.add((str(ConnectionKind.same_unit), str(people[a][0])))
    if a in _chain(b, people):
        found.add((str(ConnectionKind.chain_of_command), a))
    if b in _chain(a, people):
        found.add((str(ConnectionKind.chain_of_command), b))
    for shared in assignments.get(a, set()) & assignments.get(b, set()):
        found.add((str(ConnectionKind.shared_assignment), str(shared)))
    return found


def _adverse(event: SentEvent) -> bool:
    """RET-1's list, read from the rulebook."""
    if event.kind in ALWAYS_ADVERSE:
        return True
    if event.kind in MOVES:
        return not event.data.get("requested_by_employee", False)
    return event.kind in ("evaluation", "promotion_decision", "training_decision")  # the model sends only bad ones


def _cells(which: str, answer: Any, path: str = "") -> dict[str, int | None]:
    """Every count cell ({count, suppressed}) of an answer by a stable name; a month's row is named by its month."""
    if isinstance(answer, dict) and set(answer) == {"count", "suppressed"}:
        return {f"{which}{path}": None if answer["suppressed"] else answer["count"]}
    found: dict[str, int | None] = {}
    if isinstance(answer, dict):
        for key, value in answer.items():
            found.update(_cells(which, value, f"{path}.{key}"))
    elif isinstance(answer, list):
        for index, value in enumerate(answer):
            name = f"month={value['month']}" if isinstance(value, dict) and "month" in value else str(index)
            found.update(_cells(which, value, f"{path}.{name}"))
    return found


def _derived(cells: dict[str, int | None]) -> dict[str, int]:
    """STAT-1 by subtraction within one answer: where a total is shown and exactly one of its parts is withheld,
    the part is known (a month's categories, the breaches by kind, the workplaces of employee cases)."""
    rows: dict[str, dict[str, int | None]] = {}
    totals: dict[str, int | None] = {}
    for name, count in cells.items():
        head, _, last = name.rpartition(".")
        if last == "total":
            totals[head] = count
        else:  # a part sits beside its total, or in `cells` beside it
            rows.setdefault(head.removesuffix(".cells"), {})[last] = count
    found: dict[str, int] = {}
    for head, total in totals.items():
        parts = rows.get(head, {})
        withheld = [k for k, v in parts.items() if v is None]
        if total is not None and len(withheld) == 1 and len(parts) > 1:
            found[f"{head}.{withheld[0]}"] = total - sum(v for v in parts.values() if v is not None)
    return found


@pytest.mark.timeout(0 if PROFILE == "long" else 900)  # a failure's shrinking may take minutes
def test_sep_2_sep_5_case_7_ret_1_sd_3_stat_1_acc_1_aud_1_hold_over_random_histories() -> None:
    """SEP-1, SEP-2, SEP-5, SEP-6, CASE-7, RET-1, RET-2, SEP-3, SD-3, STAT-1, ACC-1, CASE-3, AUD-1: random sequences
    of reports, personnel events, case transitions, sanctions, order lifts and statistics requests never break
    them (the invariants of RulesMachine, checked after every step)."""
    run_state_machine_as_test(RulesMachine, settings=SETTINGS)
