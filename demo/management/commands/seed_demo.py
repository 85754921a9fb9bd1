"""Demo data for `make run`: a believable Falköping, one login per role. Idempotent.

Never in production: the command refuses unless DJANGO_DEBUG or PORTAL_DEMO is on.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

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
    SocialAccount,
    Training,
    TrainingKind,
    User,
)
from activity.models import WeeklyActivity
from council.models import AgendaItem, CouncilMeeting, Invitation
from demo.models import DatasetKind, DatasetMarker
from falkoping_some.lib.weeks import week_start
from moderation.deadlines import answer_deadline
from moderation.evidence import store_evidence
from moderation.models import Evidence, Inquiry, LegalBasis, LegalBasisRecord, ModerationCase
from records.models import RecordKind, RetentionRule
from records.retention import propose_disposals
from review.models import SelfCheck
from review.scheduled_checks import run_checks

DEMO_PASSWORD = "falkoping-demo"  # noqa: S105 (a published demo login, never in production)
DEMO_DOMAIN = "demo.falkoping.se"

# (administration, [units below it])
UNITS = [
    ("Kommunledningsförvaltningen", ["Kommunikationsavdelningen", "HR-avdelningen"]),
    ("Kultur- och fritidsförvaltningen", ["Biblioteket", "Falköpings museum", "Fritid och föreningar"]),
    ("Barn- och utbildningsförvaltningen", ["Ållebergsgymnasiet"]),
    ("Socialförvaltningen", []),
    ("Samhällsbyggnadsförvaltningen", []),
    ("Räddningstjänsten", []),
]

# (email local part, first name, last name, title, unit)
PEOPLE = [
    ("kommunikator", "Karin", "Kommunikatör", "Kommunikatör", "Kommunikationsavdelningen"),
    ("chef", "Per", "Chefsson", "Förvaltningschef", "Kultur- och fritidsförvaltningen"),
    ("redaktor", "Rebecka", "Redaktör", "Bibliotekarie", "Biblioteket"),
    ("medarbetare", "Mats", "Medarbetare", "Bibliotekarie", "Biblioteket"),
    ("museum", "Maja", "Ek", "Museipedagog", "Falköpings museum"),
    ("raddning", "Rasmus", "Lind", "Brandinformatör", "Räddningstjänsten"),
    ("gymnasiet", "Greta", "Holm", "Lärare", "Ållebergsgymnasiet"),
    ("komchef", "Kerstin", "Berg", "Kommunikationschef", "Kommunikationsavdelningen"),
]

# name, platform, handle, unit, status, purposes, description, extra
ACCOUNTS = [
    (
        "Falköpings kommun",
        "facebook",
        "falkopingskommun",
        "Kommunledningsförvaltningen",
        "active",
        ["public_information", "services", "crisis"],
        "Falköpings kommuns officiella sida. Nyheter, service och information vid kris.",
        # R16: the page's number, so that the public check knows facebook.com/profile.php?id=… links.
        {"platform_id": "100064512345678"},
    ),
    (
        "Falköpings kommun",
        "instagram",
        "falkopingskommun",
        "Kommunledningsförvaltningen",
        "active",
        ["services", "events"],
        "Bilder och berättelser från Falköpings kommun.",
        {},
    ),
    (
        "Falköpings kommun",
        "linkedin",
        "falkopings-kommun",
        "HR-avdelningen",
        "active",
        ["recruitment"],
        "Jobba i Falköpings kommun – lediga tjänster och våra arbetsplatser.",
        {},
    ),
    (
        "Falköpings kommun",
        "youtube",
        "@falkopingskommun",
        "Kommunledningsförvaltningen",
        "active",
        ["public_information", "website_visitors"],
        "Filmer från kommunfullmäktige och kommunens verksamheter.",
        {"platform_id": "UCfalkopingskommun000001"},
    ),
    (
        "Falköpings bibliotek",
        "facebook",
        "falkopingsbibliotek",
        "Biblioteket",
        "active",
        ["services", "events", "tips"],
        "Boktips, evenemang och öppettider på Stadsbiblioteket och filialerna.",
        {},
    ),
    (
        "Falköpings bibliotek",
        "instagram",
        "falkopingsbibliotek",
        "Biblioteket",
        "active",
        ["tips", "events"],
        "Boktips och bilder från biblioteken i Falköping.",
        {},
    ),
    (
        "Falköpings museum",
        "instagram",
        "falkopingsmuseum",
        "Falköpings museum",
        "active",
        ["events", "services"],
        "Utställningar, visningar och historia från Falbygden.",
        {"graphic_profile": GraphicProfile.SPECIAL, "special_profile_reference": "KS 2021/412"},
    ),
    (
        "Falköpings museum",
        "facebook",
        "falkopingsmuseum",
        "Falköpings museum",
        "active",
        ["events"],
        "Utställningar och lovaktiviteter på museet.",
        {"graphic_profile": GraphicProfile.SPECIAL, "special_profile_reference": "KS 2021/412"},
    ),
    (
        "Ållebergsgymnasiet",
        "instagram",
        "allebergsgymnasiet",
        "Ållebergsgymnasiet",
        "active",
        ["services", "recruitment"],
        "Livet på Ållebergsgymnasiet.",
        {},
    ),
    (
        "Räddningstjänsten Falköping",
        "facebook",
        "raddningstjanstenfalkoping",
        "Räddningstjänsten",
        "active",
        ["public_information", "crisis", "tips"],
        "Information om räddningsinsatser, brandrisk och förebyggande råd.",
        {},
    ),
    (
        "Fritid Falköping",
        "instagram",
        "fritidfalkoping",
        "Fritid och föreningar",
        "active",
        ["events", "tips"],
        "Aktiviteter, lovprogram och mötesplatser för unga.",
        {},
    ),
    (
        "Falköpings kommun – Socialförvaltningen",
        "linkedin",
        "falkoping-socialforvaltningen",
        "Socialförvaltningen",
        "active",
        ["recruitment"],
        "Jobba hos oss inom vård, omsorg och socialtjänst.",
        {},
    ),
    (
        "Samhällsbyggnad Falköping",
        "facebook",
        "samhallsbyggnadfalkoping",
        "Samhällsbyggnadsförvaltningen",
        "active",
        ["public_information", "services"],
        "Vägarbeten, detaljplaner och samråd.",
        {},
    ),
    # On the open networks too, so that the demo captures from every simulated platform (simulators/demo.py).
    (
        "Falköpings kommun",
        "mastodon",
        "falkopingskommun@mastodon.nu",
        "Kommunledningsförvaltningen",
        "active",
        ["public_information", "crisis"],
        "Nyheter och viktig information från Falköpings kommun, även vid kris.",
        {"url": "https://mastodon.nu/@falkopingskommun"},
    ),
    (
        "Falköpings kommun",
        "bluesky",
        "falkoping.se",
        "Kommunledningsförvaltningen",
        "active",
        ["public_information", "crisis"],
        "Nyheter och viktig information från Falköpings kommun, även vid kris.",
        {},
    ),
    (
        "Bibliotekets TikTok",
        "tiktok",
        "falkopingsbibliotek",
        "Biblioteket",
        "requested",
        ["tips"],
        "Korta boktips för unga läsare.",
        {},
    ),
    (
        "Museets podcast",
        "other",
        "",
        "Falköpings museum",
        "requested",
        ["services"],
        "Samtal om Falbygdens historia.",
        {"platform_other": "Spotify"},
    ),
    (
        "Fritid Falköping",
        "tiktok",
        "fritidfalkoping",
        "Fritid och föreningar",
        "manager_approved",
        ["events"],
        "Lovaktiviteter för unga.",
        {},
    ),
    (
        "Ållebergsgymnasiet",
        "tiktok",
        "allebergsgymnasiet",
        "Ållebergsgymnasiet",
        "approved",
        ["recruitment"],
        "Elever visar skolan.",
        {},
    ),
    (
        "Falköpings kommun",
        "x",
        "falkopingskommun",
        "Kommunledningsförvaltningen",
        "closed",
        ["public_information"],
        "",
        {"closing_reason": ClosingReason.ON_REQUEST, "closing_note": "Publiken har flyttat till andra kanaler."},
    ),
    (
        "Stadsbibliotekets läsecirkel",
        "facebook",
        "lasecirkelfalkoping",
        "Biblioteket",
        "closed",
        ["events"],
        "",
        # Issue 19: closed without its final archive, with comms' reason.
        {
            "closing_reason": ClosingReason.INACTIVE_6_MONTHS,
            "closed_unarchived_reason": "Gruppen var redan borttagen från Facebook när kontot avslutades.",
        },
    ),
    (
        "Ungdomsrådet",
        "snapchat",
        "ungdomsradet",
        "Kommunledningsförvaltningen",
        "rejected",
        ["services"],
        "",
        {"platform": "other", "platform_other": "Snapchat"},
    ),
]

URL_PATTERNS = {
    "facebook": "https://www.facebook.com/{}",
    "instagram": "https://www.instagram.com/{}/",
    "linkedin": "https://www.linkedin.com/company/{}/",
    "youtube": "https://www.youtube.com/@{}",
    "x": "https://x.com/{}",
    "tiktok": "https://www.tiktok.com/@{}",
    "bluesky": "https://bsky.app/profile/{}",
}


class Command(BaseCommand):
    help = "Load demo data (org units, users for every role, about 20 accounts). Idempotent; refused in production."

    def handle(self, *args, **options):
        if not (settings.DEBUG or settings.DEMO_MODE):
            raise CommandError(
                "Demo data never loads in production settings: set PORTAL_DEMO=true (or DJANGO_DEBUG=true) for a demo."
            )
        with transaction.atomic():
            # This database holds made-up data: seed_bench may fill it (and wipe it with --reset).
            DatasetMarker.objects.get_or_create(kind=DatasetKind.DEMO)
            units = self._units()
            users = self._users(units)
            accounts = self._accounts(units, users)
            self._mandates(users, accounts)
            self._activity(users, accounts)
            self._council(users)
            self._moderation(users, accounts)
            self._self_checks(users, accounts)
            self._retention_rules()
        # The checks run on beat every morning; run them once now so the review queue has the
        # demo's findings (the silent account, the one posting every other week) at once.
        for run in run_checks():
            self.stdout.write(f"Check {run.check_name}: {run.found} found, {run.raised} flags raised.")
        # Likewise the monthly disposal check (R25): the demo's old questions are past their rule.
        for disposal in propose_disposals():
            self.stdout.write(f"Disposal proposed: {disposal.proposed_count} {disposal.kind} before {disposal.cutoff}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(units)} org units, {len(users)} users, {len(accounts)} accounts. "
                f"Logins: kommunikator@, chef@, redaktor@, medarbetare@, admin@{DEMO_DOMAIN}, password {DEMO_PASSWORD}"
            )
        )

    def _units(self):
        units = {}
        for admin_name, children in UNITS:
            admin_unit, _ = OrgUnit.objects.get_or_create(name=admin_name, parent=None)
            units[admin_name] = admin_unit
            for child in children:
                units[child], _ = OrgUnit.objects.get_or_create(name=child, parent=admin_unit)
        return units

    def _users(self, units):
        comms = ensure_comms_group()
        users = {}
        for local, first, last, title, unit_name in PEOPLE:
            user, _ = User.objects.update_or_create(
                email=f"{local}@{DEMO_DOMAIN}",
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "title": title,
                    "unit": units[unit_name],
                    "is_active": True,
                    "is_staff": local in ("kommunikator", "komchef"),
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            users[local] = user
        admin, _ = User.objects.update_or_create(
            email=f"admin@{DEMO_DOMAIN}",
            defaults={
                "first_name": "Admin",
                "last_name": "Demo",
                "unit": units["Kommunikationsavdelningen"],
                "is_staff": True,
                "is_superuser": True,
            },
        )
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
        users["admin"] = admin
        for local in ("kommunikator", "komchef"):
            users[local].groups.add(comms)
        units["Kultur- och fritidsförvaltningen"].managers.add(users["chef"])
        units["Kommunikationsavdelningen"].managers.add(users["komchef"])
        return users

    def _accounts(self, units, users):
        today = timezone.localdate()
        accounts = {}
        for name, platform, handle, unit_name, status, purposes, description, extra in ACCOUNTS:
            extra = dict(extra)
            platform = extra.pop("platform", platform)
            url = URL_PATTERNS[platform].format(handle.lstrip("@")) if platform in URL_PATTERNS and handle else ""
            fields = {
                "handle": handle,
                "url": url if status in ("active", "closed", "approved") else "",
                "description": description,
                "purposes": purposes,
                "status": status,
                "requested_by": users["medarbetare"] if unit_name == "Biblioteket" else users["redaktor"],
                "activated_on": today - datetime.timedelta(days=700) if status in ("active", "closed") else None,
                "closed_on": today - datetime.timedelta(days=60) if status == "closed" else None,
                **extra,
            }
            account, _ = SocialAccount.objects.update_or_create(
                name=name, platform=platform, unit=units[unit_name], defaults=fields
            )
            if status in ("active", "closed"):
                account.login_holders.set([users["kommunikator"]])
            self._decisions(account, users)
            accounts[(name, platform)] = account
        return accounts

    def _council(self, users):
        """The SoMe council (R17, R24): last meeting, with attendance and minutes, and the next one,
        published, with its invitations waiting for answers."""
        stockholm = timezone.get_current_timezone()
        today = timezone.localdate()
        editors = list(User.objects.filter(pk__in=Mandate.objects.active_on(today).values("user")).distinct())

        def at(day, hour):
            return datetime.datetime.combine(day, datetime.time(hour), tzinfo=stockholm)

        past_day = today - datetime.timedelta(days=42)
        past, created = CouncilMeeting.objects.get_or_create(
            title="SoMe-rådet: höstens första möte",
            defaults={
                "starts_at": at(past_day, 13), "ends_at": at(past_day, 15), "place": "Stadshuset, sal Mösseberg",
                "status": "published", "published_at": at(past_day - datetime.timedelta(days=21), 9),
                "created_by": users["kommunikator"],
                "minutes": "1. Nya funktioner i Meta Business Suite.\n2. Genomgång av rutinen för sociala medier: "
                "R19 och R20.\n3. Frågor från redaktörerna: hur vi svarar på kritik i kommentarer.",
                "minutes_published_at": at(past_day + datetime.timedelta(days=1), 10),
            },
        )  # fmt: skip
        if created:
            AgendaItem.objects.create(
                meeting=past, order=1, title="Nyheter på plattformarna", presenter="Karin Kommunikatör"
            )
            AgendaItem.objects.create(meeting=past, order=2, title="Rutinen för sociala medier, R19–R20")
            marks = ["present", "present", "absent", "excused", "present", "absent"]
            for editor, mark in zip(editors, marks * 3, strict=False):
                Invitation.objects.create(
                    meeting=past, user=editor, response="yes" if mark == "present" else "no",
                    attendance=mark, attendance_recorded_by=users["kommunikator"],
                    attendance_recorded_at=at(past_day, 15),
                )  # fmt: skip
        next_day = today + datetime.timedelta(days=16)
        upcoming, created = CouncilMeeting.objects.get_or_create(
            title="SoMe-rådet: vintermöte",
            defaults={
                "starts_at": at(next_day, 13), "ends_at": at(next_day, 15), "place": "Stadshuset, sal Mösseberg",
                "online_link": "https://teams.microsoft.com/l/meetup-join/demo", "status": "published",
                "published_at": timezone.now(), "created_by": users["kommunikator"],
            },
        )  # fmt: skip
        if created:
            AgendaItem.objects.create(
                meeting=upcoming, order=1, title="Årets statistik per konto", presenter="Kerstin Berg"
            )
            AgendaItem.objects.create(meeting=upcoming, order=2, title="Krisberedskap i sociala medier")
            for editor in editors:
                Invitation.objects.create(meeting=upcoming, user=editor)

    def _activity(self, users, accounts):
        """Weekly posts (R19) for the last 30 weeks: most accounts post weekly, the urban planning
        account fell silent seven months ago (R6), and Fritid posts every other week."""
        this_week = week_start(timezone.localdate())
        silent = accounts[("Samhällsbyggnad Falköping", "facebook")]
        every_other = accounts[("Fritid Falköping", "instagram")]
        rows = []
        for (name, _platform), account in accounts.items():
            if account.status != AccountStatus.ACTIVE:
                continue
            editor = account.mandates.first()
            logged_by = editor.user if editor else users["kommunikator"]
            if account == silent:
                # Its last posts, 31 weeks (about seven months) ago; nothing logged since.
                week = this_week - datetime.timedelta(weeks=31)
                rows.append(WeeklyActivity(account=account, week=week, posts=2, logged_by=logged_by))
                continue
            for weeks_ago in range(1, 31):
                week = this_week - datetime.timedelta(weeks=weeks_ago)
                # Every other week for Fritid; a believable 1–4 a week for the others.
                posts = weeks_ago % 2 if account == every_other else 1 + (len(name) + weeks_ago) % 4
                rows.append(WeeklyActivity(account=account, week=week, posts=posts, logged_by=logged_by))
        WeeklyActivity.objects.bulk_create(rows, ignore_conflicts=True)  # idempotent: one row per week

    def _decisions(self, account, users):
        """The timeline that brought a requested account where it is (R11, R13, R15)."""
        if account.status == AccountStatus.CLOSED:
            steps = [(DecisionStep.CLOSING, DecisionOutcome.DONE, users["kommunikator"], DecisionRole.COMMS,
                      account.get_closing_reason_display())]  # fmt: skip
            return self._record(account, steps)
        if not account.requested_by or account.status == AccountStatus.ACTIVE:
            return None  # active accounts were entered directly, as the portal found them
        manager = users["komchef"] if account.unit.root_id != users["chef"].unit.root_id else users["chef"]
        steps = [(DecisionStep.REQUEST, DecisionOutcome.DONE, account.requested_by, DecisionRole.EMPLOYEE, "")]
        if account.status in (AccountStatus.MANAGER_APPROVED, AccountStatus.APPROVED):
            steps.append(
                (DecisionStep.MANAGER, DecisionOutcome.APPROVED, manager, DecisionRole.MANAGER, "Bra förslag.")
            )
        if account.status == AccountStatus.APPROVED:
            steps.append((DecisionStep.COMMS, DecisionOutcome.APPROVED, users["kommunikator"], DecisionRole.COMMS, ""))
        if account.status == AccountStatus.REJECTED:
            steps.append(
                (
                    DecisionStep.MANAGER,
                    DecisionOutcome.REJECTED,
                    manager,
                    DecisionRole.MANAGER,
                    "Använd kommunens befintliga konton i stället.",
                )
            )
        return self._record(account, steps)

    def _record(self, account, steps):
        for step, outcome, actor, role, comment in steps:
            AccountDecision.objects.get_or_create(
                account=account, step=step,
                defaults={"outcome": outcome, "actor": actor, "role": role, "comment": comment},
            )  # fmt: skip

    def _mandates(self, users, accounts):
        grants = [
            ("redaktor", ("Falköpings bibliotek", "facebook"), "chef"),
            ("redaktor", ("Falköpings bibliotek", "instagram"), "chef"),
            ("museum", ("Falköpings museum", "instagram"), "chef"),
            ("museum", ("Falköpings museum", "facebook"), "chef"),
            ("raddning", ("Räddningstjänsten Falköping", "facebook"), "komchef"),
            ("gymnasiet", ("Ållebergsgymnasiet", "instagram"), "komchef"),
            ("kommunikator", ("Falköpings kommun", "facebook"), "komchef"),
            ("kommunikator", ("Falköpings kommun", "instagram"), "komchef"),
        ]
        start = timezone.localdate() - datetime.timedelta(days=365)
        for editor, key, manager in grants:
            Mandate.objects.get_or_create(
                user=users[editor],
                account=accounts[key],
                revoked_at=None,
                defaults={"valid_from": start, "granted_by": users[manager]},
            )
        # R14: each editor was trained in social media before their first mandate took effect.
        for editor in {editor for editor, _key, _manager in grants}:
            Training.objects.get_or_create(
                trainee=users[editor], kind=TrainingKind.GENERAL,
                defaults={"trainer": users["kommunikator"], "recorded_by": users["kommunikator"],
                          "date": start - datetime.timedelta(days=14)},
            )  # fmt: skip

    def _moderation(self, users, accounts):
        """Moderation records for the library (R20–R23): questions (one answered long ago, past the
        demo's retention rule), a removed spam comment with a screenshot, and a legal basis."""
        library = accounts[("Falköpings bibliotek", "facebook")]
        editor = users["redaktor"]
        now = timezone.now()
        questions = [
            (now - datetime.timedelta(days=900), "Har biblioteket öppet i mellandagarna?", True),
            (now - datetime.timedelta(days=20), "Går det att låna e-böcker med BankID?", True),
            (now - datetime.timedelta(hours=5), "Var lämnar man tillbaka böcker när biblioteket är stängt?", False),
        ]
        for received_at, summary, answered in questions:
            Inquiry.objects.get_or_create(
                account=library,
                summary=summary,
                defaults={
                    "channel": "comment",
                    "received_at": received_at,
                    "deadline": answer_deadline(received_at),
                    "answered_at": received_at + datetime.timedelta(hours=3) if answered else None,
                    "answered_by": editor if answered else None,
                    "logged_by": editor,
                    "logged_at": received_at + datetime.timedelta(hours=1),
                },
            )
        case, created = ModerationCase.objects.get_or_create(
            account=library,
            description="Kommentar med reklam för ett spelbolag under inlägget om sommarboken.",
            defaults={
                "content_kind": "comment",
                "category": "spam",
                "published_at": now - datetime.timedelta(days=12, hours=2),
                "removed_at": now - datetime.timedelta(days=12),
                "opened_by": editor,
                "opened_at": now - datetime.timedelta(days=12),
            },
        )
        if created:
            from django.core.files.uploadedfile import SimpleUploadedFile

            # R22: the screenshot was taken before the comment was removed, and added to the case
            # when it was opened (not when the demo was seeded).
            evidence = store_evidence(
                editor,
                SimpleUploadedFile("skärmdump-spam.png", _demo_png(), "image/png"),
                case=case,
                taken_at=now - datetime.timedelta(days=12, hours=1),
            )
            Evidence.objects.filter(pk=evidence.pk).update(uploaded_at=case.opened_at)
        LegalBasisRecord.objects.get_or_create(
            account=library,
            post="https://www.facebook.com/falkopingsbibliotek (bild från sagostunden)",
            defaults={
                "published_at": now - datetime.timedelta(days=30),
                "basis": LegalBasis.CONSENT,
                "documentation": "Samtycke från vårdnadshavare, blankett i bibliotekets pärm.",
                "recorded_by": editor,
                "recorded_at": now - datetime.timedelta(days=30),
            },
        )

    def _self_checks(self, users, accounts):
        """The yearly self-check (R4, R5, R7–R9): most active accounts answered it months ago; the
        library's is due within the month, the museum's Facebook page answered "no" on R9, and
        Räddningstjänsten has never answered (overdue)."""
        now = timezone.now()
        yes = dict.fromkeys((name for name, _rule in SelfCheck.QUESTIONS), True)
        special = {
            ("Falköpings bibliotek", "facebook"): (345, {}, ""),
            ("Falköpings museum", "facebook"): (
                40,
                {"follows_relevant_only": False},
                "Kontot följer några lokala företag sedan en utställning; vi rensar bland dem.",
            ),
            ("Räddningstjänsten Falköping", "facebook"): None,
        }
        for key, account in accounts.items():
            if account.status != AccountStatus.ACTIVE or account.self_checks.exists():
                continue
            if key in special and special[key] is None:
                continue
            days_ago, answers, comment = special.get(key, (120 + len(account.name) * 3, {}, ""))
            mandate = account.mandates.first()
            SelfCheck.objects.create(
                account=account,
                answered_by=mandate.user if mandate else users["kommunikator"],
                answered_at=now - datetime.timedelta(days=days_ago),
                comment=comment,
                **{**yes, **answers},
            )

    def _retention_rules(self):
        """R25: two demo rules from a made-up document management plan; the rest are kept."""
        rules = [
            (RecordKind.INQUIRIES, 24, "Demo: KS dokumenthanteringsplan 2024, 3.2.4 (frågor av tillfällig betydelse)"),
            (RecordKind.WEEKLY_ACTIVITY, 60, "Demo: KS dokumenthanteringsplan 2024, 3.2.6 (statistik)"),
        ]
        for kind, months, reference in rules:
            defaults = {"retain_months": months, "plan_reference": reference}
            RetentionRule.objects.get_or_create(kind=kind, defaults=defaults)


def _demo_png() -> bytes:
    """A small screenshot stand-in: a grey image with a darker bar, as PNG."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 120), "#eeeeee")
    ImageDraw.Draw(image).rectangle([16, 40, 300, 70], fill="#888888")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
