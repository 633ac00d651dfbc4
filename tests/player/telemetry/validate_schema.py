#!/usr/bin/env python3
"""validate_schema.py SCHEMA FILE...: validates each JSON file against the JSON Schema; prints the
first error of each invalid file and exits 1 if any is invalid (2 if jsonschema is missing)."""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate_schema: python3-jsonschema is not installed (demo/install-deps installs it)")
    sys.exit(2)

schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for path in sys.argv[2:]:
    errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.path))
    if errors:
        bad += 1
        e = errors[0]
        print(f"{path}: {'/'.join(map(str, e.path)) or '(root)'}: {e.message}")
sys.exit(1 if bad else 0)
