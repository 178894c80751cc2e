// SPDX-License-Identifier: Apache-2.0
#include "xpusim/cost/yield_model.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "xpusim/base/text.h"

namespace xpusim {

Result<void> YieldModelRegistry::add(std::string name, std::string description, Factory factory) {
  for (const auto& e : entries_) {
    if (e.name == name) return fail(fmt::format("yield model '{}' is registered twice", name));
  }
  entries_.push_back({std::move(name), std::move(description), std::move(factory)});
  return {};
}

Result<std::unique_ptr<YieldModel>> YieldModelRegistry::create(std::string_view name,
                                                               const YieldParams& params) const {
  for (const auto& e : entries_) {
    if (e.name != name) continue;
    Diagnostics diags;
    if (!(params.alpha > 0) || !std::isfinite(params.alpha))
      diags.push_back({.path = "alpha", .message = fmt::format("the clustering parameter alpha "
                                                               "must be > 0, got {}", params.alpha)});
    if (params.layers < 1)
      diags.push_back({.path = "layers", .message = fmt::format("the number of critical layers "
                                                                "must be >= 1, got {}",
                                                                params.layers)});
    if (!diags.empty()) return tl::unexpected(diags);
    return e.factory(params);
  }
  std::string msg = fmt::format("unknown yield model '{}'; known models: {}", name, join(names()));
  if (auto m = closest_match(name, names())) msg += fmt::format("; did you mean '{}'?", *m);
  return fail(Diagnostic{.path = "yield_model", .message = msg});
}

std::vector<std::string> YieldModelRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.name);
  return out;
}

std::string YieldModelRegistry::description(std::string_view name) const {
  for (const auto& e : entries_) {
    if (e.name == name) return e.description;
  }
  return {};
}

const YieldModelRegistry& YieldModelRegistry::builtin() {
  static const YieldModelRegistry registry = [] {
    YieldModelRegistry r;
    register_builtin_yield_models(r);
    return r;
  }();
  return registry;
}

namespace {
// P[Binomial(n, q) <= k], summed in log space to stay finite for large n.
double binomial_cdf(int n, double q, int k) {
  if (k >= n) return 1.0;
  if (q <= 0) return 1.0;
  if (q >= 1) return 0.0;
  double sum = 0;
  for (int j = 0; j <= k; ++j) {
    double lg = std::lgamma(n + 1.0) - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0) +
                j * std::log(q) + (n - j) * std::log1p(-q);
    sum += std::exp(lg);
  }
  return std::min(sum, 1.0);
}
}  // namespace

Result<double> harvested_yield(const YieldModel& model, PerSquareMillimeter d0,
                               SquareMillimeters die_area, const std::vector<RedundantGroup>& groups) {
  for (size_t i = 0; i < groups.size(); ++i) {
    const RedundantGroup& g = groups[i];
    if (!(g.on_die >= g.required && g.required >= 0) || !(g.unit_area.value() >= 0) ||
        !g.unit_area.is_finite())
      return fail(Diagnostic{
          .path = fmt::format("groups[{}]", i),
          .message = fmt::format("a redundant group needs 0 <= required <= on_die and a finite "
                                 "unit area >= 0, got {} required of {} on the die, {} mm² each",
                                 g.required, g.on_die, g.unit_area.value())});
  }
  SquareMillimeters rest = die_area;
  double p = 1.0;
  for (const auto& g : groups) {
    if (g.on_die == 0) continue;
    rest -= g.unit_area * g.on_die;
    double yu = model.yield(g.unit_area, d0);
    p *= binomial_cdf(g.on_die, 1.0 - yu, g.on_die - g.required);
  }
  rest = max(rest, SquareMillimeters(0));
  double y_rest = rest.value() > 0 ? model.yield(rest, d0) : 1.0;
  return std::clamp(y_rest * p, 0.0, 1.0);
}

}  // namespace xpusim
