// SPDX-License-Identifier: Apache-2.0
// Serving-engine behaviour as data (stage: serving/): how an engine batches requests each
// iteration (token budget, sequence cap, chunked prefill, decode-first or prefill-first), admits
// them against its paged KV cache (block size, the memory fraction it reserves, no-evict or
// max-utilisation admission, preemption by recompute), and which runtime profile's software
// overheads apply. Named profiles live in data/presets/engines/<id>.yaml (schema engine/v1),
// every default with its source (../shared/reference/serving.md §3); any field can be overridden.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/config/schema.h"

namespace xpusim {

// Which work an iteration takes first.
enum class SchedulePolicy {
  kDecodeFirst,   // every running decode, then prefill (chunks) in the remaining token budget
                  // (TensorRT-LLM in-flight batching, vLLM V1, Sarathi-Serve)
  kPrefillFirst,  // a prefill-only iteration (of up to max_num_tokens prompt tokens, a chunk
                  // when chunked_prefill) whenever a waiting prompt can be admitted, else a
                  // decode iteration (vLLM V0 without chunked prefill; SGLang without
                  // --enable-mixed-chunk)
};

// When a waiting request may start.
enum class AdmissionPolicy {
  kGuaranteedNoEvict,  // KV blocks for prompt + every output token are reserved up front: a
                       // running request is never preempted (TensorRT-LLM GUARANTEED_NO_EVICT)
  kMaxUtilization,     // blocks for the prompt only; decode grows the allocation and, when the
                       // cache is full, the latest-arrived running request is preempted and
                       // later recomputed (vLLM, TensorRT-LLM MAX_UTILIZATION, SGLang)
};

// What the engine's memory fraction is a fraction of.
enum class MemoryFractionOf {
  kFree,   // of the device memory left after weights, activations and workspace
           // (TensorRT-LLM kv_cache_free_gpu_mem_fraction)
  kTotal,  // of the whole device memory, weights included (vLLM gpu_memory_utilization,
           // SGLang mem_fraction_static)
};

// The snake_case names users write in YAML ("decode_first", "guaranteed_no_evict", "free").
std::string_view to_string(SchedulePolicy p);
std::string_view to_string(AdmissionPolicy p);
std::string_view to_string(MemoryFractionOf m);

struct EngineProfile {
  std::string id;                 // file stem ("vllm", "trtllm", "sglang")
  std::string description;        // the engine and version its defaults describe
  std::string runtime;            // RuntimeProfile whose overheads apply (perf/runtime_profile.h)
  int64_t max_batch = 256;        // sequences in one iteration (max_num_seqs / max_batch_size)
  int64_t max_num_tokens = 8192;  // tokens in one iteration, prefill + decode (token budget)
  bool chunked_prefill = true;    // a prompt may be split over iterations
  SchedulePolicy schedule = SchedulePolicy::kDecodeFirst;
  AdmissionPolicy admission = AdmissionPolicy::kMaxUtilization;
  int64_t kv_block_size = 16;    // tokens per KV-cache block (paged attention)
  double memory_fraction = 0.9;  // see memory_fraction_of; in (0, 1]
  MemoryFractionOf memory_fraction_of = MemoryFractionOf::kTotal;
  double watermark = 0.0;       // fraction of KV blocks kept free when admitting, < 0.5
                                // (vLLM V0 0.01)
  bool prefix_caching = false;  // reuse KV blocks of shared prompt prefixes
  int scheduler_steps = 1;      // decode iterations per scheduler invocation (vLLM multi-step)
  int64_t max_model_len = 0;    // longest prompt + output accepted; 0 = the model's context
};

// The engine/v1 schema (`xpusim describe engine`). runtime and the batching, scheduling and memory
// fields are required; watermark, prefix_caching, scheduler_steps and max_model_len default to
// the feature being off (0, false, 1, 0); description is optional. runtime must name a profile
// of default_calibration().runtimes.
const Schema<EngineProfile>& engine_schema();

// Loads "ID|FILE" (ids under <data dir>/presets/engines/) with "dotted.path=value" overrides
// validated like file values. An unknown id lists the known ones with a "did you mean".
Result<EngineProfile> load_engine(const std::string& id_or_file,
                                  const std::vector<std::string>& overrides = {});

// Applies `overrides` to `doc` and validates it against engine_schema(); the id is the stem of
// doc.file() ("presets/engines/vllm.yaml" -> "vllm"). load_engine after the file is read.
Result<EngineProfile> parse_engine_document(Document doc,
                                            const std::vector<std::string>& overrides = {});
// The same, with where each field came from: the base a design search sets fields on
// (Schema::set_parsed, then Schema::check on the spec, without the text).
Result<SourcedSpec<EngineProfile>> parse_engine_sourced(Document doc,
                                                         const std::vector<std::string>& overrides = {});

}  // namespace xpusim
