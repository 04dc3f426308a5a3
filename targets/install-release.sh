#!/bin/sh
# fer-edge release installer. Shipped inside every deploy bundle; `fer-edge deploy` streams it to `sh -s` on the robot
# over SSH (or runs it here for --dest) with fixed arguments, which it never evaluates. Nothing else runs remotely.
# Commands it starts get stdin from /dev/null so that they cannot swallow the rest of a script read from stdin.
#
#   install-release.sh install  [--env-file <uploaded>] <root> <bundle.tar.gz> <sha256> <health-timeout-s> [service-command]
#   install-release.sh rollback <root> <health-timeout-s> [service-command]
#   install-release.sh list     <root>
#
# Layout under <root>: releases/<version>/ (one unpacked bundle each), current -> releases/<version> (switched
# atomically), state/ (health file, TensorRT engine cache: survives releases), history (healthy versions, oldest
# first; the last line is the running one), incoming/ (uploads, removed once installed; interrupted ones are pruned).
#
# The service is restarted with `systemctl restart <unit>` (sudo -n when not root), or with
# `<service-command> restart|stop <root>` when one is given: an executable that returns once the service is started.
# Healthy means: two readings of <root>/state/health.json written after the restart, at least 2 s apart (by their
# "ts"), with the same "pid", "healthy": true and more "frames" in the second: a release that crash-loops, stalls or
# never comes up is rolled back.
#
# --env-file: an uploaded environment file (secrets: FER_EDGE_MQTT_PASSWORD=...) installed root-only, mode 600, where
# the unit's EnvironmentFile= reads it (/etc/fer-edge/env; <root>/env with a service command), and put back as it was
# when the release is rolled back. Its content is never printed.
#
# Interrupted (the workstation or the link gone: SIGPIPE is ignored, the install finishes on its own; SIGHUP, SIGINT,
# SIGTERM): the lock, the staging directory and the uploads are removed, and a release not yet found healthy is
# switched back. A lock whose owner is gone (killed, power loss) is broken with a message.
#
# Exit codes: 2 usage, 3 bundle refused (nothing changed), 4 new release unhealthy (rolled back),
# 5 unhealthy and nothing to roll back to (service stopped), 6 another install is running, 7 nothing to roll back to,
# 8 not enough disk space (nothing changed), 9 interrupted.
set -eu
# A vanished workstation must not stop an install half-way: output then goes nowhere, the install completes.
trap '' PIPE

KEEP_RELEASES=5

die() {
  code=$1
  shift
  echo "fer-edge-install: $*" >&2
  exit "$code"
}

say() { echo "$*" 2>/dev/null || true; }

# Megabytes, one decimal below 10.
mb() { awk -v b="$1" 'BEGIN { printf (b < 10485760 ? "%.1f" : "%.0f"), b / 1048576 }'; }

# Free bytes on the file system holding $1.
free_bytes() { df -Pk "$1" 2>/dev/null | awk 'NR == 2 { print $4 * 1024 }'; }

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

boot_id() { cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown; }

# The lock is a directory (mkdir is atomic) holding its owner: "<pid> <boot id> <epoch s>".
lock() {
  mkdir -p "$ROOT"
  if ! mkdir "$ROOT/.lock" 2>/dev/null; then
    stale_lock || die 6 "another install is running on $ROOT$(lock_owner) (remove $ROOT/.lock if it is stale)"
    mkdir "$ROOT/.lock" 2>/dev/null || die 6 "another install is running on $ROOT (remove $ROOT/.lock if it is stale)"
  fi
  LOCKED=1
  echo "$$ $(boot_id) $(date +%s)" >"$ROOT/.lock/owner"
}

lock_owner() {
  read -r pid _ since <"$ROOT/.lock/owner" 2>/dev/null || return 0
  printf ' (install pid %s, started %ss ago)' "$pid" "$(($(date +%s) - since))"
}

