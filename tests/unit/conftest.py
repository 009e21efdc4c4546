"""Unit tests of the pure domain: no database, no event loop, no mocks."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings() reads WITHU_* variables; tests of the defaults start from an environment without them."""
    for name in list(os.environ):
        if name.upper().startswith("WITHU_"):
            monkeypatch.delenv(name)
