// SPDX-License-Identifier: Apache-2.0
// The model/v1 schema: every field of ModelSpec with its dotted path, range, default and meaning,
// plus the cross-field checks (GQA divisibility, MoE and MLA consistency). load_model() is the one
// entry point that turns a preset id, a YAML file or a Hugging Face config.json into a ModelSpec.
#pragma once

#include <string>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/config/document.h"
#include "xpusim/config/model_spec.h"
#include "xpusim/config/schema.h"

namespace xpusim {

// The schema of model/v1 files (also used to validate converted Hugging Face configs).
const Schema<ModelSpec>& model_schema();

// Applies `overrides` ("dotted.path=value", model/v1 paths) to `doc` and validates it.
Result<ModelSpec> parse_model_document(Document doc, const std::vector<std::string>& overrides);

// Loads a model: a file ending in .json is a Hugging Face config.json (converted to model/v1
// paths, see hf_config.h); anything else is a model/v1 YAML file or a preset id under
// data/presets/models/. Overrides apply in both cases and are validated like file values.
Result<ModelSpec> load_model(const std::string& id_or_file,
                             const std::vector<std::string>& overrides = {});

// As load_model() without overrides, keeping where each field came from: the base a design
// search sets model fields on (Schema::set) instead of re-reading the file per design.
Result<SourcedSpec<ModelSpec>> load_model_sourced(const std::string& id_or_file);

}  // namespace xpusim
