"""What the JSON API reads and answers, as pydantic models: the OpenAPI document is built from
these, so every request and response is typed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt

from valvecheck.domain import moments
from valvecheck.domain.activity import LONGEST
from valvecheck.domain.equivalence import EquivalenceDecision
from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import Rating


def _no_nul(value: str) -> str:
    # A NUL character cannot be stored in PostgreSQL text; it is never meaningful in a rationale.
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    return value


Text = Annotated[str, Field(max_length=20_000), AfterValidator(_no_nul)]
Name = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_no_nul)]


# A date as YYYY-MM-DD (or as people write them: 31/03/2027, March 2027, the month's end for an
# end date), read by the service.
DateText = Annotated[
    str, Field(max_length=40, json_schema_extra={"format": "date"}), AfterValidator(_no_nul)
]

# Ids and versions are 32-bit in the database: a larger number cannot name anything.
MAX_ID = 2**31 - 1


def aware(at: datetime | None) -> datetime | None:
    """Times in UTC with their offset, whichever database they came from."""
    return None if at is None else moments.aware(at)


class Input(BaseModel):
    """A request body: a field it does not know is refused (422 naming it), never dropped, so a
    misspelt rationale cannot be saved as no rationale. Its numbers and true/false are JSON's
    own (StrictInt, StrictBool): "3", 3.0 or true is not a version, nor 0 or "no" false."""

    model_config = ConfigDict(extra="forbid")


class ProblemItem(BaseModel):
    code: str = Field(
        description="A stable kebab-case code: invalid-input, or an import problem's code "
        "(such as missing-column)."
    )
    message: str
    file: str = ""
    line: int | None = None
    column: str | None = None


class Problem(BaseModel):
    """An error (RFC 9457 application/problem+json) with the service layer's stable code."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Conflict",
                    "status": 409,
                    "detail": "bury-2 was rated Amber by ann.lee since you opened it",
                    "code": "stale-version",
                    "field": "version",
                    "problems": [],
                    "version": 4,
                }
            ]
        }
    )

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str = Field(
        description="401 unauthenticated; 403 forbidden; 404 not-found; 405 method-not-allowed; "
        "409 stale-version (changed since you read it: read again; `version` is the one it is "
        "at now), locked (the assessment has been reported: do not retry), already-exists (the "
        "name is taken), already-linked, not-linked, or conflict (written by another request "
        "at the same moment: try again); 422 invalid-input or import-rejected; 503 workspace; "
        "500 error",
        examples=["stale-version"],
    )
    field: str | None = Field(default=None, description="The input the error concerns.")
    problems: list[ProblemItem] = Field(default_factory=list)
    version: int | None = Field(
        default=None,
        description="With stale-version: the version it is at now (also sent as the ETag).",
    )


class PlacementOut(BaseModel):
    theme: str
    sub_theme: str | None = None


# A theme or sub-theme as sent: the service tidies its spacing and refuses one longer than the
# programme stores (300 characters), in the words the web form and the command line show too.
PlaceName = Annotated[str, Field(max_length=2000), AfterValidator(_no_nul)]


class PlacementIn(Input):
    """Where to place a measure in the council's own programme."""

    theme: PlaceName = Field(
        description="A theme of the council's programme, in any case or spacing; a name it "
        "has not got starts a new theme (at most 300 characters)",
        examples=["Sufficiency"],
    )
    sub_theme: PlaceName | None = Field(
        default=None,
        description="One of the theme's sub-themes, likewise; none: the theme alone",
        examples=["Local places"],
    )


class ThemeOut(BaseModel):
    """A theme of the council's programme, or one of its sub-themes, and what is placed in it."""

    theme: str
    sub_theme: str | None = Field(default=None, description="none: the theme itself")
    measures: list[str] = Field(
        description="The measures placed in it (a theme's: in it or any of its sub-themes)"
    )


class RenameIn(Input):
    """A theme (or one of its sub-themes) of the council's programme, and its new name."""

    theme: PlaceName = Field(description="The theme, in any case or spacing")
    sub_theme: PlaceName | None = Field(
        default=None, description="One of its sub-themes, to rename that instead"
    )
    name: PlaceName = Field(description="The new name (at most 300 characters)")


class RenamedOut(BaseModel):
    """A theme (or sub-theme) renamed, and the measures placed in it, which stay placed."""

    before: PlacementOut
    after: PlacementOut
    changed: bool = Field(description="false: it was called so already; nothing was written")
    measures: list[str]


