"""The records export (R3): one ZIP with a JSON file per kind of record, the evidence files, a
manifest with each file's SHA-256, JSON Schemas and a summary; the public copy for a public-records
request; the pages that start, follow and download an export; the download in the audit trail."""

import datetime
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountDecision, DecisionStep, Mandate, OrgUnit, Training
from accounts.tests.factories import MandateFactory, UserFactory
from activity.models import WeeklyActivity
from capture.models import CapturedItem, Connection, ItemVersion
from falkoping_some.tests.worker import celery_worker, database_url, wait_for
from moderation.evidence import store_evidence
from moderation.models import Evidence, Inquiry, LegalBasisRecord, ModerationCase
from moderation.tests.files import PDF_BYTES, image_bytes, upload
from moderation.tests.files.storage import private_media
from records.export import archive as export_module
from records.export.archive import build_export
from records.export.files import FILES
from records.export.schema import fields_markdown
from records.models import ExportStatus, RecordsExport
from records.services import request_export
from records.tasks import build_records_export
from records.views.audit import account_log_entries
from review.models import FlagKind, ReviewFlag, SelfCheck

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=STOCKHOLM)
PERIOD = (datetime.date(2026, 3, 2), datetime.date(2026, 3, 30))  # a Monday to a Monday, both included
# The edges of the period, in Swedish time.
IN_FIRST = datetime.datetime(2026, 3, 2, 0, 0, tzinfo=STOCKHOLM)
OUT_BEFORE = datetime.datetime(2026, 3, 1, 23, 59, 59, tzinfo=STOCKHOLM)
IN_LAST = datetime.datetime(2026, 3, 30, 23, 59, 59, tzinfo=STOCKHOLM)
OUT_AFTER = datetime.datetime(2026, 3, 31, 0, 0, tzinfo=STOCKHOLM)
MOMENTS = (OUT_BEFORE, IN_FIRST, IN_LAST, OUT_AFTER)
INSIDE = (IN_FIRST, IN_LAST)
# A week is dated by its Monday (R19): the first and last Monday inside, the ones next to them outside.
WEEKS = {
    OUT_BEFORE: datetime.date(2026, 2, 23),
    IN_FIRST: datetime.date(2026, 3, 2),
    IN_LAST: datetime.date(2026, 3, 30),
    OUT_AFTER: datetime.date(2026, 4, 6),
}
KINDS = [f.name for f in FILES if f.name != "accounts"]
SECRET_WORDS = ("HEMLIGKOMMENTAR", "HEMLIGFRÅGA", "HEMLIGDOKUMENTATION", "Sven-Svensson-samtycke", "192.0.2.44")


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 10, 9, 0, tzinfo=STOCKHOLM), tick=False)
    return time_machine


@pytest.fixture
def media(tmp_path):
    """The private storage (evidence and exports) in a folder of the test's own."""
    with private_media(tmp_path / "private") as path:
        yield path


class Records:
    """Records of every kind, at the edges of the period, for two accounts."""

    def __init__(self):
        self.ids: dict[str, dict[tuple[int, datetime.datetime], int]] = {kind: {} for kind in KINDS}
        self.evidence_bytes: dict[int, bytes] = {}

    def add(self, kind, account, moment, obj):
        self.ids[kind][(account.pk, moment)] = obj.pk

    def expected(self, kind, account=None, moments=MOMENTS):
        return sorted(
            pk
            for (account_id, moment), pk in self.ids[kind].items()
            if account in (None, account_id) and moment in moments
        )


