"""The bundled model kept on disk between processes, so a command learns it once, not every run.

Learning the model from the bundled corpus takes seconds (docs/benchmarks.md, twenty-third
round); every command that suggested paid that on every run. The learned model is written to
the cache folder (``VALVECHECK_CACHE``, else ``$XDG_CACHE_HOME/valvecheck``, else
``~/.cache/valvecheck``) under a name that is a digest of everything it is learned from: the
corpus and catalogue files, the source of the modules that learn it, and the versions of Python,
NumPy, SciPy and scikit-learn. So an upgrade, a corpus change or a code change learns it anew,
and an old file is never read for a new model. A file that cannot be read (cut short, another
format) is learned again and replaced; a folder that cannot be written costs only the time.

The file is a pickle, and reading a pickle runs what it says: so it is read only from a folder
and a file that belong to the user running Valvecheck and that nobody else may write (a shared
or world-writable folder such as one under /tmp is used to learn, never to read). The folder is
made readable by its owner alone.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import platform
import tempfile
from collections.abc import Callable
from importlib import metadata, resources
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
PREFIX = "model-"
KEEP = 4  # model files kept in the folder (the newest): a part's model for tests, an older one
LIBRARIES = ("numpy", "scipy", "scikit-learn")


def cache_folder() -> Path:
    """Where the learned model, and the embedding's unpacked model and vectors, are kept."""
    if os.environ.get("VALVECHECK_CACHE"):
        return Path(os.environ["VALVECHECK_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "valvecheck"


def digest(part: str | None) -> str:
    """What the model of ``part`` (None: every row) is learned from, as one digest."""
    h = hashlib.sha256(f"{part}\n{platform.python_version()}\n".encode())
    for name in LIBRARIES:
        h.update(f"{name} {metadata.version(name)}\n".encode())
    package = resources.files("valvecheck")
    folders = ("analysis", "analysis/data", "catalogue", "catalogue/data", "domain")
    for folder in folders:
        for entry in sorted(package.joinpath(folder).iterdir(), key=lambda e: e.name):
            if entry.is_file() and entry.name.endswith((".py", ".csv")):
                h.update(f"{folder}/{entry.name}\n".encode())
                h.update(entry.read_bytes())
    return h.hexdigest()


def learned(part: str | None, kind: type[T], learn: Callable[[], T]) -> T:
    """The model of ``part`` from the cache folder, or ``learn()``-ed and written there."""
    folder = cache_folder()
    path = folder / f"{PREFIX}{digest(part)[:24]}.pickle"
    try:
        if not (_ours_alone(folder) and _ours_alone(path)):
            log.info("%s is not the user's own: the model is learned, not read", path)
            raise FileNotFoundError(path)
        with path.open("rb") as f:
            found = pickle.load(f)
        if isinstance(found, kind):
            return found
        log.info("%s does not hold a model: learning it again", path)
    except FileNotFoundError:
        pass
    except Exception as e:  # cut short, another Python's, unreadable: learn it again
        log.info("%s could not be read (%s): learning it again", path, e)
    model = learn()
    _write(folder, path, model)
    return model


def _ours_alone(path: Path) -> bool:
    """Whether ``path`` belongs to the user running this and nobody else may write to it
    (where the system has no owners, as on Windows, whether it exists)."""
    st = path.stat()  # FileNotFoundError when it is not there
    if not hasattr(os, "geteuid"):
        return True
    return st.st_uid == os.geteuid() and not st.st_mode & 0o022


def _write(folder: Path, path: Path, model: object) -> None:
    """Write the model whole or not at all (a file beside it, then renamed over), and keep
    only the newest few model files."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, scratch = tempfile.mkstemp(prefix=".model-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(scratch, path)
        except BaseException:
            Path(scratch).unlink(missing_ok=True)
            raise
        older = sorted(folder.glob(f"{PREFIX}*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in older[:-KEEP]:
            stale.unlink(missing_ok=True)
    except OSError as e:  # a read-only home, a full disk: the model is learned next time too
        # said, naming the setting: otherwise each command is half a minute slower, unexplained
        log.warning(
            "the suggestions' learned model could not be kept in %s (%s), so each process "
            "learns it again (15-20 s): set VALVECHECK_CACHE to a folder this account can "
            "write",
            folder,
            e.strerror or e,
        )
