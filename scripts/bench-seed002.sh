#!/usr/bin/env bash
# Seed 002 end to end, as the issue's acceptance describes it: `ferry sim jushuitan` with
# ORDERS orders (default 20000) over 30 days, `ferry run` of examples/schemes/002 into an empty
# MariaDB table, measured with /usr/bin/time. Then the same run again (idCheck: nothing is
# rewritten; the whole range is fetched again with --from). Prints one line per run: rows/s, wall time, peak RSS, CPU time.
#
#   scripts/bench-seed002.sh            # 20k orders
#   ORDERS=200000 scripts/bench-seed002.sh
#
# Needs MariaDB at 127.0.0.1:3306 (root, no password); creates and drops database ferry_bench.
set -euo pipefail
cd "$(dirname "$0")/.."
ORDERS=${ORDERS:-20000}
PORT=${PORT:-18491}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release --locked -p ferry >&2
BIN="$TARGET_DIR/release/ferry"
work=$(mktemp -d)
"$BIN" sim jushuitan --orders "$ORDERS" --listen "127.0.0.1:$PORT" >"$work/sim.log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null; mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS ferry_bench"; rm -rf "$work"' EXIT
mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS ferry_bench; CREATE DATABASE ferry_bench CHARACTER SET utf8mb4"
mysql -uroot -h127.0.0.1 ferry_bench <examples/sql/order_list_query.mysql.sql
mkdir -p "$work/schemes"
cp examples/schemes/002_jst_orders_to_mysql.json "$work/schemes/"
cat >"$work/ferry.toml" <<TOML
schemes = "schemes"
[store]
url = "sqlite://ferry.db"
[connections.jst]
platform = "jushuitan-qimen"
base_url = "http://127.0.0.1:$PORT/router/qm"
app_key = "12345678"
secret = "qimensecret"
customer_id = "cust-1"
rate = "1000/s"
[connections.dw]
platform = "mysql"
url = "mysql://root@127.0.0.1:3306/ferry_bench"
TOML
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/_sim/stats" >/dev/null && break; sleep 0.2; done

measure() {
  local label=$1
  shift
  (cd "$work" && /usr/bin/time -v "$BIN" run schemes/002_jst_orders_to_mysql.json \
      --to "2024-02-01 00:00:00" "$@" --json >report.json 2>time.txt)
  local wall rss user sys written skipped fetched
  wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
  user=$(grep 'User time' "$work/time.txt" | awk '{print $NF}')
  sys=$(grep 'System time' "$work/time.txt" | awk '{print $NF}')
  written=$(jq .stats.written "$work/report.json")
  skipped=$(jq .stats.skipped "$work/report.json")
  fetched=$(jq .stats.fetched "$work/report.json")
  rows=$(mysql -uroot -h127.0.0.1 -N -e "SELECT COUNT(*) FROM ferry_bench.order_list_query")
  printf '%-8s orders=%s rows_fetched=%s written=%s skipped=%s table_rows=%s wall=%ss rows/s=%.0f peak_rss=%.1fMB cpu=%.2fs\n' \
    "$label" "$ORDERS" "$fetched" "$written" "$skipped" "$rows" "$wall" \
    "$(echo "$fetched / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$(echo "$user + $sys" | bc -l)"
}
measure first
measure rerun --from "2024-01-01 00:00:00"
