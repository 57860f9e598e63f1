#!/usr/bin/env bash
# Runs the whole test suite with Node's test runner (TypeScript through tsx).
set -euo pipefail
cd "$(dirname "$0")/.."
export LIBGUESTFS_BACKEND_SETTINGS=force_tcg
files=$(find src test -name '*.test.ts' | sort)
# One file at a time: the suites share one real base image fixture and start real servers.
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec $files
