"""An existing database survives the upgrade: nothing is lost when models move between apps.

What it proves
--------------
data/demo_before_the_split.json.gz is `manage.py dumpdata --all --exclude sessions` of a demo
database taken while every model still lived where BEFORE_THE_SPLIT says (accounts at 0019, …):
users, units, accounts, mandates, the weekly activity, review flags, an export, an import, a
disposal, permissions, the comms group and django-auditlog's trail. The test

1. migrates the test database back to BEFORE_THE_SPLIT (the apps in NEW_APPS to zero, third-party
   apps stay at their latest), empties it and loads the dump with the models of that state (the
   historical models the migrations describe, not today's classes, which may live elsewhere);
2. runs the real upgrade, `manage.py migrate`, as a deployment does;
3. checks against today's models that every row of the dump is still there, under its model of
   today, with the same primary key and the same values; that the content type of a moved model was
   renamed, not replaced (same pk, new app label); that every audit log entry and permission points
   to a model and every logged object can still be found through its entry; that groups keep their
   permissions.

It runs on the database of the test run (SQLite or PostgreSQL), once more explicitly on PostgreSQL
(marked `postgres`: it must run in CI), and on SQLite in a child pytest process when the run itself
is on PostgreSQL.

When a model moves to another app
---------------------------------
The move is a pure state move: `SeparateDatabaseAndState` with `db_table` kept, and in the same
migration the model's ContentType row is renamed (app_label) rather than left to be recreated, so
that audit log entries, permissions and generic relations stay attached. Then add one entry to MOVED:

    ("accounts", "weeklyactivity"): ("activity", "weeklyactivity"),

lower-case model names, old app to the left. Nothing else here changes. Each new app goes in
NEW_APPS (already listed for the planned split). The migrations of the move must be reversible
(the test migrates back through them): give the content type's RunPython its reverse. Never change
BEFORE_THE_SPLIT or the dump: they are the state of the databases that exist today. If a later
migration changes the dumped data on purpose, this test says which rows differ; teach it that change
explicitly.

A failure lists every problem found, each with the row it concerns, for instance
`MOVED accounts.datasetmarker -> demo.datasetmarker: content type pk=35 should be
demo.datasetmarker, is accounts.datasetmarker` (the move forgot to rename the content type) or
`accounts.datasetmarker: no such model today (did it move? add it to MOVED)`.

It needs the migrations: under --nomigrations it is skipped.
"""

import decimal
import gzip
import importlib
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import Deserializer as JSONDeserializer
from django.db import connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils.dateparse import parse_date, parse_datetime, parse_duration, parse_time

# The state of the databases in production today: the latest migration of each of our apps before
# models move out of accounts. Third-party apps (auth, contenttypes, auditlog, allauth, celery beat…)
# and falkoping_some are left at their latest migration: the test never migrates them back.
BEFORE_THE_SPLIT = {
    "accounts": "0019_account_text_no_bidi",
    "moderation": "0004_evidence_that_holds_up",
    "council": "0003_answered_on_behalf",
}

# Apps that do not exist before the split: migrated to zero before the dump is loaded.
NEW_APPS = ["activity", "review", "records", "capture", "demo"]

# (old app label, model) -> (new app label, model), lower-case model names as in ContentType.
# The models that moved out of accounts into apps of their own (accounts 0020_move_models_out).
MOVED: dict[tuple[str, str], tuple[str, str]] = {
    ("accounts", "weeklyactivity"): ("activity", "weeklyactivity"),
    ("accounts", "activityimport"): ("activity", "activityimport"),
    ("accounts", "reviewflag"): ("review", "reviewflag"),
    ("accounts", "checkrun"): ("review", "checkrun"),
    ("accounts", "selfcheck"): ("review", "selfcheck"),
    ("accounts", "recordsexport"): ("records", "recordsexport"),
    ("accounts", "retentionrule"): ("records", "retentionrule"),
    ("accounts", "disposal"): ("records", "disposal"),
    ("accounts", "datasetmarker"): ("demo", "datasetmarker"),
}

DUMP = Path(__file__).parent / "data" / "demo_before_the_split.json.gz"
BASE_DIR = Path(__file__).resolve().parents[2]
# Set in the child process of the SQLite variant: it must not start another one.
CHILD_ENV = "FALKOPING_UPGRADE_TEST_CHILD"
SHOWN_PROBLEMS = 25


def today_label(label: str) -> str:
    """The dump's "app_label.model" as today's models name it."""
    app_label, model = label.split(".")
    return "{}.{}".format(*MOVED.get((app_label, model), (app_label, model)))