# A lock whose owner is no longer running (killed, or from before a reboot) is moved aside and removed. A lock without
# an owner is only stale once it is a minute old (its owner may be between mkdir and writing it).
stale_lock() {
  owner=$(cat "$ROOT/.lock/owner" 2>/dev/null || true)
  if [ -z "$owner" ]; then
    [ -n "$(find "$ROOT/.lock" -maxdepth 0 -mmin +1 2>/dev/null)" ] || return 1
    why="it has no owner"
  else
    # shellcheck disable=SC2086 # the owner line's words: pid, boot id, start time
    set -- $owner
    if [ "${2:-}" != "$(boot_id)" ]; then
      why="install pid $1 ran before the last reboot"
    elif [ ! -d "/proc/$1" ]; then
      why="install pid $1 is no longer running"
    else
      return 1
    fi
  fi
  aside=$ROOT/.lock.stale.$$
  mv "$ROOT/.lock" "$aside" 2>/dev/null || return 1
  # Another install broke it first and has locked since: give its lock back.
  if [ "$(cat "$aside/owner" 2>/dev/null || true)" != "$owner" ]; then
    mv -T "$aside" "$ROOT/.lock" 2>/dev/null || true
    return 1
  fi
  rm -rf "$aside"
  say "broke a stale lock on $ROOT: $why"
}

# What interrupted deploys leave: uploads whose receiver is gone, finished uploads whose installer never ran (another
# deploy's upload that is about to run its installer would find this lock and be refused anyway), and staging
# directories of installs that are gone.
prune_debris() {
  for part in "$ROOT"/incoming/.*.part.*; do
    [ -e "$part" ] || continue
    [ -d "/proc/${part##*.}" ] || rm -f "$part"
  done
  for upload in "$ROOT"/incoming/*; do
    [ -f "$upload" ] && [ "$upload" != "$BUNDLE" ] && [ "$upload" != "${ENV_UPLOAD:-}" ] && rm -f "$upload"
  done
  for staging in "$ROOT"/releases/.staging.*; do
    [ -e "$staging" ] || continue
    [ -d "/proc/${staging##*.}" ] || rm -rf "$staging"
  done
}

cleanup() {
  [ -z "${STAGING:-}" ] || rm -rf "$STAGING"
  [ -z "${INCOMING:-}" ] || rm -f "$INCOMING"
  [ -z "${ENV_UPLOAD:-}" ] || rm -f "$ENV_UPLOAD"
  [ -z "${LOCKED:-}" ] || rm -rf "$ROOT/.lock"
}

# HUP, INT, TERM: a release switched to but not yet found healthy is switched back (and its service restarted,
# without waiting), then the lock and the debris go.
on_signal() {
  trap - HUP INT TERM
  if [ -n "${UNVERIFIED:-}" ]; then
    restore_env
    if [ -n "${PREVIOUS:-}" ]; then
      switch_to "$PREVIOUS"
      service restart >/dev/null 2>&1 || true
      echo "fer-edge-install: interrupted ($1) while checking release $UNVERIFIED: switched back to $PREVIOUS" >&2 || true
    else
      rm -f "$ROOT/current"
      service stop >/dev/null 2>&1 || true
      echo "fer-edge-install: interrupted ($1) while checking release $UNVERIFIED: service stopped" >&2 || true
    fi
    touch "$ROOT/releases/$UNVERIFIED/.failed" 2>/dev/null || true
  else
    echo "fer-edge-install: interrupted ($1); nothing changed" >&2 || true
  fi
  exit 9
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

# The first value of a top-level key in one line of JSON (health.json: flat but for "mqtt", which has none of ours).
json_field() {
  # shellcheck disable=SC2020 # one character for another: each of , { } ends a line
  printf '%s\n' "$1" | tr ',{}' '\n\n\n' | sed -n "s/^[[:space:]]*\"$2\"[[:space:]]*:[[:space:]]*//p" | head -n 1 | sed 's/^"//; s/"$//'
}

# A string value whole (commas included; escaped quotes end it early, which is fine for a message).
json_string() {
  printf '%s\n' "$1" | sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" | head -n 1
}

is_number() {
  case $1 in '' | *[!0-9]*) return 1 ;; *) return 0 ;; esac
}

