"""Writing the ZIP, and the build from start to end (the worker's side).
(records/export/__init__.py tells the whole.)"""

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import uuid
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from falkoping_some.locks import JobBusy, exclusive
from records.models import ExportStatus, RecordKind, RecordsExport

from .fields import (
    CHUNK_SIZE,
    COPY_CHUNK,
    EVIDENCE_FIELDS,
    SCHEMA_NAME,
    SCHEMA_VERSION,
    SUMMARY_WITHHELD_ROWS,
    WITHHELD_REASON,
    ExportError,
    Field,
    _evidence_zip_path,
)
from .files import FILES, RecordFile, evidence_of
from .schema import all_schemas

PROGRESS_EVERY = 500  # steps between two progress saves
SCHEMA_DOCUMENT = Path(__file__).with_name("EXPORT_SCHEMA.md")  # shipped in the ZIP, under schemas/

logger = logging.getLogger(__name__)


CAPTURED_ITEMS = RecordKind.CAPTURED_ITEMS.value


def captured_item_hashes(item) -> dict:
    """What manifest.json lists of one captured item (R3): its SHA-256 and its versions'."""
    return {
        "id": item.pk,
        "platform": item.platform,
        "platform_id": item.platform_id,
        "raw_sha256": item.raw_sha256,
        "versions": [version.raw_sha256 for version in item.versions.all()],
    }


# Writing ----------------------------------------------------------------------------------------


def person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.email, "email": user.email}


def _choice(field: Field, value):
    if value in (None, ""):
        return None
    labels = dict(field.choice_pairs)
    return {"value": value, "label": str(labels.get(value, value))}


def _encode(field: Field, value, encode_items):
    if value is None:
        return None
    match field.type:
        case "date":
            return value.isoformat()
        case "datetime":
            return timezone.localtime(value).isoformat()
        case "person":
            return person(value)
        case "people":
            return [person(user) for user in value]
        case "account" | "unit":
            return {"id": value.pk, "name": value.name}
        case "choice":
            return _choice(field, value)
        case "choices":
            return [_choice(field, v) for v in value]
        case "objects":
            return [encode_items(item) for item in value]
        case "strings":
            return [str(v) for v in value]
        case _:
            return value


class _Entry:
    """One file being written into the ZIP, its SHA-256 and size computed on the way."""

    def __init__(self, archive: zipfile.ZipFile, path: str, date_time, media_type: str, compress=True):
        info = zipfile.ZipInfo(path, date_time=date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        self.path, self.media_type = path, media_type
        self.stream = archive.open(info, "w", force_zip64=True)
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | str):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.stream.write(data)
        self.hash.update(data)
        self.size += len(data)

    def close(self) -> dict:
        self.stream.close()
        return {"path": self.path, "size": self.size, "sha256": self.hash.hexdigest(), "media_type": self.media_type}


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


