// SPDX-License-Identifier: Apache-2.0
// BatchScheduler: the pluggable role that builds one iteration of an engine (stage: serving/): it
// chooses which running requests decode, which prefill chunks run, which waiting requests are
// admitted, within the engine profile's token budget and sequence cap, using the Engine's
// admission and preemption mechanics. Built-ins (impl/): decode_first (TensorRT-LLM in-flight
// batching, vLLM V1, Sarathi-Serve) and prefill_first (vLLM V0, SGLang); the engine profile's
// `schedule` field names one.
#pragma once

#include <memory>
#include <string_view>

#include "xpusim/base/registry.h"
#include "xpusim/serving/engine.h"

namespace xpusim {

class BatchScheduler {
 public:
  virtual ~BatchScheduler() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;
  // Fills engine.work and engine.shape (both empty on entry) with the next iteration; may admit
  // and preempt requests. Leaves them empty when there is nothing to run.
  virtual void schedule(Engine& engine) = 0;
  // Whether each iteration that decodes decodes every running decode-phase request (unless the
  // token budget runs out), planning them through Engine::plan_decode_pass (which decodes the
  // engine's steady rows in bulk). Both built-ins do.
  [[nodiscard]] virtual bool decodes_in_bulk() const { return false; }
};

using BatchSchedulerRegistry = Registry<BatchScheduler>;

const BatchSchedulerRegistry& builtin_batch_schedulers();
void register_builtin_batch_schedulers(BatchSchedulerRegistry& registry);

}  // namespace xpusim
