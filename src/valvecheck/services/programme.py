"""The council's own programme: placing a measure of the shared catalogue in one of its themes
(and, optionally, one of that theme's sub-themes), and taking a placement away.

A council's programme is its own (schema 0016): placing a measure changes what that council's
pages, summaries and reports group it under, never another council's. A theme or sub-theme
named in another case or punctuation ("SUFFICIENCY", "local places") is the council's one
already there; a name it has not got yet starts a new theme (or sub-theme) of its programme.
Taking a placement away takes with it its sub-theme, then its theme, when nothing else is
placed in them any more (a theme typed wrong is undone so); a theme or sub-theme with other
measures in it stays.

Every placement made or taken away, by a person here or by an import of a programme, is kept in
the council's history of its programme (schema 0017): who, when, where, and the import's file
(`placement_history`). Placing a measure where it is placed already records nothing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from valvecheck.domain import views
from valvecheck.domain.model import Placement, PlacementChange
from valvecheck.domain.moments import aware, in_england
from valvecheck.domain.names import fold
from valvecheck.domain.people import Action
from valvecheck.domain.views import PlacementStep, placement_steps
from valvecheck.errors import InputErrors, NotFound
from valvecheck.services.context import Context, authorise, council_id
from valvecheck.store import repository as repo
from valvecheck.store.queries import placement_events

if TYPE_CHECKING:
    from valvecheck.store.queries import Db

__all__ = [
    "PlacementChange",
    "Placed",
    "changes_of",
    "gone",
    "place",
    "placement_history",
    "placement_steps",
    "PlacementStep",
    "rename",
    "Renamed",
    "renamed_since",
    "RenamedSince",
    "renamed_words",
    "InProgramme",
    "programme_themes",
    "started",
    "unplace",
    "where",
]

# The longest theme or sub-theme name the programme stores (theme.name, sub_theme.name).
LONGEST = 300


@dataclass(frozen=True)
class Placed:
    """A placement made or taken away, and where the measure is placed now."""

    measure_id: str
    placement: Placement  # as the council's programme names it
    changed: bool  # False: it was placed there already (nothing was written)
    placements: tuple[Placement, ...]  # the measure's placements in the council's programme now
    new_theme: bool = False  # the placement started a theme of the programme
    new_sub_theme: bool = False  # ... or a sub-theme of one of its themes
    dropped: tuple[str, ...] = ()  # taken away: the sub-theme and theme it left empty, which went
    # a new theme (or sub-theme) under a name the programme renamed earlier (a form opened
    # before the rename, most likely), and that rename
    renamed: RenamedSince | None = None


@dataclass(frozen=True)
class RenamedSince:
    """A rename of a theme (or sub-theme) of the programme, as its history shows it."""

    before: Placement
    after: Placement  # what it is called now (after every later rename)
    by: str
    at: datetime
    placed_there: bool = False  # the measure is placed in what it became already


def where(placement: Placement) -> str:
    """'Sufficiency > Local places', or 'Sufficiency' for a placement in the theme alone."""
    return placement.where


def started(done: Placed, whose: str) -> str:
    """' (a new theme of your programme)', ' (a new sub-theme of ...)' or '': what a placement
    started, for the sentence that says it was made (``whose``: "your", "the")."""
    if done.new_theme:
        return f" (a new theme of {whose} programme)"
    if done.new_sub_theme:
        return f" (a new sub-theme of {whose} programme)"
    return ""


def renamed_since(done: Placed) -> str:
    """'' or, where a placement started a theme (or sub-theme) under a name the programme had
    renamed, the sentence that says so: the person may have meant the renamed one."""
    if done.renamed is None:
        return ""
    was = done.renamed
    what = "sub-theme" if was.before.sub_theme else "theme"
    old, new = (p.sub_theme or p.theme for p in (was.before, was.after))
    day = in_england(was.at)
    said = f"The {what} '{old}' was renamed by {was.by} on {day.day} {day:%B %Y} and is called "
    said += f"'{new}' now: "
    if was.placed_there:
        return f"{said}the measure is placed there already, so take this placement away"
    return f"{said}if you meant that {what}, place the measure there and take this placement away"


def renamed_words(done: Renamed) -> str:
    """'Renamed the theme X to Y; ...': what a rename did, and what stayed placed in it."""
    said = f"Renamed the {done.what} {where(done.before)} to {where(done.after)}"
    kept = len(done.measures)
    if kept == 1:
        return f"{said}; the measure placed in it ({done.measures[0]}) stays placed there"
    if kept:
        return f"{said}; the {kept} measures placed in it stay placed there"
    return f"{said}; nothing is placed in it"


def gone(done: Placed) -> str:
    """'Financial Efficiences > Commissioning' or 'Financial Efficiences': what the removal
    left empty and took out of the programme, named whole (the theme, when it went too)."""
    return done.dropped[-1]


def place(ctx: Context, measure_id: str, theme: str, sub_theme: str | None = None) -> Placed:
    """Place the measure in the acting council's programme, in ``theme`` (and ``sub_theme``,
    under it). Placing it where it is placed already changes nothing and says so."""
    authorise(ctx, Action.PLACE)
    wanted = _placement(theme, sub_theme, "Enter the theme to place the measure in")
    cid = council_id(ctx)
    measure = repo.measure_row(ctx.session, measure_id)
    # one writer at a time: two people placing (or removing) the same at once change it once
    repo.lock_pair(ctx.session, repo.CHANGING_PROGRAMME, cid)
    done = repo.add_placement(ctx.session, cid, measure, wanted)
    renamed = None
    if done.added:
        if done.new_theme or done.new_sub_theme:
            renamed = _renamed_from(ctx, cid, done.placement, done.new_theme)
        _record(ctx, cid, measure.id, done.placement, repo.PLACED)
    placements = tuple(repo.placements_of(ctx.session, cid, measure))
    if renamed is not None:
        there = renamed.after
        renamed = replace(
            renamed,
            placed_there=any(
                p.theme == there.theme and (not there.sub_theme or p == there) for p in placements
            ),
        )
    return Placed(
        measure.code,
        done.placement,
        done.added,
        placements,
        done.new_theme,
        done.new_sub_theme,
        renamed=renamed,
    )


def _renamed_from(ctx: Context, cid: int, started: Placement, theme: bool) -> RenamedSince | None:
    """Where the theme (``theme``) or sub-theme that ``started`` has just begun went, when the
    programme renamed that name and what it became is in the programme still."""
    named = Placement(started.theme) if theme else started
    found = views.where_renamed(changes_of(ctx.db, cid), named)
    if found is None:
        return None
    before, after, change = found
    now = repo.named_in_programme(ctx.session, cid, after)
    if now is None or fold(now.where) == fold(named.where):  # gone, or renamed back
        return None
    return RenamedSince(before, now, change.by, change.at)


def renamed_as(ctx: Context, theme: str, sub_theme: str | None = None) -> RenamedSince | None:
    """The rename of the theme (or the theme's sub-theme) so named, when the programme renamed it
    and what it became is in the programme still (``after``: what it is called now)."""
    named = Placement(theme, sub_theme or None)
    return _renamed_from(ctx, council_id(ctx), named, theme=not sub_theme)


def renamed_to(ctx: Context, theme: str, sub_theme: str | None = None) -> str:
    """'' or, when the programme renamed the theme (or the theme's sub-theme) so named and what
    it became is in the programme still, the words that say so: "it was renamed by ann on 7
    December 2026 and is called 'Inclusion' now"."""
    found = renamed_as(ctx, theme, sub_theme)
    return "" if found is None else f"it {rename_words(found, bool(sub_theme))}"


def rename_words(found: RenamedSince, sub_theme: bool = False) -> str:
    """ "was renamed by ann on 7 December 2026 and is called 'Inclusion' now": a rename, with the
    name the sub-theme (``sub_theme``) or the theme has now."""
    new = found.after.sub_theme or found.after.theme if sub_theme else found.after.theme
    day = in_england(found.at)
    return f"was renamed by {found.by} on {day.day} {day:%B %Y} and is called '{new}' now"


def unplace(ctx: Context, measure_id: str, theme: str, sub_theme: str | None = None) -> Placed:
    """Take the measure's placement in ``theme`` (and ``sub_theme``) out of the acting council's
    programme, and with it a sub-theme, then a theme, left with nothing placed in it. Not found
    when it is not placed there."""
    authorise(ctx, Action.PLACE)
    wanted = _placement(theme, sub_theme, "Enter the theme of the placement to take away")
    cid = council_id(ctx)
    measure = repo.measure_row(ctx.session, measure_id)
    # one writer at a time: two people placing (or removing) the same at once change it once
    repo.lock_pair(ctx.session, repo.CHANGING_PROGRAMME, cid)
    removed = repo.remove_placement(ctx.session, cid, measure, wanted)
    now = tuple(repo.placements_of(ctx.session, cid, measure))
    if removed is None:
        council = ctx.actor.council or "the council"
        placed = "; ".join(where(p) for p in now)
        said = f"it is placed in: {placed}" if now else "it is not placed in any theme of it"
        raise NotFound(
            f"{measure.code} is not placed in {where(wanted)} in {council}'s programme; {said}",
            field="sub_theme" if wanted.sub_theme else "theme",
        )
    _record(ctx, cid, measure.id, removed.placement, repo.REMOVED)
    return Placed(measure.code, removed.placement, True, now, dropped=removed.dropped)


@dataclass(frozen=True)
class InProgramme:
    """A theme of the council's programme, or one of its sub-themes, and the measures placed
    in it (a theme's: placed in it or in any of its sub-themes)."""

    placement: Placement
    measures: tuple[str, ...]


def programme_themes(ctx: Context) -> list[InProgramme]:
    """The acting council's programme as its team reads it: each theme in its order, then its
    sub-themes, with the measures placed in each (of the catalogue as it is now, not as a locked
    current assessment recorded it: a measure added since is placed like any other)."""
    from valvecheck.store.queries import load_catalogue

    authorise(ctx, Action.READ)
    catalogue = load_catalogue(ctx.db, council_id(ctx))
    out = []
    for theme, subs in catalogue.programme.themes.items():
        placed = [m.id for m in catalogue.measures if theme in m.themes]
        out.append(InProgramme(Placement(theme), tuple(placed)))
        for sub in subs:
            here = Placement(theme, sub)
            out.append(
                InProgramme(here, tuple(m.id for m in catalogue.measures if here in m.placements))
            )
    return out


@dataclass(frozen=True)
class Renamed:
    """A theme (or sub-theme) of the programme renamed, and the measures placed in it."""

    before: Placement
    after: Placement
    changed: bool  # False: it was called so already (nothing was written)
    measures: tuple[str, ...] = ()  # the measures placed in it, which kept their place

    @property
    def what(self) -> str:
        return "sub-theme" if self.before.sub_theme else "theme"


def rename(ctx: Context, theme: str, new_name: str, sub_theme: str | None = None) -> Renamed:
    """Rename a theme of the acting council's programme (or, with ``sub_theme``, that sub-theme
    of it): a spelling put right, a theme the programme board renamed. Every measure placed in
    it stays placed there, under the new name; the history of each records the move (taken out
    of the old name, placed in the new), so a report dated earlier still shows the old name.
    Refused when another theme (or another sub-theme of the theme) has the new name already:
    place the measures there instead."""
    authorise(ctx, Action.PLACE)
    named = _placement(theme, sub_theme, "Enter the theme to rename")
    field = "sub_theme" if named.sub_theme else "theme"
    what = field.replace("_", "-")  # as a person reads it
    try:
        wanted = _placement(
            new_name if not named.sub_theme else named.theme,
            new_name if named.sub_theme else None,
            "Enter the theme's new name",
        )
    except InputErrors as exc:
        raise InputErrors({"name": next(iter(exc.errors.values()))}) from None
    if not (wanted.sub_theme if named.sub_theme else wanted.theme):
        raise InputErrors({"name": f"Enter the {what}'s new name"})
    new = wanted.sub_theme if named.sub_theme else wanted.theme
    cid = council_id(ctx)
    repo.lock_pair(ctx.session, repo.CHANGING_PROGRAMME, cid)
    done = repo.rename_in_programme(ctx.session, cid, named, new or "")
    council = ctx.actor.council or "the council"
    if done is None:
        raise NotFound(f"{council}'s programme has no {what} {where(named)}", field=field)
    if done.clash:
        raise InputErrors(
            {
                "name": f"{council}'s programme has a {what} named "
                f"'{done.clash}' already: place the measures there instead"
            }
        )
    # a measure placed in the theme and in one of its sub-themes is named once
    codes = dict.fromkeys(repo.measure_codes(ctx.session, [r for r, _, _ in done.moved]))
    if done.before == done.after:
        return Renamed(done.before, done.after, False, tuple(codes))
    # each measure's history: taken out of the old name and placed in the new at one moment,
    # which is how a report dated earlier knows it for a rename (domain/views.programme_before)
    recorded = repo.Recorded(ctx.actor.name, ctx.now())
    for row_id, was, now in done.moved:
        repo.record_placement(ctx.session, cid, row_id, was, repo.REMOVED, recorded)
        repo.record_placement(ctx.session, cid, row_id, now, repo.PLACED, recorded)
    return Renamed(done.before, done.after, True, tuple(codes))


def _record(ctx: Context, cid: int, measure_row_id: int, placement: Placement, change: str) -> None:
    """Keep the change in the council's history of its programme: by the acting person, now."""
    recorded = repo.Recorded(ctx.actor.name, ctx.now())
    repo.record_placement(ctx.session, cid, measure_row_id, placement, change, recorded)


def placement_history(ctx: Context, measure_id: str) -> list[PlacementChange]:
    """Every placement of the measure made or taken away in the acting council's programme
    (by a person or an import), oldest first; another council's are never read."""
    authorise(ctx, Action.READ)
    cid = council_id(ctx)
    return changes_of(ctx.db, cid, repo.measure_row(ctx.session, measure_id).code)


def changes_of(
    db: Db, cid: int, measure_code: str | None = None, since: datetime | None = None
) -> list[PlacementChange]:
    """Council ``cid``'s history of where it placed the measure (None: every measure), oldest
    first, from ``since`` on when given (read through the Core tables: a measure's page reads it
    with the rest)."""
    changes = (
        PlacementChange(
            e.code,
            e.change,
            Placement(e.theme, e.sub_theme or None),
            e.by,
            aware(e.at),
            e.file,
        )
        for e in placement_events(db, cid, measure_code)
    )
    return [c for c in changes if since is None or c.at >= since]


def _placement(theme: str, sub_theme: str | None, blank: str) -> Placement:
    """The placement asked for, its names with their spacing tidied; every problem with them
    at once (InputErrors), each against its field (``blank``: what to say of no theme)."""
    errors: dict[str, str] = {}
    named = {"theme": _tidy(theme), "sub_theme": _tidy(sub_theme or "")}
    for field, name in named.items():
        what = field.replace("_", "-")
        if any(unicodedata.category(c) == "Cc" for c in name):
            errors[field] = f"The {what} may not contain control characters"
        elif len(name) > LONGEST:
            errors[field] = (
                f"The {what} is {len(name):,} characters long: a {what} can have at most "
                f"{LONGEST} characters"
            )
        elif name and not any(c.isalnum() for c in name):
            errors[field] = f"Enter a {what} with at least one letter or digit"
    if not named["theme"] and "theme" not in errors:
        errors["theme"] = (
            "Enter the theme the sub-theme belongs to" if named["sub_theme"] else blank
        )
    if errors:
        order = ("theme", "sub_theme")
        raise InputErrors({f: errors[f] for f in order if f in errors})
    return Placement(named["theme"], named["sub_theme"] or None)


def _tidy(name: str) -> str:
    """A name as a person meant it: no spaces around it, runs of spaces as one, and none of the
    invisible marks a paste from Word brings (a zero-width space, a soft hyphen), which would
    make a second theme that looks the same."""
    return " ".join("".join(c for c in name if unicodedata.category(c) != "Cf").split())
