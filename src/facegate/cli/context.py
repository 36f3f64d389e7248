"""Build the local AppContext once per CLI invocation, from FACEGATE_* settings."""

from __future__ import annotations

from functools import lru_cache

from facegate.bootstrap import AppContext, build_context
from facegate.settings import Settings


@lru_cache(maxsize=1)
def local_context() -> AppContext:
    return build_context(Settings())
