// SPDX-License-Identifier: Apache-2.0
#include "xpusim/dse/cost_memo.h"

#include <cstring>
#include <type_traits>

namespace xpusim {
namespace {

template <class T>
void put(std::string& key, const T& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  key.append(bytes, sizeof(T));
}

void put_text(std::string& key, const std::string& s) {
  put(key, s.size());  // length-prefixed: no two lists of strings write the same bytes
  key += s;
}

}  // namespace

std::string cost_memo_key(const HardwareSpec& hw, const AreaReport& area) {
  std::string key;
  key.reserve(512);
  put_text(key, hw.physical.package);
  put_text(key, hw.memory.dram.type);
  put(key, hw.memory.dram.capacity.value());
  put(key, hw.memory.dram.stacks);
  put(key, hw.compute.units);
  put(key, area.dies.size());
  for (const DieArea& d : area.dies) {
    put_text(key, d.name);
    put(key, d.count);
    put(key, d.node);
    put(key, d.area.value());
    put(key, d.width.value());
    put(key, d.height.value());
    put(key, d.within_reticle);
    put(key, d.wafer_scale);
    put(key, d.components.size());
    for (const AreaComponent& c : d.components) {
      put_text(key, c.name);
      put(key, c.area.value());
    }
  }
  put(key, area.units_on_die);
  put(key, area.dram_phys_on_die);
  put(key, area.total_area.value());
  put(key, area.reticle_excess.value());
  put(key, area.feasibility.reason.has_value());
  if (area.feasibility.reason) put(key, *area.feasibility.reason);
  put_text(key, area.feasibility.detail);
  return key;
}

Result<CostBreakdown> CostMemo::cost(const HardwareSpec& hw, const AreaReport& area) const {
  std::string key = cost_memo_key(hw, area);
  std::promise<Result<CostBreakdown>> promise;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (auto it = memo_.find(key); it != memo_.end()) {
      auto pending = it->second;
      lock.unlock();
      return pending.get();
    }
    if (memo_.size() >= kMaxEntries) memo_.clear();
    memo_.emplace(std::move(key), promise.get_future().share());
    ++computed_;
  }
  try {
    Result<CostBreakdown> r = estimate_cost(hw, area, assumptions_);
    promise.set_value(r);
    return r;
  } catch (...) {
    promise.set_exception(std::current_exception());
    throw;
  }
}

size_t CostMemo::computed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return computed_;
}

}  // namespace xpusim
