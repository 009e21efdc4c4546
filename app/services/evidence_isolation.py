"""F9: evidence is cleaned in a child process with an address-space, CPU and wall-clock limit, a few at a time.

Decoders and PDF parsers read untrusted input: a 200 KB PNG decodes to 200 MB, a 3 MB PDF of 300,000 objects
takes 300 MB and 20 s to walk. In a child, such a file can only exhaust the child: `RLIMIT_AS` makes an
allocation past `evidence_clean_memory_mib` fail (MemoryError → 422), `RLIMIT_CPU` and a wall-clock timeout stop
it after `evidence_clean_timeout_seconds` (422 file-too-complex), and its memory goes back to the system when it
exits. The server holds only the upload and the result. The child gets the content on stdin and no secrets (an
empty environment but for PYTHONPATH), runs at a lower CPU priority, and answers on stdout.

At most `evidence_clean_concurrency` children run at once (per process); an upload waits up to
`evidence_clean_wait_seconds` for a place, then answers 503 busy with Retry-After. Plain text is not parsed and
never waits.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import resource
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.errors import DomainError, FileTooComplex, ImageTooLarge, MalformedFile
from app.domain.evidence import PARSED, EvidenceType
from app.services import gates

if TYPE_CHECKING:
    from app.settings import Settings

log = logging.getLogger("withu.evidence")

# The child's exit status when it refused the file: stdout then holds {"code": ..., "detail": ...}.
REFUSED = 3
_REFUSALS: dict[str, type[DomainError]] = {e.code: e for e in (ImageTooLarge, MalformedFile, FileTooComplex)}
_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])
CLEANING = "evidence-cleaning"


def gate(settings: Settings) -> asyncio.Semaphore:
    """The places for cleaning in this process."""
    return gates.gate(CLEANING, settings.evidence_clean_concurrency)


async def clean(media: EvidenceType, content: bytes, settings: Settings) -> bytes:
    """`evidence_cleaning.clean`, in a child process under the configured limits; Busy when no place frees up
    in time."""
    if media not in PARSED:
        return content
    async with gates.place(CLEANING, settings.evidence_clean_concurrency, settings.evidence_clean_wait_seconds):
        return await _in_child(media, content, settings)


async def _in_child(media: EvidenceType, content: bytes, settings: Settings) -> bytes:
    limits = [
        str(settings.evidence_max_image_pixels),
        str(settings.evidence_clean_memory_mib * 1024 * 1024),
        str(math.ceil(settings.evidence_clean_timeout_seconds)),
    ]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-P",  # no current directory on the path
        "-m",
        __name__,
        media.value,
        *limits,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,  # a traceback could quote the content
        env={"PYTHONPATH": _PROJECT_ROOT},
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(content), settings.evidence_clean_timeout_seconds)
    except TimeoutError:
        log.warning("evidence cleaning stopped after %ss", settings.evidence_clean_timeout_seconds)
        raise FileTooComplex() from None
    finally:
        if process.returncode is None:  # timed out, or the request was cancelled
            process.kill()
            await process.wait()
    if process.returncode == 0:
        return out
    if process.returncode == REFUSED:
        refusal = json.loads(out)
        raise _REFUSALS.get(refusal["code"], MalformedFile)(refusal.get("detail"))
    # Killed by a signal (SIGXCPU past the CPU limit, SIGKILL, a crash in a parser): only the child is gone.
    log.warning("evidence cleaning child ended with status %s", process.returncode)
    raise FileTooComplex()


def _child() -> None:
    """The child: limits first, then read the content, clean it, answer."""
    from app.services.evidence_cleaning import clean as clean_here  # Pillow and pikepdf load in the child only

    media, max_pixels, memory_bytes, cpu_seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    _lower_limit(resource.RLIMIT_AS, memory_bytes)
    _lower_limit(resource.RLIMIT_CPU, cpu_seconds)  # past it: SIGXCPU
    _lower_limit(resource.RLIMIT_CORE, 0)  # no core file with evidence in it
    os.nice(10)  # the server's requests come first
    content = sys.stdin.buffer.read()
    try:
        cleaned = clean_here(EvidenceType(media), content, max_pixels=max_pixels, memory_bytes=memory_bytes)
    except DomainError as refused:
        sys.stdout.buffer.write(json.dumps({"code": refused.code, "detail": refused.detail}).encode())
        sys.exit(REFUSED)
    sys.stdout.buffer.write(cleaned)


def _lower_limit(kind: int, value: int) -> None:
    """Set both limits to `value`, or keep a lower hard limit the process already has (a container's)."""
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


if __name__ == "__main__":
    _child()
