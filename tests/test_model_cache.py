"""The bundled model is learned once and kept in the cache folder: the next process reads it
(analysis/model_cache.py), never a file learned from other data or code, and a file it cannot
read is learned again, whole."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from valvecheck.analysis import model_cache
from valvecheck.analysis.matcher import Matcher, Model, bundled_model
from valvecheck.analysis.model_cache import PREFIX, digest, learned


class Learning:
    """A stand-in learner that counts how often it is asked (the real one takes seconds)."""

    def __init__(self) -> None:
        self.times = 0

    def __call__(self) -> dict[str, int]:
        self.times += 1
        return {"learned": self.times}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VALVECHECK_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{PREFIX}*.pickle"))


def test_the_next_process_reads_what_the_first_learned(folder: Path) -> None:
    learn = Learning()
    assert learned("train", dict, learn) == {"learned": 1}
    assert len(files(folder)) == 1 and learn.times == 1
    assert learned("train", dict, learn) == {"learned": 1}  # read, not learned again
    assert learn.times == 1
    assert learned("holdout", dict, learn) == {"learned": 2}  # another part: its own file
    assert len(files(folder)) == 2
    assert not list(folder.glob(".model-*"))  # no scratch file left behind


def test_a_file_it_cannot_read_is_learned_again_and_replaced(folder: Path) -> None:
    learn = Learning()
    learned(None, dict, learn)
    (path,) = files(folder)
    path.write_bytes(path.read_bytes()[:10])  # cut short
    assert learned(None, dict, learn) == {"learned": 2}
    path.write_bytes(pickle.dumps(["not", "a", "model"]))  # another kind of object
    assert learned(None, dict, learn) == {"learned": 3}
    assert pickle.loads(path.read_bytes()) == {"learned": 3}
    assert learned(None, dict, learn) == {"learned": 3}


def test_a_folder_it_cannot_write_costs_only_the_time(tmp_path: Path, monkeypatch) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("VALVECHECK_CACHE", str(blocked / "cache"))
    learn = Learning()
    assert learned(None, dict, learn) == {"learned": 1}
    assert learned(None, dict, learn) == {"learned": 2}  # nothing kept, learned each time


def test_only_the_newest_few_model_files_are_kept(folder: Path) -> None:
    folder.mkdir()
    for n in range(6):
        old = folder / f"{PREFIX}old{n}.pickle"
        old.write_bytes(b"")
        os.utime(old, (1_000_000 + n, 1_000_000 + n))
    learned(None, dict, Learning())
    kept = files(folder)
    assert len(kept) == model_cache.KEEP
    assert not (folder / f"{PREFIX}old0.pickle").exists()  # the oldest went first
    assert (folder / f"{PREFIX}old5.pickle").exists()


def test_the_file_is_named_by_what_the_model_is_learned_from(monkeypatch) -> None:
    assert digest(None) == digest(None)
    assert digest(None) != digest("train")
    before = digest(None)
    real = model_cache.metadata.version
    monkeypatch.setattr(
        model_cache.metadata,
        "version",
        lambda name: "0.0" if name == "scikit-learn" else real(name),
    )
    assert digest(None) != before  # another scikit-learn: learned anew


def test_the_bundled_model_read_back_scores_as_the_one_learned(folder: Path) -> None:
    model = bundled_model("holdout")  # a small part: learned in this process
    model_cache._write(folder, folder / "m.pickle", model)
    read = pickle.loads((folder / "m.pickle").read_bytes())
    assert isinstance(read, Model)
    texts = ["Termly SENCO network meetings to help schools keep pupils in mainstream"]
    titles = ["SENCO network"]
    first = Matcher(model.seed, model.names, model=model).scores(texts, titles)
    again = Matcher(read.seed, read.names, model=read).scores(texts, titles)
    assert np.allclose(first, again) and first.max() > 0


def test_a_file_or_folder_others_may_write_is_never_read(folder: Path) -> None:
    """Reading a pickle runs what it says: one that someone else could have put there is learned
    again instead (and replaced by the user's own)."""
    learn = Learning()
    learned(None, dict, learn)
    (path,) = files(folder)
    path.chmod(0o666)
    assert learned(None, dict, learn) == {"learned": 2}
    assert path.stat().st_mode & 0o777 == 0o600  # replaced by a file of the user's own
    assert learned(None, dict, learn) == {"learned": 2}
    folder.chmod(0o777)
    assert learned(None, dict, learn) == {"learned": 3}
    folder.chmod(0o700)
    assert learned(None, dict, learn) == {"learned": 3}
