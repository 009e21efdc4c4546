"""`app/domain/secondary_damage.py` as executable examples: references of secondary-damage reports (SD-2)."""

from __future__ import annotations

import pytest

from app.domain.enums import Category
from app.domain.secondary_damage import (
    OriginalSealed,
    ReferenceOnlyForSecondaryDamage,
    check_inbox_original,
    check_reference,
    links_to,
    normalize_reference,
)


@pytest.mark.parametrize("category", list(Category))
def test_sd_2_a_case_reference_comes_only_with_secondary_damage(category: Category) -> None:
    """SD-2: a report names an original case by reference only when it reports secondary damage."""
    check_reference(category, False)
    if category == Category.secondary_damage:
        check_reference(category, True)
    else:
        with pytest.raises(ReferenceOnlyForSecondaryDamage):
            check_reference(category, True)


def test_sd_2_unknown_or_sealed_originals_link_nothing() -> None:
    """SD-2, CASE-8: a report is linked only to an existing case that is not held in escrow; the inbox of a
    sealed case takes no linked report (the reporter can report anew)."""
    assert links_to(True, False) is True
    assert links_to(False, False) is False
    assert links_to(True, True) is False
    assert normalize_reference("  wu-abcde-12345 ") == "WU-ABCDE-12345"
    check_inbox_original(False)
    with pytest.raises(OriginalSealed):
        check_inbox_original(True)
