// SPDX-License-Identifier: Apache-2.0
// dataset/v1: the schema table, its cross-field checks, the exact truncated means and the
// platform-independent sampler (see dataset.h for the contracts).
#include "xpusim/serving/dataset.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <random>

#include <fmt/format.h>

#include "xpusim/base/text.h"
#include "xpusim/config/presets.h"
#include "xpusim/workload/step_shape.h"

namespace xpusim {
namespace {

using S = DatasetSpec;
using LD = LengthDistribution;

// Upper bound of every token count: above the longest context any model serves (10.5 M tokens,
// Llama 4 Scout) and low enough that the exact sums over lengths stay cheap.
constexpr double kMaxLen = 1e7;
// Share of draws a distribution (or the filtered pair) must keep; below it the redraw loop would
// mostly clamp and the samples would no longer follow the distribution.
constexpr double kMinAcceptance = 0.01;

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
std::string num(int64_t v) { return std::to_string(v); }
std::string one_decimal(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}
std::string percent(double share) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2g%%", 100.0 * share);
  return buf;
}
std::string ms(Seconds s) { return num(s.value() * 1e3) + " ms"; }

// A value quoted back in a message, cut to 40 characters.
std::string shown(std::string_view v) {
  return v.size() <= 40 ? std::string(v) : std::string(v.substr(0, 40)) + "...";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_number(std::string_view text, double& out) {
  text = trim(text);
  const char* b = text.data();
  const char* e = b + text.size();
  if (b < e && *b == '+') ++b;
  auto [ptr, ec] = std::from_chars(b, e, out);
  return ec == std::errc() && ptr == e && b != e && std::isfinite(out);
}

// ---- Distribution math -------------------------------------------------------------------------

double standard_normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

// Log-normal parameters from the mean m and stdev s of the length itself:
// sigma^2 = ln(1 + s^2/m^2), mu = ln m - sigma^2/2 (the moments of exp(N(mu, sigma^2))).
struct LogParams {
  double mu = 0;
  double sigma = 0;
};
LogParams log_params(const LD& d) {
  double ratio = d.stdev / d.mean;
  double sigma2 = std::log1p(ratio * ratio);
  return {std::log(d.mean) - 0.5 * sigma2, std::sqrt(sigma2)};
}

// G(x) = P(X < x) for an untruncated draw X. A draw rounds to the integer k exactly when
// k - 0.5 <= X < k + 0.5, so P(k) = G(k + 0.5) - G(k - 0.5) for every kind, point masses included.
class LeftCdf {
 public:
  explicit LeftCdf(const LD& d) : d_(d) {
    if (d.kind == LD::Kind::kLognormal) log_ = log_params(d);
  }
  double operator()(double x) const {
    switch (d_.kind) {
      case LD::Kind::kFixed: return d_.mean < x ? 1.0 : 0.0;
      case LD::Kind::kNormal: return standard_normal_cdf((x - d_.mean) / d_.stdev);
      case LD::Kind::kLognormal:
        return x <= 0 ? 0.0 : standard_normal_cdf((std::log(x) - log_.mu) / log_.sigma);
      case LD::Kind::kQuantiles: return quantile_cdf(x);
    }
    return 0.0;
  }

 private:
  // X = Q(U) with Q piecewise linear through the points and U uniform on [0, 1): P(X < x) is
  // the probability where Q first reaches x.
  double quantile_cdf(double x) const {
    const auto& q = d_.quantiles;
    for (size_t j = 0; j < q.size(); ++j) {
      if (q[j].second < x) continue;
      if (j == 0) return 0.0;
      const auto& [p0, l0] = q[j - 1];
      const auto& [p1, l1] = q[j];
      return p0 + (x - l0) / (l1 - l0) * (p1 - p0);  // l0 < x <= l1, so l1 > l0
    }
    return 1.0;
  }
  const LD& d_;
  LogParams log_;
};

// Calls f(k, P(draw rounds to k)) for k = lo..hi (unnormalised: the masses of the untruncated
// distribution).
template <class F>
void for_each_mass(const LeftCdf& cdf, int64_t lo, int64_t hi, F f) {
  double prev = cdf(static_cast<double>(lo) - 0.5);
  for (int64_t k = lo; k <= hi; ++k) {
    double c = cdf(static_cast<double>(k) + 0.5);
    f(k, c - prev);
    prev = c;
  }
}

// What parse_quantiles() guarantees: at least two points, probabilities strictly increasing from
// 0 to 1, lengths non-decreasing.
bool valid_quantiles(const std::vector<std::pair<double, double>>& q) {
  if (q.size() < 2 || q.front().first != 0.0 || q.back().first != 1.0) return false;
  for (size_t i = 1; i < q.size(); ++i)
    if (!(q[i].first > q[i - 1].first) || q[i].second < q[i - 1].second) return false;
  return true;
}

// Sampling needs what load_dataset() guarantees for a file; a spec built in code may break it.
void check_length_distribution(const LD& d, const std::string& path, Diagnostics& errs) {
  auto bad = [&](std::string message) {
    errs.push_back(Diagnostic{.path = path, .message = std::move(message)});
  };
  if (!(d.min >= 1 && d.min <= d.max))
    bad(fmt::format("needs 1 <= min <= max, got min {} and max {}", d.min, d.max));
  if ((d.kind == LD::Kind::kNormal || d.kind == LD::Kind::kLognormal) &&
      !(d.stdev > 0 && std::isfinite(d.stdev) && std::isfinite(d.mean)))
    bad(fmt::format("a normal or lognormal length needs a finite mean and a stdev > 0, got mean "
                    "{} and stdev {}",
                    d.mean, d.stdev));
  if (d.kind == LD::Kind::kLognormal && !(d.mean > 0))
    bad(fmt::format("a lognormal length needs a mean > 0, got {}", d.mean));
  if (d.kind == LD::Kind::kFixed && !(std::isfinite(d.mean)))
    bad(fmt::format("a fixed length needs a finite mean, got {}", d.mean));
  if (d.kind == LD::Kind::kQuantiles && !valid_quantiles(d.quantiles))
    bad("quantiles must go from probability 0 to 1, strictly increasing, with non-decreasing "
        "lengths");
}

// ---- Quantile text -----------------------------------------------------------------------------

using Quantiles = std::vector<std::pair<double, double>>;

// "0:3, 0.088:128, 0.5:1469, 1:7437" -> pairs; the message names the offending pair.
tl::expected<Quantiles, std::string> parse_quantiles(const std::string& text) {
  Quantiles out;
  std::vector<std::string> items;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    items.emplace_back(trim(std::string_view(text).substr(
        start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string& item = items[i];
    std::string where = "pair " + std::to_string(i + 1) + " (\"" + shown(item) + "\")";
    if (item.empty())
      return tl::unexpected("pair " + std::to_string(i + 1) +
                            " is empty; expected probability:length pairs separated by commas");
    size_t colon = item.find(':');
    if (colon == std::string::npos || item.find(':', colon + 1) != std::string::npos)
      return tl::unexpected(where + ": expected probability:length such as \"0.5:1469\"");
    std::string p_text(trim(std::string_view(item).substr(0, colon)));
    std::string l_text(trim(std::string_view(item).substr(colon + 1)));
    double p = 0, len = 0;
    if (!parse_number(p_text, p))
      return tl::unexpected(where + ": probability \"" + p_text + "\" is not a number");
    if (!parse_number(l_text, len))
      return tl::unexpected(where + ": length \"" + l_text + "\" is not a number");
    if (p < 0 || p > 1)
      return tl::unexpected(where + ": probability " + num(p) + " is outside [0, 1]");
    if (len < 0)
      return tl::unexpected(where + ": length " + num(len) + " is negative; lengths are tokens");
    if (len > kMaxLen)
      return tl::unexpected(where + ": length " + num(len) + " exceeds " + num(kMaxLen) +
                            " tokens");
    if (!out.empty()) {
      const auto& [prev_p, prev_len] = out.back();
      std::string prev = "pair " + std::to_string(i) + " (\"" + shown(items[i - 1]) + "\")";
      if (!(p > prev_p))
        return tl::unexpected(where + ": probability " + num(p) + " does not increase on " +
                              prev + "; probabilities must increase strictly");
      if (len < prev_len)
        return tl::unexpected(where + ": length " + num(len) + " is below " + num(prev_len) +
                              " of " + prev + "; lengths must not decrease");
    }
    out.emplace_back(p, len);
  }
  if (out.front().first != 0.0)
    return tl::unexpected("the first pair (\"" + shown(items.front()) +
                          "\") must have probability 0 (the shortest length)");
  if (out.back().first != 1.0)
    return tl::unexpected("the last pair (\"" + shown(items.back()) +
                          "\") must have probability 1 (the longest length)");
  return out;
}

int64_t round_length(double x) { return static_cast<int64_t>(std::floor(x + 0.5)); }

// The distribution without its truncation: "log-normal with mean 201 and stdev 201 tokens".
std::string describe_shape(const LD& d) {
  switch (d.kind) {
    case LD::Kind::kFixed: return "fixed length of " + num(d.mean) + " tokens";
    case LD::Kind::kNormal:
      return "normal with mean " + num(d.mean) + " and stdev " + num(d.stdev) + " tokens";
    case LD::Kind::kLognormal:
      return "log-normal with mean " + num(d.mean) + " and stdev " + num(d.stdev) + " tokens";
    case LD::Kind::kQuantiles:
      return "piecewise-linear inverse CDF through " + std::to_string(d.quantiles.size()) +
             " quantiles";
  }
  return "?";
}

// ---- Schema ------------------------------------------------------------------------------------

template <class F>
Field<S> field(std::string path, F ref, std::string description, FieldOptions opt = {}) {
  return make_field<S>(std::move(path), ref, std::move(description), std::move(opt));
}

// A choice stored as an enum; `names` maps the YAML words to the values.
template <class E, class F>
Field<S> enum_field(std::string path, F ref, std::vector<std::pair<std::string, E>> names,
                    std::string description, std::string default_text, bool required) {
  FieldInfo info;
  info.path = std::move(path);
  info.kind = FieldKind::kChoice;
  info.required = required && default_text.empty();
  info.default_text = std::move(default_text);
  for (const auto& n : names) info.choices.push_back(n.first);
  info.description = std::move(description);
  auto store = [ref, names](S& s, const FieldValue& v) {
    for (const auto& [name, value] : names)
      if (name == v.text) ref(s) = value;
  };
  return Field<S>{std::move(info), std::move(store)};
}

const std::vector<std::pair<std::string, Confidence>> kConfidenceNames = {
    {"verified", Confidence::kVerified},
    {"derived", Confidence::kDerived},
    {"assumed", Confidence::kAssumed}};
const std::vector<std::pair<std::string, LD::Kind>> kKindNames = {
    {"fixed", LD::Kind::kFixed},
    {"normal", LD::Kind::kNormal},
    {"lognormal", LD::Kind::kLognormal},
    {"quantiles", LD::Kind::kQuantiles}};

void add_distribution_fields(std::vector<Field<S>>& fields, const std::string& name,
                             LD S::*member, const std::string& what) {
  auto ref = [member](auto get) { return [member, get](S& s) -> auto& { return get(s.*member); }; };
  fields.push_back(enum_field(
      name + ".kind", ref([](LD& d) -> auto& { return d.kind; }), kKindNames,
      "shape of the " + what + "-length distribution: fixed (every request the mean), normal, "
      "lognormal (mean and stdev of the length itself) or quantiles (piecewise-linear inverse CDF)",
      "", true));
  fields.push_back(field(
      name + ".mean", ref([](LD& d) -> auto& { return d.mean; }),
      "mean length in tokens of the untruncated distribution (fixed, normal, lognormal: required); "
      "for quantiles, the mean the source states, shown next to the mean as sampled",
      FieldOptions{.required = false, .min = 0, .max = kMaxLen, .min_exclusive = true}));
  fields.push_back(field(
      name + ".stdev", ref([](LD& d) -> auto& { return d.stdev; }),
      "standard deviation in tokens of the untruncated length (normal and lognormal only)",
      FieldOptions{.required = false, .min = 0, .max = kMaxLen, .min_exclusive = true}));
  {
    // Text parsed into (probability, length) pairs; a bad text leaves them empty and the
    // cross-field check reports it with the offending pair. The pairs also set min and max,
    // which the fields below override when the file gives them.
    FieldInfo info;
    info.path = name + ".quantiles";
    info.kind = FieldKind::kText;
    info.description =
        "quantiles only: \"probability:length\" pairs, probabilities strictly increasing from 0 "
        "to 1, lengths non-decreasing, e.g. \"0:3, 0.5:1469, 0.9:5188, 1:7437\"";
    auto store = [member](S& s, const FieldValue& v) {
      auto q = parse_quantiles(v.text);
      if (!q) return;
      LD& d = s.*member;
      d.quantiles = *q;
      d.min = std::max<int64_t>(1, round_length(q->front().second));
      d.max = round_length(q->back().second);
    };
    fields.push_back(Field<S>{std::move(info), std::move(store)});
  }
  fields.push_back(field(name + ".min", ref([](LD& d) -> auto& { return d.min; }),
                         "shortest length drawn; shorter draws are redrawn (default 1; for "
                         "quantiles, the first quantile's length)",
                         FieldOptions{.required = false, .min = 1, .max = kMaxLen}));
  fields.push_back(field(name + ".max", ref([](LD& d) -> auto& { return d.max; }),
                         "longest length drawn; longer draws are redrawn (required except for "
                         "quantiles, where it defaults to the last quantile's length)",
                         FieldOptions{.required = false, .min = 1, .max = kMaxLen}));
  fields.push_back(enum_field(
      name + ".confidence", ref([](LD& d) -> auto& { return d.confidence; }), kConfidenceNames,
      "how sure the shape and spread are: verified (read in a source), derived (computed from "
      "sourced figures) or assumed",
      "", true));
  fields.push_back(enum_field(
      name + ".mean_confidence", ref([](LD& d) -> auto& { return d.mean_confidence; }),
      kConfidenceNames, "how sure the mean is (default: the same as confidence)", "", false));
  fields.push_back(field(name + ".note", ref([](LD& d) -> auto& { return d.note; }),
                         "one sentence: the source of the figures, or what was assumed and why"));
}

MlperfRules& rules(S& s) {
  if (!s.mlperf) s.mlperf.emplace();
  return *s.mlperf;
}

FieldOptions limit(double max_s) {
  return FieldOptions{.required = false, .min = 0, .max = max_s, .min_exclusive = true};
}

std::vector<Field<S>> dataset_fields() {
  std::vector<Field<S>> f;
  f.push_back(field("id", [](S& s) -> auto& { return s.id; },
                    "dataset id (the file name without .yaml)"));
  f.push_back(field("description", [](S& s) -> auto& { return s.description; },
                    "the benchmark and what its requests are"));
  f.push_back(field("source", [](S& s) -> auto& { return s.source; },
                    "where the statistics come from (repository @ commit, file)"));
  f.push_back(field("size", [](S& s) -> auto& { return s.size; },
                    "requests in the benchmark's dataset", FieldOptions{.min = 1, .max = 1e9}));
  f.push_back(field("beam_width", [](S& s) -> auto& { return s.beam_width; },
                    "sequences decoded per request (beam search width; 1 = greedy or sampling)",
                    FieldOptions{.default_text = "1", .min = 1, .max = 64}));
  add_distribution_fields(f, "input", &S::input, "prompt");
  add_distribution_fields(f, "output", &S::output, "answer");
  f.push_back(field("filters.max_input_len", [](S& s) -> auto& { return s.max_input_len; },
                    "requests whose prompt is longer are redrawn (0 = no filter)",
                    FieldOptions{.default_text = "0", .min = 0, .max = kMaxLen}));
  f.push_back(field("filters.max_total_len", [](S& s) -> auto& { return s.max_total_len; },
                    "requests whose prompt + answer is longer are redrawn (0 = no filter)",
                    FieldOptions{.default_text = "0", .min = 0, .max = kMaxLen}));
  f.push_back(field("prefix.len", [](S& s) -> auto& { return s.prefix.len; },
                    "tokens of a prefix shared by groups of prompts (a system prompt); 0 = none",
                    FieldOptions{.default_text = "0", .min = 0, .max = kMaxLen}));
  f.push_back(field("prefix.groups", [](S& s) -> auto& { return s.prefix.groups; },
                    "distinct shared prefixes; each request draws one uniformly",
                    FieldOptions{.default_text = "1", .min = 1, .max = 1e9}));
  f.push_back(field("mlperf.benchmark", [](S& s) -> auto& { return rules(s).benchmark; },
                    "MLPerf benchmark name (\"llama2-70b\", \"gpt-j\"); required in an mlperf "
                    "section",
                    FieldOptions{.required = false}));
  f.push_back(field("mlperf.first_version", [](S& s) -> auto& { return rules(s).first_version; },
                    "round the Server limits first applied (\"v4.0\"); required in an mlperf "
                    "section",
                    FieldOptions{.required = false}));
  f.push_back(field("mlperf.server.ttft_p99",
                    [](S& s) -> auto& { return rules(s).server_ttft_p99; },
                    "Server scenario limit on the 99th-percentile time to first token",
                    limit(60)));
  f.push_back(field("mlperf.server.tpot_p99",
                    [](S& s) -> auto& { return rules(s).server_tpot_p99; },
                    "Server scenario limit on the 99th-percentile time per output token",
                    limit(10)));
  f.push_back(field("mlperf.server.e2e_p99", [](S& s) -> auto& { return rules(s).server_e2e_p99; },
                    "Server target_latency on the whole request (benchmarks without token "
                    "limits: gpt-j)",
                    limit(3600)));
  f.push_back(field("mlperf.server.min_query_count",
                    [](S& s) -> auto& { return rules(s).server_min_query_count; },
                    "Server scenario min_query_count (LoadGen default 100)",
                    FieldOptions{.default_text = "100", .min = 1, .max = 1e9}));
  f.push_back(field("mlperf.interactive.first_version",
                    [](S& s) -> auto& { return rules(s).interactive_first_version; },
                    "round the Interactive limits first applied (\"v5.0\"); unset when not recorded",
                    FieldOptions{.required = false}));
  f.push_back(field("mlperf.interactive.ttft_p99",
                    [](S& s) -> auto& { return rules(s).interactive_ttft_p99; },
                    "Interactive scenario limit on the 99th-percentile time to first token",
                    limit(60)));
  f.push_back(field("mlperf.interactive.tpot_p99",
                    [](S& s) -> auto& { return rules(s).interactive_tpot_p99; },
                    "Interactive scenario limit on the 99th-percentile time per output token",
                    limit(10)));
  f.push_back(field("mlperf.min_duration", [](S& s) -> auto& { return rules(s).min_duration; },
                    "minimum run length of every scenario (*.min_duration)",
                    FieldOptions{.default_text = "600 s", .min = 0, .max = 86400,
                                 .min_exclusive = true}));
  f.push_back(field("mlperf.min_query_count",
                    [](S& s) -> auto& { return rules(s).min_query_count; },
                    "Offline min_query_count (the dataset size for LLMs); required in an mlperf "
                    "section",
                    FieldOptions{.required = false, .min = 1, .max = 1e9}));
  f.push_back(field("mlperf.inferred_tokens_per_sample",
                    [](S& s) -> auto& { return rules(s).inferred_tokens_per_sample; },
                    "tokens/s are reported as samples/s x this factor instead of generated "
                    "tokens (gpt-j token_latency_scaling_factor 69)",
                    FieldOptions{.required = false, .min = 0, .max = kMaxLen,
                                 .min_exclusive = true}));
  f.push_back(enum_field("mlperf.confidence",
                         [](S& s) -> auto& { return rules(s).confidence; }, kConfidenceNames,
                         "how sure the limits and rules are", "verified", false));
  f.push_back(field("mlperf.note", [](S& s) -> auto& { return rules(s).note; },
                    "where the limits and rules come from; required in an mlperf section",
                    FieldOptions{.required = false}));
  return f;
}

// ---- Cross-field checks ------------------------------------------------------------------------

class Checker {
 public:
  Checker(const Document& doc, Diagnostics& diags) : doc_(doc), diags_(diags) {}

  bool has(const std::string& path) const { return doc_.find(path) != nullptr; }
  std::string text(const std::string& path) const {
    const DocumentEntry* e = doc_.find(path);
    return e ? e->text : std::string();
  }
  void err(const std::string& path, std::string msg) {
    diags_.push_back(diagnostic_at(doc_, path, std::move(msg)));
  }
  // A problem with `path` (often absent) reported at the place of `anchor`.
  void err_at(const std::string& path, const std::string& anchor, std::string msg) {
    Diagnostic d = diagnostic_at(doc_, anchor, std::move(msg));
    d.path = path;
    diags_.push_back(std::move(d));
  }
  size_t count() const { return diags_.size(); }

 private:
  const Document& doc_;
  Diagnostics& diags_;
};

// Returns true when the distribution is valid (so that its masses can be summed).
bool check_distribution(const LD& d, const std::string& name, Checker& c) {
  const size_t before = c.count();
  const std::string kind_path = name + ".kind";
  const std::string kind(to_string(d.kind));
  auto need = [&](const std::string& key, const std::string& what) {
    if (!c.has(name + "." + key))
      c.err_at(name + "." + key, kind_path,
               "missing required key for " + kind_path + " " + kind + " (" + what + ")");
  };
  const bool parametric = d.kind != LD::Kind::kQuantiles;
  if (parametric) {
    need("mean", "mean length in tokens, > 0");
    need("max", "longest length drawn, an integer >= 1");
  }
  if (d.kind == LD::Kind::kNormal || d.kind == LD::Kind::kLognormal)
    need("stdev", "standard deviation of the length in tokens, > 0");
  if (d.kind == LD::Kind::kQuantiles)
    need("quantiles", "\"probability:length\" pairs such as \"0:3, 0.5:1469, 1:7437\"");
  if (c.has(name + ".stdev") && d.kind == LD::Kind::kFixed)
    c.err(name + ".stdev", name + ".stdev is given but " + kind_path +
                               " is fixed (every request has the mean length); remove it or "
                               "use kind normal or lognormal");
  if (c.has(name + ".stdev") && d.kind == LD::Kind::kQuantiles)
    c.err(name + ".stdev", name + ".stdev is given but " + kind_path +
                               " is quantiles (the quantiles fix the spread); remove it");
  if (c.has(name + ".quantiles") && parametric)
    c.err(name + ".quantiles", name + ".quantiles is given but " + kind_path + " is " + kind +
                                   "; remove it or use kind quantiles");
  if (c.count() != before) return false;

  if (d.kind == LD::Kind::kQuantiles) {
    auto q = parse_quantiles(c.text(name + ".quantiles"));
    if (!q) {
      c.err(name + ".quantiles", q.error());
      return false;
    }
  }
  if (d.min > d.max) {
    c.err(c.has(name + ".min") ? name + ".min" : name + ".max",
          name + ".min (" + num(d.min) + ") exceeds " + name + ".max (" + num(d.max) + ")");
    return false;
  }
  const bool has_mean = parametric || c.has(name + ".mean");
  if (has_mean && (d.mean < static_cast<double>(d.min) || d.mean > static_cast<double>(d.max))) {
    c.err(name + ".mean", name + ".mean (" + num(d.mean) + ") is outside [" + name + ".min, " +
                              name + ".max] = [" + num(d.min) + ", " + num(d.max) + "]");
    return false;
  }
  double kept = d.acceptance();
  if (kept < kMinAcceptance) {
    c.err(name, "only " + percent(kept) + " of the draws of a " + describe_shape(d) +
                    " round into [" + num(d.min) + ", " + num(d.max) + "]; at least " +
                    percent(kMinAcceptance) + " must (the rest are redrawn): widen " + name +
                    ".min/" + name + ".max or move " + name + ".mean");
    return false;
  }
  return true;
}

void check_filters(const S& s, bool distributions_ok, Checker& c) {
  const size_t before = c.count();
  if (s.max_input_len > 0 && s.max_input_len < s.input.min)
    c.err("filters.max_input_len", "filters.max_input_len (" + num(s.max_input_len) +
                                       ") is below input.min (" + num(s.input.min) +
                                       "): no prompt could be drawn; use 0 for no filter");
  if (s.max_total_len > 0 && s.max_total_len < s.input.min + s.output.min)
    c.err("filters.max_total_len",
          "filters.max_total_len (" + num(s.max_total_len) +
              ") is below input.min + output.min (" + num(s.input.min + s.output.min) +
              "): no request could be drawn; use 0 for no filter");
  if (c.count() != before || !distributions_ok) return;
  if (s.max_input_len == 0 && s.max_total_len == 0) return;
  double kept = effective_means(s).acceptance;
  if (kept < kMinAcceptance) {
    std::vector<std::string> rules_text;
    if (s.max_input_len > 0) rules_text.push_back("input <= " + num(s.max_input_len));
    if (s.max_total_len > 0) rules_text.push_back("input + output <= " + num(s.max_total_len));
    c.err(s.max_total_len > 0 ? "filters.max_total_len" : "filters.max_input_len",
          "only " + percent(kept) + " of the (input, output) pairs pass the filters (" +
              join(rules_text) + "); at least " + percent(kMinAcceptance) +
              " must (the rest are redrawn)");
  }
}

void check_prefix(const S& s, Checker& c) {
  if (s.prefix.len > s.input.min)
    c.err("prefix.len", "prefix.len (" + num(s.prefix.len) + ") exceeds input.min (" +
                            num(s.input.min) +
                            "): every prompt must contain the whole shared prefix; raise "
                            "input.min or shorten the prefix");
  if (s.prefix.groups > 1 && s.prefix.len == 0)
    c.err("prefix.groups", "prefix.groups is " + num(s.prefix.groups) +
                               " but prefix.len is 0 (no shared prefix); set prefix.len or "
                               "remove prefix.groups");
}

// "v4.0", "v5.1.1"
bool is_round(const std::string& v) {
  if (v.size() < 4 || v[0] != 'v') return false;
  bool digit = false;
  int dots = 0;
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] >= '0' && v[i] <= '9') {
      digit = true;
    } else if (v[i] == '.' && digit) {
      digit = false;
      ++dots;
    } else {
      return false;
    }
  }
  return digit && dots >= 1;
}

void check_limit_pair(const std::optional<Seconds>& ttft, const std::optional<Seconds>& tpot,
                      const std::string& scenario, Checker& c) {
  const std::string base = "mlperf." + scenario;
  if (tpot && !ttft)
    c.err(base + ".tpot_p99", base + ".tpot_p99 is given without " + base +
                                  ".ttft_p99: token-latency benchmarks limit both");
  if (ttft && !tpot)
    c.err(base + ".ttft_p99", base + ".ttft_p99 is given without " + base +
                                  ".tpot_p99: token-latency benchmarks limit both");
}

void check_mlperf(const MlperfRules& m, Checker& c) {
  auto need = [&](const std::string& key, bool present, const std::string& what) {
    if (!present)
      c.err_at("mlperf." + key, "mlperf",
               "missing required key in the mlperf section (" + what + ")");
  };
  need("benchmark", c.has("mlperf.benchmark"), "benchmark name such as \"llama2-70b\"");
  need("first_version", c.has("mlperf.first_version"),
       "round the limits first applied, such as \"v4.0\"");
  need("min_query_count", c.has("mlperf.min_query_count"),
       "Offline min_query_count, the dataset size for LLMs");
  need("note", c.has("mlperf.note"), "where the limits and rules come from");
  auto version = [&](const std::string& key, const std::string& v) {
    if (c.has(key) && !is_round(v))
      c.err(key, "expected a round such as \"v4.0\", got \"" + v + "\"");
  };
  version("mlperf.first_version", m.first_version);
  version("mlperf.interactive.first_version", m.interactive_first_version);

  check_limit_pair(m.server_ttft_p99, m.server_tpot_p99, "server", c);
  if (m.server_e2e_p99 && (m.server_ttft_p99 || m.server_tpot_p99))
    c.err("mlperf.server.e2e_p99",
          "mlperf.server.e2e_p99 is given with token limits: a benchmark limits either the whole "
          "request (gpt-j) or its tokens (ttft_p99 and tpot_p99)");
  if (!m.server_e2e_p99 && !m.server_ttft_p99 && !m.server_tpot_p99)
    c.err_at("mlperf.server", "mlperf",
             "no Server latency limit: give mlperf.server.ttft_p99 and mlperf.server.tpot_p99, or "
             "mlperf.server.e2e_p99");
  check_limit_pair(m.interactive_ttft_p99, m.interactive_tpot_p99, "interactive", c);
  auto tighter = [&](const std::optional<Seconds>& interactive,
                     const std::optional<Seconds>& server, const std::string& key) {
    if (interactive && server && *interactive > *server)
      c.err("mlperf.interactive." + key,
            "the Interactive limit (" + ms(*interactive) + ") is looser than the Server limit (" +
                ms(*server) + "); Interactive limits are the tighter ones");
  };
  tighter(m.interactive_ttft_p99, m.server_ttft_p99, "ttft_p99");
  tighter(m.interactive_tpot_p99, m.server_tpot_p99, "tpot_p99");
}

void check_dataset(const S& s, const Document& doc, Diagnostics& diags) {
  Checker c(doc, diags);
  bool in_ok = check_distribution(s.input, "input", c);
  bool out_ok = check_distribution(s.output, "output", c);
  check_filters(s, in_ok && out_ok, c);
  check_prefix(s, c);
  if (doc.find("mlperf") && s.mlperf) check_mlperf(*s.mlperf, c);
}

// ---- Assumptions -------------------------------------------------------------------------------

bool states_mean(const LD& d) { return d.kind != LD::Kind::kQuantiles || d.mean > 0; }

// `sampled_mean`: the distribution's mean as sample_requests draws it (filters included).
void add_assumptions(const std::string& id, const std::string& name, const LD& d,
                     double sampled_mean, std::vector<std::string>& out) {
  const bool shape = d.confidence == Confidence::kAssumed;
  const bool mean = d.mean_confidence == Confidence::kAssumed && states_mean(d);
  const std::string sampled = " (mean as sampled " + one_decimal(sampled_mean) + ")";
  if (shape && mean)
    out.push_back(id + ": " + name + " length assumed: " + describe(d) + sampled + ". " + d.note);
  else if (shape)
    out.push_back(id + ": " + name + " length distribution assumed, its mean " +
                  std::string(to_string(d.mean_confidence)) + ": " + describe(d) + sampled +
                  ". " + d.note);
  else if (mean)
    out.push_back(id + ": " + name + " mean of " + num(d.mean) + " tokens assumed, the shape " +
                  std::string(to_string(d.confidence)) + ". " + d.note);
}

// An id is looked up under <data dir>/datasets/; anything naming a file is read as one.
Result<std::string> resolve_dataset_path(const std::string& id_or_file) {
  return resolve_id_or_file((std::filesystem::path(data_dir()) / "datasets").string(), id_or_file,
                            "dataset");
}

// ---- Sampling ----------------------------------------------------------------------------------

// Uniforms and normals from std::mt19937_64 only, so that every platform draws the same values.
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  // The top 53 bits as a double in [0, 1): exact, no rounding.
  double uniform() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }
  // Box-Muller, cosine branch only (two uniforms per normal; keeping no state keeps the stream
  // simple): sqrt(-2 ln u1) cos(2 pi u2) with u1 in (0, 1].
  double normal() {
    double u1 = 1.0 - uniform();
    double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  std::mt19937_64 gen_;
};

