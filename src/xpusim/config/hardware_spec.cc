// SPDX-License-Identifier: Apache-2.0
#include "xpusim/config/hardware_spec.h"

#include <algorithm>
#include <charconv>
#include <iterator>

namespace xpusim {

FlopRate peak_matrix_rate(const HardwareSpec& hw, Precision p) {
  const auto& c = hw.compute;
  double macs = c.matrix.macs_per_cycle[index_of(p)];
  return FlopRate(c.units * c.matrix.engines_per_unit * macs * 2.0 * c.clock.value());
}

FlopRate peak_vector_rate(const HardwareSpec& hw) {
  const auto& c = hw.compute;
  return FlopRate(c.units * c.vector.fp32_flop_per_cycle_per_unit * c.clock.value());
}

double vector_lane_ops_per_cycle(const VectorSpec& v) {
  return v.lanes_per_unit > 0 ? v.lanes_per_unit : v.fp32_flop_per_cycle_per_unit / 2.0;
}

Precision execution_precision(const HardwareSpec& hw, Precision requested) {
  if (hw.compute.matrix.macs_per_cycle[index_of(requested)] > 0) return requested;
  // Widening order; a float format never falls back to integer math (fp8 weights on A100 run
  // as 16-bit math, not int8).
  auto supported = [&](Precision p) { return hw.compute.matrix.macs_per_cycle[index_of(p)] > 0; };
  bool is_int = requested == Precision::kInt4 || requested == Precision::kInt8;
  const Precision chain[] = {Precision::kFp4,  Precision::kInt4, Precision::kFp8,  Precision::kInt8,
                             Precision::kBf16, Precision::kFp16, Precision::kTf32, Precision::kFp32};
  double want = bytes_per_element(requested).value();
  auto half = [](Precision p) { return p == Precision::kBf16 || p == Precision::kFp16; };
  for (Precision p : chain) {
    bool p_int = p == Precision::kInt4 || p == Precision::kInt8;
    if (p_int && !is_int) continue;
    if (half(requested) && half(p)) continue;  // the other 16-bit float: see the header
    if (bytes_per_element(p).value() >= want && supported(p)) return p;
  }
  // No supported format is as wide (fp32 on a TPU MXU or a Gaudi MME): the widest supported
  // float format, ignoring the extra passes an emulation of the wider format would need; integer
  // formats only when nothing else is supported. The schema guarantees at least one format.
  for (auto it = std::rbegin(chain); it != std::rend(chain); ++it) {
    bool p_int = *it == Precision::kInt4 || *it == Precision::kInt8;
    if (!p_int && supported(*it)) return *it;
  }
  for (auto it = std::rbegin(chain); it != std::rend(chain); ++it)
    if (supported(*it)) return *it;
  return Precision::kFp32;
}

std::vector<int> parse_shape(const std::string& text) {
  std::vector<int> dims;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    int v = 0;
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc() || v < 1 || dims.size() >= 8) return {};
    dims.push_back(v);
    p = next;
    if (p == end) break;
    if (*p != 'x' || ++p == end) return {};  // a separator must be followed by a dimension
  }
  return dims;
}

int memory_dies(const HardwareSpec& hw) {
  const int io = hw.physical.io_die.count;
  return std::max(1, io > 0 ? io : hw.physical.compute_die.count);
}

int l2_slices(const HardwareSpec& hw) {
  if (!hw.memory.l2.present || hw.memory.l2.attach != CacheAttach::kComputeDie) return 1;
  return std::max(1, hw.physical.compute_die.count);
}

}  // namespace xpusim
