#!/usr/bin/env bash
# Every benchmark of docs/PERFORMANCE.md, on a CUDA machine, after scripts/gpu-build.sh.
#   bash scripts/gpu-bench.sh [OUT_DIR] [SET...]
# SETs (default: all): bf16 fp8 fp16 fp32 placement load
# Each writes OUT_DIR/<set>.json (newbie-cli bench --json) and OUT_DIR/<set>.log.
set -uo pipefail
cd "$(dirname "$0")/.."
CLI=${NEWBIE_CLI:-build-gpu/app/newbie-cli}
OUT=${1:-bench-results}
shift || true
SETS=("$@")
[ ${#SETS[@]} -eq 0 ] && SETS=(bf16 fp8 fp16 fp32 placement load)
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv,noheader > "$OUT/gpu.txt" 2>/dev/null || true
export NVIDIA_TF32_OVERRIDE=0

bench() {  # name, bench arguments...
  local name=$1
  shift
  echo "== $name: newbie-cli bench $* --json $OUT/$name.json"
  "$CLI" bench "$@" --json "$OUT/$name.json" > "$OUT/$name.log" 2>&1
  local rc=$?
  grep -v '^\s' "$OUT/$name.log" | grep -v '^[{}]' | tail -20
  [ $rc -eq 0 ] || echo "== $name FAILED (exit $rc)"
  return $rc
}

status=0
for s in "${SETS[@]}"; do
  case $s in
    bf16) bench bf16 --random-weights full --device cuda --precision bf16 || status=1 ;;
    fp8) bench fp8 --random-weights full --device cuda --precision fp8 || status=1 ;;
    fp16) bench fp16 --random-weights full --device cuda --precision fp16 --no-end-to-end || status=1 ;;
    fp32) bench fp32 --random-weights full --device cuda --precision fp32 --no-end-to-end --repeats 5 || status=1 ;;
    placement) bench placement --random-weights full --device cuda --precision bf16 --encoder-placement cpu \
                 --warmup 1 --repeats 3 || status=1 ;;
    load)
      dir=${NEWBIE_BENCH_MODEL_DIR:-/tmp/newbie-bench-model}
      rm -rf "$dir"
      bench save --random-weights full --device cuda --precision bf16 --save-model "$dir" || status=1
      sync
      bench load --model "$dir" --device cuda --precision bf16 --no-end-to-end --warmup 1 --repeats 3 || status=1
      ;;
    *) echo "unknown set $s"; status=1 ;;
  esac
done
exit $status