class LengthSampler {
 public:
  // Precondition: check_sampleable() passed for the dataset holding `d`.
  explicit LengthSampler(const LD& d) : d_(d) {
    if (d.kind == LD::Kind::kLognormal) log_ = log_params(d);
  }

  // One length in [min, max]: redrawn up to kMaxDraws times, then the last draw is clamped.
  int64_t draw(Rng& rng) const {
    const double lo = static_cast<double>(d_.min), hi = static_cast<double>(d_.max);
    double k = 0;
    for (int t = 0; t < kMaxDraws; ++t) {
      k = std::floor(raw(rng) + 0.5);
      if (k >= lo && k <= hi) return static_cast<int64_t>(k);
      if (d_.kind == LD::Kind::kFixed) break;  // no randomness: redrawing cannot help
    }
    return k < lo ? d_.min : d_.max;
  }

 private:
  double raw(Rng& rng) const {
    switch (d_.kind) {
      case LD::Kind::kFixed: return d_.mean;
      case LD::Kind::kNormal: return d_.mean + d_.stdev * rng.normal();
      case LD::Kind::kLognormal: return std::exp(log_.mu + log_.sigma * rng.normal());
      case LD::Kind::kQuantiles: return inverse_cdf(rng.uniform());
    }
    return 0.0;
  }
  // The piecewise-linear inverse CDF at u in [0, 1).
  double inverse_cdf(double u) const {
    const auto& q = d_.quantiles;
    size_t i = 1;
    while (i + 1 < q.size() && u >= q[i].first) ++i;
    const auto& [p0, l0] = q[i - 1];
    const auto& [p1, l1] = q[i];
    return l0 + (u - p0) / (p1 - p0) * (l1 - l0);
  }

