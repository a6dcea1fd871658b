#!/usr/bin/env bash
# First start of the Compose PostgreSQL: one role and one database per service, owned by
# that role, closed to every other role (as `python -m devstack provision` does locally).
# Passwords come from INFOCENTER_DB_PASSWORD_<SERVICE> (compose.yml passes them in).
set -euo pipefail

for service in auth cases ledger reports credit integrations webhooks; do
    var="INFOCENTER_DB_PASSWORD_${service^^}"
    password="${!var:?$var is not set}"
    name="infocenter_${service}"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v name="$name" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'name', :'password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'name') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'name') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'name') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'name', :'name') \gexec
SQL
done
