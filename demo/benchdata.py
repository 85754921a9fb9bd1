"""Synthetic data for the performance benchmarks: what `manage.py seed_bench` writes.

A made-up municipality of N accounts across a few hundred org units in a tree (administrations,
departments, workplaces), each unit with a manager, a handful of comms staff, editors with
mandates, W full ISO weeks of weekly activity before the current week, questions, removed content,
yearly self-checks and the review flags that the scheduled checks would raise on that data.

The activity of the active accounts follows a mix (PATTERNS): about 75 % post every week (from one
to forty posts), 10 % every other week (the posting-shortfall check finds them), 10 % went silent
seven or more months ago (the inactivity check, R6/R15, finds them) and 5 % post now and then,
less than once a week. Everything is drawn from one random.Random(seed), in a fixed order, so
one seed gives the same data on the same day, whichever way the rows are inserted.

Memory stays bounded: the accounts are made and inserted a chunk at a time (CHUNK), and the weekly
rows are streamed to the database as they are generated, in batches, never held all at once. On
PostgreSQL the weekly rows go in with COPY (the whole run measured twice as fast as with bulk_create,
bench/README.md); elsewhere with bulk_create.
"""

import datetime
import io
import itertools
import random
import time
from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.groups import ensure_comms_group
from accounts.models import (
    AccountDecision,
    AccountStatus,
    ClosingReason,
    DecisionOutcome,
    DecisionRole,
    DecisionStep,
    GraphicProfile,
    Mandate,
    OrgUnit,
    Platform,
    Purpose,
    SocialAccount,
    Training,
    TrainingKind,
    User,
)
from accounts.notifications import MANDATE_EXPIRY_NOTICE
from activity.models import WeeklyActivity
from demo.models import DatasetKind, DatasetMarker
from falkoping_some.lib.weeks import week_start
from moderation.deadlines import answer_deadline
from moderation.models import Inquiry, InquiryChannel, ModerationCase
from review.models import OPEN_FLAG_STATUSES, FlagStatus, ReviewFlag, SelfCheck
from review.scheduled_checks import CHECKS, RESOLVED_REASON

BENCH_DOMAIN = "bench.falkoping.se"
CHUNK = 5000  # accounts made and inserted at a time; also the bulk_create batch size
COPY_BATCH = 50_000  # weekly rows per COPY

WEEKLY, EVERY_OTHER, SILENT, SPORADIC = "weekly", "every_other", "silent", "sporadic"
PATTERNS = [WEEKLY, EVERY_OTHER, SILENT, SPORADIC]
PATTERN_WEIGHTS = [75, 10, 10, 5]
SILENT_WEEKS = (31, 60)  # the last post of a silent account: this many weeks ago (7 months and more)

# Of all accounts: mostly active, some closed, some on their way through the request (R11).
STATUSES = [
    AccountStatus.ACTIVE,
    AccountStatus.CLOSED,
    AccountStatus.REQUESTED,
    AccountStatus.MANAGER_APPROVED,
    AccountStatus.APPROVED,
    AccountStatus.REJECTED,
]
STATUS_WEIGHTS = [90, 4, 2, 1.5, 1.5, 1]

PLATFORMS = [
    (Platform.FACEBOOK, 38, "https://www.facebook.com/{}"),
    (Platform.INSTAGRAM, 30, "https://www.instagram.com/{}/"),
    (Platform.LINKEDIN, 8, "https://www.linkedin.com/company/{}/"),
    (Platform.YOUTUBE, 6, "https://www.youtube.com/@{}"),
    (Platform.TIKTOK, 7, "https://www.tiktok.com/@{}"),
    (Platform.X, 3, "https://x.com/{}"),
    (Platform.THREADS, 3, "https://www.threads.net/@{}"),
    (Platform.BLUESKY, 2, "https://bsky.app/profile/{}.bsky.social"),
    (Platform.MASTODON, 1, "https://mastodon.nu/@{}"),
    (Platform.OTHER, 2, "https://www.snapchat.com/add/{}"),
]

