"""Settings: placeholder secrets refused outside development, production Argon2id parameters, short tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.domain.deadlines import DeadlinePolicy
from app.domain.lockout import LockoutPolicy
from app.settings import DEV_JWT_SECRET, PLACEHOLDERS, Settings

GOOD_SECRET = "a-real-secret-of-enough-length-0123456789"
WEAK_SECRETS = [*sorted(PLACEHOLDERS), "short", "x" * 31]


@pytest.mark.parametrize("environment", ["test", "production"])
@pytest.mark.parametrize("jwt_secret", WEAK_SECRETS)
def test_acc_1_placeholder_or_short_jwt_secret_refused_outside_development(
    clean_env: None, environment: str, jwt_secret: str
) -> None:
    """ACC-1: outside development a placeholder or short (<32) JWT secret, which would let anyone forge staff
    tokens, is refused at start-up."""
    with pytest.raises(ValidationError, match="WITHU_JWT_SECRET"):
        Settings(environment=environment, jwt_secret=jwt_secret)  # type: ignore[arg-type]


@pytest.mark.parametrize("environment", ["test", "production"])
def test_acc_1_default_jwt_secret_refused_outside_development(clean_env: None, environment: str) -> None:
    """ACC-1: the built-in development JWT secret cannot be used outside development."""
    with pytest.raises(ValidationError):
        Settings(environment=environment)  # type: ignore[arg-type]


@pytest.mark.parametrize("environment", ["test", "production"])
@pytest.mark.parametrize("jwt_secret", [GOOD_SECRET, "y" * 32])
def test_acc_1_real_jwt_secret_accepted_outside_development(clean_env: None, environment: str, jwt_secret: str) -> None:
    """ACC-1: a real secret of at least 32 characters is accepted in test and production."""
    s = Settings(environment=environment, jwt_secret=jwt_secret)  # type: ignore[arg-type]
    assert s.jwt_secret == jwt_secret


@pytest.mark.parametrize("master_key", sorted(PLACEHOLDERS - {""}))
def test_acc_2_placeholder_master_key_refused_in_production(clean_env: None, master_key: str) -> None:
    """ACC-2: a placeholder master key is refused outside development."""
    with pytest.raises(ValidationError, match="WITHU_MASTER_KEY"):
        Settings(environment="production", jwt_secret=GOOD_SECRET, master_key=master_key)


@pytest.mark.parametrize("jwt_secret", [*WEAK_SECRETS, GOOD_SECRET])
def test_acc_1_development_accepts_any_jwt_secret(clean_env: None, jwt_secret: str) -> None:
    """ACC-1: in development the placeholder (and any) secret is accepted, so the service starts without set-up."""
    s = Settings(environment="development", jwt_secret=jwt_secret)
    assert s.jwt_secret == jwt_secret


def _settings(**values: object) -> Settings:
    """The defaults, in production (the default environment) with a real JWT secret."""
    return Settings(jwt_secret=GOOD_SECRET, **values)  # type: ignore[arg-type]


def test_acc_1_without_an_environment_the_service_is_production_and_refuses_the_placeholder(clean_env: None) -> None:
    """ACC-1, ACC-2 (F16): fail closed — settings built with no WITHU_* variable at all are production's, so the
    development JWT placeholder (a public secret: anyone could sign staff tokens) is refused, and no master key is
    created."""
    assert DEV_JWT_SECRET in PLACEHOLDERS
    with pytest.raises(ValidationError, match="WITHU_JWT_SECRET"):
        Settings()
    s = _settings(master_key_file="/nonexistent/withu/master.key")
    assert s.environment == "production"
    with pytest.raises(ValueError, match="no master key"):
        s.load_master_key()


def test_acc_1_development_is_chosen_explicitly_and_keeps_its_conveniences(clean_env: None) -> None:
    """ACC-1 (F16): development must be asked for (`make run` does); then the placeholder secret is the default."""
    s = Settings(environment="development")
    assert s.jwt_secret == DEV_JWT_SECRET


def test_int_4_production_argon2id_defaults_pinned(clean_env: None) -> None:
    """INT-4: receipt codes are kept as Argon2id hashes with a per-record salt; the production parameters are
    time_cost 3, memory 65536 KiB, parallelism 4 (pinned here; the other tests use cheap parameters)."""
    from app.services.security import hasher

    s = _settings()
    assert (s.argon2_time_cost, s.argon2_memory_kib, s.argon2_parallelism) == (3, 65536, 4)
    first = hasher(s).hash("x")
    second = hasher(s).hash("x")
    assert first.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert first != second, "a fresh salt per record"


@pytest.mark.parametrize("minutes", [16, 30, 60, 1440])
def test_acc_1_access_token_minutes_cannot_exceed_15(clean_env: None, minutes: int) -> None:
    """ACC-1: staff access tokens (which gate case content) are short-lived: at most 15 minutes."""
    with pytest.raises(ValidationError, match="access_token_minutes"):
        _settings(access_token_minutes=minutes)


@pytest.mark.parametrize("minutes", [1, 5, 15])
def test_acc_1_access_token_minutes_up_to_15_accepted(clean_env: None, minutes: int) -> None:
    """ACC-1: staff access tokens of up to 15 minutes are accepted; 15 is the default."""
    assert _settings(access_token_minutes=minutes).access_token_minutes == minutes
    assert _settings().access_token_minutes == 15


@pytest.mark.parametrize("minutes", [0, -1])
def test_acc_1_access_token_minutes_must_be_positive(clean_env: None, minutes: int) -> None:
    """ACC-1: staff access tokens live at least one minute."""
    with pytest.raises(ValidationError):
        _settings(access_token_minutes=minutes)


def test_case_2_settings_defaults_match_the_rulebook(clean_env: None) -> None:
    """CASE-2: the default deadlines in settings are the rulebook's (and the domain policy's) numbers."""
    s = _settings()
    assert (s.acknowledgement_days, s.triage_days, s.feedback_months, s.investigation_days) == (7, 3, 3, 30)
    assert (
        DeadlinePolicy(
            acknowledgement_days=s.acknowledgement_days,
            triage_days=s.triage_days,
            feedback_months=s.feedback_months,
            investigation_days=s.investigation_days,
        )
        == DeadlinePolicy()
    )


def test_int_6_settings_lockout_defaults_match_the_rulebook(clean_env: None) -> None:
    """INT-6: the receipt lockout starts after 5 failures by default, with a finite cap."""
    s = _settings()
    assert s.receipt_failures_before_lock == 5
    assert 0 < s.lock_base_seconds <= s.lock_max_seconds
    assert LockoutPolicy(s.receipt_failures_before_lock, s.lock_base_seconds, s.lock_max_seconds) == LockoutPolicy()


def test_int_6_settings_read_from_the_environment(monkeypatch: pytest.MonkeyPatch, clean_env: None) -> None:
    """INT-6: the (config) numbers come from WITHU_* variables, and a weak secret there is refused too."""
    monkeypatch.setenv("WITHU_RECEIPT_FAILURES_BEFORE_LOCK", "7")
    assert _settings().receipt_failures_before_lock == 7
    monkeypatch.setenv("WITHU_ENVIRONMENT", "production")
    monkeypatch.setenv("WITHU_JWT_SECRET", "changeme")
    with pytest.raises(ValidationError):
        Settings()


def test_acc_1_session_limits_default_to_30_idle_minutes_and_10_hours(monkeypatch: pytest.MonkeyPatch, clean_env: None) -> None:
    """ACC-1 (F14): a staff sign-in ends after 30 idle minutes and 10 hours by default; both come from the
    environment."""
    s = _settings()
    assert (s.session_idle_minutes, s.session_absolute_hours) == (30, 10)
    monkeypatch.setenv("WITHU_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("WITHU_SESSION_ABSOLUTE_HOURS", "8")
    assert (_settings().session_idle_minutes, _settings().session_absolute_hours) == (15, 8)


@pytest.mark.parametrize(
    "values",
    [
        {"session_idle_minutes": 0},
        {"session_idle_minutes": 481},
        {"session_absolute_hours": 0},
        {"session_absolute_hours": 25},
        {"session_idle_minutes": 120, "session_absolute_hours": 1},
        {"login_failures_before_lock": 0},
        {"login_failures_before_lock": 101},
    ],
)
def test_acc_1_session_and_sign_in_numbers_have_sane_bounds(clean_env: None, values: dict[str, int]) -> None:
    """ACC-1 (F12, F14): idle 1–480 minutes, absolute 1–24 hours and no shorter than the idle limit, sign-in
    failures before a delay 1–100; anything else is refused at start-up."""
    with pytest.raises(ValidationError):
        _settings(**values)


# --- bounds: a setting cannot switch a rule off (rules audit defect 11) ---


def _refused(**values: object) -> str:
    """The start-up error of settings with these values (ValidationError's text names each field)."""
    with pytest.raises(ValidationError) as refused:
        _settings(**values)
    return str(refused.value)


def test_int_5_int_6_case_2_ret_1_case_3_the_audits_settings_are_refused_naming_each(clean_env: None) -> None:
    """INT-5, INT-6, CASE-2, RET-1, CASE-3 (rules audit defect 11): the settings that switched rules off are
    refused at start-up, each named in the error."""
    message = _refused(
        routing={"other": "no_such_team"},
        receipt_failures_before_lock=10**9,
        lock_max_seconds=0,
        idempotency_hours=0,
        watch_years_after_closing=-1,
        triage_days=-3,
    )
    for name in (
        "routing",
        "receipt_failures_before_lock",
        "lock_max_seconds",
        "idempotency_hours",
        "watch_years_after_closing",
        "triage_days",
    ):
        assert name in message, name


@pytest.mark.parametrize("hours", [-1, 0, 1, 23])
def test_int_5_idempotency_window_is_at_least_a_day(clean_env: None, hours: int) -> None:
    """INT-5: a retry within a day with the same Idempotency-Key never creates a second case: the window is at
    least 24 hours."""
    assert "idempotency_hours" in _refused(idempotency_hours=hours)
    assert _settings(idempotency_hours=24).idempotency_hours == 24


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"receipt_failures_before_lock": 0}, "receipt_failures_before_lock"),
        ({"receipt_failures_before_lock": 11}, "receipt_failures_before_lock"),
        ({"lock_base_seconds": 0}, "lock_base_seconds"),
        ({"lock_max_seconds": 0}, "lock_max_seconds"),
        ({"lock_base_seconds": 600, "lock_max_seconds": 60}, "WITHU_LOCK_MAX_SECONDS"),
        ({"rate_receipt": "unlimited"}, "rate_receipt"),
        ({"rate_submit": ""}, "rate_submit"),
    ],
)
def test_int_6_lockout_and_rate_limits_cannot_be_switched_off(
    clean_env: None, values: dict[str, object], named: str
) -> None:
    """INT-6: wrong receipt codes slow guesses after 1–10 failures, from a delay of at least a second that grows to
    a cap no shorter than it; rate limits must parse. Anything else is refused at start-up, naming the setting."""
    assert named in _refused(**values)