@dataclass
class _Build:
    """The state of one build: the ZIP being written, what it holds so far, and the progress."""

    export: RecordsExport
    archive: zipfile.ZipFile
    withheld_spool: Any
    files: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    evidence_listed: int = 0
    evidence_included: int = 0
    withheld: int = 0
    withheld_by_field: Counter = field(default_factory=Counter)
    done_steps: int = 0
    saved_steps: int = 0
    # The captured items' hashes for the manifest, one JSON line each, spooled as they are written.
    hashes_spool: Any = None

    @property
    def date_time(self):
        # Every entry carries the time of the request: a rerun writes the same bytes.
        return timezone.localtime(self.export.requested_at).timetuple()[:6]

    @contextlib.contextmanager
    def entry(self, path, media_type, compress=True):
        """A file of the ZIP to write into; listed in the manifest once it is complete."""
        entry = _Entry(self.archive, path, self.date_time, media_type, compress)
        try:
            yield entry
        except BaseException:
            with contextlib.suppress(Exception):
                entry.stream.close()  # the ZIP can only be closed (and thrown away) without open entries
            raise
        self.files.append(entry.close())

    def step(self, n=1):
        self.done_steps += n
        if self.done_steps - self.saved_steps >= PROGRESS_EVERY:
            self.save_progress()

    def save_progress(self):
        RecordsExport.objects.filter(pk=self.export.pk).update(done_steps=self.done_steps)
        self.saved_steps = self.done_steps

    def export_ref(self) -> dict:
        return {"id": self.export.pk, "public_copy": self.export.public_copy}

    # Records ------------------------------------------------------------------------------------

    def encode_record(self, obj, fields, file_path, record_id, prefix="", evidence_id=None) -> dict:
        def mark(path, why):
            return self.withhold(file_path, record_id, f"{prefix}{path}", why, evidence_id)

        def encode_evidence(evidence):
            self.evidence_listed += 1
            return self.encode_record(evidence, EVIDENCE_FIELDS, file_path, record_id, "evidence.", evidence.pk)

        def encode_items(f):
            """How the objects of an "objects" field are written: evidence, or an evidence's attestations."""
            if f.items is EVIDENCE_FIELDS:
                return encode_evidence
            return lambda item: self.encode_record(
                item, f.items, file_path, record_id, f"{prefix}{f.name}.", evidence_id
            )

        public = self.export.public_copy
        record = {}
        for f in fields:
            value = f.raw(obj, mark if public else None)
            if public and f.secret and value not in (None, ""):
                record[f.name] = mark(f.name, f.secret)
            else:
                record[f.name] = _encode(f, value, encode_items(f))
        return record

    def withhold(self, file_path, record_id, field_path, why, evidence_id=None) -> dict:
        note = str(why)
        item = {
            "file": file_path,
            "record_id": record_id,
            "field": field_path,
            "evidence_id": evidence_id,
            "reason": WITHHELD_REASON,
            "note": note,
        }
        self.withheld_spool.write(_dumps(item) + "\n")
        self.withheld += 1
        self.withheld_by_field[(file_path, field_path, note)] += 1
        return {"withheld": True, "reason": WITHHELD_REASON, "note": note}

    def write_records(self, record_file: RecordFile):
        header = {
            "schema": record_file.schema_id,
            "kind": record_file.name,
            "title": str(record_file.title),
            "export": self.export_ref(),
        }
        count = 0
        with self.entry(record_file.path, "application/json") as entry:
            entry.write(_dumps(header)[:-1] + ', "records": [')
            for obj in record_file.records(self.export).iterator(chunk_size=CHUNK_SIZE):
                record = self.encode_record(obj, record_file.fields, record_file.path, obj.pk)
                entry.write(("\n" if count == 0 else ",\n") + _dumps(record))
                if record_file.name == CAPTURED_ITEMS and self.hashes_spool is not None:
                    self.hashes_spool.write(_dumps(captured_item_hashes(obj)) + "\n")
                count += 1
                self.step()
            entry.write(f'\n], "count": {count}}}\n')
        self.counts[record_file.name] = count

    # Evidence -----------------------------------------------------------------------------------

    def write_evidence(self):
        for evidence in evidence_of(self.export).select_related("case", "legal_basis").iterator(chunk_size=CHUNK_SIZE):
            self.copy_evidence(evidence)
            self.step()

    def copy_evidence(self, evidence):
        owner = (
            _("moderation case %(id)s") % {"id": evidence.case_id}
            if evidence.case_id
            else _("legal-basis record %(id)s") % {"id": evidence.legal_basis_id}
        )
        try:
            source = evidence.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise ExportError(
                _(
                    "The evidence file %(name)s (evidence %(id)s of %(owner)s) is missing from the private storage. "
                    "Restore it from the backup and try again."
                )
                % {"name": evidence.original_name, "id": evidence.pk, "owner": owner}
            ) from None
        # Images and PDFs are compressed already: stored as they are.
        with source, self.entry(_evidence_zip_path(evidence), evidence.content_type, compress=False) as entry:
            while chunk := source.read(COPY_CHUNK):
                entry.write(chunk)
            # R22: evidence is never changed; bytes that no longer match the hash recorded at the
            # upload are not handed out as if they were the evidence.
            if entry.hash.hexdigest() != evidence.sha256 or entry.size != evidence.size:
                raise ExportError(
                    _(
                        "The evidence file %(name)s (evidence %(id)s of %(owner)s) no longer matches the SHA-256 "
                        "recorded when it was uploaded. Restore it from the backup and try again."
                    )
                    % {"name": evidence.original_name, "id": evidence.pk, "owner": owner}
                )
        self.evidence_included += 1

    # The rest -----------------------------------------------------------------------------------

    def write_json(self, path, value):
        with self.entry(path, "application/json") as entry:
            entry.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")

    def write_documentation(self):
        with self.entry("schemas/EXPORT_SCHEMA.md", "text/markdown") as entry:
            entry.write(SCHEMA_DOCUMENT.read_bytes())

    def write_secrecy_review(self):
        header = {"schema": f"{SCHEMA_NAME}/secrecy_review/{SCHEMA_VERSION}", "export": self.export_ref()}
        self.withheld_spool.seek(0)
        with self.entry("secrecy_review.json", "application/json") as entry:
            entry.write(_dumps(header)[:-1] + ', "items": [')
            for n, line in enumerate(self.withheld_spool):
                entry.write(("\n" if n == 0 else ",\n") + line.rstrip("\n"))
            entry.write(f'\n], "count": {self.withheld}}}\n')

    def withheld_items(self, limit):
        self.withheld_spool.seek(0)
        return [json.loads(line) for line in islice(self.withheld_spool, limit)]

    def write_summary(self):
        export = self.export
        labels = {f.name: (f.title, f.path) for f in FILES}
        context = {
            "export": export,
            "requested_at": timezone.localtime(export.requested_at),
            "rows": [(labels[name][0], labels[name][1], count) for name, count in self.counts.items()],
            "evidence_listed": self.evidence_listed,
            "evidence_included": self.evidence_included,
            "withheld": self.withheld,
            "withheld_by_field": [
                {"file": file_path, "field": field_path, "note": note, "count": count}
                for (file_path, field_path, note), count in sorted(self.withheld_by_field.items())
            ],
            "withheld_items": self.withheld_items(SUMMARY_WITHHELD_ROWS) if self.withheld else [],
            "withheld_more": max(0, self.withheld - SUMMARY_WITHHELD_ROWS),
            "schema_version": SCHEMA_VERSION,
        }
        with self.entry("summary.html", "text/html") as entry:
            entry.write(render_to_string("records/summary.html", context))

    def manifest(self) -> dict:
        export = self.export
        return {
            "schema": f"{SCHEMA_NAME}/manifest/{SCHEMA_VERSION}",
            "portal": "Falköpings kommun – SoMe-portalen",
            "export": {
                "id": export.pk,
                "account": {"id": export.account.pk, "name": export.account.name} if export.account_id else None,
                "period_from": export.period_from.isoformat() if export.period_from else None,
                "period_until": export.period_until.isoformat() if export.period_until else None,
                "public_copy": export.public_copy,
                "requested_by": person(export.requested_by),
                "requested_at": timezone.localtime(export.requested_at).isoformat(),
            },
            "counts": self.counts,
            "evidence": {"listed": self.evidence_listed, "included": self.evidence_included},
            "withheld": self.withheld,
            "files": self.files,
        }

    def write_manifest(self):
        """manifest.json, with the captured items' hashes streamed from their spool at its end, so
        that memory stays flat however many items the export holds."""
        text = json.dumps(self.manifest(), ensure_ascii=False, indent=2)
        assert text.endswith("\n}")
        with self.entry("manifest.json", "application/json") as entry:
            entry.write(text[: -len("\n}")] + ',\n  "captured_items": [')
            self.hashes_spool.seek(0)
            for n, line in enumerate(self.hashes_spool):
                entry.write(("\n    " if n == 0 else ",\n    ") + line.rstrip("\n"))
            entry.write("\n  ]\n}\n")


