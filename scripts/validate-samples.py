#!/usr/bin/env python3
"""Check the sample messages under Samples/ until the gateway's own validator can.

Usage: scripts/validate-samples.py [SAMPLES_DIR] [--schema PATH]

For every NN-*.json message of every scenario folder:
- validates it against the official R4 JSON Schema (draft-06), and each Bundle entry resource and
  contained resource on its own too, so an error names the resource it is in;
- checks the minimum cardinalities and required-binding codes the JSON Schema leaves out, as the
  official R4 XML Schema (schema/xsd/fhir-single.xsd) states them; a few invariants (Consent ppc-1, CarePlan cpl-3, Bundle bdl-7, Task inv-1), that every
  `urn:uuid:` reference resolves inside its Bundle and every `#id` to a contained resource;
and checks that scenario.json names the messages that exist, in order, excluding *.episode.json goldens.
The schema is found at ../shared/fhir-r4/schema/fhir.schema.json from the project root, or through the
FHIR_R4_DIR environment variable. Exits non-zero when anything fails.
"""
import json
import os
import re
import sys

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

XS = "{http://www.w3.org/2001/XMLSchema}"


class XSDRules:
    """Minimum cardinalities and required-binding codes, read from the official R4 XML Schema.

    The JSON Schema leaves both out; the XSD has `minOccurs="1"` on every mandatory element and an
    enumeration for every code with a required binding. JSON definition `CarePlan_Detail` is XSD
    complex type `CarePlan.Detail`.
    """

    def __init__(self, path):
        import xml.etree.ElementTree as ET

        root = ET.parse(path).getroot()
        self.enums = {}
        for simple in root.findall(f"{XS}simpleType"):
            values = [e.get("value") for e in simple.iter(f"{XS}enumeration")]
            if values and simple.get("name", "").endswith("-list"):
                self.enums[simple.get("name")[:-5]] = values
        self.required = {}
        self.element_types = {}
        for complex_type in root.findall(f"{XS}complexType"):
            name = complex_type.get("name").replace(".", "_")
            required = []
            types = {}
            for sequence in complex_type.iter(f"{XS}sequence"):
                for child in sequence:
                    if child.tag == f"{XS}element" and child.get("name"):
                        types[child.get("name")] = child.get("type")
                        if child.get("minOccurs", "1") != "0":
                            required.append([child.get("name")])
                    elif child.tag == f"{XS}choice":
                        names = [e.get("name") for e in child.findall(f"{XS}element") if e.get("name")]
                        for element in child.findall(f"{XS}element"):
                            if element.get("name"):
                                types[element.get("name")] = element.get("type")
                        if names and child.get("minOccurs", "1") != "0":
                            required.append(names)
            self.required[name] = required
            self.element_types[name] = types
        # Attributes the JSON form carries as properties.
        self.required["Extension"] = [["url"]]

    def check(self, node, definition, schema, where, errors):
        """Walks a JSON value of the given JSON Schema definition; appends cardinality and code errors."""
        if not isinstance(node, dict):
            return
        if definition in ("ResourceList", "Resource"):
            definition = node.get("resourceType", definition)
        for names in self.required.get(definition, []):
            if not any(n in node or f"_{n}" in node for n in names):
                errors.append(f"{where}: {definition.replace('_', '.')}.{'|'.join(names)} is required (min 1)")
        properties = schema["definitions"].get(definition, {}).get("properties", {})
        types = self.element_types.get(definition, {})
        for key, value in node.items():
            if key.startswith("_") or key not in properties:
                continue
            enum = self.enums.get(types.get(key) or "")
            values = value if isinstance(value, list) else [value]
            if enum is not None:
                for item in values:
                    if isinstance(item, str) and item not in enum:
                        errors.append(f"{where}.{key}: {item!r} is not in the required code list {enum}")
            spec = properties[key]
            ref = spec.get("$ref") or spec.get("items", {}).get("$ref")
            if ref is None:
                continue
            child = ref.rsplit("/", 1)[1]
            for index, item in enumerate(values):
                at = f"{where}.{key}[{index}]" if isinstance(value, list) else f"{where}.{key}"
                self.check(item, child, schema, at, errors)


