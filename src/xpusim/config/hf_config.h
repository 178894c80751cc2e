// SPDX-License-Identifier: Apache-2.0
// Reads a Hugging Face transformers `config.json` and rewrites it as a model/v1 Document (the
// same dotted paths as a YAML preset), so that --set overrides and the model schema's checks apply
// to it unchanged. Sits in config/ beside the YAML loader; load_model() picks it for ".json".
#pragma once

#include <string>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/config/document.h"

namespace xpusim {

// The `model_type` values understood, sorted.
std::vector<std::string> hf_supported_model_types();

// Converts config.json text. `file` names it in diagnostics (a JSON syntax error is reported at
// file:line:column) and its stem becomes the model id. Each model/v1 entry carries the line and
// column of the Hugging Face key it came from. Unknown model_type, a missing required key and a
// value of the wrong type are errors naming the file and the key.
Result<Document> hf_config_document_from_text(const std::string& text, const std::string& file);

// Reads and converts a config.json file.
Result<Document> hf_config_document(const std::string& path);

}  // namespace xpusim
