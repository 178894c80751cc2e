#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The progress line of long commands is on stderr when stderr is a terminal, and only then.

Runs `calibrate`, `explore`, `validate` and `serve --mlperf server` with stderr on a pseudo-terminal (the line appears: label, done /
total, rate, and its last state), on a pipe (nothing) and on the terminal with --quiet (nothing).
Usage: progress_tty.py XPUSIM_BINARY TEST_DATA_DIR
"""
import os
import pty
import subprocess
import sys
import tempfile

XPUSIM, TEST_DATA = sys.argv[1], sys.argv[2]
SPACE = """schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario: {kind: static, batch: 16, input_len: 512, output_len: 64, precision: bf16}
parameters:
  - {path: hardware.compute.units, values: [114, 132]}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
"""


def on_tty(args):
    """stderr of `xpusim args` written to a pseudo-terminal."""
    master, slave = pty.openpty()
    p = subprocess.Popen([XPUSIM] + args, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    p.wait()
    os.close(master)
    return p.returncode, out.decode(errors="replace")


def on_pipe(args):
    r = subprocess.run([XPUSIM] + args, capture_output=True, text=True)
    return r.returncode, r.stderr


def main():
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        space = os.path.join(tmp, "space.yaml")
        with open(space, "w") as f:
            f.write(SPACE)
        cases = [
            (["calibrate", os.path.join(TEST_DATA, "validation", "fixture.csv"), "--max-rounds",
              "3", "--no-holdout"], "calibrate: ", "rounds/s"),
            (["explore", space], "explore: ", "designs/s"),
            (["validate", os.path.join(TEST_DATA, "validation", "fixture.csv")], "validate: ",
             "rows/s"),
            (["serve", "--hardware", "h100-sxm-80gb", "--model", "gpt-j-6b", "--dataset",
              "mlperf-gpt-j", "--mlperf", "server"], "serve rate search: ", "probes/s"),
        ]
        for args, label, rate in cases:
            code, text = on_tty(args)
            if code != 0 or label not in text or rate not in text or "done in" not in text:
                failures.append(f"{args[0]} on a terminal: exit {code}, no progress line in {text!r}")
            code, text = on_tty(args + ["--quiet"])
            if code != 0 or label in text:
                failures.append(f"{args[0]} --quiet on a terminal: exit {code}, stderr {text!r}")
            code, text = on_pipe(args)
            if code != 0 or label in text or rate in text:
                failures.append(f"{args[0]} on a pipe: exit {code}, stderr {text!r}")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