def load_schema(path):
    with open(path) as handle:
        schema = json.load(handle)
    return schema


def validator_for(schema, definition):
    sub = {"$schema": schema["$schema"], "definitions": schema["definitions"], "$ref": f"#/definitions/{definition}"}
    return jsonschema.Draft6Validator(sub)


def walk_references(node, path, found):
    if isinstance(node, dict):
        if "reference" in node and isinstance(node["reference"], str):
            found.append((path, node["reference"]))
        for key, value in node.items():
            if key == "contained":
                continue
            walk_references(value, f"{path}.{key}", found)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            walk_references(value, f"{path}[{index}]", found)


def schema_errors(resource, where, schema, validators, errors):
    """JSON Schema errors of one resource; Bundle entries and contained resources are checked on their
    own, so the schema's unhelpful `oneOf` failure on them is left out here."""
    kind = resource.get("resourceType")
    if kind not in schema["definitions"]:
        errors.append(f"{where}: unknown resourceType {kind!r}")
        return
    if kind not in validators:
        validators[kind] = validator_for(schema, kind)
    for error in sorted(validators[kind].iter_errors(resource), key=lambda e: list(e.absolute_path)):
        path = list(error.absolute_path)
        nested = (len(path) == 3 and path[0] == "entry" and path[2] == "resource") or (len(path) == 2 and path[0] == "contained")
        if nested and error.validator == "oneOf":
            continue
        location = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
        message = error.message if len(error.message) < 300 else error.message[:300] + "…"
        errors.append(f"{where}{location}: {message}")
    for index, contained in enumerate(resource.get("contained", [])):
        schema_errors(contained, f"{where}.contained[{index}]", schema, validators, errors)
    for index, entry in enumerate(resource.get("entry", []) if kind == "Bundle" else []):
        if "resource" in entry:
            schema_errors(entry["resource"], f"{where}.entry[{index}].resource", schema, validators, errors)


def invariant_errors(resource, where, errors):
    """A few R4 invariants the schemas cannot express, and contained references that resolve."""
    kind = resource.get("resourceType")
    if kind == "CarePlan":
        for index, activity in enumerate(resource.get("activity", [])):
            if "detail" not in activity and "reference" not in activity:
                errors.append(f"{where}.activity[{index}]: cpl-3 needs detail or reference")
    if kind == "Consent" and "policy" not in resource and "policyRule" not in resource:
        errors.append(f"{where}: ppc-1 needs policy or policyRule")
    if kind == "Task" and "authoredOn" in resource and "lastModified" in resource:
        if resource["lastModified"] < resource["authoredOn"]:
            errors.append(f"{where}: inv-1 lastModified precedes authoredOn")
    contained_ids = {c.get("id") for c in resource.get("contained", [])}
    references = []
    walk_references(resource, where, references)
    for at, reference in references:
        if reference.startswith("#") and reference[1:] not in contained_ids:
            errors.append(f"{at}: {reference} names no contained resource")
    for index, contained in enumerate(resource.get("contained", [])):
        invariant_errors(contained, f"{where}.contained[{index}]", errors)


