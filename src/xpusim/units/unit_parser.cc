// SPDX-License-Identifier: Apache-2.0
#include "xpusim/units/unit_parser.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

namespace xpusim {
namespace {

// A unit as written, quoted back in a message: at most 80 bytes (Diagnostic::to_string escapes
// control bytes; units/ sits below base/ and cannot use its quote()).
std::string quoted_unit(std::string_view unit) {
  constexpr size_t kMax = 80;
  if (unit.size() <= kMax) return "\"" + std::string(unit) + "\"";
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(unit[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return "\"" + std::string(unit.substr(0, cut)) + "...\"";
}

struct Unit {
  double scale;  // canonical units per one of this unit
  RuntimeDim dim;
};

constexpr RuntimeDim kByteDim{{1, 0, 0, 0, 0, 0}};
constexpr RuntimeDim kTimeDim{{0, 1, 0, 0, 0, 0}};
constexpr RuntimeDim kFlopDim{{0, 0, 1, 0, 0, 0}};
constexpr RuntimeDim kLengthDim{{0, 0, 0, 1, 0, 0}};
constexpr RuntimeDim kMoneyDim{{0, 0, 0, 0, 1, 0}};
constexpr RuntimeDim kEnergyDim{{0, 0, 0, 0, 0, 1}};
constexpr RuntimeDim kPowerDim{{0, -1, 0, 0, 0, 1}};
constexpr RuntimeDim kFreqDim{{0, -1, 0, 0, 0, 0}};

// Base symbols. "m" is the metre (canonical length is the millimetre, so 1 m = 1000).
std::optional<Unit> base_unit(std::string_view s) {
  static const std::vector<std::pair<std::string_view, Unit>> kBases = {
      {"B", {1.0, kByteDim}},        {"byte", {1.0, kByteDim}},   {"bytes", {1.0, kByteDim}},
      {"b", {0.125, kByteDim}},      {"bit", {0.125, kByteDim}},  {"bits", {0.125, kByteDim}},
      {"FLOP", {1.0, kFlopDim}},     {"flop", {1.0, kFlopDim}},   {"OP", {1.0, kFlopDim}},
      {"op", {1.0, kFlopDim}},       {"s", {1.0, kTimeDim}},      {"Hz", {1.0, kFreqDim}},
      {"W", {1.0, kPowerDim}},       {"J", {1.0, kEnergyDim}},    {"m", {1000.0, kLengthDim}},
      {"USD", {1.0, kMoneyDim}},     {"$", {1.0, kMoneyDim}},     {"h", {3600.0, kTimeDim}},
      {"Wh", {3600.0, kEnergyDim}},
      {"year", {365.25 * 86400.0, kTimeDim}}, {"day", {86400.0, kTimeDim}},
  };
  for (const auto& [name, unit] : kBases)
    if (name == s) return unit;
  return std::nullopt;
}

std::optional<double> prefix_scale(std::string_view p) {
  static const std::vector<std::pair<std::string_view, double>> kPrefixes = {
      {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
      {"Pi", 1125899906842624.0}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12},
      {"P", 1e15}, {"E", 1e18}, {"m", 1e-3}, {"u", 1e-6}, {"\xC2\xB5", 1e-6}, {"n", 1e-9},
      {"p", 1e-12}, {"f", 1e-15}, {"c", 1e-2}};
  for (const auto& [name, scale] : kPrefixes)
    if (name == p) return scale;
  return std::nullopt;
}

// One factor such as "GiB", "mm2", "cm²", "s".
tl::expected<Unit, std::string> parse_factor(std::string_view f) {
  int power = 1;
  if (f.ends_with("\xC2\xB2")) { power = 2; f.remove_suffix(2); }        // ²
  else if (f.ends_with("\xC2\xB3")) { power = 3; f.remove_suffix(2); }   // ³
  else if (f.ends_with("^2")) { power = 2; f.remove_suffix(2); }
  else if (f.ends_with("^3")) { power = 3; f.remove_suffix(2); }
  else if (f.size() > 1 && (f.back() == '2' || f.back() == '3')) {
    power = f.back() - '0';
    f.remove_suffix(1);
  }
  if (f.empty()) return tl::unexpected(std::string("empty unit"));
  std::optional<Unit> u = base_unit(f);
  for (size_t plen : {size_t{2}, size_t{1}}) {
    if (u || f.size() <= plen) continue;
    auto scale = prefix_scale(f.substr(0, plen));
    auto base = base_unit(f.substr(plen));
    if (scale && base) u = Unit{*scale * base->scale, base->dim};
  }
  if (!u) return tl::unexpected("unknown unit " + quoted_unit(f));
  Unit out{std::pow(u->scale, power), {}};
  for (size_t i = 0; i < 6; ++i) out.dim.e[i] = u->dim.e[i] * power;
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

tl::expected<ParsedQuantity, std::string> parse_quantity_text(std::string_view text) {
  std::string_view s = trim(text);
  if (s.empty()) return tl::unexpected(std::string("empty value"));
  double number = 0.0;
  const char* begin = s.data();
  if (*begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), number);
  if (ec != std::errc() || ptr == begin) return tl::unexpected(std::string("no number"));
  if (!std::isfinite(number)) return tl::unexpected(std::string("not a finite number"));
  std::string_view unit = trim(std::string_view(ptr, static_cast<size_t>(s.data() + s.size() - ptr)));
  ParsedQuantity out{number, {}};
  if (unit.empty()) return out;
  // Units: factor (('*' | '/') factor)*; "per X" is "/X"; a leading "/" means 1/X ("0.1 /cm2").
  std::string u(unit);
  if (u.starts_with("per ")) u = "/" + u.substr(4);
  // One pass (not replace-and-search-again): linear even in a hostile "a per a per a ..." text.
  if (u.find(" per ") != std::string::npos) {
    std::string joined;
    size_t from = 0;
    for (size_t p = u.find(" per "); p != std::string::npos; p = u.find(" per ", from)) {
      joined.append(u, from, p - from);
      joined += '/';
      from = p + 5;
    }
    joined.append(u, from, std::string::npos);
    u = std::move(joined);
  }
  bool denominator = false;
  size_t pos = 0;
  while (true) {
    size_t next = u.find_first_of("/*", pos);
    std::string_view factor =
        trim(std::string_view(u).substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (factor.empty()) {
      if (!(pos == 0 && next != std::string::npos && u[next] == '/'))
        return tl::unexpected("malformed unit " + quoted_unit(u));
    } else {
      auto f = parse_factor(factor);
      if (!f) return tl::unexpected(f.error());
      out.canonical = denominator ? out.canonical / f->scale : out.canonical * f->scale;
      for (size_t i = 0; i < 6; ++i) out.dim.e[i] += denominator ? -f->dim.e[i] : f->dim.e[i];
    }
    if (next == std::string::npos) break;
    denominator = u[next] == '/';
    pos = next + 1;
  }
  return out;
}

namespace {
struct DimInfo {
  RuntimeDim dim;
  const char* name;
  const char* example;
  const char* unit;
  const char* canonical;
};
const std::vector<DimInfo>& dim_table() {
  static const std::vector<DimInfo> kTable = {
      {{{0, 0, 0, 0, 0, 0}}, "a plain number", "1.5", "", ""},
      {{{1, 0, 0, 0, 0, 0}}, "a capacity", "80 GiB", "GiB", "B"},
      {{{0, 1, 0, 0, 0, 0}}, "a time", "2 us", "s", "s"},
      {{{0, 0, 1, 0, 0, 0}}, "an operation count", "1.2 TFLOP", "FLOP", "FLOP"},
      {{{0, 0, 0, 1, 0, 0}}, "a length", "26 mm", "mm", "mm"},
      {{{0, 0, 0, 2, 0, 0}}, "an area", "814 mm2", "mm2", "mm2"},
      {{{0, 0, 0, 0, 1, 0}}, "an amount of money", "16988 USD", "USD", "USD"},
      {{{0, 0, 0, 0, 0, 1}}, "an energy", "0.5 pJ", "J", "J"},
      {{{0, -1, 1, 0, 0, 0}}, "a compute rate", "989 TFLOP/s", "TFLOP/s", "FLOP/s"},
      {{{1, -1, 0, 0, 0, 0}}, "a bandwidth", "3.35 TB/s", "GB/s", "B/s"},
      {{{0, -1, 0, 0, 0, 0}}, "a frequency", "1.98 GHz", "GHz", "Hz"},
      {{{0, -1, 0, 0, 0, 1}}, "a power", "700 W", "W", "W"},
      {{{0, 0, 0, -2, 0, 0}}, "a defect density", "0.1 /cm2", "/cm2", "/mm2"},
      {{{0, 0, 0, -2, 1, 0}}, "a price per area", "0.005 USD/mm2", "USD/mm2", "USD/mm2"},
      {{{-1, 0, 0, 0, 1, 0}}, "a price per byte", "15 USD/GB", "USD/GB", "USD/B"},
      {{{0, 0, 0, 0, 1, -1}}, "an energy price", "0.1 USD/kWh", "USD/kWh", "USD/J"},
      {{{0, 0, -1, 0, 0, 1}}, "an energy per operation", "0.5 pJ/FLOP", "pJ/FLOP", "J/FLOP"},
      {{{-1, 0, 0, 0, 0, 1}}, "an energy per byte", "6 pJ/b", "pJ/B", "J/B"},
      {{{0, -1, 0, -2, 0, 1}}, "a power density", "1 W/mm2", "W/mm2", "W/mm2"},
      {{{-1, 0, 1, 0, 0, 0}}, "an arithmetic intensity", "295 FLOP/B", "FLOP/B", "FLOP/B"},
  };
  return kTable;
}
}  // namespace

std::string dimension_name(const RuntimeDim& dim) {
  for (const auto& d : dim_table())
    if (d.dim == dim) return d.name;
  return "a quantity";
}
std::string dimension_example(const RuntimeDim& dim) {
  for (const auto& d : dim_table())
    if (d.dim == dim) return d.example;
  return "1";
}
std::string dimension_canonical_symbol(const RuntimeDim& dim) {
  for (const auto& d : dim_table())
    if (d.dim == dim) return d.canonical;
  return "(canonical units)";
}

std::string dimension_unit_hint(const RuntimeDim& dim) {
  for (const auto& d : dim_table())
    if (d.dim == dim) return d.unit;
  return "";
}

namespace {
std::string number_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
}  // namespace

tl::expected<std::string, std::string> format_in_unit(double canonical, const RuntimeDim& dim,
                                                      std::string_view unit) {
  // The unit's size in canonical units is what parsing "1 <unit>" gives.
  auto one = parse_quantity_text("1 " + std::string(unit));
  if (!one) return tl::unexpected("cannot format in " + quoted_unit(unit) + ": " + one.error());
  if (!(one->dim == dim))
    return tl::unexpected(quoted_unit(unit) + " is not a unit of " + dimension_name(dim));
  return number_text(canonical / one->canonical) + " " + std::string(unit);
}

std::string format_quantity(double canonical, const RuntimeDim& dim) {
  if (dim.dimensionless()) return number_text(canonical);
  const std::string hint = dimension_unit_hint(dim);
  if (!hint.empty())
    if (auto text = format_in_unit(canonical, dim, hint)) return *text;
  const std::string symbol = dimension_canonical_symbol(dim);
  return number_text(canonical) + " " + symbol;
}

}  // namespace xpusim
