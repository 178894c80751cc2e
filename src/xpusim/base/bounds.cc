// SPDX-License-Identifier: Apache-2.0
#include "xpusim/base/bounds.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

#include "xpusim/base/text.h"

namespace xpusim {
namespace {

// "%g" without the exponent's sign and padding: 1e+09 -> "1e9", 1e-06 -> "1e-6".
std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  std::string out = buf;
  const size_t e = out.find('e');
  if (e == std::string::npos) return out;
  std::string exp = out.substr(e + 1);
  const bool negative = !exp.empty() && exp[0] == '-';
  if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) exp.erase(0, 1);
  while (exp.size() > 1 && exp[0] == '0') exp.erase(0, 1);
  return out.substr(0, e + 1) + (negative ? "-" : "") + exp;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Long inputs are shortened in messages (a script may pass megabytes as one argument) by the
// one echo rule of text.h, with the length they had.
std::string shown(std::string_view text) {
  if (text.size() <= kMaxEchoedBytes) return printable(text);
  return printable(text) + " (" + std::to_string(text.size()) + " characters)";
}

bool in_bound(double v, const RealBound& b) {
  const bool above_lo = b.lo_open ? v > b.lo : v >= b.lo;
  const bool below_hi = b.hi_open ? v < b.hi : v <= b.hi;
  return std::isfinite(v) && above_lo && below_hi;
}

}  // namespace

std::string range_text(const IntBound& b) {
  return std::to_string(b.lo) + " .. " + std::to_string(b.hi);
}

std::string range_text(const RealBound& b) {
  std::string out = number(b.lo) + (b.lo_open ? " (exclusive)" : "") + " .. " + number(b.hi) +
                    (b.hi_open ? " (exclusive)" : "");
  if (!b.unit.empty()) out += " " + std::string(b.unit);
  return out;
}

std::string out_of_range_message(std::string_view given, const IntBound& b) {
  std::string msg = shown(given) + " is out of range; allowed " + range_text(b);
  if (!b.reason.empty()) msg += " (" + std::string(b.reason) + ")";
  return msg;
}

std::string out_of_range_message(std::string_view given, const RealBound& b) {
  std::string msg = shown(given) + " is out of range; allowed " + range_text(b);
  if (!b.reason.empty()) msg += " (" + std::string(b.reason) + ")";
  return msg;
}

tl::expected<int64_t, std::string> parse_bounded_int(std::string_view text, const IntBound& b) {
  const std::string_view t = trim(text);
  std::string_view digits = t;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) digits.remove_prefix(1);
  const bool all_digits =
      !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
  if (!all_digits) {
    // A whole number written as a real ("1e3", "2.0") is still not accepted: a count is written
    // as digits; "1.5" would otherwise be truncated.
    return tl::unexpected("expected an integer in " + range_text(b) + ", got \"" + shown(text) +
                          "\"");
  }
  int64_t v = 0;
  const char* first = t.data() + (t.front() == '+' ? 1 : 0);
  auto [ptr, ec] = std::from_chars(first, t.data() + t.size(), v);
  if (ec == std::errc::result_out_of_range) return tl::unexpected(out_of_range_message(t, b));
  if (ec != std::errc() || ptr != t.data() + t.size())
    return tl::unexpected("expected an integer in " + range_text(b) + ", got \"" + shown(text) +
                          "\"");
  if (v < b.lo || v > b.hi) return tl::unexpected(out_of_range_message(t, b));
  return v;
}

tl::expected<double, std::string> parse_bounded_real(std::string_view text, const RealBound& b) {
  const std::string_view t = trim(text);
  std::string_view body = t;
  if (!body.empty() && body.front() == '+') body.remove_prefix(1);
  // Only decimal notation: from_chars would also read "nan", "inf" and "infinity".
  const bool decimal =
      !body.empty() && body.find_first_not_of("0123456789.eE+-") == std::string_view::npos;
  double v = 0;
  auto [ptr, ec] = decimal ? std::from_chars(body.data(), body.data() + body.size(), v)
                           : std::from_chars_result{body.data(), std::errc::invalid_argument};
  if (ec == std::errc::result_out_of_range && ptr == body.data() + body.size())
    return tl::unexpected(out_of_range_message(t, b));  // 1e400, 1e-400
  if (ec != std::errc() || ptr != body.data() + body.size())
    return tl::unexpected("expected a number in " + range_text(b) + ", got \"" + shown(text) +
                          "\"");
  if (!in_bound(v, b)) return tl::unexpected(out_of_range_message(t, b));
  return v;
}

std::optional<std::string> check_bound(int64_t value, const IntBound& b) {
  if (value >= b.lo && value <= b.hi) return std::nullopt;
  return out_of_range_message(std::to_string(value), b);
}

std::optional<std::string> check_bound(double value, const RealBound& b) {
  if (in_bound(value, b)) return std::nullopt;
  return out_of_range_message(number(value), b);
}

}  // namespace xpusim
