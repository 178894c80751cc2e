// SPDX-License-Identifier: Apache-2.0
// Shared set-up of the serving simulator's tests: a decode_first engine profile of the `vllm`
// runtime, requests of varied lengths from a fixed sequence, Poisson arrivals.
#pragma once

#include <cstdint>
#include <vector>

#include "unit/perf/test_specs.h"
#include "xpusim/serving/serving_system.h"

namespace xpusim::testing {

// llama8b_like() with local attention layers: a sliding window or attention chunk, full
// attention on every `interval`-th layer (0: every layer local).
inline ModelSpec with_local_layers(int window, int chunk, int interval) {
  ModelSpec m = llama8b_like();
  m.sliding_window = window;
  m.attention_chunk = chunk;
  m.full_attention_interval = interval;
  return m;
}

inline EngineProfile test_engine(int64_t max_batch = 256, int64_t budget = 8192,
                                 bool chunked = true,
                                 AdmissionPolicy admission = AdmissionPolicy::kMaxUtilization) {
  EngineProfile e;
  e.id = "test";
  e.runtime = "vllm";
  e.max_batch = max_batch;
  e.max_num_tokens = budget;
  e.chunked_prefill = chunked;
  e.admission = admission;
  e.schedule = SchedulePolicy::kDecodeFirst;
  e.kv_block_size = 16;
  e.memory_fraction = 0.9;
  e.memory_fraction_of = MemoryFractionOf::kTotal;
  return e;
}

// Varied lengths from a fixed linear congruential sequence (no RNG dependence in the tests):
// prompts of 20 .. 19 + max_in tokens, outputs of 2 .. 1 + max_out.
inline std::vector<RequestSpec> varied_requests(int64_t n, int64_t max_in = 1500,
                                                int64_t max_out = 400) {
  std::vector<RequestSpec> r(static_cast<size_t>(n));
  uint64_t x = 12345;
  for (auto& q : r) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    q.input_len = 20 + static_cast<int64_t>((x >> 33) % static_cast<uint64_t>(max_in));
    q.output_len = 2 + static_cast<int64_t>((x >> 17) % static_cast<uint64_t>(max_out));
  }
  return r;
}

inline ArrivalSpec poisson(double rate, uint64_t seed = 1) {
  ArrivalSpec a;
  a.kind = ArrivalSpec::Kind::kPoisson;
  a.rate = CountRate(rate);
  a.seed = seed;
  return a;
}

}  // namespace xpusim::testing
