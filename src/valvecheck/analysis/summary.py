"""The summary of an assessment: counts by theme and sub-theme x RAG, coverage, opportunities."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from valvecheck.domain.model import Catalogue, Measure
from valvecheck.domain.rag import SCALE, Rag

NOT_PLACED = "Not placed in the programme"


def rag_counts(rags: list[Rag]) -> dict[str, int]:
    counted = Counter(rags)
    return {r.value: counted.get(r, 0) for r in SCALE}


def coverage(counts: dict[str, int]) -> float:
    """Green and amber over all measures less those not applicable (0 when nothing counts)."""
    total = sum(counts.values()) - counts[Rag.NOT_APPLICABLE.value]
    covered = counts[Rag.GREEN.value] + counts[Rag.AMBER.value]
    return covered / total if total else 0.0


def coverage_base(counts: Mapping[str, int]) -> str:
    """What coverage is a share of, in words every output uses: '27 measures', or '37 applicable
    measures' once some are rated not applicable (they are left out of the figure)."""
    applicable = sum(counts.values()) - counts.get(Rag.NOT_APPLICABLE.value, 0)
    noun = "measure" if applicable == 1 else "measures"
    if counts.get(Rag.NOT_APPLICABLE.value, 0):
        return f"{applicable} applicable {noun}"
    return f"{applicable} {noun}"


@dataclass
class Group:
    name: str
    measure_ids: list[str] = field(default_factory=list)
    rag: dict[str, int] = field(default_factory=dict)
    sub_themes: list[Group] = field(default_factory=list)

    def as_dict(self, with_sub_themes: bool = True) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.name,
            "measures": len(self.measure_ids),
            "rag": self.rag,
            "coverage": round(coverage(self.rag), 4),
        }
        if with_sub_themes:
            out["sub_themes"] = [s.as_dict(with_sub_themes=False) for s in self.sub_themes]
        return out


@dataclass
class Summary:
    measures: int
    agreements: int
    authorities: int
    rag: dict[str, int]
    coverage: float
    opportunities: list[str]
    unrated: list[str]
    themes: list[Group]
    # activities linked to measures, from services/alignment.py; keys merged into as_dict
    alignment: dict[str, object] = field(default_factory=dict)
    prevalence: dict[str, int] = field(default_factory=dict)  # opportunity -> agreements sharing it
    assessment: str = ""  # the assessment summarised
    # rated against an earlier text of the measure: the agreement was revised since
    needs_review: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "assessment": self.assessment,
            "measures": self.measures,
            "agreements": self.agreements,
            "authorities": self.authorities,
            "rag": self.rag,
            "coverage": round(self.coverage, 4),
            "opportunities": self.opportunities,
            "unrated": self.unrated,
            "themes": [t.as_dict() for t in self.themes],
            **self.alignment,
            "prevalence": self.prevalence,
            "needs_review": self.needs_review,
        }


def summarise(
    catalogue: Catalogue, ratings: dict[str, Rag], prevalence: dict[str, int] | None = None
) -> Summary:
    """Count each measure once under each theme it is placed in, and once under each sub-theme.

    A measure with two sub-themes counts under each; one with no sub-theme only under its theme.
    Opportunities (red) are ranked by prevalence, how many agreements share the measure (computed
    from the catalogue when not given), then in catalogue order.
    """
    measures = catalogue.measures
    rag_of = {m.id: ratings.get(m.id, Rag.UNRATED) for m in measures}
    order = list(catalogue.programme.themes)
    members: dict[str, list[Measure]] = {t: [] for t in order}
    sub_members: dict[tuple[str, str], list[Measure]] = {}
    seen: set[tuple[str, str, str]] = set()  # (theme, sub-theme, measure id): a set, not a scan
    for m in measures:
        for theme in m.themes or (NOT_PLACED,):
            members.setdefault(theme, []).append(m)
        for p in m.placements:
            if p.sub_theme and (p.theme, p.sub_theme, m.id) not in seen:
                seen.add((p.theme, p.sub_theme, m.id))
                sub_members.setdefault((p.theme, p.sub_theme), []).append(m)

    def group(name: str, ms: list[Measure]) -> Group:
        return Group(name, [m.id for m in ms], rag_counts([rag_of[m.id] for m in ms]))

    themes: list[Group] = []
    for theme, ms in members.items():
        g = group(theme, ms)
        subs = list(catalogue.programme.themes.get(theme, []))
        subs += [s for (t, s) in sub_members if t == theme and s not in subs]
        g.sub_themes = [group(s, sub_members.get((theme, s), [])) for s in subs]
        themes.append(g)

    counts = rag_counts(list(rag_of.values()))
    used_agreements = {m.agreement for m in measures}
    agreements = [a for a in catalogue.agreements if a.slug in used_agreements]
    if prevalence is None:
        from valvecheck.analysis import common  # SciPy and scikit-learn: only when asked

        prevalence = common.prevalence(catalogue)
    reds = [m.id for m in measures if rag_of[m.id] is Rag.RED]
    reds.sort(key=lambda mid: -prevalence.get(mid, 1))  # stable: ties keep catalogue order
    return Summary(
        measures=len(measures),
        agreements=len(agreements),
        authorities=len({s for a in agreements for s in a.authorities}),
        rag=counts,
        coverage=coverage(counts),
        opportunities=reds,
        unrated=[m.id for m in measures if rag_of[m.id] is Rag.UNRATED],
        themes=themes,
        prevalence={mid: prevalence.get(mid, 1) for mid in reds},
    )
