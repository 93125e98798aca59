#!/usr/bin/env python3
"""Regenerates the structural API extracts the fakes check requests and answers against.

Usage:
  extract.py discovery API_NAME DISCOVERY.json OUT.json
  extract.py apitools  API_NAME CLIENT.py MESSAGES.py OUT.json

`discovery` reads one of Google's discovery documents (e.g. discoveries/cloudtasks.v2.json of
googleapis/discovery-artifact-manager). `apitools` reads the client that the Google Cloud SDK generated from a
discovery document Google does not publish elsewhere (Security Command Center v2:
lib/googlecloudsdk/generated_clients/apis/securitycenter/v2/securitycenter_v2_{client,messages}.py).

Only the methods whose id matches the API's rule below are kept, with every schema they reach; prose
(descriptions, enum descriptions) is dropped. The output is the same shape for both inputs:
  {"api", "version", "revision", "source", "rootUrl", "servicePath", "parameters" (global query parameters),
   "methods": {id: {"httpMethod", "path", "flatPath", "parameters", "request", "response", "mediaUpload"?,
                    "useMediaDownloadService"?}},
   "schemas": {name: type}}
where a type is {"type", "format"?, "enum"?, "$ref"?, "items"?, "properties"?, "additionalProperties"?}.
"""
import ast
import json
import re
import sys

# The methods the product (and its fakes) use, by discovery method id.
RULES = {
    "securitycenter": r"^securitycenter\.(organizations|folders|projects)\.sources(\.locations)?\.findings\.(list|updateSecurityMarks)$",
    "run": r"^run\.projects\.locations\.(services|services\.revisions|jobs|jobs\.executions)\.get$",
    "logging": r"^logging\.entries\.list$",
    "cloudtasks": r"^cloudtasks\.projects\.locations\.queues\.tasks\.create$",
    "cloudkms": r"^cloudkms\.projects\.locations\.keyRings\.cryptoKeys\.cryptoKeyVersions\.(asymmetricSign|getPublicKey)$",
    "pubsub": r"^pubsub\.projects\.topics\.publish$",
    "storage": r"^storage\.(objects\.(insert|get|list)|buckets\.get)$",
}

TYPE_KEYS = ("type", "format", "enum", "$ref", "repeated", "location", "pattern", "required")


def clean_type(node):
    out = {k: node[k] for k in ("type", "format", "enum", "$ref") if k in node}
    if "items" in node:
        out["items"] = clean_type(node["items"])
    if "properties" in node:
        out["properties"] = {k: clean_type(v) for k, v in sorted(node["properties"].items())}
    if "additionalProperties" in node:
        out["additionalProperties"] = clean_type(node["additionalProperties"])
    return out


def clean_param(node):
    return {k: node[k] for k in TYPE_KEYS if k in node}


def walk_methods(resources, found):
    for resource in resources.values():
        for method in resource.get("methods", {}).values():
            found[method["id"]] = method
        walk_methods(resource.get("resources", {}), found)


def refs_of(node, out):
    if isinstance(node, dict):
        if "$ref" in node:
            out.add(node["$ref"])
        for value in node.values():
            refs_of(value, out)
    elif isinstance(node, list):
        for value in node:
            refs_of(value, out)


def closure(schemas, roots):
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        found = set()
        refs_of(schemas[name], found)
        todo.extend(found - seen)
    return {name: schemas[name] for name in sorted(seen)}


