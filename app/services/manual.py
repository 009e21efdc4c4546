"""The manual (MAN-1, MAN-2): loaded once from the package's data files, checked, and served by role and by case."""

from __future__ import annotations

import functools
import json
import re
import uuid
from dataclasses import dataclass
from importlib import resources
from typing import TypeVar

from pydantic import ValidationError

from app.db.uow import UnitOfWork
from app.domain.access import works_cases
from app.domain.enums import CaseStatus, Category, Finding, OrgKind
from app.domain.errors import AccessDenied, InvalidToken, NotFound
from app.schemas.manual import (
    Audience,
    IndexFile,
    Lang,
    ManualIndex,
    NextSteps,
    PublicFile,
    RoleContent,
    RoleListing,
    RoleManual,
    StaffFile,
    StateGuide,
    StateSteps,
    Step,
)
from app.services import audit
from app.services.actors import StaffActor
from app.services.cases import load_visible_case
from app.settings import Settings

PACKAGE = "app.manual"
_Model = TypeVar("_Model", IndexFile, PublicFile, StaffFile)
_Text = TypeVar("_Text", PublicFile, StaffFile)
CASE_TEAM_AUDIENCE = "case_team"
# Settings a manual text may name as `{name}`: served, the text says the configured number, never a copy of it that
# could disagree with what the service does (CON-1's follow-up days, the days to link a contract).
NUMBERS = ("contractor_follow_up_days", "contract_link_days")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


class ManualInvalid(ValueError):
    """The data files are broken: the application refuses to start serving a half manual."""


@dataclass(frozen=True)
class Manual:
    index: IndexFile
    public: dict[Lang, PublicFile]
    staff: dict[Lang, StaffFile]

    @property
    def version(self) -> str:
        return self.index.version

    def audience(self, role: str) -> Audience | None:
        return next((r.audience for r in self.index.roles if r.id == role), None)

    def role_content(self, role: str, lang: Lang) -> RoleContent:
        files = self.public if self.audience(role) == "public" else self.staff
        return files[lang].roles[role]


def _read(name: str) -> object:
    try:
        text = resources.files(PACKAGE).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ManualInvalid(f"{name}: missing") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManualInvalid(f"{name}: not valid JSON ({exc})") from exc


def _parse(model: type[_Model], name: str) -> _Model:
    try:
        return model.model_validate(_read(name))
    except ValidationError as exc:
        raise ManualInvalid(f"{name}: {exc}") from exc


@functools.cache
def load() -> Manual:
    """Read and check every data file once (MAN-1): both languages must hold the same structure."""
    index = _parse(IndexFile, "index.json")
    public = {lang: _parse(PublicFile, f"public.{lang}.json") for lang in index.languages}
    staff = {lang: _parse(StaffFile, f"staff.{lang}.json") for lang in index.languages}
    manual = Manual(index, public, staff)
    check(manual)
    return manual


def for_settings(settings: Settings) -> Manual:
    """The manual as served: every `{name}` of NUMBERS replaced by that setting's value."""
    return _filled(tuple(getattr(settings, name) for name in NUMBERS))


@functools.cache
def _filled(values: tuple[int, ...]) -> Manual:
    manual, numbers = load(), dict(zip(NUMBERS, values, strict=True))
    return Manual(
        manual.index,
        {lang: _fill(file, numbers) for lang, file in manual.public.items()},
        {lang: _fill(file, numbers) for lang, file in manual.staff.items()},
    )


def _fill(file: _Text, numbers: dict[str, int]) -> _Text:
    text = json.dumps(file.model_dump(mode="json"), ensure_ascii=False)
    return type(file).model_validate_json(PLACEHOLDER.sub(lambda m: str(numbers[m[1]]), text))


def check(manual: Manual) -> None:
    """Raise ManualInvalid unless the files agree with each other in every language."""
    index = manual.index
    if set(index.languages) != set(Lang) or len(index.languages) != len(Lang):
        raise ManualInvalid(f"index.json: languages must be {[str(x) for x in Lang]}")
    if index.changelog[0].version != index.version:
        raise ManualInvalid("index.json: the first changelog entry must describe the current version")
    for entry in index.changelog:
        if set(entry.changes) != set(Lang) or not all(entry.changes.values()):
            raise ManualInvalid(f"index.json: changelog {entry.version} needs changes in every language")
    ids = [r.id for r in index.roles]
    if len(ids) != len(set(ids)):
        raise ManualInvalid("index.json: a role is listed twice")
    wanted = {
        "public": [r.id for r in index.roles if r.audience == "public"],
        CASE_TEAM_AUDIENCE: [r.id for r in index.roles if r.audience == CASE_TEAM_AUDIENCE],
    }
    for lang in Lang:
        for kind, file in (("public", manual.public[lang]), ("staff", manual.staff[lang])):
            name = f"{kind}.{lang}.json"
            if file.version != index.version or file.language != lang:
                raise ManualInvalid(f"{name}: version/language must be {index.version}/{lang}")
            audience = "public" if kind == "public" else CASE_TEAM_AUDIENCE
            if sorted(file.roles) != sorted(wanted[audience]):
                raise ManualInvalid(f"{name}: roles must be exactly {wanted[audience]}")
            for role, content in file.roles.items():
                _unique([s.id for s in content.sections], f"{name}: {role} sections")
            unknown = set(PLACEHOLDER.findall(file.model_dump_json())) - set(NUMBERS)
            if unknown:
                raise ManualInvalid(f"{name}: unknown placeholders {sorted(unknown)}; known: {list(NUMBERS)}")
        _check_states(manual.staff[lang].states, f"staff.{lang}.json")
    first, *others = list(Lang)
    for lang in others:
        if _shape(manual, lang) != _shape(manual, first):
            raise ManualInvalid(f"{lang}: the structure (sections, steps, rules, conditions) differs from {first}")


