"""The manual over HTTP (MAN-1, MAN-2): public roles without sign-in, the case team's guide for case-team staff,
and the next steps for a case the caller may see."""

from __future__ import annotations

import uuid

import pytest

from app.domain.enums import CaseStatus, Finding, Role, Team
from app.schemas.manual import Lang
from app.services.manual import for_settings, load, state_steps
from tests.builders import case_id_for, login, make_report, make_staff, move_case

PUBLIC_ROLES = ["victim", "witness", "manager", "hr", "contractor"]
CASE_TEAM = [
    (Role.intake, Team.intake_counselling),
    (Role.investigator, Team.investigation),
    (Role.team_lead, Team.victim_support_legal),
    (Role.division_head, None),
]
CONTENT_BLIND = [Role.hr_officer, Role.auditor, Role.sysadmin]


def ids(steps: list[dict]) -> list[str]:
    return [s["id"] for s in steps]


def manual_ids(status: CaseStatus, finding: Finding | None = None) -> list[str]:
    return [s.id for s in state_steps(load(), Lang.en, status, finding).steps]


@pytest.fixture
async def intake_case(client, uow_factory):  # type: ignore[no-untyped-def]
    """A fresh report (no workplace given) in the intake team's queue, and a signed-in intake officer (on staff
    before the report comes in, so its key is wrapped for them: issue 18)."""
    officer = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    body = await make_report(client)
    headers = await login(client, officer)
    return headers, await case_id_for(client, headers, body["case_reference"])


async def test_man_1_index_is_public_and_lists_roles_in_both_languages(client) -> None:
    """MAN-1: version, languages, every role with its title in Korean and English; no sign-in; never cached."""
    response = await client.get("/api/v1/manual")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["version"] == load().version and body["languages"] == ["ko", "en"]
    roles = {r["id"]: r for r in body["roles"]}
    assert list(roles) == [*PUBLIC_ROLES, "case_team"]
    assert roles["victim"]["titles"] == {"ko": "피해자", "en": "Victim"}
    assert roles["case_team"]["audience"] == "case_team"
    assert all(r["audience"] == "public" for r in body["roles"][:5])
    assert all(r["titles"]["ko"] and r["titles"]["en"] and r["summaries"]["ko"] for r in body["roles"])
    assert body["changelog"][0]["version"] == body["version"]


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("role", PUBLIC_ROLES)
async def test_man_1_public_roles_without_sign_in(client, settings, role: str, lang: str) -> None:
    """MAN-1: victim, witness, manager, HR and commissioned organisation read their manual without signing in."""
    response = await client.get(f"/api/v1/manual/{role}", params={"lang": lang})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["role"], body["lang"], body["audience"]) == (role, lang, "public")
    assert body["states"] is None
    expected = for_settings(settings).role_content(role, Lang(lang))  # the configured numbers filled in (CON-1)
    assert [s["id"] for s in body["sections"]] == [s.id for s in expected.sections]
    assert body["sections"][0]["points"][0] == expected.sections[0].points[0]
    assert [e["number"] for e in body["emergency"]] == ["112", "1366", "119"]


async def test_man_1_language_defaults_to_korean_and_english_differs(client) -> None:
    """MAN-1: without `lang` the manual answers in Korean; the English text is a different text."""
    ko = (await client.get("/api/v1/manual/victim")).json()
    en = (await client.get("/api/v1/manual/victim", params={"lang": "en"})).json()
    assert ko["lang"] == "ko" and ko["title"] == "피해자"
    assert en["title"] == "Victim" and en["sections"][0]["title"] != ko["sections"][0]["title"]


