"""The reporter's PWA as files: both languages complete (issue #6), the service worker's list current, a strict-CSP
friendly page (no inline script or style), no third-party address, nothing about a report in localStorage."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from enum import StrEnum
from pathlib import Path

import pytest

from app.domain import enums
from app.domain.secondary_damage import SecondaryDamageKind
from app.domain.statistics import SupportKind

ROOT = Path(__file__).resolve().parents[2]
PWA = ROOT / "pwa"
LANGS = ("ko", "en")


def strings(lang: str) -> dict[str, str]:
    return json.loads((PWA / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))


def reporter_sources() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in (PWA / "js").rglob("*.js")}


def test_both_languages_have_every_key_and_no_empty_text() -> None:
    ko, en = strings("ko"), strings("en")
    assert sorted(set(ko) ^ set(en)) == []
    assert [k for k in ko if not ko[k].strip() or not en[k].strip()] == []


def test_placeholders_match_between_languages() -> None:
    ko, en = strings("ko"), strings("en")
    placeholder = re.compile(r"\{(\w+)\}")
    assert {k: sorted(placeholder.findall(ko[k])) for k in ko} == {k: sorted(placeholder.findall(en[k])) for k in en}


def test_korean_texts_are_korean() -> None:
    hangul = re.compile("[\uac00-\ud7a3]")
    ko = strings("ko")
    # Names and numbers that read the same in both languages.
    same = {"author.system", "lang.switchTo"}
    assert [k for k, v in ko.items() if k not in same and not hangul.search(v)] == []


def test_every_literal_key_in_the_code_exists() -> None:
    keys = set(strings("en"))
    used: set[str] = set()
    for text in reporter_sources().values():
        used |= set(re.findall(r"\bt\(\s*\"([\w.]+)\"", text))
        used |= set(re.findall(r"\"((?:err|measure|inbox|sd)\.[\w.]+)\"", text))
        used |= set(re.findall(r"\[\s*\"\d+\",\s*\"([\w.]+)\"\s*\]", text))  # the emergency numbers' labels
    assert sorted(used - keys) == []


# The keys built at run time from a vocabulary: every value of the server's enum has its text in both languages.
VOCABULARIES: list[tuple[str, type[StrEnum]]] = [
    ("kind", enums.ReporterKind),
    ("mode", enums.IdentityMode),
    ("category", enums.Category),
    ("workplace", enums.OrgKind),
    ("status", enums.CaseStatus),
    ("deadline", enums.DeadlineKind),
    ("measure", enums.MeasureKind),
    ("measure.status", enums.MeasureStatus),
    ("author", enums.MessageAuthor),
    ("sd.kind", SecondaryDamageKind),
    ("support", SupportKind),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("prefix", "vocabulary"), VOCABULARIES, ids=[p for p, _ in VOCABULARIES])
def test_every_value_the_api_can_send_has_a_text(lang: str, prefix: str, vocabulary: type[StrEnum]) -> None:
    texts = strings(lang)
    assert [v.value for v in vocabulary if f"{prefix}.{v.value}" not in texts] == []


def test_every_screen_has_a_title() -> None:
    app = (PWA / "js" / "app.js").read_text(encoding="utf-8")
    screens = re.findall(r"^\s+(\w+): \(\) => import\(", app, re.M)
    assert len(screens) >= 5
    assert [s for s in screens if f"title.{s}" not in strings("en")] == []


def test_the_service_worker_lists_the_current_files() -> None:
    command = [sys.executable, str(ROOT / "scripts" / "pwa-version.py"), "--check"]
    result = subprocess.run(command, capture_output=True, check=False)  # noqa: S603 (our own script)
    assert result.returncode == 0, result.stderr.decode()


def html_files() -> list[Path]:
    return sorted(PWA.rglob("*.html"))


@pytest.mark.parametrize("page", html_files(), ids=lambda p: str(p.relative_to(PWA)))
def test_pages_have_no_inline_script_style_or_handlers(page: Path) -> None:
    """The CSP allows scripts and styles from the origin only: anything inline would be blocked (and unsafe)."""
    html = page.read_text(encoding="utf-8")
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "<style" not in html
    assert re.findall(r"\sstyle=|\son[a-z]+=", html) == []


def test_no_third_party_address_in_the_app() -> None:
    """No CDN, font or analytics: the only outside address is the quick exit's neutral page."""
    found = {}
    vendored = PWA / "admin" / "vendor"  # third-party code copied unchanged: addresses in its comments only
    for path in PWA.rglob("*"):
        if vendored in path.parents:
            continue
        if path.is_file() and path.suffix in {".html", ".js", ".css", ".json", ".webmanifest"}:
            urls = re.findall(r"https?://[^\s\"'`)]+", path.read_text(encoding="utf-8"))
            urls = [u for u in urls if u != "https://www.weather.go.kr/w/index.do" and "w3.org/2000/svg" not in u]
            if urls:
                found[str(path.relative_to(PWA))] = urls
    assert found == {}