  const LD& d_;
  LogParams log_;
};

// Preconditions: check_sampleable(s) passed, n >= 0.
std::vector<RequestSpec> draw_requests(const S& s, int64_t n, uint64_t seed) {
  LengthSampler input(s.input), output(s.output);
  auto passes = [&](int64_t in, int64_t out) {
    return (s.max_input_len == 0 || in <= s.max_input_len) &&
           (s.max_total_len == 0 || in + out <= s.max_total_len);
  };
  Rng rng(seed);
  std::vector<RequestSpec> out;
  out.reserve(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) {
    RequestSpec req;
    bool ok = false;
    for (int t = 0; t < kMaxDraws && !ok; ++t) {
      req.input_len = input.draw(rng);
      req.output_len = output.draw(rng);
      ok = passes(req.input_len, req.output_len);
    }
    if (!ok) {  // clamp into the filters; the checks above keep both lengths >= their min
      if (s.max_input_len > 0) req.input_len = std::min(req.input_len, s.max_input_len);
      if (s.max_total_len > 0) {
        req.input_len = std::min(req.input_len, s.max_total_len - s.output.min);
        req.output_len = std::min(req.output_len, s.max_total_len - req.input_len);
      }
    }
    if (s.prefix.len > 0) {
      double g = std::floor(rng.uniform() * static_cast<double>(s.prefix.groups));
      req.prefix_id = std::min(static_cast<int64_t>(g), s.prefix.groups - 1);
      req.prefix_len = std::min(s.prefix.len, req.input_len);
    }
    out.push_back(req);
  }
  return out;
}

}  // namespace

