#!/usr/bin/env bash
# Builds tandem (release) after installing any missing C libraries, then runs it with the given arguments.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
swift build -c release --package-path "$root" --product tandem >&2
exec "$root/.build/release/tandem" "$@"
