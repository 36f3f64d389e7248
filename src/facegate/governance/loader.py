"""Load a manifest from YAML text; every problem becomes ManifestInvalid with path and line."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from facegate.errors import ManifestInvalid
from facegate.governance.manifest import Manifest

LineIndex = dict[str, int]

# A manifest is a page of YAML (the examples are 3-5 KiB, ~300 values); anything far larger is a mistake
# or an attack: 256 KiB of flow-list items took ~9 s of CPU and answered with 120,000 errors (issue 11 item 8).
MAX_MANIFEST_CHARS = 64 * 1024
MAX_DEPTH = 32
MAX_NODES = 4000  # scalars and collections, counted while parsing, before anything is built
MAX_ERRORS = 50  # reported; the rest is summarised


def _event_line(event: yaml.Event) -> int | None:
    """The 1-based line of a parser event (PyYAML's parser always sets it; the stubs allow None)."""
    return event.start_mark.line + 1 if event.start_mark is not None else None


def format_path(loc: tuple[int | str, ...]) -> str:
    """``("purposes", 0, "code")`` -> ``"purposes[0].code"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _walk(node: yaml.Node, path: tuple[int | str, ...], index: LineIndex,
          duplicates: list[tuple[str, int]]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            line = key_node.start_mark.line + 1
            if key in seen:
                duplicates.append((format_path(child), line))
            seen.add(key)
            index[format_path(child)] = line
            _walk(value_node, child, index, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = (*path, i)
            index[format_path(child)] = item.start_mark.line + 1
            _walk(item, child, index, duplicates)


def line_index(text: str) -> LineIndex:
    """Map each dotted path in the YAML document to the 1-based line where it starts."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    index: LineIndex = {"": 1}
    if node is not None:
        _walk(node, (), index, [])
    return index


def line_for(index: LineIndex, path: str) -> int | None:
    """The line of ``path``, or of its nearest ancestor when the key is missing."""
    while True:
        if path in index:
            return index[path]
        if not path:
            return None
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""


def _invalid(source: str, errors: list[dict[str, object]]) -> ManifestInvalid:
    first = errors[0]
    where = f"{first['path'] or '(document)'}" + (f" (line {first['line']})" if first.get("line") else "")
    return ManifestInvalid(
        message_en=f"{source}: invalid manifest: {where}: {first['message']}",
        message_zh=f"{source}：部署清单无效：{where}：{first['message']}",
        detail={"source": source, "errors": errors},
    )


def _message(err: Any) -> str:
    kind = err.get("type")
    if kind == "extra_forbidden":
        return f"unknown key {str(err['loc'][-1])!r}"
    if kind == "missing":
        return "required field is missing"
    msg = str(err.get("msg", "invalid value"))
    return msg.removeprefix("Value error, ")


def _loc(err: Any) -> tuple[int | str, ...]:
    # Drop pydantic's internal validator tags such as "function-after[...]".
    return tuple(p for p in err["loc"] if isinstance(p, int) or "[" not in p)


def parse_yaml(text: str, source: str) -> tuple[dict[str, Any], LineIndex]:
    """Safe-load the document and its line index; reject duplicate keys and non-mappings."""
    if len(text) > MAX_MANIFEST_CHARS:
        raise _invalid(source, [{"path": "", "line": None,
                                 "message": f"manifest is larger than {MAX_MANIFEST_CHARS} characters"}])
    try:
        # Aliases are refused before anything expands them (no "billion laughs").
        depth = nodes = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            nodes += isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent)
            if nodes > MAX_NODES:
                raise _invalid(source, [{"path": "", "line": _event_line(event),
                                         "message": f"manifest has more than {MAX_NODES} values"}])
            if isinstance(event, yaml.AliasEvent):
                raise _invalid(source, [{"path": "", "line": _event_line(event),
                                         "message": "YAML anchors and aliases are not allowed in manifests"}])
            depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
            if depth > MAX_DEPTH:
                raise _invalid(source, [{"path": "", "line": _event_line(event),
                                         "message": f"YAML is nested deeper than {MAX_DEPTH} levels"}])
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise _invalid(source, [{"path": "", "line": mark.line + 1 if mark else None,
                                 "message": f"malformed YAML: {problem}"}]) from None
    except (ValueError, OverflowError) as exc:
        # PyYAML's constructors raise these for values such as the date 2025-13-45.
        raise _invalid(source, [{"path": "", "line": None,
                                 "message": f"malformed YAML value: {exc}"}]) from None
    if not isinstance(data, dict) or node is None:
        raise _invalid(source, [{"path": "", "line": 1,
                                 "message": "a manifest must be a YAML mapping of keys to values"}])
    index: LineIndex = {"": 1}
    duplicates: list[tuple[str, int]] = []
    _walk(node, (), index, duplicates)
    if duplicates:
        raise _invalid(source, [{"path": p, "line": ln, "message": "duplicate key"} for p, ln in duplicates])
    return data, index


def load_manifest(text: str, source: str = "<manifest>") -> Manifest:
    """Parse and validate; raise ManifestInvalid(detail={"errors": [{path, line, message}]})."""
    data, index = parse_yaml(text, source)
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        errors: list[dict[str, object]] = []
        for err in exc.errors(include_url=False)[:MAX_ERRORS]:
            path = format_path(_loc(err))
            errors.append({"path": path, "line": line_for(index, path), "message": _message(err)})
        raise _invalid(source, errors) from None
