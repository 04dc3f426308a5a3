#!/bin/sh
# fer-edge release installer. Shipped inside every deploy bundle; `fer-edge deploy` streams it to `sh -s` on the robot
# over SSH (or runs it here for --dest) with fixed arguments, which it never evaluates. Nothing else runs remotely.
# Commands it starts get stdin from /dev/null so that they cannot swallow the rest of a script read from stdin.
#
#   install-release.sh install  <root> <bundle.tar.gz> <sha256> <health-timeout-s> [service-command]
#   install-release.sh rollback <root> <health-timeout-s> [service-command]
#   install-release.sh list     <root>
#
# Layout under <root>: releases/<version>/ (one unpacked bundle each), current -> releases/<version> (switched
# atomically), state/ (health file, TensorRT engine cache: survives releases), history (healthy versions, oldest
# first; the last line is the running one), incoming/ (uploads, removed once installed).
#
# The service is restarted with `systemctl restart <unit>` (sudo -n when not root), or with
# `<service-command> restart|stop <root>` when one is given: an executable that returns once the service is started.
# Healthy means: <root>/state/health.json rewritten after the restart with "status": "online".
#
# Exit codes: 2 usage, 3 bundle refused (nothing changed), 4 new release unhealthy (rolled back),
# 5 unhealthy and nothing to roll back to (service stopped), 6 another install is running, 7 nothing to roll back to.
set -eu

KEEP_RELEASES=5

die() {
  code=$1
  shift
  echo "fer-edge-install: $*" >&2
  exit "$code"
}

say() { echo "$*"; }

valid_version() {
  case $1 in
    '' | .* | *[!A-Za-z0-9._-]*) return 1 ;;
    *) return 0 ;;
  esac
}