def _check_states(states: dict[CaseStatus, StateGuide], name: str) -> None:
    """MAN-2: every status of CASE-1 has steps; `decided` has them for every finding."""
    if set(states) != set(CaseStatus):
        raise ManualInvalid(f"{name}: states must be exactly {[str(s) for s in CaseStatus]}")
    for status, guide in states.items():
        if status == CaseStatus.decided:
            if guide.findings is None or set(guide.findings) != set(Finding):
                raise ManualInvalid(f"{name}: decided needs steps for every finding")
            for finding, sub in guide.findings.items():
                if sub.findings is not None or not sub.steps:
                    raise ManualInvalid(f"{name}: decided/{finding} needs steps and no findings of its own")
                _unique([s.id for s in guide.steps + sub.steps], f"{name}: decided/{finding} steps")
        else:
            if guide.findings is not None or not guide.steps:
                raise ManualInvalid(f"{name}: {status} needs steps and no findings")
            _unique([s.id for s in guide.steps], f"{name}: {status} steps")


def _unique(ids: list[str], what: str) -> None:
    if len(ids) != len(set(ids)):
        raise ManualInvalid(f"{what}: an id is used twice")


def _shape(manual: Manual, lang: Lang) -> object:
    """Everything except the words: ids, rules, conditions, numbers. Must be equal in every language."""

    def steps(guide: StateGuide) -> object:
        return [(s.id, s.rules, s.when, PLACEHOLDER.findall(s.text)) for s in guide.steps]

    roles = {**manual.public[lang].roles, **manual.staff[lang].roles}
    return (
        {
            role: [(s.id, s.rules, [PLACEHOLDER.findall(p) for p in s.points]) for s in c.sections]
            for role, c in roles.items()
        },
        [e.number for e in manual.public[lang].emergency],
        {
            status: (steps(g), {f: steps(sub) for f, sub in (g.findings or {}).items()})
            for status, g in manual.staff[lang].states.items()
        },
    )


def state_steps(manual: Manual, lang: Lang, status: CaseStatus, finding: Finding | None) -> StateSteps:
    """The steps for a status; for `decided`, the common steps followed by the finding's own."""
    guide = manual.staff[lang].states[status]
    if status == CaseStatus.decided and finding is not None and guide.findings:
        sub = guide.findings[finding]
        return StateSteps(status=status, finding=finding, title=sub.title, steps=guide.steps + sub.steps)
    return StateSteps(status=status, finding=None, title=guide.title, steps=guide.steps)


def applies(step: Step, org_kind: OrgKind | None, category: Category) -> bool:
    """A conditional step applies when the case matches it; an unknown workplace keeps workplace steps (their
    text names the kind of workplace they are for)."""
    when = step.when
    if when is None:
        return True
    if when.org_kinds is not None and org_kind is not None and org_kind not in when.org_kinds:
        return False
    return when.categories is None or category in when.categories


def manual_index() -> ManualIndex:
    """MAN-1: the version, the languages, the roles with their titles in every language, the changelog."""
    manual = load()
    return ManualIndex(
        version=manual.version,
        released_on=manual.index.released_on,
        languages=list(manual.index.languages),
        roles=[
            RoleListing(
                id=r.id,
                audience=r.audience,
                titles={lang: manual.role_content(r.id, lang).title for lang in Lang},
                summaries={lang: manual.role_content(r.id, lang).summary for lang in Lang},
            )
            for r in manual.index.roles
        ],
        changelog=list(manual.index.changelog),
    )


def role_manual(role: str, lang: Lang, actor: StaffActor | None, settings: Settings) -> RoleManual:
    """MAN-1: a role's manual. Public roles for anyone; the case team's only for case-team staff (ACC-1)."""
    manual = for_settings(settings)
    audience = manual.audience(role)
    if audience is None:
        raise NotFound()
    states = None
    if audience == CASE_TEAM_AUDIENCE:
        if actor is None:
            raise InvalidToken()
        if not works_cases(actor.role):
            raise AccessDenied()
        states = [
            state_steps(manual, lang, status, finding)
            for status in CaseStatus
            for finding in (Finding if status == CaseStatus.decided else [None])
        ]
    content = manual.role_content(role, lang)
    return RoleManual(
        version=manual.version,
        lang=lang,
        role=role,
        audience=audience,
        title=content.title,
        summary=content.summary,
        sections=content.sections,
        emergency=manual.public[lang].emergency,
        states=states,
    )


async def next_steps(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, lang: Lang) -> NextSteps:
    """MAN-2: the next steps the manual prescribes for a case in its current status (and finding). The read is
    audited (AUD-1: it tells the case's status and finding)."""
    case = await load_visible_case(uow, actor, case_id)
    await audit.record(uow, actor, "case.next_steps_read", case_id=case.id)
    manual = for_settings(uow.settings)
    found = state_steps(manual, lang, case.status, case.finding)
    return NextSteps(
        version=manual.version,
        lang=lang,
        case_id=case.id,
        status=case.status,
        finding=case.finding,
        title=found.title,
        steps=[s for s in found.steps if applies(s, case.org_kind, case.category)],
    )


def offline_manual(lang: Lang, settings: Settings) -> dict[str, object]:
    """MAN-1: the public manual of one language as one document, for the PWA to keep for offline reading."""
    return for_settings(settings).public[lang].model_dump(mode="json")
