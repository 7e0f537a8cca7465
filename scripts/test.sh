#!/usr/bin/env bash
# The README's test command: installs what is missing, builds with warnings as errors, runs every suite.
# With CI=true, suites that need ../shared/fhir-r4 fail instead of skipping when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
swift build --build-tests
swift test --skip-build 2>&1 | tee .build/test-output.txt
