// SPDX-License-Identifier: Apache-2.0
// Which designs a search evaluates and how (dse/ stage 3): `grid` takes the designs in grid
// order, `random` a seeded sample without repetition; both are a list of design indices fixed
// before any evaluation, so the results do not depend on the number of threads. Designs are
// evaluated in blocks by std::thread workers; each block reaches the sink whole and in index-list
// order (a database writes it in one transaction).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "xpusim/dse/design_evaluator.h"

namespace xpusim {

enum class SearchStrategy { kGrid, kRandom };

// The designs to evaluate: grid -> 0, 1, ... (the first `max_evals`, 0 = all); random ->
// `max_evals` distinct indices drawn with `seed` (all of them in grid order when max_evals is 0
// or covers the grid).
std::vector<uint64_t> design_indices(uint64_t grid_size, SearchStrategy strategy,
                                     uint64_t max_evals, uint64_t seed);

// Evaluates `indices` with `threads` workers (>= 1), `block` designs at a time, and hands each
// block's results to `sink` in the order of `indices`.
void evaluate_designs(const DesignEvaluator& evaluator, const std::vector<uint64_t>& indices,
                      int threads, size_t block,
                      const std::function<void(std::vector<DesignResult>&)>& sink);

}  // namespace xpusim
