#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The compile flags CI's time depends on (docs/architecture.md "Build"), read back from the
build's compile_commands.json: the last -O of every test program's object is XPUSIM_TEST_OPTIMIZE
and the last -O of every library, CLI and Python-module object is not (they keep the build
type's level); under XPUSIM_SANITIZE every library and test object is instrumented and its last
-g flag is XPUSIM_SANITIZE_DEBUG_INFO. Objects are told apart by their path in the build tree
(tests/..., src/..., python/...; bench/ and sources generated in the build tree are not
checked, except the unity batches of XPUSIM_UNITY_BUILD, CMake's Unity/unity_N_cxx.cxx files that
include our sources).

usage: check_flags.py COMPILE_COMMANDS test_opt=FLAG sanitize=ON|OFF debug_info=FLAG
An empty FLAG means "not set in this configuration" (nothing to check for it)."""
import json
import os
import shlex
import sys


def last(flags, prefix):
    found = [f for f in flags if f.startswith(prefix) and (prefix != "-g" or f[2:3] in ("", "0", "1", "2", "3"))]
    return found[-1] if found else None


def main():
    commands_path = sys.argv[1]
    args = dict(a.split("=", 1) for a in sys.argv[2:])
    test_opt, sanitize, debug_info = args["test_opt"], args["sanitize"], args["debug_info"]
    entries = json.load(open(commands_path))
    errors = []
    tests = libs = 0
    for e in entries:
        flags = shlex.split(e["command"])
        if "-o" not in flags:
            continue
        rel = flags[flags.index("-o") + 1]  # the object, relative to the build tree
        build_dir = os.path.abspath(e["directory"])
        in_build = os.path.commonpath([os.path.abspath(e["file"]), build_dir]) == build_dir
        unity = "/Unity/unity_" in e["file"]  # XPUSIM_UNITY_BUILD: a batch of our sources
        if in_build and not unity:
            continue  # generated in the build tree (web_assets.cc: data, no code to check)
        opt = last(flags, "-O")
        if rel.startswith("tests/"):
            tests += 1
            if test_opt and opt != test_opt:
                errors.append(f"{rel}: last -O is {opt}, expected {test_opt} (XPUSIM_TEST_OPTIMIZE)")
        elif rel.startswith("src/") or rel.startswith("python/"):
            libs += 1
            if test_opt and opt == test_opt and test_opt not in ("-O3", "-O2"):
                errors.append(f"{rel}: a library source compiled at the tests' {opt}")
        if sanitize == "ON" and (rel.startswith("src/") or rel.startswith("tests/")):
            if not any(f.startswith("-fsanitize=address") for f in flags):
                errors.append(f"{rel}: not instrumented (no -fsanitize=address)")
            if debug_info and last(flags, "-g") != debug_info:
                errors.append(f"{rel}: last -g flag is {last(flags, '-g')}, expected {debug_info}")
    if tests == 0 or libs == 0:
        errors.append(f"found {tests} test and {libs} library sources in {commands_path}")
    for line in errors:
        print("error:", line)
    print(f"{tests} test sources, {libs} library sources checked")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
