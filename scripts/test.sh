#!/usr/bin/env bash
# One command: install dependencies, build everything (GUI included) and run every test.
#   bash scripts/test.sh
# Tests read the golden vectors from ../shared/golden (or $NEWBIE_GOLDEN_DIR); when they are
# missing the golden tests fail, they do not skip. GUI tests run under a virtual X server.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${NEWBIE_BUILD_DIR:-build}
start=$(date +%s)

bash scripts/setup.sh
bash scripts/build.sh
built=$(date +%s)

log="$BUILD_DIR/ctest.log"
set +e
xvfb-run -a -s "-screen 0 1920x1080x24" \
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j 2 --timeout 1200 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
end=$(date +%s)

summary=$(grep -E "tests passed(, [0-9]+ tests failed)? out of" "$log" | tail -1 || true)
skipped=$(grep -cE "\*\*\*Skipped|Not Run|Disabled" "$log" || true)
if [ "$rc" -eq 0 ]; then verdict=PASSED; else verdict=FAILED; fi
echo "test.sh: $verdict — ${summary:-no ctest summary} (skipped: $skipped); build $((built - start)) s, tests $((end - built)) s"
exit "$rc"
