"""The one model every report format renders, built once so the formats cannot drift apart.

``ReportData`` holds only what a reader sees: words, counts and rows in document order. It is
built from an assessment's state (catalogue + rating histories) and its ``Summary``; writers
read it and never go back to the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, TypeAlias

from valvecheck.analysis.summary import Group, Summary, coverage, coverage_base
from valvecheck.domain.moments import aware as _aware
from valvecheck.domain.moments import in_england
from valvecheck.domain.percent import percent
from valvecheck.domain.rag import RATED, Rag
from valvecheck.domain.rating import BUNDLED, SEED, Rating, own_words

if TYPE_CHECKING:
    from valvecheck.domain.impact import Impact
    from valvecheck.domain.views import AssessmentState

# A writer's progress: told each time n more table rows are written.
Tick: TypeAlias = Callable[[int], None]

DEFAULT_TITLE = "DfE Safety Valve Agreements: Mitigation Validation Exercise"

# The rationale stored with the seed's bundled ratings is the workspace's own note; a committee
# reader is told what it means. The stored history keeps the words it was given.
BUNDLED_SAID = "Rating from the original Appendix A exercise"

# The short mark a rating carried forward from an earlier assessment has beside its rationale in
# every format (small, in a note of its own); the report says once, in ``carried_key``, where the
# ratings came from, rather than the stored "(carried forward from 'X')" in every row.
CARRIED = "Carried forward"
# A line of evidence that is a web address, and nothing else, is a link in a report.
WEB_ADDRESS = re.compile(r"^https?://\S+$")
# The note domain.rating.carried_note adds to a carried rationale: the last one names the source.
_CARRIED_FROM = re.compile(
    r".*\(carried forward from '(.*)'\)$|^carried forward from '(.*)'$", re.S
)

# How the RAG key explains the two ratings that are not a colour of the seed's own key.
KEY_NOTES = {
    Rag.UNRATED: "counted in the coverage base but never as covered",
    Rag.NOT_APPLICABLE: "left out of the coverage base, so coverage is green and amber as a "
    "share of the measures that apply",
}

# Every section a report can have, in the order every format shows them. Each writer renders a
# section with the function its own ``SECTIONS`` registry names for the key: a new section is a
# key here, a line in ``ReportData.sections`` and one renderer per format (a test checks that
# every writer has one for every key).
SECTION_KEYS = ("appendix", "summary", "opportunities", "unrated", "links", "impact")


@dataclass(frozen=True)
class Section:
    """One part of the report: a heading and a table, the same in every format."""

    key: str  # which renderer draws it (a key of SECTION_KEYS)
    heading: str  # as Word, HTML and Markdown title it
    sheet: str  # the Excel sheet that holds it
    intro: str = ""  # a sentence under the heading
    empty: str = ""  # set when the table has no rows: what is said instead of it


@dataclass(frozen=True)
class ReportRow:
    """One measure as a row of the appendix: several placements are shown in one row."""

    id: str
    la: str
    recommendation: str
    themes: tuple[str, ...]
    sub_themes: tuple[str, ...]
    rag: Rag
    rationale: str = ""  # the rater's own words (with no note of where it was carried from)
    evidence: str = ""  # links and notes recorded with the rating, one on each line
    history: tuple[Rating, ...] = ()
    also_in: tuple[str, ...] = ()  # the same measure in other agreements (its common-measure group)
    also_in_la: tuple[str, ...] = ()  # the LA of each of ``also_in``, in the same order
    carried_from: str = ""  # the assessment the rating was carried forward from, if it was

    @property
    def evidence_items(self) -> tuple[str, ...]:
        """The evidence, one link or note an item (its non-blank lines)."""
        return tuple(line.strip() for line in self.evidence.splitlines() if line.strip())

    @property
    def evidence_links(self) -> tuple[str, ...]:
        """The lines of evidence that are web addresses (http or https only)."""
        return tuple(item for item in self.evidence_items if WEB_ADDRESS.match(item))

    @property
    def carried(self) -> str:
        """``CARRIED`` for a rating carried forward from an earlier assessment, else nothing."""
        return CARRIED if self.carried_from else ""

    @property
    def also_in_labels(self) -> tuple[str, ...]:
        """'Stoke-on-Trent (stoke-on-trent-5)': each other agreement's authority and its ID."""
        las = self.also_in_la or self.also_in
        return tuple(
            f"{la} ({mid})" if la != mid else mid
            for la, mid in zip(las, self.also_in, strict=False)
        )


