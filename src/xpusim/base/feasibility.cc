// SPDX-License-Identifier: Apache-2.0
#include "xpusim/base/feasibility.h"

#include <utility>

namespace xpusim {

std::string_view to_string(InfeasibleReason reason) {
  switch (reason) {
    case InfeasibleReason::kMemory: return "memory";
    case InfeasibleReason::kNetwork: return "network";
    case InfeasibleReason::kParallelism: return "parallelism";
    case InfeasibleReason::kReticle: return "reticle";
    case InfeasibleReason::kWafer: return "wafer";
    case InfeasibleReason::kBudget: return "budget";
    case InfeasibleReason::kNoOutput: return "no_output";
    case InfeasibleReason::kInvalid: return "invalid";
    case InfeasibleReason::kLatency: return "latency";
  }
  return "unknown";
}

std::string_view Feasibility::reason_name() const {
  return reason ? xpusim::to_string(*reason) : std::string_view();
}

std::string Feasibility::to_string() const {
  if (!reason) return {};
  std::string out(xpusim::to_string(*reason));
  if (!detail.empty()) out += ": " + detail;
  return out;
}

void Feasibility::mark(InfeasibleReason why, std::string text) {
  if (reason) return;
  reason = why;
  detail = std::move(text);
}

Feasibility Feasibility::infeasible(InfeasibleReason why, std::string text) {
  Feasibility f;
  f.mark(why, std::move(text));
  return f;
}

}  // namespace xpusim