ROOTS = [
    "Kommunledningsförvaltningen",
    "Kultur- och fritidsförvaltningen",
    "Barn- och utbildningsförvaltningen",
    "Socialförvaltningen",
    "Samhällsbyggnadsförvaltningen",
    "Räddningstjänsten",
    "Kompetens- och arbetslivsförvaltningen",
    "Vård- och omsorgsförvaltningen",
    "Miljö- och byggförvaltningen",
    "Tekniska förvaltningen",
    "Serviceförvaltningen",
    "Överförmyndarförvaltningen",
]
COMMS_UNIT = "Kommunikationsavdelningen"
DEPARTMENTS = [
    COMMS_UNIT,
    "Biblioteken",
    "Grundskolan",
    "Förskolan",
    "Äldreomsorgen",
    "Hemtjänsten",
    "HR-avdelningen",
    "Ekonomiavdelningen",
    "Gata och park",
    "Vatten och avlopp",
    "Kulturen",
    "Museet",
    "Ungdomsverksamheten",
    "Gymnasieskolan",
    "Vuxenutbildningen",
    "Näringslivsenheten",
    "Turismen",
    "Kostenheten",
    "Fritidsenheten",
    "Integrationsenheten",
]
WORKPLACES = ["Förskolan", "Skolan", "Hemtjänsten", "Boendet", "Biblioteket", "Fritidsgården", "Enheten"]
PLACES = [
    "Floby", "Stenstorp", "Kinneved", "Vartofta", "Åsarp", "Gudhem", "Broddetorp", "Kättilstorp",
    "Yllestad", "Torbjörntorp", "Odensberg", "Fåglavik", "Slöta", "Hömb", "Luttra", "Borgunda",
    "Dimbo", "Kälvene", "Mösseberg", "Ålleberg", "Centrum", "Vilske-Kleva", "Håkantorp", "Brismene",
]  # fmt: skip
FIRST_NAMES = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Kerstin", "Ingrid", "Malin", "Johanna",
    "Lars", "Anders", "Johan", "Per", "Erik", "Karl", "Peter", "Mikael", "Jonas", "Fredrik", "Ali",
    "Fatima", "Noah", "Elsa", "Ebba", "Hugo", "Oskar", "Maja", "Alva",
]  # fmt: skip
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Lindqvist", "Berg", "Holm",
    "Ek", "Lund", "Sandberg", "Nyström", "Hussein", "Ahmed", "Falk", "Åberg", "Öhman",
]  # fmt: skip
QUESTIONS = [
    "Vilka öppettider gäller i helgen?",
    "Hur anmäler man sig till aktiviteten?",
    "Var kan man parkera vid evenemanget?",
    "Går det att boka lokalen kvällstid?",
    "När kommer beslutet om ansökan?",
    "Vem kontaktar man om snöröjningen?",
    "Finns det lediga platser i höst?",
    "Är verksamheten stängd under lovet?",
]
REVOKE_REASONS = ["Har bytt arbetsplats.", "Slutat i kommunen.", "Uppdraget har gått över till en kollega."]
DISMISS_REASONS = ["Kontot är säsongsbetonat.", "Redaktören är föräldraledig; kollega tar över.", "Känt, åtgärdas."]


@dataclass
class Options:
    accounts: int
    weeks: int
    units: int
    seed: int
    flags: int | None  # None: every finding of the checks
    method: str  # "copy" or "bulk"


