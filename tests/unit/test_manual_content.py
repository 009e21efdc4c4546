"""MAN-1, MAN-2: the manual's data files — every role and section in both languages, no empty text, every rule
it cites exists, every case status has next steps. And the loader refuses files that drift apart."""

from __future__ import annotations

import json
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from app.domain.enums import CaseStatus, Finding, OrgKind
from app.schemas.manual import Lang, PublicFile, StaffFile, StateGuide
from app.services import manual as manual_service
from app.services.manual import Manual, ManualInvalid, check, load, state_steps

# Copied from ../shared/RULES.md (not read at test time: CI's copy of ../shared may move). Update with the rulebook.
VALID_RULE_IDS = frozenset(
    [f"INT-{n}" for n in range(1, 8)]
    + [f"CASE-{n}" for n in range(1, 10)]
    + [f"SEP-{n}" for n in range(1, 7)]
    + ["RET-1", "RET-2", "SD-1", "SD-2", "SD-3"]
    + [f"SAN-{n}" for n in range(1, 6)]
    + ["AMB-1", "AMB-2", "CON-1", "CON-2", "MAN-1", "MAN-2", "WU-1", "ACC-1", "ACC-2", "AUD-1", "STAT-1"]
)
RULE_ID = re.compile(r"\b[A-Z]{2,4}-[0-9]{1,2}\b")
ROLES = ["victim", "witness", "manager", "hr", "contractor", "case_team"]
PUBLIC_ROLES = ["victim", "witness", "manager", "hr", "contractor"]
# Readers outside the division get plain words; staff-facing texts name the rules they rest on.
CITING_ROLES = ["manager", "hr", "contractor", "case_team"]
DATA_FILES = ["index.json"] + [f"{kind}.{lang}.json" for kind in ("public", "staff") for lang in ("ko", "en")]
STATUS_KEYS = [
    (status, finding)
    for status in CaseStatus
    for finding in (list(Finding) if status == CaseStatus.decided else [None])
]


def raw(name: str) -> Any:
    return json.loads(resources.files("app.manual").joinpath(name).read_text(encoding="utf-8"))


def strings(node: Any, path: str = "") -> list[tuple[str, str]]:
    """Every string in a JSON tree with where it is."""
    if isinstance(node, str):
        return [(path, node)]
    if isinstance(node, dict):
        return [item for key, value in node.items() for item in strings(value, f"{path}/{key}")]
    if isinstance(node, list):
        return [item for i, value in enumerate(node) for item in strings(value, f"{path}[{i}]")]
    return []


def texts(lang: Lang) -> list[str]:
    """Every sentence a reader sees in one language."""
    m = load()
    out: list[str] = [e.label for e in m.public[lang].emergency]
    for role in ROLES:
        content = m.role_content(role, lang)
        out += [content.title, content.summary]
        for section in content.sections:
            out += [section.title, *section.points]
    for status, finding in STATUS_KEYS:
        found = state_steps(m, lang, status, finding)
        out += [found.title, *(s.text for s in found.steps)]
    return out


def test_man_1_the_data_files_are_package_data() -> None:
    """MAN-1: the files sit in the package and pyproject installs them with it (the PWA and the API use them)."""
    names = {p.name for p in resources.files("app.manual").iterdir()}
    assert set(DATA_FILES) <= names
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert "*.json" in pyproject["tool"]["setuptools"]["package-data"]["app.manual"]


def test_man_1_version_and_changelog() -> None:
    """MAN-1: the manual is versioned; the newest changelog entry describes the current version in both languages."""
    m = load()
    assert re.fullmatch(r"20[0-9]{2}\.[0-9]{1,2}", m.version)
    assert m.version == "2026.12"
    newest = m.index.changelog[0]
    assert newest.version == m.version and newest.released_on == m.index.released_on
    assert all(newest.changes[lang] for lang in Lang)
    for name in DATA_FILES[1:]:
        assert raw(name)["version"] == m.version


