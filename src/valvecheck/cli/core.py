"""The foundation's commands: workspace, catalogue, ratings, summary and export."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from valvecheck.cli import output
from valvecheck.cli.lazy import lazy
from valvecheck.domain.moments import in_england
from valvecheck.domain.names import count
from valvecheck.domain.people import Role
from valvecheck.domain.rag import Rag
from valvecheck.errors import InputError

if TYPE_CHECKING:
    from valvecheck.analysis.summary import Summary
    from valvecheck.services import catalogue as catalogue_service
    from valvecheck.services import (
        context,
        deadlines,
        imports,
        measures,
        people,
        programme,
        ratings,
        switch,
        workspace,
    )
    from valvecheck.services import summary as summaries
    from valvecheck.services.context import Context
    from valvecheck.services.programme import PlacementStep
    from valvecheck.store.db import Workspace
else:  # loaded when a command first uses them (cli/lazy.py)
    catalogue_service = lazy("valvecheck.services.catalogue")
    context = lazy("valvecheck.services.context")
    people = lazy("valvecheck.services.people")
    deadlines = lazy("valvecheck.services.deadlines")
    imports = lazy("valvecheck.services.imports")
    measures = lazy("valvecheck.services.measures")
    ratings = lazy("valvecheck.services.ratings")
    switch = lazy("valvecheck.services.switch")
    workspace = lazy("valvecheck.services.workspace")
    summaries = lazy("valvecheck.services.summary")
    programme = lazy("valvecheck.services.programme")

Assessment = Annotated[
    str | None,
    typer.Option(
        "--assessment", "-a", help="Assessment name (default: the current one; see assessments)."
    ),
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
Council = Annotated[
    str | None,
    typer.Option(
        "--council",
        help="The council whose exercise the document is (names the assessment it makes; "
        "default: the council the document names). The ratings go to the global --council's "
        "workspace.",
    ),
]

Revise = Annotated[
    bool,
    typer.Option(
        "--revise",
        help="The file is a new version of its agreements' documents: measures whose text "
        "changed get a new version (shown first; apply with --yes). Without it a measure's text "
        "is never changed.",
    ),
]
Yes = Annotated[bool, typer.Option("--yes", help="Apply the revision shown by --revise.")]

import_app = typer.Typer(help="Import files into the workspace.", no_args_is_help=True)
assessments_app = typer.Typer(
    help="Assessments: each is one run of the exercise by one council.", no_args_is_help=True
)


def ws_of(ctx: typer.Context) -> Workspace:
    """The workspace chosen by the root --db option (or DATABASE_URL, or ./valvecheck.db)."""
    ws = workspace.open_workspace(ctx.find_root().params.get("db"))
    ctx.call_on_close(ws.dispose)
    return ws


@contextmanager
def use(
    ctx: typer.Context,
    write: bool = False,
    by: str | None = None,
    workspace_wide: bool = False,
    council: str | None = None,
) -> Iterator[Context]:
    """One unit of work for one command, acting as --as (or the local administrator of
    --council, recording --by or the login name).

    ``workspace_wide``: the command is about the workspace, not one council (councils list
    and add), so without --as or --council the local administrator acts in none of them
    rather than having to choose one. ``council``: the council the command itself names (its
    own --council, as `users add` has), where the local administrator acts when the root
    --council names none.
    """
    root = ctx.find_root().params
    actor = None
    if workspace_wide and not root.get("as_person") and not root.get("council"):
        actor = context.Actor(people.local_admin_name(by), Role.ADMIN, None)
    # A progress bar for long work, on a terminal only and never with --json.
    with (
        output.progress(enabled=not ctx.params.get("json")) as bar,
        workspace.unit_of_work(
            ws_of(ctx),
            write=write,
            as_person=root.get("as_person"),
            council=root.get("council") or council,
            by=by,
            actor=actor,
            progress=bar,
        ) as c,
    ):
        yield c


def _quoted(word: str) -> str:
    if re.fullmatch(r"[\w@%+=:,./-]+", word):
        return word
    return '"' + re.sub(r'(["\\$`])', r"\\\1", word) + '"'


def command_line(ctx: typer.Context, *words: str) -> str:
    """A command to run next, as this one was run: with its --council and --as, so that in a
    workspace of several councils it acts in the same council."""
    root = ctx.find_root().params
    given = [
        (flag, root.get(key)) for flag, key in (("--council", "council"), ("--as", "as_person"))
    ]
    parts = ["valvecheck", *(w for flag, value in given if value for w in (flag, value)), *words]
    return " ".join(_quoted(w) for w in parts)


def read_file(path: Path) -> bytes:
    """The bytes of a file the user named, or one clear error."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    return path.read_bytes()


