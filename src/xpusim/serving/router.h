// SPDX-License-Identifier: Apache-2.0
// Router: the pluggable role that sends each arriving request (or each KV transfer, in a
// disaggregated deployment) to one of the engines of a pool (stage: serving/). Built-ins:
// round_robin and least_loaded (impl/); the registry lists them.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "xpusim/base/registry.h"
#include "xpusim/serving/engine.h"

namespace xpusim {

class Router {
 public:
  virtual ~Router() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;
  // Index into `engines` (non-empty) of the engine that receives the next request. Deterministic.
  virtual size_t pick(std::span<Engine* const> engines) = 0;
};

using RouterRegistry = Registry<Router>;

// The registry of the built-in routers (filled once by register_builtin_routers).
const RouterRegistry& builtin_routers();
void register_builtin_routers(RouterRegistry& registry);

}  // namespace xpusim
