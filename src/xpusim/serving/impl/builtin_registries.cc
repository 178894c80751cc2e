// SPDX-License-Identifier: Apache-2.0
// The one place the built-in batch schedulers and routers are registered (CONVENTIONS §7).
#include "xpusim/base/check.h"
#include "xpusim/serving/impl/builtin_schedulers.h"

namespace xpusim {
namespace {
void must(Result<void> r) { XPUSIM_CHECK(r.has_value(), "duplicate built-in serving role"); }
}  // namespace

void register_builtin_batch_schedulers(BatchSchedulerRegistry& r) {
  must(r.add("decode_first", "running decodes, then prompt chunks, then new requests",
             impl::make_decode_first_scheduler));
  must(r.add("prefill_first", "prefill-only iterations while prompts wait, else decode",
             impl::make_prefill_first_scheduler));
}

void register_builtin_routers(RouterRegistry& r) {
  must(r.add("round_robin", "engines in turn", impl::make_round_robin_router));
  must(r.add("least_loaded", "fewest requests waiting or running", impl::make_least_loaded_router));
}

const BatchSchedulerRegistry& builtin_batch_schedulers() {
  static const BatchSchedulerRegistry registry = [] {
    BatchSchedulerRegistry r("batch scheduler");
    register_builtin_batch_schedulers(r);
    return r;
  }();
  return registry;
}

const RouterRegistry& builtin_routers() {
  static const RouterRegistry registry = [] {
    RouterRegistry r("router");
    register_builtin_routers(r);
    return r;
  }();
  return registry;
}

}  // namespace xpusim
