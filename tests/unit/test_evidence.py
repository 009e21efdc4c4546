"""ACC-2: evidence is accepted by what it is, not by what its name or the client says it is."""

from __future__ import annotations

import pytest

from app.domain.evidence import (
    MAX_IMAGE_PIXELS,
    EvidenceType,
    download_name,
    is_plain_text,
    sniff,
    within_pixel_limit,
)

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00"
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode."


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", EvidenceType.jpeg),
        (b"\xff\xd8\xff\xe1\x00\x10Exif\x00", EvidenceType.jpeg),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", EvidenceType.png),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", EvidenceType.webp),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", EvidenceType.pdf),
        ("He said he would call me again tonight.\r\n\t— 피해자 메모\f".encode(), EvidenceType.text),
        (b"\xef\xbb\xbfa note with a byte-order mark", EvidenceType.text),
    ],
)
def test_acc_2_allowed_types_are_recognised_by_their_content(content: bytes, expected: EvidenceType) -> None:
    """ACC-2: JPEG, PNG, WebP, PDF and UTF-8 text are recognised by their first bytes (text: by all of them)."""
    assert sniff(content) is expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ELF executable", ELF),
        ("Windows executable", PE),
        ("ZIP archive", b"PK\x03\x04\x14\x00\x00\x00\x08\x00"),
        ("empty ZIP archive", b"PK\x05\x06" + b"\x00" * 18),
        ("gzip", b"\x1f\x8b\x08\x00\x00\x00\x00\x00"),
        ("7-zip", b"7z\xbc\xaf\x27\x1c\x00\x04"),
        ("RAR", b"Rar!\x1a\x07\x01\x00"),
        ("shell script", b"#!/bin/sh\nrm -rf /\n"),
        ("GIF", b"GIF89a\x01\x00\x01\x00\x80\x00\x00"),
        ("TIFF", b"II*\x00\x08\x00\x00\x00"),
        ("text with a NUL", b"looks like text\x00but is not"),
        ("text with an escape sequence", b"\x1b[2Jcleared"),
        ("Latin-1 text", "café".encode("latin-1")),
        ("UTF-16 text", "a note".encode("utf-16")),
        ("JPEG magic not at the start", b"hello \xff\xd8\xff"),
        ("PDF magic not at the start", b"\x00%PDF-1.4"),
        ("RIFF that is not WebP", b"RIFF\x24\x00\x00\x00WAVEfmt "),
    ],
)
def test_acc_2_everything_else_is_refused_whatever_its_name(name: str, content: bytes) -> None:
    """ACC-2: executables, archives (a zip bomb is an archive), scripts and other formats are not on the list."""
    assert sniff(content) is None, name


def test_acc_2_plain_text_allows_only_layout_control_characters() -> None:
    """ACC-2: tab, line feed, form feed and carriage return are text; other control characters are not."""
    assert is_plain_text(b"line\tone\nline two\r\n\fpage two")
    for control in [*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F]:
        assert not is_plain_text(b"text" + bytes([control])), hex(control)


@pytest.mark.parametrize(
    ("width", "height", "allowed"),
    [
        (4000, 3000, True),
        (10_000, 5_000, True),
        (10_000, 5_001, False),
        (30_000, 30_000, False),
        (0, 100, False),
        (1, MAX_IMAGE_PIXELS, True),
        (1, MAX_IMAGE_PIXELS + 1, False),
    ],
)
def test_acc_2_pixel_limit_refuses_decompression_bombs(width: int, height: int, allowed: bool) -> None:
    """ACC-2: an image is decoded only if its declared size is within the pixel limit."""
    assert within_pixel_limit(width, height) is allowed


def test_acc_2_download_name_never_carries_the_uploaders_file_name() -> None:
    """ACC-2: a download is named by the evidence id and the sniffed type only."""
    assert download_name("0123456789abcdef", EvidenceType.pdf) == "evidence-01234567.pdf"
    assert download_name("fedcba9876543210", EvidenceType.text) == "evidence-fedcba98.txt"
    assert download_name("fedcba9876543210", EvidenceType.jpeg) == "evidence-fedcba98.jpg"
