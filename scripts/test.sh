#!/usr/bin/env bash
# The test command: set-up (idempotent), typecheck, the Node tests, then the Python training tests.
# Every runner prints its own closing counts; the script exits non-zero if any failed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FER_EDGE_LOG_LEVEL=${FER_EDGE_LOG_LEVEL:-silent}

shopt -s globstar nullglob
status=0
echo; echo "== Node tests"
node --import tsx --test --test-concurrency=1 --test-reporter=spec test/**/*.test.ts || status=1

echo; echo "== Python tests (training/, test/python/)"
/usr/bin/python3 -m pytest -q training/tests test/python || status=1
exit $status
