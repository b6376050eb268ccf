"""Modules loaded on first use, so `valvecheck --help` and a small command pay only for what runs.

The command modules name the services they call at the top, as usual, but through ``lazy``: the
module object exists at once and its code (with SQLAlchemy, openpyxl, scikit-learn ...) runs
when a command first reads one of its attributes. This is the standard library's own recipe
(``importlib.util.LazyLoader``, "Implementing lazy imports" in the importlib documentation).
A module another module has already imported is returned as it is.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy(name: str) -> ModuleType:
    """The module ``name``, its code run on first attribute access."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"no module named '{name}'", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    _pending.append(module)
    return module


# The lazy modules made so far; load_all() runs the code of those still waiting.
_pending: list[ModuleType] = []


def load_all() -> None:
    """Run the code of every lazy module now, before a server starts its threads.

    On Python 3.11 a lazy module is not thread-safe: threads touching it for the first time at
    once can see it half-loaded (AttributeError). A web app that imports a service the CLI made
    lazy gets that same module object from ``sys.modules``, so ``serve`` loads them all first.
    Loading one may make no new lazy module, but the loop does not assume so.
    """
    while _pending:
        module = _pending.pop()
        module.__spec__  # noqa: B018 (reading any attribute runs the module's code)
