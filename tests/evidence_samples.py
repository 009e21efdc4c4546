"""Evidence files built for tests: images with location metadata, PDFs with authors and scripts, files that lie."""

from __future__ import annotations

import functools
import io
import zipfile
import zlib

import pikepdf
from PIL import Image, PngImagePlugin

GPS_IFD = 0x8825
MAKE, MODEL, ORIENTATION, ARTIST = 0x010F, 0x0110, 0x0112, 0x013B
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 200


def exif_with_gps(tag: str) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = f"Make{tag}"
    exif[MODEL] = f"Model{tag}"
    exif[ARTIST] = f"Artist{tag}"
    exif[ORIENTATION] = 6  # rotated: the cleaned picture must come out upright
    exif[GPS_IFD] = {1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 40.0)}
    return exif


def jpeg_with_gps(tag: str, size: tuple[int, int] = (80, 40)) -> bytes:
    """A JPEG (landscape pixels, EXIF orientation 6) with camera, artist, GPS and a comment."""
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif_with_gps(tag).tobytes(), comment=f"Comment{tag}".encode())
    return out.getvalue()


def png_with_text(tag: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", f"Author{tag}")
    info.add_text("Comment", f"Comment{tag}", zip=True)
    info.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta>Xmp{tag}</x:xmpmeta>")
    out = io.BytesIO()
    Image.new("RGBA", (30, 20), (0, 128, 0, 200)).save(out, "PNG", pnginfo=info, exif=exif_with_gps(tag).tobytes())
    return out.getvalue()


def webp_with_exif(tag: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 10, 200)).save(out, "WEBP", exif=exif_with_gps(tag).tobytes(), xmp=f"Xmp{tag}")
    return out.getvalue()


def png_bomb(side: int = 30_000) -> bytes:
    """side × side 1-bit pixels, complete and valid: about 100 KB on disk, 900 megapixels decoded. Written
    chunk by chunk (encoding it with Pillow would take seconds)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = side.to_bytes(4, "big") * 2 + bytes([1, 0, 0, 0, 0])  # 1 bit, greyscale
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row * 1000) for _ in range(side // 1000))
    data += compressor.compress(row * (side % 1000)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


@functools.cache
def flat_png(side: int = 7071, colour: tuple[int, int, int, int] = (10, 20, 30, 255)) -> bytes:
    """F9: side × side RGBA pixels of one colour: about 200 KB on disk, just under 50 megapixels, 200 MB
    decoded (Pillow holds 4 bytes a pixel). Written chunk by chunk, so building it costs little memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = side.to_bytes(4, "big") * 2 + bytes([8, 6, 0, 0, 0])  # 8 bits, RGBA
    row = b"\x00" + bytes(colour) * side
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row * 500) for _ in range(side // 500))
    data += compressor.compress(row * (side % 500)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def pdf_with_many_objects(count: int) -> bytes:
    """F9: a small PDF (object streams compress well) whose `count` objects qpdf and the cleaner each hold in
    memory: about 1 KB of memory per object once cleaned, 10 µs or more of work each."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.Extra = pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(N=i)) for i in range(count)])
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def pdf_with_scripts(tag: str, *, embedded_jpeg: bytes | None = None) -> bytes:
    """A PDF with an author, XMP, a JavaScript open action, a document-level script, an embedded file, a link
    that launches a program — and, optionally, a JPEG image that still carries its EXIF."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:creator"] = [f"XmpCreator{tag}"]
    pdf.docinfo["/Author"] = f"Author{tag}"
    pdf.docinfo["/Producer"] = f"Producer{tag}"
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.alert('Js{tag}')"))
    script = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"var doc{tag};")))
    attachment = pikepdf.Stream(pdf, f"Attached{tag}".encode())
    attachment.Type = pikepdf.Name.EmbeddedFile
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("init"), script])),
        EmbeddedFiles=pikepdf.Dictionary(
            Names=pikepdf.Array(
                [
                    pikepdf.String("a.txt"),
                    pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("a.txt"), EF={"/F": attachment}),
                ]
            )
        ),
    )
    page = pdf.pages[0]
    page.obj.AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("1")))
    page.obj.Annots = pdf.make_indirect(
        pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=[0, 0, 50, 50],
                    A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String(f"calc{tag}.exe")),
                ),
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=[50, 50, 100, 100],
                    A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/")),
                ),
            ]
        )
    )
    if embedded_jpeg is not None:
        with Image.open(io.BytesIO(embedded_jpeg)) as im:
            width, height = im.size
        image = pikepdf.Stream(pdf, embedded_jpeg)
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width, image.Height, image.BitsPerComponent = width, height, 8
        image.ColorSpace, image.Filter = pikepdf.Name.DeviceRGB, pikepdf.Name.DCTDecode
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = pdf.make_stream(b"q 100 0 0 50 0 0 cm /Im0 Do Q")
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A ZIP whose one member inflates 1000-fold."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("photo.jpg", b"\x00" * 20_000_000)
    return out.getvalue()