def test_int_6_lockout_within_bounds_is_accepted(clean_env: None) -> None:
    """INT-6: the (config) numbers inside their bounds are kept."""
    s = _settings(receipt_failures_before_lock=10, lock_base_seconds=1, lock_max_seconds=1, rate_receipt="5/second")
    assert (s.receipt_failures_before_lock, s.lock_base_seconds, s.lock_max_seconds) == (10, 1, 1)


@pytest.mark.parametrize(
    "values",
    [
        {"triage_days": 0},
        {"triage_days": -3},
        {"investigation_days": 0},
        {"acknowledgement_days": 0},
        {"acknowledgement_days": 8},
        {"feedback_months": 0},
        {"feedback_months": 4},
        {"contract_link_days": 0},
        {"contractor_follow_up_days": 0},
        {"due_soon_days": -1},
        {"escalate_after_days": -1},
    ],
)
def test_case_2_deadlines_cannot_be_switched_off(clean_env: None, values: dict[str, int]) -> None:
    """CASE-2 (and CON-1): every deadline is at least a day (a month); acknowledgement within 7 days and feedback
    within 3 months are the rule's, not config: shorter is allowed, longer refused. Named in the error."""
    (name,) = values
    assert name in _refused(**values)


def test_case_2_deadlines_within_bounds_are_accepted(clean_env: None) -> None:
    """CASE-2: shorter deadlines than the rulebook's are kept."""
    s = _settings(triage_days=1, investigation_days=14, acknowledgement_days=1, feedback_months=1)
    assert (s.triage_days, s.investigation_days, s.acknowledgement_days, s.feedback_months) == (1, 14, 1, 1)


