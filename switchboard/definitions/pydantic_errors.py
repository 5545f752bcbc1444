"""Turn pydantic validation errors into file:line:column messages that say what is allowed."""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import DefinitionError
from .yamlpos import Loc, Located


def _model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The pydantic model class that validates the mapping at `loc`."""
    current: Any = root
    for part in loc:
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            current = field.annotation if field else None
        else:
            return None
        current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """`X | None` -> X; leave `list[X]` for the index step."""
    args = typing.get_args(annotation)
    if args and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation


def _explained_by_typo(missing: Loc, extras: set[Loc]) -> bool:
    """A missing field next to a close-spelled unknown one is the same mistake, reported once."""
    siblings = [str(e[-1]) for e in extras if e[:-1] == missing[:-1]]
    return bool(difflib.get_close_matches(str(missing[-1]), siblings, n=1))


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "document"


def convert(exc: ValidationError, doc: Located, root: type[BaseModel]) -> list[DefinitionError]:
    """One `DefinitionError` per pydantic error, placed at the offending key or value."""
    errors = []
    raw = exc.errors(include_url=False)
    extras = {tuple(e["loc"]) for e in raw if e["type"] == "extra_forbidden"}
    for err in raw:
        loc: Loc = tuple(err["loc"])
        kind = err["type"]
        where = _dotted(loc)
        if kind == "missing" and _explained_by_typo(loc, extras):
            continue
        if kind == "extra_forbidden":
            model = _model_at(root, loc[:-1])
            allowed = sorted(model.model_fields) if model else []
            hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            maybe = f" (did you mean {hint[0]!r}?)" if hint else ""
            message = f"unknown field {loc[-1]!r} in {_dotted(loc[:-1])}{maybe}; allowed: "
            errors.append(doc.error(loc, message + ", ".join(allowed), key=True))
        elif kind == "missing":
            message = f"missing required field {loc[-1]!r} in {_dotted(loc[:-1])}"
            errors.append(doc.error(loc[:-1], message))
        elif kind == "enum":
            expected = err.get("ctx", {}).get("expected", "")
            message = f"{where}: {err['input']!r} is not allowed; allowed: {expected}"
            errors.append(doc.error(loc, message))
        elif kind == "string_pattern_mismatch":
            message = f"{where}: {err['input']!r} must be lower_snake_case (a-z, 0-9, _)"
            errors.append(doc.error(loc, message))
        elif kind == "value_error":
            text = str(err["msg"]).removeprefix("Value error, ")
            errors.append(doc.error(loc, f"{where}: {text}"))
        elif kind == "model_type" or kind == "dict_type":
            got = type(err["input"]).__name__
            message = f"{where}: expected a mapping of fields, got {got}"
            errors.append(doc.error(loc, message))
        else:
            message = f"{where}: {err['msg']} (got {err['input']!r})"
            errors.append(doc.error(loc, message))
    return errors
