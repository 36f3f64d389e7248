"""What a test needs from outside Python: a plain skip on a developer's machine, a failure in CI.

`.ci/run` installs or starts every one of these and sets each FACEGATE_REQUIRE_* below to 1, so a
test that CI promises to run can never pass there by skipping (a silent skip would hide, say, the
PostgreSQL half of the store tests).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import NoReturn

import pytest

BROWSER = "FACEGATE_REQUIRE_BROWSER"  # Playwright with Debian's Chromium, and the CJK fonts
POSTGRES = "FACEGATE_REQUIRE_POSTGRES"  # the server at FACEGATE_TEST_PG_URL
REDIS = "FACEGATE_REQUIRE_REDIS"  # the server at FACEGATE_TEST_REDIS_URL
TOOLS = "FACEGATE_REQUIRE_TOOLS"  # commands: poppler-utils, hadolint, systemd-analyze


def is_required(flag: str) -> bool:
    return os.environ.get(flag) == "1"


def unavailable(flag: str, message: str) -> NoReturn:
    if is_required(flag):
        pytest.fail(f"{message} ({flag}=1, so this is a failure)", pytrace=False)
    pytest.skip(message)


def command(name: str, package: str) -> str:
    """The path of a command from PATH or this venv, or a skip (a failure under FACEGATE_REQUIRE_TOOLS)."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        unavailable(TOOLS, f"{name} is not installed (it comes with {package}; .ci/run installs it)")
    return found
