// SPDX-License-Identifier: Apache-2.0
// Numeric formats of weights, activations and KV cache, and their storage size. Shared by the
// hardware description (matrix-engine rates per format) and the workload (per-tensor formats).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xpusim/units/quantity.h"

namespace xpusim {

enum class Precision { kFp32, kTf32, kBf16, kFp16, kFp8, kInt8, kInt4, kFp4 };
inline constexpr size_t kNumPrecisions = 8;
inline constexpr std::array<Precision, kNumPrecisions> kAllPrecisions = {
    Precision::kFp32, Precision::kTf32, Precision::kBf16, Precision::kFp16,
    Precision::kFp8,  Precision::kInt8, Precision::kInt4, Precision::kFp4};

constexpr size_t index_of(Precision p) { return static_cast<size_t>(p); }

// "fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4", "fp4" (the names users write).
std::string_view to_string(Precision p);
std::optional<Precision> precision_from_string(std::string_view name);
std::vector<std::string> precision_names();

// Storage per element: tf32 is stored as fp32; int4/fp4 are half a byte.
Bytes bytes_per_element(Precision p);

// Per-precision table (matrix-engine MACs per cycle, datasheet peaks, ...).
template <class T>
using PerPrecision = std::array<T, kNumPrecisions>;

}  // namespace xpusim