class PlacementsOut(BaseModel):
    """A placement made or taken away, and the measure's placements in the programme now."""

    measure: str
    placement: PlacementOut = Field(
        description="The placement made or taken away, as the council's programme names it"
    )
    changed: bool = Field(
        description="false: the measure was placed there already, and nothing was written"
    )
    placements: list[PlacementOut]
    renamed_to: PlacementOut | None = Field(
        None,
        description="Set when the placement started a theme (or sub-theme) under a name the "
        "programme had renamed: what that name became (the client sent the old name, likely)",
    )


class RatingOut(BaseModel):
    """One entry of a measure's rating history."""

    measure: str
    version: int = Field(description="1, 2, 3 ... within the measure's history in the assessment")
    rag: Rag
    previous: Rag
    rationale: str
    evidence: str
    by: str
    at: datetime | None
    source: str = Field(description="person, file or bundled")
    measure_version: int

    @classmethod
    def of(cls, r: Rating) -> RatingOut:
        return cls(
            measure=r.measure_id,
            version=r.version,
            rag=r.rag,
            previous=r.previous,
            rationale=r.rationale,
            evidence=r.evidence,
            by=r.by,
            at=aware(r.at),
            source=r.source,
            measure_version=r.measure_version,
        )


class MeasureOut(BaseModel):
    id: str = Field(examples=["bury-1"])
    agreement: str
    la: str = Field(description="The authorities of the agreement, joined by '/'")
    number: int
    text: str
    themes: list[str]
    sub_themes: list[str]
    placements: list[PlacementOut]
    rag: Rag
    version: int = Field(description="The version of the rating history (0: never rated)")
    needs_review: bool
    due: date | None
    overdue: bool


class MeasureList(BaseModel):
    assessment: str
    total: int
    offset: int
    limit: int
    items: list[MeasureOut]


class LinkedActivity(BaseModel):
    id: str
    title: str


class PlacementChangeOut(BaseModel):
    """A placement of the measure made or taken away in the council's own programme."""

    change: str = Field(description="placed or removed", examples=["placed"])
    theme: str = Field(description="The theme, as the programme named it then")
    sub_theme: str | None = Field(default=None, description="Its sub-theme; none: the theme alone")
    by: str
    at: datetime
    file: str = Field(
        default="", description="The file an import placed it from; empty for a person's change"
    )


class MeasureDetail(MeasureOut):
    assessment: str
    agreement_title: str
    year: str
    authorities: list[str]
    source_title: str
    source_url: str
    source_locator: str
    rating: RatingOut | None
    deadlines: list[str]
    activities: list[LinkedActivity]
    equivalents: list[str] = Field(
        default_factory=list,
        description="Measures of other agreements read as the same commitment (its common-measure group)",
    )
    placement_history: list[PlacementChangeOut] = Field(
        default_factory=list,
        description="Where the council placed the measure in its programme, or took a placement "
        "away, oldest first: who, when, and an import's file",
    )


class EquivalenceIn(Input):
    other: Annotated[str, Field(min_length=1, max_length=300, examples=["stoke-on-trent-2"])] = (
        Field(description="Another agreement's measure")
    )
    decision: Annotated[str, Field(max_length=20, examples=["same"])] = Field(
        description="same (one commitment), different (never group them) or none (withdraw)"
    )
    rationale: Text = ""


class EquivalenceOut(BaseModel):
    """A person's decision in force that two measures are, or are not, the same commitment."""

    measure: str
    other: str
    decision: str = Field(description="same or different")
    rationale: str
    by: str
    at: datetime

    @classmethod
    def of(cls, d: EquivalenceDecision) -> EquivalenceOut:
        return cls(
            measure=d.measure,
            other=d.other,
            decision=d.decision,
            rationale=d.rationale,
            by=d.by,
            at=moments.aware(d.at),
        )


class RatingIn(Input):
    rag: Annotated[str, Field(max_length=40, examples=["amber"]), AfterValidator(_no_nul)] = Field(
        description="green, amber (or yellow), red, unrated, not_applicable"
    )
    rationale: Text = ""
    evidence: Text = ""
    version: StrictInt | None = Field(
        default=None,
        ge=0,
        le=MAX_ID,
        description="The version of the rating history you read (0: not rated). Or send it as "
        'If-Match: "N". A stale one is refused with 409.',
    )


class ActivityOut(BaseModel):
    id: str
    title: str
    description: str
    theme: str
    sub_theme: str
    owner: str
    status: str | None
    start: date | None
    end: date | None
    link: str
    measures: list[str] = Field(description="The measures it is linked to now")