def from_discovery(api, path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    rule = re.compile(RULES[api])
    found = {}
    walk_methods(doc.get("resources", {}), found)
    methods = {}
    for method_id, method in sorted(found.items()):
        if not rule.match(method_id):
            continue
        entry = {
            "httpMethod": method["httpMethod"],
            "path": method["path"],
            "flatPath": method.get("flatPath", method["path"]),
            "parameters": {k: clean_param(v) for k, v in sorted(method.get("parameters", {}).items())},
        }
        if "request" in method:
            entry["request"] = method["request"]["$ref"]
        if "response" in method:
            entry["response"] = method["response"]["$ref"]
        if "mediaUpload" in method:
            entry["mediaUpload"] = {k: v["path"] for k, v in sorted(method["mediaUpload"]["protocols"].items())}
        if method.get("supportsMediaDownload"):
            entry["supportsMediaDownload"] = True
        if method.get("useMediaDownloadService"):
            entry["useMediaDownloadService"] = True
        methods[method_id] = entry
    roots = {m[k] for m in methods.values() for k in ("request", "response") if k in m}
    schemas = {k: clean_type(v) for k, v in closure(doc.get("schemas", {}), roots).items()}
    return {
        "api": doc["name"], "version": doc["version"], "revision": doc["revision"], "source": "discovery",
        "rootUrl": doc["rootUrl"], "servicePath": doc.get("servicePath", ""),
        "parameters": {k: clean_param(v) for k, v in sorted(doc.get("parameters", {}).items())},
        "methods": methods, "schemas": schemas,
    }


# ---- apitools (Google Cloud SDK generated clients) ----

def literal(node):
    return ast.literal_eval(node)


def field_type(call, enums):
    """A discovery-style type for one `_messages.XField(...)` call."""
    kind = call.func.attr
    kwargs = {k.arg: k.value for k in call.keywords}
    variant = kwargs.get("variant")
    variant = variant.attr if isinstance(variant, ast.Attribute) else None
    if kind == "StringField":
        t = {"type": "string"}
    elif kind == "BytesField":
        t = {"type": "string", "format": "byte"}
    elif kind == "BooleanField":
        t = {"type": "boolean"}
    elif kind == "FloatField":
        t = {"type": "number", "format": "float" if variant == "FLOAT" else "double"}
    elif kind == "IntegerField":
        fmt = {"INT32": "int32", "UINT32": "uint32", "UINT64": "uint64"}.get(variant, "int64")
        t = {"type": "integer", "format": fmt} if fmt in ("int32", "uint32") else {"type": "string", "format": fmt}
    elif kind == "EnumField":
        t = {"type": "string", "enum": enums[literal(call.args[0]).split(".")[-1]]}
    elif kind == "MessageField":
        target = literal(call.args[0])
        t = {"type": "any"} if target == "extra_types.JsonValue" else {"$ref": target}
    else:
        raise ValueError(f"unknown field kind {kind}")
    if "repeated" in kwargs and literal(kwargs["repeated"]):
        t = {"type": "array", "items": t}
    return t


def message_type(cls, qualified, out):
    """Adds `cls` (and its nested messages) to out under `qualified`; maps become additionalProperties."""
    enums = {}
    for item in cls.body:
        if isinstance(item, ast.ClassDef) and any(getattr(b, "attr", "") == "Enum" for b in item.bases):
            enums[item.name] = [t.targets[0].id for t in item.body if isinstance(t, ast.Assign)]
    is_map = any(isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "MapUnrecognizedFields" for d in cls.decorator_list)
    nested = {}
    for item in cls.body:
        if isinstance(item, ast.ClassDef) and not item.name in enums:
            nested[item.name] = item
    if is_map:
        prop = nested["AdditionalProperty"]
        fields = {t.targets[0].id: t.value for t in prop.body if isinstance(t, ast.Assign)}
        value = field_type(fields["value"], enums)
        value = resolve_nested(value, qualified, nested)
        out[qualified] = {"type": "object", "additionalProperties": value}
        for name, inner in nested.items():
            if name != "AdditionalProperty":
                message_type(inner, f"{qualified}.{name}", out)
        return
    props = {}
    for item in cls.body:
        if isinstance(item, ast.Assign) and isinstance(item.value, ast.Call) and getattr(item.value.func, "attr", "").endswith("Field"):
            props[item.targets[0].id] = resolve_nested(field_type(item.value, enums), qualified, nested)
    out[qualified] = {"type": "object", "properties": dict(sorted(props.items()))}
    for name, inner in nested.items():
        message_type(inner, f"{qualified}.{name}", out)


def resolve_nested(t, qualified, nested):
    """A MessageField naming a nested class ('LabelsValue') refers to it by its qualified name."""
    target = t.get("items", t)
    if "$ref" in target and target["$ref"] in nested:
        target["$ref"] = f"{qualified}.{target['$ref']}"
    return t


def path_pattern(info, name):
    """The pattern of one `{+name}` parameter: the flat path's text where the relative path has the parameter."""
    relative, flat = info["relative_path"], info["flat_path"]
    prefix, suffix = relative.split("{+" + name + "}")
    if "{" in prefix or "{" in suffix or not flat.startswith(prefix) or not flat.endswith(suffix):
        raise ValueError(f"cannot place {name} of {relative} in {flat}")
    value = flat[len(prefix):len(flat) - len(suffix)]
    return "^" + re.sub(r"\{[^}]+\}", "[^/]+", value) + "$"


def json_name_mappings(tree):
    mappings = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "AddCustomJsonFieldMapping":
            cls = node.args[0].id if isinstance(node.args[0], ast.Name) else None
            mappings[(cls, literal(node.args[1]))] = literal(node.args[2])
    return mappings


def from_apitools(api, client_path, messages_path):
    with open(messages_path, encoding="utf-8") as f:
        messages = ast.parse(f.read())
    with open(client_path, encoding="utf-8") as f:
        client_source = f.read()
    client = ast.parse(client_source)
    schemas = {}
    for node in messages.body:
        if isinstance(node, ast.ClassDef):
            message_type(node, node.name, schemas)
    renames = json_name_mappings(messages)
    for (cls, py), js in renames.items():
        props = schemas.get(cls, {}).get("properties", {})
        if py in props:
            props[js] = props.pop(py)
    version = re.search(r"_VERSION = '([^']+)'", client_source).group(1)
    root = re.search(r"BASE_URL = '([^']+)'", client_source).group(1)
    rule = re.compile(RULES[api])
    methods = {}
    for node in ast.walk(client):
        if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "ApiMethodInfo"):
            continue
        info = {k.arg: literal(k.value) for k in node.keywords}
        if not rule.match(info["method_id"]):
            continue
        request_message = schemas[info["request_type_name"]]["properties"]
        params = {}
        for name in info["path_params"]:
            params[name] = {"type": "string", "location": "path", "required": True, "pattern": path_pattern(info, name)}
        for name in info["query_params"]:
            t = dict(request_message[name])
            if t.get("type") == "array":
                t = dict(t["items"], repeated=True)
            params[name] = dict(t, location="query")
        entry = {
            "httpMethod": info["http_method"],
            "path": info["relative_path"],
            "flatPath": info["flat_path"],
            "parameters": dict(sorted(params.items())),
        }
        if info.get("request_field"):
            entry["request"] = request_message[info["request_field"]]["$ref"]
        entry["response"] = info["response_type_name"]
        methods[info["method_id"]] = entry
    # Path parameters of the same relative path differ only by pattern: keep one entry per method id.
    methods = dict(sorted(methods.items()))
    roots = {m[k] for m in methods.values() for k in ("request", "response") if k in m}
    standard = schemas["StandardQueryParameters"]["properties"]
    parameters = {k: dict(v, location="query") for k, v in sorted(standard.items())}
    return {
        "api": api, "version": version, "revision": "gcloud-sdk-" + sdk_version(client_path), "source": "apitools",
        "rootUrl": root, "servicePath": "",
        "parameters": parameters,
        "methods": methods, "schemas": closure(schemas, roots),
    }


def sdk_version(client_path):
    """The Google Cloud SDK's VERSION file, found above the generated client; 'unknown' when absent."""
    parts = client_path.split("/lib/googlecloudsdk/")
    try:
        with open(parts[0] + "/VERSION", encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return "unknown"


def main(argv):
    if len(argv) == 5 and argv[1] == "discovery":
        result = from_discovery(argv[2], argv[3])
    elif len(argv) == 6 and argv[1] == "apitools":
        result = from_apitools(argv[2], argv[3], argv[4])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[-1], "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, sort_keys=False)
        f.write("\n")
    print(f"{argv[-1]}: {len(result['methods'])} methods, {len(result['schemas'])} schemas, revision {result['revision']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
