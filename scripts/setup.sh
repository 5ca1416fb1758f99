#!/usr/bin/env bash
# Installs every Debian 12 package NewBie Studio needs to build, test and run.
# Idempotent: apt runs only when something is missing. Uses sudo only when not root.
#   bash scripts/setup.sh          install what is missing
#   bash scripts/setup.sh --check  list what is missing (exit 1 if anything is)
set -euo pipefail

PACKAGES=(
  # toolchain
  cmake ninja-build ccache clang libclang-rt-14-dev git
  # core: LibTorch (CPU), JSON, logging, PNG, SentencePiece, BLAS runtime
  libtorch-dev nlohmann-json3-dev libspdlog-dev libpng-dev libsentencepiece-dev libopenblas0-pthread
  # tests
  libgtest-dev xvfb xauth
  # GUI (Qt 6 Widgets, SQL, plots, translations) and its runtime plugins and fonts
  qt6-base-dev qt6-tools-dev qt6-l10n-tools qt6-tools-dev-tools libgl-dev libqcustomplot-dev
  libqt6sql6-sqlite libqt6svg6 qt6-qpa-plugins qt6-image-formats-plugins fonts-noto-cjk
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages are installed"
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  printf 'missing: %s\n' "${missing[@]}"
  exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
