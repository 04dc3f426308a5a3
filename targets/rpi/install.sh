#!/bin/sh
# One-time set-up of a Raspberry Pi 4/5 (64-bit Raspberry Pi OS Bookworm) for `fer-edge deploy --target rpi[-coral]`.
# Run as root on the Pi:
#   sudo sh targets/rpi/install.sh [--root /opt/fer-edge] [--deploy-user USER] [--package ./fer-edge-VERSION.tgz]
set -eu
ROOT=/opt/fer-edge
DEPLOY_USER=${SUDO_USER:-root}
# Empty: the fer-edge-*.tgz made by `npm pack` beside this package (setup-common.sh).
PACKAGE=
SERVICE_GROUPS="video plugdev"
# shellcheck source-path=SCRIPTDIR source=../setup-common.sh
. "$(dirname "$0")/../setup-common.sh"

parse_args "$@"
require_root
[ "$(uname -m)" = aarch64 ] || die "a 64-bit OS is needed (uname -m says $(uname -m)): install 64-bit Raspberry Pi OS"
say "$(tr -d '\0' 2>/dev/null </proc/device-tree/model || echo 'unknown board')"

apt-get update
# gstreamer1.0-libcamera: the Camera Module as a GStreamer source (libcamerasrc), which the default profile uses.
apt-get install -y --no-install-recommends build-essential cmake python3 pkg-config libopencv-dev \
  gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-libcamera
check_node
install_fer_edge
create_service_user
create_root

if [ -e /usr/lib/aarch64-linux-gnu/libedgetpu.so.1 ]; then
  say "Edge TPU runtime present: --target rpi-coral can use the Coral accelerator"
else
  say "no Edge TPU runtime: for --target rpi-coral add the Coral apt repository and install libedgetpu1-std (targets/rpi/README.md)"
fi
say "done. From your workstation: fer-edge deploy --target rpi --host $DEPLOY_USER@$(hostname) --dest $ROOT"