def test_man_1_every_role_and_section_exists_in_both_languages() -> None:
    """MAN-1: victim, witness, manager, case team, HR and commissioned organisation, each in Korean and English,
    with the same sections in the same order."""
    m = load()
    assert [r.id for r in m.index.roles] == ROLES
    assert [str(lang) for lang in m.index.languages] == ["ko", "en"]
    for role in ROLES:
        ko, en = m.role_content(role, Lang.ko), m.role_content(role, Lang.en)
        assert [s.id for s in ko.sections] == [s.id for s in en.sections]
        assert len(ko.sections) >= 4 if role != "case_team" else len(ko.sections) >= 8
        for a, b in zip(ko.sections, en.sections, strict=True):
            assert len(a.points) == len(b.points) and a.rules == b.rules, (role, a.id)
    for kind in ("public", "staff"):
        ko, en = raw(f"{kind}.ko.json"), raw(f"{kind}.en.json")
        assert [p for p, _ in strings(ko) if p != "/language"] == [p for p, _ in strings(en) if p != "/language"]


@pytest.mark.parametrize("name", DATA_FILES)
def test_man_1_no_text_is_empty(name: str) -> None:
    """MAN-1: no empty or blank string anywhere in either language."""
    found = strings(raw(name))
    assert found
    assert [path for path, text in found if not text.strip()] == []


def test_man_1_every_cited_rule_exists() -> None:
    """MAN-1: every rule ID in a text or a `rules` list is one of RULES.md."""
    m = load()
    cited: set[str] = set()
    for lang in Lang:
        for text in texts(lang):
            cited |= set(RULE_ID.findall(text))
        for role in ROLES:
            for section in m.role_content(role, lang).sections:
                cited |= set(section.rules)
        for status, finding in STATUS_KEYS:
            for step in state_steps(m, lang, status, finding).steps:
                cited |= set(step.rules)
    assert cited - VALID_RULE_IDS == set()
    assert len(cited) >= 40  # the manual is grounded in most of the rulebook


def test_man_1_staff_texts_cite_their_rules_and_public_texts_stay_plain() -> None:
    """MAN-1: staff-facing points name only rules their section lists; victims and witnesses read no rule codes."""
    m = load()
    for lang in Lang:
        for role in ROLES:
            for section in m.role_content(role, lang).sections:
                in_text = {rid for point in section.points for rid in RULE_ID.findall(point)}
                if role in CITING_ROLES:
                    assert in_text <= set(section.rules), (lang, role, section.id)
                else:
                    assert in_text == set(), (lang, role, section.id)
        cites = [
            set(RULE_ID.findall(s.text)) <= set(s.rules) for k in STATUS_KEYS for s in state_steps(m, lang, *k).steps
        ]
        assert all(cites)
    staff_sections = [s for role in CITING_ROLES for s in m.role_content(role, Lang.en).sections]
    assert sum(bool(RULE_ID.search(" ".join(s.points))) for s in staff_sections) >= len(staff_sections) - 4


def test_man_1_emergency_numbers() -> None:
    """MAN-1: the numbers shown are the ones we are sure of: 112 police, 1366 women's emergency hotline, 119."""
    m = load()
    for lang in Lang:
        assert [e.number for e in m.public[lang].emergency] == ["112", "1366", "119"]
    assert "여성긴급전화" in m.public[Lang.ko].emergency[1].label
    victim = " ".join(p for s in m.role_content("victim", Lang.en).sections for p in s.points)
    assert "112" in victim and "1366" in victim and "119" in victim


def test_man_1_the_victim_section_says_what_the_rules_promise() -> None:
    """MAN-1: options, receipt code, separation without moving the victim, secondary damage, deadlines, support."""
    m = load()
    victim = m.role_content("victim", Lang.en)
    ids = [s.id for s in victim.sections]
    for wanted in ("choices", "receipt_code", "after_report", "separation", "secondary_damage", "support"):
        assert wanted in ids
    text = " ".join(p for s in victim.sections for p in s.points)
    for phrase in ("Anonymous", "Confidential", "Named", "7 days", "3 months", "never moved", "not you"):
        assert phrase in text
    rules = {r for s in victim.sections for r in s.rules}
    assert {"SEP-1", "SEP-3", "CASE-7", "CASE-2", "SD-1", "SD-2", "RET-1"} <= rules
    ko = " ".join(p for s in m.role_content("victim", Lang.ko).sections for p in s.points)
    assert "피해자의 뜻에 반하여" in ko and "익명" in ko