// ---- Public functions --------------------------------------------------------------------------

std::string_view to_string(Confidence c) {
  switch (c) {
    case Confidence::kVerified: return "verified";
    case Confidence::kDerived: return "derived";
    case Confidence::kAssumed: return "assumed";
  }
  return "?";
}

std::string_view to_string(LengthDistribution::Kind k) {
  switch (k) {
    case LD::Kind::kFixed: return "fixed";
    case LD::Kind::kNormal: return "normal";
    case LD::Kind::kLognormal: return "lognormal";
    case LD::Kind::kQuantiles: return "quantiles";
  }
  return "?";
}

std::string describe(const LengthDistribution& d) {
  if (d.kind == LD::Kind::kFixed) return describe_shape(d);
  return describe_shape(d) + ", truncated to [" + num(d.min) + ", " + num(d.max) + "]";
}

double LengthDistribution::acceptance() const {
  if (min > max) return 0.0;
  LeftCdf cdf(*this);
  return cdf(static_cast<double>(max) + 0.5) - cdf(static_cast<double>(min) - 0.5);
}

double LengthDistribution::effective_mean() const {
  if (min > max) return 0.0;
  LeftCdf cdf(*this);
  double sum = 0, mass = 0;
  for_each_mass(cdf, min, max, [&](int64_t k, double p) {
    sum += static_cast<double>(k) * p;
    mass += p;
  });
  // Nothing kept: sampling clamps every draw to the nearer bound (only a hand-built spec).
  if (!(mass > 0)) return cdf(static_cast<double>(min) - 0.5) > 0 ? static_cast<double>(max)
                                                                  : static_cast<double>(min);
  return sum / mass;
}

