// SPDX-License-Identifier: Apache-2.0
// Look-ups over the runtime profiles; their values are in data/calibration/default.yaml.
#include "xpusim/perf/runtime_profile.h"

namespace xpusim {

std::vector<std::string> runtime_names(const std::vector<RuntimeProfile>& profiles) {
  std::vector<std::string> out;
  out.reserve(profiles.size());
  for (const auto& p : profiles) out.emplace_back(p.name);
  return out;
}

const RuntimeProfile* find_runtime(const std::vector<RuntimeProfile>& profiles,
                                   std::string_view name) {
  for (const auto& p : profiles)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace xpusim
