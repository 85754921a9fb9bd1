"""The demo's platforms: every simulator there is, served on loopback with posts and comments for the
demo accounts (demo/management/commands/seed_demo.py), so that `make run` captures within a minute
without the internet.

`python -m simulators.demo` is the third child of `make run` (devtools/devrun.py). It serves each
platform on a fixed port beside the portal's: the portal's port (PORTAL_DEV_ADDRESS, 8000 by
default) + 100 for Facebook, + 101 Instagram, + 102 YouTube, + 103 Mastodon, + 104 Bluesky,
+ 105 feeds (PORTAL_SIMULATORS_PORT moves the first; one simulator that serves two platforms, as
Meta's Graph API does, takes the first one's port). Fixed ports, not free ones, because
`manage.py connect_demo_accounts` runs before the simulators start (the Makefile) and must know
the addresses; the running simulators write what they serve to var/simulators.json as well.

A simulator module that is not there (written by someone else, not merged yet) is skipped with a
line in the log; the demo connects the platforms that are there.

The content is the same on every start: dates count back from the first start (kept in
var/simulators.json), so a restarted simulator shows the same items and the archive sees no edits
that never happened. CHANGES_AFTER seconds after the first start the platforms change: a post is
edited, a comment deleted, another hidden. The first sync, queued at start, captures them as they
were; the next one (beat's hourly sync, or `manage.py connect_demo_accounts` again) keeps the
earlier version, marks the deleted comment and shows the hidden one as hidden. (Deleting
var/simulators.json but not the database moves every date: the archive would see each item edited.)

Nothing from the portal is imported here: the portal reaches these servers only over HTTP.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib
import inspect
import json
import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from simulators.server import RunningSimulator, Simulator, serve

logger = logging.getLogger("simulators.demo")

BASE_DIR = Path(__file__).resolve().parent.parent

# Connector kind → the simulator's module ("module" or "module:Class"), and its port after the base.
MODULES = {
    "facebook": "simulators.meta",
    "instagram": "simulators.meta",
    "youtube": "simulators.youtube",
    "mastodon": "simulators.mastodon",
    "bluesky": "simulators.bluesky",
    "feed": "simulators.feed",
}
PORT_OFFSETS = {"facebook": 0, "instagram": 1, "youtube": 2, "mastodon": 3, "bluesky": 4, "feed": 5}
PORT_AFTER_PORTAL = 100
# The connectors that need a token (Meta's page token, YouTube's API key); the others read public APIs.
TOKEN_KINDS = {"facebook", "instagram", "youtube"}
# How long after the first start the edit, the deletion and the hiding happen on the platforms.
CHANGES_AFTER = datetime.timedelta(minutes=2)

PLAN_FILE = "simulators.json"


# The demo's content -------------------------------------------------------------------------------


@dataclass
class DemoComment:
    key: str
    hours_after: float  # after the post
    author: str
    text: str
    by_account: bool = False
    reply_to: str | None = None  # the key of the comment it answers


@dataclass
class DemoPost:
    key: str
    days_ago: int  # before the first start's day
    hour: int  # UTC
    text: str
    comments: list[DemoComment] = field(default_factory=list)


@dataclass
class DemoAccount:
    account: str  # the registry account's name (seed_demo)
    platform: str  # its platform (seed_demo)
    kind: str  # the connector that reads it
    account_id: str  # page id, Instagram user id, channel id …
    handle: str
    posts: list[DemoPost]
    # Connected this many days before the first start (issue 19: its weeks from then on are read
    # from the platform, activity/sources.py); 0: connected when the demo first starts.
    connected_days_ago: int = 0

    @property
    def token(self) -> str | None:
        return f"demo-{self.kind}-{self.account_id}" if self.kind in TOKEN_KINDS else None


C = DemoComment
P = DemoPost

# The table reads as the platforms would show it; the formatter would give each field a line.
# fmt: off
ACCOUNTS = [
    DemoAccount("Falköpings kommun", "facebook", "facebook", "100064512345678", "falkopingskommun", [
        P("kf-plog", 2, 6, "Nu är vinterväghållningen igång. På falkoping.se/sno ser du vilka gator som är plogade "
          "och vilka som står på tur.", [
            C("kf-plog-1", 1, "Ulla Bergström", "När plogas Ranliden? Vi har inte sett någon plog sedan i går morse."),
            C("kf-plog-2", 2, "Falköpings kommun", "Hej Ulla! Ranliden plogas i andra omgången, under eftermiddagen. "
              "/Karin, kommunikatör", by_account=True, reply_to="kf-plog-1"),
            C("kf-plog-3", 3, "Göran Ek", "Tack till alla som kör plog i natt!"),
        ]),
        P("kf-budget", 9, 14, "Kommunfullmäktige har beslutat om budgeten för 2027: mer pengar till skolan och "
          "äldreomsorgen. Sändningen från mötet finns på vår YouTube-kanal.", [
            C("kf-budget-1", 2, "Leif Andersson", "Varför höjs avfallstaxan igen?"),
            C("kf-budget-2", 4, "Falköpings kommun", "Hej Leif! Taxan ska bära kostnaden för insamlingen. Läs mer på "
              "falkoping.se/avfall eller ring kontaktcenter 0515-88 50 00.", by_account=True, reply_to="kf-budget-1"),
            # Deleted by the page a little later (CHANGES): the archive keeps it (R3), marked.
            C("kf-budget-3", 5, "Bosse B", "Typiskt kommunen, slösar bort våra pengar. Skäms!"),
        ]),
        P("kf-jul", 16, 9, "Välkommen till julmarknaden på Stora torget lördag kl. 11–16! Hantverk, glögg och "
          "tomteverkstad för barnen.", [
            C("kf-jul-1", 6, "Maria Johansson", "Blir det ponnyridning i år också?"),
            C("kf-jul-2", 7, "Falköpings kommun", "Ja, kl. 12–14 vid Trätorget!", by_account=True,
              reply_to="kf-jul-1"),
        ]),
        P("kf-vatten", 24, 7, "Vattnet stängs av på Dotorpsgatan på tisdag kl. 9–12 för ledningsarbete. Vi ber om "
          "ursäkt för besväret."),
        P("kf-lov", 30, 9, "Höstlovet närmar sig: på falkoping.se/lov hittar du aktiviteterna för barn och unga."),
        P("kf-val", 33, 12, "Tyck till om nya cykelvägar i Falköping: enkäten är öppen till den 15 december."),
    ], connected_days_ago=60),  # posts at least once a week, read from the platform (R19)
    DemoAccount("Falköpings bibliotek", "facebook", "facebook", "100064500000101", "falkopingsbibliotek", [
        P("fb-ebok", 1, 8, "Nu kan du låna e-böcker och e-ljudböcker med BankID, utan lånekort. Välkommen!", [
            C("fb-ebok-1", 1, "Sara Nilsson", "Äntligen! Fungerar det i appen också?"),
            C("fb-ebok-2", 2, "Falköpings bibliotek", "Hej Sara! Ja, logga in med BankID i appen så är du igång.",
              by_account=True, reply_to="fb-ebok-1"),
        ]),
        # Edited a little later (CHANGES): the archive keeps the first wording as an earlier version.
        P("fb-jul", 5, 10, "Öppettider i jul: Stadsbiblioteket har öppet den 23 december kl. 10–14. Filialerna har "
          "stängt mellan jul och nyår.", [
            C("fb-jul-1", 3, "Per-Olof Svensson", "Har biblioteket i Stenstorp öppet någon dag i mellandagarna?"),
        ]),
        P("fb-saga", 12, 9, "Sagostund varje onsdag kl. 10 på barnavdelningen. Ingen anmälan, bara att komma!", [
            C("fb-saga-1", 5, "Emma Lind", "Vilken ålder passar sagostunden för?"),
            C("fb-saga-2", 6, "Falköpings bibliotek", "Hej Emma! Den passar barn mellan 3 och 6 år.",
              by_account=True, reply_to="fb-saga-1"),
            C("fb-saga-3", 8, "Johan Ek", "Tack för en fin sagostund i dag, dottern älskade den!"),
            # R20: a question answered with the signature the routine asks for.
            C("fb-saga-4", 9, "Lina Berg", "Behöver man anmäla sig till sagostunden under jullovet?"),
            C("fb-saga-5", 10, "Falköpings bibliotek", "Hej Lina! Nej, ingen anmälan behövs, välkommen!\n"
              "/Rebecka Redaktör, Biblioteket", by_account=True, reply_to="fb-saga-4"),
        ]),
        P("fb-tips", 20, 13, "Veckans boktips från Rebecka: en spännande deckare som utspelar sig på Falbygden. "
          "Finns att låna nu."),
    ]),
    DemoAccount("Falköpings museum", "facebook", "facebook", "100064500000102", "falkopingsmuseum", [
        P("fm-utst", 3, 11, "Ny utställning: Falbygdens stenåldersgravar. Välkommen på vernissage lördag kl. 13!", [
            C("fm-utst-1", 2, "Anders Holm", "Kostar det något att komma in?"),
            C("fm-utst-2", 3, "Falköpings museum", "Hej Anders! Fri entré, alltid.", by_account=True,
              reply_to="fm-utst-1"),
            # Hidden by the page a little later (CHANGES): still on the platform, not shown.
            C("fm-utst-3", 4, "Snabba Följare", "Köp 10 000 följare billigt på vår sajt!!!"),
        ]),
        P("fm-lov", 18, 10, "Höstlovsverkstad på museet: gör din egen runsten. Måndag till fredag kl. 10–15."),
    ]),
    DemoAccount("Räddningstjänsten Falköping", "facebook", "facebook", "100064500000103",
                "raddningstjanstenfalkoping", [
        P("rt-ljus", 4, 16, "Tänd ljus, men släck dem när du går ut ur rummet. Testa brandvarnaren i advent!", [
            C("rt-ljus-1", 1, "Karin Svensson", "Bra påminnelse, nu har vi bytt batteri."),
            C("rt-ljus-2", 2, "Mikael Berg", "Var köper man en brandfilt?"),
            C("rt-ljus-3", 3, "Räddningstjänsten Falköping", "Hej Mikael! I de flesta byggvaruhus och på "
              "apoteket.", by_account=True, reply_to="rt-ljus-2"),
        ]),
        P("rt-brand", 11, 20, "Vi har släckt en brand i ett förråd på Mössebergsvägen. Ingen person kom till skada."),
    ], connected_days_ago=60),  # two posts in the last four weeks: a shortfall read from the platform (R19)
    # Fell silent about seven months ago (R6, as seed_demo's weekly log has it).
    DemoAccount("Samhällsbyggnad Falköping", "facebook", "facebook", "100064500000104",
                "samhallsbyggnadfalkoping", [
        P("sb-samrad", 218, 9, "Samråd om detaljplanen för kvarteret Gästgivaren: lämna dina synpunkter senast "
          "den 30 april.", [
            C("sb-samrad-1", 20, "Lena Ahl", "Var kan man se ritningarna?"),
        ]),
    ], connected_days_ago=230),  # its last captured post is seven months old: inactive (R6), exact to the day
    DemoAccount("Falköpings kommun", "instagram", "instagram", "17841400000000201", "falkopingskommun", [
        P("ik-host", 3, 12, "Höstkväll över Mösseberg. Tack @annafotar för bilden! #falköping #mösseberg", [
            C("ik-host-1", 1, "annafotar", "Så glad att ni ville dela den!"),
            C("ik-host-2", 2, "jonasjo", "Vackert 😍"),
        ]),
        P("ik-jobb", 15, 8, "Vi söker sommarvikarier till äldreomsorgen. Ansök senast 31 januari! Länk i bion."),
    ]),
    DemoAccount("Falköpings bibliotek", "instagram", "instagram", "17841400000000202", "falkopingsbibliotek", [
        P("ib-tips", 2, 15, "Tre böcker att läsa under filten i helgen 📚 Vilken läser du först?", [
            C("ib-tips-1", 1, "bokmalen_ida", "Den första! Har hört så mycket gott om den."),
            C("ib-tips-2", 3, "falkopingsbibliotek", "Hoppas du gillar den, Ida!", by_account=True,
              reply_to="ib-tips-1"),
        ]),
        P("ib-lasfor", 13, 10, "Läsfrämjande vecka på biblioteket: författarbesök varje dag kl. 14."),
    ]),
    DemoAccount("Falköpings museum", "instagram", "instagram", "17841400000000203", "falkopingsmuseum", [
        P("im-fynd", 6, 11, "Veckans föremål: en flintdolk från Falbygden, cirka 4 000 år gammal.", [
            C("im-fynd-1", 4, "arkeologen_ola", "Fantastiskt fynd! Var hittades den?"),
        ]),
    ]),
    DemoAccount("Ållebergsgymnasiet", "instagram", "instagram", "17841400000000204", "allebergsgymnasiet", [
        P("ia-oppet", 8, 17, "Öppet hus den 20 januari kl. 17–19! Träffa lärare och elever från alla program.", [
            C("ia-oppet-1", 2, "elin.k", "Kan man prova på naturvetenskapsprogrammet?"),
            C("ia-oppet-2", 3, "allebergsgymnasiet", "Ja! Labbet är öppet hela kvällen 🧪", by_account=True,
              reply_to="ia-oppet-1"),
        ]),
    ]),
    DemoAccount("Fritid Falköping", "instagram", "instagram", "17841400000000205", "fritidfalkoping", [
        P("if-lov", 7, 13, "Jullovsprogrammet är här: bad, pyssel och filmkvällar för unga. Allt är gratis!"),
        P("if-skate", 21, 16, "Skateparken vid Ekehagen har fått nya ramper. Vi ses där!", [
            C("if-skate-1", 5, "skatemilo", "Äntligen!! Tack"),
        ]),
    ]),
    DemoAccount("Falköpings kommun", "youtube", "youtube", "UCfalkopingskommun000001", "@falkopingskommun", [
        P("yt-kf", 9, 18, "Kommunfullmäktige 30 november 2026: budget för 2027, motioner och interpellationer.", [
            C("yt-kf-1", 3, "Ingrid Persson", "Tack för att ni sänder mötena, lätt att följa hemifrån."),
            C("yt-kf-2", 5, "Tomas Ek", "Vid vilken tid i filmen börjar budgetdebatten?"),
            C("yt-kf-3", 6, "Falköpings kommun", "Hej Tomas! Vid 1:12:30.", by_account=True, reply_to="yt-kf-2"),
        ]),
        P("yt-plog", 27, 12, "Så fungerar vinterväghållningen i Falköping: en film om vem som plogar vad."),
    ]),
    DemoAccount("Falköpings kommun", "mastodon", "mastodon", "109384756120394857", "falkopingskommun", [
        P("ma-sno", 2, 7, "Snöoväder i natt: kör försiktigt och håll koll på falkoping.se för trafikinformation.", [
            C("ma-sno-1", 1, "Eva Nord", "Blir det skolskjuts i morgon?"),
            C("ma-sno-2", 2, "Falköpings kommun", "Hej Eva! Skolskjutsarna går som vanligt, med förseningar.",
              by_account=True, reply_to="ma-sno-1"),
        ]),
        P("ma-val", 19, 10, "Medborgardialog om nya Stationsområdet: tyck till på falkoping.se/dialog."),
    ]),
    DemoAccount("Falköpings kommun", "bluesky", "bluesky", "did:plc:falkopingskommundemoaaaa", "falkoping.se", [
        P("bs-sno", 2, 7, "Snöoväder i natt: kör försiktigt och håll koll på falkoping.se för trafikinformation.", [
            C("bs-sno-1", 2, "Olle Berg", "Tack för infon!"),
        ]),
        P("bs-jul", 16, 9, "Julmarknad på Stora torget på lördag kl. 11–16. Välkommen!"),
    ]),
]

# The profiles the platforms show (R4, R5, R9), by (connector kind, account id): description,
# followers and the accounts followed as (id, name, handle); None where the platform keeps that to
# itself. The library's Facebook page says something else than the registry (seed_demo), so the
# first profile snapshot raises R5's flag; the municipality's Mastodon account follows a private
# person, which its yearly self-check shows (R9).
PROFILES = {
    ("facebook", "100064512345678"): (
        "Falköpings kommuns officiella sida. Nyheter, service och information vid kris.", 8400, None),
    ("facebook", "100064500000101"): (
        "Välkommen till Falköpings bibliotek! Här tipsar vi om böcker.", 2300, None),
    # The others say what the registry says (seed_demo): only the library's page is flagged.
    ("facebook", "100064500000102"): ("Utställningar och lovaktiviteter på museet.", 1200, None),
    ("facebook", "100064500000103"): (
        "Information om räddningsinsatser, brandrisk och förebyggande råd.", 5100, None),
    ("facebook", "100064500000104"): ("Vägarbeten, detaljplaner och samråd.", 900, None),
    ("instagram", "17841400000000201"): ("Bilder och berättelser från Falköpings kommun.", 3900, None),
    ("instagram", "17841400000000202"): ("Boktips och bilder från biblioteken i Falköping.", 1500, None),
    ("instagram", "17841400000000203"): ("Utställningar, visningar och historia från Falbygden.", 1100, None),
    ("instagram", "17841400000000204"): ("Livet på Ållebergsgymnasiet.", 2000, None),
    ("instagram", "17841400000000205"): ("Aktiviteter, lovprogram och mötesplatser för unga.", 800, None),
    ("youtube", "UCfalkopingskommun000001"): (
        "Filmer från kommunfullmäktige och kommunens verksamheter.", 640, None),
    ("mastodon", "109384756120394857"): (
        "Nyheter och viktig information från Falköpings kommun, även vid kris.", 510, [
            ("109000000000000101", "Krisinformation.se", "krisinformation@mastodon.nu"),
            ("109000000000000102", "Skövde kommun", "skovdekommun@mastodon.nu"),
            ("109000000000000103", "Kalle Karlsson", "kallek@mastodon.social"),
        ]),
    ("bluesky", "did:plc:falkopingskommundemoaaaa"): (
        "Nyheter och viktig information från Falköpings kommun, även vid kris.", 290, [
            ("did:plc:krisinformationdemoaaaaa", "Krisinformation.se", "krisinformation.se"),
            ("did:plc:smhidemoaaaaaaaaaaaaaaaa", "SMHI", "smhi.se"),
        ]),
}


@dataclass
class DemoMessage:
    """A private message to (or from) a demo page, in a conversation (R20: messages are questions)."""

    account_id: str  # the page
    conversation: str
    key: str
    days_ago: int  # before the first start's day
    hour: float  # UTC
    author: str
    text: str
    by_account: bool = False


M = DemoMessage
MESSAGES = [
    # Answered the next morning, without a signature (R20: listed for the editor with the one to paste).
    M("100064500000101", "demo-conv-1", "msg-1-1", 3, 18, "Karin Ek", "Hej! Jag har tappat mitt lånekort. Hur får "
      "jag ett nytt?"),
    M("100064500000101", "demo-conv-1", "msg-1-2", 2, 8, "Falköpings bibliotek", "Hej Karin! Kom förbi "
      "lånedisken med legitimation, så får du ett nytt direkt.", by_account=True),
    # Still waiting for an answer: overdue after 24 hours on weekdays.
    M("100064500000101", "demo-conv-2", "msg-2-1", 2, 12, "Ahmed Hassan", "Hej, kan man boka ett grupprum på "
      "Stadsbiblioteket till nästa vecka"),
]

# What happens on the platforms CHANGES_AFTER after the first start: (what, kind, post or comment key, new text).
CHANGES = [
    ("edit", "facebook", "fb-jul", "Öppettider i jul (uppdaterat): Stadsbiblioteket har öppet den 23 december "
     "kl. 10–16. Filialerna har stängt mellan jul och nyår."),
    ("delete", "facebook", "kf-budget-3", None),
    ("hide", "facebook", "fm-utst-3", None),
]
# fmt: on


def platform_id(kind: str, key: str, account: DemoAccount | None = None) -> str:
    """A stable id in the platform's own shape, from the demo's key."""
    digest = hashlib.sha256(f"{kind}:{key}".encode()).hexdigest()
    digits = str(int(digest[:16], 16)).rjust(17, "0")[:17]
    if kind == "facebook":
        return f"{account.account_id}_{digits[:15]}" if account else f"{digits[:15]}_{digits[2:17]}"
    if kind == "instagram":
        return "179" + digits[:14]
    if kind == "youtube":
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        number = int(digest, 16)
        chars = "".join(alphabet[(number >> (6 * n)) & 63] for n in range(26))
        return chars[:11] if account else "Ugx" + chars[:23]
    if kind == "bluesky":
        return "3l" + digest[:11]
    return digits


# Serving --------------------------------------------------------------------------------------------


def portal_port() -> int:
    address = os.environ.get("PORTAL_DEV_ADDRESS", "127.0.0.1:8000")
    return int(address.rpartition(":")[2])


def port_base() -> int:
    """Where the simulators listen: PORTAL_SIMULATORS_PORT, or the portal's port + 100."""
    configured = os.environ.get("PORTAL_SIMULATORS_PORT")
    return int(configured) if configured else portal_port() + PORT_AFTER_PORTAL


