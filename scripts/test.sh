#!/usr/bin/env bash
# Runs the whole test suite with Node's test runner (TypeScript through tsx).
set -euo pipefail
cd "$(dirname "$0")/.."
export LIBGUESTFS_BACKEND_SETTINGS=force_tcg
files=$(find src test -name '*.test.ts' | sort)
# The shared real base image (test/helpers/base-image-fixture.ts) is built once per run into this
# directory. Export IMAGEFACTORY_TEST_FIXTURES yourself to keep and reuse it between runs.
if [ -z "${IMAGEFACTORY_TEST_FIXTURES:-}" ]; then
  IMAGEFACTORY_TEST_FIXTURES=$(mktemp -d /var/tmp/imagefactory-fixtures.XXXXXX)
  export IMAGEFACTORY_TEST_FIXTURES
  trap 'rm -rf "$IMAGEFACTORY_TEST_FIXTURES"' EXIT
fi
# Tests, benches and scripts typecheck too (tsx alone would run them unchecked).
npx tsc -p tsconfig.test.json
# One file at a time: the suites share one real base image fixture and start real servers.
node --import tsx --test --test-concurrency=1 --test-reporter=spec $files