def about(name: str) -> None:
    """Say which assessment a command acts on (on standard error, so piped output stays data)."""
    if name:
        output.note(f"Assessment: {name}")


def register(app: typer.Typer) -> None:
    # invoked without a command too, for --version; root() refuses anything else without one
    app.callback(invoke_without_command=True)(root)
    app.command("init")(init)
    app.command("migrate")(migrate)
    app.add_typer(import_app, name="import")
    app.command("measures")(list_measures)
    app.command("show")(show)
    app.command("rate")(rate)
    app.command("history")(history)
    app.command("summary")(summary)
    app.command("export")(export)
    app.add_typer(assessments_app, name="assessments")


def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="DATABASE_URL",
            help="Workspace database: a SQLite file path (default ./valvecheck.db) or a URL "
            "such as postgresql+psycopg://user@host/db.",
        ),
    ] = None,
    council: Annotated[
        str | None,
        typer.Option(
            "--council",
            envvar="VALVECHECK_COUNCIL",
            help="The council to act in (default: the only one).",
        ),
    ] = None,
    as_person: Annotated[
        str | None,
        typer.Option(
            "--as",
            envvar="VALVECHECK_AS",
            help="Act as this registered person, with their council and role (default: the "
            "local administrator).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Show the installed version and, when a workspace is reachable, its schema.",
        ),
    ] = False,
) -> None:
    """Valvecheck: which Safety Valve measures is the council already doing?"""
    if version:
        show_version(ctx)
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        ctx.fail("Missing command.")


def show_version(ctx: typer.Context) -> None:
    """The package's version and schema; the workspace's schema when it can be reached (a
    workspace that cannot is said, never an error: --version answers with none at all)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    from sqlalchemy.exc import SQLAlchemyError

    from valvecheck.errors import ValvecheckError
    from valvecheck.store.db import head_revision

    try:
        package = installed("valvecheck")
    except PackageNotFoundError:
        from valvecheck import __version__ as package
    head = head_revision()
    output.line(f"valvecheck {package} (schema {head})")
    try:
        ws = ws_of(ctx)
        found = ws.revision() if ws.exists() else None
    except (ValvecheckError, SQLAlchemyError, OSError) as exc:
        output.line(f"Workspace: cannot be reached ({exc}).")
        return
    if found is None:
        output.line(f"Workspace: none at {ws.label}.")
    elif found == head:
        output.line(f"Workspace: {ws.label}, schema {found} (up to date).")
    else:
        output.line(
            f"Workspace: {ws.label}, schema {found}: back it up, then run 'valvecheck migrate'."
        )


def init(
    ctx: typer.Context,
    empty: Annotated[
        bool, typer.Option("--empty", help="No catalogue and no assessment: import your own.")
    ] = False,
    catalogue: Annotated[
        Path | None,
        typer.Option(
            "--catalogue",
            help="Start from this catalogue (a data package's datapackage.json, as export "
            "--format datapackage writes) instead of the bundled one; no assessment.",
        ),
    ] = None,
) -> None:
    """Create a workspace with the bundled catalogue and the seed's assessment."""
    ws = ws_of(ctx)
    if catalogue is not None:
        data = read_file(catalogue)
        # refused before anything is created
        catalogue_service.check_package(catalogue, ctx.find_root().params.get("council"))
        workspace.init_workspace(ws, empty=True, council=ctx.find_root().params.get("council"))
        with use(ctx, write=True) as c:
            loaded = catalogue_service.import_catalogue(c, data, str(catalogue))
        output.line(
            f"Created a workspace at {ws.label} with the catalogue in {catalogue}: "
            f"{loaded.added['measures']} measures, {loaded.added['agreements']} agreements."
        )
        _warn_of_role(ws)
        return
    with output.progress() as bar:
        done = workspace.init_workspace(
            ws, empty=empty, council=ctx.find_root().params.get("council"), progress=bar
        )
    if empty:
        output.line(f"Created an empty workspace at {ws.label}.")
    else:
        output.line(
            f"Created a workspace at {ws.label}: {done['measures']} measures, "
            f"{done['ratings']} ratings from the seed's assessment."
        )
    _warn_of_role(ws)