@pytest.mark.parametrize(
    ("role", "rules"),
    [
        ("manager", {"RET-1", "SD-1", "SAN-4", "CASE-7", "SEP-4"}),
        ("hr", {"SEP-4", "SEP-3", "CASE-7", "RET-1", "SAN-5", "SEP-6"}),
        ("contractor", {"CON-1", "CON-2"}),
        ("case_team", {"CASE-3", "CASE-5", "SEP-1", "SAN-2", "SAN-3", "SD-3", "STAT-1", "CASE-8"}),
        ("witness", {"INT-2", "SD-1", "RET-1"}),
    ],
)
def test_man_1_each_role_rests_on_its_rules(role: str, rules: set[str]) -> None:
    """MAN-1: each role's manual covers the rules that bind that role."""
    m = load()
    assert rules <= {r for s in m.role_content(role, Lang.ko).sections for r in s.rules}


def test_man_1_korean_uses_the_polite_style_and_sentences_stay_short() -> None:
    """MAN-1: Korean points and steps end in 합니다/하세요 style; English sentences stay short."""
    m = load()
    ko_lines = [p for role in ROLES for s in m.role_content(role, Lang.ko).sections for p in s.points]
    ko_lines += [s.text for k in STATUS_KEYS for s in state_steps(m, Lang.ko, *k).steps]
    for line in ko_lines:
        for sentence in re.split(r"(?<=\.)\s+", line):
            plain = re.sub(r"\([^)]*\)\.?$", "", sentence.rstrip(".")).rstrip(" .")
            assert plain.endswith(("니다", "세요", "요")), sentence
    en = texts(Lang.en)
    for line in en:
        for sentence in re.split(r"(?<=[.:;])\s+", line):
            assert len(sentence.split()) <= 26, sentence


@pytest.mark.parametrize(("status", "finding"), STATUS_KEYS)
def test_man_2_every_status_has_next_steps_in_both_languages(status: CaseStatus, finding: Finding | None) -> None:
    """MAN-2: every CASE-1 status (and every finding of `decided`) has steps, the same in Korean and English."""
    m = load()
    ko, en = state_steps(m, Lang.ko, status, finding), state_steps(m, Lang.en, status, finding)
    assert ko.steps and ko.title and en.title
    assert [(s.id, s.rules, s.when) for s in ko.steps] == [(s.id, s.rules, s.when) for s in en.steps]
    assert all(s.text.strip() for s in ko.steps + en.steps)


@pytest.mark.parametrize(
    ("status", "finding", "rules"),
    [
        (CaseStatus.received, None, {"CASE-2", "SEP-1", "CASE-3", "CASE-7"}),
        (CaseStatus.triaged, None, {"CASE-2", "CASE-5"}),
        (CaseStatus.investigating, None, {"CASE-2", "CASE-1"}),
        (
            CaseStatus.decided,
            Finding.substantiated,
            {"SAN-2", "SAN-3", "CASE-6", "SAN-4", "SAN-5", "AMB-1", "CON-1", "CASE-2", "SD-3"},
        ),
        (CaseStatus.decided, Finding.not_substantiated, {"SEP-6", "RET-1"}),
        (CaseStatus.decided, Finding.insufficient_evidence, {"SEP-6", "RET-1", "CASE-8"}),
        (CaseStatus.closed, None, {"CASE-9", "RET-1"}),
        (CaseStatus.withdrawn, None, {"SD-1", "RET-1", "CASE-7"}),
    ],
)
def test_man_2_steps_name_the_rules_of_their_state(
    status: CaseStatus, finding: Finding | None, rules: set[str]
) -> None:
    """MAN-2: e.g. received → triage in 3 days, separation, recusal; substantiated → victim's opinion, sanction,
    head of unit, ambassadors, contractor, prevention plan; closed → measures stay, retaliation watch."""
    steps = state_steps(load(), Lang.en, status, finding).steps
    assert rules <= {r for s in steps for r in s.rules}


def test_man_2_conditional_steps_name_their_workplaces() -> None:
    """MAN-2: the ministry notification and the prevention plan are for public bodies; CON-1 for contractors."""
    m = load()
    received = {s.id: s for s in state_steps(m, Lang.en, CaseStatus.received, None).steps}
    assert received["notify_ministry"].when.org_kinds == [OrgKind.smg, OrgKind.affiliated]
    assert received["contractor_follow_up"].when.org_kinds == [OrgKind.contractor]
    decided = {s.id: s for s in state_steps(m, Lang.en, CaseStatus.decided, Finding.substantiated).steps}
    assert decided["prevention_plan"].when.org_kinds == [OrgKind.smg, OrgKind.affiliated]
    assert decided["close"] == state_steps(m, Lang.en, CaseStatus.decided, Finding.substantiated).steps[-1]


