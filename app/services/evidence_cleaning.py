"""ACC-2: evidence loses its metadata (location, author, device) on upload.

Images are decoded and re-encoded from their pixels alone: EXIF (GPS, camera), XMP, IPTC, ICC profiles,
PNG text chunks, comments and anything appended after the image are gone; the EXIF orientation is applied
first so the picture stays upright. Only the first frame of an animated image is kept.

PDFs are rewritten by qpdf (pikepdf) without the document information dictionary and without any XMP
metadata stream. Active content is removed, not refused (a victim's evidence should not be lost because some
tool added a script to it): JavaScript, open actions, additional actions, launch/submit/import actions,
embedded files and file-attachment or multimedia annotations, XFA forms. Stream data is passed through
undecoded, so a compressed stream cannot expand in memory; JPEG images inside lose their APPn segments.

Plain text has no metadata and is kept as it is. Everything here blocks, and parses untrusted input:
`app.services.evidence_isolation` runs it in a child process under memory and time limits (F9).
"""

from __future__ import annotations

import contextlib
import io

import pikepdf
from PIL import Image, ImageOps

from app.domain.errors import DomainError, FileTooComplex, ImageTooLarge, MalformedFile
from app.domain.evidence import IMAGES, MAX_IMAGE_PIXELS, EvidenceType, fits_in_memory, within_pixel_limit

# Pillow's own bomb guard (a warning above the limit, an error above twice the limit) backs our explicit check.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

_PILLOW = {EvidenceType.jpeg: "JPEG", EvidenceType.png: "PNG", EvidenceType.webp: "WEBP"}
_MODES = {
    EvidenceType.jpeg: ("L", "RGB"),
    EvidenceType.png: ("1", "L", "LA", "RGB", "RGBA", "I;16"),
    EvidenceType.webp: ("RGB", "RGBA"),
}
_SAVE = {
    EvidenceType.jpeg: {"quality": 92},
    EvidenceType.png: {},
    EvidenceType.webp: {"quality": 92},
}


def clean(
    media: EvidenceType, content: bytes, *, max_pixels: int = MAX_IMAGE_PIXELS, memory_bytes: int | None = None
) -> bytes:
    """The content without metadata, in the same type; ImageTooLarge, FileTooComplex or MalformedFile when it
    cannot be. Images above `max_pixels`, or too large to clean within `memory_bytes`, are refused from their
    header, before they are decoded."""
    try:
        if media in IMAGES:
            return clean_image(media, content, max_pixels=max_pixels, memory_bytes=memory_bytes)
        if media is EvidenceType.pdf:
            return clean_pdf(content)
        return content
    except DomainError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge() from exc
    except MemoryError as exc:  # the child's address-space limit (evidence_isolation)
        raise (ImageTooLarge() if media in IMAGES else FileTooComplex()) from exc
    except pikepdf.PasswordError as exc:
        raise MalformedFile("A password-protected PDF cannot be accepted; remove the password first.") from exc
    except Exception as exc:  # parsers of untrusted input fail in many ways; each one means "cannot read"
        raise MalformedFile() from exc


def clean_image(
    media: EvidenceType, content: bytes, *, max_pixels: int = MAX_IMAGE_PIXELS, memory_bytes: int | None = None
) -> bytes:
    """Re-encode the pixels alone. Memory: one decoded copy, a second only while the picture is turned upright
    or converted (never the two copies of `tobytes` + `frombytes`)."""
    with Image.open(io.BytesIO(content), formats=[_PILLOW[media]]) as image:
        # The header is read, the pixels not yet: refuse a decompression bomb before it is decoded.
        width, height = image.size
        if not within_pixel_limit(width, height, max_pixels):
            raise ImageTooLarge(f"This image has {width}×{height} pixels; at most {max_pixels:,} are accepted.")
        if memory_bytes is not None and not fits_in_memory(width, height, memory_bytes):
            raise ImageTooLarge(f"An image of {width}×{height} pixels cannot be cleaned within the memory allowed.")
        image.load()
        # A damaged EXIF block must not cost the picture (it is dropped anyway); a new pixel buffer is made only
        # when the picture really turns.
        with contextlib.suppress(Exception):
            ImageOps.exif_transpose(image, in_place=True)
        pixels = _in_mode(image, _MODES[media])
        bare = _without_metadata(pixels)
    out = io.BytesIO()
    bare.save(out, format=_PILLOW[media], **_SAVE[media])
    return out.getvalue()


