"""Decoded deployments are cached per node, yet every change is seen on the next read (issue 14).

Two contexts on one database stand for two nodes (or a node and the CLI): a change made through
one is served by the other at once, because the cache is checked against the row's version and
status on every read. A write that rolls back never reaches the cache.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from facegate.bootstrap import build_context
from facegate.domain.model import DeploymentStatus
from facegate.services.deployments import get_deployment, set_active
from facegate.testing import FakeFaceEngine
from tests.conftest import install_deployment, make_settings


def test_a_change_through_another_node_is_served_at_once(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    a = build_context(settings, engine=FakeFaceEngine())
    b = build_context(settings, engine=FakeFaceEngine())
    try:
        d = install_deployment(a)
        assert get_deployment(b.services, d.id).status is DeploymentStatus.ACTIVE
        assert get_deployment(b.services, d.id) is get_deployment(b.services, d.id)  # served from b's cache
        set_active(a.services, d.id, False, actor="test")
        assert get_deployment(b.services, d.id).status is DeploymentStatus.INACTIVE
        changed = install_deployment(a, retention_days=10)
        seen = get_deployment(b.services, d.id)
        assert seen.version == changed.version > d.version and seen.retention_days == 10
    finally:
        a.close()
        b.close()


def test_a_rolled_back_write_is_never_served(tmp_path: Path) -> None:
    ctx = build_context(make_settings(tmp_path), engine=FakeFaceEngine())
    try:
        d = install_deployment(ctx)
        with pytest.raises(RuntimeError), ctx.store.transaction() as tx:
            tx.deployments.put(replace(d, name="never committed"))
            assert tx.deployments.get(d.id).name == "never committed"
            raise RuntimeError("roll back")
        assert get_deployment(ctx.services, d.id).name == d.name
        assert get_deployment(ctx.services, d.id).name == d.name  # and not later from the cache either
    finally:
        ctx.close()