LengthMeans effective_means(const DatasetSpec& s) {
  const LD& in = s.input;
  const LD& out = s.output;
  if (in.min > in.max || out.min > out.max) return {0, 0, 0};
  const int64_t in_hi = s.max_input_len > 0 ? std::min(in.max, s.max_input_len) : in.max;
  const int64_t total = s.max_total_len;
  LeftCdf in_cdf(in), out_cdf(out);
  const double in_base = in_cdf(static_cast<double>(in.min) - 0.5);
  const double out_base = out_cdf(static_cast<double>(out.min) - 0.5);
  // Unnormalised P(length <= x) within each distribution's kept range (and the input filter).
  auto below = [](const LeftCdf& cdf, double base, int64_t lo, int64_t hi, int64_t x) {
    if (x < lo) return 0.0;
    return cdf(static_cast<double>(std::min(x, hi)) + 0.5) - base;
  };
  auto out_below = [&](int64_t x) {
    return below(out_cdf, out_base, out.min, out.max, total > 0 ? x : out.max);
  };
  auto in_below = [&](int64_t x) {
    return below(in_cdf, in_base, in.min, in_hi, total > 0 ? x : in_hi);
  };
  // P(pair) = p_in(i) p_out(o) on {i + o <= total}: each mean sums one length against the other's
  // closed-form CDF, so no table of masses is needed.
  double z = 0, sum_in = 0, sum_out = 0;
  if (in_hi >= in.min) {
    for_each_mass(in_cdf, in.min, in_hi, [&](int64_t i, double p) {
      double w = p * out_below(total - i);
      z += w;
      sum_in += static_cast<double>(i) * w;
    });
    for_each_mass(out_cdf, out.min, out.max, [&](int64_t o, double p) {
      sum_out += static_cast<double>(o) * p * in_below(total - o);
    });
  }
  const double all = (in_cdf(static_cast<double>(in.max) + 0.5) - in_base) *
                     (out_cdf(static_cast<double>(out.max) + 0.5) - out_base);
  if (!(z > 0) || !(all > 0)) return {in.effective_mean(), out.effective_mean(), 0};
  return {sum_in / z, sum_out / z, z / all};
}

