#!/usr/bin/env bash
# Writes the XML twin of every sample message (Samples/*/NN-name.json → NN-name.xml) with Tandem's own
# converter, so each message exists in both encodings with the same content. Run after editing a sample;
# the sample tests fail when a twin is missing or differs from its JSON.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
swift build --product tandem >&2
for json in Samples/*/[0-9][0-9]-*.json; do
    case "$json" in *.episode.json) continue ;; esac
    .build/debug/tandem convert --to xml "$json" > "${json%.json}.xml"
done
echo "wrote the XML twins of $(ls Samples/*/[0-9][0-9]-*.json | grep -vc '\.episode\.json$') messages" >&2