def make_records(clock, comms, editor, account, moments, records: Records, n=0):
    """One record of every kind at each moment, made while the clock shows that moment (so the
    audit trail records it then), with real evidence files."""
    steps = list(DecisionStep)
    flag_kinds = list(FlagKind)
    for i, moment in enumerate(moments):
        clock.move_to(moment, tick=False)
        tag = f"{account.pk}-{i}"
        # R11: the request and the two approvals are three people's.
        actor = UserFactory() if steps[i] in (DecisionStep.REQUEST, DecisionStep.MANAGER) else comms
        records.add("decisions", account, moment, AccountDecision.objects.create(
            account=account, step=steps[i], outcome="approved", actor=actor, role="comms",
            comment=f"Beslut {tag}",
        ))  # fmt: skip
        records.add("mandates", account, moment, MandateFactory(
            account=account, user=UserFactory(), granted_by=comms, valid_from=moment.date(), trained=False,
        ))  # fmt: skip
        records.add("trainings", account, moment, Training.objects.create(
            trainee=editor, trainer=comms, kind="startup", account=account, date=moment.date(), recorded_by=comms,
        ))  # fmt: skip
        records.add("weekly_activity", account, moment, WeeklyActivity.objects.create(
            account=account, week=WEEKS[moment], posts=3 + i, logged_by=editor,
        ))  # fmt: skip
        records.add("flags", account, moment, ReviewFlag.objects.create(
            account=account, kind=flag_kinds[i], evidence={"weeks": ["2026-W10"], "posts": i},
        ))  # fmt: skip
        records.add("self_checks", account, moment, SelfCheck.objects.create(
            account=account, sender_clear=True, profile_description=i != 1, no_political_stance=True,
            no_dialogue_elsewhere=True, follows_relevant_only=True, comment="" if i != 1 else "Beskrivning saknas.",
            answered_by=editor,
        ))  # fmt: skip
        case = ModerationCase.objects.create(
            account=account, content_kind="comment", category="defamation",
            description=f"HEMLIGKOMMENTAR av en privatperson {tag}", opened_by=editor,
            removed_at=moment, is_criminal=True, police_reported_on=moment.date(), police_reference=f"5000-K{tag}",
        )  # fmt: skip
        records.add("moderation_cases", account, moment, case)
        content = image_bytes("PNG", size=(8 + i, 8 + n))
        evidence = store_evidence(editor, upload(f"skärmdump-{tag}.png", content, "image/png"), case=case)
        records.evidence_bytes[evidence.pk] = content
        records.add("inquiries", account, moment, Inquiry.objects.create(
            account=account, channel="message", received_at=moment, summary=f"HEMLIGFRÅGA om öppettider {tag}",
            deadline=moment + datetime.timedelta(days=1), logged_by=editor,
        ))  # fmt: skip
        basis = LegalBasisRecord.objects.create(
            account=account, post=f"https://www.facebook.com/falkopingsbibliotek/posts/{tag}", published_at=moment,
            basis="consent", documentation=f"HEMLIGDOKUMENTATION: samtycke från Sven Svensson {tag}",
            recorded_by=editor,
        )  # fmt: skip
        records.add("legal_basis", account, moment, basis)
        pdf = PDF_BYTES.replace(b"%%EOF", f"% {tag}\n%%EOF".encode())
        evidence = store_evidence(editor, upload(f"Sven-Svensson-samtycke-{tag}.pdf", pdf, "application/pdf"),
                                  legal_basis=basis)  # fmt: skip
        records.evidence_bytes[evidence.pk] = pdf
        # R3: a private person's comment captured from the platform, edited once.
        with disable_auditlog():
            connection, _made = Connection.objects.get_or_create(
                account=account, kind="facebook",
                defaults={"base_url": "https://graph.facebook.com", "external_id": f"page-{account.pk}",
                          "created_by": comms},
            )  # fmt: skip
        raw = {"id": f"comment-{tag}", "message": f"HEMLIGKOMMENTAR på Facebook {tag}", "from": {"name": "Sven S"}}
        comment = CapturedItem.objects.create(
            connection=connection, account=account, platform="facebook", platform_id=f"comment-{tag}",
            kind="comment", text=raw["message"], author_id=f"user-{tag}", author_name="Sven S", by_account=False,
            published_at=moment, raw=raw, raw_sha256=hashlib.sha256(tag.encode()).hexdigest(), version_count=2,
        )  # fmt: skip
        ItemVersion.objects.create(
            item=comment, text=f"HEMLIGKOMMENTAR före ändringen {tag}", raw={**raw, "message": "före"},
            raw_sha256=hashlib.sha256(f"före {tag}".encode()).hexdigest(), captured_at=moment,
        )  # fmt: skip
        records.add("captured_items", account, moment, comment)


@pytest.fixture
def records(clock, media, kommunikator, redaktor, library_account, social_account):
    found = Records()
    make_records(clock, kommunikator, redaktor, library_account, MOMENTS, found)
    make_records(clock, kommunikator, redaktor, social_account, (IN_FIRST,), found, n=1)
    # A change made from a browser: the audit trail keeps its IP address.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ModerationCase), object_pk=str(found.ids["moderation_cases"][
            (library_account.pk, IN_FIRST)])
    ).update(remote_addr="192.0.2.44")  # fmt: skip
    clock.move_to(NOW, tick=False)
    return found


def built(kommunikator, **params) -> RecordsExport:
    export = RecordsExport.objects.create(requested_by=kommunikator, **params)
    build_export(export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    return export


def unpack(export) -> zipfile.ZipFile:
    with export.file.open("rb") as f:
        return zipfile.ZipFile(io.BytesIO(f.read()))


def read_json(archive, path):
    return json.loads(archive.read(path))


def ids_in(archive, kind):
    return [record["id"] for record in read_json(archive, f"{kind}.json")["records"]]


def check_manifest(archive) -> dict:
    """Every file of the ZIP is in the manifest with its true size and SHA-256, and nothing else is."""
    manifest = read_json(archive, "manifest.json")
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(archive.namelist()) == set(listed) | {"manifest.json"}
    assert len(listed) == len(manifest["files"])
    for path, entry in listed.items():
        data = archive.read(path)
        assert entry["size"] == len(data), path
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), path
    return manifest


def expected_audit_events(export, account=None, period=None):
    """The audit events as a reader would list them: of the account's records (or of every
    record but the org units), up to the request, not the export's own, in the period."""
    if account is not None:
        entries = account_log_entries(account)
    else:
        # Not the org units, nor the council's meetings and invitations.
        entries = LogEntry.objects.exclude(content_type=ContentType.objects.get_for_model(OrgUnit)).exclude(
            content_type__app_label="council"
        )
    own = ContentType.objects.get_for_model(RecordsExport)
    ids = []
    for entry in entries:
        if entry.content_type_id == own.pk and entry.object_pk == str(export.pk):
            continue
        day = timezone.localtime(entry.timestamp).date()
        if entry.timestamp <= export.requested_at and (period is None or period[0] <= day <= period[1]):
            ids.append(entry.pk)
    return sorted(ids)


# A small JSON Schema checker (jsonschema is not a dependency): the keywords the shipped schemas use.


