"""Commands for the council's activities, their links to measures, and suggestions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from valvecheck.analysis.methods import DEFAULT, METHODS
from valvecheck.cli import output
from valvecheck.cli.core import By, command_line, read_file, use, ws_of
from valvecheck.cli.lazy import lazy
from valvecheck.domain.moments import in_england
from valvecheck.domain.names import count

if TYPE_CHECKING:
    from valvecheck.services import activities, links, suggestions
    from valvecheck.services.links import LinkEvent
else:  # loaded when a command first uses them (cli/lazy.py)
    activities = lazy("valvecheck.services.activities")
    links = lazy("valvecheck.services.links")
    suggestions = lazy("valvecheck.services.suggestions")

activities_app = typer.Typer(
    help="The council's own activities (projects, workstreams).", no_args_is_help=True
)
Top = Annotated[int, typer.Option("--top", "-n", min=1, help="How many suggestions per item.")]
Method = Annotated[
    str,
    typer.Option(help=f"Scoring method: {', '.join(METHODS)} (default {DEFAULT})."),
]


def register(app: typer.Typer) -> None:
    app.add_typer(activities_app, name="activities")
    app.command("link")(link)
    app.command("unlink")(unlink)
    app.command("suggest")(suggest)
    app.command("eval-suggest")(eval_suggest)


def _when(e: LinkEvent) -> str:
    return f"{in_england(e.at):%Y-%m-%d %H:%M %Z}" if e.at else ""


@activities_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV or XLSX with a header row (id and title); in a workbook, the first sheet "
            "with that header is read. An optional 'measures' column "
            "(measure ids separated by ';') links each activity to those measures."
        ),
    ],
    column_map: Annotated[
        str | None,
        typer.Option(
            help="Headings the built-in names miss, as FIELD=HEADING (fields: id, title, "
            "description, theme, sub-theme, owner, status, start, end, link, measures): e.g. "
            '"id=Project Ref,title=Project Name,end=Target Date".'
        ),
    ] = None,
) -> None:
    """Import activities; columns are found by header name. Nothing is written on any problem."""
    data = read_file(file)
    with use(ctx, write=True) as c:
        done = activities.import_activities(c, data, str(file), column_map)
    said = "".join(f"; {note}" for note in done.notes)
    output.line(
        f"Imported {count(done.rows, 'activity', 'activities')} from {file}: {done.added} new, "
        f"{done.updated} updated{said}."
    )
    if done.linked:
        pairs = count(done.linked, "activity-measure pair", "activity-measure pairs")
        output.line(f"Linked {pairs} from the measures column.")


@activities_app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[
        str,
        typer.Option(help="The activity's id, as in the tracker, e.g. SEN-12 (required)."),
    ] = "",
    title: Annotated[str, typer.Option(help="Its title (required).")] = "",
    description: Annotated[str, typer.Option(help="What it does.")] = "",
    theme: Annotated[str, typer.Option(help="The programme theme it belongs to.")] = "",
    owner: Annotated[str, typer.Option(help="Who leads it.")] = "",
    status: Annotated[
        str,
        typer.Option(
            help="planned, in progress, at risk, done or stalled (or a variant such as ongoing, "
            "delayed, complete, on hold); blank: not known."
        ),
    ] = "",
    start: Annotated[
        str, typer.Option(help="Start date: 2026-09-01, 01/09/2026 or September 2026.")
    ] = "",
    end: Annotated[
        str, typer.Option(help="End date, on or after the start (a month: its last day).")
    ] = "",
    by: By = None,
) -> None:
    """Add one activity, checked as an imported row is; every problem is said at once."""
    values = {
        "code": code,
        "title": title,
        "description": description,
        "theme": theme,
        "owner": owner,
        "status": status,
        "start": start,
        "end": end,
    }
    with use(ctx, write=True, by=by) as c:
        v = activities.add_activity(c, values)
        who = c.actor.name
    a = v.activity
    output.line(f"Added {a.id}: {a.title} (by {who}).")


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
        e = links.link(c, activity_id, measure_id, rationale)
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
        e = links.unlink(c, activity_id, measure_id, rationale)
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
            help="Link the suggestions shown that clear the stricter accept bar "
            f"({METHODS[DEFAULT].accept_threshold} for the default method; the top N per activity, or for --measure the top N activities); "
            "pairs already linked or unlinked before are left alone. With --json, prints the "
            "new links as JSON.",
        ),
    ] = False,
    by: By = None,
    method: Method = DEFAULT,
) -> None:
    """Suggest measures for activities (or activities for a measure), with the words that matched."""
    with use(ctx, write=accept, by=by) as c:
        found = suggestions.suggest(c, activity, measure, top, method)
        done = (
            suggestions.accept(c, [(s.activity_id, s.measure_id) for s in found.to_accept], method)
            if accept and found.activities
            else []
        )
    if not found.activities and not as_json:
        again = command_line(ctx, "activities", "import", "FILE")
        output.line(f"No activities yet: import them with '{again}'.")
        return
    if accept:
        if as_json:
            output.print_json({"linked": len(done), "links": [e.as_dict() for e in done]})
            return
        output.line(f"Linked {len(done)} suggestion{'s' * (len(done) != 1)}.")
        if done:
            _history(done, "New links")
        below = [s for s in found.shown if s not in found.to_accept]
        if below:
            output.table(
                f"Below the accept bar ({found.accept_threshold:.2f}): look at each, and link "
                "those that hold with 'valvecheck link'",
                ["Activity", "Measure", "Score"],
                [[s.activity_id, s.measure_id, f"{s.score:.2f}"] for s in below],
            )
        return
    if as_json:
        output.print_json(found.as_dict())
        return
    column = "Measure" if found.by == "activity" else "Activity"
    for gid, items in found.groups.items():
        _suggestion_table(f"Suggestions for {gid}", items, column)
        left = found.left_out.get(gid)
        if left:
            judged = ", ".join(f"{i} ({'linked' if on else 'unlinked'})" for i, on in left.items())
            output.line(f"Not suggested again, as your council has judged them: {judged}.")


def eval_suggest(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV: activity_id,title,description,expected_measures.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    method: Method = DEFAULT,
    threshold: Annotated[
        float | None, typer.Option(help="Score below which no measure is suggested.")
    ] = None,
    no_links: Annotated[
        bool,
        typer.Option(
            "--no-links",
            help="In a workspace, leave the council's own links out of the evidence.",
        ),
    ] = False,
    curve: Annotated[
        bool,
        typer.Option(
            "--curve",
            help="Also the learning curve: the figures when 0, 10, 20 and 40 of the file's "
            "activities, and half of them, are already linked (random draws, scored on the rest "
            "only).",
        ),
    ] = False,
) -> None:
    """Measure suggestions against labelled activities.

    In a workspace, against its catalogue with the council's own links as evidence; elsewhere, against the bundled catalogue."""
    from valvecheck.analysis.validation import CURVE

    data = read_file(file)
    sizes = CURVE if curve else ()
    if ws_of(ctx).exists():
        with use(ctx) as c:
            e = suggestions.evaluate_file(
                data, str(file), method, threshold, c, links=not no_links, curve=sizes
            )
        where = f"the workspace's catalogue, {e.links} linked activities as evidence"
    else:
        e = suggestions.evaluate_file(data, str(file), method, threshold, curve=sizes)
        where = "the bundled catalogue (no workspace)"
    if as_json:
        output.print_json(e.as_dict())
        return
    output.table(
        f"Suggestions ({e.method}) on {file}, against {where}",
        ["Figure", "Value"],
        [[k, "n/a" if v is None else v] for k, v in e.as_dict().items() if k != "curve"],
    )
    if e.curve:
        output.table(
            "Learning curve (figures on the activities not linked; MRR also with none of the "
            "file linked, on the same activities)",
            ["Linked", "Scored", "hit@3", "MRR", "MRR, none linked", "recall@5", "none-acc",
             "false-none"],
            [
                [n, _scored(e.n, n, f.n), _figure(f.hit_at_3), _figure(f.mrr),
                 _figure(f.none_linked.mrr if f.none_linked else f.mrr),
                 _figure(f.recall_at_5), _figure(f.none_accuracy), _figure(f.false_none_rate)]
                for n, f in e.curve
            ],
        )  # fmt: skip
        start = e.curve[0][1].mrr
        if start is not None and start >= 0.95:
            output.note(
                f"With nothing linked, MRR is already {start:.2f}: links can add at most "
                f"{1 - start:+.2f} on this file."
            )
        half = next((f for n, f in e.curve if n == e.n // 2), None)
        linked = half.mrr if half else None
        alone = half.none_linked.mrr if half and half.none_linked else None
        if linked is not None and alone is not None:
            output.note(
                f"With half the file linked, MRR on the other half is {linked:.2f}, against "
                f"{alone:.2f} on the same activities with none linked ({linked - alone:+.2f})."
            )
    output.table(
        "Per-measure recall (expected measure in the top 5)",
        ["Measure", "Recall"],
        [[m, f"{r:.2f}"] for m, r in e.per_measure.items()],
    )


def _scored(rows: int, linked: int, pooled: int) -> str:
    """Activities scored at one point of the curve: the rest of the file, once per random draw."""
    rest = rows - linked
    draws = pooled // rest if rest else 1
    return f"{rest} x {draws} draws" if draws > 1 else str(pooled)


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"
