"""The JSON Schema of every file, written from the same definitions as the data.
(records/export/__init__.py tells the whole.)"""

import logging
from collections.abc import Iterable

from .fields import (
    ATTESTATION_FIELDS,
    CAPTURED_MEDIA_FIELDS,
    EVIDENCE_FIELDS,
    ITEM_VERSION_FIELDS,
    JSON_SCHEMA_DIALECT,
    SCHEMA_NAME,
    SCHEMA_VERSION,
    WITHHELD_REASON,
    Field,
)
from .files import FILES, RecordFile

logger = logging.getLogger(__name__)


# JSON Schema, from the same definitions ---------------------------------------------------------

WITHHELD_SCHEMA = {
    "type": "object",
    "description": "A value withheld from a public copy: it needs a secrecy review before it is handed out.",
    "required": ["withheld", "reason", "note"],
    "properties": {
        "withheld": {"const": True},
        "reason": {"const": WITHHELD_REASON},
        "note": {"type": "string", "description": "Why the value is withheld."},
    },
    "additionalProperties": False,
}
PERSON_SCHEMA = {
    "type": "object",
    "description": "A member of staff.",
    "required": ["id", "name", "email"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "email": {"type": "string"}},
    "additionalProperties": False,
}
ACCOUNT_REF_SCHEMA = {
    "type": "object",
    "description": "An account of the registry; accounts.json has its entry.",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "additionalProperties": False,
}
UNIT_SCHEMA = {
    "type": "object",
    "description": "An org unit (förvaltning or verksamhet).",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "additionalProperties": False,
}
EXPORT_REF_SCHEMA = {
    "type": "object",
    "required": ["id", "public_copy"],
    "properties": {"id": {"type": "integer"}, "public_copy": {"type": "boolean"}},
    "additionalProperties": False,
}
DEFS = {
    "withheld": WITHHELD_SCHEMA,
    "person": PERSON_SCHEMA,
    "account": ACCOUNT_REF_SCHEMA,
    "unit": UNIT_SCHEMA,
    "export": EXPORT_REF_SCHEMA,
}


def _choice_schema(field: Field) -> dict:
    return {
        "type": "object",
        "required": ["value", "label"],
        "properties": {"value": {"enum": [value for value, _label in field.choice_pairs]}, "label": {"type": "string"}},
        "additionalProperties": False,
    }


def field_schema(field: Field) -> dict:
    """The JSON Schema of one field's value."""
    base = {
        "integer": lambda: {"type": "integer"},
        "string": lambda: {"type": "string"},
        "boolean": lambda: {"type": "boolean"},
        "date": lambda: {"type": "string", "format": "date"},
        "datetime": lambda: {"type": "string", "format": "date-time"},
        "json": lambda: {},
        "strings": lambda: {"type": "array", "items": {"type": "string"}},
        "person": lambda: {"$ref": "#/$defs/person"},
        "people": lambda: {"type": "array", "items": {"$ref": "#/$defs/person"}},
        "account": lambda: {"$ref": "#/$defs/account"},
        "unit": lambda: {"$ref": "#/$defs/unit"},
        "choice": lambda: _choice_schema(field),
        "choices": lambda: {"type": "array", "items": _choice_schema(field)},
        "objects": lambda: {"type": "array", "items": record_schema(field.items)},
    }[field.type]()
    options = [base]
    if field.null and field.type != "json":
        options.append({"type": "null"})
    if field.secret or (field.partly_secret and field.type != "json"):
        options.append({"$ref": "#/$defs/withheld"})
    schema = options[0] if len(options) == 1 else {"anyOf": options}
    return {"description": field.description, **schema}


def record_schema(fields: Iterable[Field]) -> dict:
    fields = list(fields)
    return {
        "type": "object",
        "required": [f.name for f in fields],
        "properties": {f.name: field_schema(f) for f in fields},
        "additionalProperties": False,
    }


def file_schema(record_file: RecordFile) -> dict:
    """The JSON Schema of one JSON file of the export."""
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:{SCHEMA_NAME}:{record_file.name}:{SCHEMA_VERSION}",
        "title": record_file.path,
        "description": record_file.description,
        "type": "object",
        "required": ["schema", "kind", "title", "export", "records", "count"],
        "properties": {
            "schema": {"const": record_file.schema_id},
            "kind": {"const": record_file.name},
            "title": {"type": "string", "description": "The kind of record, in Swedish."},
            "export": {"$ref": "#/$defs/export"},
            "records": {"type": "array", "items": record_schema(record_file.fields)},
            "count": {"type": "integer", "description": "How many records the file holds."},
        },
        "additionalProperties": False,
        "$defs": DEFS,
    }


MANIFEST_FILE_SCHEMA = {
    "type": "object",
    "required": ["path", "size", "sha256", "media_type"],
    "properties": {
        "path": {"type": "string"},
        "size": {"type": "integer", "description": "Bytes."},
        "sha256": {"type": "string", "description": "The SHA-256 of the file's bytes, in hexadecimal."},
        "media_type": {"type": "string"},
    },
    "additionalProperties": False,
}


