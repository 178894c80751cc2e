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

BlockScale default_block_scale(Precision p) {
  switch (p) {
    case Precision::kFp4:
      return BlockScale{16, Bytes(1.0)};  // NVFP4: E4M3 scale per 16
    case Precision::kInt4:
      return BlockScale{128, Bytes(4.0)};  // bf16 scale + bf16 zero per 128
    default:
      return BlockScale{};
  }
}

bool block_scaled(Precision p) { return default_block_scale(p).elements > 0; }

Bytes storage_bytes_per_element(Precision p, int group) {
  const BlockScale block = default_block_scale(p);
  if (block.elements <= 0) return bytes_per_element(p);
  const int elements = group > 0 ? group : block.elements;
  return bytes_per_element(p) + block.scale_bytes / static_cast<double>(elements);
}

}  // namespace xpusim
