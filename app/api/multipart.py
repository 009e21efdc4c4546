"""multipart/form-data read into memory, never spooled to disk.

Starlette's form parser writes file parts above 1 MB to a temporary file: an evidence file would touch the
disk in plain text before it is encrypted (ACC-2). This reader keeps every part in memory, with a size cap per
part, accepts only the fields it is told about, and ignores the client's file name and content type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from app.api.problems import HttpProblem


@dataclass
class MemoryForm:
    files: dict[str, bytes] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


class _TooLarge(Exception):
    pass


class _Reader:
    def __init__(self, file_fields: dict[str, int], text_fields: dict[str, int]) -> None:
        self.limits = {**text_fields, **file_fields}
        self.parts: dict[str, bytearray] = {}
        self.errors: list[dict[str, object]] = []
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition = b""
        self._current: bytearray | None = None
        self.current_name = ""

    def on_part_begin(self) -> None:
        self._disposition, self._current = b"", None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if bytes(self._header_name).lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_name, self._header_value = bytearray(), bytearray()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name not in self.limits:
            self.errors.append({"loc": ["body", name[:40]], "msg": "Unknown field", "type": "extra_forbidden"})
        elif name in self.parts:
            self.errors.append({"loc": ["body", name], "msg": "Sent more than once", "type": "duplicate"})
        else:
            self._current = self.parts[name] = bytearray()
            self.current_name = name

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._current is not None:
            if len(self._current) + (end - start) > self.limits[self.current_name]:
                raise _TooLarge()
            self._current += data[start:end]

    def on_part_end(self) -> None:
        self._current = None


async def read_form(request: Request, *, files: dict[str, int], texts: dict[str, int]) -> MemoryForm:
    """The form's parts, by field name: `files` and `texts` map the accepted names to their byte limits. A file
    part above its limit is 413; a text part above it, an unknown or repeated field is 422; a body that is not
    multipart/form-data is 400."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise _malformed()
    reader = _Reader(files, texts)
    callbacks = {
        "on_part_begin": reader.on_part_begin,
        "on_header_field": reader.on_header_field,
        "on_header_value": reader.on_header_value,
        "on_header_end": reader.on_header_end,
        "on_headers_finished": reader.on_headers_finished,
        "on_part_data": reader.on_part_data,
        "on_part_end": reader.on_part_end,
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except _TooLarge:
        name = reader.current_name
        if name in texts:
            raise RequestValidationError(
                [{"loc": ["body", name], "msg": "Too long", "type": "string_too_long"}]
            ) from None
        raise HttpProblem(413, "body-too-large", "The file is too large.", f"At most {files[name]} bytes.") from None
    except FormParserError:
        raise _malformed() from None
    form = MemoryForm()
    for name in files:
        if name in reader.parts:
            form.files[name] = bytes(reader.parts[name])
    for name in texts:
        if name in reader.parts:
            try:
                form.texts[name] = reader.parts[name].decode("utf-8")
            except UnicodeDecodeError:
                reader.errors.append({"loc": ["body", name], "msg": "Not UTF-8", "type": "string_unicode"})
    if reader.errors:
        raise RequestValidationError(reader.errors)
    return form


def _malformed() -> HttpProblem:
    return HttpProblem(400, "malformed-body", "The request body is not a valid multipart/form-data form.")
