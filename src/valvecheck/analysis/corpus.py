"""The bundled labelled corpus the matcher learns from, and the measure pairs that test common measures.

``data/labelled.csv``: several hundred council activities, written in our own words in the ways the
public documents listed in ``data/SOURCES.md`` write them, each labelled with the seed measures it
delivers (empty: none). Every row names its source document group and its part: ``train`` rows are
the only ones looked at while designing and tuning; ``holdout`` rows (whole source groups, so one
council's wording is never on both sides) are for the final figures only; ``holdout2`` rows
were written after ``holdout`` had been looked at while tuning; ``holdout3`` rows were written after
``holdout2`` had been scored several times, and were scored once; ``holdout4`` rows were written after
``holdout3`` was scored, and were scored once, by a model learned from the parts before them;
``holdout5`` rows were written after ``holdout4`` was scored, and were scored once in the same way,
by a model learned from the five parts before them; ``holdout6`` rows (four whole council files, each
with its own workstream names) were written after ``holdout5`` was scored, to be scored once by a model
learned from the six parts before them; ``holdout7`` rows (four more whole council files) were written
after ``holdout6`` was scored, to be scored once by a model learned from the seven parts before them.
``fresh`` rows are the blind council files of ``bench/fresh`` ... ``bench/fresh31`` (written
by helpers who saw no matcher, corpus or figure, each scored once before it joined; source
``fresh-<council>``), added as they were labelled so the matcher learns from writers other than
the corpus's own.

``data/measure-pairs.csv``: pairs of measure texts, reworded the ways further agreements write them;
``same`` is 1 for two wordings of one commitment and 0 for two different commitments.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from valvecheck.analysis.evaluate import Labelled

PARTS = (
    "train",
    "holdout",
    "holdout2",
    "holdout3",
    "holdout4",
    "holdout5",
    "holdout6",
    "holdout7",
    "fresh",
)
# Pairs parts written and set aside unscored, for the next change to the grouping to be measured
# on once (data/SOURCES.md): nothing scores them by default.
PAIRS_SET_ASIDE: tuple[str, ...] = ("holdout26", "holdout27")


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("valvecheck.analysis").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def _labelled() -> tuple[Labelled, ...]:
    return tuple(
        Labelled(
            r["activity_id"],
            r["title"],
            r["description"],
            tuple(m for m in r["expected_measures"].split(";") if m),
            r["source"],
            r["part"],
        )
        for r in _read("labelled.csv")
    )


def labelled(part: str | None = None) -> list[Labelled]:
    """The bundled labelled activities: every row, or one part (one of ``PARTS``)."""
    if part is not None and part not in PARTS:
        raise ValueError(f"unknown part {part!r}")
    return [e for e in _labelled() if part is None or e.part == part]


def folds(items: Sequence[Labelled], k: int = 5) -> list[tuple[list[int], list[int]]]:
    """k folds by source group, so one source's wording is never on both sides of a fold.

    Groups are dealt largest first to the fold with fewest rows so far: deterministic, and
    the folds come out about the same size.
    """
    groups: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        groups.setdefault(item.source or item.id, []).append(i)
    buckets: list[list[int]] = [[] for _ in range(k)]
    for _, members in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
        min(buckets, key=len).extend(members)
    everything = set(range(len(items)))
    return [(sorted(everything - set(b)), sorted(b)) for b in buckets if b]


@dataclass(frozen=True)
class Pair:
    """Two measure texts and whether they say the same thing."""

    text_a: str
    text_b: str
    same: bool
    part: str = ""


def measure_pairs(part: str | None = None) -> list[Pair]:
    """The bundled measure pairs: every row, or one part."""
    return [
        Pair(r["text_a"], r["text_b"], r["same"] == "1", r["part"])
        for r in _read("measure-pairs.csv")
        if part is None or r["part"] == part
    ]
