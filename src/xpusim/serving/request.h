// SPDX-License-Identifier: Apache-2.0
// One request of a serving workload as a workload source produces it (stage: serving/): when it
// arrives, how long its prompt and its answer are, and which shared prefix its prompt starts with.
// Sources (datasets, fixed lengths, traces) produce RequestSpecs; the simulator turns them into
// timed requests.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace xpusim {

// The simulator's clock: integer nanoseconds (CONVENTIONS §11), a typed duration.
using SimDuration = std::chrono::nanoseconds;

struct RequestSpec {
  // Arrival time from the start of the trace; nullopt: the arrival process (offline, Poisson,
  // closed loop) decides. Only trace replay sets it.
  std::optional<SimDuration> arrival;
  int64_t input_len = 0;   // prompt tokens, >= 1
  int64_t output_len = 0;  // tokens to generate, >= 1 (the first one comes from the prefill)
  // Shared prefix: requests with the same prefix_id start with the same prefix_len prompt tokens
  // (a system prompt, a multi-turn history); a prefix cache can serve them. -1 = no shared prefix.
  int64_t prefix_id = -1;
  int64_t prefix_len = 0;  // 0 <= prefix_len <= input_len; 0 when prefix_id is -1
};

}  // namespace xpusim
