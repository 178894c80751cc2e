// SPDX-License-Identifier: Apache-2.0
// PerfCalibration: the few GLOBAL efficiency and overhead constants of the performance models
// (stage 5). They are the same for every chip and every data row; validate/ fits their numeric
// values (data/calibration/default.yaml) against measured_public.csv. Each member documents what it means.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "xpusim/config/hardware_spec.h"
#include "xpusim/perf/runtime_profile.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

// Where one value of a calibration file came from: the date it was fitted (or "not fitted") and
// its source (rows of measured_public.csv, the fit command, a publication).
struct CalibrationProvenance {
  std::string fitted;
  std::string source;
};

// Spread of the out-of-sample error of one scenario class: the 10th and 90th percentiles of
// r = log(measured time / predicted time) over the leave-one-family-out residuals (a rate metric
// such as tokens/s enters as log(predicted / measured), so r > 0 always means "slower than
// predicted"). p10 <= 0 <= p90, so the interval always contains the point prediction.
struct UncertaintyBand {
  double p10 = 0.0;
  double p90 = 0.0;
  int rows = 0;  // residuals the percentiles come from
  // The hardware families whose held-out rows gave the residuals (validate/calibration_fit.h
  // hardware_family), comma-separated: a device of another family is predicted outside them.
  std::string families;
};

// The calibration's constants: what the perf models read.
struct PerfConstants {
  // ---- Compute ----
  // Fraction of the matrix-engine peak a well-tiled GEMM main loop sustains (clock throttling under
  // load, instruction issue, epilogue); tile/wave quantisation is modelled separately.
  double matrix_efficiency = 0;
  // Extra factor on matrix_efficiency for 8-bit and narrower formats (fp8/int8/fp4/int4): at twice
  // the MAC rate per byte moved, operand feed, scaling epilogues and power-limited clocks cost more
  // (ml-engineering MAMF table: H100/H200/GH200 fp8 reach 0.71-0.78 of peak vs. 0.83-0.87 in bf16).
  double narrow_matrix_efficiency = 0;
  // SIMD operations per weight element to convert weight-only-quantised weights (int8/int4/fp8
  // with 16-bit math) to the math format inside the GEMM: unpack, convert, scale, zero point,
  // fragment shuffles (AWQ / Marlin / gpt-fast kernels). Done once per M-tile that loads the weight.
  double dequant_ops_per_weight = 0;
  // Fraction of the SIMD / special-function peak sustained by vector code (softmax, norms) on a
  // dynamically scheduled chip (statically scheduled ones: vector_issue_efficiency, 1).
  double vector_efficiency = 0;
  // Fraction of the attention kernel's matrix time that can hide the softmax exp work (0 = exp
  // and MMA serialised as in FlashAttention-2, 1 = fully overlapped as FlashAttention-3 pingpong).
  double softmax_overlap = 0;
  // Extra factor on matrix_efficiency for the grouped expert GEMMs of MoE layers (many small
  // problems of different weights: scheduling, load imbalance between experts, permutation).
  double expert_gemm_efficiency = 0;
  // Fraction of the smaller of compute and memory time NOT hidden behind the larger one inside a
  // kernel (0 = perfect overlap, a pure roofline; 1 = no overlap).
  double overlap_loss = 0;

  // ---- Memory ----
  // Residual fraction of the DRAM peak the controllers sustain beyond the losses modelled per
  // technology (refresh, read/write turnaround: perf/memory_system.h): row-buffer misses,
  // activation limits, queue and scheduler effects.
  double dram_efficiency = 0;
  // Fraction of the on-chip bandwidths (per-unit L1/shared memory feeding the matrix engines, L2)
  // reached by GEMM and attention kernels.
  double l2_efficiency = 0;