@dataclass(frozen=True)
class SummaryRow:
    """A theme (``sub_theme`` None) or one of its sub-themes, with its RAG counts."""

    theme: str
    sub_theme: str | None
    measures: int
    counts: dict[Rag, int]
    coverage: float

    @property
    def name(self) -> str:
        return self.sub_theme or self.theme


@dataclass(frozen=True)
class LinkRow:
    """An activity of the council's own linked to a measure."""

    activity: str  # the activity's id
    activity_title: str
    measure: str  # the measure's id
    la: str
    recommendation: str
    rag: Rag
    rationale: str = ""
    by: str = ""


@dataclass(frozen=True)
class Change:
    """One rating change in a measure's history, for the monitoring pack."""

    at: datetime | None
    previous: Rag
    rag: Rag
    by: str
    rationale: str


@dataclass
class ReportData:
    """Everything a report says, in the order it says it."""

    title: str
    council: str
    assessment: str
    on: date
    purpose: str
    key: list[tuple[Rag, str]]
    rows: list[ReportRow]
    themes: list[SummaryRow]  # each theme followed by its sub-themes
    total: SummaryRow
    columns: list[Rag]  # the RAG columns the summary shows
    opportunities: list[ReportRow]
    unrated: list[ReportRow]
    links: list[LinkRow] = field(default_factory=list)
    since: date | None = None
    impact: Impact | None = None  # savings against the deficit, once any are recorded
    appendix: str = ""  # the paper's label for the report ("Appendix C"); none by default
    locked_at: datetime | None = None  # when the assessment was locked, once it is
    locked_by: str = ""

    @property
    def date_text(self) -> str:
        return long_date(self.on)

    @property
    def locked(self) -> str:
        """'Locked on 6 December 2026 by Ann.' once the assessment is locked; else nothing."""
        if self.locked_at is None:
            return ""
        by = f" by {self.locked_by}" if self.locked_by else ""
        return f"Locked on {long_date(in_england(self.locked_at).date())}{by}."

    @property
    def running_head(self) -> str:
        """The title, council and date, as a printed page's header repeats them."""
        return " — ".join(x for x in (self.title, self.council, self.date_text) if x)

    @property
    def sections(self) -> list[Section]:
        """The sections of this report, in order: links only once activities are linked."""
        total = self.total
        out = [
            Section(
                "appendix",
                "Measures and ratings",
                "Appendix",
                " ".join(
                    x
                    for x in (
                        "Each measure, with the council's rating, its rationale and the evidence "
                        "recorded with it.",
                        self.carried_key(self.rows),
                    )
                    if x
                ),
            ),
            Section(
                "summary",
                "Summary by theme",
                "Summary",
                f"{total.measures} measures; coverage (green and amber) "
                f"{percent(total.coverage)}{self.coverage_base}.",
            ),
            Section(
                "opportunities",
                f"Opportunities ({len(self.opportunities)})",
                "Opportunities",
                f"Measures rated red: {Rag.RED.definition}. The most widely shared come first; "
                "‘Also in’ names the other agreements that hold the same measure: their "
                "authority, and the ID of the measure there."
                + (f" {key}" if (key := self.carried_key(self.opportunities)) else ""),
                "" if self.opportunities else "No measure is rated red.",
            ),
            Section(
                "unrated",
                f"Not yet rated ({len(self.unrated)})",
                "Unrated",
                empty="" if self.unrated else "Every measure has a rating.",
            ),
        ]
        if self.links:
            out.append(
                Section(
                    "links",
                    f"Activities linked to measures ({len(self.links)})",
                    "Links",
                    "The council's activities and the measures they deliver.",
                )
            )
        if self.impact is not None and not self.impact.empty:
            out.append(
                Section(
                    "impact",
                    "Impact against the high needs deficit",
                    "Impact",
                    self.impact.note,
                )
            )
        return out

    @property
    def coverage_base(self) -> str:
        """' of 37 applicable measures' once some are not applicable (the figure leaves them
        out); nothing while every measure applies, the count just said being the base."""
        if not self.total.counts.get(Rag.NOT_APPLICABLE):
            return ""
        return f" of {coverage_base({r.value: n for r, n in self.total.counts.items()})}"

    @property
    def table_rows(self) -> int:
        """How many body rows the report's tables hold in all: what a writer's progress counts."""
        rows = len(self.rows) + len(self.themes) + 1 + len(self.opportunities) + len(self.unrated)
        return rows + len(self.links)

    @property
    def meta(self) -> str:
        """'Bristol, 1 May 2024. Assessment: Spring 2024': who, when and which assessment."""
        text = f"{self.council + ', ' if self.council else ''}{self.date_text}"
        return f"{text}. Assessment: {self.assessment}" if self.assessment else text

    def carried_key(self, rows: list[ReportRow]) -> str:
        """What 'Carried forward' means, said once for a table's rows (nothing when none is
        carried): where those ratings were made."""
        sources = list(dict.fromkeys(r.carried_from for r in rows if r.carried_from))
        if not sources:
            return ""
        where = join_names([f"'{s}'" for s in sources]).replace(" and ", " or ")
        return (
            f"{CARRIED}: a rating made in {where} and carried into this assessment when it was "
            "started, with the rationale and evidence given then; it has not been rated again "
            "since."
        )

    def changes(self, row: ReportRow) -> list[Change]:
        """The rating changes of a measure on or after ``since`` (all of them without it).

        The seed's bundled ratings are where a period starts, never a change in it: they were
        made before the workspace existed, though they are dated when it was created. A rating
        carried forward after the ratings it was carried from (``services.reports`` puts them
        before it) is no change either: it is the last of them again."""
        start = datetime.combine(self.since, time.min, UTC) if self.since else None
        return [
            Change(r.at, r.previous, r.rag, r.by, plain_rationale(r.rationale))
            for i, r in enumerate(row.history)
            if (start is None or not _before(r, start)) and not (i and carried_from(r.rationale))
        ]

    def rag_at_since(self, row: ReportRow) -> Rag:
        """The rating a measure had when the period began (unrated if none yet)."""
        start = datetime.combine(self.since, time.min, UTC) if self.since else None
        before = [r for r in row.history if start and _before(r, start)]
        return before[-1].rag if before else Rag.UNRATED


