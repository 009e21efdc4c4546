"""SEP-4: a webhook subscription's signing secrets during rotation (app.domain.webhook_secrets), no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.webhook_secrets import ROTATION_OVERLAP, parse, rotate, signing_secrets

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_sep_4_a_secret_stored_before_rotation_existed_is_the_current_one() -> None:
    """A bare `whsec_…` (every subscription made before rotation) signs, and never retires."""
    assert signing_secrets("whsec_A", T0 + timedelta(days=3650)) == ["whsec_A"]


def test_sep_4_rotation_signs_with_both_for_the_overlap_then_only_the_new() -> None:
    """The previous secret signs beside the new one for 24 hours after the rotation, then stops."""
    stored = rotate("whsec_A", "whsec_B", T0)
    assert ROTATION_OVERLAP == timedelta(hours=24)
    assert signing_secrets(stored, T0) == ["whsec_B", "whsec_A"]
    assert signing_secrets(stored, T0 + ROTATION_OVERLAP - timedelta(seconds=1)) == ["whsec_B", "whsec_A"]
    assert signing_secrets(stored, T0 + ROTATION_OVERLAP) == ["whsec_B"]


def test_sep_4_a_second_rotation_keeps_the_earlier_retirement_and_drops_retired_secrets() -> None:
    """Rotating again within the overlap never lengthens an older secret's life; a retired one is dropped."""
    first = rotate("whsec_A", "whsec_B", T0)
    second = rotate(first, "whsec_C", T0 + timedelta(hours=12))
    assert [(e.secret, e.retires_at) for e in parse(second)] == [
        ("whsec_C", None),
        ("whsec_B", T0 + timedelta(hours=36)),
        ("whsec_A", T0 + ROTATION_OVERLAP),
    ]
    third = rotate(second, "whsec_D", T0 + timedelta(hours=30))
    assert [e.secret for e in parse(third)] == ["whsec_D", "whsec_C", "whsec_B"]
