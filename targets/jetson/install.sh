#!/bin/sh
# One-time set-up of a Jetson for `fer-edge deploy --target jetson[-orin|-nano]`. Run as root on the Jetson:
#   sudo sh targets/jetson/install.sh [--root /opt/fer-edge] [--deploy-user USER] [--package ./fer-edge-VERSION.tgz]
# See targets/jetson/README.md, in particular for ONNX Runtime with TensorRT (the npm build is CPU-only).
set -eu
ROOT=/opt/fer-edge
DEPLOY_USER=${SUDO_USER:-root}
# Empty: the fer-edge-*.tgz made by `npm pack` beside this package (setup-common.sh).
PACKAGE=
SERVICE_GROUPS="video render"
# shellcheck source-path=SCRIPTDIR source=../setup-common.sh
. "$(dirname "$0")/../setup-common.sh"

parse_args "$@"
require_root
[ -f /etc/nv_tegra_release ] || die "this is not a Jetson (no /etc/nv_tegra_release)"
release=$(head -n 1 /etc/nv_tegra_release)
say "L4T: $release"
case $release in
  *R32*) die "JetPack 4 (L4T R32, Ubuntu 18.04, glibc 2.27) cannot run Node.js 20: see 'Jetson Nano / TX2' in targets/jetson/README.md" ;;
esac

apt-get update
apt-get install -y --no-install-recommends build-essential cmake python3 pkg-config libopencv-dev \
  gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
check_node
install_fer_edge
create_service_user
create_root

# What the classifier will be able to use: TensorRT and CUDA come with JetPack; ONNX Runtime must be built for them.
dpkg-query -W -f='fer-edge setup: ${Package} ${Version}\n' tensorrt 2>/dev/null || say "TensorRT not installed: sudo apt-get install nvidia-jetpack"
say "done. Next: build ONNX Runtime with TensorRT (targets/jetson/README.md), then from your workstation:"
say "  fer-edge deploy --target jetson --host $DEPLOY_USER@$(hostname) --dest $ROOT"
