"""ACC-2: evidence loses its metadata (location, author, device) and its active content on upload."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from app.domain.errors import ImageTooLarge, MalformedFile
from app.domain.evidence import EvidenceType, fits_in_memory, sniff
from app.services.evidence_cleaning import clean, strip_jpeg_segments
from tests.evidence_samples import (
    flat_png,
    jpeg_with_gps,
    pdf_with_scripts,
    png_bomb,
    png_with_text,
    webp_with_exif,
)

MIB = 1024 * 1024


def _tag() -> str:
    return uuid.uuid4().hex[:10]


def test_acc_2_jpeg_loses_exif_gps_and_comment_and_is_turned_upright() -> None:
    """ACC-2: a JPEG is re-encoded from its pixels: no EXIF (GPS, camera, artist), no comment; the EXIF
    orientation is applied first, so 80×40 pixels with orientation 6 come out as 40×80."""
    tag = _tag()
    original = jpeg_with_gps(tag)
    assert f"Make{tag}".encode() in original and f"Comment{tag}".encode() in original
    cleaned = clean(EvidenceType.jpeg, original)
    assert tag.encode() not in cleaned and b"Exif" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.format == "JPEG" and image.size == (40, 80)
        assert dict(image.getexif()) == {} and "comment" not in image.info


def test_acc_2_png_loses_text_chunks_xmp_and_exif_but_keeps_transparency() -> None:
    """ACC-2: PNG tEXt, zTXt and iTXt (XMP) chunks and eXIf are gone; the alpha channel stays."""
    tag = _tag()
    original = png_with_text(tag)
    cleaned = clean(EvidenceType.png, original)
    assert tag.encode() not in cleaned
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf"):
        assert chunk in original or chunk == b"zTXt"
        assert chunk not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.mode == "RGBA" and image.getpixel((0, 0)) == (0, 128, 0, 200)
        assert dict(image.getexif()) == {}


def test_acc_2_webp_loses_exif_and_xmp() -> None:
    """ACC-2: WebP is on the list when Pillow reads it; EXIF and XMP are dropped."""
    tag = _tag()
    original = webp_with_exif(tag)
    assert sniff(original) is EvidenceType.webp and tag.encode() in original
    cleaned = clean(EvidenceType.webp, original)
    assert tag.encode() not in cleaned and b"EXIF" not in cleaned and b"XMP " not in cleaned
    assert sniff(cleaned) is EvidenceType.webp


def test_acc_2_decompression_bomb_is_refused_before_decoding() -> None:
    """ACC-2: 30000×30000 pixels in ~100 KB is refused as image-too-large."""
    bomb = png_bomb()
    assert len(bomb) < 200_000
    with pytest.raises(ImageTooLarge):
        clean(EvidenceType.png, bomb)


@pytest.mark.parametrize(
    ("media", "content"),
    [
        (EvidenceType.jpeg, b"\xff\xd8\xff\xe0 this is not a picture"),
        (EvidenceType.png, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR truncated"),
        (EvidenceType.webp, b"RIFF\x10\x00\x00\x00WEBPVP8 broken"),
        (EvidenceType.pdf, b"%PDF-1.7\nnot really a pdf at all\n%%EOF"),
    ],
)
def test_acc_2_malformed_files_are_refused(media: EvidenceType, content: bytes) -> None:
    """ACC-2: content that starts like an allowed type but does not decode is malformed-file."""
    with pytest.raises(MalformedFile):
        clean(media, content)


def test_acc_2_truncated_jpeg_is_refused() -> None:
    """ACC-2: a JPEG cut in the middle does not decode: malformed-file."""
    with pytest.raises(MalformedFile):
        clean(EvidenceType.jpeg, jpeg_with_gps(_tag(), size=(400, 400))[:600])


def test_acc_2_pdf_loses_metadata_and_scripts_but_keeps_pages_and_plain_links() -> None:
    """ACC-2: document info, XMP, JavaScript (open action, document scripts, page actions), embedded files
    and launch actions are removed — the PDF is cleaned, not refused; its page and a plain URI link stay."""
    tag = _tag()
    original = pdf_with_scripts(tag)
    for marker in (f"Author{tag}", f"XmpCreator{tag}", f"Js{tag}", f"doc{tag}", f"Attached{tag}", f"calc{tag}"):
        assert marker.encode() in original, marker
    cleaned = clean(EvidenceType.pdf, original)
    assert tag.encode() not in cleaned
    assert b"JavaScript" not in cleaned and b"/JS" not in cleaned and b"/Launch" not in cleaned
    with pikepdf.open(io.BytesIO(cleaned)) as pdf:
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root and "/OpenAction" not in pdf.Root
        assert "/JavaScript" not in pdf.Root.Names and "/EmbeddedFiles" not in pdf.Root.Names
        page = pdf.pages[0]
        assert "/AA" not in page.obj
        assert [str(a.A.S) for a in page.obj.Annots if "/A" in a] == ["/URI"]
        assert len(pdf.pages) == 1


def test_acc_2_jpeg_inside_a_pdf_loses_its_exif() -> None:
    """ACC-2: a photo placed in a PDF keeps its EXIF GPS unless removed; its APPn segments are dropped
    without decoding the image."""
    tag = _tag()
    photo = jpeg_with_gps(tag)
    original = pdf_with_scripts(_tag(), embedded_jpeg=photo)
    assert f"Make{tag}".encode() in original
    cleaned = clean(EvidenceType.pdf, original)
    assert tag.encode() not in cleaned and b"Exif" not in cleaned
    with pikepdf.open(io.BytesIO(cleaned)) as pdf:
        image = pdf.pages[0].Resources.XObject.Im0
        with Image.open(io.BytesIO(image.read_raw_bytes())) as decoded:
            assert decoded.size == (80, 40) and dict(decoded.getexif()) == {}


def test_acc_2_password_protected_pdf_is_refused() -> None:
    """ACC-2: a PDF that cannot be opened without a password cannot be cleaned, so it is refused."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="secret-user", owner="secret-owner"))
    with pytest.raises(MalformedFile) as refused:
        clean(EvidenceType.pdf, out.getvalue())
    assert "password" in str(refused.value.detail)


