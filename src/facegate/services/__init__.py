"""Use cases: enroll, verify, identify, consent, delete, purge, each through the gate."""
