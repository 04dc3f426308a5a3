#!/usr/bin/env bash
# The GPU plan: the face-pretrained hybrid teachers, then their distilled students, on one CUDA GPU, each phase's runs
# side by side (small models leave most of a large GPU idle). Recipes are in training/recipes.yaml.
#   bash scripts/train-gpu.sh [--data DIR|PACK.npz] [--runs DIR] [--teacher-minutes N] [--student-minutes N]
#                             [--teachers "NAME ..."] [--students "NAME ..."] [--out DIR] [--smoke]
# --data: the FER2013 folder (default ../shared/data/fer2013) or a pack made by `python -m training.pack_data`, for a
#   machine that does not have the folder. --*-minutes: each run shortens its schedule to end within them
#   (training.train --time-budget; the epochs it settled on are in its log). --teachers/--students: the recipes to run
#   (default: all of the plan's); the distilled students learn from the teachers trained here. --out: where to put the trained weights
#   (fp16), logs and a summary when done. --smoke: a few hundred faces, one epoch, on the CPU (checks the plan).
# Needs the npm package @vladmandic/face-api (the teacher's backbone weights): `npm install` in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

TEACHERS=(face-teacher-112 face-teacher-112-full face-teacher-224)
STUDENTS=(mnv3s-64-kd-face mnv3s-48-kd-face edgetpu-48-kd-face mnv3s-64-face-nokd mnv3s-64-kd-face-single
  mnv3s-64-kd-face-cached)
DATA=$(cd .. && pwd)/shared/data/fer2013
RUNS=${FER_RUNS:-$HOME/fer-edge-runs}
TEACHER_MIN=3.4
STUDENT_MIN=3.9
OUT=""
SMOKE=0
PY=${PYTHON:-python3}
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --teacher-minutes) TEACHER_MIN=$2; shift 2 ;;
    --student-minutes) STUDENT_MIN=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --teachers) read -ra TEACHERS <<<"$2"; shift 2 ;;
    --students) read -ra STUDENTS <<<"$2"; shift 2 ;;
    --smoke) SMOKE=1; shift ;;
    *) echo "train-gpu: unknown option $1" >&2; exit 2 ;;
  esac
done

ENSEMBLE_STUDENTS=" mnv3s-64-kd-face mnv3s-48-kd-face edgetpu-48-kd-face "

if [ "$SMOKE" -eq 1 ]; then
  device=(--device cpu --threads 1 --limit 256 --epochs 1 --batch-size 32)
  budget() { :; }
else
  device=(--device cuda --amp --threads 2)
  budget() { echo "--time-budget $1"; }
fi
mkdir -p "$RUNS"
echo "train-gpu: data $DATA, runs $RUNS, $($PY -c 'import torch; print("torch", torch.__version__, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU")')"

collect() {  # the trained weights as fp16 (no optimizer state), the logs and a summary, into $OUT
  [ -n "$OUT" ] || return 0
  mkdir -p "$OUT"
  $PY -m training.gpu_collect --runs "$RUNS" --out "$OUT" --teachers "${TEACHERS[@]}" --students "${STUDENTS[@]}" || true
}
trap collect EXIT

$PY -c "from training import data; [data.load_split('$DATA', s, '$RUNS/cache') for s in ('train', 'val')]"

run_phase() {  # MINUTES NAME... : the runs side by side, each with its time budget; a hard stop a minute after it
  local minutes=$1 pids=() name extra; shift
  for name in "$@"; do
    extra=()
    if [[ "$ENSEMBLE_STUDENTS" == *" $name "* ]]; then
      read -ra extra <<<"--teacher $ENSEMBLE"
    fi
    # shellcheck disable=SC2046
    timeout -s INT "$(awk "BEGIN {print int($minutes * 60 + 30)}")" \
      $PY -m training.recipes train "$name" --runs "$RUNS" -- --data "$DATA" --cache-dir "$RUNS/cache" \
      "${device[@]}" $(budget "$minutes") --no-progress "${extra[@]}" >"$RUNS/$name.log" 2>&1 &
    pids+=($!)
    echo "train-gpu: started $name (log $RUNS/$name.log)"
  done
  local i=0 failed=0
  for name in "$@"; do
    if wait "${pids[$i]}"; then echo "train-gpu: $name done: $(tail -n 1 "$RUNS/$name/log.jsonl" 2>/dev/null | cut -c1-160)"
    else echo "train-gpu: $name stopped early (exit $?): $(tail -n 2 "$RUNS/$name.log" | tr '\n' ' ' | cut -c1-300)"; failed=1; fi
    i=$((i + 1))
  done
  return $failed
}

echo "== teachers (${TEACHER_MIN} min each, side by side)"
run_phase "$TEACHER_MIN" "${TEACHERS[@]}" || true
present=()
for t in "${TEACHERS[@]}"; do [ -f "$RUNS/$t/best.pt" ] && present+=("$RUNS/$t/best.pt"); done
[ "${#present[@]}" -gt 0 ] || { echo "train-gpu: no teacher finished" >&2; exit 1; }
# the ensemble students learn from the teachers trained here (a teacher that did not finish is left out)
ENSEMBLE="${present[*]}"
collect

if [[ " ${STUDENTS[*]} " == *" mnv3s-64-kd-face-cached "* ]]; then
  if [ "$SMOKE" -eq 1 ]; then  # the cached logits cover the whole train split: too slow for a smoke run on a CPU
    read -ra STUDENTS <<<"${STUDENTS[*]/mnv3s-64-kd-face-cached/}"
  else
    echo "== the teachers' ensemble logits on the un-augmented train faces (for mnv3s-64-kd-face-cached)"
    mkdir -p "$RUNS/face-teachers"
    $PY -m training.cache_logits --teacher "${present[@]}" --output "$RUNS/face-teachers/train-logits.pt" \
      --data "$DATA" --cache-dir "$RUNS/cache" --device cuda
  fi
fi

echo "== students (${STUDENT_MIN} min each, side by side)"
run_phase "$STUDENT_MIN" "${STUDENTS[@]}" || true
