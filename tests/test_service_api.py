"""The public API of the service layer: complete, typed, and free of front-end words."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import valvecheck.services as services

SRC = Path(__file__).resolve().parents[1] / "src" / "valvecheck"
# Functions that take a context but are steps of the use-cases, not use-cases themselves.
STEPS = {
    "authorise",
    "council_id",
    "alignment",
    "save_rows",
    "fingerprint",
    "kept",
    "state",
    "council_work",
    "save_with_history",
    "not_started_yet",
    "assessment_or_none",
    "council_activities",
    "open_for_rating",
    "history_at",
    "append_rating",
    "name_taken",
    "links_in_force",
    "programme_of",
    "check_filters_of",
    "renamed_to",
    "renamed_as",
}


def use_case_functions() -> dict[str, str]:
    found = {}
    for info in pkgutil.iter_modules(services.__path__):
        module = importlib.import_module(f"valvecheck.services.{info.name}")
        for name, f in vars(module).items():
            if not inspect.isfunction(f) or f.__module__ != module.__name__:
                continue
            params = list(inspect.signature(f).parameters)
            if not name.startswith("_") and params[:1] == ["ctx"] and name not in STEPS:
                found[name] = info.name
    return found


def test_every_use_case_is_in_all():
    missing = sorted(set(use_case_functions()) - set(services.__all__))
    assert missing == []


@pytest.mark.parametrize("name", services.__all__)
def test_every_name_in_all_resolves_and_is_annotated(name):
    # services.NAME; where a use-case shares its module's name (summary, compare ...), the
    # package attribute is the module once imported, so look in the module it is listed under.
    module = importlib.import_module(f"valvecheck.services.{services.USE_CASES[name]}")
    f = getattr(module, name)
    assert inspect.isfunction(f), name
    hints = inspect.signature(f)
    assert hints.return_annotation is not inspect.Signature.empty, name
    assert "dict[str, object]" not in str(hints.return_annotation), name


def test_services_and_domain_type_check_strictly():
    """mypy with disallow_any_generics and warn_return_any on the service layer and domain."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--disallow-any-generics",
            "--warn-return-any",
            str(SRC / "services"),
            str(SRC / "domain"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# A CLI flag ("--rationale") or command ("valvecheck measures") inside a string literal.
FRONT_END = re.compile(r"""["'][^"'\n]*(?:(?<![\w-])--[a-z][a-z-]+|valvecheck [a-z])""")
BELOW_THE_SHELLS = ("services", "importers", "analysis", "store", "domain", "catalogue")


def literals_with_front_end_words() -> list[str]:
    found = []
    for folder in BELOW_THE_SHELLS:
        for path in sorted((SRC / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#", 1)[0]
                if FRONT_END.search(code) and '"""' not in code:
                    found.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    return found


def test_no_cli_words_below_the_cli():
    assert literals_with_front_end_words() == []


def test_the_check_would_see_a_flag_and_a_command():
    assert FRONT_END.search('raise InputError("give --rationale")')
    assert FRONT_END.search("f\"see 'valvecheck measures' for ids\"")
    assert not FRONT_END.search('x = "a well-scoped measure"')