class HistoricalDeserializer(JSONDeserializer):
    """Django's JSON deserializer, finding models in a migration state instead of today's apps."""

    def __init__(self, stream_or_string, *, historical_apps, **options):
        self.historical_apps = historical_apps
        super().__init__(stream_or_string, **options)

    def _get_model_from_node(self, model_identifier):
        try:
            return self.historical_apps.get_model(model_identifier)
        except (LookupError, TypeError) as exc:
            raise DeserializationError(f"{model_identifier}: no such model before the split") from exc


def targets_before_the_split(executor) -> tuple[list[tuple[str, str]], list[tuple[str, None]]]:
    """The nodes of the state before the split (every app at its latest but those in
    BEFORE_THE_SPLIT), and the (app, None) targets that remove the new apps."""
    graph = executor.loader.graph
    missing = [f"{app}.{name}" for app, name in BEFORE_THE_SPLIT.items() if (app, name) not in graph.nodes]
    assert not missing, f"BEFORE_THE_SPLIT names migrations that do not exist: {missing}"
    nodes = {}
    for app, name in graph.leaf_nodes():
        if app not in NEW_APPS:
            nodes[app] = (app, BEFORE_THE_SPLIT.get(app, name))
    # A migration of an app left at its latest that needs the split cannot be kept.
    allowed = {app: set(graph.forwards_plan((app, name))) for app, name in BEFORE_THE_SPLIT.items()}
    for node in nodes.values():
        for app, name in graph.forwards_plan(node):
            assert app not in NEW_APPS and (app not in allowed or (app, name) in allowed[app]), (
                f"{node[0]}.{node[1]} depends on {app}.{name}, which comes after the split: "
                f"give {node[0]} its own entry in BEFORE_THE_SPLIT"
            )
    removed = [(app, None) for app in NEW_APPS if app in {a for a, _ in graph.leaf_nodes()}]
    return list(nodes.values()), removed


def flush(tables: list[str]) -> None:
    """Empty the tables and restart their sequences (TRUNCATE … CASCADE on PostgreSQL, DELETE on SQLite)."""
    sql = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    connection.ops.execute_sql_flush(sql)


def load_before_the_split(dump_text: str) -> None:
    """Migrate back to the state before the split, empty it and load the dump into it."""
    executor = MigrationExecutor(connection)
    nodes, removed = targets_before_the_split(executor)
    executor.migrate(nodes + removed)
    state = executor.loader.project_state(nodes)
    historical = list(state.apps.get_models(include_auto_created=True))
    existing = set(connection.introspection.table_names())
    tables = sorted({m._meta.db_table for m in historical if m._meta.managed and not m._meta.proxy} & existing)
    flush(tables)
    objects = HistoricalDeserializer(dump_text, historical_apps=state.apps, using=connection.alias)
    # As loaddata does: rows may point to rows that come later in the dump.
    with transaction.atomic(using=connection.alias):
        with connection.constraint_checks_disabled():
            for obj in objects:
                obj.save(using=connection.alias)
        connection.check_constraints(table_names=tables)
    # The dump gives explicit primary keys: the next row must not take one of them (PostgreSQL).
    reset = connection.ops.sequence_reset_sql(no_style(), historical)
    if reset:
        with connection.cursor() as cursor:
            for statement in reset:
                cursor.execute(statement)


def comparable(field, value):
    """A dumped value in a form that compares equal however the database returned it."""
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return parse_datetime(value) if isinstance(value, str) else value
    if isinstance(field, models.DateField):
        return parse_date(value) if isinstance(value, str) else value
    if isinstance(field, models.TimeField):
        return parse_time(value) if isinstance(value, str) else value
    if isinstance(field, models.DurationField):
        return parse_duration(value) if isinstance(value, str) else value
    if isinstance(field, models.DecimalField):
        return decimal.Decimal(str(value))
    if isinstance(field, models.FloatField):
        return float(value)
    return value


DECISION_ROLES = importlib.import_module("accounts.migrations.0022_decision_role_code")


def expected_fields(row: dict) -> dict:
    """The dumped fields as they should read after the upgrade: a moved model's content type is renamed."""
    fields = dict(row["fields"])
    if row["model"] == "contenttypes.contenttype":
        fields["app_label"], fields["model"] = MOVED.get(
            (fields["app_label"], fields["model"]), (fields["app_label"], fields["model"])
        )
    if row["model"] == "accounts.accountdecision":
        # accounts 0022: the role's name ("Chef") became its code ("manager"), translated when shown.
        fields["role"] = DECISION_ROLES.ROLE_CODES[fields["role"].lower()]
    if row["model"] == "django_celery_beat.periodictasks":
        # Beat's "the schedule changed" stamp: a migration that adds a schedule sets it (capture 0002).
        fields.pop("last_update", None)
    return fields


