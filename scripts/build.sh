#!/usr/bin/env bash
# Configures (once) and builds NewBie Studio in build/ (Release, Ninja, ccache, GUI on).
# Used by test.sh and run-demo.sh; extra arguments are build targets.
#   NEWBIE_BUILD_DIR  build folder (default: build)
#   NEWBIE_JOBS       parallel compile jobs (default: number of cores)
#   NEWBIE_GOLDEN_DIR golden vectors for the tests (default: ../shared/golden)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${NEWBIE_BUILD_DIR:-build}
JOBS=${NEWBIE_JOBS:-$(nproc)}
export CCACHE_BASEDIR=$PWD
export CCACHE_NOHASHDIR=1

args=(-G Ninja -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DNEWBIE_BUILD_GUI=ON -DNEWBIE_BUILD_TESTS=ON)
if [ -n "${NEWBIE_GOLDEN_DIR:-}" ]; then args+=("-DNEWBIE_GOLDEN_DIR=$NEWBIE_GOLDEN_DIR"); fi
# Re-configure only when needed (no cache yet, or a golden dir was asked for).
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ] || [ -n "${NEWBIE_GOLDEN_DIR:-}" ]; then
  cmake "${args[@]}"
fi
if [ "$#" -gt 0 ]; then
  cmake --build "$BUILD_DIR" -j "$JOBS" --target "$@"
else
  cmake --build "$BUILD_DIR" -j "$JOBS"
fi
