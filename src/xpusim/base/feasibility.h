// SPDX-License-Identifier: Apache-2.0
// A valid question whose answer is "this cannot work" (the model does not fit in memory, the die
// exceeds the reticle, the budget does not cover the design): not an error but a state of the
// result (CONVENTIONS §6), with a reason class that searches count and a detail for people.
// Every result type that can be infeasible carries one (perf/, serving/, area/, cost/, fab/).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace xpusim {

// Why a result is infeasible. The names to_string() gives are a contract (JSON
// `infeasible_reason`, CSV, searches that count classes): extend, never rename.
enum class InfeasibleReason {
  kMemory,       // "memory": weights, KV cache and activations exceed the device memory
  kNetwork,      // "network": a collective or transfer needs an interconnect tier it lacks
  kParallelism,  // "parallelism": no parallelism plan shards the model on these devices
  kReticle,      // "reticle": a die larger than the lithography exposure field
  kWafer,        // "wafer": no whole (or no good) die per wafer
  kBudget,       // "budget": the budget does not cover the design cost
  kNoOutput,     // "no_output": the run produced no output tokens
  kInvalid,      // "invalid": a searched design fails its schema or a cross-field check (dse/)
  kLatency,      // "latency": no request rate meets the latency limits (an MLPerf Server or
                 // Interactive rate search in a serve space, dse/)
};

std::string_view to_string(InfeasibleReason reason);

struct Feasibility {
  std::optional<InfeasibleReason> reason;  // nullopt: feasible
  std::string detail;                      // what does not fit, with the numbers; "" if feasible

  [[nodiscard]] bool feasible() const { return !reason.has_value(); }
  // "memory", ... ; "" when feasible.
  [[nodiscard]] std::string_view reason_name() const;
  // "memory: <detail>"; "" when feasible.
  [[nodiscard]] std::string to_string() const;
  // Records an infeasibility unless one is already recorded (the first cause found is reported).
  void mark(InfeasibleReason why, std::string text);

  static Feasibility infeasible(InfeasibleReason why, std::string text);
};

}  // namespace xpusim
