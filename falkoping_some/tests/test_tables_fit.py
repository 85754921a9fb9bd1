"""Every table of the portal's templates sits in a box that scrolls sideways (issue 17, WCAG 1.4.10):
a table added without one makes its page wider than a phone whenever its data is wide, which the
every-page browser test sees only when its world happens to hold such data."""

import re
from pathlib import Path

from django.conf import settings


def bare_tables(root: Path) -> list[str]:
    """file:line of every <table> not directly inside <div class="table-scroll">."""
    bare = []
    for template in sorted(root.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<table\b", text):
            if not text[: match.start()].rstrip().endswith('<div class="table-scroll">'):
                bare.append(f"{template.relative_to(root)}:{text.count(chr(10), 0, match.start()) + 1}")
    return bare


def test_every_table_is_in_a_table_scroll_box():
    bare = bare_tables(Path(settings.BASE_DIR) / "templates")
    assert not bare, 'tables outside <div class="table-scroll">:\n' + "\n".join(bare)


def test_a_bare_table_is_found(tmp_path):
    (tmp_path / "x.html").write_text('<div class="table-scroll">\n<table></table></div>\n<table></table>')
    assert bare_tables(tmp_path) == ["x.html:3"]
