"""The SHA-256 that tells whether a captured item changed.

The canonical form is the raw answer as JSON with sorted keys, no whitespace and UTF-8, with the
connector's volatile keys (counters such as likes, a playlist position) left out wherever they are
nested: a new like is not an edit. The full raw answer is kept as it came; only the hash leaves
those keys out.
"""

import hashlib
import json


def without(value, volatile: frozenset[str]):
    if isinstance(value, dict):
        return {key: without(item, volatile) for key, item in value.items() if key not in volatile}
    if isinstance(value, list):
        return [without(item, volatile) for item in value]
    return value


def canonical(raw, volatile: frozenset[str] = frozenset()) -> bytes:
    return json.dumps(without(raw, volatile), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def raw_sha256(raw, volatile: frozenset[str] = frozenset()) -> str:
    return hashlib.sha256(canonical(raw, volatile)).hexdigest()