def _warn_of_role(ws: Workspace) -> None:
    """As migrate does: tables made by a superuser are theirs, and row-level security does not
    bind it (docs/deploy.md, PostgreSQL)."""
    warning = workspace.role_warning(ws)
    if warning:
        output.note(warning)


def migrate(ctx: typer.Context) -> None:
    """Upgrade a workspace made by an earlier version of Valvecheck (nothing is lost).

    Back up first (a schema change is not undone by going back to the older version) and stop the web app's workers; run it once, then start the workers of the new version."""
    ws = ws_of(ctx)
    with output.progress() as bar:
        upgrade = workspace.migrate_workspace(ws, progress=bar)
    if upgrade.before == upgrade.after:
        output.line(f"The workspace {ws.label} is up to date.")
    else:
        output.line(
            f"Upgraded the workspace {ws.label} from schema {upgrade.before} to {upgrade.after}."
        )
    if upgrade.copy is not None:
        output.line(f"A copy of it as it was before is at {upgrade.copy}.")
    warning = workspace.role_warning(ws)
    if warning:
        output.note(warning)


@import_app.command("appendix")
def import_appendix(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The appendix saved as tab-separated text.")],
    year: Annotated[str, typer.Option(help="Year of the agreements, e.g. 2020-21.")] = "",
    assessment: ImportAssessment = None,
    council: Council = None,
    source_url: Annotated[str, typer.Option(help="Where the document was published.")] = "",
    revise: Revise = False,
    yes: Yes = False,
    by: By = None,
) -> None:
    """Import a mitigation validation appendix (LA, Recommendation, Theme, Sub-Theme, RAG)."""
    data = read_file(file)
    with use(ctx, write=True, by=by) as c:
        done = imports.import_appendix(
            c,
            data,
            str(file),
            year=year,
            assessment=assessment,
            council=council,
            source_url=source_url,
            revise=revise,
            preview=revise and not yes,
        )
    say_imported(done, file)


