# SPDX-License-Identifier: Apache-2.0
"""The Python module against the command line: for each function, the dict equals the command's
`--format json` output for the same inputs (the binary run as a subprocess); bad input raises
xpusim.InputError with the diagnostics; the models run with the GIL released. Run by CTest
(python/CMakeLists.txt), which sets PYTHONPATH to build/python and XPUSIM_BINARY to the CLI."""

import json
import os
import pathlib
import subprocess
import sys
import threading

import pytest

import xpusim

BINARY = os.environ["XPUSIM_BINARY"]
TEST_DATA = pathlib.Path(os.environ["XPUSIM_TEST_DATA_DIR"])

SMALL_SPACE = """schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario:
  kind: static
  batch: 16
  input_len: 512
  output_len: 64
  precision: bf16
parameters:
  - {path: hardware.compute.units, values: [114, 132]}
  - {path: hardware.memory.dram.bandwidth, range: {min: "2 TB/s", max: "4 TB/s", steps: 3}}
  - {path: plan.tp, values: [1, 2]}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
  - {metric: manufacturing_cost_usd, goal: min}
"""


def cli_json(*args):
    """The command's --format json document, as the CLI prints it."""
    done = subprocess.run([BINARY, "--format", "json", *map(str, args)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# (function, keywords, the same question on the command line)
CASES = [
    ("run", dict(hardware="h100-sxm-80gb", model="llama-3.1-70b", devices=8, tp=8, batch=32,
                 input_len=2048, output_len=256, precision="fp8"),
     "run --hardware h100-sxm-80gb --model llama-3.1-70b --devices 8 --tp 8 --batch 32 "
     "--input-len 2048 --output-len 256 --precision fp8"),
    ("run", dict(hardware="h100-sxm-80gb", model="llama-3.1-8b", batch=4, input_len=512,
                 output_len=64, tp=2, pp=2, microbatches=2, sequence_parallel=True,
                 kv_precision="fp8", runtime="gpt-fast", electricity_price=0.2,
                 device_price=30000, lifetime_years=3,
                 overrides={"memory.dram.bandwidth": "6 TB/s"}),
     "--set memory.dram.bandwidth=6TB/s run --hardware h100-sxm-80gb --model llama-3.1-8b "
     "--batch 4 --input-len 512 --output-len 64 --tp 2 --pp 2 --microbatches 2 "
     "--sequence-parallel --kv-precision fp8 --runtime gpt-fast --electricity-price 0.2 "
     "--device-price 30000 --lifetime-years 3"),
    ("run", dict(hardware="h100-sxm-80gb", model="llama-2-70b", batch=64, input_len=2048,
                 output_len=256),  # infeasible: the answer, with its alternatives
     "run --hardware h100-sxm-80gb --model llama-2-70b --batch 64 --input-len 2048 "
     "--output-len 256"),
    ("run", dict(hardware="h100-sxm-80gb", model="gpt-oss-20b", batch=8, input_len=1024,
                 output_len=128, expert_precision="fp4", weight_group_size=32),
     "run --hardware h100-sxm-80gb --model gpt-oss-20b --batch 8 --input-len 1024 "
     "--output-len 128 --expert-precision fp4 --weight-group-size 32"),
    ("gemm", dict(hardware="h100-sxm-80gb", m=16, n=8192, k=8192, batch=4, precision="fp8",
                  weight_precision="int4", weight_group_size=64),
     "gemm --hardware h100-sxm-80gb --m 16 --n 8192 --k 8192 --batch 4 --precision fp8 "
     "--weight-precision int4 --weight-group-size 64"),
    ("gemm", dict(hardware="a100-sxm-80gb", m=1024, n=10240, k=5120, runtime="tensorrt-llm"),
     "gemm --hardware a100-sxm-80gb --m 1024 --n 10240 --k 5120 --runtime tensorrt-llm"),
    ("collective", dict(hardware="mi300x", op="all_gather", devices=4, min_bytes=4096,
                        max_bytes=1e8, factor=16),
     "collective --hardware mi300x --op all_gather --devices 4 --min-bytes 4096 "
     "--max-bytes 1e8 --factor 16"),
    ("membw", dict(hardware="b200-sxm-180gb", kernels=["triad", "read"]),
     "membw --hardware b200-sxm-180gb --kernel triad --kernel read"),
    ("power", dict(hardware="h100-nvl-94gb", kernels=["gemm", "idle"], precisions=["fp8"],
                   m=4096, n=4096, k=4096),
     "power --hardware h100-nvl-94gb --kernel gemm --kernel idle --precision fp8 --m 4096 "
     "--n 4096 --k 4096"),
    ("sensitivity", dict(hardware="h100-sxm-80gb", model="llama-3.1-8b", batch=8, input_len=256,
                         output_len=32, metrics=["tpot_ms", "ttft_ms"], step=0.1),
     "sensitivity --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 --input-len 256 "
     "--output-len 32 --metric tpot_ms --metric ttft_ms --step 0.1"),
    ("sensitivity", dict(hardware="b200-sxm-180gb", model="gpt-oss-20b", batch=8, input_len=256,
                         output_len=32, expert_precision="fp4", weight_group_size=32,
                         metrics=["tpot_ms"]),
     "sensitivity --hardware b200-sxm-180gb --model gpt-oss-20b --batch 8 --input-len 256 "
     "--output-len 32 --expert-precision fp4 --weight-group-size 32 --metric tpot_ms"),
    ("compare", dict(model="llama-3.1-8b", batch=8, input_len=512, output_len=64, devices=4),
     "compare --model llama-3.1-8b --batch 8 --input-len 512 --output-len 64 --devices 4"),
    ("compare", dict(model="llama-3.1-8b", batch=8, input_len=512, output_len=64,
                     hardware=["h100-sxm-80gb", "b200-sxm-180gb"]),
     "compare --model llama-3.1-8b --batch 8 --input-len 512 --output-len 64 "
     "--hardware h100-sxm-80gb --hardware b200-sxm-180gb"),
    ("compare", dict(model="llama-3.1-8b", batch=8, input_len=512, output_len=64,
                     hardware=["h100-sxm-80gb"], with_presets=True),
     "compare --model llama-3.1-8b --batch 8 --input-len 512 --output-len 64 "
     "--hardware h100-sxm-80gb --with-presets"),
    ("serve", dict(hardware="h100-sxm-80gb", model="llama-3.1-8b", precision="fp8",
                   engine="vllm", input_len=512, output_len=64, requests=200, rate=20,
                   slo_ttft_ms=500, slo_tpot_ms=50, max_batch=64, chunked_prefill=False),
     "serve --hardware h100-sxm-80gb --model llama-3.1-8b --precision fp8 --engine vllm "
     "--input-len 512 --output-len 64 --requests 200 --rate 20 --slo-ttft-ms 500 "
     "--slo-tpot-ms 50 --max-batch 64 --chunked-prefill off"),
    ("serve", dict(hardware="b200-sxm-180gb", model="gpt-oss-20b", precision="fp8",
                   expert_precision="fp4", weight_group_size=32, input_len=1024, output_len=128,
                   requests=100),
     "serve --hardware b200-sxm-180gb --model gpt-oss-20b --precision fp8 --expert-precision fp4 "
     "--weight-group-size 32 --input-len 1024 --output-len 128 --requests 100"),
    ("serve", dict(hardware="h100-sxm-80gb", model="llama-3.1-70b", devices=8, tp=2,
                   precision="fp8", input_len=2000, output_len=200, requests=100, rate=10,
                   disaggregate="4:4", decode_tp=4),
     "serve --hardware h100-sxm-80gb --model llama-3.1-70b --devices 8 --tp 2 --precision fp8 "
     "--input-len 2000 --output-len 200 --requests 100 --rate 10 --disaggregate 4:4 "
     "--decode-tp 4"),
    ("serve", dict(hardware="h100-sxm-80gb", model="llama-3.1-8b",
                   trace=TEST_DATA / "traces" / "good.csv"),
     f"serve --hardware h100-sxm-80gb --model llama-3.1-8b --trace {TEST_DATA}/traces/good.csv"),
    ("area", dict(hardware="b200-sxm-180gb", units_on_die=160, dram_phys_on_die=8),
     "area --hardware b200-sxm-180gb --units-on-die 160 --dram-phys-on-die 8"),
    ("wafer", dict(die_width=25.8, die_height=31.55, defect_density=0.1, yield_model="murphy"),
     "wafer --die-width 25.8 --die-height 31.55 --defect-density 0.1 --yield-model murphy"),
    ("wafer", dict(die_width=10, die_height=10, wafer_diameter=200, reticle=False, node="n3",
                   yield_model="negative_binomial", alpha=2, wafer_cost=20000),
     "wafer --die-width 10 --die-height 10 --wafer-diameter 200 --reticle off --node n3 "
     "--yield-model negative_binomial --alpha 2 --wafer-cost 20000"),
    ("wafer", dict(die_width=40, die_height=40),  # beyond the reticle: infeasible
     "wafer --die-width 40 --die-height 40"),
    ("cost", dict(hardware="h100-sxm-80gb", tokens_per_second=3000, price=25000, power=600,
                  lifetime_years=5, electricity_usd_per_kwh=0.1, bond_yield=0.98,
                  chip_first=True, no_harvesting=True),
     "cost --hardware h100-sxm-80gb --tokens-per-second 3000 --price 25000 --power 600 "
     "--lifetime-years 5 --electricity-usd-per-kwh 0.1 --bond-yield 0.98 --chip-first "
     "--no-harvesting"),
    ("fab", dict(hardware="b200-sxm-180gb", units=2e6),
     "fab --hardware b200-sxm-180gb --units 2000000"),
    ("fab", dict(hardware="h100-sxm-80gb", budget=1000),  # below the NRE: the shortfall
     "fab --hardware h100-sxm-80gb --budget 1000"),
    ("validate", dict(file=TEST_DATA / "validation" / "fixture.csv", scenarios=["static"]),
     f"validate {TEST_DATA}/validation/fixture.csv --scenarios static"),
]


@pytest.mark.parametrize("function, keywords, command", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_equals_the_command_lines_json(function, keywords, command):
    assert getattr(xpusim, function)(**keywords) == cli_json(*command.split())


def test_hardware_and_model_equal_show():
    assert xpusim.hardware("h100-sxm-80gb") == cli_json("show", "hardware", "h100-sxm-80gb")
    faster = xpusim.hardware("h100-sxm-80gb", overrides={"memory.dram.bandwidth": "6 TB/s"})
    assert faster == cli_json("--set", "memory.dram.bandwidth=6TB/s", "show", "hardware",
                              "h100-sxm-80gb")
    assert faster["dram_bandwidth_gbs"] == 6000
    hf = TEST_DATA / "hf" / "qwen3-8b.json"
    assert xpusim.model(hf) == cli_json("show", "model", hf)
    assert xpusim.model("llama-3.1-70b", overrides=["layers=40"]) == cli_json(
        "--set", "layers=40", "show", "model", "llama-3.1-70b")


def test_explore_and_pareto_equal_the_command_line(tmp_path):
    space = tmp_path / "space.yaml"
    space.write_text(SMALL_SPACE)
    db = tmp_path / "designs.sqlite"
    front = xpusim.explore(space=space, threads=2, db=db)
    assert front == cli_json("explore", space, "--threads", 2)
    assert front["evaluated"] == 12
    assert xpusim.pareto(db=db) == cli_json("pareto", "--db", db)
    objectives = "tokens_per_s_per_w:max,manufacturing_cost_usd:min"
    assert xpusim.pareto(db=str(db), objectives=objectives) == cli_json(
        "pareto", "--db", db, "--objectives", objectives)
    lhs = dict(strategy="lhs", max_evals=2, seed=3, threads=1)
    assert xpusim.explore(space=space, **lhs) == cli_json(
        "explore", space, "--strategy", "lhs", "--max-evals", 2, "--seed", 3, "--threads", 1)


# ---- bad input ------------------------------------------------------------------------------

RUN = dict(hardware="h100-sxm-80gb", model="llama-3.1-8b", batch=4, input_len=512, output_len=64)


def test_input_error_is_a_value_error_with_diagnostics():
    assert issubclass(xpusim.InputError, ValueError)
    with pytest.raises(xpusim.InputError) as caught:
        xpusim.run(**{**RUN, "batch": 0, "tp": 5000})
    assert caught.value.diagnostics == [
        {"file": "<arguments>", "line": 0, "column": 0, "path": "batch",
         "message": "0 is out of range; allowed 1 .. 1048576 (requests per static batch; 2^20 "
                    "keeps batch x tokens exact)"},
        {"file": "<arguments>", "line": 0, "column": 0, "path": "tp",
         "message": "5000 is out of range; allowed 1 .. 4096 (ways of parallelism; beyond any "
                    "scale-up domain or pipeline depth)"},
    ]
    assert str(caught.value).splitlines() == [
        "<arguments>: batch: 0 is out of range; allowed 1 .. 1048576 (requests per static "
        "batch; 2^20 keeps batch x tokens exact)",
        "<arguments>: tp: 5000 is out of range; allowed 1 .. 4096 (ways of parallelism; beyond "
        "any scale-up domain or pipeline depth)"]


@pytest.mark.parametrize("call, path, needle", [
    (lambda: xpusim.run(**{**RUN, "batchsize": 4}), "batchsize",
     'unknown keyword argument; allowed: model, batch'),
    (lambda: xpusim.run(**{**RUN, "precison": "fp8"}), "precison", '(did you mean "precision"?)'),
    (lambda: xpusim.run(hardware="h100-sxm-80gb", model="llama-3.1-8b"), "batch", "is required"),
    (lambda: xpusim.run(**{**RUN, "batch": "32"}), "batch", "expected an int, got '32' (str)"),
    (lambda: xpusim.run(**{**RUN, "batch": True}), "batch", "expected an int, got True (bool)"),
    (lambda: xpusim.run(**{**RUN, "batch": 10 ** 30}), "batch",
     "is out of range; allowed a 64-bit integer"),
    (lambda: xpusim.run(**{**RUN, "gross_margin": float("nan")}), "gross_margin",
     "nan is out of range"),
    (lambda: xpusim.run(**{**RUN, "precision": "fp7"}), "precision",
     'unknown precision "fp7"'),
    (lambda: xpusim.run(**{**RUN, "input_len": 200000}), "input_len",
     "beyond the maximum context of llama-3.1-8b"),
    (lambda: xpusim.run(**{**RUN, "tp": 3}), "tp", "must divide the 32 attention heads"),
    (lambda: xpusim.run(**{**RUN, "overrides": {"memory.dram.bandwidth": "fast"}}),
     "memory.dram.bandwidth", "expected"),
    (lambda: xpusim.run(**{**RUN, "hardware": "h100-sxm"}), "",
     'unknown hardware preset "h100-sxm"; did you mean one of: h100-sxm-80gb?'),
    (lambda: xpusim.serve(hardware="h100-sxm-80gb", model="llama-3.1-8b", input_len=512),
     "output_len", "must be given together"),
    (lambda: xpusim.serve(hardware="h100-sxm-80gb", model="llama-3.1-8b", input_len=512,
                          output_len=64, chunked_prefill="maybe"), "chunked_prefill",
     'expected on or off, got "maybe"'),
    (lambda: xpusim.wafer(die_width=10, die_height=10, reticle="maybe"), "reticle",
     'expected on or off, got "maybe"'),
    (lambda: xpusim.fab(hardware="h100-sxm-80gb"), "units", "give --units N or --budget USD"),
    (lambda: xpusim.fab(hardware="h100-sxm-80gb", units=100, assume={"foo": 3}), "foo",
     "unknown assumption 'foo'"),
    (lambda: xpusim.validate(file="x.csv", scenarios="statc"), "scenarios",
     '(did you mean "static"?)'),
    (lambda: xpusim.explore(space="x.yaml", strategy="annealing"), "strategy",
     "allowed: grid, random, lhs"),
    (lambda: xpusim.hardware(42), "id_or_path", "expected a str, got 42 (int)"),
    (lambda: xpusim.model("no-such-model"), "", 'unknown model preset "no-such-model"'),
])
def test_bad_input_raises_input_error(call, path, needle):
    with pytest.raises(xpusim.InputError) as caught:
        call()
    diagnostics = caught.value.diagnostics
    assert any(d["path"] == path and needle in d["message"] for d in diagnostics), diagnostics
    assert all(set(d) == {"file", "line", "column", "path", "message"} for d in diagnostics)
    assert all(d["message"][:60] in str(caught.value) for d in diagnostics)  # the message too


def test_none_is_a_keyword_not_given():
    assert xpusim.run(**RUN, devices=None, tp=None, device_price=None) == xpusim.run(**RUN)
    with pytest.raises(xpusim.InputError, match="batch: is required"):
        xpusim.run(**{**RUN, "batch": None})


def test_positional_arguments_are_a_type_error():
    with pytest.raises(TypeError):
        xpusim.run("h100-sxm-80gb", "llama-3.1-8b")


# ---- the GIL --------------------------------------------------------------------------------

def test_gil_is_released_during_a_model_call():
    """A second Python thread counts while the main thread is inside xpusim.serve. With a switch
    interval of 10 s the interpreter never takes the GIL from the main thread on its own, so the
    count can only advance during the call if the call released the GIL; the counter waits 1 ms
    between steps (releasing the GIL) so the main thread gets it back at once."""
    count = 0
    stop = threading.Event()

    def counter():
        nonlocal count
        while not stop.is_set():
            count += 1
            stop.wait(0.001)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(10)
    worker = threading.Thread(target=counter)
    try:
        worker.start()
        before = count
        # About 0.3 s of simulation (100k requests), so the counter gets its turns.
        result = xpusim.serve(hardware="h100-sxm-80gb", model="llama-3.1-8b", input_len=512,
                              output_len=128, requests=100000, rate=60)
        during = count - before
    finally:
        stop.set()
        sys.setswitchinterval(interval)
        worker.join()
    assert result["completed"] == 100000
    assert during > 0