# Restart, then wait for two readings of the health file, written after the restart, at least 2 s apart by their "ts",
# with the same pid, healthy, and frames processed in between. FAILURE says why not.
restart_healthy() {
  health=$ROOT/state/health.json
  marker=$ROOT/state/.restarted
  mkdir -p "$ROOT/state"
  stopped_pid=$(json_field "$(cat "$health" 2>/dev/null || true)" pid)
  rm -f "$health"
  FAILURE="did not report healthy within ${TIMEOUT}s"
  service restart || { FAILURE="its service did not start"; return 1; }
  # Only what is written from now on counts: the restart has stopped the previous process, whose last word
  # ("offline") may have landed after the rm above.
  touch "$marker"
  deadline=$(($(date +%s) + TIMEOUT))
  first_pid='' first_ts='' first_frames='' last_ts='' seen_pid='' status='' reason=''
  while :; do
    if [ -f "$health" ] && [ -n "$(find "$health" -newer "$marker" 2>/dev/null)" ]; then
      reading=$(cat "$health" 2>/dev/null || true)
      ts=$(json_field "$reading" ts)
      if [ -n "$ts" ] && [ "$ts" != "$last_ts" ]; then
        last_ts=$ts
        pid=$(json_field "$reading" pid) frames=$(json_field "$reading" frames)
        status=$(json_field "$reading" status) reason=$(json_string "$reading" reason)
        # The previous process, should a service command return before it is gone.
        if [ "$pid" = "$stopped_pid" ]; then
          status='' reason=''
          continue
        fi
        # Another process wrote this reading than the last: the service exited and was started again.
        if [ -n "$seen_pid" ] && [ "$pid" != "$seen_pid" ]; then
          FAILURE="restarted during its health check (pid $seen_pid, then $pid)"
          return 1
        fi
        seen_pid=$pid
        if [ "$(json_field "$reading" healthy)" = true ] && is_number "$pid" && is_number "$frames" && is_number "$ts"; then
          if [ -z "$first_pid" ]; then
            first_pid=$pid first_ts=$ts first_frames=$frames
          elif [ $((ts - first_ts)) -ge 2000 ] && [ "$frames" -gt "$first_frames" ]; then
            return 0
          fi
        elif [ -n "$first_pid" ]; then
          FAILURE="stopped being healthy during its health check (status ${status:-?}${reason:+: $reason})"
          return 1
        elif [ "$status" = failed ]; then
          FAILURE="failed${reason:+: $reason}"
          return 1
        fi
      fi
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      [ -z "$first_pid" ] || FAILURE="stalled: its frame count stayed at $first_frames for ${TIMEOUT}s"
      [ -z "${status:-}" ] || [ -n "$first_pid" ] || FAILURE="$FAILURE (status ${status}${reason:+: $reason})"
      return 1
    fi
    sleep 0.2 2>/dev/null || sleep 1
  done
}

# Runs a command as root: directly, or through sudo -n when the installer is not root.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@" </dev/null; else sudo -n "$@" </dev/null; fi
}

# Where the unit's EnvironmentFile= reads; with a service command (no systemd), <root>/env for it to read.
env_destination() {
  if [ -n "$SERVICE_COMMAND" ]; then echo "$ROOT/env"; else echo /etc/fer-edge/env; fi
}

install_env() {
  [ -n "${ENV_UPLOAD:-}" ] || return 0
  dest=$(env_destination)
  ENV_DEST=$dest
  if [ -n "$SERVICE_COMMAND" ] && [ "$(id -u)" != 0 ]; then run=; else run=as_root; fi
  $run mkdir -p "$(dirname "$dest")"
  if $run test -f "$dest"; then $run cp -p "$dest" "$dest.previous"; ENV_HAD_PREVIOUS=1; fi
  if [ -z "$run" ]; then install -m 600 "$ENV_UPLOAD" "$dest"; else as_root install -m 600 -o root -g root "$ENV_UPLOAD" "$dest"; fi
  ENV_INSTALLED=1
  rm -f "$ENV_UPLOAD"
  say "installed the environment file $dest (mode 600)"
}

# Puts the environment file back as it was before this install (the release it goes back to was healthy with it).
restore_env() {
  [ -n "${ENV_INSTALLED:-}" ] || return 0
  if [ -n "$SERVICE_COMMAND" ] && [ "$(id -u)" != 0 ]; then run=; else run=as_root; fi
  if [ -n "${ENV_HAD_PREVIOUS:-}" ]; then $run mv -f "$ENV_DEST.previous" "$ENV_DEST"; else $run rm -f "$ENV_DEST"; fi
  ENV_INSTALLED=
  say "put the previous environment file back"
}