def validate(instance, schema, root=None, path="$"):
    root = root or schema
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return validate(instance, root["$defs"][name], root, path)
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                validate(instance, option, root, path)
                return
            except AssertionError as error:
                errors.append(str(error))
        raise AssertionError(f"{path}: matches no option: {errors}")
    if "const" in schema:
        assert instance == schema["const"], f"{path}: {instance!r} != {schema['const']!r}"
    if "enum" in schema:
        assert instance in schema["enum"], f"{path}: {instance!r} not in {schema['enum']}"
    kind = schema.get("type")
    if kind is not None:
        python = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool, "null": type(None)}
        assert isinstance(instance, python[kind]), f"{path}: {instance!r} is not {kind}"
        if kind == "integer":
            assert not isinstance(instance, bool), f"{path}: a boolean is not an integer"
    if schema.get("format") == "date":
        datetime.date.fromisoformat(instance)
    if schema.get("format") == "date-time":
        assert datetime.datetime.fromisoformat(instance).tzinfo is not None, f"{path}: no time zone"
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            assert key in instance, f"{path}: {key} missing"
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, value in instance.items():
            if key in properties:
                validate(value, properties[key], root, f"{path}.{key}")
            elif extra is False:
                raise AssertionError(f"{path}: {key} is not in the schema")
            elif isinstance(extra, dict):
                validate(value, extra, root, f"{path}.{key}")
    if isinstance(instance, list) and "items" in schema:
        for n, item in enumerate(instance):
            validate(item, schema["items"], root, f"{path}[{n}]")


def validate_every_file(archive):
    json_files = [name for name in archive.namelist() if name.endswith(".json") and not name.startswith("schemas/")]
    assert json_files
    for name in json_files:
        schema = read_json(archive, f"schemas/{name.removesuffix('.json')}.schema.json")
        validate(read_json(archive, name), schema)
    return json_files