def var_dir() -> Path:
    return Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def _module(name: str):
    """The module, or None when it is not there (not written or not merged yet)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name and name.startswith(error.name):
            return None
        logger.warning("The simulator %s cannot be imported: left out.", name, exc_info=True)
        return None
    except Exception:
        # One simulator's bug must not take the demo's other platforms down with it.
        logger.warning("The simulator %s cannot be imported: left out.", name, exc_info=True)
        return None


def resolve(kind: str) -> type[Simulator] | None:
    """The Simulator subclass for `kind`: the class MODULES names ("module:Class"), or the one its
    module defines, by the kind's name where it defines several (FacebookSimulator, InstagramSimulator)."""
    module_name, _, class_name = MODULES.get(kind, "").partition(":")
    module = _module(module_name) if module_name else None
    if module is None:
        return None
    if class_name:
        return getattr(module, class_name, None)
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, Simulator) and value.__module__ == module.__name__
    ]
    named = [cls for cls in found if kind in cls.__name__.lower()]
    if named:
        return named[0]
    return found[0] if len(found) == 1 else None


def simulators() -> tuple[dict[str, Simulator], list[str]]:
    """One simulator of each class there is, by the kinds it serves; and the kinds without one."""
    by_class: dict[type, Simulator] = {}
    by_kind, skipped = {}, []
    for kind in MODULES:
        cls = resolve(kind)
        if cls is None:
            logger.info(
                "No simulator for %s (%s is not there): its demo accounts are not connected.", kind, MODULES[kind]
            )
            skipped.append(kind)
            continue
        if cls not in by_class:
            try:
                by_class[cls] = cls()
            except Exception:
                logger.warning("The simulator for %s cannot start: left out.", kind, exc_info=True)
                skipped.append(kind)
                continue
        by_kind[kind] = by_class[cls]
    return by_kind, skipped