def _before(rating: Rating, start: datetime) -> bool:
    """Whether a rating stood before a period starting at ``start``: made before it, or one of
    the seed's bundled ratings (the starting position, dated when the workspace was made)."""
    if rating.source == SEED:
        return True
    return rating.at is not None and _aware(rating.at) < start


def carried_from(rationale: str) -> str:
    """The assessment a rationale says its rating was carried forward from (the note
    ``domain.rating.carried_note`` adds), or nothing."""
    found = _CARRIED_FROM.match(rationale)
    return (found[1] or found[2] or "") if found else ""


def plain_rationale(text: str) -> str:
    """A stored rationale as a committee reads it: the seed's bundled note in plain words."""
    if text.startswith(BUNDLED):
        return BUNDLED_SAID + text[len(BUNDLED) :]
    return text


def key_of() -> list[tuple[Rag, str]]:
    """The RAG key: the seed's three definitions, then what Not rated and Not applicable mean
    for the coverage figure."""
    key = [(r, r.definition) for r in RATED]
    return key + [(r, f"{r.definition}; {note}") for r, note in KEY_NOTES.items()]


def long_date(on: date) -> str:
    """'1 May 2024': the way a committee paper writes a date."""
    return f"{on.day} {on:%B %Y}"


def join_names(names: list[str]) -> str:
    """'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def purpose_text(council: str, measures: int, agreements: int, authority_names: list[str]) -> str:
    """The purpose paragraph, in the words of the seed's own introduction."""
    who = council or "The council"
    # Kingston and Richmond share one agreement: "4 agreements of 5 councils (...)"
    councils = len(authority_names)
    of = f" of {councils} councils" if councils != agreements else ""
    return (
        f"{who} has cross-referenced the activity of its own programme and the wider improvement "
        f"activity underway across the local area against the {measures} measures of "
        f"{agreements} published Safety Valve agreement{'s' if agreements != 1 else ''}{of} "
        f"({join_names(authority_names)}), to determine how much of the existing activity "
        "aligns to DfE approved measures and interventions to reduce deficits. "
        "The following RAG rating was applied:"
    )