def _files() -> tuple[dict[str, Any], dict[str, Any]]:
    return raw("public.en.json"), raw("staff.en.json")


def _manual_with(public_en: dict[str, Any], staff_en: dict[str, Any]) -> Manual:
    m = load()
    return Manual(
        m.index,
        {Lang.ko: m.public[Lang.ko], Lang.en: PublicFile.model_validate(public_en)},
        {Lang.ko: m.staff[Lang.ko], Lang.en: StaffFile.model_validate(staff_en)},
    )


def test_man_1_the_loader_refuses_a_missing_section_in_one_language() -> None:
    """MAN-1: a section missing in English (present in Korean) stops the manual from loading."""
    public, staff = _files()
    public["roles"]["victim"]["sections"].pop()
    with pytest.raises(ManualInvalid, match="structure"):
        check(_manual_with(public, staff))


def test_man_1_the_loader_refuses_different_rules_across_languages() -> None:
    """MAN-1: the rules a section rests on are the same in every language."""
    public, staff = _files()
    public["roles"]["hr"]["sections"][0]["rules"] = ["SEP-4"]
    with pytest.raises(ManualInvalid, match="structure"):
        check(_manual_with(public, staff))


def test_man_1_the_loader_refuses_blank_text_and_unknown_keys() -> None:
    """MAN-1: a blank point or a misspelt key fails validation instead of being shown or dropped."""
    public, _ = _files()
    public["roles"]["victim"]["sections"][0]["points"][0] = "   "
    with pytest.raises(ValueError, match="points"):
        PublicFile.model_validate(public)
    public, _ = _files()
    public["roles"]["victim"]["sections"][0]["titel"] = "typo"
    with pytest.raises(ValueError, match="titel"):
        PublicFile.model_validate(public)


def test_man_2_the_loader_refuses_a_status_without_steps() -> None:
    """MAN-2: a status, or a finding of `decided`, without steps stops the manual from loading."""
    public, staff = _files()
    del staff["states"]["withdrawn"]
    with pytest.raises(ManualInvalid, match="states"):
        check(_manual_with(public, staff))
    public, staff = _files()
    del staff["states"]["decided"]["findings"]["insufficient_evidence"]
    with pytest.raises(ManualInvalid, match="finding"):
        check(_manual_with(public, staff))


def test_man_1_the_loader_reads_once() -> None:
    """MAN-1: the files are read and checked once per process."""
    assert manual_service.load() is manual_service.load()
    assert isinstance(load().staff[Lang.ko].states[CaseStatus.decided], StateGuide)


def _step(m: Manual, lang: Lang, step_id: str) -> str:
    return next(s.text for g in m.staff[lang].states.values() for s in g.steps if s.id == step_id)


def test_con_1_man_2_the_manual_says_the_configured_days(clean_env: None) -> None:
    """CON-1, MAN-2 (rules audit defect 18): the contractor follow-up step says the configured number of days (to
    link the contract, to record measures) — never a copy of the default that could disagree with the service."""
    from app.settings import Settings

    raw_text = _step(load(), Lang.en, "contractor_follow_up")
    assert "{contractor_follow_up_days}" in raw_text and "{contract_link_days}" in raw_text
    served = manual_service.for_settings(
        Settings(environment="development", contractor_follow_up_days=45, contract_link_days=5)
    )
    for lang in Lang:
        text = _step(served, lang, "contractor_follow_up")
        assert "45" in text and "5" in text and "30" not in text, text
    for lang in Lang:
        for kind in ("public", "staff"):
            dumped = getattr(served, kind)[lang].model_dump_json()
            assert not manual_service.PLACEHOLDER.search(dumped), f"{kind}.{lang}: a placeholder left unfilled"
            assert "{contractor_follow_up_days} days" not in dumped


def test_con_1_man_1_the_loader_refuses_unknown_or_mismatched_placeholders() -> None:
    """CON-1, MAN-1: a text naming a setting the manual does not know, or naming different ones in the two
    languages, stops the manual from loading."""
    public, staff = _files()
    public["roles"]["victim"]["sections"][0]["points"][0] = "Within {no_such_setting} days."
    with pytest.raises(ManualInvalid, match="no_such_setting"):
        check(_manual_with(public, staff))
    public, staff = _files()
    public["roles"]["victim"]["sections"][0]["points"][0] += " Within {contract_link_days} days."
    with pytest.raises(ManualInvalid, match="structure"):
        check(_manual_with(public, staff))
