"""One limits check guards every reader: the same file is refused the same way by the catalogue
and the activities importers (size, a zip that unpacks too far, too many rows), with nothing read."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from support import workbook

from valvecheck.importers import limits
from valvecheck.importers.activities import read_activities
from valvecheck.importers.activities_xlsx import read_activities_xlsx
from valvecheck.importers.catalogue import read_catalogue


def with_part(data: bytes, name: str, size: int) -> bytes:
    """The workbook with one more part, `size` zero bytes unpacked: a zip bomb's trick."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as part:
            chunk = bytes(1 << 20)
            for _ in range(size // len(chunk)):
                part.write(chunk)
    return out.getvalue()


def gigabyte_bomb(data: bytes, name: str) -> bytes:
    """The workbook with one more part of 1 GB of zeros, deflated to about 1 MB: the deflate
    stream is one megabyte's compressed block repeated (each ends in a full flush, so it is the
    same bytes every time), written into the zip by hand as a hostile file would be."""
    mb = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(mb) + deflate.flush(zlib.Z_FULL_FLUSH)
    stream = block * 1024 + deflate.flush()
    crc = 0
    for _ in range(1024):
        crc = zlib.crc32(mb, crc)
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = [(i.filename, source.read(i)) for i in source.infolist()]
    members = [(n, len(raw), zlib.crc32(raw), _deflate(raw)) for n, raw in parts]
    members.append((name, 1 << 30, crc, stream))
    out, central = io.BytesIO(), io.BytesIO()
    for filename, size, checksum, packed in members:
        offset, encoded = out.tell(), filename.encode()
        fixed = (20, 0, 8, 0, 0, checksum, len(packed), size, len(encoded))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fixed, 0) + encoded + packed)
        central.write(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fixed, 0, 0, 0, 0, 0, offset)
            + encoded
        )
    start, table = out.tell(), central.getvalue()
    n = len(members)
    out.write(table + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(table), start, 0))
    return out.getvalue()


def _deflate(raw: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(raw) + packer.flush()


def codes(problems) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return [(p.code, p.file) for p in problems]


ACTIVITIES = [["ID", "Title"], ["a-1", "Outreach"]]
MEASURES = [["LA", "Recommendation"], ["Bury", "Review outreach."]]


def test_a_zip_bomb_workbook_is_refused_by_every_reader():
    # a real workbook plus a part of 64 MB of zeros, deflated to about 64 KB
    for rows in (ACTIVITIES, MEASURES):
        data = with_part(workbook(rows), "xl/media/filler.bin", 64 << 20)
        assert len(data) < 1 << 20
        for problems in (
            read_activities(data, "tracker.xlsx").problems,
            read_activities_xlsx(data, "tracker.xlsx").problems,
            read_catalogue(data, "tracker.xlsx").problems,
        ):
            assert codes(problems) == [("file-too-large", "tracker.xlsx")]
            assert "xl/media/filler.bin" in problems[0].message


def test_a_workbook_unpacking_past_the_limit_is_refused_by_every_reader(monkeypatch):
    monkeypatch.setattr(limits, "MAX_BYTES", 200_000)  # unpacked limit: 10 x that, 2 MB
    data = with_part(workbook(ACTIVITIES), "xl/media/filler.bin", 3 << 20)
    assert len(data) < limits.MAX_BYTES
    for problems in (
        read_activities(data, "t.xlsx").problems,
        read_catalogue(data, "t.xlsx").problems,
    ):
        assert codes(problems) == [("file-too-large", "t.xlsx")]
        assert "unpacks to 3,1" in problems[0].message


@pytest.mark.parametrize("name", ["t.csv", "t.xlsx", "t.pdf", "t.docx", "t"])
def test_a_file_over_the_size_limit_is_refused_by_every_reader(monkeypatch, name):
    monkeypatch.setattr(limits, "MAX_BYTES", 1000)
    data = b"ID,Title\n" + b"a-1,Outreach\n" * 100
    for problems in (read_activities(data, name).problems, read_catalogue(data, name).problems):
        if name.endswith((".pdf", ".docx")) and problems[0].code == "not-csv-or-xlsx":
            continue  # activities name the wrong kind of file first
        assert codes(problems) == [("file-too-large", name)]


def _encode(rows: list[list[str]], kind: str) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode() if kind == "csv" else workbook(rows)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_too_many_rows_is_refused_by_every_reader(monkeypatch, kind):
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    for header in (ACTIVITIES[0], MEASURES[0]):
        rows = [header, *([f"x-{n}", f"Row {n}."] for n in range(1, 8))]
        data = _encode(rows, kind)
        problems = (
            read_activities(data, f"t.{kind}").problems
            if header == ACTIVITIES[0]
            else read_catalogue(data, f"t.{kind}").problems
        )
        assert [p.code for p in problems] == ["too-many-rows"], problems
        ok = [header, *rows[1:5]]
        data = _encode(ok, kind)
        reread = (
            read_activities(data, f"t.{kind}")
            if header == ACTIVITIES[0]
            else read_catalogue(data, f"t.{kind}")
        )
        assert not reread.problems and len(reread.rows) == 4


def test_an_empty_file_is_empty_for_every_reader():
    for name in ("t.csv", "t.xlsx", "t.pdf", "t.docx", "t.txt"):
        assert codes(read_catalogue(b"", name).problems) == [("empty-file", name)]
    for name in ("t.csv", "t.xlsx"):
        assert codes(read_activities(b"", name).problems) == [("empty-file", name)]


def test_a_workbook_unpacking_to_a_gigabyte_is_refused_by_activities_import_too(
    tmp_path: Path, ws, cli
) -> None:  # type: ignore[no-untyped-def]
    data = gigabyte_bomb(workbook(ACTIVITIES), "xl/worksheets/sheet2.xml")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("xl/worksheets/sheet2.xml").file_size == 1 << 30
    assert len(data) < 2 << 20
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(data)
    before = cli("export", "--format", "json")[1], cli("activities", "list")[1]
    for command in (("activities", "import"), ("import", "catalogue")):
        code, _, err = cli(*command, str(path))
        assert code == 1 and "[file-too-large]" in err and "1,07" in err, err
    assert (cli("export", "--format", "json")[1], cli("activities", "list")[1]) == before
