// SPDX-License-Identifier: Apache-2.0
// A memo of cost/'s estimate_cost() for a design search: most of a cost build-up is the exact
// dies-per-wafer search inside it (cost/wafer.cc count_dies_on_grid; about half of a
// distinct-die design's time since issue 8's bounded search, 95% before), and designs
// that differ only in fields the area and cost do not read (DRAM bandwidth, clock, ...) call it
// with equal inputs. The memo returns the result of the first such call.
#pragma once

#include <cstddef>
#include <future>
#include <mutex>
#include <string>
#include <unordered_map>

#include "xpusim/area/area_model.h"
#include "xpusim/base/diagnostic.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/cost/chip_cost.h"

namespace xpusim {

// The memo key: every input estimate_cost() reads, each double as its exact bytes, so two calls
// share an entry only when they would be given equal inputs. From `hw`: physical.package,
// memory.dram.type, .capacity and .stacks, compute.units. From `area`: each die's name, count,
// node, area, width, height, within_reticle, wafer_scale and components (name, area); units_on_die,
// dram_phys_on_die, total_area, reticle_excess and the feasibility (reason and detail). The
// CostAssumptions are not in the key: a memo holds one set (see CostMemo). estimate_cost()
// reading anything else must extend this key; cost_memo_test checks, for every numeric
// hardware field of several presets, that a change that changes the cost changes the key.
std::string cost_memo_key(const HardwareSpec& hw, const AreaReport& area);

// Thread-safe. A thread that asks for a key another thread is computing waits for that result.
// Bounded: emptied when it holds kMaxEntries keys.
class CostMemo {
 public:
  explicit CostMemo(CostAssumptions assumptions = {}) : assumptions_(std::move(assumptions)) {}
  CostMemo(const CostMemo&) = delete;
  CostMemo& operator=(const CostMemo&) = delete;

  // estimate_cost(hw, area, assumptions), computed once per key.
  [[nodiscard]] Result<CostBreakdown> cost(const HardwareSpec& hw, const AreaReport& area) const;

  [[nodiscard]] size_t computed() const;  // calls of estimate_cost() made so far
  [[nodiscard]] const CostAssumptions& assumptions() const { return assumptions_; }

  static constexpr size_t kMaxEntries = 1 << 14;

 private:
  CostAssumptions assumptions_;
  mutable std::mutex mutex_;
  mutable size_t computed_ = 0;
  mutable std::unordered_map<std::string, std::shared_future<Result<CostBreakdown>>> memo_;
};

}  // namespace xpusim