def rows_that_differ(dump: list[dict]) -> list[str]:
    """Every dumped row, under its model of today, with the same pk and the same values."""
    by_label = defaultdict(list)
    for row in dump:
        by_label[row["model"]].append(row)
    problems = []
    for label, rows in by_label.items():
        try:
            model = apps.get_model(today_label(label))
        except LookupError:
            problems.append(f"{label}: no such model today (did it move? add it to MOVED)")
            continue
        found = model._base_manager.filter(pk__in=[row["pk"] for row in rows])
        # Serialized as dumpdata serializes: the same shapes as the dump's values.
        current = {str(o["pk"]): o["fields"] for o in json.loads(serializers.serialize("json", found))}
        for row in rows:
            where = f"{label} pk={row['pk']}" + (f" (now {today_label(label)})" if label != today_label(label) else "")
            if str(row["pk"]) not in current:
                problems.append(f"{where}: missing after the upgrade")
                continue
            for name, value in expected_fields(row).items():
                try:
                    field = model._meta.get_field(name)
                except FieldDoesNotExist:
                    problems.append(f"{where}: field {name} no longer exists")
                    continue
                now = current[str(row["pk"])].get(name)
                if isinstance(field, models.ManyToManyField):
                    # The upgrade may add (post_migrate grants the comms group new permissions), never lose.
                    lost = sorted(set(value) - set(now or ()))
                    if lost:
                        problems.append(f"{where}: {name} lost {lost}")
                elif comparable(field, now) != comparable(field, value):
                    problems.append(f"{where}: {name} should be {value!r}, is {now!r}")
    return problems


def content_type_problems(content_types: dict[int, str]) -> list[str]:
    """Each moved model's content type renamed in place, and every dumped one naming a model."""
    from django.contrib.contenttypes.models import ContentType

    problems = []
    for (old_app, old_model), (new_app, new_model) in MOVED.items():
        where = f"MOVED {old_app}.{old_model} -> {new_app}.{new_model}"
        old_pks = [pk for pk, label in content_types.items() if label == f"{old_app}.{old_model}"]
        if not old_pks:
            problems.append(f"{where}: the dump has no content type {old_app}.{old_model}")
            continue
        renamed = ContentType.objects.filter(pk=old_pks[0]).first()
        if renamed is None or (renamed.app_label, renamed.model) != (new_app, new_model):
            now = "gone" if renamed is None else f"{renamed.app_label}.{renamed.model}"
            problems.append(f"{where}: content type pk={old_pks[0]} should be {new_app}.{new_model}, is {now}")
        if ContentType.objects.filter(app_label=old_app, model=old_model).exists():
            problems.append(f"{where}: a content type {old_app}.{old_model} is still there")
        if ContentType.objects.filter(app_label=new_app, model=new_model).exclude(pk=old_pks[0]).exists():
            problems.append(f"{where}: a second content type {new_app}.{new_model} was created beside pk={old_pks[0]}")
    for pk, label in content_types.items():
        current = ContentType.objects.filter(pk=pk).first()
        if current is None:
            problems.append(f"contenttypes.contenttype pk={pk} ({label}): gone")
        elif current.model_class() is None:
            problems.append(
                f"contenttypes.contenttype pk={pk} ({label}): reads {current.app_label}.{current.model}, "
                "which names no model today"
            )
    return problems


def audit_log_problems(dump: list[dict], content_types: dict[int, str]) -> list[str]:
    """Every audit log entry names a model, and finds its object when the dump has it."""
    from auditlog.models import LogEntry

    dumped = {(row["model"], str(row["pk"])) for row in dump}
    entries = [row for row in dump if row["model"] == "auditlog.logentry"]
    current = LogEntry.objects.select_related("content_type").in_bulk([row["pk"] for row in entries])
    problems = []
    followed = 0
    for row in entries:
        logged = (content_types[row["fields"]["content_type"]], row["fields"]["object_pk"])
        where = f"auditlog.logentry pk={row['pk']} (of {logged[0]} pk={logged[1]})"
        entry = current.get(row["pk"])
        if entry is None:
            problems.append(f"{where}: missing")
            continue
        content_type = entry.content_type
        if content_type.model_class() is None:
            problems.append(f"{where}: its content type {content_type.app_label}.{content_type.model} names no model")
            continue
        if logged not in dumped:
            continue  # an entry of an object deleted before the dump was taken
        followed += 1
        try:
            content_type.get_object_for_this_type(pk=entry.object_pk)
        except ObjectDoesNotExist:
            problems.append(f"{where}: no {content_type.app_label}.{content_type.model} pk={entry.object_pk} found")
    if not followed:
        problems.append("no audit log entry of the dump was followed to its object: is this the right dump?")
    return problems


