#!/usr/bin/env bash
# Starts the databases the tests use if they are installed but not running:
# MariaDB on 127.0.0.1:3306 (root, no password, database `test`) and PostgreSQL on
# 127.0.0.1:5432 (trust auth, database `test`). Safe to run when they are already up.
set -uo pipefail

wait_for() { # name, command
  for _ in $(seq 1 30); do
    if eval "$2" >/dev/null 2>&1; then echo "$1 is up"; return 0; fi
    sleep 1
  done
  echo "$1 did not come up" >&2
  return 1
}

if ! mariadb -h 127.0.0.1 -uroot -e 'select 1' >/dev/null 2>&1; then
  echo "starting MariaDB"
  if command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; then
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql 2>/dev/null \
      || (/usr/sbin/mariadbd --user=mysql >/tmp/mariadbd.log 2>&1 &)
  fi
  wait_for MariaDB "mariadb -h 127.0.0.1 -uroot -e 'select 1'"
fi
mariadb -h 127.0.0.1 -uroot -e 'create database if not exists test' >/dev/null 2>&1 || true

if ! psql -h 127.0.0.1 -U postgres -d postgres -c 'select 1' >/dev/null 2>&1; then
  echo "starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  wait_for PostgreSQL "psql -h 127.0.0.1 -U postgres -d postgres -c 'select 1'"
fi
psql -h 127.0.0.1 -U postgres -d postgres -tc "select 1 from pg_database where datname='test'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -d postgres -c 'create database test' >/dev/null 2>&1 || true
exit 0
