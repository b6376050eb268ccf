"""The foundation's commands: workspace, catalogue, ratings, summary and export."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, cast

import typer

from valvecheck.analysis.summary import Summary
from valvecheck.cli import output
from valvecheck.domain.rag import Rag
from valvecheck.services import catalogue as catalogue_service
from valvecheck.services import deadlines, imports, measures, ratings, workspace
from valvecheck.services import summary as summaries
from valvecheck.store.db import Workspace

Assessment = Annotated[
    str | None,
    typer.Option("--assessment", "-a", help="Assessment name (default: the latest)."),
]
By = Annotated[str | None, typer.Option("--by", help="Who is making the change (default: you).")]
# The options both import commands share, declared once so their help cannot drift apart.
ImportAssessment = Annotated[
    str | None,
    typer.Option(
        "--assessment",
        help="Assessment to hold the file's ratings (default: the council's own exercise when "
        "the file or --council names the council, else the current assessment).",
    ),
]
Council = Annotated[str | None, typer.Option("--council", help="The assessing council.")]

import_app = typer.Typer(help="Import files into the workspace.", no_args_is_help=True)
assessments_app = typer.Typer(
    help="Assessments: each is one run of the exercise by one council.", no_args_is_help=True
)


def ws_of(ctx: typer.Context) -> Workspace:
    """The workspace chosen by the root --db option (or DATABASE_URL, or ./valvecheck.db)."""
    ws = workspace.open_workspace(ctx.find_root().params.get("db"))
    ctx.call_on_close(ws.dispose)
    return ws


def register(app: typer.Typer) -> None:
    app.callback()(root)
    app.command("init")(init)
    app.add_typer(import_app, name="import")
    app.command("measures")(list_measures)
    app.command("show")(show)
    app.command("rate")(rate)
    app.command("history")(history)
    app.command("summary")(summary)
    app.command("export")(export)
    app.add_typer(assessments_app, name="assessments")


def root(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="DATABASE_URL",
            help="Workspace database: a SQLite file path (default ./valvecheck.db) or a URL "
            "such as postgresql+psycopg://user@host/db. Also read from DATABASE_URL.",
        ),
    ] = None,
) -> None:
    """Valvecheck: which Safety Valve measures is the council already doing?"""


def init(
    ctx: typer.Context,
    empty: Annotated[
        bool, typer.Option("--empty", help="No catalogue and no assessment: import your own.")
    ] = False,
) -> None:
    """Create a workspace with the bundled catalogue and the seed's assessment."""
    ws = ws_of(ctx)
    done = workspace.init_workspace(ws, empty=empty)
    if empty:
        output.line(f"Created an empty workspace at {ws.label}.")
    else:
        output.line(
            f"Created a workspace at {ws.label}: {done['measures']} measures, "
            f"{done['ratings']} ratings from the seed's assessment."
        )


@import_app.command("appendix")
def import_appendix(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The appendix saved as tab-separated text.")],
    year: Annotated[str, typer.Option(help="Year of the agreements, e.g. 2020-21.")] = "",
    assessment: ImportAssessment = None,
    council: Council = None,
    source_url: Annotated[str, typer.Option(help="Where the document was published.")] = "",
    by: By = None,
) -> None:
    """Import a mitigation validation appendix (LA, Recommendation, Theme, Sub-Theme, RAG)."""
    done = imports.import_appendix(
        ws_of(ctx),
        file,
        year=year,
        assessment=assessment,
        council=council,
        source_url=source_url,
        by=by,
    )
    output.line(done.describe(file))


