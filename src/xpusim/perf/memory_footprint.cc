// SPDX-License-Identifier: Apache-2.0
// Memory footprint of static-batch serving (the accounting of vLLM's profile run and TensorRT-LLM's
// memory planner): weights + KV cache for every token of every request + the transient activations
// of the prefill (the largest step) + a fixed workspace; the KV cache may use a fraction of the
// memory left after the others (TensorRT-LLM kv_cache_free_gpu_mem_fraction).
// Ignored: KV-cache block rounding (paged allocation), CUDA-graph memory pools per batch size,
// allocator fragmentation beyond the usable fraction.
// Capacity is the backing store's (config/hardware_schema.h): the device memory, or the on-chip
// SRAM of sram_only designs (Groq LPU, Cerebras WSE), where weights live on chip.
#include "xpusim/perf/memory_footprint.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_params.h"
#include "xpusim/workload/graph_builder.h"

namespace xpusim {
namespace {

// Peak transient activations per sequence of the prefill. Buffers are reused from layer to layer
// (TensorRT-LLM/vLLM activation pools), so the live set is the residual stream and the block input
// (2 x hidden) plus the widest GEMM output (QKV, or the gated MLP's gate + up), per token, in the
// activation format; plus the fp32 logits row of the last position.
Bytes activation_bytes_per_sequence(const ModelSpec& m, const ParallelismPlan& p,
                                    const PrecisionPlan& prec, int64_t input_len) {
  const double ab = std::max(bytes_per_element(prec.activations).value(), 2.0);  // stored 16-bit
  const double mlp = m.moe.enabled()
                         ? std::max<double>(m.ffn, static_cast<double>(m.moe.expert_ffn) *
                                                       m.moe.experts_per_token)
                         : m.ffn;
  const int kv = m.kv_heads > 0 ? m.kv_heads : m.heads;
  const double qkv = static_cast<double>(m.heads + 2 * kv) * m.head_dim / p.tp;
  const double widest = std::max(qkv, (m.ffn_gated ? 2.0 : 1.0) * mlp / p.tp);
  const double per_token = (2.0 * m.hidden + widest) * ab;
  return Bytes(per_token * static_cast<double>(input_len) + 4.0 * m.vocab / p.tp);
}

// The runtime's workspace (cuBLAS/NCCL buffers, CUDA graph pools) is allocated in device memory.
// Designs without device memory (sram_only) run statically scheduled programs whose buffers are
// the activations counted above; no such workspace takes on-chip SRAM.
Bytes workspace_bytes(const HardwareSpec& hw, const PerfCalibration& cal) {
  return backing_store(hw).on_chip() ? Bytes(0) : cal.runtime_workspace;
}

}  // namespace

Result<void> check_batch_lengths(int64_t batch, int64_t input_len, int64_t output_len) {
  Diagnostics errs;
  auto size = [&](const char* name, int64_t v) {
    if (v < 1 || v > kMaxStepTokens)
      errs.push_back(Diagnostic{.path = name, .message = fmt::format("must be in [1, 2^40], got {}", v)});
  };
  size("batch", batch);
  size("input_len", input_len);
  size("output_len", output_len);
  if (!errs.empty()) return tl::unexpected(std::move(errs));
  const int64_t per_sequence = input_len + output_len;  // <= 2^41: no overflow
  if (batch > kMaxStepTokens / per_sequence)
    return fail(Diagnostic{
        .path = "batch",
        .message = fmt::format("batch {} x (input_len {} + output_len {}) exceeds 2^40 tokens",
                               batch, input_len, output_len)});
  return {};
}

Result<MemoryFootprint> memory_footprint(const HardwareSpec& hw, const ModelSpec& model,
                                         const ParallelismPlan& plan,
                                         const PrecisionPlan& precision, int64_t batch,
                                         int64_t input_len, int64_t output_len,
                                         const PerfCalibration& cal) {
  if (auto ok = check_batch_lengths(batch, input_len, output_len); !ok)
    return tl::unexpected(ok.error());
  const Result<Bytes> weights = weight_bytes_per_device(model, plan, precision);
  if (!weights) return tl::unexpected(weights.error());
  MemoryFootprint f;
  f.weights = *weights;
  const Bytes kv_token = *kv_bytes_per_token_per_device(model, plan, precision);
  // Local layers (a sliding window, chunked attention) keep at most their window or chunk.
  const Bytes kv_seq =
      kv_token * static_cast<double>(kv_keep(model).tokens(input_len + output_len));
  f.kv_cache = kv_seq * static_cast<double>(batch);
  const int mb = std::max(1, plan.microbatches);
  const Bytes act_seq = activation_bytes_per_sequence(model, plan, precision, input_len);
  const double seq_per_mb = std::ceil(static_cast<double>(batch) / mb);
  f.activations = act_seq * seq_per_mb;
  f.workspace = workspace_bytes(hw, cal);
  f.capacity = backing_store(hw).capacity;
  // TensorRT-LLM semantics (kv_cache_free_gpu_mem_fraction): weights, activation buffers and the
  // workspace are allocated first; the KV cache may take memory_usable_fraction of what is left.
  const Bytes fixed_bytes = f.weights + f.workspace + f.activations;
  const Bytes free_bytes = max(f.capacity - fixed_bytes, Bytes(0));
  f.usable = fixed_bytes + free_bytes * cal.memory_usable_fraction;
  f.fits = fixed_bytes < f.capacity && f.kv_cache <= free_bytes * cal.memory_usable_fraction;

  // Largest batch: b x kv_seq <= frac x (capacity - weights - workspace - act_seq x ceil(b / mb)).
  const double frac = cal.memory_usable_fraction;
  const Bytes base_free = f.capacity - f.weights - f.workspace;
  auto fits_batch = [&](int64_t b) {
    Bytes act = act_seq * std::ceil(static_cast<double>(b) / mb);
    Bytes left = base_free - act;
    return left.value() > 0 && kv_seq * static_cast<double>(b) <= left * frac;
  };
  const double per_seq = kv_seq.value() + frac * act_seq.value() / mb;
  // The largest batch reported is a valid scenario itself (check_batch_lengths).
  const int64_t batch_cap = kMaxStepTokens / (input_len + output_len);
  if (base_free.value() <= 0 || per_seq <= 0) {
    f.max_batch = 0;
  } else {
    const double estimate = std::floor(frac * base_free.value() / per_seq) + 1.0;
    f.max_batch = estimate >= static_cast<double>(batch_cap) ? batch_cap
                                                             : static_cast<int64_t>(estimate);
    while (f.max_batch > 0 && !fits_batch(f.max_batch)) --f.max_batch;
  }
  if (!f.fits) {
    const double gb = units::kGiga;
    if (f.weights + f.workspace >= f.capacity)
      f.reason = fmt::format(
          "weights need {:.1f} GB per device (+ {:.1f} GB runtime workspace) but the device has "
          "{:.1f} GB; use more devices (tp/pp) or a narrower weight precision",
          f.weights.value() / gb, f.workspace.value() / gb, f.capacity.value() / gb);
    else
      f.reason = fmt::format(
          "weights {:.1f} GB + activations {:.1f} GB + KV cache {:.1f} GB exceed the {:.1f} GB "
          "per device ({:.0f}% of the memory left after weights and activations may hold KV); "
          "the largest batch that fits is {}",
          f.weights.value() / gb, f.activations.value() / gb, f.kv_cache.value() / gb,
          f.capacity.value() / gb, 100.0 * frac, f.max_batch);
  }
  return f;
}

Result<KvBudget> serving_kv_budget(const HardwareSpec& hw, const ModelSpec& model,
                                   const ParallelismPlan& plan, const PrecisionPlan& precision,
                                   int64_t max_step_tokens, double memory_fraction,
                                   bool fraction_of_total, const PerfCalibration& cal) {
  const Result<Bytes> weights = weight_bytes_per_device(model, plan, precision);
  if (!weights) return tl::unexpected(weights.error());
  if (max_step_tokens < 1 || max_step_tokens > kMaxStepTokens)
    return fail(Diagnostic{.path = "max_step_tokens",
                           .message = fmt::format("must be in [1, 2^40], got {}", max_step_tokens)});
  if (!(memory_fraction > 0 && memory_fraction <= 1))
    return fail(Diagnostic{.path = "memory_fraction",
                           .message = fmt::format("must be in (0, 1], got {}", memory_fraction)});
  KvBudget b;
  b.weights = *weights;
  // The engine's profiling run sizes the activation pool for one iteration of max_step_tokens
  // tokens (vLLM profile_run at max_num_batched_tokens; TensorRT-LLM's memory planner at
  // max_num_tokens): the per-token live set of one sequence that long.
  b.activations = activation_bytes_per_sequence(model, plan, precision, max_step_tokens);
  b.workspace = workspace_bytes(hw, cal);
  b.capacity = backing_store(hw).capacity;
  const Bytes rest = b.weights + b.activations + b.workspace;
  b.kv = fraction_of_total ? b.capacity * memory_fraction - rest
                           : (b.capacity - rest) * memory_fraction;
  return b;
}

}  // namespace xpusim