def say_imported(done: imports.ImportOutcome, file: Path) -> None:
    if not done.applied:
        output.line(f"A revision from {file} would change {len(done.revisions)} measure text(s):")
        for r in done.revisions:
            output.line(output.bold(r.measure))
            output.line(f"  before: {r.before}")
            output.line(f"  after:  {r.after}")
        output.line("Nothing was changed. Run the same command with --yes to apply the revision.")
        return
    output.line(done.describe(file))
    if done.revisions:
        output.line(
            f"{len(done.revisions)} measure text(s) revised: their ratings now need review "
            "(see summary)."
        )


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
    with use(ctx) as c:
        views = measures.list_measures(c, filters, assessment)
        due = {v.id: deadlines.deadlines_of(v, c, filters.today) for v in views}
        name = ratings.assessment_named(c, assessment)
    about(name)
    output.table(
        count(len(views), "measure", "measures") + (f" ({name})" if name else ""),
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
    with use(ctx) as c:
        page = measures.measure_page(c, measure_id, assessment)
    v = page.view
    m, a = v.measure, v.agreement
    output.line(output.bold(m.id), f"  {v.la}")
    output.line(m.text)
    year = f", {a.year}" if a.year and a.year not in a.title else ""
    output.line(f"Agreement: {a.title} ({a.slug}){year}")
    for p in m.placements:
        output.line(f"Placed under: {p.where}")
    if page.placement_history:
        output.line("History of placements in the programme (newest first):")
    for step in reversed(programme.placement_steps(list(page.placement_history))):
        output.line(f"  {_placement_change(step)}")
    for deadline_line in page.deadline_lines:
        output.line(deadline_line)
    if page.assessment:
        output.line(f"Assessment: {page.assessment}")
    output.line("Rating: ", output.rag_text(v.rag), f" - {v.latest.rationale}" if v.latest else "")
    if v.needs_review:
        output.line(
            "Needs review: rated against an earlier text of this measure; the agreement has "
            "been revised since."
        )
    for e in page.elsewhere:
        locked = ", locked" if e.locked else ""
        output.line(
            f"In {e.assessment}{locked}: ",
            output.rag_text(e.rating.rag),
            f" - {e.rating.rationale}" if e.rating.rationale else "",
        )
    if page.linked_activities:
        output.line(
            "Activities: "
            + ", ".join(f"{code} ({title})" for code, title in page.linked_activities)
        )
    output.line(f"Authorities: {', '.join(v.authority_names)}")
    if page.equivalents:
        output.line(
            "The same measure in other agreements: "
            + ", ".join(f"{e.id} ({e.la})" for e in page.equivalents)
        )
    for d in page.decisions:
        other = d.other if d.measure == v.id else d.measure
        said = "the same as" if d.decision == "same" else "not the same as"
        why = f": {d.rationale}" if d.rationale else ""
        output.line(f"Decided {said} {other}, by {d.by}{why}")
    locator = f", {m.source_locator}" if m.source_locator else ""
    url = f" <{v.source_url}>" if v.source_url else ""
    output.line(f"Source: {v.source_title}{locator}{url}")
    if m.imported_at:
        output.line(f"Imported: {m.imported_at:%Y-%m-%d}")
    if m.version > 1:
        earlier = "1 earlier text" if m.version == 2 else f"{m.version - 1} earlier texts"
        output.line(f"Version {m.version}: {earlier} kept (export --format datapackage has them)")


def _placement_change(step: PlacementStep) -> str:
    """'2026-12-07 10:30 GMT ann.lee placed it in 'Sufficiency > Local places' (importing
    appendix.csv)', or '... ann.lee renamed the theme 'Sufficiency' to 'Places'; it stays placed
    in 'Places > Local places''."""
    change = step.change
    at = change.placement.where
    if step.renamed_from is not None:
        what, before, after = step.renamed
        did = f"renamed the {what} '{before}' to '{after}'; it stays placed in '{at}'"
    else:
        did = f"{'placed it in' if change.placed else 'removed it from'} '{at}'"
    file = f" (importing {change.file})" if change.file else ""
    return f"{in_england(change.at):%Y-%m-%d %H:%M %Z} {change.by} {did}{file}"


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
    with use(ctx, write=True, by=by) as c:
        done = ratings.rate(c, measure_id, rag, rationale, evidence, assessment)
    r = done.rating
    output.line(
        f"{r.measure_id}: {r.previous.label} -> ",
        output.rag_text(r.rag),
        f" (by {r.by}, in '{done.assessment}')",
    )


def history(
    ctx: typer.Context,
    measure_id: Annotated[str, typer.Argument(help="Measure id.")],
    assessment: Assessment = None,
) -> None:
    """Every rating a measure has had in an assessment, oldest first."""
    with use(ctx) as c:
        entries = ratings.history(c, measure_id, assessment)
        name = ratings.assessment_named(c, assessment)
    output.table(
        f"History of {measure_id} in '{name}'",
        ["When", "Who", "From", "To", "Rationale", "Evidence"],
        [
            [
                f"{in_england(r.at):%Y-%m-%d %H:%M:%S %Z}" if r.at else "",
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
    with use(ctx) as c:
        s = summaries.summary(c, assessment)
    if as_json:
        output.print_json(s.as_dict())
        return
    if s.assessment:
        output.line(f"Assessment: {s.assessment}")
    _print_summary(s)
    if s.needs_review:
        output.line(
            "Needs review (rated against an earlier text; the agreement was revised): "
            + ", ".join(s.needs_review)
        )
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
    from valvecheck.analysis.summary import coverage_base  # loaded with the summary itself
    from valvecheck.domain.percent import percent

    in_all = f" ({s.measures} in all)" if s.rag[Rag.NOT_APPLICABLE.value] else ""
    output.line(
        f"Coverage (green + amber): {percent(s.coverage)} of {coverage_base(s.rag)}{in_all} from "
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
    """Export the measures with their ratings (CSV, JSON) or the catalogue (a data package).

    CSV or JSON: the measures with placements and current ratings. datapackage: the catalogue as a
    Frictionless data package, with the council's programme and placements (--council, or the
    only council)."""
    if fmt == "datapackage":
        from valvecheck.catalogue.datapackage import write_package

        if out is None:
            raise InputError(
                "a data package needs a folder to write into (several files are written)",
                field="out",
            )
        if out.exists() and not out.is_dir():
            raise InputError(f"{out} is a file; a data package needs a folder", field="out")
        with use(ctx, workspace_wide=True) as c:  # the shared catalogue: no council to choose
            files = catalogue_service.export_package(c)
            alone = catalogue_service.programme_of(c) is None
        output.line(f"Wrote a data package: {write_package(out, files)}")
        if alone:
            output.line(
                "It has no programme or placements: they are a council's own "
                "(--council NAME exports that council's with the catalogue)."
            )
        return
    with use(ctx) as c:
        text = summaries.export(c, fmt, assessment)
        name = ratings.assessment_named(c, assessment)
    if out is None:
        # on a terminal, a control character in a rationale is written out, never obeyed
        sys.stdout.write(output.shown(text.replace("\r\n", "\n")) if output.is_terminal() else text)
    else:
        out.write_text(text, encoding="utf-8")
        output.line(f"Wrote {out}")
    about(name)


@assessments_app.command("list")
def assessments_list(ctx: typer.Context) -> None:
    """List the council's assessments; commands act on the current one unless told otherwise."""
    with use(ctx) as c:
        items = ratings.list_assessments(c)
    output.table(
        "Assessments",
        ["Name", "Council", "Created", "By", "Rated", "Current", "Locked"],
        [
            [
                a.name,
                a.council,
                a.created_at.strftime("%Y-%m-%d"),
                a.created_by,
                a.rated,
                "current" if a.current else "",
                "locked" if a.locked else "",
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
    use_it: Annotated[
        bool, typer.Option("--use", help="Make it the current assessment at once.")
    ] = False,
    by: By = None,
) -> None:
    """Start a new assessment: all unrated, or with ratings carried forward --from another."""
    with use(ctx, write=True, by=by) as c:
        a = ratings.new_assessment(c, name, carry_from=carry_from, use=use_it)
        now = ratings.current_assessment(c)
    carried = count(a.rated, "rating", "ratings") + " carried forward"
    if a.trajectory_years:
        carried += f"; its trajectory too ({count(a.trajectory_years, 'year', 'years')})"
    output.line(f"Created assessment '{a.name}' ({carried}).")
    if now is not None:
        output.line(
            f"Current assessment: '{now.name}'"
            + (
                ""
                if a.current
                else " (make the new one current with: "
                f"{command_line(ctx, 'assessments', 'use', a.name)})"
            )
        )


@assessments_app.command("use")
def assessments_use(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The assessment other commands will act on.")],
    carry_later: Annotated[
        bool,
        typer.Option(
            "--carry-later",
            help="Carry over the ratings given in the current assessment (or --from) since "
            "this one was started, as new ratings saying whose they were.",
        ),
    ] = False,
    later_from: Annotated[
        str | None,
        typer.Option(
            "--from", help="The assessment those later ratings are in (default: the current one)."
        ),
    ] = None,
    by: By = None,
) -> None:
    """Choose the assessment that commands act on unless given --assessment."""
    with use(ctx, write=True, by=by) as c:
        done = switch.make_current(c, name, carry_later=carry_later, source=later_from)
    a, source = done.info, done.preview.source
    if done.carried:
        output.line(
            f"Carried over {count(done.carried, 'rating', 'ratings')} given in '{source}' "
            f"since '{a.name}' was started."
        )
    output.line(f"Current assessment: '{a.name}'.")
    if done.left and source is not None:
        ids = ", ".join(item.measure_id for item in done.preview.later)
        output.note(
            f"Warning: {count(done.left, 'rating was', 'ratings were')} given in '{source}' "
            f"after '{a.name}' was started and stayed there ({ids}). Carry them over with: "
            + command_line(ctx, "assessments", "use", a.name, "--carry-later", "--from", source)
        )


@assessments_app.command("lock")
def assessments_lock(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Assessment (default: the current).")] = None,
    by: By = None,
) -> None:
    """Lock a reported assessment: its ratings can no longer change."""
    with use(ctx, write=True, by=by) as c:
        a = ratings.lock_assessment(c, name)
    output.line(f"Locked '{a.name}': it is now read-only.")
