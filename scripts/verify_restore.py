"""The last step of scripts/restore.sh: does the restored database fit the code and its files?

Run with DATABASE_URL and PORTAL_PRIVATE_MEDIA_ROOT pointing at the restore (and the portal's other
settings, such as DJANGO_SECRET_KEY). Exits 1 and says what is wrong when the schema lacks a
migration, or when an evidence file or council attachment named in the database is missing or its
SHA-256 differs from the one recorded at upload.
"""

import hashlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "falkoping_some.settings")

import django  # noqa: E402 (after the path and settings above)

django.setup()

from django.core.management import call_command  # noqa: E402

from council.models import MinutesAttachment  # noqa: E402
from moderation.models import Evidence  # noqa: E402


def sha256_of(stored) -> str:
    digest = hashlib.sha256()
    with stored.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def main() -> int:
    try:
        call_command("migrate", check_unapplied=True, verbosity=0)  # exits 1 when one is missing
    except SystemExit:
        print("verify_restore: the restored schema lacks migrations of this code", file=sys.stderr)
        return 1
    problems = []
    checked = 0
    for model in (Evidence, MinutesAttachment):
        for record in model.objects.only("pk", "file", "sha256").iterator():
            checked += 1
            if not record.file.storage.exists(record.file.name):
                problems.append(f"{model.__name__} {record.pk}: {record.file.name} is missing")
            elif sha256_of(record.file) != record.sha256:
                problems.append(f"{model.__name__} {record.pk}: {record.file.name} differs from its SHA-256")
    for problem in problems:
        print(f"verify_restore: {problem}", file=sys.stderr)
    print(f"verify_restore: {checked} private files named in the database, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