class ActivityIn(Input):
    """One activity to add: its id and title needed, the rest optional (as the edit form's)."""

    code: Text = Field(
        description="The activity's id, as its tracker writes it (answered as id); an id the "
        "council already has, in any case, is 409 already-exists",
        examples=["SEN-12"],
        # the service refuses a longer one with its own words (422 naming the field); the
        # schema says the limit it keeps (domain/activity.py, LONGEST)
        json_schema_extra={"maxLength": LONGEST["id"]},
    )
    title: Text = Field(
        examples=["Inclusion hubs in mainstream schools"],
        json_schema_extra={"maxLength": LONGEST["title"]},
    )
    description: Text = ""
    theme: Text = ""
    owner: Text = Field(default="", json_schema_extra={"maxLength": LONGEST["owner"]})
    status: Annotated[str, Field(max_length=40), AfterValidator(_no_nul)] | None = Field(
        default=None,
        description="planned, in_progress, at_risk, done or stalled (or as people write them: "
        "'On track', 'delayed', 'complete'); none: not known",
        examples=["in_progress"],
    )
    # read by the service, as the web form's are: a date that cannot be read is one problem
    # among the others, all listed at once (not refused alone before the rest are checked)
    start: DateText | None = Field(default=None, examples=["2026-04-01"])
    end: DateText | None = Field(
        default=None, description="On or after the start", examples=["2027-03-31"]
    )


class LinkEventOut(BaseModel):
    activity: str
    measure: str
    linked: bool
    rationale: str
    by: str
    at: datetime | None
    version: int = Field(
        description="1, 2, 3 ... within the pair's link history. To change the pair, send the "
        "version of its latest event as LinkIn's version: a stale one is refused with 409."
    )


class ActivityDetail(ActivityOut):
    history: list[LinkEventOut]


class LinkIn(Input):
    activity: Name
    measure: Name
    linked: StrictBool = Field(default=True, description="true to link, false to end the link")
    rationale: Text = ""
    version: StrictInt | None = Field(
        default=None,
        ge=0,
        le=MAX_ID,
        description="The version of the pair's link history you read (the version of its "
        'latest event; 0: never linked). Or send it as If-Match: "N". Required: a stale one '
        "is refused with 409 stale-version.",
    )


class Pair(Input):
    activity: Name
    measure: Name


class AcceptIn(Input):
    pairs: list[Pair] = Field(max_length=1000)


class ConceptOut(BaseModel):
    concept: str
    label: str
    activity: list[str]
    measure: list[str]


class SuggestionOut(BaseModel):
    activity: str
    measure: str
    score: float
    rank: int
    explanation: str
    concepts: list[ConceptOut] = Field(default_factory=list)


class LeftOut(BaseModel):
    id: str = Field(description="the measure (or, for a measure's group, the activity)")
    action: str = Field(description="link or unlink: what a person last did with the pair")


class SuggestionGroup(BaseModel):
    id: str
    suggestions: list[SuggestionOut]
    left_out: list[LeftOut] = Field(
        default_factory=list,
        description="ranked here, but a person has already linked or unlinked the pair: "
        "not suggested again",
    )


class SuggestionsOut(BaseModel):
    by: str = Field(description="activity or measure")
    method: str
    threshold: float
    groups: list[SuggestionGroup]


class AssessmentOut(BaseModel):
    id: int
    name: str
    council: str
    created_at: datetime
    created_by: str
    rated: int
    current: bool
    locked: bool


class CurrentRating(BaseModel):
    measure: str
    rag: Rag
    version: int


class AssessmentDetail(AssessmentOut):
    ratings: list[CurrentRating]


class AssessmentIn(Input):
    name: Name
    carry_from: StrictInt | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="The id of an assessment whose ratings are carried forward",
    )
    use: StrictBool = Field(default=False, description="Make it the current assessment")


class GroupOut(BaseModel):
    name: str
    measures: int
    rag: dict[str, int]
    coverage: float
    sub_themes: list[GroupOut] = Field(default_factory=list)


class AlignmentChecks(BaseModel):
    green_or_amber_without_activity: list[str]
    red_or_unrated_with_activity: list[str]
    linked_activities_stalled_or_overdue: list[str]


class SummaryOut(BaseModel):
    assessment: str
    measures: int
    agreements: int
    authorities: int
    rag: dict[str, int]
    coverage: float
    opportunities: list[str]
    unrated: list[str]
    themes: list[GroupOut]
    prevalence: dict[str, int]
    needs_review: list[str]
    activities: int = 0
    activities_aligned: int = 0
    measures_with_activity: int = 0
    alignment_checks: AlignmentChecks | None = None


