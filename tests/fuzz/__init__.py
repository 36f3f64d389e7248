"""Fuzz tests: bounded in `make test`, longer in `make fuzz` (FACEGATE_FUZZ_RUNS)."""