def default_units(accounts: int) -> int:
    """A few hundred units for a large registry; fewer for a small one."""
    return max(4, min(300, accounts // 10))


def database_is_synthetic() -> tuple[bool, set[str]]:
    """(may seed_bench write here, the markers). Yes when the database carries a demo or bench
    marker, or holds no accounts and no users but superusers (a freshly migrated database)."""
    markers = set(DatasetMarker.objects.values_list("kind", flat=True))
    if markers:
        return True, markers
    empty = not SocialAccount.objects.exists() and not User.objects.filter(is_superuser=False).exists()
    return empty, markers


def wipe() -> None:
    """Empty every table of the portal's data (the apps' own, the audit trail, allauth's, sessions
    and the admin's log), keeping the schema, the migrations' configuration (schedules, sign-in
    policy) and the groups. Only ever called on a database that carries a marker or is empty.

    Records cannot be deleted through the ORM outside a disposal (records/guard.py), and
    the ORM would load millions of weekly rows to send their signals. This is Django's own flush
    (manage.py flush, which the guard names): TRUNCATE … RESTART IDENTITY CASCADE on PostgreSQL,
    so that primary keys start again at 1."""
    labels = [
        "accounts",
        "activity",
        "review",
        "moderation",
        "council",
        "records",
        "demo",
        "auditlog",
        "account",
        "mfa",
        "socialaccount",
        "admin",
        "sessions",
    ]
    keep = {"accounts.signinpolicy"}
    tables = []
    for label in labels:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models(include_auto_created=True):
            if model._meta.label_lower in keep or not model._meta.managed or model._meta.proxy:
                continue
            tables.append(model._meta.db_table)
    existing = set(connection.introspection.table_names())
    tables = sorted(table for table in set(tables) if table in existing)
    sql = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Foreign keys are checked at commit: rows inserted earlier in an enclosing transaction
            # (a test's) leave checks pending, which TRUNCATE refuses. Run them now.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        connection.ops.execute_sql_flush(sql)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class ActivitySink:
    """Streams weekly rows (account_id, week, posts, logged_by_id, logged_at) to the database in
    batches: COPY on PostgreSQL, bulk_create elsewhere. Never holds more than one batch."""

    COLUMNS = ("account_id", "week", "posts", "note", "logged_by_id", "logged_at")

    def __init__(self, method: str):
        self.method = method
        self.count = 0
        self._rows = []
        self._buffer = io.StringIO()
        self._buffered = 0

    def add(self, account_id, week, posts, logged_by_id, logged_at):
        self.count += 1
        if self.method == "copy":
            self._buffer.write(f"{account_id}\t{week}\t{posts}\t\t{logged_by_id}\t{logged_at}\n")
            self._buffered += 1
            if self._buffered >= COPY_BATCH:
                self.flush()
        else:
            self._rows.append(
                WeeklyActivity(account_id=account_id, week=week, posts=posts, logged_by_id=logged_by_id,
                               logged_at=logged_at)
            )  # fmt: skip
            if len(self._rows) >= CHUNK:
                self.flush()

    def flush(self):
        if self.method == "copy":
            if self._buffered:
                self._buffer.seek(0)
                table = WeeklyActivity._meta.db_table
                with connection.cursor() as cursor:
                    cursor.copy_expert(f"COPY {table} ({', '.join(self.COLUMNS)}) FROM STDIN", self._buffer)
                self._buffer = io.StringIO()
                self._buffered = 0
        elif self._rows:
            WeeklyActivity.objects.bulk_create(self._rows, batch_size=CHUNK)
            self._rows = []


class BenchSeeder:
    def __init__(self, options: Options, out=None):
        self.o = options
        self.rng = random.Random(options.seed)  # noqa: S311 (made-up data, reproducible by seed; no secret)
        self.out = out or (lambda line: None)
        self.stats = Counter()
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.tz = timezone.get_current_timezone()
        self.this_monday = week_start(self.today)
        self.window_start = self.this_monday - datetime.timedelta(weeks=options.weeks)
        self.password = make_password(None)  # unusable: the load test signs in with sessions
        self.user_seq = 0
        self.sink = ActivitySink(options.method)
        # When an editor logs a week: six habits, from the Sunday of the week to the Friday after.
        self.log_times = [
            [self._logged_at(weeks_ago, habit) for habit in range(6)] for weeks_ago in range(options.weeks + 1)
        ]
        self.weeks = [self.this_monday - datetime.timedelta(weeks=n) for n in range(options.weeks + 1)]

    # Helpers ------------------------------------------------------------------------------

    def _at(self, day, hour=0, minute=0):
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.tz)

    def _logged_at(self, weeks_ago, habit):
        monday = self.this_monday - datetime.timedelta(weeks=weeks_ago)
        offsets = [(6, 20), (7, 9), (7, 16), (8, 10), (9, 14), (11, 15)]  # (days after Monday, hour)
        days, hour = offsets[habit]
        moment = min(self._at(monday + datetime.timedelta(days=days), hour), self.now - datetime.timedelta(minutes=1))
        return moment if self.o.method == "bulk" else moment.isoformat(sep=" ")

    def _user(self, unit, **extra):
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        self.user_seq += 1
        local = f"{slugify(first)}.{slugify(last)}"
        return User(
            email=f"{local}.{self.user_seq}@{BENCH_DOMAIN}",
            first_name=first,
            last_name=last,
            unit_id=unit.pk,
            password=self.password,
            date_joined=self.now,
            **extra,
        )

    # The steps ----------------------------------------------------------------------------

    def run(self) -> Counter:
        started = time.monotonic()
        DatasetMarker.objects.update_or_create(
            kind=DatasetKind.BENCH,
            defaults={
                "created_at": self.now,
                "parameters": {
                    "accounts": self.o.accounts, "weeks": self.o.weeks, "units": self.o.units, "seed": self.o.seed,
                    "flags": self.o.flags,
                },
            },
        )  # fmt: skip
        with transaction.atomic():
            self._units()
            self._staff()
        self.out(f"{len(self.units)} org units, {self.stats['users']} managers and comms staff.")
        done = 0
        while done < self.o.accounts:
            size = min(CHUNK, self.o.accounts - done)
            with transaction.atomic():
                self._chunk(done, size)
                self.sink.flush()
            done += size
            self.out(
                f"Accounts {done}/{self.o.accounts}: {self.sink.count} weekly rows "
                f"({time.monotonic() - started:.1f} s)."
            )
        with transaction.atomic():
            self._flags()
        self.stats["weekly_activity"] = self.sink.count
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # fresh statistics for the planner: the checks read these
                for model in (WeeklyActivity, SocialAccount, Mandate, ReviewFlag, Inquiry, SelfCheck, User):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        self.stats["seconds"] = round(time.monotonic() - started, 1)
        return self.stats

    def _units(self):
        rng, total = self.rng, self.o.units
        n_roots = min(len(ROOTS), max(min(total, 2), total // 25))
        remaining = total - n_roots
        n_departments = min(remaining, max(n_roots, int(remaining * 0.3))) if remaining else 0
        n_workplaces = remaining - n_departments
        roots = self._create_units([(ROOTS[i], None) for i in range(n_roots)])
        departments = []
        for i in range(n_departments):
            name = DEPARTMENTS[i % len(DEPARTMENTS)]
            if i >= len(DEPARTMENTS):
                name = f"{name} {rng.choice(PLACES)} {i // len(DEPARTMENTS) + 1}"
            departments.append((name, roots[i % n_roots]))
        departments = self._create_units(departments)
        parents = departments or roots
        workplaces = []
        for i in range(n_workplaces):
            workplaces.append((f"{rng.choice(WORKPLACES)} {rng.choice(PLACES)} {i + 1}", rng.choice(parents)))
        workplaces = self._create_units(workplaces)
        self.units = roots + departments + workplaces
        # Accounts sit mostly at workplaces and departments; a few belong to an administration.
        weights = [1] * len(roots) + [3] * len(departments) + [4] * len(workplaces)
        self.unit_cum_weights = list(itertools.accumulate(weights))
        self.comms_unit = departments[0] if departments else roots[0]
        self.unit_slug = {unit.pk: slugify(unit.name)[:40] for unit in self.units}

    def _create_units(self, specs):
        units = OrgUnit.objects.bulk_create([OrgUnit(name=name, parent=parent) for name, parent in specs])
        for unit in units:
            unit.path = f"{unit.parent.path if unit.parent_id else ''}{unit.pk}/"
        OrgUnit.objects.bulk_update(units, ["path"], batch_size=CHUNK)
        self.stats["org_units"] += len(units)
        return units

    def _staff(self):
        """A manager for every unit (two for some administrations) and six comms staff."""
        rng = self.rng
        managers = []
        for unit in self.units:
            for _n in range(2 if unit.parent_id is None and rng.random() < 0.5 else 1):
                managers.append((unit, self._user(unit, title="Chef")))
        comms = [self._user(self.comms_unit, title="Kommunikatör", is_staff=True) for _n in range(6)]
        User.objects.bulk_create([user for _unit, user in managers] + comms, batch_size=CHUNK)
        through = OrgUnit.managers.through
        through.objects.bulk_create(
            [through(orgunit_id=unit.pk, user_id=user.pk) for unit, user in managers], batch_size=CHUNK
        )
        group = ensure_comms_group()
        User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=group.pk) for u in comms])
        self.comms = comms
        # The managers who answer for a unit: its own, or the nearest unit above it that has any.
        own = {}
        for unit, user in managers:
            own.setdefault(unit.pk, []).append(user)
        self.manager_of = {unit.pk: own[unit.pk][0] for unit in self.units}
        self.stats["users"] += len(managers) + len(comms)
        self.stats["managers"] += len(managers)

    def _chunk(self, first_index, size):
        rng, o = self.rng, self.o
        platforms = [p for p, _w, _u in PLATFORMS]
        platform_weights = [w for _p, w, _u in PLATFORMS]
        url_patterns = {p: u for p, _w, u in PLATFORMS}
        plans = []
        new_users = []
        editors_by_unit = {}
        for n in range(first_index, first_index + size):
            unit = rng.choices(self.units, cum_weights=self.unit_cum_weights)[0]
            status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            platform = rng.choices(platforms, platform_weights)[0]
            handle = f"{self.unit_slug[unit.pk]}-{n + 1}"
            purposes = rng.sample(Purpose.values, rng.randint(1, 3))
            special = rng.random() < 0.03
            account = SocialAccount(
                platform=platform,
                platform_other="Snapchat" if platform == Platform.OTHER else "",
                name=f"{unit.name}{rng.choice(['', ' informerar', ' – nyheter', ' i Falköping'])}",
                handle=handle,
                url=url_patterns[platform].format(handle)
                if status not in (AccountStatus.REQUESTED, AccountStatus.MANAGER_APPROVED, AccountStatus.REJECTED)
                else "",
                unit=unit,
                description=f"Nyheter och information från {unit.name}.",
                purposes=purposes,
                graphic_profile=GraphicProfile.SPECIAL if special else GraphicProfile.MUNICIPAL,
                special_profile_reference=f"KS {rng.randint(2015, 2024)}/{rng.randint(100, 999)}" if special else "",
                status=status,
                created_at=self.now,
            )
            plan = {"account": account, "unit": unit, "pattern": None, "editors": [], "requester": None}
            live = status in (AccountStatus.ACTIVE, AccountStatus.CLOSED)
            if live:
                pattern = rng.choices(PATTERNS, PATTERN_WEIGHTS)[0]
                activated = self.window_start - datetime.timedelta(days=rng.randint(30, 1500))
                if pattern == SILENT:
                    plan["silent_weeks"] = rng.randint(*SILENT_WEEKS)
                    activated = min(activated, self.this_monday - datetime.timedelta(weeks=plan["silent_weeks"] + 8))
                account.activated_on = activated
                plan["pattern"] = pattern
                if status == AccountStatus.CLOSED:
                    account.closed_on = self.today - datetime.timedelta(days=rng.randint(7, max(8, o.weeks * 7)))
                    account.closing_reason = rng.choice(ClosingReason.values)
                    account.closing_note = "Avslutat i testdata." if account.closing_reason == "other" else ""
                # One to three editors; an editor often edits several accounts of the same unit.
                for _k in range(rng.choices([1, 2, 3], [60, 30, 10])[0]):
                    pool = editors_by_unit.setdefault(unit.pk, [])
                    if pool and rng.random() < 0.3:
                        editor = rng.choice(pool)
                        if editor in plan["editors"]:
                            continue
                    else:
                        editor = self._user(unit, title="Redaktör")
                        pool.append(editor)
                        new_users.append(editor)
                    plan["editors"].append(editor)
                plan["habit"] = rng.randrange(6)
            else:
                plan["requester"] = self._user(unit, title="Handläggare")
                new_users.append(plan["requester"])
                account.requested_by = None  # set once the requester has a primary key
            account._normalize()
            plans.append(plan)

        User.objects.bulk_create(new_users, batch_size=CHUNK)
        self.stats["users"] += len(new_users)
        # R14: every editor was trained before their first mandate took effect (the earliest
        # activation is 1500 days before the window).
        trained_on = self.window_start - datetime.timedelta(days=1600)
        trainings = [
            Training(trainee_id=editor.pk, trainer_id=self.comms[0].pk, recorded_by_id=self.comms[0].pk,
                     kind=TrainingKind.GENERAL, date=trained_on)
            for editor in new_users if editor.title == "Redaktör"
        ]  # fmt: skip
        Training.objects.bulk_create(trainings, batch_size=CHUNK)
        self.stats["trainings"] += len(trainings)
        for plan in plans:
            if plan["requester"] is not None:
                plan["account"].requested_by_id = plan["requester"].pk
        accounts = SocialAccount.objects.bulk_create([plan["account"] for plan in plans], batch_size=CHUNK)
        self.stats["accounts"] += len(accounts)
        self.stats.update(f"accounts_{plan['account'].status}" for plan in plans)
        self.stats.update(f"pattern_{plan['pattern']}" for plan in plans if plan["pattern"])

        holders = SocialAccount.login_holders.through
        holders.objects.bulk_create(
            [
                holders(socialaccount_id=plan["account"].pk, user_id=rng.choice(self.comms).pk)
                for plan in plans
                if plan["pattern"]
            ],
            batch_size=CHUNK,
        )
        mandates, decisions, checks, inquiries, cases = [], [], [], [], []
        for plan in plans:
            decisions.extend(self._decisions(plan))
            if not plan["pattern"]:
                continue
            mandates.extend(self._mandates(plan))
            self._activity(plan)
            if plan["account"].status == AccountStatus.ACTIVE:
                checks.extend(self._self_checks(plan))
                inquiries.extend(self._inquiries(plan))
                cases.extend(self._cases(plan))
        for model, rows, name in (
            (Mandate, mandates, "mandates"),
            (AccountDecision, decisions, "decisions"),
            (SelfCheck, checks, "self_checks"),
            (Inquiry, inquiries, "inquiries"),
            (ModerationCase, cases, "moderation_cases"),
        ):
            model.objects.bulk_create(rows, batch_size=CHUNK)
            self.stats[name] += len(rows)

    def _decisions(self, plan):
        """The timeline of an account that is not simply active (R11, R15), as seed_demo has it."""
        account, comms = plan["account"], self.comms[0]
        manager = self.manager_of[plan["unit"].pk]
        at = self._at(self.today - datetime.timedelta(days=self.rng.randint(1, 60)), 10)

        def decision(step, outcome, actor, role, comment=""):
            return AccountDecision(account_id=account.pk, step=step, outcome=outcome, actor_id=actor.pk, role=role,
                                   comment=comment, decided_at=at)  # fmt: skip

        if account.status == AccountStatus.CLOSED:
            reason = account.get_closing_reason_display()
            return [decision(DecisionStep.CLOSING, DecisionOutcome.DONE, comms, DecisionRole.COMMS, reason)]
        if account.status == AccountStatus.ACTIVE:
            return []
        rows = [decision(DecisionStep.REQUEST, DecisionOutcome.DONE, plan["requester"], DecisionRole.EMPLOYEE)]
        if account.status in (AccountStatus.MANAGER_APPROVED, AccountStatus.APPROVED):
            rows.append(
                decision(DecisionStep.MANAGER, DecisionOutcome.APPROVED, manager, DecisionRole.MANAGER, "Bra förslag.")
            )
        if account.status == AccountStatus.APPROVED:
            rows.append(decision(DecisionStep.COMMS, DecisionOutcome.APPROVED, comms, DecisionRole.COMMS))
        if account.status == AccountStatus.REJECTED:
            rows.append(
                decision(
                    DecisionStep.MANAGER,
                    DecisionOutcome.REJECTED,
                    manager,
                    DecisionRole.MANAGER,
                    "Använd ett befintligt konto.",
                )
            )
        return rows

    def _mandates(self, plan):
        """R10: one mandate per editor, granted by the unit's manager. About 3 % of the active
        accounts have a mandate ending within the notice period, 2 % none in force (it ran out or
        was revoked), and some editors before the present ones were revoked."""
        rng, account, today = self.rng, plan["account"], self.today
        manager = self.manager_of[plan["unit"].pk]
        fate = rng.choices(["open", "dated", "expiring", "lapsed"], [72, 23, 3, 2])[0]
        if account.status == AccountStatus.CLOSED:
            fate = "closed"
        rows = []
        for k, editor in enumerate(plan["editors"]):
            start = (
                account.activated_on if k == 0 else account.activated_on + datetime.timedelta(days=rng.randint(0, 400))
            )
            start = min(start, today - datetime.timedelta(days=1))
            mandate = Mandate(user_id=editor.pk, account_id=account.pk, valid_from=start, granted_by_id=manager.pk,
                              granted_at=self._at(start, 9))  # fmt: skip
            if fate == "closed":
                mandate.valid_until = max(start, account.closed_on)
            elif fate == "dated":
                mandate.valid_until = today + datetime.timedelta(days=rng.randint(30, 700))
            elif fate == "expiring" and k == 0:
                mandate.valid_until = today + datetime.timedelta(days=rng.randint(0, MANDATE_EXPIRY_NOTICE.days - 1))
            elif fate == "lapsed":
                if rng.random() < 0.5:
                    mandate.valid_until = max(start, today - datetime.timedelta(days=rng.randint(1, 90)))
                else:
                    mandate.revoked_at = self._at(today - datetime.timedelta(days=rng.randint(1, 90)), 11)
                    mandate.revoked_by_id = manager.pk
                    mandate.revoke_reason = rng.choice(REVOKE_REASONS)
            rows.append(mandate)
        if rng.random() < 0.1:  # an editor before these ones, revoked
            editor = plan["editors"][0]
            rows.append(
                Mandate(user_id=editor.pk, account_id=account.pk, valid_from=account.activated_on,
                        valid_until=None, granted_by_id=manager.pk, granted_at=self._at(account.activated_on, 9),
                        revoked_at=self._at(account.activated_on + datetime.timedelta(days=30), 11),
                        revoked_by_id=manager.pk, revoke_reason=rng.choice(REVOKE_REASONS))
            )  # fmt: skip
        return rows

    def _activity(self, plan):
        """R19: the W full weeks before the current one, oldest first, by the account's pattern."""
        rng, account, sink = self.rng, plan["account"], self.sink
        pattern, logger = plan["pattern"], plan["editors"][0].pk
        log_times, weeks, habit = self.log_times, self.weeks, plan["habit"]
        last = 1  # the most recent week (weeks ago) with a log
        first = self.o.weeks
        activated_week = week_start(account.activated_on)
        while first >= 1 and weeks[first] < activated_week:
            first -= 1
        if account.status == AccountStatus.CLOSED:
            closed_weeks_ago = (self.this_monday - week_start(account.closed_on)).days // 7
            quiet = 30 if account.closing_reason == ClosingReason.INACTIVE_6_MONTHS else 0
            last = max(1, closed_weeks_ago + quiet)
        if pattern == WEEKLY:
            low, high = rng.choices([(1, 2), (2, 5), (5, 15), (15, 40)], [30, 45, 20, 5])[0]
            for weeks_ago in range(first, last - 1, -1):
                posts = rng.randint(low, high)
                if low >= 2 and rng.random() < 0.03:
                    posts = 0  # a quiet week now and then: still more than one a week on average
                sink.add(account.pk, weeks[weeks_ago], posts, logger, log_times[weeks_ago][habit])
        elif pattern == EVERY_OTHER:
            parity, logs_zero = rng.randrange(2), rng.random() < 0.5
            for weeks_ago in range(first, last - 1, -1):
                if weeks_ago % 2 == parity:
                    sink.add(account.pk, weeks[weeks_ago], 1, logger, log_times[weeks_ago][habit])
                elif logs_zero:
                    sink.add(account.pk, weeks[weeks_ago], 0, logger, log_times[weeks_ago][habit])
        elif pattern == SILENT:
            low, high = rng.choice([(1, 3), (2, 6)])
            for weeks_ago in range(first, max(last, plan["silent_weeks"]) - 1, -1):
                sink.add(account.pk, weeks[weeks_ago], rng.randint(low, high), logger, log_times[weeks_ago][habit])
        else:  # SPORADIC: about one week in four, one or two posts
            for weeks_ago in range(first, last - 1, -1):
                if rng.random() < 0.25:
                    sink.add(account.pk, weeks[weeks_ago], rng.randint(1, 2), logger, log_times[weeks_ago][habit])

    def _self_checks(self, plan):
        """Yearly self-checks: most answered within the year, some overdue or never answered, some
        with a "no" (and its comment) on the latest one."""
        rng, account = self.rng, plan["account"]
        fate = rng.choices(["fine", "overdue", "never", "no"], [85, 6, 5, 4])[0]
        if fate == "never":
            return []
        days_ago = rng.randint(400, 700) if fate == "overdue" else rng.randint(5, 350)
        editor = plan["editors"][0]
        yes = dict.fromkeys((name for name, _rule in SelfCheck.QUESTIONS), True)
        latest = SelfCheck(account_id=account.pk, answered_by_id=editor.pk,
                           answered_at=self.now - datetime.timedelta(days=days_ago), **yes)  # fmt: skip
        if fate == "no":
            setattr(latest, rng.choice(SelfCheck.QUESTIONS)[0], False)
            latest.comment = "Vi ser över detta under hösten."
        rows = [latest]
        if rng.random() < 0.5:
            earlier = latest.answered_at - datetime.timedelta(days=rng.randint(330, 380))
            rows.append(SelfCheck(account_id=account.pk, answered_by_id=editor.pk, answered_at=earlier, **yes))
        return rows

    def _inquiries(self, plan):
        """R20: questions over the last months, most answered in time, a few late; about 2 % of
        the accounts have one still open after its deadline, 1 % one that is not due yet."""
        rng, account = self.rng, plan["account"]
        editor = plan["editors"][0]
        rows = []
        span = max(1, min(self.o.weeks * 7, 180))
        for _n in range(rng.choices([0, 1, 2, 3, 5], [30, 30, 20, 12, 8])[0]):
            received = self.now - datetime.timedelta(days=rng.randint(3, span + 2), minutes=rng.randint(0, 1439))
            deadline = answer_deadline(received)
            if rng.random() < 0.06:  # answered late
                answered = deadline + datetime.timedelta(hours=rng.randint(1, 48))
            else:  # within 20 hours: always before the deadline of 24 working hours
                answered = received + datetime.timedelta(minutes=rng.randint(20, 60 * 20))
            answered = min(answered, self.now)
            rows.append(self._inquiry(account, editor, received, deadline, answered))
        tail = rng.random()
        if tail < 0.02:  # open, past its deadline
            received = self.now - datetime.timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 23))
            rows.append(self._inquiry(account, editor, received, answer_deadline(received), None))
        elif tail < 0.03:  # open, not due yet
            received = self.now - datetime.timedelta(minutes=rng.randint(5, 120))
            rows.append(self._inquiry(account, editor, received, answer_deadline(received), None))
        return rows

    def _inquiry(self, account, editor, received, deadline, answered):
        return Inquiry(
            account_id=account.pk,
            channel=self.rng.choice(InquiryChannel.values),
            received_at=received,
            summary=self.rng.choice(QUESTIONS),
            deadline=deadline,
            answered_at=answered,
            answered_by_id=editor.pk if answered else None,
            logged_by_id=editor.pk,
            logged_at=min(received + datetime.timedelta(minutes=15), self.now),
        )

    def _cases(self, plan):
        """R21, R22: removed content on about 4 % of the accounts; some of it criminal, a few
        such cases not reported to the police after two days (the check finds them)."""
        rng, account = self.rng, plan["account"]
        roll = rng.random()
        if roll >= 0.04:
            return []
        editor = plan["editors"][0]
        removed = self.now - datetime.timedelta(days=rng.randint(3, 60), hours=rng.randint(0, 23))
        case = ModerationCase(
            account_id=account.pk,
            content_kind=rng.choice(["comment", "post", "message"]),
            category="spam",
            description="Kommentar med reklam, borttagen.",
            published_at=removed - datetime.timedelta(hours=rng.randint(1, 30)),
            removed_at=removed,
            opened_by_id=editor.pk,
            opened_at=removed,
        )
        if roll < 0.01:
            case.is_criminal, case.category = True, "defamation"
            case.description = "Kränkande kommentar om en namngiven person, borttagen."
            if roll >= 0.004:  # reported; the others are the check's findings
                case.police_reported_on = timezone.localdate(removed) + datetime.timedelta(days=1)
                case.police_reference = f"5000-K{rng.randint(100000, 999999)}-{removed:%y}"
        return [case]

    def _flags(self):
        """Open review flags: those the scheduled checks would raise on this data (all of them, or
        `flags` picked at random), some acknowledged, with a history of closed ones."""
        rng = self.rng
        # Beside demo data, the demo's own flags stay, and an account has one open flag per kind.
        flagged = set(ReviewFlag.objects.filter(status__in=OPEN_FLAG_STATUSES).values_list("kind", "account_id"))
        findings = []
        for name in CHECKS:  # in the checks' order, each one query
            check = CHECKS[name]
            found = check.find(self.today)
            findings.extend((check.kind, pk, found[pk]) for pk in sorted(found) if (check.kind, pk) not in flagged)
        chosen = findings if self.o.flags is None else rng.sample(findings, min(self.o.flags, len(findings)))
        chosen.sort(key=lambda item: (item[0], item[1]))
        self.stats["findings"] = len(findings)
        rows = []
        for kind, pk, evidence in chosen:
            raised = self.now - datetime.timedelta(days=rng.randint(0, 45), minutes=rng.randint(0, 1439))
            flag = ReviewFlag(account_id=pk, kind=kind, evidence=evidence, raised_at=raised)
            if rng.random() < 0.2:
                flag.status = FlagStatus.ACKNOWLEDGED
                flag.acknowledged_at = min(raised + datetime.timedelta(days=1), self.now)
                flag.decided_by_id = rng.choice(self.comms).pk
            rows.append(flag)
        # The history: flags resolved by a check or dismissed by comms, long ago.
        kinds = sorted({kind for kind, _pk, _evidence in findings}) or ["posting_shortfall"]
        active = list(SocialAccount.objects.active().order_by("pk").values_list("pk", flat=True))
        for _n in range(len(chosen) // 4 if active else 0):
            raised = self.now - datetime.timedelta(days=rng.randint(60, 500))
            flag = ReviewFlag(account_id=rng.choice(active), kind=rng.choice(kinds), raised_at=raised,
                              closed_at=raised + datetime.timedelta(days=rng.randint(1, 30)))  # fmt: skip
            if rng.random() < 0.7:
                flag.status, flag.reason = FlagStatus.RESOLVED, RESOLVED_REASON
            else:
                flag.status, flag.reason = FlagStatus.DISMISSED, rng.choice(DISMISS_REASONS)
                flag.decided_by_id = rng.choice(self.comms).pk
                # To be looked at again some three months on; it has lapsed (by then, or when the
                # condition went away), so that it holds back none of the checks' findings.
                flag.review_on = timezone.localdate(flag.closed_at) + datetime.timedelta(days=91)
                flag.lapsed_at = min(flag.closed_at + datetime.timedelta(days=91), self.now)
            rows.append(flag)
        ReviewFlag.objects.bulk_create(rows, batch_size=CHUNK)
        self.stats["open_flags"] = len(chosen)
        self.stats["closed_flags"] = len(rows) - len(chosen)