def test_local_storage_holds_only_preferences_and_no_markup_is_built_from_strings() -> None:
    """Nothing about a report goes to localStorage (issue #6); text is never parsed as HTML (no innerHTML)."""
    for path, text in reporter_sources().items():
        assert not re.search(r"\.innerHTML|insertAdjacentHTML|outerHTML", text), path
        for key in re.findall(r"localStorage\.setItem\(\s*([\w.\"]+)", text):
            assert key in {"PREF", "DRAFTS_PREF"}, (path, key)


# --- the dashboard (issue #7: "Korean and English throughout, complete") ---------------------------------------

ADMIN = PWA / "admin"
ADMIN_GROUPS = sorted({p.name.split(".")[0] for p in (ADMIN / "i18n").glob("*.json")})


def admin_strings(lang: str) -> dict[str, str]:
    merged = strings(lang)
    for group in ADMIN_GROUPS:
        merged.update(json.loads((ADMIN / "i18n" / f"{group}.{lang}.json").read_text(encoding="utf-8")))
    return merged


@pytest.mark.parametrize("group", ADMIN_GROUPS)
def test_dashboard_texts_exist_in_both_languages(group: str) -> None:
    ko, en = (json.loads((ADMIN / "i18n" / f"{group}.{lang}.json").read_text(encoding="utf-8")) for lang in LANGS)
    assert sorted(set(ko) ^ set(en)) == []
    assert [k for k in ko if not ko[k].strip() or not en[k].strip()] == []
    placeholder = re.compile(r"\{(\w+)\}")
    assert [k for k in ko if sorted(placeholder.findall(ko[k])) != sorted(placeholder.findall(en[k]))] == []


def test_every_literal_key_in_the_dashboard_exists() -> None:
    keys = set(admin_strings("en"))
    used: set[str] = set()
    for path in ADMIN.rglob("*.js"):
        if ADMIN / "vendor" in path.parents:
            continue
        used |= set(re.findall(r"\bt\(\s*\"([\w.]+)\"", path.read_text(encoding="utf-8")))
    assert len(used) > 100
    assert sorted(used - keys) == []


@pytest.mark.parametrize(
    ("prefix", "vocabulary"),
    [("role", enums.Role), ("team", enums.Team), ("status", enums.CaseStatus), ("category", enums.Category)],
)
def test_every_role_team_status_and_category_has_a_dashboard_text(prefix: str, vocabulary: type[StrEnum]) -> None:
    for lang in LANGS:
        texts = admin_strings(lang)
        assert [v.value for v in vocabulary if f"{prefix}.{v.value}" not in texts] == [], lang


# --- the modules of both front ends: no circles, no screen reaching back into its shell ("One noun, one room") ---

# `import … from "…"`, `import "…"` and `export … from "…"` at the start of a line, and `import("…")` anywhere: a
# lazy import is an edge too (a screen that imports its shell is a circle even though the shell loads it lazily).
STATIC_IMPORT = re.compile(
    r"^\s*(?:import\s+(?:[\w$*{},\s]+?\s+from\s+)?|export\s+(?:\*|\{[^}]*\})\s+from\s+)[\"']([^\"']+)[\"']", re.M
)
DYNAMIC_IMPORT = re.compile(r"\bimport\(\s*[\"']([^\"']+)[\"']\s*\)")