const Schema<DatasetSpec>& dataset_schema() {
  static const Schema<DatasetSpec> schema("dataset/v1", dataset_fields(), check_dataset);
  return schema;
}

Result<DatasetSpec> parse_dataset_document(Document doc,
                                           const std::vector<std::string>& overrides) {
  if (auto r = doc.apply_overrides(overrides); !r) return tl::unexpected(r.error());
  auto spec = dataset_schema().parse(doc);
  if (!spec) return spec;
  // Fields with defaults fill an mlperf section in every file; it exists only when written.
  if (!doc.find("mlperf")) spec->mlperf.reset();
  for (auto [name, d] : {std::pair{"input", &spec->input}, std::pair{"output", &spec->output}})
    if (!doc.find(std::string(name) + ".mean_confidence")) d->mean_confidence = d->confidence;
  const LengthMeans means = effective_means(*spec);
  add_assumptions(spec->id, "input", spec->input, means.input, spec->assumptions);
  add_assumptions(spec->id, "output", spec->output, means.output, spec->assumptions);
  if (spec->mlperf && spec->mlperf->confidence == Confidence::kAssumed)
    spec->assumptions.push_back(spec->id + ": MLPerf rules assumed. " + spec->mlperf->note);
  return spec;
}

Result<DatasetSpec> load_dataset(const std::string& id_or_file,
                                 const std::vector<std::string>& overrides) {
  auto path = resolve_dataset_path(id_or_file);
  if (!path) return tl::unexpected(path.error());
  auto doc = Document::load_yaml_file(*path);
  if (!doc) return tl::unexpected(doc.error());
  return parse_dataset_document(std::move(*doc), overrides);
}