@pytest.mark.parametrize("years", [-1, 0])
def test_ret_1_watch_period_is_at_least_a_year(clean_env: None, years: int) -> None:
    """RET-1: the watch after closing (config, 3 years by default) cannot be switched off."""
    assert "watch_years_after_closing" in _refused(watch_years_after_closing=years)
    assert _settings().watch_years_after_closing == 3


@pytest.mark.parametrize(
    "routing",
    [
        {"other": "no_such_team"},
        {"no_such_category": "investigation"},
        {"stalking": ""},
    ],
)
def test_case_3_routing_table_names_real_categories_and_teams(clean_env: None, routing: dict[str, str]) -> None:
    """CASE-3: every route names one of the four teams, for a real category; a table that would make
    submissions fail later is refused at start-up, naming WITHU_ROUTING."""
    message = _refused(routing=routing)
    assert "routing" in message
    assert "WITHU_ROUTING" in message


def test_case_3_routing_table_from_the_environment(monkeypatch: pytest.MonkeyPatch, clean_env: None) -> None:
    """CASE-3: routing is (config): a valid table from WITHU_ROUTING is kept; an invalid one is refused."""
    monkeypatch.setenv("WITHU_ROUTING", '{"stalking": "investigation"}')
    assert _settings().routing == {"stalking": "investigation"}
    monkeypatch.setenv("WITHU_ROUTING", '{"stalking": "nobody"}')
    with pytest.raises(ValidationError, match="WITHU_ROUTING"):
        _settings()


