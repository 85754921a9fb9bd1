#!/usr/bin/env bash
# Back up the portal: the PostgreSQL database and the private files (evidence, council attachments,
# records exports) together, with a manifest of SHA-256 sums. README, "Running it safely".
#
#   scripts/backup.sh /var/backups/falkoping-some
#
# Run as the service user with the portal's environment loaded (DATABASE_URL, and
# PORTAL_PRIVATE_MEDIA_ROOT or PORTAL_VAR_DIR). Writes one new folder per run:
#   falkoping-some-<UTC time>/database.dump        pg_dump's custom format (pg_restore reads it)
#                             private.tar          every file under the private root
#                             private-files.sha256 the SHA-256 of each of those files
#                             MANIFEST.sha256      the SHA-256 of the three files above
# The database is dumped first, then the files are archived: a file uploaded in between is an extra
# file in the archive (harmless), never a row pointing at a file the archive lacks.
set -euo pipefail
umask 077  # evidence of crimes and personal data: readable by the service user only

destination="${1:?usage: scripts/backup.sh DESTINATION_FOLDER}"
database_url="${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
case "$database_url" in
    postgres://* | postgresql://*) ;;
    *) echo "backup.sh backs up PostgreSQL only; DATABASE_URL is not a postgres:// URL" >&2; exit 2 ;;
esac
var_dir="${PORTAL_VAR_DIR:-$(cd "$(dirname "$0")/.." && pwd)/var}"
private_root="${PORTAL_PRIVATE_MEDIA_ROOT:-$var_dir/private}"
mkdir -p "$private_root"  # a portal with no upload yet has none

folder="$destination/falkoping-some-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$destination"
mkdir "$folder"  # fails rather than mixing two runs of the same second
partial="$folder/INCOMPLETE"
touch "$partial"

pg_dump --format=custom --no-owner --no-privileges --file="$folder/database.dump" "$database_url"

(cd "$private_root" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum) >"$folder/private-files.sha256"
tar --create --file="$folder/private.tar" --directory="$private_root" .

(cd "$folder" && sha256sum database.dump private.tar private-files.sha256) >"$folder/MANIFEST.sha256"
rm "$partial"
echo "$folder"
