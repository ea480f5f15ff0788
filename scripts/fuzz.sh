#!/usr/bin/env bash
# Fuzzes ferry's parsers and decoders: every cargo-fuzz target under fuzz/ for N minutes each.
#
#   scripts/fuzz.sh [MINUTES] [TARGET...]     # default: 2 minutes, every target
#
# Targets: scheme, config, template, function, decoders (fuzz/harness.rs says what each feeds).
# Needs cargo-fuzz (`cargo install cargo-fuzz`); runs on stable Rust through RUSTC_BOOTSTRAP=1.
# The checked-in seeds in fuzz/corpus/<target>/ are read, never written: new inputs go to
# $FUZZ_WORK (default target/fuzz-work). A crash stops the script and leaves its input in
# fuzz/artifacts/<target>/; fix it, then add the input to fuzz/corpus/<target>/ so CI
# replays it (crates/ferry-engine/tests/fuzz_corpus.rs).
#
# FUZZ_SANITIZER=address enables ASan (default none: ferry forbids unsafe code, and panics,
# which are what the targets catch, need no sanitizer).
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=${1:-2}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(scheme config template function decoders)
fi
work=${FUZZ_WORK:-target/fuzz-work}
sanitizer=${FUZZ_SANITIZER:-none}
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
  exit 2
fi

summary=()
for target in "${targets[@]}"; do
  mkdir -p "$work/$target"
  log="$work/$target.log"
  echo "==> $target for $minutes min"
  status=0
  cargo fuzz run --sanitizer "$sanitizer" "$target" "$work/$target" "fuzz/corpus/$target" -- \
    -max_total_time=$((minutes * 60)) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  grep -E "^(#[0-9]+ +(INITED|DONE)|Done |==[0-9]+== ERROR|thread .* panicked)" "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 30 "$log" >&2
    echo "$target: crash (exit $status), see $log and fuzz/artifacts/$target/" >&2
    exit 1
  fi
  runs=$(grep -Eo "stat::number_of_executed_units: *[0-9]+" "$log" | grep -Eo "[0-9]+$" || echo "?")
  summary+=("$target: $runs executions in $minutes min, no crash")
done
echo
printf '%s\n' "${summary[@]}"