# The build -----------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestBuild:
    def test_one_account_in_a_period_holds_exactly_its_records_edges_included(
        self, records, kommunikator, library_account
    ):
        export = built(kommunikator, account=library_account, period_from=PERIOD[0], period_until=PERIOD[1])
        archive = unpack(export)
        manifest = check_manifest(archive)

        assert ids_in(archive, "accounts") == [library_account.pk]
        for kind in KINDS[:-1]:
            expected = records.expected(kind, library_account.pk, INSIDE)
            assert len(expected) == 2
            assert ids_in(archive, kind) == expected, kind
        expected_events = expected_audit_events(export, library_account, PERIOD)
        assert expected_events and ids_in(archive, "audit_events") == expected_events
        assert manifest["counts"] == {
            "accounts": 1, **dict.fromkeys(KINDS[:-1], 2), "audit_events": len(expected_events)
        }  # fmt: skip
        assert export.counts == {**manifest["counts"], "evidence": 4, "evidence_files": 4, "withheld": 0}
        # R3: each captured item's SHA-256, and its earlier versions', in the manifest.
        items = CapturedItem.objects.filter(pk__in=records.expected("captured_items", library_account.pk, INSIDE))
        assert manifest["captured_items"] == [
            {
                "id": item.pk, "platform": "facebook", "platform_id": item.platform_id, "raw_sha256": item.raw_sha256,
                "versions": [version.raw_sha256 for version in item.versions.all()],
            }
            for item in items.order_by("pk")
        ]  # fmt: skip
        captured = read_json(archive, "captured_items.json")["records"]
        assert [item["raw_sha256"] for item in captured] == [e["raw_sha256"] for e in manifest["captured_items"]]
        assert captured[0]["text"].startswith("HEMLIGKOMMENTAR") and len(captured[0]["versions"]) == 1

        # The evidence files themselves, byte for byte, each named in its record.
        cases = read_json(archive, "moderation_cases.json")["records"]
        bases = read_json(archive, "legal_basis.json")["records"]
        evidence = [e for record in cases + bases for e in record["evidence"]]
        assert len(evidence) == 4 == manifest["evidence"]["included"]
        for item in evidence:
            assert archive.read(item["file"]) == records.evidence_bytes[item["id"]]
            assert item["sha256"] == hashlib.sha256(records.evidence_bytes[item["id"]]).hexdigest()
        assert sorted(n for n in archive.namelist() if n.startswith("evidence/")) == sorted(e["file"] for e in evidence)

        # The whole ZIP: its size and SHA-256 as recorded.
        with export.file.open("rb") as f:
            data = f.read()
        assert (export.size, export.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert export.done_steps == export.total_steps and export.finished_at == NOW

    def test_every_account_without_a_period_holds_every_record(self, records, kommunikator, library_account):
        export = built(kommunikator)
        archive = unpack(export)
        manifest = check_manifest(archive)
        models = {
            "decisions": AccountDecision, "mandates": Mandate, "trainings": Training,
            "weekly_activity": WeeklyActivity, "flags": ReviewFlag, "self_checks": SelfCheck,
            "moderation_cases": ModerationCase, "inquiries": Inquiry, "legal_basis": LegalBasisRecord,
        }  # fmt: skip
        for kind, model in models.items():
            assert ids_in(archive, kind) == sorted(model.objects.values_list("pk", flat=True)), kind
            assert len(records.expected(kind)) == 5
        # The conftest's mandate of redaktor is a record too.
        assert manifest["counts"]["mandates"] == 6
        assert ids_in(archive, "audit_events") == expected_audit_events(export)
        assert len(ids_in(archive, "accounts")) == 2
        assert manifest["export"]["account"] is None and manifest["evidence"]["included"] == Evidence.objects.count()

    def test_every_account_in_a_period(self, records, kommunikator, library_account, social_account):
        export = built(kommunikator, period_from=PERIOD[0], period_until=PERIOD[1])
        archive = unpack(export)
        check_manifest(archive)
        for kind in KINDS[:-1]:
            assert ids_in(archive, kind) == records.expected(kind, None, INSIDE), kind
            assert len(ids_in(archive, kind)) == 3
        assert ids_in(archive, "audit_events") == expected_audit_events(export, period=PERIOD)

    def test_an_open_end_of_the_period(self, records, kommunikator, library_account):
        export = built(kommunikator, account=library_account, period_from=IN_LAST.date())
        archive = unpack(export)
        assert ids_in(archive, "decisions") == records.expected("decisions", library_account.pk, (IN_LAST, OUT_AFTER))

    def test_every_json_file_validates_against_the_schema_shipped_with_it(self, records, kommunikator):
        for public_copy in (False, True):
            archive = unpack(built(kommunikator, public_copy=public_copy))
            names = validate_every_file(archive)
            assert "manifest.json" in names and ("secrecy_review.json" in names) == public_copy
            for f in FILES:
                assert read_json(archive, f.path)["schema"] == f"falkoping-some-records/{f.name}/1"

    def test_the_checker_can_fail(self, records, kommunikator):
        archive = unpack(built(kommunikator))
        schema = read_json(archive, "schemas/moderation_cases.schema.json")
        data = read_json(archive, "moderation_cases.json")
        del data["records"][0]["evidence"][0]["sha256"]
        with pytest.raises(AssertionError, match="sha256 missing"):
            validate(data, schema)
        data = read_json(archive, "moderation_cases.json")
        data["records"][0]["category"]["value"] = "gossip"
        with pytest.raises(AssertionError, match="matches no option|not in"):
            validate(data, schema)

    def test_records_read_as_the_schema_says(self, records, kommunikator, library_account, redaktor):
        archive = unpack(built(kommunikator, account=library_account))
        [case, *_] = read_json(archive, "moderation_cases.json")["records"]
        assert case["category"] == {"value": "defamation", "label": "Förtal, personliga angrepp eller förolämpningar"}
        assert case["opened_by"] == {"id": redaktor.pk, "name": redaktor.get_full_name(), "email": redaktor.email}
        assert case["opened_at"] == "2026-03-01T23:59:59+01:00"
        assert case["police_reported_on"] == "2026-03-01"
        [check] = [c for c in read_json(archive, "self_checks.json")["records"] if c["answered_no"]]
        assert check["answered_no"] == ["R5"] and check["comment"] == "Beskrivning saknas."
        [account] = read_json(archive, "accounts.json")["records"]
        assert account["status"]["label"] == "Aktivt" and account["closing_reason"] is None

    def test_the_summary_tells_in_swedish_what_was_exported(self, records, kommunikator, library_account):
        archive = unpack(built(kommunikator, account=library_account, period_from=PERIOD[0], period_until=PERIOD[1]))
        summary = archive.read("summary.html").decode()
        assert '<html lang="sv">' in summary
        assert "Falköpings bibliotek" in summary and "2026-03-02 – 2026-03-30" in summary
        assert re.search(r"<th scope=\"row\">Borttaget innehåll</th><td><code>moderation_cases.json</code></td>"
                         r"<td class=\"number\">2</td>", summary)  # fmt: skip
        assert "4 bevisfiler" in summary and "<h2>Sekretessprövning</h2>" not in summary
        assert archive.read("schemas/EXPORT_SCHEMA.md") == export_module.SCHEMA_DOCUMENT.read_bytes()

    def test_progress_is_saved_and_visible_while_it_runs(self, records, kommunikator, monkeypatch):
        monkeypatch.setattr(export_module, "PROGRESS_EVERY", 10)
        seen = []
        original = export_module._Build.save_progress

        def spy(build):
            original(build)
            seen.append(RecordsExport.objects.values_list("status", "done_steps", "total_steps").get())

        monkeypatch.setattr(export_module._Build, "save_progress", spy)
        export = built(kommunikator)
        assert len(seen) >= 5
        assert all(status == ExportStatus.RUNNING and total == export.total_steps for status, _d, total in seen)
        done = [d for _s, d, _t in seen]
        assert done == sorted(done) and done[-1] < export.total_steps

    def test_the_export_is_in_the_audit_trail_with_its_status(self, records, kommunikator, library_account):
        export = built(kommunikator, account=library_account)
        entries = LogEntry.objects.get_for_object(export).order_by("timestamp", "pk")
        statuses = [e.changes["status"][1] for e in entries if "status" in (e.changes or {})]
        assert statuses == ["pending", "running", "done"]


@pytest.mark.django_db
class TestPublicCopy:
    def test_withheld_in_place_counted_the_same_and_nothing_third_party_leaks(
        self, records, kommunikator, library_account
    ):
        full = built(kommunikator)
        public = built(kommunikator, public_copy=True)
        archive = unpack(public)
        manifest = check_manifest(archive)
        full_manifest = read_json(unpack(full), "manifest.json")
        assert {k: v for k, v in manifest["counts"].items() if k != "audit_events"} == {
            k: v for k, v in full_manifest["counts"].items() if k != "audit_events"
        }
        # The same audit events, and the full export's own (made before this one was requested).
        full_own = list(LogEntry.objects.get_for_object(full).values_list("pk", flat=True))
        assert ids_in(archive, "audit_events") == sorted(ids_in(unpack(full), "audit_events") + full_own)

        # Search every byte, compressed and uncompressed.
        with public.file.open("rb") as f:
            blobs = [f.read()] + [archive.read(name) for name in archive.namelist()]
        for word in SECRET_WORDS:
            assert not any(word.encode() in blob for blob in blobs), word
        full_archive = unpack(full)
        full_text = b"".join(full_archive.read(n) for n in full_archive.namelist())
        assert all(word.encode() in full_text for word in SECRET_WORDS)  # they were there to leak

        marker = {"withheld": True, "reason": "secrecy_review"}
        cases = read_json(archive, "moderation_cases.json")["records"]
        assert len(cases) == 5 and all(case["description"].items() >= marker.items() for case in cases)
        assert all(case["police_reference"].startswith("5000-K") for case in cases)  # staff in their role: public
        assert cases[0]["opened_by"]["email"]
        questions = read_json(archive, "inquiries.json")["records"]
        assert all(q["summary"]["withheld"] for q in questions)
        bases = read_json(archive, "legal_basis.json")["records"]
        assert all(b["documentation"]["withheld"] and b["post"].startswith("https://") for b in bases)
        # R3: a private person's captured comment, its name and its earlier version: withheld; its hash stays.
        captured = read_json(archive, "captured_items.json")["records"]
        assert len(captured) == 5 and all(
            c["text"]["withheld"] and c["author_name"]["withheld"] and c["raw"]["withheld"]
            and c["versions"][0]["text"]["withheld"] and len(c["raw_sha256"]) == 64
            for c in captured
        )  # fmt: skip
        assert [c["raw_sha256"] for c in captured] == [e["raw_sha256"] for e in manifest["captured_items"]]

        # Evidence: listed with its hash, the file itself withheld and left out of the ZIP.
        evidence = [e for r in cases + bases for e in r["evidence"]]
        assert len(evidence) == 10 == manifest["evidence"]["listed"] and manifest["evidence"]["included"] == 0
        assert all(
            e["file"]["withheld"] and e["original_name"]["withheld"] and len(e["sha256"]) == 64 for e in evidence
        )
        assert not [n for n in archive.namelist() if n.startswith("evidence/")]

        # The audit trail's copies and the IP address.
        events = read_json(archive, "audit_events.json")["records"]
        case_events = [e for e in events if e["record_type"] == "moderation.moderationcase"]
        assert case_events and all(e["changes"]["description"]["withheld"] for e in case_events)
        assert [e["remote_addr"]["withheld"] for e in events if e["remote_addr"]] == [True]
        assert all(e["record_title"]["withheld"] for e in events if e["record_type"] == "moderation.inquiry")

        # Every withheld item is listed once, and the summary says how many and where.
        review = read_json(archive, "secrecy_review.json")
        assert review["count"] == len(review["items"]) == manifest["withheld"] == public.counts["withheld"]
        fields = {(i["file"], i["field"]) for i in review["items"]}
        assert {
            ("moderation_cases.json", "description"), ("moderation_cases.json", "evidence.file"),
            ("moderation_cases.json", "evidence.original_name"), ("inquiries.json", "summary"),
            ("legal_basis.json", "documentation"), ("legal_basis.json", "evidence.file"),
            ("audit_events.json", "changes.description"), ("audit_events.json", "remote_addr"),
            ("audit_events.json", "record_title"), ("captured_items.json", "text"),
            ("captured_items.json", "versions.text"),
        } <= fields  # fmt: skip
        evidence_items = [i for i in review["items"] if i["field"] == "evidence.file"]
        assert sorted(i["evidence_id"] for i in evidence_items) == sorted(e["id"] for e in evidence)
        summary = archive.read("summary.html").decode()
        assert f"{review['count']} uppgifter hålls inne" in summary and "secrecy_review.json" in summary

    def test_a_public_copy_needs_no_evidence_file(self, records, kommunikator, media):
        for evidence in Evidence.objects.all():
            (media / evidence.file.name).unlink()
        assert built(kommunikator, public_copy=True).counts["evidence_files"] == 0


@pytest.mark.django_db
class TestFailureAndRerun:
    def test_a_missing_evidence_file_fails_with_a_message_and_leaves_no_file(self, records, kommunikator, media):
        evidence = Evidence.objects.order_by("pk")[2]
        (media / evidence.file.name).unlink()
        export = RecordsExport.objects.create(requested_by=kommunikator)
        build_export(export.pk)
        export.refresh_from_db()
        assert export.status == ExportStatus.FAILED
        assert evidence.original_name in export.error and "saknas" in export.error
        assert not export.file and export.size is None and export.finished_at == NOW
        assert not list((media / "exports").rglob("*.zip"))

    def test_a_changed_evidence_file_fails(self, records, kommunikator, media):
        evidence = Evidence.objects.order_by("pk")[0]
        (media / evidence.file.name).write_bytes(image_bytes("PNG", size=(30, 30)))
        export = RecordsExport.objects.create(requested_by=kommunikator, account=evidence.account)
        build_export(export.pk)
        export.refresh_from_db()
        assert export.status == ExportStatus.FAILED and "SHA-256" in export.error
        assert not list((media / "exports").rglob("*.zip"))

    def test_an_unexpected_error_fails_with_a_swedish_message(self, records, kommunikator, media, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("disk")

        monkeypatch.setattr(export_module._Build, "write_summary", broken)
        export = RecordsExport.objects.create(requested_by=kommunikator)
        build_export(export.pk)
        export.refresh_from_db()
        assert export.status == ExportStatus.FAILED and "oväntat fel" in export.error
        assert not list((media / "exports").rglob("*.zip"))

    def test_a_killed_run_delivered_again_starts_over_and_ends_in_the_same_file(
        self, records, kommunikator, library_account, media
    ):
        export = built(kommunikator, account=library_account, public_copy=True)
        first = (export.sha256, export.size, export.counts, unpack(export).read("manifest.json"))
        first_file = media / export.file.name
        # The worker was killed half-way: RUNNING, some steps done, a half-written ZIP left.
        RecordsExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.RUNNING, done_steps=7, file="", size=None, sha256="", finished_at=None
        )
        partial = media / "exports" / "partial" / f"{export.pk}-halfwritten.zip"
        partial.write_bytes(b"PK\x03\x04half")
        first_file.unlink()

        build_export(export.pk)  # acks_late: the same task again
        export.refresh_from_db()
        assert export.status == ExportStatus.DONE
        assert (export.sha256, export.size, export.counts, unpack(export).read("manifest.json")) == first
        assert not partial.exists() and list((media / "exports" / "partial").iterdir()) == []
        assert len(list((media / "exports").rglob("*.zip"))) == 1

    def test_a_finished_export_run_again_changes_nothing(self, records, kommunikator, library_account):
        export = built(kommunikator, account=library_account)
        before = RecordsExport.objects.values().get(pk=export.pk)
        entries = LogEntry.objects.count()
        build_records_export.apply(args=[export.pk])
        assert RecordsExport.objects.values().get(pk=export.pk) == before and LogEntry.objects.count() == entries


# The pages -----------------------------------------------------------------------------------------


def urls(export):
    return [
        reverse("records:index"),
        reverse("records:export_create"),
        export.get_absolute_url(),
        reverse("records:export_download", args=[export.pk]),
    ]


@pytest.fixture
def done_export(records, kommunikator, library_account):
    return built(kommunikator, account=library_account, period_from=PERIOD[0], period_until=PERIOD[1])


@pytest.mark.django_db
class TestPermissions:
    def test_anonymous_is_sent_to_sign_in(self, client, done_export):
        for url in urls(done_export):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith(reverse("account_login")), url

    @pytest.mark.parametrize("role", ["medarbetare", "redaktor", "chef", "annan_chef", "annan_redaktor"])
    def test_nobody_but_comms(self, client, request, role, done_export):
        client.force_login(request.getfixturevalue(role))
        for url in urls(done_export):
            assert client.get(url).status_code == 403, url
        assert client.post(reverse("records:export_create"), {}).status_code == 403
        assert RecordsExport.objects.count() == 1

    def test_comms_without_mfa_is_sent_to_activate_it(self, client, kommunikator_utan_mfa, done_export):
        client.force_login(kommunikator_utan_mfa)
        for url in urls(done_export):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp"), url
        client.post(reverse("records:export_create"), {})
        assert RecordsExport.objects.count() == 1

    def test_the_service_refuses_anyone_but_comms(self, redaktor, chef, kommunikator_utan_mfa):
        from django.core.exceptions import PermissionDenied

        for user in (redaktor, chef, kommunikator_utan_mfa):
            with pytest.raises(PermissionDenied):
                request_export(user)
        assert not RecordsExport.objects.exists()

    def test_comms_with_mfa(self, client, kommunikator, done_export):
        client.force_login(kommunikator)
        for url in urls(done_export):
            assert client.get(url).status_code == 200, url

    def test_changes_only_by_post(self, client, kommunikator, done_export):
        client.force_login(kommunikator)
        for url in urls(done_export)[2:] + [reverse("records:index")]:
            assert client.post(url).status_code == 405, url


@pytest.mark.django_db
class TestPages:
    def test_the_archive_page_offers_an_export_and_the_ways_to_disposal(self, client, kommunikator, library_account):
        client.force_login(kommunikator)
        page = client.get(reverse("records:index")).text
        assert "<h1>Arkiv</h1>" in page
        assert f'href="{reverse("records:disposal_list")}"' in page
        assert f'href="{reverse("admin:records_retentionrule_changelist")}"' in page
        assert f'action="{reverse("records:export_create")}"' in page
        assert '<option value="" selected>Alla konton</option>' in page
        assert "Inga handlingar har exporterats ännu." in page
        assert 'aria-current="page"' in page and ">Arkiv</a>" in page

    def test_starting_an_export_queues_it_once_committed(
        self, client, kommunikator, library_account, monkeypatch, django_capture_on_commit_callbacks
    ):
        queued = []
        monkeypatch.setattr(build_records_export, "delay", lambda pk: queued.append(pk))
        client.force_login(kommunikator)
        data = {"account": library_account.pk, "period_from": "2026-03-02", "period_until": "2026-03-30",
                "public_copy": "on"}  # fmt: skip
        with django_capture_on_commit_callbacks() as callbacks:
            response = client.post(reverse("records:export_create"), data)
            export = RecordsExport.objects.get()
            assert queued == []  # not before the request is committed
        for callback in callbacks:
            callback()
        assert queued == [export.pk]
        assert response.status_code == 302 and response["Location"] == export.get_absolute_url()
        assert (export.account, export.period_from, export.period_until, export.public_copy) == (
            library_account, datetime.date(2026, 3, 2), datetime.date(2026, 3, 30), True
        )  # fmt: skip
        assert export.requested_by == kommunikator and export.status == ExportStatus.PENDING
        entry = LogEntry.objects.get_for_object(export).get()
        assert entry.action == LogEntry.Action.CREATE and entry.actor == kommunikator

    def test_all_accounts_without_a_period(self, client, kommunikator, monkeypatch, django_capture_on_commit_callbacks):
        monkeypatch.setattr(build_records_export, "delay", lambda pk: None)
        client.force_login(kommunikator)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("records:export_create"), {"account": "", "period_from": "", "period_until": ""})
        export = RecordsExport.objects.get()
        assert (export.account, export.period_from, export.period_until, export.public_copy) == (
            None,
            None,
            None,
            False,
        )

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"period_from": "2026-03-30", "period_until": "2026-03-02"}, "period_until",
             "Perioden slutar innan den börjar: sista dagen kommer före den första."),
            ({"period_from": "1925-01-01"}, "period_from",
             "Ange ett datum från 2000-01-01: portalen har inga äldre handlingar."),
            ({"period_until": "2205-01-01"}, "period_until",
             "Ange ett datum till och med 2027-11-26: det här ligger mer än ett år fram i tiden."),
            ({"period_from": "31/12"}, "period_from", "Ange datumet som 2026-01-31."),
            ({"account": "99999"}, "account", "Kontot finns inte i registret. Välj ett i listan."),
        ],
    )  # fmt: skip
    def test_wrong_input_is_refused_in_swedish_at_its_field(self, client, clock, kommunikator, data, field, message):
        clock.move_to(NOW, tick=False)
        client.force_login(kommunikator)
        response = client.post(reverse("records:export_create"), data)
        assert response.status_code == 200
        assert response.context["form"].errors[field] == [message]
        page = response.text
        assert message in page and "Exporten startades inte. Rätta fälten som är markerade nedan." in page
        assert 'aria-invalid="true"' in page and f'id="id_{field}_error"' in page
        assert not RecordsExport.objects.exists()

    def test_the_account_page_link_chooses_the_account(self, client, kommunikator, library_account):
        client.force_login(kommunikator)
        page = client.get(reverse("records:export_create"), {"konto": library_account.pk}).text
        assert f'<option value="{library_account.pk}" selected>Falköpings bibliotek (Facebook)</option>' in page
        page = client.get(reverse("records:index"), {"konto": library_account.pk}).text
        assert f'<option value="{library_account.pk}" selected>' in page
        page = client.get(reverse("records:export_create"), {"konto": "x99"}).text
        assert '<option value="" selected>Alla konton</option>' in page

    def test_the_status_page_follows_the_worker(self, client, kommunikator, library_account, records):
        client.force_login(kommunikator)
        export = RecordsExport.objects.create(requested_by=kommunikator, account=library_account)
        url = export.get_absolute_url()
        waiting = client.get(url).text
        assert "Väntar på att starta" in waiting
        # Progress without reloading the page (WCAG 2.2.1): a script polls the page itself, with a
        # plain link where there is no script.
        assert "http-equiv" not in waiting and "js/progress.js" in waiting
        assert f'data-poll="{url}"' in waiting and f'<noscript><p><a href="{url}">Uppdatera sidan</a>' in waiting
        RecordsExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, total_steps=200, done_steps=50)
        running = client.get(url).text
        assert '<progress id="export-progress" max="200" value="50">25 %</progress>' in running
        assert '<label for="export-progress">50 av 200 steg klara (25 %)</label>' in running

        build_export(export.pk)
        export.refresh_from_db()
        done = client.get(url).text
        assert "http-equiv" not in done and "<progress" not in done
        assert export.sha256 in done and "Ladda ner ZIP-filen" in done
        assert reverse("records:export_download", args=[export.pk]) in done
        assert re.search(r'<th scope="row">Frågor</th><td><code>inquiries.json</code></td><td>4</td>', done)
        assert re.search(r'<th scope="row">Bevisfiler</th><td><code>evidence/</code></td><td>8</td>', done)

    def test_a_failed_export_says_why_and_can_be_tried_again(
        self, client, kommunikator, records, media, monkeypatch, django_capture_on_commit_callbacks
    ):
        inside = Evidence.objects.filter(case__opened_at__date__gte=PERIOD[0]).first()
        Path(media / inside.file.name).unlink()
        export = RecordsExport.objects.create(requested_by=kommunikator, period_from=PERIOD[0], public_copy=False)
        build_export(export.pk)
        client.force_login(kommunikator)
        page = client.get(export.get_absolute_url()).text
        export.refresh_from_db()
        assert "Exporten misslyckades" in page and export.error in page.replace("&#x27;", "'")
        assert "Ladda ner" not in page
        assert client.get(reverse("records:export_download", args=[export.pk])).status_code == 404

        queued = []
        monkeypatch.setattr(build_records_export, "delay", lambda pk: queued.append(pk))
        retry = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
        assert retry["period_from"] == "2026-03-02"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("records:export_create"), retry)
        again = RecordsExport.objects.latest("pk")
        assert again.pk != export.pk and queued == [again.pk] and response["Location"] == again.get_absolute_url()
        assert (again.period_from, again.period_until, again.account, again.public_copy) == (
            PERIOD[0], None, None, False
        )  # fmt: skip

    def test_the_archive_page_lists_the_exports_page_by_page(self, client, kommunikator, done_export, library_account):
        for _n in range(25):
            RecordsExport.objects.create(requested_by=kommunikator, public_copy=True)
        client.force_login(kommunikator)
        first = client.get(reverse("records:index"))
        assert first.context["page"].paginator.count == 26 and len(first.context["page"].object_list) == 25
        assert "26 exporter, nyaste först" in first.text and "Alla konton" in first.text
        second = client.get(reverse("records:index"), {"sida": 2}).text
        link = re.escape(done_export.get_absolute_url())
        row = re.search(rf'<tr>\s*<td><a href="{link}">.*?</tr>', second, re.S).group(0)
        assert "Falköpings bibliotek (Facebook)" in row and "2026-03-02 – 2026-03-30" in row
        assert "Nej" in row and "Genomfört" in row and reverse("records:export_download", args=[done_export.pk]) in row
        assert str(kommunikator) in row


