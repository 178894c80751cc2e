// SPDX-License-Identifier: Apache-2.0
// Parsing of unit-bearing strings ("80 GiB", "3.35 TB/s", "989 TFLOP/s", "1.98 GHz", "814 mm2",
// "0.1 /cm2") into typed quantities, and the names/examples used in error messages. Used by
// config/ at the input boundary; models never parse text.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "xpusim/units/quantity.h"

namespace xpusim {

// A dimension known only at run time (exponents in the order byte, time, flop, length, money,
// energy), used to check a parsed string against the dimension a field requires.
struct RuntimeDim {
  std::array<int, 6> e{};
  friend bool operator==(const RuntimeDim&, const RuntimeDim&) = default;
  [[nodiscard]] bool dimensionless() const { return e == std::array<int, 6>{}; }
};

template <class D>
constexpr RuntimeDim runtime_dim() {
  return RuntimeDim{{D::kByte, D::kTime, D::kFlop, D::kLength, D::kMoney, D::kEnergy}};
}

struct ParsedQuantity {
  double canonical = 0.0;  // value in the canonical unit of `dim`
  RuntimeDim dim;
};

// Parses "<number> <unit>" (or a bare number, which is dimensionless). Binary prefixes (Ki, Mi,
// Gi, Ti) and decimal ones (k/K, M, G, T, P, m, u/µ, n, p, f) are distinct: 1 GB = 1e9 B,
// 1 GiB = 2^30 B. Errors say what was wrong with the text.
tl::expected<ParsedQuantity, std::string> parse_quantity_text(std::string_view text);

// "bandwidth", "capacity", ... and an example such as "3.35 TB/s" for messages and `describe`.
std::string dimension_name(const RuntimeDim& dim);
std::string dimension_example(const RuntimeDim& dim);
// The unit a report or `describe` shows for the dimension ("GB/s", "GiB", "TFLOP/s", ...).
std::string dimension_unit_hint(const RuntimeDim& dim);
// The symbol of the canonical unit values are stored in ("B/s", "Hz", "mm2", ...).
std::string dimension_canonical_symbol(const RuntimeDim& dim);

// Writes `canonical` (a value in the canonical unit of `dim`) in `unit` with up to 6 significant
// digits: (1e10, frequency, "GHz") -> "10 GHz". Error when `unit` is not a unit of `dim`.
tl::expected<std::string, std::string> format_in_unit(double canonical, const RuntimeDim& dim,
                                                      std::string_view unit);
// format_in_unit in the dimension's display unit (dimension_unit_hint): 1e10 Hz -> "10 GHz",
// 2^30 B -> "1 GiB"; the canonical symbol where the dimension has none; a bare number when
// dimensionless.
std::string format_quantity(double canonical, const RuntimeDim& dim);

// Parses text that must carry the dimension D; the message follows the convention
// `expected a bandwidth such as "3.35 TB/s", got "3.35"`.
template <class D>
tl::expected<Quantity<D>, std::string> parse_quantity(std::string_view text) {
  auto parsed = parse_quantity_text(text);
  constexpr RuntimeDim want = runtime_dim<D>();
  if (!parsed || !(parsed->dim == want)) {
    std::string msg = "expected " + dimension_name(want) + " such as \"" + dimension_example(want) +
                      "\", got \"" + std::string(text) + "\"";
    if (!parsed) msg += " (" + parsed.error() + ")";
    return tl::unexpected(msg);
  }
  return Quantity<D>(parsed->canonical);
}

}  // namespace xpusim
