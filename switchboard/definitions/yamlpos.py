"""Load YAML keeping the line and column of every key and value, for file:line:col errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import DefinitionError

Loc = tuple[str | int, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Pos:
    """1-based line and column of a node; `block` marks a `|`/`>` scalar (text starts below)."""

    line: int
    column: int
    block: bool = False


@dataclass(kw_only=True, slots=True)
class Located:
    """A parsed YAML document plus where each path (('slots', 0, 'type')) sits in the file."""

    path: Path
    data: Any
    values: dict[Loc, Pos] = field(default_factory=dict)
    keys: dict[Loc, Pos] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def pos(self, loc: Loc, *, key: bool = False) -> Pos:
        """The closest known position for `loc` (walks up to the parent when needed)."""
        table = self.keys if key else self.values
        probe = tuple(loc)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), Pos(line=1, column=1))

    def error(self, loc: Loc, message: str, *, key: bool = False) -> DefinitionError:
        where = self.pos(loc, key=key)
        return DefinitionError(self.path, where.line, where.column, message)

    def text_error(self, loc: Loc, needle: str, message: str) -> DefinitionError:
        """An error at `needle` inside the (possibly multi-line) string at `loc`."""
        where = self.pos(loc)
        for index in range(where.line - 1, len(self.lines)):
            column = self.lines[index].find(needle)
            if column >= 0:
                return DefinitionError(self.path, index + 1, column + 1, message)
        return DefinitionError(self.path, where.line, where.column, message)


def _mark(node: yaml.Node) -> Pos:
    block = isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")
    return Pos(line=node.start_mark.line + 1, column=node.start_mark.column + 1, block=block)


def _build(node: yaml.Node, loc: Loc, out: Located, loader: yaml.SafeLoader) -> Any:
    out.values[loc] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int):
                raise DefinitionError(
                    out.path, *_line_col(key_node), f"mapping keys must be text, got {key!r}"
                )
            if key in result:
                first = out.keys[(*loc, key)]
                raise DefinitionError(
                    out.path,
                    *_line_col(key_node),
                    f"duplicate key {key!r} (first defined at line {first.line}); "
                    "each key may appear once per mapping",
                )
            out.keys[(*loc, key)] = _mark(key_node)
            result[key] = _build(value_node, (*loc, key), out, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, (*loc, i), out, loader) for i, child in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _line_col(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def load_located(path: Path) -> Located:
    """Parse one YAML file; YAML syntax errors become `DefinitionError`s at the bad spot."""
    text = path.read_text(encoding="utf-8")
    out = Located(path=path, data=None, lines=text.splitlines())
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        out.data = {} if root is None else _build(root, (), out, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        context = ""
        if exc.context and exc.context_mark and exc.problem_mark:
            start = exc.context_mark
            context = f" ({exc.context.replace('while parsing', 'in')} started at line "
            context += f"{start.line + 1}, column {start.column + 1})"
        raise DefinitionError(path, line, column, f"YAML syntax error: {problem}{context}") from exc
    except yaml.YAMLError as exc:
        raise DefinitionError(path, 1, 1, f"YAML syntax error: {exc}") from exc
    finally:
        loader.dispose()
    return out