def _accepts(method, name: str) -> bool:
    try:
        return name in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


@dataclass
class DemoPlatforms:
    """The simulators by connector kind, with their addresses: served (`start`), or where they will
    be served on fixed ports (`planned`, for connecting before they start)."""

    anchor: datetime.datetime
    simulators: dict[str, Simulator] = field(default_factory=dict)  # kind → simulator
    urls: dict[str, str] = field(default_factory=dict)  # kind → http://127.0.0.1:port
    skipped: list[str] = field(default_factory=list)
    servers: list[RunningSimulator] = field(default_factory=list)
    changed: bool = False

    @property
    def changes_at(self) -> datetime.datetime:
        return self.anchor + CHANGES_AFTER

    def base_url(self, account: DemoAccount) -> str:
        sim, url = self.simulators[account.kind], self.urls[account.kind]
        if account.kind == "feed" and hasattr(sim, "feed_path"):
            return url + sim.feed_path(account.account_id)
        return url + getattr(sim, "base_path", "")

    def connections(self) -> list[dict]:
        """What the portal needs to connect each demo account (demo's connect_demo_accounts)."""
        return [
            {
                "account": account.account,
                "platform": account.platform,
                "kind": account.kind,
                "base_url": self.base_url(account),
                "external_id": account.account_id,
                "external_name": account.account,
                "external_handle": account.handle,
                "token": account.token,
                "connected_at": (self.anchor - datetime.timedelta(days=account.connected_days_ago)).isoformat()
                if account.connected_days_ago
                else None,
            }
            for account in ACCOUNTS
            if account.kind in self.simulators
        ]

    def plan(self) -> dict:
        """What var/simulators.json holds: the addresses, and the connections the demo makes."""
        return {
            "anchor": self.anchor.isoformat(),
            "changes_at": self.changes_at.isoformat(),
            "simulators": {kind: self.urls[kind] for kind in self.simulators},
            "missing": self.skipped,
            "connections": self.connections(),
        }

    def apply_changes(self):
        """The edit, the deletion and the hiding (CHANGES), once."""
        if self.changed:
            return
        self.changed = True
        for what, kind, key, text in CHANGES:
            if kind not in self.simulators:
                continue
            sim = self.simulators[kind]
            item_id = _item_ids(kind).get(key)
            method = getattr(sim, what, None)
            if item_id is None or method is None:
                continue  # this platform has no hiding
            with sim.lock:
                if what == "edit":
                    method(item_id, text)
                else:
                    method(item_id)

    def stop(self):
        for server in self.servers:
            server.stop()