  // ---- Interconnect ----
  // Fraction of the per-direction link bandwidth a collective or a point-to-point transfer run by
  // GPU kernels reaches (NCCL/RCCL: protocol payload, flow control, the kernels' synchronisation;
  // nccl-tests busbw vs. datasheet).
  double link_efficiency = 0;
  // Fraction of the per-direction link bandwidth a bulk copy by DMA engines reaches: the link
  // layer's packet and flow-control overhead only (cudaMemcpy copy engines, nvbandwidth; the KV
  // transfer between disaggregated serving pools).
  double copy_efficiency = 0;
  // Fixed cost of one collective kernel (launch, synchronisation, protocol set-up).
  Seconds collective_latency;
  // Per-step latency used when the spec gives no link latency (one hop of a ring step).
  Seconds default_link_latency;

  // ---- Software overheads of the ACTIVE runtime ----
  // Copied from a RuntimeProfile by with_runtime() (the perf models read them from here); in
  // default_calibration() they hold the default profile's (kDefaultRuntime) values. Not fitted
  // directly: `xpusim calibrate` fits the profiles in `runtimes`.
  // Per-kernel idle gap between consecutive kernels of a step (RuntimeProfile::kernel_gap).
  Seconds kernel_overhead;
  // Host-timed isolated framework call (RuntimeProfile::host_call); only isolated GEMM/op timings.
  Seconds host_call_overhead;
  // Per-decode-step runtime cost (RuntimeProfile::step_overhead).
  Seconds step_overhead;
  // Host cost of starting a request/batch, added once to TTFT (RuntimeProfile::request_overhead).
  Seconds request_overhead;
  // Host cost per sequence per iteration (RuntimeProfile::sequence_overhead).
  Seconds sequence_overhead;
  // The per-sequence host cost runs overlapped with the device (RuntimeProfile::output_overlap).
  bool output_overlap = false;
  // The whole per-iteration host work runs overlapped with the device
  // (RuntimeProfile::schedule_overlap).
  bool schedule_overlap = false;
  // The active runtime's all-reduce may use the switches' in-network reduction
  // (RuntimeProfile::in_network_all_reduce; nccl_defaults() sets it for NCCL on its own).
  bool in_network_all_reduce = false;
  // GQA decode KV re-read of the active runtime's attention kernel (RuntimeProfile::gqa_kv_reread)
  // and the largest group it fuses (RuntimeProfile::gqa_fused_max_group).
  double gqa_kv_reread = 0;
  int gqa_fused_max_group = 0;
  // The active runtime's GEMM-kernel factor on matrix_efficiency (RuntimeProfile::matrix_efficiency).
  double runtime_matrix_efficiency = 1.0;
  // The active runtime's factor on expert_gemm_efficiency (RuntimeProfile::expert_gemm_factor).
  double runtime_expert_factor = 1.0;
  // Minimum duration of one attention kernel in decode (split-KV reduction, tail effects).
  Seconds min_attention_time;

  // ---- Memory capacity ----
  // Fraction of the DRAM left free after weights, activation buffers and workspace that the KV
  // cache may use (TensorRT-LLM kv_cache_free_gpu_mem_fraction, default 0.9).
  double memory_usable_fraction = 0;
  // Fixed runtime workspace per device (cuBLAS/NCCL workspaces, CUDA graphs).
  Bytes runtime_workspace;
};

// The constants with the tables of the calibration file: its runtime profiles, the provenance of
// every value and the error bands.
struct PerfCalibration : PerfConstants {
  // ---- Software stacks ----
  // The named runtime profiles (tensorrt-llm, gpt-fast, nemo, vllm, pytorch-eager); select one
  // with with_runtime().
  std::vector<RuntimeProfile> runtimes;

  // ---- Provenance and error bars (data/calibration/default.yaml) ----
  // Fit date and source of every value, by its path in the file ("matrix_efficiency",
  // "runtimes.nemo.kernel_gap").
  std::map<std::string, CalibrationProvenance> provenance;
  // Leave-one-family-out error bands by scenario class ("static", "serving", "gemm"; see
  // scenario_class() in calibration_file.h).
  std::map<std::string, UncertaintyBand> uncertainty;
};

// `cal` with the software overheads (kernel_overhead, host_call_overhead, step_overhead,
// request_overhead) of `runtime`.
PerfCalibration with_runtime(const PerfCalibration& cal, const RuntimeProfile& runtime);

