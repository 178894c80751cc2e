// SPDX-License-Identifier: Apache-2.0
#include "xpusim/config/precision.h"

namespace xpusim {
namespace {
constexpr std::array<std::string_view, kNumPrecisions> kNames = {"fp32", "tf32", "bf16", "fp16",
                                                                 "fp8",  "int8", "int4", "fp4"};
constexpr std::array<double, kNumPrecisions> kBytes = {4, 4, 2, 2, 1, 1, 0.5, 0.5};
}  // namespace

std::string_view to_string(Precision p) { return kNames[index_of(p)]; }

std::optional<Precision> precision_from_string(std::string_view name) {
  for (size_t i = 0; i < kNumPrecisions; ++i)
    if (kNames[i] == name) return kAllPrecisions[i];
  return std::nullopt;
}

std::vector<std::string> precision_names() { return {kNames.begin(), kNames.end()}; }

Bytes bytes_per_element(Precision p) { return Bytes(kBytes[index_of(p)]); }

}  // namespace xpusim
