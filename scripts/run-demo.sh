#!/usr/bin/env bash
# One command: install dependencies, build, create the embedded demo model (tiny, random
# weights) in the user data folder if it is not there yet, and start newbie-studio on it.
#   bash scripts/run-demo.sh [extra newbie-studio arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${NEWBIE_BUILD_DIR:-build}

bash scripts/setup.sh
bash scripts/build.sh newbie-studio newbie-cli

# The app's data folder (QStandardPaths::AppLocalDataLocation), where it also looks for the demo.
DATA_DIR="${XDG_DATA_HOME:-$HOME/.local/share}/NewBie/NewBie Studio"
DEMO_DIR=$DATA_DIR/demo-model
# Written every time (deterministic, well under a second): a demo model left by an older build
# with other shapes is replaced instead of failing to load.
echo "run-demo: writing the demo model to $DEMO_DIR"
mkdir -p "$DATA_DIR"
if ! "$BUILD_DIR/app/newbie-cli" make-demo-model "$DEMO_DIR"; then
  echo "run-demo: could not create the demo model; starting without a model" >&2
  exec "$BUILD_DIR/app/newbie-studio" "$@"
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "run-demo: no display found; on a headless machine use: xvfb-run -a bash scripts/run-demo.sh" >&2
fi
exec "$BUILD_DIR/app/newbie-studio" --model "$DEMO_DIR" "$@"
