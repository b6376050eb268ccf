"""Rule 10 (docs/benchmarks.md, "Fifteenth round"): the contrast rule extended to a phrase swapped
at the very start or end of two texts that otherwise match, tried on the bundled pairs parts.

.venv/bin/python bench/pairs_contrast.py                        # the grid, on every looked-at part
VALVECHECK_EMBEDDINGS=on .venv/bin/python bench/pairs_contrast.py --parts holdout12 ... holdout19
.venv/bin/python bench/pairs_contrast.py --score holdout20 holdout21 --variant end-3   # once

Each part is its own catalogue, grouped as ``common`` groups (``group_measures``), with the
variant's contrast in place of the shipped one. Figures are pooled over the parts
(``pairs_minilm.figures``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from difflib import SequenceMatcher

from pairs_minilm import figures, show

from valvecheck.analysis import common
from valvecheck.analysis.corpus import PAIRS_SET_ASIDE, measure_pairs

SHIPPED = common.contrast
VARIANTS = ("none", *(f"{e}-{n}" for e in ("end", "start", "both") for n in (3, 4)))


def swapped_at_an_end(a: list[str], b: list[str], ends: str, min_shared: int) -> bool:
    """Do two texts that mostly match in order replace their first or last phrase with an
    unrelated one (``ends``: end, start or both), sharing at least ``min_shared`` words?"""
    if not (set(a) - set(b) and set(b) - set(a)):
        return False
    same = SequenceMatcher(None, a, b, autojunk=False)
    if same.real_quick_ratio() < common.CONTRAST_SAME or same.ratio() < common.CONTRAST_SAME:
        return False
    if sum(block.size for block in same.get_matching_blocks()) < min_shared:
        return False
    codes = same.get_opcodes()
    check = ([codes[0]] if ends in ("start", "both") else []) + (
        [codes[-1]] if ends in ("end", "both") else []
    )
    return any(
        tag == "replace" and not common._alike(a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in check
    )


def use(variant: str) -> None:
    common._SIMILARITY.clear()
    common._PREVALENCE.clear()
    if variant == "none":
        common.contrast = SHIPPED
        return
    ends, n = variant.split("-")

    def contrast(a: list[str], b: list[str], one_sentence: bool = False) -> bool:
        # at 542e27e (rule 10) the shipped contrast had no ends; it has them since (883fab5)
        return SHIPPED(a, b, one_sentence) or swapped_at_an_end(a, b, ends, int(n))

    common.contrast = contrast


def grouped(part: str) -> tuple[list[tuple[str, str, bool]], list[str], dict[str, int]]:
    pairs = [(p.text_a, p.text_b, p.same) for p in measure_pairs(part)]
    texts = list(dict.fromkeys(t for a, b, _ in pairs for t in (a, b)))
    groups = common.group_measures(common.pairs_catalogue(texts))
    of = {texts[int(m.split("-")[1]) - 1]: k for k, g in enumerate(groups) for m in g.members}
    return pairs, texts, of


def run(
    doc: str,
    variants: tuple[str, ...],
    use: Callable[[str], None],
    default: str,
    later: tuple[str, ...],
) -> None:
    """The grid on the looked-at parts (leaving out ``later``, the parts written after the rule),
    or ``--score`` parts once with the shipped rule and ``--variant``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--parts", nargs="*", help="default: every looked-at part")
    parser.add_argument("--score", nargs="*", help="score these parts once: shipped and --variant")
    parser.add_argument("--variant", default=default, choices=variants)
    args = parser.parse_args()
    if args.score:
        for variant in ("none", args.variant):
            use(variant)
            done = [grouped(p) for p in args.score]
            for name, one in zip(args.score, done, strict=True):
                show(f"{name}, {variant}", figures([one]))
            show(f"{'+'.join(args.score)}, {variant}", figures(done))
        return
    parts = args.parts or sorted({p.part for p in measure_pairs()} - set(PAIRS_SET_ASIDE))
    parts = [p for p in parts if p not in later]
    print("parts:", " ".join(parts))
    for variant in variants:
        use(variant)
        show(variant, figures([grouped(p) for p in parts]))


def main() -> None:
    later = ("holdout20", "holdout21", "holdout22", "holdout23")  # written after rule 10
    run(__doc__ or "", VARIANTS, use, "end-3", later)


if __name__ == "__main__":
    main()
