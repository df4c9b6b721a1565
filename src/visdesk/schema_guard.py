"""Checks on a client's JSON schema (`response_format`) before any validator walks it.

Why: jsonschema resolves `$ref` lazily and recursively, so `{"$ref": "#"}` or two `$defs` that
point at each other recursed until RecursionError (a 502), and a remote `$ref` would make the
server fetch a URL. A schema is data from the client; it gets the same caps as any other field:
size, depth, only local JSON-pointer references, and no reference loop that consumes no data.

Recursive schemas that descend into the data (a tree whose `children.items` is `{"$ref": "#"}`,
as OpenAI's structured outputs allow) are fine: validating finite data through them terminates.
"""

from __future__ import annotations

import json
from typing import Any

from visdesk.errors import AppError, ErrorCode

# Keywords whose subschemas apply to the same instance (no descent into the data): a loop through
# only these (and $ref) never terminates.
_IN_PLACE_LIST = ("allOf", "anyOf", "oneOf")
_IN_PLACE_ONE = ("not", "if", "then", "else", "$ref")
_DYNAMIC_REFS = ("$dynamicRef", "$recursiveRef")
_DONE = object()


def _refuse(message: str, **details: Any) -> AppError:
    return AppError(
        ErrorCode.INVALID_REQUEST, f"response_format: {message}", details={"field": "response_format", **details}
    )


def check_schema(schema: Any, *, max_bytes: int, max_depth: int) -> None:
    """Raise INVALID_REQUEST (400) unless `schema` is a bounded, self-contained JSON schema."""
    if not isinstance(schema, dict):
        raise _refuse("the schema must be a JSON object.")
    try:
        size = len(json.dumps(schema, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError, RecursionError, UnicodeEncodeError) as exc:
        raise _refuse("the schema is not plain JSON text.") from exc
    if size > max_bytes:
        raise _refuse(f"the schema is {size} bytes; at most {max_bytes} are accepted.", max_bytes=max_bytes, bytes=size)
    _walk(schema, schema, depth=0, max_depth=max_depth)
    _refuse_in_place_loops(schema)


def _walk(root: dict[str, Any], node: Any, *, depth: int, max_depth: int) -> None:
    """Depth cap, and every `$ref` local (a JSON pointer into this schema) and resolvable."""
    if depth > max_depth:
        raise _refuse(f"the schema nests deeper than {max_depth} levels.", max_depth=max_depth)
    if isinstance(node, list):
        for item in node:
            _walk(root, item, depth=depth + 1, max_depth=max_depth)
        return
    if not isinstance(node, dict):
        return
    for keyword in _DYNAMIC_REFS:
        if keyword in node:
            raise _refuse(f"{keyword} is not supported; use $ref to a local '#/$defs/...' pointer.")
    ref = node.get("$ref")
    if ref is not None:
        if not isinstance(ref, str) or not (ref == "#" or ref.startswith("#/")):
            raise _refuse(
                f"$ref {str(ref)[:80]!r} is not a local JSON pointer; only '#' and '#/...' references are "
                "resolved (remote schemas are never fetched).",
            )
        _resolve(root, ref)
    for value in node.values():
        _walk(root, value, depth=depth + 1, max_depth=max_depth)


def _resolve(root: dict[str, Any], ref: str) -> Any:
    node: Any = root
    for raw in ref[2:].split("/") if ref != "#" else ():
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise _refuse(f"$ref {ref[:80]!r} points at nothing in the schema.")
    return node


def _refuse_in_place_loops(root: dict[str, Any]) -> None:
    """A `$ref` chain (through allOf/anyOf/oneOf/not/if/then/else) that returns to where it started."""
    state: dict[int, int] = {}  # id(node) → 1 on the current path, 2 finished (all nodes live in root)

    def visit(start: dict[str, Any]) -> None:  # iterative: a long $defs chain must not hit the recursion limit
        if state.get(id(start)) == 2:
            return
        state[id(start)] = 1
        path = [(start, iter(_in_place_children(root, start)))]
        while path:
            node, children = path[-1]
            child = next(children, _DONE)
            if child is _DONE:
                state[id(node)] = 2
                path.pop()
            elif isinstance(child, dict) and state.get(id(child)) != 2:
                if state.get(id(child)) == 1:
                    raise _refuse("its $ref references form a loop that never reaches a property or item ($ref cycle).")
                state[id(child)] = 1
                path.append((child, iter(_in_place_children(root, child))))

    stack: list[Any] = [root]
    while stack:  # every subschema is a possible start of a loop
        node = stack.pop()
        if isinstance(node, dict):
            visit(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _in_place_children(root: dict[str, Any], node: dict[str, Any]) -> list[Any]:
    children: list[Any] = []
    for keyword in _IN_PLACE_LIST:
        value = node.get(keyword)
        if isinstance(value, list):
            children.extend(value)
    for keyword in _IN_PLACE_ONE:
        value = node.get(keyword)
        if keyword == "$ref" and isinstance(value, str):
            children.append(_resolve(root, value))
        elif isinstance(value, dict):
            children.append(value)
    dependent = node.get("dependentSchemas")
    if isinstance(dependent, dict):
        children.extend(dependent.values())
    return children