def _summary_row(group: Group, theme: str, sub_theme: str | None) -> SummaryRow:
    counts = {Rag(k): v for k, v in group.rag.items()}
    return SummaryRow(theme, sub_theme, len(group.measure_ids), counts, coverage(group.rag))


def build_report(
    state: AssessmentState,
    summary: Summary,
    *,
    on: date,
    title: str | None = None,
    council: str | None = None,
    links: list[LinkRow] | None = None,
    since: date | None = None,
    impact: Impact | None = None,
    also_in: dict[str, tuple[str, ...]] | None = None,
    appendix: str = "",
    locked_at: datetime | None = None,
    locked_by: str = "",
) -> ReportData:
    """Build the report model from an assessment's state and its ``Summary``; ``also_in``: each
    measure's equivalents in other agreements (``services.prevalence.equivalents``)."""
    views, catalogue = state.views, state.catalogue
    la_of = {v.id: v.la for v in views}
    rows = []
    for v in views:
        latest = v.latest
        others = (also_in or {}).get(v.id, ())
        rows.append(
            ReportRow(
                id=v.id,
                la=v.la,
                recommendation=v.measure.text,
                themes=v.measure.themes,
                sub_themes=v.measure.sub_themes,
                rag=v.rag,
                rationale=plain_rationale(own_words(latest.rationale)) if latest else "",
                evidence=latest.evidence if latest else "",
                history=tuple(v.history),
                also_in=others,
                also_in_la=tuple(la_of.get(m, m) for m in others),
                carried_from=carried_from(latest.rationale) if latest else "",
            )
        )
    by_id = {r.id: r for r in rows}
    themes: list[SummaryRow] = []
    for group in summary.themes:
        themes.append(_summary_row(group, group.name, None))
        themes.extend(_summary_row(sub, group.name, sub.name) for sub in group.sub_themes)
    total = SummaryRow(
        "All measures",
        None,
        summary.measures,
        {Rag(k): v for k, v in summary.rag.items()},
        summary.coverage,
    )
    # Not applicable appears only when something is rated so; the other four always do.
    columns = [*RATED, Rag.UNRATED]
    if total.counts.get(Rag.NOT_APPLICABLE):
        columns.append(Rag.NOT_APPLICABLE)
    used = {m.agreement for m in catalogue.measures}
    agreements = [a for a in catalogue.agreements if a.slug in used]
    names = {a.slug: a.name for a in catalogue.authorities}
    authority_names = list(
        dict.fromkeys(names.get(s, s) for a in agreements for s in a.authorities)
    )
    council_name = council if council is not None else state.council
    return ReportData(
        title=title or DEFAULT_TITLE,
        council=council_name,
        assessment=state.assessment,
        on=on,
        purpose=purpose_text(council_name, summary.measures, len(agreements), authority_names),
        key=key_of(),
        rows=rows,
        themes=themes,
        total=total,
        columns=columns,
        opportunities=[by_id[i] for i in summary.opportunities if i in by_id],
        unrated=[by_id[i] for i in summary.unrated if i in by_id],
        links=list(links or []),
        since=since,
        impact=impact,
        appendix=appendix,
        locked_at=locked_at,
        locked_by=locked_by,
    )
