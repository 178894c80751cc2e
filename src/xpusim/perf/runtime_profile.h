// SPDX-License-Identifier: Apache-2.0
// RuntimeProfile: the serving software stack (TensorRT-LLM, gpt-fast, NeMo, vLLM, PyTorch eager)
// as a part of what is measured, next to the hardware (stage 5). A profile carries the software
// overheads the perf models add around the kernels; the named built-in profiles and their values
// live in PerfCalibration::runtimes, read from data/calibration/default.yaml (calibration_file.h), fitted per profile by `xpusim calibrate`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "xpusim/units/quantity.h"

namespace xpusim {

struct RuntimeProfile {
  std::string name;               // "tensorrt-llm", "gpt-fast", ...
  std::string description;        // the stack and the source of its values
  // Idle time of the device between two consecutive kernels of a step: a CUDA-graph replay
  // leaves ~1-3 us, an eager framework queues launches ahead of the GPU (a few us when the host
  // keeps up, more when it does not).
  Seconds kernel_gap;
  // Host-side cost of ONE isolated framework call timed from the host (dispatch + launch +
  // synchronise): used only for single-call microbenchmarks, never inside serving steps.
  Seconds host_call;
  // Per-decode-step cost of the runtime outside the kernels (scheduler, sampling bookkeeping,
  // host synchronisation, detokenisation).
  Seconds step_overhead;
  // Host cost of starting a request/batch, added once to TTFT (input copy, scheduling, set-up).
  Seconds request_overhead;
  // Host cost per running sequence per iteration of a serving engine, on top of step_overhead:
  // the scheduler's per-request bookkeeping, sampling-parameter and output processing and
  // detokenisation in the serving process (vLLM 0.5: GPU busy ~38% of the time on Llama-3-8B at
  // full batch, the rest in the API server and scheduler -- vLLM v0.6.0 release blog). Also the
  // static decode step's, per sequence of the batch.
  Seconds sequence_overhead;
  // Decode attention of grouped-query models: extra KV-cache reads per additional query head of
  // a group. 0 = a fused GQA kernel reads each KV head once per step (TensorRT-LLM XQA); 1 = the
  // KV heads are expanded to one per query head before attention (gpt-fast repeat_interleave).
  // A property of the attention kernel the stack ships: documented per profile, fitted (0..1)
  // only for the TensorRT-LLM engine (tensorrt-llm and nemo together), whose kernel choice
  // depends on batch, model and format.
  double gqa_kv_reread = 0;
  // Largest group of query heads per KV head the stack's fused GQA decode kernel handles; larger
  // groups run a per-query-head kernel that reads the KV once per query head (re-read 1). 0 = no
  // limit. TensorRT-LLM's XQA kernels are built for groups of up to 8 (recalled, unverified); the
  // Falcon-180B rows (groups of 29) are where it shows.
  int gqa_fused_max_group = 0;
  // Fraction of the hardware's GEMM efficiency (PerfCalibration::matrix_efficiency, set by the
  // cuBLAS microbenchmarks) that the stack's own GEMM kernels reach (kernel selection, fused
  // epilogues, sustained-load clocks in a full model). 1 for PyTorch eager (cuBLAS itself);
  // fitted (0.5..1) for the TensorRT-LLM engine and gpt-fast.
  double matrix_efficiency = 1.0;
  // The stack's grouped expert (MoE) GEMM kernels relative to the global expert_gemm_efficiency
  // (fitted on the TensorRT-LLM v0.9 static rows): 1 = those kernels; TensorRT-LLM's 2024 serving
  // engines (CUTLASS grouped GEMMs) fit higher.
  double expert_gemm_factor = 1.0;
  // Output processing overlapped with the device (a two-stage pipeline, host and device): the
  // runtime processes the outputs of iteration i (sampling bookkeeping, detokenisation, stop
  // checks, building the outputs: the sequence_overhead part) while the device runs iteration
  // i+1, so an iteration takes step_overhead + max(device, sequence_overhead x n) instead of
  // step_overhead + device + sequence_overhead x n (iteration_time() in perf/calibration.h).
  // vLLM >= 0.6.0: "asynchronous output processing" and the API server in its own process (vLLM
  // v0.6.0 release blog, Sept 2024, recalled); V1 (0.8+) keeps the split (engine core process
  // vs. front-end process, vLLM V1 blog, Jan 2025, recalled). false = serial (vLLM 0.5, whose
  // API server and output processing ran on the scheduling loop; every other profile).
  bool output_overlap = false;
  // The whole host work of an iteration overlapped with the device: the scheduler forms and
  // prepares iteration i+1 (step_overhead) and processes iteration i's outputs
  // (sequence_overhead) while the device runs iteration i, so an iteration takes
  // max(device, step_overhead + sequence_overhead x n) (request set-up stays serial). SGLang >=
  // 0.4's overlap scheduler ("zero-overhead batch scheduler", on by default: SGLang v0.4 release
  // blog, Dec 2024, recalled). Implies output_overlap. false = only what output_overlap says.
  bool schedule_overlap = false;
  // The stack's tensor-parallel all-reduce uses the switches' in-network reduction where the
  // scale-up tier offers it (interconnect.scale_up.in_network_reduction; NCCL's NVLS on NVSwitch
  // gen3+). true for stacks that call NCCL with its defaults (PyTorch's process groups); false
  // for those whose all-reduce does not reach it: TensorRT-LLM's custom one-/two-shot kernels,
  // vLLM (which sets NCCL_CUMEM_ENABLE=0, and NVLS's multicast buffers are cuMem allocations),
  // SGLang (--enable-nccl-nvls off by default). false = ring, tree, one- and two-shot only.
  bool in_network_all_reduce = false;
  // Descriptive flags (reported, not used by the formulas: their cost is in the values above).
  bool cuda_graphs = false;       // decode steps replayed from CUDA graphs
  bool fused_kernels = false;     // norms/activations fused into neighbouring kernels
};

// The profile `xpusim run` and rows without a mapped framework use.
inline constexpr std::string_view kDefaultRuntime = "tensorrt-llm";

// Names of the profiles in `profiles`, in order.
std::vector<std::string> runtime_names(const std::vector<RuntimeProfile>& profiles);

// The profile called `name`, or nullptr.
const RuntimeProfile* find_runtime(const std::vector<RuntimeProfile>& profiles,
                                   std::string_view name);

}  // namespace xpusim
