#!/bin/sh
# run_e2e.sh NEWBIE_CLI NEWBIE_STUDIO ARTIFACT_DIR
# Makes the demo model, then runs the real app under Xvfb in its scripted --e2e mode, with
# its own data / config folders so the user's settings are never touched.
set -eu
CLI="$1"; STUDIO="$2"; OUT="$3"
rm -rf "$OUT"; mkdir -p "$OUT"
WORK="$OUT/work"; mkdir -p "$WORK/data" "$WORK/config"
if ! "$CLI" make-demo-model "$WORK/demo-model" > "$OUT/make-demo-model.log" 2>&1; then
  echo "FAIL: '$CLI make-demo-model' failed (is it implemented yet?):" >&2
  cat "$OUT/make-demo-model.log" >&2
  exit 1
fi
export XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config" XDG_CACHE_HOME="$WORK/cache"
export LANG=en_US.UTF-8 LC_ALL=C.UTF-8
unset QT_QPA_PLATFORM || true
status=0
xvfb-run -a -s "-screen 0 1600x1000x24" "$STUDIO" --lang en --model "$WORK/demo-model" --e2e "$OUT" \
  > "$OUT/studio.log" 2>&1 || status=$?
cat "$OUT/studio.log"
[ "$status" -eq 0 ] || { echo "FAIL: newbie-studio --e2e exited with $status" >&2; exit 1; }
for f in main_en.png main_zh_CN.png; do
  [ -s "$OUT/$f" ] || { echo "FAIL: $OUT/$f missing" >&2; exit 1; }
done
ls "$WORK/data"/*/*/images/*/*.png > /dev/null 2>&1 || { echo "FAIL: no PNG in the data dir" >&2; exit 1; }
echo "e2e PASS: screenshots in $OUT"
