#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Ctrl-C stops a single-process `explore` after the block it is on, saved.

A grid far too large to finish is interrupted (SIGINT) once its database holds rows: the
process exits 130 and says on stderr how many designs this run saved and where, and that
--resume continues; the database holds exactly that many designs, and `pareto` reads its front.
Without --db it says nothing was saved. Usage: explore_interrupt.py XPUSIM_BINARY
"""
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

XPUSIM = sys.argv[1]
SPACE = """schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario: {kind: static, batch: 16, input_len: 512, output_len: 64, precision: bf16}
parameters:
  - {path: hardware.compute.units, range: {min: 60, max: 132, step: 1}}
  - {path: hardware.memory.dram.bandwidth, range: {min: "1 TB/s", max: "8 TB/s", steps: 20000, scale: log}}
  - {path: hardware.compute.clock, values: ["1.5 GHz", "1.83 GHz", "2.1 GHz"]}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
"""


def rows(db):
    if not os.path.exists(db):  # sqlite3.connect would create it, and explore refuse it
        return 0
    try:
        with sqlite3.connect(db) as c:
            return c.execute("select count(*) from designs").fetchone()[0]
    except sqlite3.Error:
        return 0


def interrupted(args, ready):
    """Runs `xpusim args`, sends SIGINT once ready() holds, returns (code, stderr)."""
    p = subprocess.Popen([XPUSIM] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    deadline = time.monotonic() + 60
    while not ready() and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert p.poll() is None, "explore ended before it could be interrupted: " + p.stderr.read()
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    return p.returncode, err


def main():
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        space = os.path.join(tmp, "big.yaml")
        with open(space, "w") as f:
            f.write(SPACE)
        db = os.path.join(tmp, "big.sqlite")
        big = ["--quiet", "--max-designs", "5000000"]  # 4.38M designs: 2 min on 2 cores, not 1.5 s on 16
        code, err = interrupted(["explore", space, "--db", db] + big, lambda: rows(db) > 0)
        m = re.search(r"explore: interrupted; (\d+) designs evaluated now are in (\S+): the same "
                      r"command with --resume continues", err)
        if code != 130:
            failures.append(f"exit {code}, not 130: {err!r}")
        if not m:
            failures.append(f"no interruption message: {err!r}")
        elif int(m.group(1)) != rows(db) or int(m.group(1)) >= 4380000:
            failures.append(f"said {m.group(1)} designs saved, the database holds {rows(db)}")
        front = subprocess.run([XPUSIM, "pareto", "--db", db, "--format", "json"],
                               capture_output=True, text=True)
        if front.returncode != 0 or '"designs"' not in front.stdout:
            failures.append(f"pareto on the interrupted database: {front.returncode} "
                            f"{front.stderr[:300]!r}")
        start = time.monotonic()
        code, err = interrupted(["explore", space] + big,
                                lambda: time.monotonic() - start > 1.5)
        if code != 130 or "nothing was saved" not in err:
            failures.append(f"without --db: exit {code}, {err!r}")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