def _without_metadata(image: Image.Image) -> Image.Image:
    """A new plain Image over the same pixel buffer (shared, not copied) with an empty info dictionary: no
    EXIF, XMP, ICC profile, text chunk, comment, DPI, gamma, transparency key or palette of the original, and
    none of the file's own attributes (a JPEG's APPn list, a PNG's text). Saving it writes pixels only."""
    bare = image._new(image.im)
    bare.info = {}
    return bare


def _in_mode(image: Image.Image, allowed: tuple[str, ...]) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image.mode in allowed and "transparency" not in image.info:
        return image
    if has_alpha and "RGBA" in allowed:
        return image.convert("RGBA")
    if image.mode in ("1", "L", "LA", "I", "I;16") and "L" in allowed:
        return image.convert("L")
    return image.convert("RGB")


# Keys removed from every dictionary of a PDF: metadata, scripts, automatic actions, embedded files.
_REMOVED_KEYS = (
    "/Metadata",
    "/PieceInfo",
    "/JS",
    "/JavaScript",
    "/AA",
    "/OpenAction",
    "/EmbeddedFiles",
    "/XFA",
    "/Collection",
    "/RichMediaContent",
)
_UNSAFE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/Rendition",
        "/RichMediaExecute",
        "/Movie",
        "/Sound",
    }
)
_UNSAFE_ANNOTATIONS = frozenset({"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"})


def clean_pdf(content: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        if len(pdf.pages) == 0:
            raise MalformedFile()
        if "/Info" in pdf.trailer:
            del pdf.trailer["/Info"]
        _scrub(pdf)
        out = io.BytesIO()
        pdf.save(
            out,
            fix_metadata_version=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            deterministic_id=True,
        )
    return out.getvalue()


def _scrub(pdf: pikepdf.Pdf) -> None:
    """Walk everything reachable from the trailer (iteratively: a crafted file may nest deeply)."""
    stack: list[pikepdf.Object] = [pdf.Root]
    seen: set[tuple[int, int]] = set()
    while stack:
        obj = stack.pop()
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            _scrub_dictionary(obj)
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image":
                _strip_jpeg_stream(obj)
            children = [obj[key] for key in obj.keys()]
        elif isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            continue
        stack.extend(c for c in children if isinstance(c, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream))


def _scrub_dictionary(obj: pikepdf.Object) -> None:
    for key in _REMOVED_KEYS:
        if key in obj:
            del obj[key]
    for key in ("/A", "/Next"):
        if key in obj and _unsafe_action(obj[key]):
            del obj[key]
    if "/Next" in obj and isinstance(obj["/Next"], pikepdf.Array):
        obj["/Next"] = pikepdf.Array([a for a in obj["/Next"] if not _unsafe_action(a)])
    if "/Annots" in obj and isinstance(obj["/Annots"], pikepdf.Array):
        kept = [a for a in obj["/Annots"] if not _unsafe_annotation(a)]
        if len(kept) != len(obj["/Annots"]):
            obj["/Annots"] = pikepdf.Array(kept)


def _unsafe_action(action: pikepdf.Object) -> bool:
    return isinstance(action, pikepdf.Dictionary) and str(action.get("/S", "")) in _UNSAFE_ACTIONS


def _unsafe_annotation(annotation: pikepdf.Object) -> bool:
    return isinstance(annotation, pikepdf.Dictionary) and str(annotation.get("/Subtype", "")) in _UNSAFE_ANNOTATIONS


def _strip_jpeg_stream(image: pikepdf.Stream) -> None:
    """A JPEG inside a PDF keeps its EXIF (GPS, camera) unless removed: drop its APPn and comment segments
    without re-encoding (the stream is copied, never decoded)."""
    if image.get("/Filter") != "/DCTDecode":
        return
    raw = image.read_raw_bytes()
    stripped = strip_jpeg_segments(raw)
    if stripped is not None and stripped != raw:
        image.write(stripped, filter=pikepdf.Name.DCTDecode, decode_parms=image.get("/DecodeParms"))


# Segments a JPEG needs to decode: APP0 (JFIF) and APP14 (Adobe colour transform) stay, other APPn and COM go.
_KEPT_APP = {0xE0, 0xEE}


def strip_jpeg_segments(data: bytes) -> bytes | None:
    """The JPEG without its APP1–APP13, APP15 and COM segments, or None if it is not a JPEG we understand."""
    if not data.startswith(b"\xff\xd8"):
        return None
    out = bytearray(b"\xff\xd8")
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if length < 2 or i + 2 + length > len(data):
            return None
        segment = data[i : i + 2 + length]
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[i:]
            return bytes(out)
        if not ((0xE0 <= marker <= 0xEF and marker not in _KEPT_APP) or marker == 0xFE):
            out += segment
        i += 2 + length
    return None