def _first_kinds(by_kind: dict[str, Simulator]) -> dict[int, str]:
    """Each simulator's first kind: its port's offset (Meta serves Instagram on Facebook's port)."""
    first: dict[int, str] = {}
    for kind, sim in by_kind.items():
        first.setdefault(id(sim), kind)
    return first


def planned(base: int, anchor: datetime.datetime | None = None) -> DemoPlatforms:
    """Where `start(base)` will serve, without serving: what `make run` connects before the simulators start."""
    by_kind, skipped = simulators()
    first = _first_kinds(by_kind)
    urls = {kind: f"http://127.0.0.1:{base + PORT_OFFSETS[first[id(sim)]]}" for kind, sim in by_kind.items()}
    return DemoPlatforms(anchor=anchor or _now(), simulators=by_kind, urls=urls, skipped=skipped)


def start(base: int = 0, anchor: datetime.datetime | None = None) -> DemoPlatforms:
    """Serves every simulator there is, seeded with the demo's content. `base` 0: free ports (the
    tests); otherwise each on base + its first kind's offset."""
    by_kind, skipped = simulators()
    platforms = DemoPlatforms(anchor=anchor or _now(), simulators=by_kind, skipped=skipped)
    first = _first_kinds(by_kind)
    running: dict[int, RunningSimulator] = {}
    try:
        for kind, sim in list(by_kind.items()):
            if id(sim) not in running:
                port = base + PORT_OFFSETS[first[id(sim)]] if base else 0
                running[id(sim)] = serve(sim, port=port)
                platforms.servers.append(running[id(sim)])
            platforms.urls[kind] = running[id(sim)].url
            try:
                seed(sim, kind, platforms.anchor)
            except Exception:
                # Its methods differ from the ones the demo calls (add_account, add_post,
                # add_comment): the other platforms go on; this one answers, without the content.
                logger.warning("The simulated %s could not take the demo's content: left out.", kind, exc_info=True)
                del platforms.simulators[kind], platforms.urls[kind]
                platforms.skipped.append(kind)
    except BaseException:
        platforms.stop()
        raise
    if _now() >= platforms.changes_at:
        platforms.apply_changes()
    return platforms


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def _item_ids(kind: str) -> dict[str, str]:
    ids = {}
    for account in ACCOUNTS:
        if account.kind != kind:
            continue
        for post in account.posts:
            ids[post.key] = platform_id(kind, post.key, account)
            for comment in post.comments:
                ids[comment.key] = platform_id(kind, comment.key)
    return ids


