#!/usr/bin/env bash
# Start the local PostgreSQL 15 cluster and create the two roles and the database.
# Idempotent.
#   claimtrail      owns the tables and runs the migrations; may create databases
#                   (pytest-django creates test_claimtrail as it).
#   claimtrail_app  what the app, the worker and the commands connect as: owns nothing,
#                   may only INSERT and SELECT on the ledger and the evidence (the grants
#                   are applied by `manage.py migrate`, see archive/privileges.py).
# The passwords are for this development machine and CI only.
set -euo pipefail
PG_VERSION="${PG_VERSION:-15}"
pg_ctlcluster "$PG_VERSION" main start 2>/dev/null || true
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 && break
    sleep 1
done
as_postgres() { su postgres -c "$1"; }
if ! as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='claimtrail'\"" | grep -q 1; then
    as_postgres "psql -q -c \"CREATE ROLE claimtrail LOGIN CREATEDB PASSWORD 'claimtrail'\""
fi
if ! as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='claimtrail_app'\"" | grep -q 1; then
    as_postgres "psql -q -c \"CREATE ROLE claimtrail_app LOGIN NOCREATEDB NOCREATEROLE PASSWORD 'claimtrail_app'\""
fi
# The benchmarks write their data load out (CHECKPOINT) before they measure.
as_postgres "psql -q -c \"GRANT pg_checkpoint TO claimtrail\""
if ! as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='claimtrail'\"" | grep -q 1; then
    as_postgres "createdb -O claimtrail claimtrail"
fi
as_postgres "psql -q -d claimtrail -c \"REVOKE CREATE ON SCHEMA public FROM PUBLIC\""
echo "PostgreSQL ready:"
echo "  DATABASE_OWNER_URL=postgres://claimtrail:claimtrail@127.0.0.1:5432/claimtrail   (migrate)"
echo "  DATABASE_URL=postgres://claimtrail_app:claimtrail_app@127.0.0.1:5432/claimtrail (the app)"
