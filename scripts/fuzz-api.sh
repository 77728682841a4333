#!/usr/bin/env bash
# Fuzzes the public API from its OpenAPI document: the e2e stack (cloud_sim,
# api_server, batch_server on free ports, a fresh database) with a project
# holding one resource of each kind, then schemathesis against /openapi.json
# as a project member and as the admin. Fails on any 5xx and on any status
# code, content type or body the document does not allow.
#
#   FUZZ_MAX_EXAMPLES  cases per operation and phase (default 20)
#   FUZZ_SEED          schemathesis seed (default 1), so a run can be repeated
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cloudplane-target}"
export DATABASE_URL="${DATABASE_URL:-mysql://root@127.0.0.1:3306}"

SCHEMATHESIS_VERSION=4.32.5
venv="$HOME/.cache/cloudplane-schemathesis-$SCHEMATHESIS_VERSION"
if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
export SCHEMATHESIS="$venv/bin/schemathesis"

cargo build --quiet -p api_server -p batch_server -p cloud_sim --bins
cargo nextest run -p e2e --test api_fuzz --run-ignored only --no-capture