def seed(sim: Simulator, kind: str, anchor: datetime.datetime):
    """The demo accounts of `kind` and their posts and comments, dated back from the anchor's day."""
    day = datetime.datetime.combine(anchor.date(), datetime.time(), tzinfo=datetime.UTC)
    with sim.lock:
        for account in ACCOUNTS:
            if account.kind != kind:
                continue
            extra = {key: kind for key in ("platform", "kind") if _accepts(sim.add_account, key)}
            sim.add_account(account.account_id, account.account, handle=account.handle, token=account.token, **extra)
            profile = PROFILES.get((kind, account.account_id))
            if profile and hasattr(sim, "set_profile"):
                description, followers, following = profile
                sim.set_profile(account.account_id, description=description, followers=followers, following=following)
            for post in account.posts:
                published = day - datetime.timedelta(days=post.days_ago) + datetime.timedelta(hours=post.hour)
                post_id = platform_id(kind, post.key, account)
                sim.add_post(account.account_id, post_id, post.text, published)
                for comment in post.comments:
                    sim.add_comment(
                        post_id, platform_id(kind, comment.key), comment.text, comment.author,
                        published + datetime.timedelta(hours=comment.hours_after),
                        parent_id=platform_id(kind, comment.reply_to) if comment.reply_to else None,
                        by_account=comment.by_account,
                    )  # fmt: skip
        if hasattr(sim, "add_message"):  # the Facebook simulator reads the pages' messages
            for message in MESSAGES:
                if message.account_id in sim.accounts:
                    sim.add_message(
                        message.account_id, message.conversation, message.key, message.text, message.author,
                        day - datetime.timedelta(days=message.days_ago) + datetime.timedelta(hours=message.hour),
                        by_account=message.by_account,
                    )  # fmt: skip


