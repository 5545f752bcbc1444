"""JSON Schema of the definition format, for editors (yaml-language-server) and docs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .spec import AgentSpec, TeamSpec

SCHEMA_FILES = {"team.schema.json": TeamSpec, "agent.schema.json": AgentSpec}


def json_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema (draft 2020-12) for team.yaml and agent files."""
    out = {}
    for filename, model in SCHEMA_FILES.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[filename] = schema
    return out


def write_schemas(folder: Path | str) -> list[Path]:
    """Write the schemas into `folder`; returns the written paths."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, schema in json_schemas().items():
        path = target / filename
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written
