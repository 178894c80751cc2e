// SPDX-License-Identifier: Apache-2.0
// The inputs as library calls (stage 11): a hardware spec or a model resolved (a preset id or a
// file, with --set overrides) with its derived figures, as `xpusim show hardware|model
// --format json` prints them. Top-level keys are the stable interface.
#pragma once

#include <string>
#include <vector>

#include "xpusim/api/perf.h"

namespace xpusim::api {

struct SpecRequest {
  std::string spec;                     // preset id or path (hardware/v1, model/v1, HF config.json)
  std::vector<std::string> overrides;   // --set path=value
};

// `show hardware --format json`: peaks, ridge points, bytes per FLOP and the resolved spec.
Result<Json> hardware(const SpecRequest& request);
Json hardware_json(const HardwareSpec& hw);

// `show model --format json`: parameter counts, weight and KV-cache bytes per precision, the spec.
Result<Json> model(const SpecRequest& request);
Json model_json(const ModelSpec& model);

}  // namespace xpusim::api
