#!/usr/bin/env bash
# The README's test command: installs what is missing, builds with warnings as errors, runs every suite.
# With CI=true, suites that need ../shared/fhir-r4 fail instead of skipping when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# The docker-compose deployment: the file validates and every path it and the Dockerfile name exists.
scripts/check-compose.sh
# Formatting is part of the build: NIO's swift-format settings (.swift-format), any finding fails.
swift format lint --strict --recursive Sources Tests Package.swift
swift build --build-tests
swift test --skip-build 2>&1 | tee .build/test-output.txt
