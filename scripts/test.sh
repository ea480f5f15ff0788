#!/usr/bin/env bash
# The test command: formatting, lints, then every test (unit, golden, MariaDB/PostgreSQL
# differential and conformance suites). MariaDB (127.0.0.1:3306, root, database `test`) and
# PostgreSQL (127.0.0.1:5432, trust, database `test`) must be running: `scripts/services.sh`
# starts them when they are installed but down. The console's browser test needs Debian's
# Chromium, ChromeDriver and CJK fonts: `scripts/browser.sh` installs them when missing (apt).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> file length (new code stays at or under 500 lines per file)"
long=$(git ls-files 'crates/*.rs' | while read -r f; do n=$(wc -l <"$f"); [ "$n" -gt 500 ] && echo "$f ($n)"; done || true)
if [ -n "$long" ]; then echo "files over 500 lines:"; echo "$long"; exit 1; fi

echo "==> headless Chromium for the console test"
bash scripts/browser.sh

echo "==> tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi
cargo test --workspace --doc --locked