forget_previous_env() {
  [ -n "${ENV_INSTALLED:-}" ] || return 0
  if [ -n "$SERVICE_COMMAND" ] && [ "$(id -u)" != 0 ]; then rm -f "$ENV_DEST.previous"; else as_root rm -f "$ENV_DEST.previous"; fi
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

# The last release found healthy that is still on disk (what to go back to).
last_healthy() {
  # shellcheck disable=SC2013 # one version per line, and versions have no blanks (valid_version)
  for version in $(sed -n '1!G;h;$p' "$ROOT/history" 2>/dev/null); do
    if [ -d "$ROOT/releases/$version" ]; then
      echo "$version"
      return
    fi
  done
}

# Refuses a bundle that would not fit once unpacked, before anything is written.
check_space() {
  need=$(gzip -dc "$BUNDLE" 2>/dev/null | wc -c)
  need=$((need + need / 20 + 65536))
  free=$(free_bytes "$ROOT/releases")
  if [ -n "$free" ] && [ "$free" -lt "$need" ]; then
    die 8 "no space left on $ROOT/releases (needs $(mb "$need") MB, $(mb "$free") MB free); nothing changed"
  fi
}

do_install() {
  if [ "${1:-}" = --env-file ]; then
    [ $# -ge 2 ] || die 2 "usage: install [--env-file <file>] <root> <bundle.tar.gz> <sha256> <health-timeout-s> [service-command]"
    ENV_UPLOAD=$2
    shift 2
  fi
  [ $# -ge 4 ] || die 2 "usage: install [--env-file <file>] <root> <bundle.tar.gz> <sha256> <health-timeout-s> [service-command]"
  ROOT=$1 BUNDLE=$2 SHA=$3 TIMEOUT=$4 SERVICE_COMMAND=${5:-}
  need_absolute "$ROOT" root
  need_absolute "$BUNDLE" bundle
  case $BUNDLE in "$ROOT"/incoming/*) INCOMING=$BUNDLE ;; esac
  [ -z "${ENV_UPLOAD:-}" ] || need_absolute "$ENV_UPLOAD" env-file
  # From here on, whatever happens, this install's uploads, staging directory and lock (once taken) go.
  trap cleanup EXIT
  trap 'on_signal SIGHUP' HUP
  trap 'on_signal SIGINT' INT
  trap 'on_signal SIGTERM' TERM
  lock
  prune_debris

  [ -f "$BUNDLE" ] || die 3 "bundle refused: $BUNDLE is not there (removed by another install?); nothing changed"
  actual=$(sha256sum "$BUNDLE" | cut -d ' ' -f 1)
  [ "$actual" = "$SHA" ] || die 3 "bundle refused: sha256 is $actual, expected $SHA (damaged in transfer?); nothing changed"

  mkdir -p "$ROOT/releases" "$ROOT/state"
  check_space
  staging=$ROOT/releases/.staging.$$
  rm -rf "$staging"
  mkdir "$staging"
  STAGING=$staging
  if ! tar -xzf "$BUNDLE" -C "$staging" 2>/dev/null; then
    free=$(free_bytes "$ROOT/releases")
    rm -rf "$staging"
    [ -z "$free" ] || [ "$free" -gt 1048576 ] ||
      die 8 "no space left on $ROOT/releases while unpacking ($(mb "$free") MB free); nothing changed"
    die 3 "bundle refused: not a readable tar.gz; nothing changed"
  fi
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
  STAGING=

  # Go back to the last release found healthy: `current` may be one an interrupted install never confirmed.
  current=$(current_version)
  previous=$(last_healthy)
  [ -z "$current" ] || [ "$current" = "$previous" ] || say "current release $current was never found healthy"
  PREVIOUS=$previous UNVERIFIED=$version
  install_env
  switch_to "$version"
  say "current -> releases/$version"
  install_unit
  if restart_healthy; then
    UNVERIFIED=
    record_healthy "$version"
    forget_previous_env
    prune
    say "release $version is healthy"
    return 0
  fi

  why=$FAILURE
  touch "$release/.failed"
  restore_env
  if [ -z "$previous" ] || [ "$previous" = "$version" ]; then
    UNVERIFIED=
    if [ "$previous" = "$version" ]; then
      die 4 "release $version $why (it was already the current release)"
    fi
    rm -f "$ROOT/current"
    service stop >/dev/null 2>&1 || true
    die 5 "release $version $why and there is no previous release: service stopped"
  fi
  switch_to "$previous"
  UNVERIFIED=
  install_unit
  if restart_healthy; then
    die 4 "release $version $why: rolled back to $previous (healthy)"
  fi
  die 4 "release $version $why: rolled back to $previous, which is not healthy either ($FAILURE)"
}

do_rollback() {
  [ $# -ge 2 ] || die 2 "usage: rollback <root> <health-timeout-s> [service-command]"
  ROOT=$1 TIMEOUT=$2 SERVICE_COMMAND=${3:-}
  need_absolute "$ROOT" root
  trap cleanup EXIT
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
  why=$FAILURE
  switch_to "$from"
  install_unit
  restart_healthy || true
  die 4 "release $to $why: switched back to $from"
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
