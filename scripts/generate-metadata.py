#!/usr/bin/env python3
"""Generates Sources/FHIRCore/Metadata/R4Definitions.swift from the official FHIR R4 schemas.

Usage: python3 scripts/generate-metadata.py [SHARED_FHIR_R4_DIR]
(default ../shared/fhir-r4, relative to the project root).

Reads:
  schema/xsd/fhir-single.xsd   element order, cardinality, choice elements, XML attributes,
                               required-binding code lists (the `*-list` enumerations)
  schema/fhir.schema.json      the JSON kind (string, number, boolean) of each primitive type

Writes one Swift string literal in a compact line format that ``R4Metadata`` parses once at first use.
The format, one record per line, fields separated by single spaces:
  P name jsonKind                     a primitive type (jsonKind: string | number | boolean)
  V valueSet code code ...            codes of a required binding, in definition order
  T name kind base                    a type; kind: resource | abstract | complex | backbone; base or '-'
  E name min max types [flag]         an element of the preceding T line, inherited elements included,
                                      in XML/JSON order; max is a number or '*'; types comma-separated
                                      (several means a choice element `name[x]`), `code@ValueSet` for a
                                      required binding; flag: attr (an XML attribute) | xhtml
"""
import json
import os
import sys
import xml.etree.ElementTree as ET

XS = '{http://www.w3.org/2001/XMLSchema}'


def main():
    root_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root_dir, '..', 'shared', 'fhir-r4')
    xsd = ET.parse(os.path.join(shared, 'schema', 'xsd', 'fhir-single.xsd')).getroot()
    schema = json.load(open(os.path.join(shared, 'schema', 'fhir.schema.json')))['definitions']

    value_sets = {}
    for simple in xsd.findall(XS + 'simpleType'):
        name = simple.get('name')
        if name.endswith('-list'):
            codes = [e.get('value') for e in simple.iter(XS + 'enumeration')]
            for code in codes:
                assert code and not any(c.isspace() for c in code), (name, code)
            value_sets[name[:-len('-list')]] = codes

    complex_types = {c.get('name'): c for c in xsd.findall(XS + 'complexType')}

    # Classify: a complexType with a `value` attribute is a primitive (`*-primitive`) or a bound code (`*-list`).
    primitives = {}   # name -> json kind
    bound_codes = {}  # type name (e.g. RequestStatus) -> value set name
    for name, ct in complex_types.items():
        for attribute in ct.iter(XS + 'attribute'):
            if attribute.get('name') != 'value':
                continue
            value_type = attribute.get('type')
            if value_type.endswith('-primitive'):
                kind = schema.get(name, {}).get('type', 'string')
                assert kind in ('string', 'number', 'boolean'), (name, kind)
                primitives[name] = kind
            elif value_type.endswith('-list'):
                bound_codes[name] = value_type[:-len('-list')]
            else:
                raise SystemExit('unexpected value attribute type %s on %s' % (value_type, name))

    def base_of(ct):
        extension = ct.find('.//' + XS + 'extension')
        return extension.get('base') if extension is not None else None

    def element_type(name):
        if name in bound_codes:
            return 'code@' + bound_codes[name]
        if name == 'ResourceContainer':
            return 'Resource'
        return name

    def own_elements(ct):
        """The elements a complexType declares itself, in order, as (name, min, max, types, flag)."""
        out = []
        for attribute in ct.iter(XS + 'attribute'):
            if attribute.get('name') in ('id', 'url'):
                types = {'string-primitive': 'string', 'uri-primitive': 'uri'}[attribute.get('type')]
                out.append((attribute.get('name'), 1 if attribute.get('use') == 'required' else 0, '1', types, 'attr'))
        sequence = ct.find('.//' + XS + 'sequence')
        if sequence is None:
            return out
        for item in sequence:
            if item.tag == XS + 'element':
                if item.get('ref') == 'xhtml:div':
                    out.append(('div', int(item.get('minOccurs', '1')), '1', 'xhtml', 'xhtml'))
                    continue
                max_occurs = item.get('maxOccurs', '1')
                out.append((item.get('name'), int(item.get('minOccurs', '1')),
                            '*' if max_occurs == 'unbounded' else max_occurs,
                            element_type(item.get('type')), ''))
            elif item.tag == XS + 'choice':
                options = [e for e in item if e.tag == XS + 'element']
                names = [o.get('name') for o in options]
                types = [o.get('type') for o in options]
                base = common_prefix(names, types)
                max_occurs = item.get('maxOccurs', '1')
                out.append((base, int(item.get('minOccurs', '1')),
                            '*' if max_occurs == 'unbounded' else max_occurs,
                            ','.join(element_type(t) for t in types), ''))
            elif item.tag == XS + 'annotation':
                continue
            else:
                raise SystemExit('unexpected %s in %s' % (item.tag, ct.get('name')))
        return out

    def common_prefix(names, types):
        base = None
        for name, type_name in zip(names, types):
            suffix = type_name[0].upper() + type_name[1:]
            assert name.endswith(suffix), (name, type_name)
            candidate = name[:-len(suffix)]
            assert base in (None, candidate), (names, types)
            base = candidate
        return base

    def all_elements(name):
        ct = complex_types[name]
        base = base_of(ct)
        inherited = all_elements(base) if base and base in complex_types else []
        return inherited + own_elements(ct)

    def kind_of(name):
        if name in ('Resource', 'DomainResource'):
            return 'abstract'
        chain, current = [], name
        while current:
            chain.append(current)
            current = base_of(complex_types[current]) if current in complex_types else None
        if 'Resource' in chain[1:]:
            return 'resource'
        if 'BackboneElement' in chain[1:] or '.' in name:
            return 'backbone'
        return 'complex'

    lines = []
    for name in sorted(primitives):
        lines.append('P %s %s' % (name, primitives[name]))
    for name in sorted(value_sets):
        lines.append('V %s %s' % (name, ' '.join(value_sets[name])))
    for name in sorted(complex_types):
        if name in primitives or name in bound_codes or name == 'ResourceContainer':
            continue
        ct = complex_types[name]
        lines.append('T %s %s %s' % (name, kind_of(name), base_of(ct) or '-'))
        for element in all_elements(name):
            lines.append(('E %s %d %s %s %s' % element).rstrip())
    # Element (the base of primitives) gets its own record too, so primitives can share its elements.
    text = '\n'.join(lines)
    assert '"""#' not in text

    target = os.path.join(root_dir, 'Sources', 'FHIRCore', 'Metadata', 'R4Definitions.swift')
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, 'w') as out:
        out.write('// swift-format-ignore-file\n')
        out.write('// Generated by scripts/generate-metadata.py from the FHIR R4 (4.0.1) XSD and JSON Schema.\n')
        out.write('// Do not edit: run `python3 scripts/generate-metadata.py` to regenerate.\n\n')
        out.write('/// The R4 element definitions in the compact line format described in the generator.\n')
        out.write('let r4DefinitionsText = #"""\n')
        out.write(text)
        out.write('\n"""#\n')
    print('wrote %s: %d primitives, %d value sets, %d types' % (
        target, len(primitives), len(value_sets), sum(1 for l in lines if l.startswith('T '))))


if __name__ == '__main__':
    main()
