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
    return module
