"""Importers never crash: any bytes give rows or problems (with a code and the file named)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valvecheck.catalogue.loader import reference_authorities
from valvecheck.importers.activities import read_activities
from valvecheck.importers.activities_csv import read_activities_csv
from valvecheck.importers.appendix import read_appendix, to_catalogue
from valvecheck.importers.catalogue import read_catalogue
from valvecheck.importers.catalogue_csv import read_csv
from valvecheck.importers.catalogue_docx import read_docx
from valvecheck.importers.catalogue_pdf import read_pdf
from valvecheck.importers.catalogue_table import read_table
from valvecheck.importers.catalogue_xlsx import read_xlsx

HEADER = "LA\tRecommendation\tTheme\tSub-Theme\tRAG\n"
CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
ROW = st.lists(CELL, min_size=0, max_size=7).map("\t".join)
TABLE = st.lists(ROW, max_size=8).map(lambda rows: HEADER + "\n".join(rows))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(problems, file: str) -> None:
    for p in problems:
        assert p.code and p.code == p.code.lower() and " " not in p.code
        assert p.file == file and p.message


@FUZZ
@given(st.one_of(st.binary(max_size=400), TABLE.map(str.encode)))
def test_appendix_gives_rows_or_problems(data):
    parsed, _ = read_appendix(data, "f.txt")
    check(parsed.problems, "f.txt")
    if not parsed.problems:
        _, _, problems = to_catalogue(parsed.rows, "f.txt", reference_authorities())
        check(problems, "f.txt")


@FUZZ
@given(st.one_of(st.binary(max_size=400), TABLE.map(lambda t: t.replace("\t", ",").encode())))
def test_catalogue_csv_gives_rows_or_problems(data):
    extracted = read_csv(data, "f.csv")
    check(extracted.problems, "f.csv")
    if not extracted.problems:
        parsed, _ = read_table(extracted, "f.csv")
        check(parsed.problems, "f.csv")


@FUZZ
@given(st.binary(max_size=400))
def test_activities_csv_gives_rows_or_problems(data):
    check(read_activities_csv(data, "a.csv").problems, "a.csv")


@FUZZ
@given(st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b), st.sampled_from(["docx", "xlsx"]))
def test_office_files_that_are_not_give_problems(data, kind):
    reader = read_docx if kind == "docx" else read_xlsx
    extracted = reader(data, f"f.{kind}")
    assert extracted.problems
    check(extracted.problems, f"f.{kind}")


@FUZZ
@given(st.binary(max_size=300).map(lambda b: b"%PDF-1.4\n" + b))
def test_pdfs_that_are_not_give_problems(data):
    extracted = read_pdf(data, "f.pdf")
    assert extracted.problems
    check(extracted.problems, "f.pdf")


NAMES = st.sampled_from(["f.csv", "f.txt", "f.xlsx", "f.docx", "f.pdf", "f", "f.tsv"])
PREFIXES = st.sampled_from([b"", b"PK\x03\x04", b"%PDF-1.4\n", b"LA\tRecommendation\n"])


@FUZZ
@given(st.tuples(PREFIXES, st.binary(max_size=300)).map(b"".join), NAMES)
def test_the_entry_points_give_rows_or_problems_whatever_the_name(data, name):
    check(read_catalogue(data, name).problems, name)
    check(read_activities(data, name).problems, name)