// `cal`'s constants with empty tables: what a model that evaluates many devices keeps. Copying the
// tables' strings into every DeviceModel was most of its cost (2026-12-08, bench/: one DSE design
// 21.1 -> 6.0 us, a power-limited 70B static run 395 -> 152 us).
PerfCalibration constants_only(const PerfCalibration& cal);

// `overhead` (a runtime's kernel gap, host call, collective set-up or per-step host cost) as it
// applies on `hw`: in full on a dynamically scheduled chip, where a host runtime launches every
// kernel and collective and runs its loop between steps; zero on a statically scheduled one
// (compute.execution), which runs one compiled program per step with every operation and
// chip-to-chip transfer placed in time by the compiler (Abts et al., ISCA 2020 sec. 2 and ISCA
// 2022: the TSP has no dynamic dispatch, arbitration or caches to wait on; Cerebras WSE layer
// pipelining, Hot Chips 2022/2024 talks). Per-request and per-sequence costs of the serving
// process (request_overhead, sequence_overhead) are not dispatch costs: they stay.
Seconds dispatch_cost(const HardwareSpec& hw, Seconds overhead);

// The runtime's host work of one engine iteration (a serving step or a static decode step).
struct IterationHost {
  Seconds step;         // the scheduler's per-iteration work, input preparation, launches
                        // (step_overhead as dispatch_cost gives it): serial
  Seconds output;       // per-sequence output processing (sequence_overhead x sequences)
  double amortised = 1; // iterations sharing one schedule and one output pass (multi-step)
  Seconds request;      // request set-up when the iteration starts new prompts: serial
};

// Wall time of one engine iteration from its device time and the runtime's host work. Per
// iteration the serial part is step / amortised + request, the output part output / amortised.
// A serial runtime does one after the other:
//   device + serial + output.
// A runtime that overlaps output processing with the device (`overlap`, vLLM >= 0.6:
// RuntimeProfile::output_overlap) processes iteration i's outputs while the device runs i+1: a
// two-stage pipeline (host, device) whose slower stage sets the rate,
//   serial + max(device, output),
// never slower than the serial sum and never faster than either stage alone. A runtime whose
// scheduler also prepares iteration i+1 while the device runs i (`schedule_overlap`, SGLang >=
// 0.4: RuntimeProfile::schedule_overlap) overlaps the whole host work,
//   request + max(device, (step + output) / amortised),
// never slower than the output-only overlap.
enum class HostOverlap {
  kNone,    // serial: device + host
  kOutput,  // output processing beside the device (output_overlap)
  kAll,     // scheduling and output processing beside the device (schedule_overlap)
};
// The overlap the active runtime's flags give: schedule_overlap implies the output's overlap.
HostOverlap host_overlap(const PerfCalibration& cal);
Seconds iteration_time(Seconds device, const IterationHost& host, HostOverlap overlap);

// Fraction of the vector (SIMD) and special-function units' issue rate that work on them sustains,
// by the chip's execution model (compute.execution), as dispatch_cost is: a `dynamic` chip's
// kernels lose issue slots to occupancy, latency hiding, launch tails and warp divergence
// (cal.vector_efficiency, fitted on GPU element-wise and softmax kernels); on a
// `statically_scheduled` chip the compiler places every vector instruction in a planned cycle on
// a functional unit with fixed latency and no arbitration (Groq TSP: Abts et al. ISCA 2020
// sec. 2-3; Cerebras: the core's dataflow program, Hot Chips 2022/2024; both recalled), so the
// lanes issue at their hardware rate: 1. What the schedule itself leaves idle (padding, the
// chaining of units) is modelled where it arises, not folded into this.
double vector_issue_efficiency(const HardwareSpec& hw, const PerfCalibration& cal);

// The defaults shipped with xpusim: <data dir>/calibration/default.yaml (the compiled-in copy of
// data/calibration/default.yaml when the data dir has none), or the file given to
// use_calibration_file(). An invalid file throws std::runtime_error with its diagnostics.
const PerfCalibration& default_calibration();

}  // namespace xpusim