def planned_steps(export) -> int:
    """The steps of the progress bar: every record, every evidence file, and the finish."""
    steps = sum(f.records(export).count() for f in FILES) + 1
    if not export.public_copy:
        steps += evidence_of(export).count()
    return steps


def write_zip(export, target) -> _Build:
    """Write the whole export into the file `target`. Returns the build's record of it."""
    with (
        zipfile.ZipFile(target, "w", allowZip64=True) as archive,
        tempfile.TemporaryFile("w+", encoding="utf-8") as spool,
        tempfile.TemporaryFile("w+", encoding="utf-8") as hashes,
    ):
        build = _Build(export=export, archive=archive, withheld_spool=spool, hashes_spool=hashes)
        for record_file in FILES:
            build.write_records(record_file)
        if not export.public_copy:
            build.write_evidence()
        for path, schema in all_schemas().items():
            build.write_json(path, schema)
        build.write_documentation()
        if export.public_copy:
            build.write_secrecy_review()
        build.write_summary()
        build.write_manifest()
        build.step()
    return build


# The build, start to end ------------------------------------------------------------------------


def _partial_dir(export) -> Path:
    # The records storage is a file system storage (models.RecordsStorage): the ZIP is written
    # beside its final place and moved there when it is complete.
    return Path(export.file.storage.path("exports/partial"))


def _discard_partial(export):
    """Remove what an earlier, killed run of this export left half-written."""
    folder = _partial_dir(export)
    for leftover in folder.glob(f"{export.pk}-*.zip") if folder.exists() else ():
        with contextlib.suppress(OSError):
            leftover.unlink()