@pytest.mark.parametrize("team", ["intake_counselling", "investigation", "prevention_education", "no_such_team"])
def test_wu_1_citizen_workplace_route_is_not_configurable(clean_env: None, team: str) -> None:
    """WU-1: citizens' workplaces always go to the victim-support team (the rule does not mark it config): a
    table sending them anywhere else is refused at start-up."""
    message = _refused(routing={"citizen_workplace": team})
    assert "citizen_workplace" in message
    assert _settings(routing={"citizen_workplace": "victim_support_legal"}).routing


def test_case_3_cli_names_the_setting_of_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, clean_env: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """CASE-3, CASE-2: the `withu` command says which setting is wrong and exits 2, without a traceback."""
    from app import cli
    from app.settings import get_settings

    monkeypatch.setenv("WITHU_ENVIRONMENT", "development")
    monkeypatch.setenv("WITHU_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'withu.db'}")
    monkeypatch.setenv("WITHU_MASTER_KEY_FILE", str(tmp_path / "master.key"))
    monkeypatch.setenv("WITHU_TRIAGE_DAYS", "-3")
    monkeypatch.setenv("WITHU_ROUTING", '{"other": "no_such_team"}')
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as exited:
            cli.main(["audit", "verify"])
    finally:
        get_settings.cache_clear()
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "WITHU_TRIAGE_DAYS" in err
    assert "WITHU_ROUTING" in err
