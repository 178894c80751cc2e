#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every command's --format csv is one rectangular table whose columns are its JSON keys.

For each command line below, runs `xpusim ... --format json` and `... --format csv` (with each
--csv-records choice listed) and checks, independently of the C++ flattening:
  - the CSV parses (python csv) as one header and rows of the header's width;
  - the header is the JSON's keys flattened by dotted names: the document's (and each parent
    record's) own keys, then the keys of the chosen list's elements under the list's path; for a
    command with a declared result type (`describe result`), an object field that is null is its
    declared fields, and an empty list's columns are its declared fields, so that the columns do
    not depend on which figures an answer has (an infeasible run has a feasible run's columns);
  - one row per record of the chosen list (one row for the document itself);
  - every number agrees with the JSON to the 4 significant figures of the number rule, and no
    column mixes exponent and plain notation.
Usage: csv_matches_json.py XPUSIM_BINARY DATA_DIR TEST_DATA_DIR
"""
import csv
import io
import json
import math
import os
import re
import subprocess
import sys
import tempfile

XPUSIM, DATA, TEST_DATA = sys.argv[1], sys.argv[2], sys.argv[3]

SPACE = """schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario: {kind: static, batch: 16, input_len: 512, output_len: 64, precision: bf16}
parameters:
  - {path: hardware.compute.units, values: [114, 132]}
  - {path: plan.tp, values: [1, 2]}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
  - {metric: manufacturing_cost_usd, goal: min}
"""

EMPTY_FRONT = SPACE + """constraints:
  - {metric: max_die_area_mm2, max: 1}
"""

RUN = "run --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 --input-len 512 --output-len 64"
# (command line, the --csv-records choices to check; None = the command's default)
CASES = [
    (RUN, [None, "ops", "."]),
    ("run --hardware h100-sxm-80gb --model llama-3.1-70b --batch 4096 --input-len 4096 "
     "--output-len 4096", [None, "ops"]),  # infeasible: empty figures, no ops
    ("gemm --hardware h100-sxm-80gb --m 1024 --n 1024 --k 1024", [None]),
    ("collective --hardware mi300x --devices 8 --max-bytes 1e8 --factor 8", [None, "."]),
    ("collective --hardware tpu-v5e --devices 512", ["."]),  # infeasible: no sizes
    ("membw --hardware mi300x", [None, "."]),
    ("power --hardware h100-nvl-94gb", [None, "."]),
    ("compare --model llama-3.1-8b --batch 8 --input-len 512 --output-len 64", [None, "."]),
    ("serve --hardware h100-sxm-80gb --model llama-3.1-8b --requests 20 --input-len 128 "
     "--output-len 16", [None]),
    ("area --hardware h100-sxm-80gb", [None, "dies", "."]),
    ("area --hardware h100-sxm-80gb --units-on-die 300", [None]),  # beyond the reticle
    ("wafer --die-width 25.8 --die-height 31.55", [None]),
    ("cost --hardware h100-sxm-80gb", [None, "dies"]),
    ("fab --hardware h100-sxm-80gb --units 1e6", [None, "assumptions"]),
    ("validate " + os.path.join(TEST_DATA, "validation", "fixture.csv"), [None, "skipped"]),
    ("calibrate " + os.path.join(TEST_DATA, "validation", "fixture.csv") +
     " --max-rounds 3 --no-holdout", [None]),
    ("explore {space}", [None]),
    ("explore {empty_front}", [None]),  # no design within the constraints: no rows
    ("sensitivity --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 --input-len 256 "
     "--output-len 32", [None]),
    ("pareto --db {db}", [None]),
    ("serve --hardware h100-sxm-80gb --model gpt-j-6b --dataset mlperf-gpt-j --requests 16 "
     "--mlperf offline", [None]),
    ("describe hardware", [None]),
    ("describe space", [None]),
    ("describe engine", [None]),
    ("describe dataset", [None]),
    ("describe calibration", [None]),
    ("describe result area", [None]),
    ("describe model", [None]),
    ("describe result", [None]),
    ("describe result run", [None]),
    ("show hardware h100-sxm-80gb", [None]),
    ("show model llama-3.1-8b", [None]),
    ("show engine vllm", [None]),
    ("list hardware", [None]),
    ("list models", [None]),
    ("list engines", [None]),
    ("list datasets", [None]),
    ("show dataset sharegpt", [None]),
]
# The records a command's CSV has a row per by default.
DEFAULT = {"compare": "ranking", "area": "dies.components", "validate": "rows",
           "collective": "sizes", "membw": "kernels", "power": "kernels",
           "calibrate": "parameters",
           "explore": "designs", "pareto": "designs", "sensitivity": "fields",
           "describe hardware": "fields"}
# The declared result type of a command's document, where its CSV is held to it.
TYPE = {c: c for c in ("run", "gemm", "compare", "serve", "area", "wafer", "cost", "fab",
                       "validate", "calibrate", "explore", "sensitivity")}
TYPE["pareto"] = "explore"
_DECLARED = {}


def declared(type_name):
    """`describe result TYPE`: the declared fields in order, and the names of the object fields."""
    if type_name not in _DECLARED:
        r = subprocess.run([XPUSIM, "describe", "result", type_name, "--format", "json"],
                           capture_output=True, text=True, check=True)
        fields = json.loads(r.stdout)
        _DECLARED[type_name] = ([f["field"] for f in fields],
                                {f["field"] for f in fields if f["type"] == "object"})
    return _DECLARED[type_name]


def declared_columns(type_name, prefix):
    """The declared scalar fields under `prefix` (neither objects nor maps `x.*`)."""
    names, objects = declared(type_name)
    return [n for n in names
            if n.startswith(prefix) and n not in objects and not n.endswith(".*")]


def with_declared(type_name, values):
    """A record's dotted key -> value, each null object field replaced by its declared fields."""
    if type_name is None:
        return values
    out = {}
    for k, v in values.items():
        if v is None and k in declared(type_name)[1] and declared_columns(type_name, k + "."):
            for c in declared_columns(type_name, k + "."):
                out[c] = None
        else:
            out[k] = v
    return out


def expected_header(rows):
    """The columns of the records (each a dict of dotted key -> scalar, parents' keys first)."""
    header = []
    for keys in rows:
        for k in keys:
            if k not in header:
                header.append(k)
    return [k for k in header if not any(o.startswith(k + ".") for o in header)]


def flat_values(doc, path):
    """The JSON value of every (row, column): the row's dict of dotted key -> scalar."""
    out = []
    def scalars(obj, prefix, acc):
        for k, v in obj.items():
            key = prefix + k
            if isinstance(v, dict):
                scalars(v, key + ".", acc)
            elif not (isinstance(v, list) and (not v or any(isinstance(e, dict) for e in v))):
                acc[key] = v
    def walk(node, parts, prefix, acc):
        acc = dict(acc)
        scalars(node, prefix, acc)
        if not parts:
            out.append(acc)
            return
        v, key = node, prefix.rstrip(".")
        while parts:
            v = v.get(parts[0]) if isinstance(v, dict) else None
            key = (key + "." if key else "") + parts[0]
            parts = parts[1:]
            if v is None:
                return
            if not isinstance(v, dict):
                break
        for e in v:
            if isinstance(e, dict):
                walk(e, parts, key + ".", acc)
    if isinstance(doc, list):
        for e in doc:
            acc = {}
            if isinstance(e, dict):
                scalars(e, "", acc)
            else:
                acc["value"] = e
            out.append(acc)
    else:
        walk(doc, path.split(".") if path else [], "", {})
    return out


HEADERS = {}  # (command line, --csv-records choice) -> the CSV's header
NUMBER = re.compile(r"^-?\d+(\.\d+)?(e[+-]\d+)?$")


def check(args, choice, failures):
    def xpusim(fmt, extra=""):
        cmd = f"{XPUSIM} --format {fmt} {extra} {args}"
        r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError(f"`{cmd}` exited {r.returncode}: {r.stderr}")
        return r.stdout
    doc = json.loads(xpusim("json"))
    extra = f"--csv-records {choice}" if choice else ""
    text = xpusim("csv", extra)
    rows = list(csv.reader(io.StringIO(text)))
    where = f"{args} [{choice or 'default'}]"
    if not rows:
        failures.append(f"{where}: empty CSV")
        return
    header, body = rows[0], rows[1:]
    HEADERS[(args, choice)] = header
    for i, r in enumerate(body):
        if len(r) != len(header):
            failures.append(f"{where}: row {i + 1} has {len(r)} cells, header {len(header)}")
            return
    command = " ".join(args.split()[:2]) if args.startswith("describe") else args.split()[0]
    path = choice if choice else DEFAULT.get(command, "")
    path = "" if path == "." else path
    type_name = TYPE.get(command)
    values = [with_declared(type_name, v) for v in flat_values(doc, path)]
    recs = [list(v) for v in values]
    want = expected_header(recs)
    if not recs and type_name:  # an empty list: the parents' keys, then its declared fields
        parent = with_declared(type_name, flat_values(doc, "")[0])
        want = list(parent) + [c for c in declared_columns(type_name, path + ".")
                               if c not in parent]
    if header != want:
        failures.append(f"{where}: header\n  {header}\nis not the JSON's keys\n  {want}")
        return
    if len(body) != len(recs):
        failures.append(f"{where}: {len(body)} rows for {len(recs)} records")
        return
    for c, name in enumerate(header):
        cells = [r[c] for r in body if NUMBER.match(r[c])]
        if any("e" in x for x in cells) and not all("e" in x for x in cells):
            failures.append(f"{where}: column {name} mixes exponent and plain numbers: {cells}")
        for r, row in enumerate(body):
            v = values[r].get(name)
            cell = row[c]
            if isinstance(v, bool):
                ok = cell == ("true" if v else "false")
            elif isinstance(v, (int, float)):
                ok = NUMBER.match(cell) is not None and math.isclose(
                    float(cell), float(v), rel_tol=6e-4, abs_tol=1e-12)
            elif v is None:
                ok = cell == ""
            elif isinstance(v, list):
                ok = cell == "; ".join(x if isinstance(x, str) else json.dumps(x) for x in v)
            else:
                ok = cell == v
            if not ok:
                failures.append(f"{where}: row {r + 1} column {name}: CSV {cell!r}, JSON {v!r}")
                break


def main():
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        space = os.path.join(tmp, "space.yaml")
        with open(space, "w") as f:
            f.write(SPACE)
        empty_front = os.path.join(tmp, "empty_front.yaml")
        with open(empty_front, "w") as f:
            f.write(EMPTY_FRONT)
        db = os.path.join(tmp, "designs.db")  # pareto reads the database explore writes
        r = subprocess.run([XPUSIM, "explore", space, "--db", db], capture_output=True, text=True)
        if r.returncode != 0:
            failures.append(f"explore --db exited {r.returncode}: {r.stderr}")
        for args, choices in CASES:
            args = args.format(space=space, db=db, empty_front=empty_front)
            for choice in choices:
                try:
                    check(args, choice, failures)
                except AssertionError as e:
                    failures.append(str(e))
    # An infeasible run has the columns of a feasible one (a sweep's CSVs concatenate).
    infeasible = CASES[1][0]
    for choice in (None, "ops"):
        if HEADERS.get((RUN, choice)) != HEADERS.get((infeasible, choice)):
            failures.append(f"the infeasible run's header [{choice or 'default'}] is not the "
                            f"feasible run's:\n  {HEADERS.get((infeasible, choice))}\n  "
                            f"{HEADERS.get((RUN, choice))}")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(CASES)} command lines checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
