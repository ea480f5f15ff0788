"""dlt peer of ferry's seed 002 benchmark (run by `cargo xtask bench`; see docs/benchmarks.md).

Pages the Jushuitan simulator's native open API v2 (`POST /open/orders/single/query`, signed
as PROTOCOLS.md section 3.2 says: lower_hex(MD5(app_secret + k1v1k2v2...)) over the sorted
form fields) in 7-day windows of `modified`, 100 orders per page, flattens each order into one
row per item (order fields + `items_*` fields, like ferry's `beatFlat: ["items"]`; nested
values as JSON text) and loads the rows into MariaDB with dlt's sqlalchemy destination
(`write_disposition="append"` into a fresh dataset: dlt's fastest path).

Usage: jst_pipeline.py BASE_URL MYSQL_URL DATASET FROM TO PIPELINES_DIR
  e.g. jst_pipeline.py http://127.0.0.1:18492 mysql+pymysql://root@127.0.0.1:3306 ferry_bench_dlt \
       "2024-01-01 00:00:00" "2024-02-01 00:00:00" /tmp/dlt-pipelines
Prints one JSON line: {"pages": N, "orders": N, "rows": N}.
"""

import datetime
import hashlib
import json
import sys
import time
import urllib.parse
import urllib.request

import dlt
import sqlalchemy

APP_KEY = "jstappkey"
APP_SECRET = "jstsecret"
ACCESS_TOKEN = "jsttoken"
PAGE_SIZE = 100
WINDOW = datetime.timedelta(days=7)
FORMAT = "%Y-%m-%d %H:%M:%S"

stats = {"pages": 0, "orders": 0, "rows": 0}


def sign(fields):
    text = APP_SECRET + "".join(k + v for k, v in sorted(fields.items()) if k != "sign" and v != "")
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def call(base_url, biz):
    fields = {
        "app_key": APP_KEY,
        "access_token": ACCESS_TOKEN,
        "timestamp": str(int(time.time())),
        "version": "2",
        "charset": "utf-8",
        "biz": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
    }
    fields["sign"] = sign(fields)
    body = urllib.parse.urlencode(fields).encode("utf-8")
    request = urllib.request.Request(
        base_url + "/open/orders/single/query",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        reply = json.load(response)
    if reply.get("code") != 0:
        raise RuntimeError(f"jushuitan error {reply.get('code')}: {reply.get('msg')}")
    return reply["data"]


def scalar(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def flatten(order):
    head = {k: scalar(v) for k, v in order.items() if k != "items"}
    items = order.get("items") or [{}]
    for item in items:
        row = dict(head)
        for key, value in item.items():
            row["items_" + key] = scalar(value)
        row["id"] = f"{order.get('o_id')}-{item.get('oi_id')}"
        yield row


@dlt.resource(name="order_list_query", write_disposition="append")
def orders(base_url, start, end):
    begin = start
    while begin < end:
        finish = min(begin + WINDOW, end)
        page = 1
        while True:
            data = call(
                base_url,
                {
                    "page_index": page,
                    "page_size": PAGE_SIZE,
                    "modified_begin": begin.strftime(FORMAT),
                    "modified_end": finish.strftime(FORMAT),
                },
            )
            stats["pages"] += 1
            batch = data.get("orders") or []
            stats["orders"] += len(batch)
            rows = [row for order in batch for row in flatten(order)]
            stats["rows"] += len(rows)
            if rows:
                yield rows
            if not data.get("has_next") or not batch:
                break
            page += 1
        begin = finish


def main():
    base_url, mysql_url, dataset, start, end, pipelines_dir = sys.argv[1:7]
    start = datetime.datetime.strptime(start, FORMAT)
    end = datetime.datetime.strptime(end, FORMAT)
    engine = sqlalchemy.create_engine(mysql_url)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f"CREATE DATABASE IF NOT EXISTS `{dataset}`"))
    engine.dispose()
    pipeline = dlt.pipeline(
        pipeline_name="ferry_bench_dlt",
        destination=dlt.destinations.sqlalchemy(mysql_url + "/" + dataset),
        dataset_name=dataset,
        pipelines_dir=pipelines_dir,
    )
    pipeline.run(orders(base_url, start, end))
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
