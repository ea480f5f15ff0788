#!/usr/bin/env bash
# The README's "Sync seed 002" walkthrough, run end to end (CI runs it after the tests):
# start the Jushuitan simulator, create the target table in MariaDB's `test` database, run
# examples/schemes/002 with examples/ferry.toml, run it again over the whole range (idCheck:
# nothing is rewritten), show the status, and check the table holds exactly the rows written.
#
# FERRY names the binary (default: target/release/ferry, built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR=${CARGO_TARGET_DIR:-target}
FERRY=${FERRY:-$TARGET_DIR/release/ferry}
if [ ! -x "$FERRY" ]; then cargo build --release --locked -p ferry; fi
ledger=$(mktemp -d)
export FERRY_STORE="sqlite://$ledger/ferry.db"

"$FERRY" sim jushuitan --orders 20000 >"$ledger/sim.log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null || true; rm -rf "$ledger"' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:18401/_sim/stats >/dev/null && break; sleep 0.2; done

mysql -uroot -h127.0.0.1 test -e "DROP TABLE IF EXISTS order_list_query"
mysql -uroot -h127.0.0.1 test <examples/sql/order_list_query.mysql.sql

"$FERRY" run examples/schemes/002_jst_orders_to_mysql.json --to "2024-02-01 00:00:00"
"$FERRY" run examples/schemes/002_jst_orders_to_mysql.json --from 2024-01-01 --to "2024-02-01 00:00:00" --json >"$ledger/rerun.json"
"$FERRY" status examples/schemes/002_jst_orders_to_mysql.json

rows=$(mysql -uroot -h127.0.0.1 -N test -e "SELECT COUNT(*) FROM order_list_query")
written=$("$FERRY" status examples/schemes/002_jst_orders_to_mysql.json --json | jq '.[0].counts.written')
rewritten=$(jq .stats.written "$ledger/rerun.json")
echo "table rows: $rows, ledger written: $written, rewritten by the second run: $rewritten"
[ "$rows" -gt 40000 ] && [ "$rows" = "$written" ] && [ "$rewritten" = 0 ]
mysql -uroot -h127.0.0.1 test -e "DROP TABLE order_list_query"
