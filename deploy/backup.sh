#!/usr/bin/env bash
# A backup of the bot's PostgreSQL database with pg_dump (custom format: compressed, restored with
# pg_restore, one table at a time if needed). Run daily by htxbot-backup.timer.
# Usage: deploy/backup.sh [DIR]   (DATABASE_URL from the environment, as the bot reads it)
# Keeps the newest KEEP (default 14) dumps in DIR (default /var/backups/htxbot); prints the new file.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL is not set}"
case "$DATABASE_URL" in
  postgresql+asyncpg://*) url="postgresql://${DATABASE_URL#postgresql+asyncpg://}" ;;
  *) echo "backup.sh: DATABASE_URL is not PostgreSQL; back up an SQLite file with: sqlite3 FILE '.backup COPY'" >&2; exit 2 ;;
esac
dir="${1:-/var/backups/htxbot}"
keep="${KEEP:-14}"
mkdir -p "$dir"
file="$dir/htxbot-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --no-privileges --file="$file.part" "$url"
mv "$file.part" "$file"
ls -1t "$dir"/htxbot-*.dump | tail -n +"$((keep + 1))" | xargs -r rm --
echo "$file"
