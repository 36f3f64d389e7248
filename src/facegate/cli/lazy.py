"""Modules loaded on first use, so `facegate --help` and light commands start fast (issue 14).

Every command module is imported to build the command tree, but most commands need only a
few of the heavy layers (database, crypto, web, face engine). ``lazy(name)`` returns the
module at once and runs its code on the first attribute access (``importlib.util.LazyLoader``).
Command modules import these under ``TYPE_CHECKING`` too, so type checking sees real modules.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy(name: str) -> ModuleType:
    """``name`` as a module whose code runs when one of its attributes is first read."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)  # imports the parent packages (light __init__ files)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)  # as a normal import would
    return module
