"""MAN-1 (the manual must be understood): one word for each thing. docs/glossary.md names, for every term of the
reporter's app, the dashboard and the manual, the one term to use in English and Korean and the variants not to use;
no text of pwa/i18n, pwa/admin/i18n or app/manual uses a rejected variant (issue 14)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"
TEXT_FILES = sorted(
    [
        *(ROOT / "pwa" / "i18n").glob("*.json"),
        *(ROOT / "pwa" / "admin" / "i18n").glob("*.json"),
        *(ROOT / "app" / "manual").glob("*.json"),
    ]
)
HANGUL = re.compile("[\uac00-\ud7a3]")


def glossary_rows() -> list[dict[str, list[str]]]:
    """Each table row: the terms (in backticks) to use and not to use, per language."""
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or cells[0] in {"concept", "---"}:
            continue
        terms = [re.findall(r"`([^`]+)`", c) for c in cells[1:5]]
        rows.append({"concept": cells[:1], "en": terms[0], "en_not": terms[1], "ko": terms[2], "ko_not": terms[3]})
    return rows


def texts(value: Any, where: str = "") -> list[tuple[str, str]]:
    """Every text of a JSON document (its values, never its keys), with where it is."""
    if isinstance(value, str):
        return [(where, value)]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in texts(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [t for i, v in enumerate(value) for t in texts(v, f"{where}[{i}]")]
    return []


def pattern(term: str) -> re.Pattern[str]:
    """Korean terms match anywhere (particles attach to them); English ones as whole words, any case."""
    if HANGUL.search(term):
        return re.compile(re.escape(term))
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.IGNORECASE)


def test_man_1_the_glossary_names_one_term_per_language_for_every_row() -> None:
    """MAN-1: each row has a term to use in both languages; no term is both to use and not to use."""
    rows = glossary_rows()
    assert len(rows) >= 40
    for row in rows:
        assert row["en"] and row["ko"], row["concept"]
        used = {t.lower() for t in row["en"] + row["ko"]}
        rejected = {t.lower() for t in row["en_not"] + row["ko_not"]}
        assert not used & rejected, row["concept"]


@pytest.mark.parametrize("path", TEXT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_man_1_no_text_uses_a_rejected_variant(path: Path) -> None:
    """MAN-1: the texts people read use the glossary's terms, never a variant it rejects (a term to use is masked
    first, so a rejected variant inside it does not count)."""
    rows = glossary_rows()
    accepted = sorted({t for r in rows for t in r["en"] + r["ko"]}, key=len, reverse=True)
    rejected = {t: pattern(t) for r in rows for t in r["en_not"] + r["ko_not"]}
    found = []
    for where, text in texts(json.loads(path.read_text(encoding="utf-8"))):
        masked = text
        for term in accepted:
            masked = pattern(term).sub("\u2003", masked)
        found += [(where, variant, text) for variant, p in rejected.items() if p.search(masked)]
    assert found == []


def test_man_1_triage_has_one_name_in_each_language() -> None:
    """MAN-1 (issue 14): the triage step — the status, the deadline, in the reporter's app and the dashboard — is
    named with the glossary's term in each language."""
    (row,) = [r for r in glossary_rows() if "triage" in r["en"]]
    keys = {
        "pwa/i18n/{}.json": ["deadline.triage", "status.triaged"],
        "pwa/admin/i18n/case.{}.json": ["case.deadline.triage"],
    }
    for lang in ("en", "ko"):
        for file, names in keys.items():
            strings = json.loads((ROOT / file.format(lang)).read_text(encoding="utf-8"))
            for name in names:
                assert any(pattern(term).search(strings[name]) for term in row[lang]), (file, name, strings[name])
