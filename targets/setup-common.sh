# shellcheck shell=sh
# Shared steps of targets/<board>/install.sh (sourced, POSIX sh): run once per robot, as root, before the first
# `fer-edge deploy`. Expects ROOT, DEPLOY_USER, PACKAGE and SERVICE_GROUPS set by the caller.

die() { echo "fer-edge setup: $*" >&2; exit 1; }
say() { echo "fer-edge setup: $*"; }

require_root() { [ "$(id -u)" = 0 ] || die "run as root (sudo sh $0 ...)"; }

parse_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --root) ROOT=$2; shift 2 ;;
      --deploy-user) DEPLOY_USER=$2; shift 2 ;;
      --package) PACKAGE=$2; shift 2 ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
  done
  case $ROOT in /*) ;; *) die "--root must be an absolute path" ;; esac
  id "$DEPLOY_USER" >/dev/null 2>&1 || die "deploy user '$DEPLOY_USER' does not exist"
  [ -n "$PACKAGE" ] || PACKAGE=$(find_package)
}

# The tarball `npm pack` made, in the package this script belongs to (a repository clone) or beside it (the
# unpacked tarball's package/ directory): fer-edge is not on the npm registry.
find_package() {
  package_root=$(cd "$(dirname "$0")/../.." && pwd)
  found=
  for tarball in "$package_root"/fer-edge-*.tgz "$(dirname "$package_root")"/fer-edge-*.tgz; do
    [ -f "$tarball" ] || continue
    [ -z "$found" ] || die "several fer-edge-*.tgz beside $package_root: choose one with --package"
    found=$tarball
  done
  [ -n "$found" ] || die "no fer-edge-*.tgz in or beside $package_root: copy the one \`npm pack\` made there, or pass --package"
  echo "$found"
}

usage() {
  cat <<USAGE
usage: sudo sh $0 [--root /opt/fer-edge] [--deploy-user USER] [--package ./fer-edge-VERSION.tgz]
Checks Node.js, installs fer-edge (npm -g) from the tarball \`npm pack\` made (default: the fer-edge-*.tgz beside
this package), creates the fer-edge service user and the deploy root. Run once per robot.
USAGE
}

check_node() {
  command -v node >/dev/null 2>&1 || die "Node.js 20 or newer is needed: https://github.com/nodesource/distributions (apt), then run this again"
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "Node.js $(node -v) is too old: fer-edge needs 20 or newer"
  say "node $(node -v)"
}

install_fer_edge() {
  # The native bindings build against the system OpenCV (see scripts/env.sh); npm 11 runs their install scripts
  # only for the packages listed under "allowScripts" in fer-edge's package.json.
  export OPENCV4NODEJS_DISABLE_AUTOBUILD=1 OPENCV_INCLUDE_DIR=/usr/include/opencv4
  OPENCV_LIB_DIR=/usr/lib/$(gcc -dumpmachine)
  export OPENCV_LIB_DIR OPENCV_BIN_DIR=/usr/bin
  say "npm install -g $PACKAGE (builds the OpenCV binding: 10-30 minutes on a Pi)"
  npm install -g --no-audit --no-fund "$PACKAGE"
  command -v fer-edge >/dev/null 2>&1 || die "fer-edge is not on PATH after npm install -g"
  say "fer-edge $(fer-edge --version)"
}

create_service_user() {
  if ! id fer-edge >/dev/null 2>&1; then
    useradd --system --home-dir "$ROOT/state" --no-create-home --shell /usr/sbin/nologin fer-edge
  fi
  for group in $SERVICE_GROUPS; do
    getent group "$group" >/dev/null && usermod -a -G "$group" fer-edge
  done
  say "service user fer-edge ($(id -nG fer-edge))"
}

create_root() {
  mkdir -p "$ROOT/releases" "$ROOT/incoming" "$ROOT/state"
  chown "$DEPLOY_USER" "$ROOT" "$ROOT/releases" "$ROOT/incoming"
  chown fer-edge:fer-edge "$ROOT/state"
  chmod 755 "$ROOT" "$ROOT/releases"
  say "deploy root $ROOT (releases owned by $DEPLOY_USER, state by fer-edge)"
  if [ "$DEPLOY_USER" != root ]; then
    say "the deploy user restarts the service with 'sudo -n systemctl' and installs its unit with 'sudo -n cp':"
    say "  give $DEPLOY_USER passwordless sudo for those, or deploy as root (see targets/README.md)"
  fi
}
