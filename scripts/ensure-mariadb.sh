#!/usr/bin/env bash
# Makes sure a MySQL-compatible server answers on 127.0.0.1:3306, starting the
# local MariaDB when it does not. Used by .ci/run and scripts/run-local.sh.
set -euo pipefail

answers() { mariadb-admin --protocol=tcp -h127.0.0.1 -P3306 -uroot ping >/dev/null 2>&1; }

if answers; then exit 0; fi
if [ -x /usr/sbin/mariadbd ]; then
  echo "starting MariaDB" >&2
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
else
  echo "no database answers on 127.0.0.1:3306 and /usr/sbin/mariadbd is not installed; install mariadb-server or set DATABASE_URL" >&2
  exit 1
fi
for _ in $(seq 1 60); do
  if answers; then exit 0; fi
  sleep 1
done
echo "MariaDB did not answer on 127.0.0.1:3306 within 60 s" >&2
exit 1
