// SPDX-License-Identifier: Apache-2.0
// round_robin: engines in turn (vLLM / SGLang data-parallel default, LoadGen issuing to replicas).
// least_loaded: the engine with the fewest requests waiting or running, lowest index on ties
// (llm-d / Dynamo style load-aware routing reduced to queue length).
#include "xpusim/serving/impl/builtin_schedulers.h"

namespace xpusim::impl {
namespace {

class RoundRobinRouter final : public Router {
 public:
  [[nodiscard]] std::string_view name() const override { return "round_robin"; }
  size_t pick(std::span<Engine* const> engines) override { return next_++ % engines.size(); }

 private:
  size_t next_ = 0;
};

class LeastLoadedRouter final : public Router {
 public:
  [[nodiscard]] std::string_view name() const override { return "least_loaded"; }
  size_t pick(std::span<Engine* const> engines) override {
    size_t best = 0;
    size_t best_load = SIZE_MAX;
    for (size_t i = 0; i < engines.size(); ++i) {
      const size_t load = engines[i]->waiting.size() + engines[i]->running.size();
      if (load < best_load) {
        best = i;
        best_load = load;
      }
    }
    return best;
  }
};

}  // namespace

std::unique_ptr<Router> make_round_robin_router() { return std::make_unique<RoundRobinRouter>(); }
std::unique_ptr<Router> make_least_loaded_router() { return std::make_unique<LeastLoadedRouter>(); }

}  // namespace xpusim::impl