def read_anchor(path: Path) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(json.loads(path.read_text())["anchor"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_plan(platforms: DemoPlatforms, path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(platforms.plan(), ensure_ascii=False, indent=2))
    temporary.replace(path)


def run(base: int, path: Path, stop: threading.Event) -> int:
    platforms = start(base, anchor=read_anchor(path))
    try:
        write_plan(platforms, path)
        for kind, url in platforms.urls.items():
            count = sum(1 for account in ACCOUNTS if account.kind == kind)
            print(f"Simulated {kind} at {url} ({count} demo accounts)", flush=True)
        if platforms.skipped:
            print(f"No simulator yet for: {', '.join(platforms.skipped)}", flush=True)
        wait = (platforms.changes_at - _now()).total_seconds()
        if not platforms.changed and not stop.wait(max(0.0, wait)):
            platforms.apply_changes()
            print("The simulated platforms changed: a post edited, a comment deleted, one hidden.", flush=True)
        stop.wait()
    finally:
        platforms.stop()
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Serve the simulated platforms with the demo's content.")
    parser.add_argument("--port", type=int, default=None, help="the first port (default: the portal's + 100)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    try:
        return run(args.port or port_base(), var_dir() / PLAN_FILE, stop)
    except OSError as error:
        print(f"The simulated platforms could not start: {error}", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
