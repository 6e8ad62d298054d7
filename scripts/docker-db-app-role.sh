#!/usr/bin/env bash
# PostgreSQL image init script (docker-compose.yml): create the app's least-privileged role.
# Its privileges are granted by `manage.py migrate` (archive/privileges.py).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
CREATE ROLE claimtrail_app LOGIN NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
