#!/usr/bin/env bash
# Runs the whole local stack: MariaDB (started if needed), a database created
# and migrated, cloud_sim as the cloud unless OS_AUTH_URL names a real one,
# api_server and batch_server. Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cloudplane-target}"
DB_NAME="${DB_NAME:-cloudplane}"
SIM_LISTEN="${SIM_LISTEN:-127.0.0.1:8900}"
export API_LISTEN="${API_LISTEN:-127.0.0.1:8080}"
export BATCH_LISTEN="${BATCH_LISTEN:-127.0.0.1:8081}"
export LOG_FORMAT="${LOG_FORMAT:-pretty}"
export BOOTSTRAP_ADMIN_ACCOUNT="${BOOTSTRAP_ADMIN_ACCOUNT:-admin}"
export BOOTSTRAP_ADMIN_PASSWORD="${BOOTSTRAP_ADMIN_PASSWORD:-admin-password}"

state_dir=.local
mkdir -p "$state_dir"
# Secrets for a local run are made once and kept, so tokens and stored
# credentials survive restarts of the stack.
[ -s "$state_dir/jwt_secret" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$state_dir/jwt_secret"
[ -s "$state_dir/credentials_key" ] || head -c 32 /dev/urandom | base64 > "$state_dir/credentials_key"
export JWT_SECRET="${JWT_SECRET:-$(cat "$state_dir/jwt_secret")}"
export CREDENTIALS_KEY="${CREDENTIALS_KEY:-$(cat "$state_dir/credentials_key")}"

if [ -z "${DATABASE_URL:-}" ]; then
  bash scripts/ensure-mariadb.sh
  mariadb --protocol=tcp -h127.0.0.1 -P3306 -uroot -e "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  export DATABASE_URL="mysql://root@127.0.0.1:3306/$DB_NAME"
fi

cargo build --workspace --bins
bin="$CARGO_TARGET_DIR/debug"

pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stack stopped"
}
trap stop_all INT TERM EXIT

if [ -z "${OS_AUTH_URL:-}" ]; then
  "$bin/cloud_sim" --listen "$SIM_LISTEN" &
  pids+=($!)
  export OS_AUTH_URL="http://$SIM_LISTEN/identity/v3"
  export OS_USERNAME="${OS_USERNAME:-cloudplane}"
  export OS_PASSWORD="${OS_PASSWORD:-cloudplane-secret}"
  export OS_USER_DOMAIN_NAME="${OS_USER_DOMAIN_NAME:-Default}"
  export OS_PROJECT_NAME="${OS_PROJECT_NAME:-service}"
  export OS_PROJECT_DOMAIN_NAME="${OS_PROJECT_DOMAIN_NAME:-Default}"
  export NHN_IDENTITY_URL="${NHN_IDENTITY_URL:-http://$SIM_LISTEN/nhn/identity}"
  for _ in $(seq 1 50); do curl -fsS "http://$SIM_LISTEN/_sim/health" >/dev/null 2>&1 && break; sleep 0.1; done
fi

"$bin/api_server" &
pids+=($!)
"$bin/batch_server" &
pids+=($!)

for _ in $(seq 1 100); do curl -fsS "http://$API_LISTEN/health" >/dev/null 2>&1 && break; sleep 0.2; done
cat <<MSG

  API            http://$API_LISTEN
  API docs       http://$API_LISTEN/docs/
  OpenAPI        http://$API_LISTEN/openapi.json
  batch_server   http://$BATCH_LISTEN/health  http://$BATCH_LISTEN/metrics
  cloud          $OS_AUTH_URL
  admin login    $BOOTSTRAP_ADMIN_ACCOUNT / $BOOTSTRAP_ADMIN_PASSWORD
  database       ${DATABASE_URL%%\?*}

  Ctrl-C stops all three.
MSG
wait -n "${pids[@]}" || true