need_absolute() {
  case $1 in
    /*) ;;
    *) die 2 "$2 must be an absolute path: $1" ;;
  esac
}

lock() {
  mkdir -p "$ROOT"
  mkdir "$ROOT/.lock" 2>/dev/null || die 6 "another install is running on $ROOT (remove $ROOT/.lock if it is stale)"
  trap cleanup EXIT
}

cleanup() {
  rm -rf "$ROOT/.lock"
  [ -z "${STAGING:-}" ] || rm -rf "$STAGING"
  [ -z "${INCOMING:-}" ] || rm -f "$INCOMING"
}

current_version() {
  if [ -L "$ROOT/current" ]; then
    basename "$(readlink "$ROOT/current")"
  fi
}

switch_to() {
  rm -f "$ROOT/.current.new"
  ln -s "releases/$1" "$ROOT/.current.new"
  mv -T "$ROOT/.current.new" "$ROOT/current"
}

service() {
  if [ -n "$SERVICE_COMMAND" ]; then
    "$SERVICE_COMMAND" "$1" "$ROOT" </dev/null
  else
    unit=$(unit_name)
    if [ "$(id -u)" = 0 ]; then systemctl "$1" "$unit"; else sudo -n systemctl "$1" "$unit"; fi </dev/null
  fi
}

unit_name() {
  for f in "$ROOT/current"/*.service; do
    [ -f "$f" ] && { basename "$f"; return; }
  done
  die 2 "no systemd unit in $ROOT/current"
}

install_unit() {
  [ -n "$SERVICE_COMMAND" ] && return 0
  command -v systemctl >/dev/null 2>&1 || die 2 "systemctl not found on this host: pass a service command"
  unit=$(unit_name)
  target=/etc/systemd/system/$unit
  if ! cmp -s "$ROOT/current/$unit" "$target" 2>/dev/null; then
    say "installing $target"
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi
    $SUDO cp "$ROOT/current/$unit" "$target" </dev/null
    $SUDO systemctl daemon-reload </dev/null
    $SUDO systemctl enable "$unit" </dev/null >/dev/null 2>&1
  fi
}

# Restart and wait for a health file written after the restart.
restart_healthy() {
  health=$ROOT/state/health.json
  marker=$ROOT/state/.restarted
  mkdir -p "$ROOT/state"
  rm -f "$health"
  touch "$marker"
  service restart || return 1
  deadline=$(($(date +%s) + TIMEOUT))
  while :; do
    if [ -f "$health" ] && [ -n "$(find "$health" -newer "$marker" 2>/dev/null)" ] &&
      grep -q '"status"[[:space:]]*:[[:space:]]*"online"' "$health"; then
      return 0
    fi
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2 2>/dev/null || sleep 1
  done
}

record_healthy() {
  last=$(tail -n 1 "$ROOT/history" 2>/dev/null || true)
  [ "$last" = "$1" ] || echo "$1" >>"$ROOT/history"
  rm -f "$ROOT/releases/$1/.failed"
}

# Unpacked releases (not .staging.* directories); versions are plain names (valid_version).
release_names() { find "$ROOT/releases" -mindepth 1 -maxdepth 1 ! -name '.*' | sed 's|.*/||'; }

prune() {
  keep=$(current_version)
  release_names | sort -r | tail -n +$((KEEP_RELEASES + 1)) | while read -r old; do
    [ "$old" = "$keep" ] || rm -rf "$ROOT/releases/$old"
  done
}

# Verify every file against SHA256SUMS; refuse files it does not list, links and special files.
verify_tree() {
  (
    cd "$1"
    [ -f SHA256SUMS ] || die 3 "bundle refused: no SHA256SUMS in it; nothing changed"
    bad=$(sha256sum -c SHA256SUMS 2>/dev/null | grep -v ': OK$' | sed 's/:.*//' | tr '\n' ' ' || true)
    [ -z "$bad" ] || die 3 "bundle refused: checksum mismatch in ${bad% }; nothing changed"
    [ -z "$(find . ! -type f ! -type d)" ] || die 3 "bundle refused: it holds links or special files; nothing changed"
    find . -type f ! -name SHA256SUMS | sed 's|^\./||' | sort >../.listed.$$
    cut -c67- SHA256SUMS | sort | diff - ../.listed.$$ >/dev/null ||
      { rm -f ../.listed.$$; die 3 "bundle refused: files not listed in SHA256SUMS; nothing changed"; }
    rm -f ../.listed.$$
  )
}

do_install() {
  [ $# -ge 4 ] || die 2 "usage: install <root> <bundle.tar.gz> <sha256> <health-timeout-s> [service-command]"
  ROOT=$1 BUNDLE=$2 SHA=$3 TIMEOUT=$4 SERVICE_COMMAND=${5:-}
  need_absolute "$ROOT" root
  need_absolute "$BUNDLE" bundle
  lock
  case $BUNDLE in "$ROOT"/incoming/*) INCOMING=$BUNDLE ;; esac

  actual=$(sha256sum "$BUNDLE" | cut -d ' ' -f 1)
  [ "$actual" = "$SHA" ] || die 3 "bundle refused: sha256 is $actual, expected $SHA (damaged in transfer?); nothing changed"

  mkdir -p "$ROOT/releases" "$ROOT/state"
  staging=$ROOT/releases/.staging.$$
  rm -rf "$staging"
  mkdir "$staging"
  STAGING=$staging
  tar -xzf "$BUNDLE" -C "$staging" || die 3 "bundle refused: not a readable tar.gz; nothing changed"
  verify_tree "$staging"
  version=$(cat "$staging/VERSION")
  valid_version "$version" || die 3 "bundle refused: bad version '$version'; nothing changed"

  release=$ROOT/releases/$version
  if [ -d "$release" ]; then
    cmp -s "$release/SHA256SUMS" "$staging/SHA256SUMS" ||
      die 3 "bundle refused: release $version already exists with different content; nothing changed"
    rm -rf "$staging"
    say "release $version already present, reusing it"
  else
    mv "$staging" "$release"
  fi

  previous=$(current_version)
  switch_to "$version"
  say "current -> releases/$version"
  install_unit
  if restart_healthy; then
    record_healthy "$version"
    prune
    say "release $version is healthy"
    return 0
  fi

  touch "$release/.failed"
  if [ -z "$previous" ]; then
    rm -f "$ROOT/current"
    service stop >/dev/null 2>&1 || true
    die 5 "release $version did not report healthy within ${TIMEOUT}s and there is no previous release: service stopped"
  fi
  if [ "$previous" = "$version" ]; then
    die 4 "release $version did not report healthy within ${TIMEOUT}s (it was already the current release)"
  fi
  switch_to "$previous"
  install_unit
  if restart_healthy; then
    die 4 "release $version did not report healthy within ${TIMEOUT}s: rolled back to $previous (healthy)"
  fi
  die 4 "release $version did not report healthy within ${TIMEOUT}s: rolled back to $previous, which is not healthy either"
}

do_rollback() {
  [ $# -ge 2 ] || die 2 "usage: rollback <root> <health-timeout-s> [service-command]"
  ROOT=$1 TIMEOUT=$2 SERVICE_COMMAND=${3:-}
  need_absolute "$ROOT" root
  lock
  from=$(current_version)
  [ -n "$from" ] || die 7 "nothing is deployed in $ROOT"
  to=
  # Newest first: the last healthy release that is not the current one and is still on disk.
  # shellcheck disable=SC2013 # one version per line, and versions have no blanks (valid_version)
  for version in $(grep -v -x -F "$from" "$ROOT/history" 2>/dev/null | sed -n '1!G;h;$p'); do
    if [ -d "$ROOT/releases/$version" ]; then
      to=$version
      break
    fi
  done
  [ -n "$to" ] || die 7 "no earlier healthy release to roll back to in $ROOT"
  switch_to "$to"
  install_unit
  if restart_healthy; then
    # Forget the releases after the one we went back to, so a second rollback goes further back.
    keep=$(grep -n -x -F "$to" "$ROOT/history" | tail -n 1 | cut -d : -f 1)
    head -n "$keep" "$ROOT/history" >"$ROOT/history.new" && mv "$ROOT/history.new" "$ROOT/history"
    say "rolled back from $from to $to (healthy)"
    return 0
  fi
  switch_to "$from"
  install_unit
  restart_healthy || true
  die 4 "release $to did not report healthy within ${TIMEOUT}s: switched back to $from"
}

do_list() {
  [ $# -ge 1 ] || die 2 "usage: list <root>"
  ROOT=$1
  [ -d "$ROOT/releases" ] || return 0
  current=$(current_version)
  release_names | sort | while read -r version; do
    flags=
    [ "$version" = "$current" ] && flags="$flags current"
    grep -q -x -F "$version" "$ROOT/history" 2>/dev/null && flags="$flags healthy"
    [ -f "$ROOT/releases/$version/.failed" ] && flags="$flags failed"
    echo "$version${flags}"
  done
}

[ $# -ge 1 ] || die 2 "usage: install-release.sh install|rollback|list ..."
action=$1
shift
case $action in
  install) do_install "$@" ;;
  rollback) do_rollback "$@" ;;
  list) do_list "$@" ;;
  *) die 2 "unknown action: $action" ;;
esac
