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

// Payload per element, the width the matrix engines compute on: tf32 is stored as fp32; int4/fp4
// are half a byte. Memory traffic and capacity use storage_bytes_per_element (block scales).
Bytes bytes_per_element(Precision p);

// Block scaling of the 4-bit formats: every `elements` consecutive values along the reduction
// dimension share one scale (with its zero point, for integers) of `scale_bytes`, stored beside
// the payload and read with it. 0 elements = no per-block scales (fp8/int8 carry one scale per
// tensor or per channel, negligible against the payload).
struct BlockScale {
  int elements = 0;
  Bytes scale_bytes;
};

// The block a format is stored in by default:
//  - fp4: NVFP4, 16 values per E4M3 scale (1 byte), 4.5 bits per value (NVIDIA, "Introducing
//    NVFP4 for efficient and accurate low-precision inference", 2025, recalled). MXFP4 (OCP
//    Microscaling Formats v1.0, 2023: 32 values per E8M0 scale, 4.25 bits; gpt-oss's experts)
//    is the same format with a group of 32.
//  - int4: 128 values per bf16 scale and bf16 zero point (4 bytes), 4.25 bits per value: the
//    group size AWQ, GPTQ and gpt-fast default to (AWQ q_group_size, GPTQ group_size, gpt-fast
//    --groupsize; recalled); gpt-fast keeps scales_and_zeros as bf16 pairs.
//  - every other format: none.
BlockScale default_block_scale(Precision p);

// The format stores per-block scales (fp4, int4): a group size applies to it.
bool block_scaled(Precision p);

// Bytes per element as stored and moved: the payload plus the block's scale bytes over its
// elements. `group` > 0 replaces the format's default block size (a checkpoint quantised with
// group size 32; MXFP4's 32 for fp4); formats without block scales ignore it.
Bytes storage_bytes_per_element(Precision p, int group = 0);

// Per-precision table (matrix-engine MACs per cycle, datasheet peaks, ...).
template <class T>
using PerPrecision = std::array<T, kNumPrecisions>;

}  // namespace xpusim