std::vector<std::string> list_datasets() {
  return list_yaml_ids((std::filesystem::path(data_dir()) / "datasets").string());
}

Result<void> check_sampleable(const DatasetSpec& s) {
  Diagnostics errs;
  check_length_distribution(s.input, "input", errs);
  check_length_distribution(s.output, "output", errs);
  if (!(s.max_input_len == 0 || s.max_input_len >= s.input.min))
    errs.push_back({.path = "filters.max_input_len",
                    .message = fmt::format("must be 0 (none) or >= input.min {}, got {}",
                                           s.input.min, s.max_input_len)});
  if (!(s.max_total_len == 0 || s.max_total_len >= s.input.min + s.output.min))
    errs.push_back({.path = "filters.max_total_len",
                    .message = fmt::format("must be 0 (none) or >= input.min + output.min = {}, "
                                           "got {}",
                                           s.input.min + s.output.min, s.max_total_len)});
  if (s.prefix.len < 0 || s.prefix.groups < 1)
    errs.push_back({.path = "prefix",
                    .message = fmt::format("needs len >= 0 and groups >= 1, got len {} and "
                                           "groups {}",
                                           s.prefix.len, s.prefix.groups)});
  if (!errs.empty()) return tl::unexpected(std::move(errs));
  return {};
}

