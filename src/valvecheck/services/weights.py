"""Weights: how an activity's saving is shared among the measures it is linked to.

By default a saving is shared equally; weights adding up to 1 share it otherwise. They are set
for one activity or imported from a file, checked against the links in force, and kept with
their history (who and when), so a dated roll-up (services/impact.py) shares as they stood.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from valvecheck.domain.activity import id_key
from valvecheck.domain.money import Invalid, check_weights, parse_weight
from valvecheck.domain.people import Action
from valvecheck.domain.problems import Problem
from valvecheck.errors import ImportRejected, InputError
from valvecheck.importers.weights import read_weights
from valvecheck.services.context import Context, authorise, council_id
from valvecheck.services.figures import council_activities, links_in_force, with_unknown
from valvecheck.store import activities as activity_store
from valvecheck.store import impact as store
from valvecheck.store import repository as repo
from valvecheck.store.models import ActivityRow


@dataclass(frozen=True)
class WeightsSet:
    activity: str
    weights: tuple[tuple[str, Decimal], ...]  # empty: equal shares


@dataclass(frozen=True)
class WeightsImported:
    file: str
    activities: int
    notes: tuple[str, ...] = ()


def parse_weights(text: str) -> list[tuple[str, Decimal]]:
    """'bury-1=0.5,bury-2=0.5' -> [(measure, weight)]; 'equal' -> [] (equal shares)."""
    if text.strip().lower() in ("equal", ""):
        return []
    out = []
    for part in text.split(","):
        measure, sep, weight = part.partition("=")
        if not sep or not measure.strip():
            raise InputError(
                f"'{part.strip()}' is not MEASURE=WEIGHT (e.g. bury-1=0.5)", field="weights"
            )
        try:
            out.append((measure.strip().lower(), parse_weight(weight)))
        except Invalid as exc:
            raise InputError(str(exc), field="weights") from None
    return out


def _weight_problems(
    activity: ActivityRow, given: list[tuple[str, Decimal]], linked: list[str]
) -> list[tuple[str, str, str]]:
    """(code, message, the measure concerned) for weights that cannot be used."""
    out = []
    for measure, _ in given:
        if measure not in linked:
            out.append(
                (
                    "not-linked",
                    f"{activity.code} is not linked to {measure}: weights share its saving among "
                    f"the measures it is linked to ({', '.join(linked) or 'none'})",
                    measure,
                )
            )
    named = {m for m, _ in given}
    if given and not out and named != set(linked):
        missing = ", ".join(m for m in linked if m not in named)
        out.append(
            (
                "weights-incomplete",
                f"the weights of {activity.code} leave out {missing}: give a weight for every "
                "measure it is linked to",
                "",
            )
        )
    seen = set()
    for measure, _ in given:
        if measure in seen:
            out.append(("duplicate-entry", f"{measure} has two weights", measure))
        seen.add(measure)
    if given:
        try:
            check_weights([w for _, w in given], activity.code)
        except Invalid as exc:
            out.append((exc.code, str(exc), ""))
    return out


def set_weights(
    ctx: Context, activity: str, weights: str | list[tuple[str, Decimal]]
) -> WeightsSet:
    """Share an activity's saving among its measures by weights adding up to 1 (none: equally)."""
    authorise(ctx, Action.RECORD_IMPACT)
    row = activity_store.activity_row(ctx.session, council_id(ctx), activity)
    given = parse_weights(weights) if isinstance(weights, str) else list(weights)
    if problems := _weight_problems(row, given, links_in_force(ctx).get(row.code, [])):
        raise InputError(problems[0][1], field="weights")
    measures = [(repo.measure_row(ctx.session, m), w) for m, w in given]
    store.replace_weights(ctx.session, row, measures, ctx.actor.name, ctx.now())
    return WeightsSet(row.code, tuple(given))


def import_weights(ctx: Context, data: bytes, file: str) -> WeightsImported:
    """Weights from a file (activity, measure, weight); nothing is written if any row is bad."""
    authorise(ctx, Action.RECORD_IMPACT)
    parsed = read_weights(data, file)
    known = council_activities(ctx)
    if problems := with_unknown(parsed.problems, parsed.named, known):
        raise ImportRejected(problems)
    groups: dict[str, list[int]] = {}
    problems = []
    for i, (activity, _, _) in enumerate(parsed.rows):
        groups.setdefault(id_key(activity), []).append(i)
    links = links_in_force(ctx)
    for key, indexes in groups.items():
        given = [(parsed.rows[i][1], parsed.rows[i][2]) for i in indexes]
        linked = links.get(known[key].code, [])
        for code, message, measure in _weight_problems(known[key], given, linked):
            at = next((i for i in indexes if parsed.rows[i][1] == measure), indexes[-1])
            w = parsed.where[at]
            column = w.columns["measure"] if measure else w.columns["weight"]
            problems.append(Problem(code, message, w.file, w.line, column))
    if problems:
        raise ImportRejected(problems)
    for key, indexes in groups.items():
        measures = [
            (repo.measure_row(ctx.session, parsed.rows[i][1]), parsed.rows[i][2]) for i in indexes
        ]
        store.replace_weights(ctx.session, known[key], measures, ctx.actor.name, ctx.now())
    return WeightsImported(file, len(groups), tuple(parsed.notes))