@pytest.mark.django_db
class TestDownload:
    def test_the_zip_as_an_attachment_with_a_readable_name_and_in_the_audit_trail(
        self, client, kommunikator, done_export, library_account
    ):
        client.force_login(kommunikator)
        response = client.get(reverse("records:export_download", args=[done_export.pk]), REMOTE_ADDR="192.0.2.7")
        data = b"".join(response.streaming_content)
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        assert (
            response["Content-Disposition"] == 'attachment; filename="handlingar-falkopings-bibliotek-2026-11-25.zip"'
        )
        assert response["Cache-Control"] == "private, no-store" and response["X-Content-Type-Options"] == "nosniff"
        assert hashlib.sha256(data).hexdigest() == done_export.sha256

        entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
        assert entry.object_pk == str(done_export.pk) and entry.actor == kommunikator
        assert entry.remote_addr == "192.0.2.7"
        assert entry.additional_data["downloaded"] == "handlingar-falkopings-bibliotek-2026-11-25.zip"

        # The account's audit trail (Händelselogg) shows the export and who took it out.
        trail = client.get(reverse("records:audit", args=[library_account.pk])).text
        assert "Nedladdad" in trail and "handlingar-falkopings-bibliotek-2026-11-25.zip" in trail
        assert "Export av handlingar" in trail

    def test_a_public_copy_of_every_account_is_named_so(self, client, kommunikator, records):
        export = built(kommunikator, public_copy=True)
        client.force_login(kommunikator)
        response = client.get(reverse("records:export_download", args=[export.pk]))
        assert 'filename="handlingar-alla-konton-2026-11-25-offentlig-kopia.zip"' in response["Content-Disposition"]

    def test_nothing_to_download_before_it_is_done(self, client, kommunikator, library_account):
        export = RecordsExport.objects.create(requested_by=kommunikator, account=library_account)
        client.force_login(kommunikator)
        assert client.get(reverse("records:export_download", args=[export.pk])).status_code == 404
        assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()

    def test_the_file_is_in_the_private_storage_and_no_url_serves_it(self, client, done_export, media, settings):
        assert Path(done_export.file.path).is_relative_to(media)
        # The private storage has no URL at all (not a fall-back to MEDIA_URL)...
        with pytest.raises(ValueError, match="private file"):
            done_export.file.url  # noqa: B018
        # ...and nothing under MEDIA_URL serves the file's name, signed in or not.
        guess = "/" + (settings.MEDIA_URL or "").lstrip("/") + done_export.file.name
        assert client.get(guess).status_code == 404
        client.force_login(done_export.requested_by)
        assert client.get(guess).status_code == 404


