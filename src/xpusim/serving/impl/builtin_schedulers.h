// SPDX-License-Identifier: Apache-2.0
// Factories of the built-in serving roles (batch schedulers, routers), registered in
// builtin_registries.cc.
#pragma once

#include <memory>

#include "xpusim/serving/batch_scheduler.h"
#include "xpusim/serving/router.h"

namespace xpusim::impl {

std::unique_ptr<BatchScheduler> make_decode_first_scheduler();
std::unique_ptr<BatchScheduler> make_prefill_first_scheduler();
std::unique_ptr<Router> make_round_robin_router();
std::unique_ptr<Router> make_least_loaded_router();

}  // namespace xpusim::impl
