"""The infra files parse and agree with the code (key layout, commands that exist)."""

from __future__ import annotations

from pathlib import Path

import yaml

INFRA = Path(__file__).resolve().parent.parent / "infra"


def test_yaml_files_parse() -> None:
    files = sorted(INFRA.rglob("*.yaml")) + sorted(INFRA.rglob("*.yml"))
    assert len(files) >= 3
    for path in files:
        docs = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
        assert docs, f"{path} is empty"


def test_compose_wires_redis_and_workers() -> None:
    compose = yaml.safe_load((INFRA / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"redis", "worker", "otel-collector", "postgres"} <= set(services)
    env = services["worker"]["environment"]
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert services["worker"]["command"][:2] == ["switchboard", "serve"]


def test_k8s_worker_is_stateless_and_probed() -> None:
    docs = list(yaml.safe_load_all((INFRA / "k8s" / "worker.yaml").read_text()))
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    names = {e["name"] for e in container["env"]}
    assert {"REDIS_URL", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL"} <= names
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"  # 503 while full
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert "volumes" not in deployment["spec"]["template"]["spec"]


def test_redis_config_keeps_data_and_never_evicts() -> None:
    conf = (INFRA / "redis" / "redis.conf").read_text().split("\n")
    settings = dict(line.split(None, 1) for line in conf if line and not line.startswith("#"))
    assert settings["appendonly"] == "yes"
    assert settings["maxmemory-policy"] == "noeviction"


def test_worker_commands_use_options_the_cli_has() -> None:
    from typer.testing import CliRunner

    from switchboard.cli import app

    compose = yaml.safe_load((INFRA / "docker-compose.yml").read_text())
    docs = list(yaml.safe_load_all((INFRA / "k8s" / "worker.yaml").read_text()))
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    commands = [
        compose["services"]["worker"]["command"],
        deployment["spec"]["template"]["spec"]["containers"][0]["args"],
    ]
    help_text = CliRunner().invoke(app, ["serve", "--help"], terminal_width=200).output
    for command in commands:
        assert command[:2] == ["switchboard", "serve"]
        options = [arg for arg in command[2:] if arg.startswith("--")]
        assert options and all(option in help_text for option in options)
        # every other argument is an option's value: no stray positional arguments
        args = command[2:]
        assert all(
            args[i - 1].startswith("--") for i, a in enumerate(args) if not a.startswith("-")
        )
