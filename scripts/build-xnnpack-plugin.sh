#!/usr/bin/env bash
# Builds native/build/libfer-edge-xnnpack.so, the plugin through which the TFLite back end applies the XNNPACK delegate
# that tfjs-tflite-node's TFLite library contains (native/xnnpack-plugin.c). Idempotent; run by `npm install`
# (postinstall) and scripts/setup.sh. Without a C compiler it says so and exits 0: the back end then uses TFLite's
# built-in CPU kernels.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source_file="$root/native/xnnpack-plugin.c"
out="$root/native/build/libfer-edge-xnnpack.so"
tflite_dir="$(node -e "const path = require('path'); try { console.log(path.dirname(require.resolve('tfjs-tflite-node/package.json', { paths: ['$root'] }))) } catch { }")"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) arch=linux_amd64 ;;
  Linux-aarch64) arch=linux_arm64 ;;
  *) echo "xnnpack plugin: no prebuilt TFLite library for $(uname -s) $(uname -m); skipped"; exit 0 ;;
esac
lib_dir="$tflite_dir/cc_deps/$arch"
if [ -z "$tflite_dir" ] || [ ! -f "$lib_dir/libtensorflowlite_c.so" ]; then
  echo "xnnpack plugin: tfjs-tflite-node's libtensorflowlite_c.so not found; skipped"
  exit 0
fi
compiler="${CC:-$(command -v cc || command -v gcc || true)}"
if [ -z "$compiler" ]; then
  echo "xnnpack plugin: no C compiler (apt: gcc); TFLite models will run on TFLite's built-in CPU kernels"
  exit 0
fi
if [ -f "$out" ] && [ "$out" -nt "$source_file" ] && [ "$out" -nt "$lib_dir/libtensorflowlite_c.so" ]; then
  echo "xnnpack plugin: present ($out)"
  exit 0
fi
mkdir -p "$(dirname "$out")"
if ! "$compiler" -O2 -Wall -shared -fPIC -o "$out.tmp" "$source_file" -L"$lib_dir" -ltensorflowlite_c -Wl,-rpath,"$lib_dir"; then
  rm -f "$out.tmp"
  echo "xnnpack plugin: could not be built; TFLite models will run on TFLite's built-in CPU kernels"
  exit 0
fi
mv "$out.tmp" "$out"
echo "xnnpack plugin: built $out"
