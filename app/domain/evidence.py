"""Evidence files (ACC-2): the allow-list of types, decided by content — never by the name or the client's
declared type — and the limits that keep a small file from becoming a huge image in memory."""

from __future__ import annotations

import re
from enum import StrEnum


class EvidenceType(StrEnum):
    """What the content really is (the allow-list). Values are the media types served on download."""

    jpeg = "image/jpeg"
    png = "image/png"
    webp = "image/webp"
    pdf = "application/pdf"
    text = "text/plain"


class Uploader(StrEnum):
    reporter = "reporter"
    staff = "staff"


EXTENSIONS = {
    EvidenceType.jpeg: "jpg",
    EvidenceType.png: "png",
    EvidenceType.webp: "webp",
    EvidenceType.pdf: "pdf",
    EvidenceType.text: "txt",
}

IMAGES = frozenset({EvidenceType.jpeg, EvidenceType.png, EvidenceType.webp})
# Types whose content is parsed to be cleaned (plain text is kept as sent).
PARSED = IMAGES | {EvidenceType.pdf}

# A decoded image is width × height × up to 4 bytes in memory; a 1-bit PNG of 30000×30000 is a few kilobytes
# on disk and almost 4 GB decoded. 50 megapixels covers every phone camera's default output (and the 48/50 MP
# modes); a deployment may set a lower limit, never a higher one.
MAX_IMAGE_PIXELS = 50_000_000
# Cleaning an image holds the decoded picture and at most one working copy of it (turned upright by the EXIF
# orientation, or converted to RGB), 4 bytes a pixel each, besides the interpreter, the upload and the result.
CLEANING_BYTES_PER_PIXEL = 8
CLEANING_BASE_BYTES = 128 * 1024 * 1024

# Archives, executables and other containers: refused outright, even when their bytes would decode as text.
_REFUSED_PREFIXES = (
    b"PK\x03\x04",  # ZIP (also docx, xlsx, apk, jar)
    b"PK\x05\x06",
    b"PK\x07\x08",
    b"MZ",  # Windows executables
    b"\x7fELF",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"\xcf\xfa\xed\xfe",
    b"\xfe\xed\xfa\xcf",
    b"\x1f\x8b",  # gzip
    b"BZh",
    b"\xfd7zXZ\x00",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!",
    b"#!",  # scripts
)

# Control characters a plain-text file may not contain: all but tab, line feed, form feed, carriage return.
_FORBIDDEN_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(content: bytes) -> EvidenceType | None:
    """The type of the content by its magic bytes, or None when it is not on the allow-list."""
    if content.startswith(b"\xff\xd8\xff"):
        return EvidenceType.jpeg
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return EvidenceType.png
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return EvidenceType.webp
    if content.startswith(b"%PDF-"):
        return EvidenceType.pdf
    if content.startswith(_REFUSED_PREFIXES):
        return None
    return EvidenceType.text if is_plain_text(content) else None


def is_plain_text(content: bytes) -> bool:
    """Valid UTF-8 with no NUL and no control characters other than tab, line and page breaks."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return _FORBIDDEN_CONTROLS.search(text) is None


def within_pixel_limit(width: int, height: int, limit: int = MAX_IMAGE_PIXELS) -> bool:
    return width > 0 and height > 0 and width * height <= limit


def fits_in_memory(width: int, height: int, memory_bytes: int) -> bool:
    """Whether an image of this size can be cleaned within `memory_bytes` of address space."""
    return width * height * CLEANING_BYTES_PER_PIXEL + CLEANING_BASE_BYTES <= memory_bytes


def download_name(evidence_id_hex: str, media: EvidenceType) -> str:
    """The name a download carries: never the uploader's file name (it may name a person or a device)."""
    return f"evidence-{evidence_id_hex[:8]}.{EXTENSIONS[media]}"
