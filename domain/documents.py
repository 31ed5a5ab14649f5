"""Documents in the case file (附卷材料): which files are accepted, judged by their bytes.

A client's file name and content type say nothing reliable about a file: a PNG renamed
`协议.pdf` is a PNG. The first bytes of each accepted format (its magic number) decide.
"""

from __future__ import annotations

import re

from domain.errors import InvalidValueError
from domain.values import MediaType

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
"""The largest document accepted: 20 MiB (a phone's photo of a signed page is 2-8 MiB)."""

MAGIC_NUMBERS: tuple[tuple[bytes, MediaType], ...] = (
    (b"%PDF-", MediaType.PDF),
    (b"\xff\xd8\xff", MediaType.JPEG),
    (b"\x89PNG\r\n\x1a\n", MediaType.PNG),
)

EXTENSIONS = {MediaType.PDF: ".pdf", MediaType.JPEG: ".jpg", MediaType.PNG: ".png"}

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def media_type_of(content: bytes) -> MediaType:
    """The file's format from its first bytes; anything but PDF, JPEG or PNG is refused."""
    for magic, media_type in MAGIC_NUMBERS:
        if content.startswith(magic):
            return media_type
    raise InvalidValueError("file", "must be a PDF, JPEG or PNG file (judged by its bytes)")


def check_size(size: int) -> None:
    if size <= 0:
        raise InvalidValueError("file", "must not be empty")
    if size > MAX_DOCUMENT_BYTES:
        raise InvalidValueError("file", f"must be at most {MAX_DOCUMENT_BYTES // 2**20} MiB")
