#!/usr/bin/env python3
"""Writes the service worker's precache list and VERSION from the files of the reporter's app.

Run after changing anything under pwa/ (outside pwa/admin/) or the public manual; tests/unit/test_pwa_files.py
fails until it has been run, so that phones never keep an old mixture of files.
usage: python scripts/pwa-version.py [--check]
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PWA = ROOT / "pwa"
SW = PWA / "sw.js"
MANUAL = ROOT / "app" / "manual"
LANGS = ("en", "ko")  # the public manual, served at /offline/manual.<lang>.json by app/api/pwa.py


def app_files() -> list[Path]:
    """Every file of the reporter's app except the service worker itself and the staff dashboard."""
    return sorted(
        p
        for p in PWA.rglob("*")
        if p.is_file() and p != SW and not p.relative_to(PWA).parts[0] == "admin" and p.name != "index.html"
    )


def expected_sw() -> str:
    files = app_files()
    digest = hashlib.sha256()
    for path in [PWA / "index.html", *files, *(MANUAL / f"public.{lang}.json" for lang in LANGS)]:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    urls = ["/", *("/" + p.relative_to(PWA).as_posix() for p in files), *(f"/offline/manual.{lang}.json" for lang in LANGS)]
    text = SW.read_text(encoding="utf-8")
    text = re.sub(r'const VERSION = "[^"]*";', f'const VERSION = "{digest.hexdigest()[:12]}";', text, count=1)
    listing = "const PRECACHE = [\n" + "".join(f"  {json.dumps(u)},\n" for u in sorted(urls)) + "];"
    return re.sub(r"const PRECACHE = \[.*?\];", lambda _: listing, text, count=1, flags=re.S)


def main() -> int:
    wanted = expected_sw()
    if "--check" in sys.argv[1:]:
        if SW.read_text(encoding="utf-8") != wanted:
            print("pwa/sw.js is out of date: run python scripts/pwa-version.py", file=sys.stderr)
            return 1
        return 0
    SW.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