def list_measures(
    ctx: typer.Context,
    authority: Annotated[
        str | None, typer.Option(help="Only this authority (any spelling).")
    ] = None,
    theme: Annotated[
        str | None, typer.Option(help="Only measures placed under this theme.")
    ] = None,
    sub_theme: Annotated[str | None, typer.Option(help="Only this sub-theme.")] = None,
    rag: Annotated[
        str | None, typer.Option(help="Only this rating: green, amber, red, unrated.")
    ] = None,
    text: Annotated[
        str | None, typer.Option(help="Only measures whose text contains this.")
    ] = None,
    due_before: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Only measures whose text gives a due date before this day (YYYY-MM-DD).",
        ),
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only measures past their due date and not green.")
    ] = False,
    today: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Judge 'overdue' as on this day (default: today)."),
    ] = None,
    assessment: Assessment = None,
) -> None:
    """List measures with their placement, current rating and due date (read from the text)."""
    filters = measures.Filters(authority, theme, sub_theme, Rag.parse(rag) if rag else None, text)
    filters.due_before = due_before.date() if due_before else None
    filters.overdue = overdue
    filters.today = today.date() if today else None
    views = measures.list_measures(ws_of(ctx), filters, assessment)
    due = {v.id: deadlines.deadlines_of(v, filters.today) for v in views}
    output.table(
        f"{len(views)} measures",
        ["ID", "LA", "Recommendation", "Theme", "Sub-Theme", "RAG", "Due", "Overdue"],
        [
            [
                v.id,
                v.la,
                v.measure.text,
                "; ".join(v.measure.themes),
                "; ".join(v.measure.sub_themes),
                output.rag_text(v.rag),
                d.isoformat() if (d := due[v.id].due) else "",
                "overdue" if due[v.id].overdue else "",
            ]
            for v in views
        ],
    )


def show(
    ctx: typer.Context,
    measure_id: Annotated[str, typer.Argument(help="Measure id, e.g. bury-1.")],
    assessment: Assessment = None,
) -> None:
    """Show one measure: text, agreement, placements, rating and provenance."""
    v = measures.show_measure(ws_of(ctx), measure_id, assessment)
    m, a = v.measure, v.agreement
    output.line(output.bold(m.id), f"  {v.la}")
    output.line(m.text)
    year = f", {a.year}" if a.year and a.year not in a.title else ""
    output.line(f"Agreement: {a.title} ({a.slug}){year}")
    for p in m.placements:
        output.line(f"Placed under: {p.theme}{' > ' + p.sub_theme if p.sub_theme else ''}")
    for deadline_line in deadlines.describe(v):
        output.line(deadline_line)
    output.line("Rating: ", output.rag_text(v.rag), f" - {v.latest.rationale}" if v.latest else "")
    output.line(f"Authorities: {', '.join(v.authority_names)}")
    locator = f", {m.source_locator}" if m.source_locator else ""
    url = f" <{v.source_url}>" if v.source_url else ""
    output.line(f"Source: {v.source_title}{locator}{url}")
    if m.imported_at:
        output.line(f"Imported: {m.imported_at:%Y-%m-%d}")
    if m.version > 1:
        earlier = "1 earlier text" if m.version == 2 else f"{m.version - 1} earlier texts"
        output.line(f"Version {m.version}: {earlier} kept (export --format datapackage has them)")


def rate(
    ctx: typer.Context,
    measure_id: Annotated[str, typer.Argument(help="Measure id, e.g. kingston-richmond-5.")],
    rag: Annotated[
        str, typer.Argument(help="green, amber (or yellow), red, unrated, not-applicable.")
    ],
    rationale: Annotated[str, typer.Option(help="Why: what the council is doing.")] = "",
    evidence: Annotated[str, typer.Option(help="Where the evidence is (paper, link).")] = "",
    by: By = None,
    assessment: Assessment = None,
) -> None:
    """Rate a measure. The previous rating stays in its history."""
    r = ratings.rate(ws_of(ctx), measure_id, rag, rationale, by, evidence, assessment)
    output.line(f"{measure_id}: {r.previous.label} -> ", output.rag_text(r.rag), f" (by {r.by})")


def history(
    ctx: typer.Context,
    measure_id: Annotated[str, typer.Argument(help="Measure id.")],
    assessment: Assessment = None,
) -> None:
    """Every rating a measure has had in an assessment, oldest first."""
    entries = ratings.history(ws_of(ctx), measure_id, assessment)
    output.table(
        f"History of {measure_id}",
        ["When", "Who", "From", "To", "Rationale", "Evidence"],
        [
            [
                r.at.strftime("%Y-%m-%d %H:%M:%S") if r.at else "",
                r.by,
                r.previous.label,
                output.rag_text(r.rag),
                r.rationale,
                r.evidence,
            ]
            for r in entries
        ],
    )
    if not entries:
        output.line("Not rated yet.")


