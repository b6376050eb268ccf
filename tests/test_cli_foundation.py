"""The foundation issue's lines, through the real CLI on a real SQLite file."""

from __future__ import annotations

import json

import pytest

LPSMD = "Local Placement Sufficiency and Managing Demand"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_path(request, tmp_path):
    """Every test in this module runs on a SQLite file and on a PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "valvecheck.db")
    return request.getfixturevalue("pg_url")


def summary_json(cli) -> dict:
    code, out, err = cli("summary", "--json")
    assert code == 0, err
    return json.loads(out)


def check_seed_summary(data: dict) -> None:
    assert (data["measures"], data["agreements"], data["authorities"]) == (27, 4, 5)
    assert data["rag"] == {"green": 3, "amber": 4, "red": 3, "unrated": 17, "not_applicable": 0}
    assert data["coverage"] == pytest.approx(7 / 27, abs=1e-4)
    assert sorted(data["opportunities"]) == [
        "hammersmith-fulham-5",
        "kingston-richmond-5",
        "kingston-richmond-6",
    ]
    themes = {t["name"]: t for t in data["themes"]}
    assert {n: t["measures"] for n, t in themes.items()} == {
        LPSMD: 17,
        "Financial Efficiencies": 8,
        "Data, Outcomes and Digital": 2,
    }
    with_commissioning = [
        n for n, t in themes.items() if any(s["name"] == "Commissioning" for s in t["sub_themes"])
    ]
    assert sorted(with_commissioning) == ["Financial Efficiencies", LPSMD]
    subs = {s["name"]: s for s in themes[LPSMD]["sub_themes"]}
    # bury-1 counts under both of its sub-themes
    assert subs["Transitions"]["measures"] == 2
    assert subs["EHCP Assessment and Review"]["measures"] == 3
    assert set(subs["School Provision and Process"]["rag"]) == {
        "green",
        "amber",
        "red",
        "unrated",
        "not_applicable",
    }


def test_init_then_summary(cli):
    assert cli("init")[0] == 0
    check_seed_summary(summary_json(cli))


def test_init_empty_then_import_seed_gives_the_same(cli, seed_path):
    assert cli("init", "--empty")[0] == 0
    code, out, err = cli("import", "appendix", str(seed_path), "--year", "2020-21")
    assert code == 0, err
    check_seed_summary(summary_json(cli))
    code, out, _ = cli("assessments", "list")
    assert "Bristol: mitigation validation exercise" in out


def test_import_is_idempotent(cli, seed_path):
    cli("init")
    before = cli("export", "--format", "json")[1]
    code, out, err = cli("import", "appendix", str(seed_path), "--year", "2020-21")
    assert code == 0, err
    assert "0 new measures" in out and "0 ratings" in out
    after = cli("export", "--format", "json")[1]
    assert json.loads(before) == json.loads(after)


def test_rate_keeps_history_and_moves_the_summary(cli):
    cli("init")
    code, out, err = cli(
        "rate",
        "kingston-richmond-5",
        "amber",
        "--rationale",
        "ICB joint funding panel",
        "--evidence",
        "Schools Forum paper, March",
        "--by",
        "Sam",
    )
    assert code == 0, err
    code, out, _ = cli("history", "kingston-richmond-5")
    lines = [line for line in out.splitlines() if line and not line.startswith("#")]
    assert lines[0].split("\t") == ["When", "Who", "From", "To", "Rationale", "Evidence"]
    entries = [line.split("\t") for line in lines[1:]]
    assert [(e[2], e[3]) for e in entries] == [("Not rated", "Red"), ("Red", "Amber")]
    assert entries[1][1] == "Sam" and entries[1][4] == "ICB joint funding panel"
    assert entries[1][5] == "Schools Forum paper, March"
    data = summary_json(cli)
    assert data["rag"]["red"] == 2 and data["rag"]["amber"] == 5
    assert "kingston-richmond-5" not in data["opportunities"]


def test_not_applicable_needs_a_rationale(cli):
    cli("init")
    code, _, err = cli("rate", "bury-1", "n/a")
    assert code == 1 and "reason" in err
    assert cli("rate", "bury-1", "n/a", "--rationale", "no such service here")[0] == 0
    data = summary_json(cli)
    assert data["rag"]["not_applicable"] == 1
    assert data["coverage"] == pytest.approx(7 / 26, abs=1e-4)


def test_measures_filters(cli):
    cli("init")

    def ids(*args: str) -> list[str]:
        code, out, err = cli("measures", *args)
        assert code == 0, err
        return [line.split("\t")[0] for line in out.splitlines()[2:]]

    assert ids("--authority", "Stoke on Trent") == [f"stoke-on-trent-{n}" for n in range(1, 9)]
    assert ids("--authority", "richmond")[0] == "kingston-richmond-1"
    assert ids("--rag", "yellow") == [
        "hammersmith-fulham-4",
        "kingston-richmond-1",
        "kingston-richmond-4",
        "kingston-richmond-7",
    ]
    assert ids("--theme", "data, outcomes and digital") == ["bury-2", "hammersmith-fulham-6"]
    assert ids("--sub-theme", "Commissioning") == ["kingston-richmond-4", "stoke-on-trent-6"]
    assert ids("--text", "post-16") == ["kingston-richmond-7", "stoke-on-trent-7"]
    assert len(ids()) == 27


def test_show(cli):
    cli("init")
    code, out, _ = cli("show", "bury-1")
    assert code == 0
    assert "Transitions" in out and "EHCP Assessment and Review" in out and "Not rated" in out


def test_show_names_the_same_measure_in_other_agreements_from_the_common_measure_index(cli):
    cli("init")
    code, out, _ = cli("show", "bury-4")
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("The same measure in"))
    assert line == (
        "The same measure in other agreements: hammersmith-fulham-4 (Hammersmith and Fulham), "
        "stoke-on-trent-5 (Stoke-on-Trent)"
    )
    _, lone, _ = cli("show", "bury-2")  # a measure no other agreement has: no such line
    assert "The same measure in" not in lone


def test_export_csv_and_json(cli):
    cli("init")
    code, out, _ = cli("export", "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("id,agreement,la,number,recommendation")
    assert len(lines) == 28
    data = json.loads(cli("export", "--format", "json")[1])
    assert data["assessment"] == "Bristol: mitigation validation exercise"
    assert len(data["measures"]) == 27
    assert data["measures"][0]["placements"][1] == {
        "theme": LPSMD,
        "sub_theme": "Transitions",
    }


def test_assessments_new_and_carry_forward(cli):
    cli("init")
    code, out, _ = cli("assessments", "new", "Autumn 2026")
    assert code == 0
    # Starting one does not silently become the one every command acts on: it says so.
    assert "Current assessment: 'Bristol: mitigation validation exercise'" in out
    assert summary_json(cli)["assessment"] == "Bristol: mitigation validation exercise"
    assert summary_json(cli)["rag"]["red"] == 3
    code, out, err = cli("rate", "bury-2", "green", "--rationale", "panel")
    assert "in 'Bristol: mitigation validation exercise'" in out
    assert cli("assessments", "use", "Autumn 2026")[0] == 0
    assert summary_json(cli)["assessment"] == "Autumn 2026"
    assert summary_json(cli)["rag"]["unrated"] == 27
    assert "Assessment: Autumn 2026" in cli("summary")[1]
    assert "Assessment: Autumn 2026" in cli("export", "--format", "csv")[2]
    code, _, err = cli(
        "assessments", "new", "Bristol 2026", "--from", "Bristol: mitigation validation exercise"
    )
    assert code == 0, err
    assert summary_json_for(cli, "Bristol 2026") == summary_json_for(
        cli, "Bristol: mitigation validation exercise"
    )
    code, _, err = cli("assessments", "new", "Bristol 2026")  # names are unique in a council
    assert code == 4 and "already exists" in err
    listed = cli("assessments", "list")[1]
    assert "Autumn 2026\tBristol" in listed and "\tcurrent\t" in listed


def summary_json_for(cli, name: str) -> dict:
    return json.loads(cli("summary", "--json", "--assessment", name)[1])["rag"]


BAD_FILES = {
    "unknown-rag": "LA\tRecommendation\tTheme\tSub-Theme\tRAG\nBury\tNew thing.\tT\t\tPurple\n",
    "missing-column": "LA\tRecommendation\tTheme\tSub-Theme\tRAG\nBury\tNew thing.\tT\n",
    "empty": "",
    "bad-header": "LA\tRecommendation\tTheme\tRAG\nBury\tNew thing.\tT\tRed\n",
}


@pytest.mark.parametrize(
    "args",
    [
        ("rate", "bury-1", "purple", "--rationale", "x"),
        ("rate", "no-such-measure-9", "red", "--rationale", "x"),
        ("show", "no-such-measure-9"),
        ("history", "no-such-measure-9"),
        ("summary", "--assessment", "No such assessment"),
        ("import", "appendix", "{unknown-rag}"),
        ("import", "appendix", "{missing-column}"),
        ("import", "appendix", "{empty}"),
        ("import", "appendix", "{bad-header}"),
        ("import", "appendix", "{binary}"),
        ("import", "appendix", "{missing}"),
    ],
    ids=lambda a: "-".join(a[:3]),
)
def test_bad_input_is_one_clear_error_and_changes_nothing(cli, tmp_path, args):
    cli("init")
    files = {name: tmp_path / f"{name}.txt" for name in BAD_FILES}
    for name, text in BAD_FILES.items():
        files[name].write_text(text)
    files["binary"] = tmp_path / "picture.png"
    files["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    files["missing"] = tmp_path / "nowhere.txt"
    args = tuple(str(files[a[1:-1]]) if a.startswith("{") else a for a in args)
    before = cli("export", "--format", "json")[1]
    code, out, err = cli(*args)
    assert code != 0
    assert err.startswith("error: ")
    assert "Traceback" not in err
    if args[0] == "import":
        assert args[2] in err  # names the file
    after = cli("export", "--format", "json")[1]
    assert before == after


def test_import_problem_names_line_and_column(cli, tmp_path):
    cli("init")
    bad = tmp_path / "bad.txt"
    bad.write_text(BAD_FILES["unknown-rag"])
    code, _, err = cli("import", "appendix", str(bad))
    assert code == 1
    assert f"{bad}, line 2, column RAG" in err and "[unknown-rag]" in err


def test_commands_need_a_workspace(cli):
    code, _, err = cli("summary")
    assert code == 1 and "valvecheck init" in err


def test_init_twice_is_refused(cli):
    assert cli("init")[0] == 0
    code, _, err = cli("init")
    assert code == 1 and "already exists" in err


def test_a_later_agreement_for_the_same_council_does_not_revise_the_first(cli, tmp_path):
    cli("init")
    later = tmp_path / "bury-2023.txt"
    later.write_text(
        "LA\tRecommendation\tTheme\tSub-Theme\tRAG\n"
        "Bury\tDeliver the new SEND sufficiency strategy.\tLocal Placement Sufficiency and Managing Demand\t\t\n"
    )
    code, out, err = cli("import", "appendix", str(later), "--year", "2023-24")
    assert code == 0, err
    data = json.loads(cli("export", "--format", "json")[1])
    ids = [m["id"] for m in data["measures"]]
    assert "bury-2023-24-1" in ids and len(ids) == 28
    bury1 = next(m for m in data["measures"] if m["id"] == "bury-1")
    assert bury1["recommendation"].startswith("Strengthen their Special Educational Needs")


def test_square_brackets_in_text_are_printed_as_written(cli, tmp_path):
    cli("init", "--empty")
    f = tmp_path / "brackets.txt"
    f.write_text(
        "LA\tRecommendation\tTheme\tSub-Theme\tRAG\nBury\tReview [bold]banding[/] [x].\tT\t\tRed\n"
    )
    assert cli("import", "appendix", str(f))[0] == 0
    assert "Review [bold]banding[/] [x]." in cli("show", "bury-1")[1]
    assert "Review [bold]banding[/] [x]." in cli("measures")[1]


def test_two_spellings_of_one_year_are_one_agreement(cli, seed_path):
    cli("init", "--empty")
    assert cli("import", "appendix", str(seed_path), "--year", "2020/21")[0] == 0
    code, out, err = cli("import", "appendix", str(seed_path), "--year", "2020-21")
    assert code == 0, err
    assert summary_json(cli)["measures"] == 27
    code, _, err = cli("import", "appendix", str(seed_path), "--year", "2021-23")
    assert code == 1 and "--year" in err and "2020-21" in err


def test_importing_the_file_again_never_undoes_a_persons_rating(cli, seed_path):
    cli("init")
    cli("rate", "kingston-richmond-5", "amber", "--rationale", "Joint funding panel", "--by", "Ann")
    code, out, err = cli("import", "appendix", str(seed_path), "--year", "2020-21")
    assert code == 0, err
    assert "0 ratings" in out and "1 rating in the file not applied" in out
    code, out, _ = cli("history", "kingston-richmond-5")
    assert out.strip().splitlines()[-1].split("\t")[3] == "Amber"


def test_carried_forward_ratings_keep_who_and_when(cli):
    cli("init")
    cli("rate", "bury-3", "green", "--rationale", "model built", "--by", "Ann Lee")
    first = cli("history", "bury-3")[1].strip().splitlines()[-1].split("\t")
    assert (
        cli("assessments", "new", "Q3", "--from", "Bristol: mitigation validation exercise")[0] == 0
    )
    carried = cli("history", "bury-3", "--assessment", "Q3")[1].strip().splitlines()[-1].split("\t")
    assert carried[:2] == first[:2]  # same when, same who
    assert carried[3] == "Green" and "carried forward" in carried[4]


def test_ratings_in_a_file_naming_no_council_go_into_the_current_assessment(cli, tmp_path):
    cli("init")
    f = tmp_path / "norfolk.txt"
    f.write_text(
        "LA\tRecommendation\tTheme\tSub-Theme\tRAG\nNorfolk\tReview banding.\tT\t\tGreen\n"
    )
    code, out, err = cli("import", "appendix", str(f), "--year", "2022-23")
    assert code == 0, err
    assert "into 'Bristol: mitigation validation exercise'" in out
    assert len(cli("assessments", "list")[1].strip().splitlines()) == 3  # title, header, one row
    data = summary_json(cli)
    assert data["rag"]["red"] == 3 and data["rag"]["green"] == 4 and data["measures"] == 28


def test_every_problem_is_listed_at_once(cli, tmp_path):
    cli("init", "--empty")
    f = tmp_path / "two-kinds.txt"
    f.write_text(
        "LA\tRecommendation\tTheme\tSub-Theme\tRAG\n"
        "Bury\tA.\tT\tS1\tRed\n"
        "Bury\tA.\tT\tS2\tGreen\n"
        "Bury\tB.\t\tS3\t\n"
    )
    code, _, err = cli("import", "appendix", str(f))
    assert code == 1
    assert "line 3, column RAG" in err and "[conflicting-rag]" in err
    assert "line 4, column Theme" in err and "[sub-theme-without-theme]" in err
    assert err.index("line 3") < err.index("line 4")


def test_ids_and_names_as_people_type_them(cli):
    cli("init")
    assert cli("rate", " Bury-1 ", "green", "--rationale", "x", "--by", "  Ann  ")[0] == 0
    code, out, _ = cli("history", "BURY-1")
    assert code == 0 and out.strip().splitlines()[-1].split("\t")[1] == "Ann"
    assert "Strengthen" in cli("show", "BURY-1")[1]
