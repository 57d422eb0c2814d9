#!/usr/bin/env python3
"""Verdicts of the reference validator, for tests/schema_oracle.rs.

Reads JSON lines on stdin, each either {"file": PATH, "doc": N} (the N-th YAML document of a file,
read by PyYAML as `kubernetes-validate FILE` reads it) or {"object": {...}} (an object as drlint
rendered it), and prints one JSON line per input: {"verdict": "valid" | "invalid" | "no-schema" |
"unreadable", "message": ...}. Validation is `kubernetes_validate.validate(obj, "1.37.0",
strict=True)`, what `kubernetes-validate --strict -k 1.37.0` runs.
"""
import functools
import json
import sys

import kubernetes_validate
import yaml
from kubernetes_validate.utils import SchemaNotFoundError, ValidationError

# `validate` reads and parses the schema files on every call: read each once.
kubernetes_validate.utils.schema_contents = functools.lru_cache(maxsize=None)(kubernetes_validate.utils.schema_contents)
files = {}


def documents(path):
    if path not in files:
        try:
            with open(path) as f:
                files[path] = list(yaml.safe_load_all(f.read()))
        except Exception:
            files[path] = None
    return files[path]


def verdict(obj):
    if not isinstance(obj, dict) or "apiVersion" not in obj or "kind" not in obj:
        return {"verdict": "unreadable"}
    try:
        kubernetes_validate.validate(obj, "1.37.0", strict=True)
        return {"verdict": "valid"}
    except ValidationError as e:
        path = ".".join(str(p) for p in e.path)
        return {"verdict": "invalid", "message": f"{path}: {e.message}"[:300]}
    except SchemaNotFoundError:
        return {"verdict": "no-schema"}
    except Exception as e:  # the oracle itself failing (a date it cannot serialise, say)
        return {"verdict": "unreadable", "message": str(e)[:200]}


for line in sys.stdin:
    req = json.loads(line)
    if "object" in req:
        out = verdict(req["object"])
    else:
        docs = documents(req["file"])
        if docs is None or req["doc"] >= len(docs):
            out = {"verdict": "unreadable"}
        else:
            out = verdict(docs[req["doc"]])
    print(json.dumps(out), flush=True)
