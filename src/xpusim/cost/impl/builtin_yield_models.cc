// SPDX-License-Identifier: Apache-2.0
// register_builtin_yield_models: the one place the seven built-in YieldModels are registered
// (CONVENTIONS §7: explicit registry, no static-initialisation tricks).
#include "xpusim/cost/impl/builtin_yield_models.h"

#include "xpusim/base/check.h"

namespace xpusim {
namespace {
void must(Result<void> r) { XPUSIM_CHECK(r.has_value(), "duplicate built-in yield model"); }
}  // namespace

void register_builtin_yield_models(YieldModelRegistry& r) {
  using namespace impl;
  must(r.add("poisson", "e^-x: random unclustered defects",
             [](const YieldParams&) { return make_poisson_yield(); }));
  must(r.add("murphy", "((1-e^-x)/x)^2: Murphy 1964, SemiAnalysis default",
             [](const YieldParams&) { return make_murphy_yield(); }));
  must(r.add("seeds", "1/(1+x): exponential defect density",
             [](const YieldParams&) { return make_seeds_yield(); }));
  must(r.add("rectangular", "(1-e^-2x)/(2x): uniform defect density",
             [](const YieldParams&) { return make_rectangular_yield(); }));
  must(r.add("moore", "e^-sqrt(x)", [](const YieldParams&) { return make_moore_yield(); }));
  must(r.add("negative_binomial", "(1+x/alpha)^-alpha: Stapper, clustered defects (--alpha)",
             [](const YieldParams& p) { return make_negative_binomial_yield(p.alpha); }));
  must(r.add("bose_einstein", "(1+x/n)^-n: Price 1970, n critical layers (--layers)",
             [](const YieldParams& p) { return make_bose_einstein_yield(p.layers); }));
}

}  // namespace xpusim
