#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume (docker-entrypoint-initdb.d).
# One login role and database per tenant of this PostgreSQL: Temporal owns `temporal` and
# `temporal_visibility` (schemas applied by the temporal-schema one-shot), the service owns `profiles`
# (its migrations applied by the setup one-shot, `npm run setup`). Changing a password later is an
# ALTER ROLE, not an environment change: this script does not run again on an existing volume.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v temporal_password="$TEMPORAL_DB_PASSWORD" \
  -v app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
CREATE ROLE profiles LOGIN PASSWORD :'app_password';
CREATE DATABASE profiles OWNER profiles;
-- Its owner alone connects (PUBLIC may by default): what the service's API processes say to each other on
-- its LISTEN/NOTIFY channel (interactive_requests) comes from the service, not from Temporal's role.
REVOKE CONNECT ON DATABASE profiles FROM PUBLIC;
SQL