def manifest_schema() -> dict:
    counts = {"type": "object", "additionalProperties": {"type": "integer"}}
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:{SCHEMA_NAME}:manifest:{SCHEMA_VERSION}",
        "title": "manifest.json",
        "description": "What the export holds: each file with its size and SHA-256, the parameters, the counts.",
        "type": "object",
        "required": ["schema", "portal", "export", "counts", "evidence", "withheld", "files", "captured_items"],
        "properties": {
            "schema": {"const": f"{SCHEMA_NAME}/manifest/{SCHEMA_VERSION}"},
            "portal": {"type": "string"},
            "export": {
                "type": "object",
                "required": [
                    "id",
                    "account",
                    "period_from",
                    "period_until",
                    "public_copy",
                    "requested_by",
                    "requested_at",
                ],
                "properties": {
                    "id": {"type": "integer"},
                    "account": {
                        "anyOf": [{"$ref": "#/$defs/account"}, {"type": "null"}],
                        "description": "Empty: every account.",
                    },
                    "period_from": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
                    "period_until": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
                    "public_copy": {"type": "boolean"},
                    "requested_by": {"$ref": "#/$defs/person"},
                    "requested_at": {"type": "string", "format": "date-time"},
                },
                "additionalProperties": False,
            },
            "counts": {**counts, "description": "Records per file (accounts and each kind of record)."},
            "evidence": {
                "type": "object",
                "required": ["listed", "included"],
                "properties": {"listed": {"type": "integer"}, "included": {"type": "integer"}},
                "additionalProperties": False,
            },
            "withheld": {"type": "integer", "description": "Items withheld for a secrecy review (public copy)."},
            "files": {"type": "array", "items": MANIFEST_FILE_SCHEMA},
            "captured_items": {
                "type": "array",
                "description": "R3: the SHA-256 of every captured item in captured_items.json, and of its earlier "
                "versions, oldest first.",
                "items": {
                    "type": "object",
                    "required": ["id", "platform", "platform_id", "raw_sha256", "versions"],
                    "properties": {
                        "id": {"type": "integer"},
                        "platform": {"type": "string"},
                        "platform_id": {"type": "string"},
                        "raw_sha256": {"type": "string"},
                        "versions": {"type": "array", "items": {"type": "string"}},
                    },
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
        "$defs": DEFS,
    }


WITHHELD_ITEM_SCHEMA = {
    "type": "object",
    "required": ["file", "record_id", "field", "evidence_id", "reason", "note"],
    "properties": {
        "file": {"type": "string", "description": "The JSON file of the record."},
        "record_id": {"type": "integer", "description": "The record's id in that file."},
        "field": {"type": "string", "description": "The withheld field (evidence.file: of the evidence below)."},
        "evidence_id": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        "reason": {"const": WITHHELD_REASON},
        "note": {"type": "string", "description": "Why it needs a secrecy review."},
    },
    "additionalProperties": False,
}


def secrecy_review_schema() -> dict:
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:{SCHEMA_NAME}:secrecy_review:{SCHEMA_VERSION}",
        "title": "secrecy_review.json",
        "description": "Every item a public copy withheld because it needs a secrecy review (sekretessprövning).",
        "type": "object",
        "required": ["schema", "export", "items", "count"],
        "properties": {
            "schema": {"const": f"{SCHEMA_NAME}/secrecy_review/{SCHEMA_VERSION}"},
            "export": {"$ref": "#/$defs/export"},
            "items": {"type": "array", "items": WITHHELD_ITEM_SCHEMA},
            "count": {"type": "integer"},
        },
        "additionalProperties": False,
        "$defs": DEFS,
    }


def all_schemas() -> dict[str, dict]:
    """{path in the ZIP: schema} for every JSON file an export can hold."""
    schemas = {f"schemas/{f.name}.schema.json": file_schema(f) for f in FILES}
    schemas["schemas/secrecy_review.schema.json"] = secrecy_review_schema()
    schemas["schemas/manifest.schema.json"] = manifest_schema()
    return schemas


def _markdown_type(f: Field) -> str:
    name = {"objects": "array of objects (below)", "choices": "array of choice", "people": "array of person"}.get(
        f.type, f.type
    )
    if f.null:
        name += " or null"
    if f.secret:
        name += " · **withheld** in a public copy"
    elif f.partly_secret:
        name += " · parts withheld in a public copy"
    return name


def fields_markdown() -> str:
    """The field tables of EXPORT_SCHEMA.md, written from the same definitions as the data (a test
    keeps the document equal to this)."""
    lines = []
    for record_file in FILES:
        lines += [f"### {record_file.path}", "", record_file.description, ""]
        lines += ["| Field | Type | Meaning |", "|---|---|---|"]
        lines += [f"| `{f.name}` | {_markdown_type(f)} | {f.description} |" for f in record_file.fields]
        lines.append("")
    lines += ["### Evidence (in moderation_cases.json and legal_basis.json)", ""]
    lines += ["| Field | Type | Meaning |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {_markdown_type(f)} | {f.description} |" for f in EVIDENCE_FIELDS]
    lines += ["", "### Attestations (in evidence)", ""]
    lines += ["| Field | Type | Meaning |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {_markdown_type(f)} | {f.description} |" for f in ATTESTATION_FIELDS]
    lines += ["", "### Earlier versions (in captured_items.json)", ""]
    lines += ["| Field | Type | Meaning |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {_markdown_type(f)} | {f.description} |" for f in ITEM_VERSION_FIELDS]
    lines += ["", "### Media (in captured_items.json)", ""]
    lines += ["| Field | Type | Meaning |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {_markdown_type(f)} | {f.description} |" for f in CAPTURED_MEDIA_FIELDS]
    return "\n".join(lines) + "\n"