class ReportFormat(BaseModel):
    format: str
    media_type: str


class MovedOut(BaseModel):
    measure: str
    la: str
    text: str
    before: Rag
    after: Rag
    direction: str = Field(
        description="better (towards green), worse, or changed (to or from unrated or "
        "not applicable)"
    )


class AloneOut(BaseModel):
    measure: str
    la: str
    text: str
    rag: Rag


class ComparisonOut(BaseModel):
    """How the ratings moved from assessment ``a`` to assessment ``b``."""

    a: AssessmentOut
    b: AssessmentOut
    moved: list[MovedOut] = Field(description="The measures rated differently, catalogue order")
    unchanged: int
    better: int
    worse: int
    changed: int
    a_rag: dict[str, int]
    b_rag: dict[str, int]
    only_a: list[AloneOut] = Field(
        description="Measures only assessment a counts: b is locked with a catalogue without them"
    )
    only_b: list[AloneOut] = Field(
        description="Measures only assessment b counts: a is locked with a catalogue without them "
        "(imported after its lock)"
    )


class CommonGroupOut(BaseModel):
    id: str
    members: list[str] = Field(description="Measure ids, in catalogue order")
    authorities: list[str]
    agreements: list[str]
    representative: str
    representative_id: str
    prevalence: int = Field(description="How many councils' agreements contain the measure")


class DecisionOut(EquivalenceOut):
    council: str = Field(description="The deciding person's council")


class CommonOut(BaseModel):
    """Measures of different agreements that say the same thing, most widely shared first,
    and every person's decision in force about two measures."""

    total: int = Field(description="How many groups (offset and limit page through them)")
    offset: int
    limit: int
    groups: list[CommonGroupOut]
    decisions: list[DecisionOut]


class AmountsOut(BaseModel):
    expected: str | None = Field(description="Pounds as a decimal string, e.g. '1234.50'")
    expected_to_date: str | None
    actual: str | None


class ImpactOut(BaseModel):
    """The council's savings against the assessment's high needs trajectory. Amounts are GBP
    as decimal strings (never floats); a line's fields are as in the CLI's impact --json."""

    assessment: str
    currency: str
    note: str
    to_date: str | None = Field(
        description="The financial year in progress on the day the figures are for "
        "('to date' means the years up to it)"
    )
    behind_threshold: str
    has_trajectory: bool
    total: AmountsOut
    unallocated: AmountsOut = Field(description="Savings of activities linked to no measure")
    years: list[dict[str, Any]]
    by_measure: list[dict[str, Any]]
    by_theme: list[dict[str, Any]]
    by_activity: list[dict[str, Any]]
    by_activity_year: list[dict[str, Any]]
    flags: list[dict[str, Any]]


class ActivityChangeOut(BaseModel):
    activity: str
    field: str
    before: str
    after: str


class ActivitiesImportedOut(BaseModel):
    """What importing an activities file did (or, with preview, would do)."""

    file: str
    preview: bool
    rows: int
    added: int
    updated: int
    linked: int = Field(description="Links made from the file's measures column")
    new: list[LinkedActivity] = Field(
        description="The activities added (with preview: it would add)"
    )
    changes: list[ActivityChangeOut] = Field(
        description="Each value an update changed (with preview: would change)"
    )
    notes: list[str] = Field(description="What the file hid: a hidden sheet, hidden rows read")


class SavingChangeOut(BaseModel):
    """One figure of an activity's year a savings import changed (or, with preview, would)."""

    activity: str
    year: str
    figure: str = Field(description="expected, actual, cohort, unit or note")
    before: str | None = Field(description="None: not recorded (amounts as decimal strings)")
    after: str | None


class SavingsImportedOut(BaseModel):
    """What importing a savings file did (or, with preview, would do)."""

    file: str
    preview: bool
    rows: int
    recorded: int = Field(description="Rows that change an activity's year: new history entries")
    unchanged: int
    changes: list[SavingChangeOut]
    notes: list[str] = Field(description="How the file was read: its unit, rows left out")


class FigureChangeOut(BaseModel):
    """One figure of one trajectory year changed: a year the file leaves out goes to None."""

    year: str
    figure: str = Field(description="unmitigated, target or actual")
    before: str | None
    after: str | None


class TrajectoryImportedOut(BaseModel):
    """What importing a trajectory file did (or, with preview, would do)."""

    file: str
    preview: bool
    assessment: str
    years: int
    changes: list[FigureChangeOut]
    notes: list[str]