def permission_problems(dump: list[dict]) -> list[str]:
    """Every dumped permission still there, naming a model; groups keep their permissions."""
    from django.contrib.auth.models import Group, Permission

    permissions = [row for row in dump if row["model"] == "auth.permission"]
    current = Permission.objects.select_related("content_type").in_bulk([row["pk"] for row in permissions])
    problems = []
    for row in permissions:
        where = f"auth.permission pk={row['pk']} ({row['fields']['codename']})"
        permission = current.get(row["pk"])
        if permission is None:
            problems.append(f"{where}: missing")
        elif permission.content_type.model_class() is None:
            content_type = permission.content_type
            problems.append(f"{where}: its content type {content_type.app_label}.{content_type.model} names no model")
    for row in (row for row in dump if row["model"] == "auth.group"):
        where = f"auth.group pk={row['pk']} ({row['fields']['name']})"
        group = Group.objects.filter(pk=row["pk"]).first()
        if group is None:
            problems.append(f"{where}: missing")
            continue
        lost = sorted(set(row["fields"]["permissions"]) - set(group.permissions.values_list("pk", flat=True)))
        if lost:
            problems.append(f"{where}: lost permissions {lost}")
    return problems


def check_the_upgrade() -> None:
    from django.contrib.contenttypes.models import ContentType

    dump_text = gzip.decompress(DUMP.read_bytes()).decode()
    dump = json.loads(dump_text)
    try:
        load_before_the_split(dump_text)
        ContentType.objects.clear_cache()  # it may hold the pks of before the load
    finally:
        # The upgrade under test. When the load failed, it leaves the database at the latest state
        # for the tests that come after.
        call_command("migrate", verbosity=0)
    ContentType.objects.clear_cache()

    content_types = {
        row["pk"]: "{app_label}.{model}".format(**row["fields"])
        for row in dump
        if row["model"] == "contenttypes.contenttype"
    }
    found = {
        "Rows of the dump": rows_that_differ(dump),
        "Content types": content_type_problems(content_types),
        "Audit log entries": audit_log_problems(dump, content_types),
        "Permissions and groups": permission_problems(dump),
    }
    report = []
    for what, problems in found.items():
        if problems:
            report.append(f"{what}: {len(problems)} problem(s) after the upgrade")
            report.extend(f"  {problem}" for problem in problems[:SHOWN_PROBLEMS])
            if len(problems) > SHOWN_PROBLEMS:
                report.append(f"  … and {len(problems) - SHOWN_PROBLEMS} more")
    assert not report, "\n".join(report)


@pytest.fixture
def migrated(request):
    if request.config.getoption("nomigrations", default=False):
        pytest.skip("the test database was made without migrations (--nomigrations)")


@pytest.mark.django_db(transaction=True)  # the migration executor commits
def test_the_demo_database_from_before_the_split_survives_the_upgrade(migrated):
    check_the_upgrade()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_demo_database_survives_the_upgrade_on_postgresql(migrated):
    check_the_upgrade()


def test_the_demo_database_survives_the_upgrade_on_sqlite(tmp_path):
    """The first test again, in a pytest of its own whose settings fall back to SQLite."""
    if os.environ.get(CHILD_ENV):
        pytest.skip("already the child process of this test")
    if connection.vendor == "sqlite":
        pytest.skip("the database of this run is SQLite: the first test covered it")
    env = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "PYTEST_CURRENT_TEST")}
    env.update({CHILD_ENV: "1", "PORTAL_VAR_DIR": str(tmp_path / "var")})
    node = f"{Path(__file__).relative_to(BASE_DIR)}::test_the_demo_database_from_before_the_split_survives_the_upgrade"
    child = subprocess.run(  # noqa: S603 (our own interpreter and test)
        [sys.executable, "-m", "pytest", node, "-q", "-p", "no:randomly", "-p", "no:cacheprovider"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = f"--- stdout\n{child.stdout}\n--- stderr\n{child.stderr}"
    assert child.returncode == 0, f"the SQLite run failed (exit {child.returncode}):\n{output}"
    assert "1 passed" in child.stdout, f"the SQLite run did not run the test:\n{output}"