async def test_man_1_unknown_role_is_404(client) -> None:
    """MAN-1: a role the manual does not have answers 404 not-found."""
    for path in ("/api/v1/manual/respondent", "/api/v1/manual/CASE_TEAM", "/api/v1/manual/victim%20"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not-found"


async def test_man_1_unknown_language_is_422(client, intake_case) -> None:
    """MAN-1: only `ko` and `en` exist; anything else is a validation problem (422)."""
    headers, case_id = intake_case
    for path, extra in (
        ("/api/v1/manual/victim", {}),
        ("/api/v1/manual/case_team", headers),
        (f"/api/v1/cases/{case_id}/next-steps", headers),
    ):
        for lang in ("de", "KO", ""):
            response = await client.get(path, params={"lang": lang}, headers=extra)
            assert response.status_code == 422, (path, lang)
            assert response.json()["errors"][0]["loc"] == ["query", "lang"]


async def test_man_1_case_team_manual_needs_a_staff_token(client) -> None:
    """MAN-1: the case team's manual answers 401 without a token, and with a token that is not valid."""
    assert (await client.get("/api/v1/manual/case_team")).status_code == 401
    bad = await client.get("/api/v1/manual/case_team", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


@pytest.mark.parametrize("role", CONTENT_BLIND)
async def test_man_1_case_team_manual_refuses_other_roles(client, uow_factory, role: Role) -> None:
    """MAN-1, ACC-1: HR officers, auditors and sysadmins get 403 on the case team's manual."""
    headers = await login(client, await make_staff(uow_factory, role=role))
    response = await client.get("/api/v1/manual/case_team", headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "access-denied"
    assert "sections" not in response.json()
    assert (await client.get("/api/v1/manual/hr", headers=headers)).status_code == 200


@pytest.mark.parametrize(("role", "team"), CASE_TEAM)
async def test_man_1_case_team_manual_for_case_team_roles(client, uow_factory, role: Role, team: Team | None) -> None:
    """MAN-1, MAN-2: intake, investigators, team leads and the division head read the case team's manual with
    the next steps for every status (and every finding of `decided`)."""
    headers = await login(client, await make_staff(uow_factory, role=role, team=team))
    response = await client.get("/api/v1/manual/case_team", headers=headers, params={"lang": "en"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["audience"] == "case_team" and body["title"] == "Case team"
    assert [(s["status"], s["finding"]) for s in body["states"]] == [
        ("received", None),
        ("triaged", None),
        ("investigating", None),
        ("decided", "substantiated"),
        ("decided", "not_substantiated"),
        ("decided", "insufficient_evidence"),
        ("closed", None),
        ("withdrawn", None),
    ]
    assert all(s["steps"] for s in body["states"])


async def test_man_2_next_steps_of_a_fresh_case_are_the_received_list(client, intake_case) -> None:
    """MAN-2: a new case is `received`; its next steps are the manual's `received` list (no workplace given, so
    the workplace steps stay), in both languages with the same steps."""
    headers, case_id = intake_case
    en = await client.get(f"/api/v1/cases/{case_id}/next-steps", headers=headers, params={"lang": "en"})
    assert en.status_code == 200, en.text
    assert en.headers["cache-control"] == "no-store"
    body = en.json()
    assert (body["case_id"], body["status"], body["finding"]) == (case_id, "received", None)
    assert body["title"] == "Received" and body["version"] == load().version
    assert ids(body["steps"]) == manual_ids(CaseStatus.received)
    triage = next(s for s in body["steps"] if s["id"] == "triage")
    assert "CASE-2" in triage["rules"] and "3 days" in triage["text"]
    ko = (await client.get(f"/api/v1/cases/{case_id}/next-steps", headers=headers)).json()
    assert ko["lang"] == "ko" and ko["title"] == "접수" and ids(ko["steps"]) == ids(body["steps"])


async def test_man_2_next_steps_follow_the_workplace(client, uow_factory) -> None:
    """MAN-2: a contractor's case gets the CON-1 follow-up and no ministry notification; a city case the reverse."""
    headers = await login(client, await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling))
    seen = {}
    for kind in ("contractor", "smg"):
        body = await make_report(client, workplace={"kind": kind})
        case_id = await case_id_for(client, headers, body["case_reference"])
        response = await client.get(f"/api/v1/cases/{case_id}/next-steps", headers=headers, params={"lang": "en"})
        seen[kind] = ids(response.json()["steps"])
    assert "contractor_follow_up" in seen["contractor"] and "notify_ministry" not in seen["contractor"]
    assert "notify_ministry" in seen["smg"] and "contractor_follow_up" not in seen["smg"]
    assert "citizen_support" not in seen["smg"] + seen["contractor"]


async def test_con_1_man_2_next_steps_say_the_configured_days(client, uow_factory, settings) -> None:
    """CON-1, MAN-2: the contractor follow-up step says the configured days to link the contract and to record
    measures (from the settings, in both languages), with no placeholder left."""
    headers = await login(client, await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling))
    body = await make_report(client, workplace={"kind": "contractor"})
    case_id = await case_id_for(client, headers, body["case_reference"])
    for lang, days in (("en", "days"), ("ko", "일")):
        response = await client.get(f"/api/v1/cases/{case_id}/next-steps", headers=headers, params={"lang": lang})
        step = next(s for s in response.json()["steps"] if s["id"] == "contractor_follow_up")["text"]
        assert f"{settings.contract_link_days}{' ' if lang == 'en' else ''}{days}" in step, step
        assert f"{settings.contractor_follow_up_days}{' ' if lang == 'en' else ''}{days}" in step, step
        assert "{" not in step


async def test_man_2_next_steps_follow_the_status_and_finding(client, uow_factory) -> None:
    """MAN-2: after each transition the steps are the new status's; `decided / substantiated` adds the finding's
    steps (sanction after the victim's opinion, head-of-unit measures, prevention plan for a public body)."""
    headers = await login(client, await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling))
    body = await make_report(client, workplace={"kind": "affiliated"})
    case_id = await case_id_for(client, headers, body["case_reference"])
    for to, extra, expected in [
        ("triaged", {}, manual_ids(CaseStatus.triaged)),
        ("investigating", {}, manual_ids(CaseStatus.investigating)),
        ("decided", {"finding": "substantiated"}, None),
        ("closed", {}, manual_ids(CaseStatus.closed)),
    ]:
        assert (await move_case(client, uow_factory, headers, case_id, to, **extra))["status"] == to
        steps = (await client.get(f"/api/v1/cases/{case_id}/next-steps", headers=headers, params={"lang": "en"})).json()
        assert steps["status"] == to
        if expected is not None:
            assert ids(steps["steps"]) == expected
        else:
            assert steps["finding"] == "substantiated" and steps["title"] == "Decided: substantiated"
            got = ids(steps["steps"])
            assert got[:2] == ["inform_reporter", "measures_stay"]
            for step in ("record_victim_opinion", "propose_sanction", "head_of_unit_measures", "prevention_plan"):
                assert step in got
            assert got.index("record_victim_opinion") < got.index("propose_sanction")
            # Not a contractor, not a secondary-damage case.
            assert "contractor_measures" not in got and "secondary_damage_penalty" not in got
            assert got[-1] == "close"


async def test_man_2_withdrawn_case_steps(client, intake_case, uow_factory) -> None:
    """MAN-2: a withdrawn case gets the withdrawal steps (pressure is secondary damage, the watch goes on)."""
    headers, case_id = intake_case
    assert (await move_case(client, uow_factory, headers, case_id, "withdrawn"))["status"] == "withdrawn"
    body = (await client.get(f"/api/v1/cases/{case_id}/next-steps", headers=headers, params={"lang": "en"})).json()
    assert body["status"] == "withdrawn" and ids(body["steps"]) == manual_ids(CaseStatus.withdrawn)


async def test_man_2_next_steps_of_a_hidden_case_are_404(client, intake_case, uow_factory) -> None:
    """MAN-2, ACC-1: another team's investigator gets 404 — the same as for a case that does not exist."""
    _, case_id = intake_case
    outsider = await login(client, await make_staff(uow_factory, role=Role.investigator, team=Team.investigation))
    hidden = await client.get(f"/api/v1/cases/{case_id}/next-steps", headers=outsider)
    missing = await client.get(f"/api/v1/cases/{uuid.uuid4()}/next-steps", headers=outsider)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["code"] == missing.json()["code"] == "not-found"


@pytest.mark.parametrize("role", CONTENT_BLIND)
async def test_man_2_next_steps_refuse_content_blind_roles(client, intake_case, uow_factory, role: Role) -> None:
    """MAN-2, ACC-1: HR officers, auditors and sysadmins get 404, as for a case that does not exist."""
    _, case_id = intake_case
    headers = await login(client, await make_staff(uow_factory, role=role))
    response = await client.get(f"/api/v1/cases/{case_id}/next-steps", headers=headers)
    assert response.status_code == 404 and response.json()["code"] == "not-found"


async def test_man_2_next_steps_need_a_staff_token(client, intake_case) -> None:
    """MAN-2: anonymous callers get 401."""
    _, case_id = intake_case
    assert (await client.get(f"/api/v1/cases/{case_id}/next-steps")).status_code == 401


@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_man_1_offline_manual_for_the_pwa_is_the_public_file(client, settings, lang: str) -> None:
    """The PWA keeps this document for offline reading: the published public manual, nothing else, outside /api."""
    response = await client.get(f"/offline/manual.{lang}.json")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    body = response.json()
    assert body == for_settings(settings).public[Lang(lang)].model_dump(mode="json")
    assert set(body["roles"]) == set(PUBLIC_ROLES)
    assert "case_team" not in response.text


async def test_man_1_offline_manual_in_an_unknown_language_is_a_problem(client) -> None:
    response = await client.get("/offline/manual.fr.json")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