def check_message(path, schema, validators, rules):
    errors = []
    name = os.path.relpath(path, ROOT)
    try:
        with open(path) as handle:
            message = json.load(handle)
    except (OSError, json.JSONDecodeError) as error:
        return [f"{name}: {error}"]
    schema_errors(message, name, schema, validators, errors)
    rules.check(message, message.get("resourceType", "Resource"), schema, name, errors)
    if message.get("resourceType") != "Bundle":
        invariant_errors(message, name, errors)
        return errors
    entries = message.get("entry", [])
    full_urls = [e.get("fullUrl") for e in entries]
    if len(set(full_urls)) != len(full_urls):
        errors.append(f"{name}: bdl-7 fullUrls are not unique")
    ids = [(e["resource"]["resourceType"], e["resource"].get("id")) for e in entries if "resource" in e]
    if len(set(ids)) != len(ids):
        errors.append(f"{name}: two entries share a type and id")
    for index, entry in enumerate(entries):
        if message.get("type") in ("transaction", "batch") and "request" not in entry:
            errors.append(f"{name}.entry[{index}]: a {message['type']} entry needs request")
        resource = entry.get("resource")
        if resource is None:
            continue
        where = f"{name}.entry[{index}]({resource.get('resourceType')}/{resource.get('id')})"
        invariant_errors(resource, where, errors)
        references = []
        walk_references(resource, where, references)
        for at, reference in references:
            if reference.startswith("urn:uuid:") and reference not in full_urls:
                errors.append(f"{at}: {reference} is no fullUrl in the Bundle")
    return errors


def check_scenario(folder):
    errors = []
    name = os.path.relpath(folder, ROOT)
    scenario_path = os.path.join(folder, "scenario.json")
    messages = sorted(f for f in os.listdir(folder) if re.match(r"^\d\d-.*\.json$", f) and not f.endswith(".episode.json"))
    try:
        with open(scenario_path) as handle:
            scenario = json.load(handle)
    except (OSError, json.JSONDecodeError) as error:
        return [f"{name}/scenario.json: {error}"], messages
    for key in ("serviceLine", "sender", "evaluateAt", "description", "steps"):
        if key not in scenario:
            errors.append(f"{name}/scenario.json: {key} is missing")
    if scenario.get("serviceLine") != os.path.basename(folder):
        errors.append(f"{name}/scenario.json: serviceLine {scenario.get('serviceLine')!r} is not the folder name")
    if not os.path.exists(os.path.join(ROOT, "Mappings", "service-lines", f"{scenario.get('serviceLine')}.json")):
        errors.append(f"{name}/scenario.json: no Mappings/service-lines file for {scenario.get('serviceLine')!r}")
    steps = [step.get("file") for step in scenario.get("steps", [])]
    if steps != messages:
        errors.append(f"{name}/scenario.json: steps {steps} do not match the messages {messages}")
    for index, step in enumerate(scenario.get("steps", [])):
        if not step.get("expect"):
            errors.append(f"{name}/scenario.json: steps[{index}] has no expect")
    if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", scenario.get("evaluateAt", "")):
        errors.append(f"{name}/scenario.json: evaluateAt is not an ISO dateTime with a zone")
    return errors, messages


def main(argv):
    samples = os.path.join(ROOT, "Samples")
    fhir = os.environ.get("FHIR_R4_DIR", os.path.join(os.path.dirname(ROOT), "shared", "fhir-r4"))
    schema_path = os.path.join(fhir, "schema", "fhir.schema.json")
    arguments = list(argv[1:])
    if "--schema" in arguments:
        index = arguments.index("--schema")
        schema_path = arguments[index + 1]
        del arguments[index:index + 2]
    if arguments:
        samples = os.path.abspath(arguments[0])
    schema = load_schema(schema_path)
    rules = XSDRules(os.path.join(os.path.dirname(schema_path), "xsd", "fhir-single.xsd"))
    validators = {}
    failures = 0
    checked = 0
    for folder in sorted(os.listdir(samples)):
        folder = os.path.join(samples, folder)
        if not os.path.isdir(folder):
            continue
        errors, messages = check_scenario(folder)
        for message in messages:
            errors += check_message(os.path.join(folder, message), schema, validators, rules)
            checked += 1
        for error in errors:
            print(error)
        failures += len(errors)
        print(f"{os.path.relpath(folder, ROOT)}: {len(messages)} messages, {len(errors)} errors", file=sys.stderr)
    print(f"{checked} messages checked, {failures} errors", file=sys.stderr)
    return 1 if failures or not checked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
