"""Commands for the council's activities, their links to measures, and suggestions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from valvecheck.analysis.suggest import DEFAULT, METHODS
from valvecheck.cli import output
from valvecheck.cli.core import By, read_file, use
from valvecheck.cli.lazy import lazy

if TYPE_CHECKING:
    from valvecheck.services import activities, suggestions
    from valvecheck.services.activities import LinkEvent
else:  # loaded when a command first uses them (cli/lazy.py)
    activities = lazy("valvecheck.services.activities")
    suggestions = lazy("valvecheck.services.suggestions")

activities_app = typer.Typer(
    help="The council's own activities (projects, workstreams).", no_args_is_help=True
)
Top = Annotated[int, typer.Option("--top", "-n", min=1, help="How many suggestions per item.")]
Method = Annotated[
    str,
    typer.Option(help=f"Scoring method: {', '.join(METHODS)} (default {DEFAULT})."),
]
NO_ACTIVITIES = "No activities yet: import them with 'valvecheck activities import FILE'."


def register(app: typer.Typer) -> None:
    app.add_typer(activities_app, name="activities")
    app.command("link")(link)
    app.command("unlink")(unlink)
    app.command("suggest")(suggest)
    app.command("eval-suggest")(eval_suggest)


def _when(e: LinkEvent) -> str:
    return e.at.strftime("%Y-%m-%d %H:%M") if e.at else ""


@activities_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV or XLSX with a header row (id and title).")],
    column_map: Annotated[
        str | None,
        typer.Option(
            help="Headings the built-in names miss, as FIELD=HEADING (fields: id, title, "
            "description, theme, sub-theme, owner, status, start, end, link): e.g. "
            '"id=Project Ref,title=Project Name,end=Target Date".'
        ),
    ] = None,
) -> None:
    """Import activities; columns are found by header name. Nothing is written on any problem."""
    data = read_file(file)
    with use(ctx, write=True) as c:
        done = activities.import_activities(c, data, str(file), column_map)
    output.line(
        f"Imported {done.rows} activities from {file}: {done.added} new, {done.updated} updated."
    )


@activities_app.command("list")
def list_(ctx: typer.Context) -> None:
    """List activities with owner, status, dates and the measures they are linked to."""
    with use(ctx) as c:
        views = activities.list_activities(c)
    output.table(
        f"{len(views)} activities",
        ["ID", "Title", "Theme", "Owner", "Status", "Start", "End", "Measures"],
        [
            [
                a.id,
                a.title,
                a.theme_path,
                a.owner,
                a.status.label if a.status else "",
                a.start or "",
                a.end or "",
                ", ".join(v.measures),
            ]
            for v in views
            for a in [v.activity]
        ],
    )


@activities_app.command("show")
def show(
    ctx: typer.Context,
    activity_id: Annotated[str, typer.Argument(help="Activity id.")],
    top: Top = 3,
) -> None:
    """Show one activity: details, links in force, link history and its top suggestions."""
    with use(ctx) as c:
        v = activities.show_activity(c, activity_id)
        found = suggestions.suggest(c, activity=v.activity.id, top=top).groups[v.activity.id]
    a = v.activity
    output.line(output.bold(a.id), f"  {a.title}")
    for label, value in (
        ("Description", a.description),
        ("Theme", a.theme_path if a.theme else ""),
        ("Sub-theme", "" if a.theme else a.sub_theme),
        ("Owner", a.owner),
        ("Status", a.status.label if a.status else ""),
        ("Dates", " to ".join(str(d) for d in (a.start, a.end) if d)),
        ("Link", a.link),
    ):
        if value:
            output.line(f"{label}: {value}")
    output.line(f"Linked to: {', '.join(v.measures) or 'no measure'}")
    _history(v.history, f"Link history of {a.id}")
    _suggestion_table(f"Suggested measures for {a.id}", found, "Measure")


def _history(events: list[LinkEvent], title: str) -> None:
    output.table(
        title,
        ["When", "Who", "Action", "Activity", "Measure", "Rationale"],
        [
            [
                _when(e),
                e.by,
                "link" if e.linked else "unlink",
                e.activity_id,
                e.measure_id,
                e.rationale,
            ]
            for e in events
        ],
    )


def _suggestion_table(title: str, found: list, column: str) -> None:
    key = "measure_id" if column == "Measure" else "activity_id"
    output.table(
        title,
        ["Rank", column, "Score", "Why"],
        [[s.rank, getattr(s, key), f"{s.score:.2f}", s.explanation] for s in found],
    )
    if not found:
        output.line("No suggestion above the threshold: no measure is a valid answer.")


def link(
    ctx: typer.Context,
    activity_id: Annotated[str, typer.Argument(help="Activity id.")],
    measure_id: Annotated[str, typer.Argument(help="Measure id, e.g. bury-4.")],
    rationale: Annotated[str, typer.Option(help="Why this activity delivers this measure.")] = "",
    by: By = None,
) -> None:
    """Link an activity to a measure (kept in the link history with who, when and why)."""
    with use(ctx, write=True, by=by) as c:
        e = activities.link(c, activity_id, measure_id, rationale)
    output.line(f"Linked {e.activity_id} to {e.measure_id} (by {e.by}).")


def unlink(
    ctx: typer.Context,
    activity_id: Annotated[str, typer.Argument(help="Activity id.")],
    measure_id: Annotated[str, typer.Argument(help="Measure id.")],
    rationale: Annotated[str, typer.Option(help="Why the link no longer holds.")] = "",
    by: By = None,
) -> None:
    """Remove a link; the link and its removal both stay in the history."""
    with use(ctx, write=True, by=by) as c:
        e = activities.unlink(c, activity_id, measure_id, rationale)
    output.line(f"Unlinked {e.activity_id} from {e.measure_id} (by {e.by}).")


def suggest(
    ctx: typer.Context,
    activity: Annotated[str | None, typer.Option(help="Only this activity.")] = None,
    measure: Annotated[
        str | None, typer.Option(help="Rank activities for this measure instead.")
    ] = None,
    top: Top = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    accept: Annotated[
        bool,
        typer.Option(
            "--accept",
            help="Link the suggestions shown (above the threshold; the top N per activity, or "
            "for --measure the top N activities); pairs already linked or unlinked before are "
            "left alone. With --json, prints the new links as JSON.",
        ),
    ] = False,
    by: By = None,
    method: Method = DEFAULT,
) -> None:
    """Suggest measures for activities (or activities for a measure), with the words that matched."""
    with use(ctx, write=accept, by=by) as c:
        found = suggestions.suggest(c, activity, measure, top, method)
        done = (
            suggestions.accept(c, [(s.activity_id, s.measure_id) for s in found.shown])
            if accept and found.activities
            else []
        )
    if not found.activities and not as_json:
        output.line(NO_ACTIVITIES)
        return
    if accept:
        if as_json:
            output.print_json({"linked": len(done), "links": [e.as_dict() for e in done]})
            return
        output.line(f"Linked {len(done)} suggestion(s).")
        _history(done, "New links")
        return
    if as_json:
        output.print_json(found.as_dict())
        return
    column = "Measure" if found.by == "activity" else "Activity"
    for gid, items in found.groups.items():
        _suggestion_table(f"Suggestions for {gid}", items, column)


def eval_suggest(
    file: Annotated[
        Path, typer.Argument(help="CSV: activity_id,title,description,expected_measures.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    method: Method = DEFAULT,
    threshold: Annotated[
        float | None, typer.Option(help="Score below which no measure is suggested.")
    ] = None,
) -> None:
    """Measure suggestions against labelled activities and the bundled catalogue (no workspace)."""
    e = suggestions.evaluate_file(read_file(file), str(file), method, threshold)
    if as_json:
        output.print_json(e.as_dict())
        return
    output.table(
        f"Suggestions ({e.method}) on {file}",
        ["Figure", "Value"],
        [[k, "n/a" if v is None else v] for k, v in e.as_dict().items()],
    )
    output.table(
        "Per-measure recall (expected measure in the top 5)",
        ["Measure", "Recall"],
        [[m, f"{r:.2f}"] for m, r in e.per_measure.items()],
    )
