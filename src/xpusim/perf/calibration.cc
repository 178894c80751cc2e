// SPDX-License-Identifier: Apache-2.0
// Default values of the global performance constants. They are NOT per chip: one value serves
// every HardwareSpec. Initial values come from the sources cited per constant; validate/ refits
// them against ../shared/validation/measured_public.csv (the fitting program records its result
// here, with the date and the error it reached).
#include "xpusim/perf/calibration.h"

namespace xpusim {

const PerfCalibration& default_calibration() {
  static const PerfCalibration cal = [] {
    PerfCalibration c;
    // Numbers below fitted by `xpusim calibrate` on measured_public.csv, 2026-11-29 (MAPE over
    // all gemm/gemm_peak/static/allreduce/p2p/op rows, one weight per row, reached 12.6%;
    // MAPE gemm 3.0%, gemm_peak 10.6%, static 13.6%, op 20.8%, p2p 20.3%, allreduce 10.7%).
    // The comments give the sources of the starting values; see docs/validation.md.
    // Best GEMMs reach ~0.93-0.94 of the fp16 matrix peak on A100 (measured_public MAN-0284
    // 290.5 and MAN-0304 293.0 of 312 TFLOP/s, shapes whose waves are nearly full).
    c.matrix_efficiency = 0.916;
    // MAMF fp8 rows (0.71-0.78 of peak) over bf16 rows (0.83-0.87): ~0.88.
    c.narrow_matrix_efficiency = 0.7;
    // TensorRT-LLM v0.9 Mixtral-8x7B throughput (TRT09-0009..0012, -0033..0036) is 2-3x below an
    // ideal grouped GEMM; starting point, refitted by validate/.
    c.expert_gemm_efficiency = 0.342;
    // gpt-fast int8/int4 batch-1 decode of Llama-2-7B on A100 (MAN-0083/0085) runs at ~40-50% of
    // HBM bandwidth against ~75% in bf16 (MAN-0091): ~5 SIMD operations per weight.
    c.dequant_ops_per_weight = 2.0;
    // Vector code (norm/softmax) sustains well below SIMD peak; rarely binding in LLM inference.
    c.vector_efficiency = 0.724;
    // FlashAttention-3 paper (Shah et al. 2024, arXiv:2407.08608 sec. 3.1): FA2 serialises the exp
    // with the MMAs, FA3 hides most of it; engines of the measured era are in between.
    c.softmax_overlap = 0.0;
    // A100 fp16 M=128,N=K=12288 (MAN-0271, 0.200 ms incl. host call) is ~15% above max(compute,
    // DRAM) time: operand loads are not fully hidden in a single-wave kernel.
    c.overlap_loss = 0.125;
    // STREAM-class kernels reach ~0.85-0.92 of HBM peak on A100/H100 (BabelStream results quoted
    // in github:stas00/ml-engineering compute/accelerator/README.md).
    c.dram_efficiency = 0.935;
    c.l2_efficiency = 0.5;
    // nccl-tests all-reduce busbw 235 GB/s on 8xA100 with 300 GB/s NVLink per direction (NET-0004)
    // = 0.78; nvbandwidth p2p 396 of 450 GB/s on H200 (NET-0001) = 0.88.
    c.link_efficiency = 0.7;
    // NCCL small-message all-reduce inside a node ~10-20 us; TensorRT-LLM custom all-reduce ~5-8 us.
    c.collective_latency = units::us(3.87);
    c.default_link_latency = units::us(1.0);
    // Gap between consecutive kernels replayed from a CUDA graph (~1-3 us).
    c.kernel_overhead = units::us(11.2);
    // PyTorch eager matmul dispatch + launch + sync: MAN-0289 (8192x64x64, 0.0296 ms) minus its
    // ~3 us kernel.
    c.host_call_overhead = units::us(17.4);
    // Serving-runtime work per generated token (sampling bookkeeping, host sync, scheduling).
    c.step_overhead = units::ms(1.79);
    // TensorRT-LLM v0.9 decode throughput of GQA models (Mistral-7B) is close to that of MHA models
    // of the same size (TRT09-0006 vs TRT09-0014), i.e. KV heads are largely re-read per query head.
    c.gqa_kv_reread = 0.577;
    // Host work before the first kernel of a request (engine step set-up, input copy); small.
    c.request_overhead = units::us(910.0);
    // Smallest decode-attention kernel (split-KV with its reduction pass).
    c.min_attention_time = units::us(0.0);
    // TensorRT-LLM's kv_cache_free_gpu_mem_fraction defaults to 0.9, but the published static runs
    // were set up to use nearly all memory: TRT09-0038 (Llama-2-7B, batch 120, 2176 tokens, fp8 KV,
    // 80 GB H100) only fits with >= 0.965 of the free memory. Fitted as the smallest value with
    // which every measured static run of measured_public.csv fits.
    c.memory_usable_fraction = 0.97;
    // CUDA context and cuBLAS/NCCL workspaces (~0.5 GiB in TensorRT-LLM memory logs).
    c.runtime_workspace = units::gib(0.5);
    return c;
  }();
  return cal;
}

}  // namespace xpusim
