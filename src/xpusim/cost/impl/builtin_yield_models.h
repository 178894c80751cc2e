// SPDX-License-Identifier: Apache-2.0
// Factories of the built-in YieldModel implementations (one .cc each in this folder), used only by
// register_builtin_yield_models. Formulas as implemented in the SemiAnalysis die yield calculator
// (src/config/yieldModels.ts @48058e7) plus Stapper's negative binomial (economics.md §2.2).
#pragma once

#include <memory>

#include "xpusim/cost/yield_model.h"

namespace xpusim::impl {

// x = D0·A, the mean number of killer defects per die (area · density is dimensionless).
inline double mean_defects(SquareMillimeters area, PerSquareMillimeter d0) { return area * d0; }

std::unique_ptr<YieldModel> make_poisson_yield();
std::unique_ptr<YieldModel> make_murphy_yield();
std::unique_ptr<YieldModel> make_seeds_yield();
std::unique_ptr<YieldModel> make_rectangular_yield();
std::unique_ptr<YieldModel> make_moore_yield();
std::unique_ptr<YieldModel> make_negative_binomial_yield(double alpha);
std::unique_ptr<YieldModel> make_bose_einstein_yield(int layers);

}  // namespace xpusim::impl