namespace {
Result<void> check_count(int64_t n) {
  if (n < 0)
    return fail(Diagnostic{.path = "requests",
                           .message = fmt::format("the number of requests must be >= 0, got {}", n)});
  return {};
}
}  // namespace

Result<std::vector<RequestSpec>> sample_requests(const DatasetSpec& dataset, int64_t n,
                                                 uint64_t seed) {
  if (auto ok = check_count(n); !ok) return tl::unexpected(ok.error());
  if (auto ok = check_sampleable(dataset); !ok) return tl::unexpected(ok.error());
  return draw_requests(dataset, n, seed);
}

Result<std::vector<RequestSpec>> fixed_length_requests(int64_t n, int64_t input_len,
                                                       int64_t output_len, double input_stdev,
                                                       double output_stdev, uint64_t seed) {
  if (auto ok = check_count(n); !ok) return tl::unexpected(ok.error());
  Diagnostics errs;
  auto length = [&](const char* path, int64_t v) {
    if (v < 1 || v > kMaxStepTokens)
      errs.push_back({.path = path, .message = fmt::format("must be in [1, 2^40], got {}", v)});
  };
  length("input_len", input_len);
  length("output_len", output_len);
  auto spread = [&](const char* path, double v) {
    if (!(v >= 0) || !std::isfinite(v))
      errs.push_back({.path = path, .message = fmt::format("must be finite and >= 0, got {}", v)});
  };
  spread("input_stdev", input_stdev);
  spread("output_stdev", output_stdev);
  if (!errs.empty()) return tl::unexpected(std::move(errs));
  auto make = [](int64_t len, double stdev) {
    LD d;
    d.kind = stdev > 0 ? LD::Kind::kNormal : LD::Kind::kFixed;
    d.mean = static_cast<double>(len);
    d.stdev = stdev;
    d.min = 1;
    d.max = 2 * len;
    return d;
  };
  DatasetSpec s;
  s.id = "fixed";
  s.size = n;
  s.input = make(input_len, input_stdev);
  s.output = make(output_len, output_stdev);
  return draw_requests(s, n, seed);
}

}  // namespace xpusim