def test_acc_2_pdf_without_pages_is_refused() -> None:
    """ACC-2: a PDF with no page is not evidence anyone can read: malformed-file."""
    out = io.BytesIO()
    pikepdf.new().save(out)
    with pytest.raises(MalformedFile):
        clean(EvidenceType.pdf, out.getvalue())


def test_acc_2_text_is_kept_byte_for_byte() -> None:
    """ACC-2: plain text has no metadata to remove."""
    text = "메모: he waited outside again.\n".encode()
    assert clean(EvidenceType.text, text) == text


def test_acc_2_jpeg_segment_stripping_keeps_jfif_and_adobe_and_drops_the_rest() -> None:
    """ACC-2: APP0 (JFIF) and APP14 (Adobe colour transform) are needed to decode; APP1 (EXIF/XMP), APP13
    (IPTC) and COM go."""

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload

    scan = b"\xff\xda\x00\x02entropy-coded\xff\xd9"
    jpeg = (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00")
        + segment(0xE1, b"Exif\x00\x00GPS")
        + segment(0xED, b"Photoshop 3.0\x00IPTC")
        + segment(0xEE, b"Adobe\x00")
        + segment(0xFE, b"a comment")
        + segment(0xDB, b"\x00quant")
        + scan
    )
    assert strip_jpeg_segments(jpeg) == (
        b"\xff\xd8" + segment(0xE0, b"JFIF\x00") + segment(0xEE, b"Adobe\x00") + segment(0xDB, b"\x00quant") + scan
    )
    assert strip_jpeg_segments(b"not a jpeg") is None
    assert strip_jpeg_segments(b"\xff\xd8" + b"\xff\xe1\x00\xff") is None  # a segment longer than the data


def test_f9_acc_2_image_above_the_pixel_setting_is_refused_from_its_header() -> None:
    """F9, ACC-2: a deployment's lower pixel limit refuses the 7071×7071 PNG (50 MP, ≈200 KB) from its header,
    and says how large it is and what is accepted."""
    with pytest.raises(ImageTooLarge) as refused:
        clean(EvidenceType.png, flat_png(), max_pixels=25_000_000)
    assert "7071×7071" in str(refused.value.detail) and "25,000,000" in str(refused.value.detail)


def test_f9_acc_2_image_that_cannot_be_cleaned_within_the_memory_bound_is_refused_from_its_header() -> None:
    """F9, ACC-2: 8 bytes a pixel (the decoded picture and one working copy) plus 128 MiB must fit in the
    memory allowed: 7071×7071 needs ~510 MiB, so 500 MiB refuses it before decoding and 512 MiB does not."""
    assert not fits_in_memory(7071, 7071, 500 * MIB) and fits_in_memory(7071, 7071, 512 * MIB)
    with pytest.raises(ImageTooLarge) as refused:
        clean(EvidenceType.png, flat_png(), memory_bytes=500 * MIB)
    assert "memory" in str(refused.value.detail)


_PEAK_SCRIPT = """
import io, json, sys
from pathlib import Path
from app.domain.evidence import EvidenceType
from app.services.evidence_cleaning import clean

def peak():
    return next(int(l.split()[1]) for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM"))

content = Path(sys.argv[1]).read_bytes()
clean(EvidenceType.png, Path(sys.argv[2]).read_bytes())  # warm: plug-ins and encoders loaded
before = peak()
cleaned = clean(EvidenceType.png, content)
print(json.dumps({"growth_kib": peak() - before, "size": len(cleaned)}))
"""


def test_f9_acc_2_cleaning_an_image_holds_one_decoded_copy_not_four(tmp_path: Path) -> None:
    """F9, ACC-2: cleaning a 3464×3464 RGBA PNG (12 MP, 46 MiB decoded) raises the peak memory of a fresh
    process by less than 1.5 decoded copies. The former pipeline (a copy for the orientation, then
    `tobytes` + `frombytes`) held four (~185 MiB). Metadata is still stripped: see the tests above."""
    side = 3464
    big, small = tmp_path / "big.png", tmp_path / "small.png"
    big.write_bytes(flat_png(side))
    small.write_bytes(png_with_text(_tag()))
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", _PEAK_SCRIPT, str(big), str(small)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        check=True,
        timeout=120,
    )
    result = json.loads(done.stdout)
    decoded_kib = side * side * 4 // 1024
    assert result["size"] > 0
    assert result["growth_kib"] < 1.5 * decoded_kib, result
