"""What an uploaded file is, judged from its bytes (never from the name or the browser's word),
and a file name that is safe to store and to offer for download.

>>> sniff(b"%PDF-1.7 ...")
'application/pdf'
>>> sniff(b"\\x89PNG\\r\\n\\x1a\\n....")
'image/png'
>>> sniff("pH 7.1; lead < 0.1 mg/kg".encode())
'text/plain'
>>> sniff(b"MZ\\x90\\x00\\x03") is None
True
>>> safe_filename("C:\\\\scans\\\\../x-ray 1.jpg")
'x-ray 1.jpg'
>>> safe_filename("\\x00\\n") == ""
True
"""

from __future__ import annotations

import unicodedata

# Scan images, photos and lab reports: the magic bytes each format starts with.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
MEDIA_TYPES = tuple(sorted({m for _, m in SIGNATURES} | {"image/webp", "text/plain"}))


def sniff(content: bytes) -> str | None:
    """The media type of ``content`` when it is one the evidence store accepts, else None."""
    for magic, media_type in SIGNATURES:
        if content.startswith(magic):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    # A text lab report: UTF-8 without control characters other than whitespace.
    try:
        decoded = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if decoded and all(ch in "\t\n\r" or unicodedata.category(ch) != "Cc" for ch in decoded):
        return "text/plain"
    return None


def safe_filename(name: str, limit: int = 200) -> str:
    """The last path part of ``name`` without control characters, at most ``limit`` long."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in last if unicodedata.category(ch)[0] != "C").strip()
    return kept.lstrip(".")[:limit].strip()