class _CompleteFile(File):
    """The finished ZIP, handed to the storage to be moved into place rather than copied."""

    def __init__(self, path: Path):
        super().__init__(path.open("rb"), name=path.name)
        self._path = path

    def temporary_file_path(self):
        return str(self._path)


def build_export(export_id) -> RecordsExport | None:
    """Build a records export (the worker's side): RUNNING with progress, then DONE with the ZIP's
    size, SHA-256 and counts, or FAILED with a message and no file. Starts over when run again
    before it is done; once it is done, running it again changes nothing. A copy of the task that
    arrives while another worker builds the export raises JobBusy (falkoping_some.locks)."""
    with exclusive("records-export", export_id) as mine:
        if not mine:
            raise JobBusy(f"records export {export_id}")
        return _build_export(export_id)


def _build_export(export_id) -> RecordsExport | None:
    try:
        export = RecordsExport.objects.select_related("account", "requested_by").get(pk=export_id)
    except RecordsExport.DoesNotExist:
        logger.warning("Records export %s does not exist", export_id)
        return None
    if export.status == ExportStatus.DONE:
        return export
    with translation.override(settings.LANGUAGE_CODE):
        export.status, export.error, export.done_steps, export.total_steps = ExportStatus.RUNNING, "", 0, 0
        export.file, export.size, export.sha256, export.counts, export.finished_at = "", None, "", {}, None
        export.save()
        target, name = None, ""
        try:
            export.total_steps = planned_steps(export)
            RecordsExport.objects.filter(pk=export.pk).update(total_steps=export.total_steps)
            _discard_partial(export)
            folder = _partial_dir(export)
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{export.pk}-{uuid.uuid4().hex}.zip"
            build = write_zip(export, target)
            size, sha256 = _size_and_hash(target)
            complete = _CompleteFile(target)
            try:
                name = export.file.storage.save(export.file.field.generate_filename(export, "export.zip"), complete)
            finally:
                complete.close()
            return _finish(export, build, name, size, sha256)
        except ExportError as error:
            return _fail(export, error.message, target, name)
        except Exception as error:
            logger.exception("Records export %s failed", export.pk)
            message = _(
                "The export stopped because of an unexpected error (%(error)s). Try again; if it happens again, "
                "tell the portal's administrator."
            ) % {"error": type(error).__name__}
            return _fail(export, message, target, name)
        except BaseException:
            # The worker is being stopped: leave nothing half-written; the redelivered task starts over.
            _remove(target)
            raise


def _size_and_hash(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(COPY_CHUNK):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()


def _remove(path: Path | None):
    if path is not None:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _finish(export, build, name, size, sha256) -> RecordsExport:
    with transaction.atomic():
        current = RecordsExport.objects.select_for_update().get(pk=export.pk)
        if current.status == ExportStatus.DONE:
            # Another delivery of the same task finished first: keep its file, drop ours.
            export.file.storage.delete(name)
            return current
        export.file = name
        export.size, export.sha256 = size, sha256
        export.counts = {
            **build.counts,
            "evidence": build.evidence_listed,
            "evidence_files": build.evidence_included,
            "withheld": build.withheld,
        }
        export.status, export.done_steps, export.finished_at = ExportStatus.DONE, export.total_steps, timezone.now()
        export.save()
    return export


def _fail(export, message, target: Path | None, name: str) -> RecordsExport:
    _remove(target)
    if name:
        with contextlib.suppress(OSError):
            export.file.storage.delete(name)
    export.status, export.error, export.finished_at = ExportStatus.FAILED, message, timezone.now()
    export.file, export.size, export.sha256, export.counts = "", None, "", {}
    export.save()
    return export


def download_name(export) -> str:
    """A readable file name: handlingar-falkopings-bibliotek-2026-11-25.zip."""
    subject = slugify(export.account.name) if export.account_id else "alla-konton"
    day = timezone.localtime(export.requested_at).date().isoformat()
    suffix = "-offentlig-kopia" if export.public_copy else ""
    return f"handlingar-{subject or 'konto'}-{day}{suffix}.zip"


def record_download(actor, export):
    """R3: who took out which records. An ACCESS entry in the audit trail (with the actor and the
    IP address that AuditlogMiddleware adds), shown in the account's Händelselogg."""
    return LogEntry.objects.log_create(
        export,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=actor,
        additional_data={"downloaded": download_name(export), "sha256": export.sha256},
    )