def summary(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    assessment: Assessment = None,
) -> None:
    """Counts by theme and sub-theme x RAG, coverage, and the red measures as opportunities."""
    s = summaries.summary(ws_of(ctx), assessment)
    if as_json:
        output.print_json(s.as_dict())
        return
    _print_summary(s)
    _print_alignment(s)


def _print_summary(s: Summary) -> None:
    shown = [r for r in Rag]
    rows = []
    for t in s.themes:
        rows.append([t.name, "", len(t.measure_ids), *[t.rag[r.value] for r in shown]])
        for sub in t.sub_themes:
            rows.append(["", sub.name, len(sub.measure_ids), *[sub.rag[r.value] for r in shown]])
    rows.append(["All measures", "", s.measures, *[s.rag[r.value] for r in shown]])
    output.table("Summary", ["Theme", "Sub-Theme", "Measures", *[r.label for r in shown]], rows)
    output.line(
        f"Coverage (green + amber): {s.coverage:.0%} of {s.measures} measures from "
        f"{s.agreements} agreements ({s.authorities} authorities)."
    )
    shared = {m: s.prevalence.get(m, 1) for m in s.opportunities}
    ranked = [f"{m} (in {n} agreement{'' if n == 1 else 's'})" for m, n in shared.items()]
    output.line(f"Opportunities (red, most widely shared first): {', '.join(ranked) or 'none'}")


def _print_alignment(s: Summary) -> None:
    """The alignment of the council's activities, once it has any."""
    a = s.alignment
    if not a or not a["activities"]:
        return
    output.line(
        f"Activities: {a['activities']}, of which {a['activities_aligned']} linked to a measure; "
        f"{a['measures_with_activity']} of {s.measures} measures have a linked activity."
    )
    checks = cast(dict[str, list[str]], a["alignment_checks"])
    for label, key in (
        ("Green or amber with no linked activity", "green_or_amber_without_activity"),
        ("Red or not rated with a linked activity", "red_or_unrated_with_activity"),
        (
            "Linked activities stalled or past their end date",
            "linked_activities_stalled_or_overdue",
        ),
    ):
        output.line(f"{label}: {', '.join(checks[key]) or 'none'}")


def export(
    ctx: typer.Context,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="csv, json, or datapackage (the catalogue).")
    ] = "csv",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="File to write (default: stdout); a folder for datapackage."
        ),
    ] = None,
    assessment: Assessment = None,
) -> None:
    """Export the measures with placements and current ratings as CSV or JSON, or the catalogue
    as a Frictionless data package."""
    if fmt == "datapackage":
        written = catalogue_service.export_package(ws_of(ctx), out)
        output.line(f"Wrote a data package: {written}")
        return
    text = summaries.export(ws_of(ctx), fmt, assessment)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        output.line(f"Wrote {out}")


@assessments_app.command("list")
def assessments_list(ctx: typer.Context) -> None:
    """List assessments; the latest is the default for other commands."""
    items = ratings.list_assessments(ws_of(ctx))
    output.table(
        "Assessments",
        ["Name", "Council", "Created", "By", "Rated", "Default"],
        [
            [
                a.name,
                a.council,
                a.created_at.strftime("%Y-%m-%d"),
                a.created_by,
                a.rated,
                "yes" if a.latest else "",
            ]
            for a in items
        ],
    )


@assessments_app.command("new")
def assessments_new(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Name, e.g. 'Leeds: autumn 2026'.")],
    carry_from: Annotated[
        str | None, typer.Option("--from", help="Carry forward this assessment's ratings.")
    ] = None,
    council: Annotated[str, typer.Option(help="The assessing council.")] = "",
    by: By = None,
) -> None:
    """Start a new assessment: all unrated, or with ratings carried forward --from another."""
    a = ratings.new_assessment(ws_of(ctx), name, council, carry_from, by)
    output.line(f"Created assessment '{a.name}' ({a.rated} ratings carried forward).")
