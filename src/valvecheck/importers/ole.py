"""What an OLE compound file (the container of an old .xls or .doc) holds, from its directory.

A password-protected .xlsx or .docx is an OLE file too, so its first bytes cannot tell it from an
old Excel or Word file: the names of its streams can. An encrypted Office Open XML file holds
``EncryptionInfo`` and ``EncryptedPackage``; an old workbook a ``Workbook`` (or ``Book``) stream;
an old Word document a ``WordDocument`` stream. Only the directory is read, with every sector
number checked, so a damaged or hostile file gives no names rather than an error.
"""

from __future__ import annotations

import struct

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFE
_MAX_SECTORS = 1 << 16  # a directory this long is not one a person saved


def stream_names(data: bytes) -> set[str]:
    """The names in an OLE file's directory (streams and storages); empty when it is not one."""
    if not data.startswith(MAGIC) or len(data) < 512:
        return set()
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        return set()
    size = 1 << shift
    fat_count, directory = struct.unpack_from("<II", data, 0x2C)
    difat_next, difat_count = struct.unpack_from("<II", data, 0x44)
    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    seen = 0
    while difat_next < _END and seen < difat_count and seen < _MAX_SECTORS:
        sector = _sector(data, difat_next, size)
        if sector is None:
            break
        entries = struct.unpack(f"<{size // 4}I", sector)
        fat_sectors += entries[:-1]
        difat_next = entries[-1]
        seen += 1
    fat: list[int] = []
    for number in fat_sectors[: min(fat_count, _MAX_SECTORS)]:
        sector = _sector(data, number, size)
        if sector is None:
            break
        fat += struct.unpack(f"<{size // 4}I", sector)
    names: set[str] = set()
    sector_number, steps = directory, 0
    while sector_number < _END and steps < _MAX_SECTORS:
        sector = _sector(data, sector_number, size)
        if sector is None:
            break
        for at in range(0, size, 128):
            length = struct.unpack_from("<H", sector, at + 64)[0]
            kind = sector[at + 66]
            if kind in (1, 2, 5) and 2 <= length <= 64:
                names.add(sector[at : at + length - 2].decode("utf-16-le", errors="replace"))
        sector_number = fat[sector_number] if sector_number < len(fat) else _END
        steps += 1
    return names


def _sector(data: bytes, number: int, size: int) -> bytes | None:
    start = (number + 1) * size
    if number >= _END or start + size > len(data):
        return None
    return data[start : start + size]


def kind(data: bytes) -> str:
    """'encrypted' (a password-protected .xlsx or .docx), 'excel' (an old .xls), 'word' (an old
    .doc), or 'unknown' (another OLE file, or one whose directory cannot be read)."""
    names = stream_names(data)
    if {"EncryptionInfo", "EncryptedPackage"} & names:
        return "encrypted"
    if {"Workbook", "Book"} & names:
        return "excel"
    if "WordDocument" in names:
        return "word"
    return "unknown"
