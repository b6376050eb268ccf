"""The optional sentence embedding in the common-measure grouping (``valvecheck[embeddings]``,
on with VALVECHECK_EMBEDDINGS=on): off by default, strict about its setting, clear when the extra is
missing, and, with the real model from its PyPI packages, finding reworded pairs the words miss."""

from __future__ import annotations

import importlib.util
import json
from importlib import metadata
from pathlib import Path

import pytest
from conftest import need
from web_support import (
    page,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

from valvecheck.analysis import embedding
from valvecheck.analysis.common import THRESHOLD, cut, evaluate_pairs, grouping
from valvecheck.analysis.corpus import measure_pairs
from valvecheck.store import common_index
from valvecheck.store import repository as repo


def _installed() -> bool:
    if importlib.util.find_spec("sentence_transformers") is None:
        return False
    try:
        return all(metadata.files(name) for name in embedding.PARTS)
    except metadata.PackageNotFoundError:
        return False


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the session's tests: the model is unpacked from its parts once."""
    return tmp_path_factory.mktemp("valvecheck-cache")


@pytest.fixture
def embedded(monkeypatch: pytest.MonkeyPatch, model_cache: Path) -> Path:
    need(_installed(), "the embeddings extra is not installed: pip install -e '.[embeddings]'")
    monkeypatch.setenv(embedding.SETTING, "on")
    monkeypatch.setenv("VALVECHECK_CACHE", str(model_cache))
    return model_cache


def test_off_unless_asked_for_and_strict_about_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(embedding.SETTING, raising=False)
    assert not embedding.wanted() and cut() == THRESHOLD
    for value in ("off", "0", "no", ""):
        monkeypatch.setenv(embedding.SETTING, value)
        assert not embedding.wanted()
    for value in ("on", "ON", "1", "all-mpnet-base-v2"):
        monkeypatch.setenv(embedding.SETTING, value)
        assert embedding.wanted() and cut() == embedding.CUT
    monkeypatch.setenv(embedding.SETTING, "mpnet please")
    with pytest.raises(
        embedding.EmbeddingsUnavailable, match="VALVECHECK_EMBEDDINGS='mpnet please'"
    ):
        embedding.wanted()


def test_a_bad_setting_is_one_clear_line_from_the_cli(
    cli, ws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(embedding.SETTING, "maybe")
    code, out, err = cli("common")
    assert code != 0 and out == ""
    assert "VALVECHECK_EMBEDDINGS='maybe' is not a setting" in err
    assert "Traceback" not in err


def test_on_without_the_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def not_installed(name: str) -> None:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setenv("VALVECHECK_CACHE", str(tmp_path))  # nothing unpacked there yet
    monkeypatch.setattr(metadata, "files", not_installed)
    with pytest.raises(
        embedding.EmbeddingsUnavailable, match=r"pip install 'valvecheck\[embeddings\]'"
    ):
        embedding.model_folder()
    assert not list(tmp_path.iterdir()) or not (tmp_path / embedding.MODEL).exists()


def test_the_model_unpacks_from_its_parts_and_reads_meaning(embedded: Path) -> None:
    vectors = embedding.encode(
        [
            "SEN transport: collection points on selected routes",
            "Pick children up at shared meeting spots instead of at each front door",
            "Review the banding framework for top-up funding",
        ]
    )
    assert (embedded / embedding.MODEL / "model.safetensors").exists()
    assert vectors.shape == (3, 768)
    assert abs(float(vectors[0] @ vectors[0]) - 1.0) < 1e-4  # unit rows
    # the reworded pair is closer to each other than either is to a different commitment
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1
    assert vectors[0] @ vectors[1] > vectors[1] @ vectors[2] + 0.1


def test_each_text_is_read_once_and_kept(embedded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["Expand SEMH resource bases in mainstream secondary schools", "A text read once"]
    first = embedding.encode(texts)
    embedding._KEPT.clear()  # a new process: only the cache folder remembers

    def no_model() -> None:
        raise AssertionError("the model was asked again for a text it had read")

    monkeypatch.setattr(embedding, "_encoder", no_model)
    again = embedding.encode(list(reversed(texts)))
    assert (again == first[::-1]).all()


def test_a_first_read_tells_the_command_how_far_it_has_got(embedded: Path, ws) -> None:
    """Reading a large catalogue the first time takes minutes: the unit of work's progress
    callback (the command's bar) hears each batch; a text read before tells nothing."""
    from valvecheck.services.workspace import unit_of_work

    heard: list[tuple[str, int, int]] = []
    texts = [f"Open {n} more places in resourced provision for autistic pupils" for n in range(300)]
    with unit_of_work(ws, progress=lambda *told: heard.append(told)):
        embedding.encode(texts)
    assert heard[0] == (embedding.STAGE, 0, 300)
    assert heard[-1] == (embedding.STAGE, 300, 300)
    assert [done for _, done, _ in heard] == sorted({0, 256, 300})
    heard.clear()
    embedding._KEPT.clear()  # read again from the cache folder, not by the model
    with unit_of_work(ws, progress=lambda *told: heard.append(told)):
        embedding.encode(texts[:5])
    assert heard == []


def test_the_embedding_finds_reworded_pairs_the_words_miss(
    embedded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On bundled pairs written as agreements state measures (looked-at parts), mixed in as
    chosen (rule 9): more of the same pairs found, and near misses kept apart about as well."""
    parts = ("holdout12", "holdout13", "holdout14", "holdout15")
    pairs = [(p.text_a, p.text_b, p.same) for part in parts for p in measure_pairs(part)]
    with_embedding = evaluate_pairs(pairs)
    monkeypatch.setenv(embedding.SETTING, "off")
    words_only = evaluate_pairs(pairs)
    assert with_embedding.found >= words_only.found + 10
    assert with_embedding.precision is not None and words_only.precision is not None
    assert with_embedding.precision >= words_only.precision - 0.05


def test_a_workspace_regroups_when_the_embedding_is_turned_on(
    cli, ws, embedded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ws.session() as session:
        catalogue = repo.load_catalogue(session, None)
    on = common_index.fingerprint(catalogue)
    expected = grouping(catalogue)  # with the embedding
    code, out, _ = cli("common", "--json")
    assert code == 0
    shown = {m: g["prevalence"] for g in json.loads(out) for m in g["members"]}
    assert shown == {m: n for m, (_, n) in expected.items()}
    assert "(read with the sentence embedding too)" in cli("common")[1]
    monkeypatch.setenv(embedding.SETTING, "off")
    assert common_index.fingerprint(catalogue) != on  # the stored index is another grouping's
    assert "sentence embedding" not in cli("common")[1]


def test_the_common_measures_page_says_when_the_embedding_reads_too(
    site,  # noqa: F811 (the fixture)
    embedded: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = site.client("vi")
    intro = page(client.get("/common")).find(".//main//p")
    assert "read with a sentence embedding too" in text(intro)
    monkeypatch.setenv(embedding.SETTING, "off")
    intro = page(client.get("/common")).find(".//main//p")
    assert "sentence embedding" not in text(intro)