def test_the_schema_document_lists_every_field_as_the_code_writes_them():
    document = export_module.SCHEMA_DOCUMENT.read_text()
    generated = document.split("<!-- fields:begin -->\n", 1)[1].split("<!-- fields:end -->", 1)[0]
    assert generated == fields_markdown(), "regenerate the tables of EXPORT_SCHEMA.md from fields_markdown()"


def test_every_kind_of_record_has_its_file():
    from records.models import RecordKind

    assert [f.name for f in FILES] == ["accounts", *RecordKind.values]


# A real worker -------------------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_builds_the_export(tmp_path, media, kommunikator, library_account):
    """The worker is its own process: it reads the export from the test database, writes the ZIP
    into the same private storage and marks it done."""
    case = ModerationCase.objects.create(
        account=library_account, content_kind="comment", category="spam", description="Reklam",
        opened_by=kommunikator,
    )  # fmt: skip
    content = image_bytes("PNG")
    store_evidence(kommunikator, upload("skärmdump.png", content, "image/png"), case=case)
    export = request_export(kommunikator, account=library_account)  # queued on commit: autocommit here

    log = tmp_path / "worker.log"
    env = {
        "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL,
        "PORTAL_VAR_DIR": str(tmp_path / "var"), "PORTAL_PRIVATE_MEDIA_ROOT": str(media),
    }  # fmt: skip

    def built():
        export.refresh_from_db()
        return export.finished

    with celery_worker(log, env) as worker:
        wait_for(built, worker, log, "Not built")
    assert export.status == ExportStatus.DONE, export.error
    archive = unpack(export)
    check_manifest(archive)
    [evidence_file] = [n for n in archive.namelist() if n.startswith("evidence/")]
    assert archive.read(evidence_file) == content
    assert export.counts["moderation_cases"] == 1 and export.counts["accounts"] == 1
    assert "accounts.tasks.build_records_export" in log.read_text()
