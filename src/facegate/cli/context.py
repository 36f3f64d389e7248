"""Build the local AppContext once per CLI invocation, from FACEGATE_* settings.

Imported lazily: the composition root pulls in the database, crypto and web layers, which
commands like ``--help`` or ``check`` never need (issue 14: start in under a second).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from facegate.bootstrap import AppContext


@lru_cache(maxsize=1)
def local_context() -> AppContext:
    from facegate.bootstrap import build_context
    from facegate.settings import Settings

    return build_context(Settings())
