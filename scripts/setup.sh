#!/usr/bin/env bash
# One idempotent set-up for a Debian/Ubuntu machine: system packages, npm dependencies, the OpenCV binding
# (built once against the system OpenCV, ~7 minutes on 2 cores) and the TypeScript build.
# Usage: scripts/setup.sh [--no-training]   (--no-training skips the PyTorch packages)
set -euo pipefail
cd "$(dirname "$0")/.."
with_training=1
for arg in "$@"; do
  case "$arg" in
    --no-training) with_training=0 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

step() { printf '\n== %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

step "Node.js"
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "setup: fer-edge needs Node.js >= 20 with npm (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "setup: install it from your distribution or nodejs.org, then run this script again." >&2
  exit 1
fi
node --version

step "System packages"
# shellcheck: the robot set-up scripts are checked by test/arm64-runtime-files.test.ts.
# gstreamer1.0-plugins-base: OpenCV's GStreamer capture (Jetson CSI pipelines) needs its videoconvert/appsink elements.
# chromium: the preview page's test drives it headless (playwright-core, no browser download).
apt_packages=(g++ make pkg-config python3 libopencv-dev opencv-data ffmpeg mosquitto mosquitto-clients fswebcam
  openssh-server openssh-client openssl gstreamer1.0-plugins-base chromium shellcheck)
if [ "$with_training" -eq 1 ]; then
  apt_packages+=(python3-torch python3-torchvision python3-onnx python3-sklearn python3-matplotlib python3-pytest
    python3-tqdm python3-yaml python3-pil python3-numpy)
fi
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "all present"
fi

step "npm dependencies"
# shellcheck source=scripts/env.sh
source scripts/env.sh
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.fer-edge-installed
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ]; then
  echo "up to date"
else
  # --foreground-scripts shows the OpenCV binding's compiler progress instead of a silent 7-minute wait.
  npm ci --no-audit --no-fund --foreground-scripts
  echo "$lock_hash" > "$stamp"
fi

step "OpenCV binding"
if node -e "import('@u4/opencv4nodejs').then(m => { if (!m.default.version) process.exit(1) }, () => process.exit(1))" 2>/dev/null; then
  echo "present: OpenCV $(node -e "import('@u4/opencv4nodejs').then(m => { const v = m.default.version; console.log(v.major + '.' + v.minor + '.' + v.revision) })")"
else
  echo "building against $OPENCV_LIB_DIR (several minutes)"
  npm rebuild @u4/opencv4nodejs --foreground-scripts
fi

step "XNNPACK plugin for the TFLite back end"
bash scripts/build-xnnpack-plugin.sh

step "TypeScript build"
npx --no-install tsc -p tsconfig.json
echo
echo "set-up done"
