"""Hostile input for the forms of the portal: the values every text, date, number
and file field is tried with, as fixed lists (each tried every run) and as hypothesis strategies
(random ones around them).

A value here is what a browser, a script or a pasted spreadsheet can send: it must come back as a
clear error on the form, or be stored as harmless text and shown escaped, never as a 500.
"""

import struct
import zlib

from hypothesis import strategies as st

from moderation.tests.files import PAGE, PAGES, pdf, png_claiming

# The script tag whose raw appearance in a page would be a stored or reflected XSS.
SCRIPT = '<script>alert("hostile")</script>'
ATTRIBUTE_BREAKER = '"><img src=x onerror=alert(1)>'
RAW_MARKUP = (SCRIPT, ATTRIBUTE_BREAKER)

NASTY_TEXT = [
    "",
    " ",
    "\t\n \r\n\u00a0\u2003\u3000",  # whitespace only: tabs, line ends, no-break, em, ideographic
    "x" * 10_000,
    "å" + "x" * 999_999,  # a million characters: one such field fits Django's 2.5 MB request limit
    "a\x00b",
    "\u202egnp.exe \u2066\u2067\u2068\u2069\u202a\u202b\u202c\u200e\u200f\u061c",  # bidi controls
    "\ufeffBOM \u200b\u200c\u200d zero width",
    SCRIPT,
    f"{ATTRIBUTE_BREAKER} <b>fet</b> &amp; &lt; {{{{ 7|add:7 }}}} {{% now 'Y' %}} ${{7*7}}",  # templates are text
    "'; DROP TABLE accounts_socialaccount; -- ' OR '1'='1 %' AND 1=1 --",
    "\\ ../../etc/passwd ..\\..\\windows\\win.ini CON.png",
    '=HYPERLINK("https://evil.example/","Klicka")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "😀👩🏽‍💻𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠜎 Z̸̢̛̝͔̈́͊a̶̧̛͕͑l̷̰̈g̵̦̈́o̶̧͝",  # emoji, the astral plane, stacked marks
    "\ud800",  # a lone surrogate: sent as the bytes ED A0 80, which are not UTF-8
    "a\udfffb",
    "\r\nSet-Cookie: x=1\u2028\u2029",
]

NASTY_DATES = [
    "0001-01-01",
    "9999-12-31",
    "0000-00-00",
    "2026-02-30",
    "2026-13-01",
    "-2026-01-01",
    "20266-01-01",
    "2026-W99",
    "1e309",
    "NaN",
    "2026-01-01T25:61",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "",
    " ",
    "\x00",
    "2026-01-01\x00",
    "٢٠٢٦-٠١-٠١",  # Arabic-Indic digits
]

NASTY_NUMBERS = [
    "-1",
    "0",
    str(2**63),
    str(-(2**63) - 1),
    str(10**400),
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "1.5",
    "0x10",
    "١٢",  # Arabic-Indic digits
    "1_000",
    " 3 ",
    "",
    "\x00",
    "3; DROP TABLE x",
]

# A field value: the fixed hostile ones, random text (which by default holds no surrogates; the
# lists above have some), and hostile text wrapped in random text.
text_values = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(max_size=300),
    st.builds(lambda a, b, c: a + b + c, st.text(max_size=20), st.sampled_from(NASTY_TEXT[5:]), st.text(max_size=20)),
)
date_values = st.one_of(
    st.sampled_from(NASTY_DATES),
    st.dates().map(str),
    st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")),
    st.text(max_size=30),
)
number_values = st.one_of(
    st.sampled_from(NASTY_NUMBERS),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=20),
)

# File names for uploads.
NASTY_FILE_NAMES = [
    "../../etc/passwd",
    "..\\..\\..\\windows\\system32\\config\\SAM",
    "/etc/passwd",
    "CON.png",
    "aux.pdf",
    "NUL",
    ".",
    "..",
    ".htaccess",
    "a" * 1000 + ".png",
    "\u202egnp.exe",
    f"{SCRIPT}.png",
    "skärmdump 😀.png",
    "bild\u0000.png",
    "bild\r\n.png",
]
file_names = st.one_of(st.sampled_from(NASTY_FILE_NAMES), st.text(min_size=1, max_size=80))


def png_header_only(width=100_000, height=100_000) -> bytes:
    """A PNG that claims ten billion pixels (a decompression bomb's header) and holds none."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


NASTY_FILES = [
    ("leer.png", b""),
    ("fake.png", b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10),
    ("text.png", b"<?php system($_GET['c']); ?>"),
    ("bomb.png", png_header_only()),
    ("script.pdf", b"%PDF-1.4\n<script>alert(1)</script>"),  # no %%EOF: not a PDF
    ("binary.jpg", bytes(range(256)) * 40),
    ("svg.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("zip.pdf", b"PK\x03\x04" + b"\x00" * 200),
    # Well-formed, but they act on whoever opens the evidence (R22): a script run on opening, a
    # program launched, and an image of more pixels than any screenshot (a decompression bomb).
    (
        "script-on-open.pdf",
        pdf(b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>", PAGES, PAGE),
    ),
    ("launch.pdf", pdf(b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/Launch/F(cmd.exe)>>>>", PAGES, PAGE)),
    ("40-megapixels.png", png_claiming(8000, 5001)),
]