def module_graph() -> dict[Path, set[Path]]:
    """Every module under pwa/ → the modules it imports (absolute specifiers are served from pwa/, as by the API)."""
    graph: dict[Path, set[Path]] = {}
    for module in sorted(PWA.rglob("*.js")):
        text = module.read_text(encoding="utf-8")
        specifiers = STATIC_IMPORT.findall(text) + DYNAMIC_IMPORT.findall(text)
        graph[module] = {
            (PWA / s.lstrip("/")).resolve() if s.startswith("/") else (module.parent / s).resolve() for s in specifiers
        }
    return graph


def shells() -> set[Path]:
    """The modules a page starts (`<script type="module" src>`): the reporter's app.js, the dashboard's main.js."""
    script = re.compile(r'<script[^>]*\bsrc="([^"]+)"')
    return {
        (PWA / src.lstrip("/")).resolve() for page in html_files() for src in script.findall(page.read_text("utf-8"))
    }


def cycles(graph: dict[Path, set[Path]]) -> list[list[str]]:
    """One circle per back edge of a depth-first walk: empty exactly when the graph has no cycle."""
    found: list[list[str]] = []
    state: dict[Path, str] = {}
    path: list[Path] = []

    def walk(node: Path) -> None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                circle = path[path.index(target) :] + [target]
                found.append([str(m.relative_to(PWA)) for m in circle])
            elif target not in state:
                walk(target)
        path.pop()
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            walk(module)
    return found


def test_the_import_parser_sees_static_and_lazy_imports() -> None:
    graph = module_graph()
    app, main = PWA / "js" / "app.js", PWA / "admin" / "js" / "main.js"
    assert shells() == {app, main, PWA / "admin" / "js" / "enrol.js"}  # the dashboard's enrolment page (F1)
    assert PWA / "js" / "screens" / "report.js" in graph[app]  # lazy: screens = { report: () => import(…) }
    assert PWA / "js" / "i18n.js" in graph[app]  # static, relative
    assert PWA / "admin" / "js" / "session.js" in graph[main]
    assert PWA / "js" / "dom.js" in graph[main]  # static, absolute
    assert cycles({app: {main}, main: {app}}) == [["admin/js/main.js", "js/app.js", "admin/js/main.js"]]


def test_every_import_names_a_file_that_exists() -> None:
    missing = {
        str(module.relative_to(PWA)): sorted(str(target) for target in targets if not target.is_file())
        for module, targets in module_graph().items()
    }
    assert {module: targets for module, targets in missing.items() if targets} == {}


def test_neither_front_end_has_an_import_cycle() -> None:
    assert cycles(module_graph()) == []


def test_no_module_imports_a_shell() -> None:
    """A screen asks its front end's nav.js to go, navigate or announce; only the page itself starts the shell."""
    entry = shells()
    graph = module_graph()
    assert sorted(str(m.relative_to(PWA)) for m, targets in graph.items() if targets & entry) == []


def test_no_line_of_our_javascript_is_over_120_characters() -> None:
    """The width ruff holds the Python to; third-party code (pwa/admin/vendor/) is kept as it came."""
    long = [
        f"{p.relative_to(PWA)}:{n}"
        for p in sorted(PWA.rglob("*.js"))
        if ADMIN / "vendor" not in p.parents
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if len(line) > 120
    ]
    assert long == []


@pytest.mark.parametrize("lang", LANGS)
def test_int_7_every_system_message_has_its_text_in_the_readers_language(lang: str) -> None:
    """INT-7 (issue 14): the inbox shows a system message by its code, in the reader's language only."""
    from app.services.acknowledgements import CODES

    assert sorted(set(CODES.values()) - {k.removeprefix("system.") for k in strings(lang)}) == []
