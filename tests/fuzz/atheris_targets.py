"""libFuzzer entry points run through atheris, one process per target.

    python -m tests.fuzz.atheris_targets images|manifest [libFuzzer flags] CORPUS_DIR

The properties live in ``properties.py``; this module only instruments the
code under test and hands the property to libFuzzer. Warnings behave as in
production (ignored) unless FACEGATE_FUZZ_WARNINGS=error.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable

import atheris

Target = Callable[[bytes], None]


def images() -> Target:
    with atheris.instrument_imports(include=["facegate.adapters.face", "PIL"]):
        from PIL import Image

        from tests.fuzz.properties import check_image

        Image.init()  # import every format plugin now, so they are instrumented too
    return check_image


def manifest() -> Target:
    with atheris.instrument_imports(include=["facegate.governance", "yaml"]):
        from tests.fuzz.properties import check_manifest
    return check_manifest


TARGETS: dict[str, Callable[[], Target]] = {"images": images, "manifest": manifest}


def tolerating_known(target: Target) -> Target:
    """Let already-reported failures (FACEGATE_FUZZ_KNOWN: "Type<TAB>message part" lines) pass, so new ones show."""
    known = [tuple(line.split("\t", 1)) for line in os.environ.get("FACEGATE_FUZZ_KNOWN", "").splitlines() if "\t" in line]
    if not known:
        return target

    def one(data: bytes) -> None:
        try:
            target(data)
        except Exception as exc:
            if not any(type(exc).__name__ == t and m in str(exc) for t, m in known):
                raise

    return one


def main() -> None:
    name = sys.argv.pop(1)
    warnings.simplefilter(os.environ.get("FACEGATE_FUZZ_WARNINGS", "ignore"))  # type: ignore[arg-type]
    target = tolerating_known(TARGETS[name]())
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
