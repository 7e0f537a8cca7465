#!/usr/bin/env bash
# The README's test command: installs what is missing, builds with warnings as errors, runs every suite.
# With CI=true, suites that need ../shared/fhir-r4 fail instead of skipping when it is absent, and so do the
# PostgreSQL store suites when no PostgreSQL runs. A throwaway PostgreSQL cluster on 127.0.0.1 serves them
# (TANDEM_TEST_POSTGRES_URL); set that variable yourself to use another server instead.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# The docker-compose deployment: the file validates and every path it and the Dockerfile name exists.
scripts/check-compose.sh
# Every ICD-10-CM code and category the trigger ValueSets name exists in the published table.
python3 scripts/check-icd10.py
# Formatting is part of the build: NIO's swift-format settings (.swift-format), any finding fails.
swift format lint --strict --recursive Sources Tests Package.swift
swift build --build-tests

source scripts/test-postgres.sh
trap tandem_postgres_stop EXIT
if [ -z "${TANDEM_TEST_POSTGRES_URL:-}" ]; then
    start_tandem_postgres || [ "${CI:-}" != "true" ]
fi
swift test --skip-build 2>&1 | tee .build/test-output.txt
# SMART Backend Services with authlib, TLS and mTLS, audit, limits and reload, against a running gateway.
python3 scripts/test-smart.py
# Search paged to the end, a Subscription over REST with its gap filled by $events, and the metrics, all
# through Python's fhirclient against a running gateway.
python3 scripts/test-fhirclient.py
# The operations console in headless Chromium: sign-in, a replayed scenario's timeline, a dead letter
# retried from the console, the measures chart (screenshots in .build/console-*.png).
python3 scripts/test-console.py
# Three replicas on one PostgreSQL database, one of them killed under load (scripts/test-replicas.sh).
if [ -n "${TANDEM_TEST_POSTGRES_URL:-}" ]; then scripts/test-replicas.sh; fi
