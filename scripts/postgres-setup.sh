#!/usr/bin/env bash
# Start the local PostgreSQL 15 cluster and create the claimtrail role and database.
# Idempotent. The role may create databases (pytest-django creates test_claimtrail).
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
# The benchmarks write their data load out (CHECKPOINT) before they measure.
as_postgres "psql -q -c \"GRANT pg_checkpoint TO claimtrail\""
if ! as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='claimtrail'\"" | grep -q 1; then
    as_postgres "createdb -O claimtrail claimtrail"
fi
echo "PostgreSQL ready: DATABASE_URL=postgres://claimtrail:claimtrail@127.0.0.1:5432/claimtrail"
