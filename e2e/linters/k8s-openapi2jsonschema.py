#!/usr/bin/env python3
"""Kubernetes swagger.json (OpenAPI v2) -> standalone strict JSON Schemas for kubeconform.

What `openapi2jsonschema --expanded --kubernetes --stand-alone --strict SWAGGER` of
instrumenta/openapi2jsonschema (last commit d697cbf) writes, and so what the schemas kubeconform uses by
default (yannh/kubernetes-json-schema, "<version>-standalone-strict") are made with, re-done here with
the Python standard library only: that tool needs jsonref and click, which are not installable here
(no PyPI), and kubeconform's own scripts/openapi2jsonschema.py converts CRDs only (it ignores swagger).

Step by step as upstream does it:
  1. the shared definitions: IntOrString -> oneOf string|integer; Quantity -> oneOf string|number;
     apiVersion and kind of every type with x-kubernetes-group-version-kind get an enum of its
     group/version and kind; strict: every schema object that has "properties" and no
     "additionalProperties" gets "additionalProperties": false (dicts only, not inside lists);
  2. per type: "$schema", type "object" by default, "additionalProperties": false at the root;
     every $ref replaced by the (processed) definition it points to, recursively, dropping the keys
     beside "$ref" as jsonref 0.2 does; then under "properties": strict again, format int-or-string
     -> oneOf string|integer, and every "type" of a field its parent does not list in "required"
     also allows null;
  3. file name <kind>-<group>-<version>.json (<kind>-<version>.json for the core group), lower case.
Differences, on purpose: only types that carry x-kubernetes-group-version-kind are written (the only
ones kubeconform ever loads: it looks schemas up by an object's kind and apiVersion), and the JSON is
written compact; neither the non-expanded <kind>.json files nor _definitions.json/all.json are
written. Types that upstream refuses (JSONSchemaProps and the CRD types that embed it) are refused
here too: kubeconform then reports their kinds as having no schema.

Usage: k8s-openapi2jsonschema.py SWAGGER_JSON OUTPUT_DIR
"""
import copy
import json
import os
import sys

UNSUPPORTED = {
    'jsonschemaprops', 'jsonschemapropsorarray', 'customresourcevalidation', 'customresourcedefinition',
    'customresourcedefinitionspec', 'customresourcedefinitionlist', 'jsonschemapropsorstringarray', 'jsonschemapropsorbool',
}


def additional_properties(data):
    """Upstream util.additional_properties: strict everywhere a dict has "properties" (mutates in place, as upstream)."""
    if not isinstance(data, dict):
        return data
    new = {}
    for k, v in data.items():
        if isinstance(v, dict):
            if 'properties' in v and 'additionalProperties' not in v:
                v['additionalProperties'] = False
            v = additional_properties(v)
        new[k] = v
    return new


def replace_int_or_string(data):
    if not isinstance(data, dict):
        return data
    new = {}
    for k, v in data.items():
        if isinstance(v, dict):
            if v.get('format') == 'int-or-string':
                v = {'oneOf': [{'type': 'string'}, {'type': 'integer'}]}
            else:
                v = replace_int_or_string(v)
        elif isinstance(v, list):
            v = [replace_int_or_string(x) for x in v]
        new[k] = v
    return new


def allow_null_optional_fields(data, parent=None, grand_parent=None, key=None):
    if not isinstance(data, dict):
        return data
    new = {}
    for k, v in data.items():
        if isinstance(v, dict):
            v = allow_null_optional_fields(v, data, parent, k)
        elif isinstance(v, list):
            v = [allow_null_optional_fields(x, v, parent, k) for x in v]
        elif isinstance(v, str):
            is_non_null_type = k == 'type' and v != 'null'
            required = grand_parent.get('required') if isinstance(grand_parent, dict) else None
            is_required_field = bool(required) and key in required
            if is_non_null_type and not is_required_field:
                v = [v, 'null']
        new[k] = v
    return new


class Cycle(Exception):
    pass


def resolve(node, definitions, stack=()):
    """Inline every {"$ref": "#/definitions/X"} (siblings dropped, as a jsonref 0.2 proxy does)."""
    if isinstance(node, dict):
        ref = node.get('$ref')
        if isinstance(ref, str):
            name = ref.split('#/definitions/', 1)[1]
            if name in stack:
                raise Cycle(' -> '.join(stack + (name,)))
            return resolve(definitions[name], definitions, stack + (name,))
        return {k: resolve(v, definitions, stack) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(x, definitions, stack) for x in node]
    return node


def main(swagger_path, output):
    with open(swagger_path) as f:
        data = json.load(f)
    if not str(data.get('swagger', '')).startswith('2'):
        sys.exit('%s: not an OpenAPI v2 (swagger) document' % swagger_path)
    definitions = data['definitions']
    definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = {'oneOf': [{'type': 'string'}, {'type': 'integer'}]}
    definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = {'oneOf': [{'type': 'string'}, {'type': 'number'}]}
    for type_def in definitions.values():
        for gvk in type_def.get('x-kubernetes-group-version-kind', []):
            props = type_def['properties']
            if 'apiVersion' in props:
                api_version = gvk['group'] + '/' + gvk['version'] if gvk['group'] else gvk['version']
                props['apiVersion'].setdefault('enum', [])
                if api_version not in props['apiVersion']['enum']:
                    props['apiVersion']['enum'].append(api_version)
            if 'kind' in props:
                props['kind'].setdefault('enum', [])
                if gvk['kind'] not in props['kind']['enum']:
                    props['kind']['enum'].append(gvk['kind'])
    definitions = additional_properties(definitions)
    # What upstream writes to _definitions.json and its $refs then load: frozen before step 2 changes anything.
    shared = copy.deepcopy(definitions)

    os.makedirs(output, exist_ok=True)
    written, refused = 0, []
    for title, spec in definitions.items():
        if 'x-kubernetes-group-version-kind' not in spec:
            continue
        parts = title.split('.')
        kind, group, version = parts[-1].lower(), parts[-3].lower(), parts[-2].lower()
        if kind in UNSUPPORTED:
            refused.append(title)
            continue
        spec = copy.deepcopy(spec)
        spec['$schema'] = 'http://json-schema.org/schema#'
        spec.setdefault('type', 'object')
        spec['additionalProperties'] = False
        try:
            spec = resolve(spec, shared)
        except Cycle as e:
            refused.append('%s (recursive: %s)' % (title, e))
            continue
        if 'properties' in spec:
            spec['properties'] = allow_null_optional_fields(replace_int_or_string(additional_properties(spec['properties'])))
        name = '%s-%s' % (kind, version) if group in ('core', 'api') else '%s-%s-%s' % (kind, group, version)
        with open(os.path.join(output, name + '.json'), 'w') as f:
            json.dump(spec, f, separators=(',', ':'))
        written += 1
    print('k8s-openapi2jsonschema: %d schemas written to %s; refused as upstream does: %s' % (written, output, ', '.join(refused) or 'none'))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
