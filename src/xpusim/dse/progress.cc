// SPDX-License-Identifier: Apache-2.0
#include "xpusim/dse/progress.h"

#include <cmath>

#include <fmt/format.h>

namespace xpusim {
namespace {

std::string grouped(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string duration_text(Seconds s) {
  const double v = s.value();
  if (!std::isfinite(v) || v < 0) return "-";
  if (v < 1) return fmt::format("{:.2f} s", v);
  if (v < 10) return fmt::format("{:.1f} s", v);
  const auto whole = static_cast<uint64_t>(std::llround(v));
  if (whole < 60) return fmt::format("{} s", whole);
  if (whole < 3600) return fmt::format("{} min {} s", whole / 60, whole % 60);
  return fmt::format("{} h {} min", whole / 3600, whole % 3600 / 60);
}

std::string progress_text(const SearchProgress& p) {
  const double t = p.elapsed.value();
  const bool timed = p.done > 0 && t > 0 && std::isfinite(t);
  const double rate = timed ? static_cast<double>(p.done) / t : 0.0;
  const uint64_t pct = p.total ? p.done * 100 / p.total : 100;
  const std::string rate_text = !timed       ? "-"
                                : rate < 10 ? fmt::format("{:.1f}", rate)
                                            : grouped(static_cast<uint64_t>(std::llround(rate)));
  std::string out = fmt::format("{}/{} {} ({}%), {} {}/s", grouped(p.done), grouped(p.total),
                                p.unit, pct, rate_text, p.unit);
  if (p.show_feasible)
    out += p.done ? fmt::format(", {}% feasible", p.feasible * 100 / p.done) : ", - feasible";
  if (p.finished) return out + ", done in " + duration_text(p.elapsed);
  const uint64_t left = p.total > p.done ? p.total - p.done : 0;
  return out + ", " + (timed ? duration_text(Seconds(static_cast<double>(left) / rate)) : "-") + " left";
}

}  // namespace xpusim
