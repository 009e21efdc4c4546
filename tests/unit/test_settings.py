"""Settings: placeholder secrets refused outside development, production Argon2id parameters, short tokens."""

from __future__ import annotations

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
