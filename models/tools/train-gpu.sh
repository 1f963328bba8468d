#!/usr/bin/env bash
# Trains every model of the zoo at once on one GPU (or, slowly, on the CPU), each in two stages:
# a flow-matching teacher, then the GCTM student started from it and distilling its ODE with the
# teacher frozen; beside each, the same network as a plain L2 regressor (the baseline).
#
# usage (from the repository root): models/tools/train-gpu.sh TEACHER_MIN STUDENT_MIN OUT_DIR [model ...]
# Needs the data bank in models/cache/bank (python3 -m gctm.bank). Writes slim checkpoints (EMA
# weights, fp16) and the logs to OUT_DIR: one file per U-Net run, the small runs packed in one tar.
# Every run resumes from its own run folder, so the same command continues an interrupted session.
# The upscalers' configs carry their source perturbation (x1 + σp·ε; restore-x4 draws ε at half
# resolution, sigma_p_scale) and the exact-source term. RESTORE_SIGMA_P=0.02 overrides σp for both
# (teacher, student and L2 baseline alike): with an unperturbed source the flow carries little
# beyond the mean (models/README).
# RESTORE_SIGMA_P_CLEAN=0.25 leaves that share of their sources unperturbed (Faithful's exact source).
# RESTORE_LAMBDA_EXACT=1 instead adds the flow-matching term at t = 1 on the exact source, with that weight.
set -uo pipefail
cd "$(dirname "$0")/.."
T=${1:?teacher minutes}; S=${2:?student minutes}; OUT=${3:?output folder}; shift 3
MODELS=("$@"); [ ${#MODELS[@]} -gt 0 ] || MODELS=(restore-x2 restore-x4 sketch inpaint)
PY=${PYTHON:-python3}
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
mkdir -p "$OUT" runs/logs
COMMON=(--set 'data.heldout=[]' --set train.threads=2)
TOTAL=$(awk "BEGIN{print $T+$S}")

source_of() {  # extra settings of model $1's source
  case $1 in restore-*)
    [ -n "${RESTORE_SIGMA_P:-}" ] && echo "--set gctm.sigma_p=$RESTORE_SIGMA_P"
    [ -n "${RESTORE_SIGMA_P_CLEAN:-}" ] && echo "--set gctm.sigma_p_clean=$RESTORE_SIGMA_P_CLEAN"
    [ -n "${RESTORE_LAMBDA_EXACT:-}" ] && echo "--set gctm.lambda_exact=$RESTORE_LAMBDA_EXACT";;
  esac
}
chain() {  # teacher, then student (the student's budget counts on from the teacher's time)
  local m=$1
  # shellcheck disable=SC2046
  $PY -m gctm.train "configs/$m.toml" --run-dir "runs/$m-fm" --set gctm.mode=fm --set 'train.init=""' \
      --set 'gctm.teacher=""' --set "train.minutes=$T" "${COMMON[@]}" $(source_of "$m") > "runs/logs/$m-fm.log" 2>&1 &&
  $PY -m gctm.train "configs/$m.toml" --run-dir "runs/$m" --set "train.minutes=$TOTAL" "${COMMON[@]}" $(source_of "$m") \
      > "runs/logs/$m.log" 2>&1
}
baseline() {
  local m=$1
  # shellcheck disable=SC2046
  $PY -m gctm.train "configs/$m.toml" --run-dir "runs/$m-l2" --set gctm.mode=regression --set 'train.init=""' \
      --set 'gctm.teacher=""' --set "train.minutes=$TOTAL" "${COMMON[@]}" $(source_of "$m") > "runs/logs/$m-l2.log" 2>&1
}
for m in "${MODELS[@]}"; do chain "$m" & [ -n "${NO_BASELINE:-}" ] || baseline "$m" & done
while [ -n "$(jobs -r)" ]; do
  sleep 30
  for f in runs/logs/*.log; do printf '%s: %s\n' "$(basename "$f" .log)" "$(grep -E '^step|^error|Error' "$f" | tail -1)"; done
done
wait

small=()
for m in "${MODELS[@]}"; do
  for r in "$m-fm" "$m" "$m-l2"; do
    [ -f "runs/$r/ckpt.pt" ] || { echo "missing: runs/$r/ckpt.pt"; continue; }
    $PY -c "from gctm.checkpoint import slim; slim('runs/$r/ckpt.pt', 'runs/$r/slim.pt')"
    cp "runs/$r/stats.jsonl" "runs/logs/$r.stats.jsonl" 2>/dev/null
    case $m in restore-*) small+=("runs/$r/slim.pt");; *) cp "runs/$r/slim.pt" "$OUT/$r.pt";; esac
  done
done
tar cf "$OUT/small-and-logs.tar" runs/logs "${small[@]}"
ls -la "$OUT"
