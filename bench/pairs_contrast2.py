"""Rule 12 (docs/benchmarks.md, "Sixteenth round"): three more ways for the contrast rule to see
two templates turned into different commitments, tried on the bundled pairs parts.

.venv/bin/python bench/pairs_contrast2.py                        # the grid, on every looked-at part
.venv/bin/python bench/pairs_contrast2.py --score holdout22 holdout23 --variant a+b   # once
VALVECHECK_EMBEDDINGS=on .venv/bin/python bench/pairs_contrast2.py --score ... --variant ...

The variants add to the shipped contrast (``analysis.common.contrast``, ends for one-sentence texts):
(a) "moved": a phrase dropped and another added on either side of at most two shared words (the
    same swap, written in another order: "for pupils with a visual impairment" / "for autistic
    pupils") counts as a swapped phrase; (b) "plain": the contrast reads the words as written,
    without the acronyms' spelled-out forms, which give each side words the other lacks; (c) "low":
    a swapped end is asked at a match ratio of 0.5 (0.6 inside).
"""

from __future__ import annotations

import itertools
from difflib import SequenceMatcher

import numpy as np
from pairs_contrast import run

from valvecheck.analysis import common
from valvecheck.analysis.language import normalise

SHIPPED_CONTRAST = common.contrast
SHIPPED_WITHOUT = common._without_contrasts
VARIANTS = ("none", *("+".join(c) for n in (1, 2, 3) for c in itertools.combinations("abc", n)))


def plain(text: str) -> list[str]:
    """``content_terms``' words without the acronyms spelled out (the rest as ``_terms``)."""
    for start, end in reversed(common.phrase_spans(text)):
        text = text[:start] + " " + text[end:]
    text = text.lower().replace("’", "'")
    text = common._EHCP.sub(" ehcp ", text)
    text = normalise(text)
    text = common._IN_PLACE.sub(" ", text)
    text = common._YEAR.sub(" ", text)
    text = common._POST_16.sub(r"\1\2", text)
    words = [common.stem(w) for w in common._WORD.findall(text) if not w.isdigit()]
    stop = common._stop_words()
    return [w for w in words if w not in stop and len(w) > 1]


def swaps(
    codes: list, a: list[str], b: list[str], moved: bool
) -> list[tuple[int, int, list, list]]:
    """(first op, last op, a's span, b's span) of every swapped phrase."""
    out = [
        (k, k, a[i1:i2], b[j1:j2]) for k, (t, i1, i2, j1, j2) in enumerate(codes) if t == "replace"
    ]
    if moved:
        for k in range(len(codes) - 2):
            (t1, *one), (t2, e1, e2, _, _), (t3, *three) = codes[k], codes[k + 1], codes[k + 2]
            if {t1, t3} == {"delete", "insert"} and t2 == "equal" and e2 - e1 <= 2:
                gone, added = (one, three) if t1 == "delete" else (three, one)
                out.append((k, k + 2, a[gone[0] : gone[1]], b[added[2] : added[3]]))
    return out


def contrast_with(moved: bool, low: bool):  # type: ignore[no-untyped-def]
    def contrast(a: list[str], b: list[str], ends: bool = False) -> bool:
        if SHIPPED_CONTRAST(a, b, ends):
            return True
        if not (set(a) - set(b) and set(b) - set(a)):
            return False
        same = SequenceMatcher(None, a, b, autojunk=False)
        ratio = same.ratio()
        if ratio < (0.5 if low and ends else common.CONTRAST_SAME):
            return False
        shared = sum(block.size for block in same.get_matching_blocks())
        codes = same.get_opcodes()
        for first, last, x, y in swaps(codes, a, b, moved):
            if common._alike(x, y):
                continue
            if first > 0 and last < len(codes) - 1:
                if ratio >= common.CONTRAST_SAME:
                    return True
            elif ends and shared >= common.CONTRAST_SHARED:
                return True
        return False

    return contrast


def without_plain(sims, nodes):  # type: ignore[no-untyped-def]
    coo = sims.tocoo()
    words = [plain(t) for t in nodes.texts]
    single = [common.one_sentence(t) for t in nodes.texts]
    upper = np.flatnonzero(coo.row < coo.col)
    apart = [
        (i, j)
        for i, j in zip(coo.row[upper], coo.col[upper], strict=True)
        if common.contrast(words[i], words[j], single[i] and single[j])
    ]
    return common._without(sims, apart)


def use(variant: str) -> None:
    common._SIMILARITY.clear()
    common._PREVALENCE.clear()
    chosen = set(variant.split("+")) if variant != "none" else set()
    common.contrast = (
        contrast_with("a" in chosen, "c" in chosen) if chosen - {"b"} else SHIPPED_CONTRAST
    )
    common._without_contrasts = without_plain if "b" in chosen else SHIPPED_WITHOUT


def main() -> None:
    run(__doc__ or "", VARIANTS, use, "a", ("holdout22", "holdout23"))  # written after rule 12


if __name__ == "__main__":
    main()
