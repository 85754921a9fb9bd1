#!/usr/bin/env bash
# Restore a backup of scripts/backup.sh into a NEW, empty database and an empty private folder,
# then verify it. README, "Running it safely".
#
#   RESTORE_DATABASE_URL=postgres://some@db.example.se/falkoping_some_restore \
#   RESTORE_PRIVATE_MEDIA_ROOT=/var/lib/falkoping-some-restore/private \
#   scripts/restore.sh /var/backups/falkoping-some/falkoping-some-20250304T020000Z
#
# Create the database first (createdb falkoping_some_restore). Verified, in order: the manifest's
# SHA-256 of every part; the database restored in one transaction (all or nothing); each private
# file's SHA-256; then, through Django, that the schema is the code's (no migration missing) and that
# every evidence file and council attachment the database names is there with its recorded SHA-256.
# To put a restore in service, point DATABASE_URL and PORTAL_PRIVATE_MEDIA_ROOT at it.
set -euo pipefail
umask 077

backup="${1:?usage: scripts/restore.sh BACKUP_FOLDER}"
database_url="${RESTORE_DATABASE_URL:?RESTORE_DATABASE_URL must name the new, empty database}"
private_root="${RESTORE_PRIVATE_MEDIA_ROOT:?RESTORE_PRIVATE_MEDIA_ROOT must name the new, empty folder}"
project="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$project/.venv/bin/python}"

fail() { echo "restore.sh: $*" >&2; exit 1; }

[ -e "$backup/INCOMPLETE" ] && fail "$backup is an interrupted backup"
(cd "$backup" && sha256sum --check --quiet --strict MANIFEST.sha256) || fail "the backup does not match its manifest"

tables="$(psql "$database_url" --no-psqlrc --tuples-only --no-align \
    --command="select count(*) from pg_tables where schemaname = 'public'")"
[ "$tables" = 0 ] || fail "the database already holds $tables tables: restore into a new, empty one"
if [ -d "$private_root" ] && [ -n "$(ls -A "$private_root")" ]; then
    fail "$private_root is not empty: restore into a new, empty folder"
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$database_url" "$backup/database.dump"

mkdir -p "$private_root"
tar --extract --file="$backup/private.tar" --directory="$private_root" --no-same-owner
(cd "$private_root" && sha256sum --check --quiet --strict "$backup/private-files.sha256") \
    || fail "a private file differs from the backup's list"

DATABASE_URL="$database_url" PORTAL_PRIVATE_MEDIA_ROOT="$private_root" \
    "$python" "$project/scripts/verify_restore.py"
echo "Restored and verified: $backup"
