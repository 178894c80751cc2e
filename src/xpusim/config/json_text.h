// SPDX-License-Identifier: Apache-2.0
// JSON text to nlohmann::json with the checks nlohmann leaves out (stage: config/, beside the
// YAML loader of document.h): duplicate keys -- nlohmann keeps the last one silently -- are
// errors naming the key and both places, as YAML duplicates are; nesting is bounded before any
// recursive code sees it. Used by the hardware JSON loader and the Hugging Face config reader.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "xpusim/base/diagnostic.h"

namespace xpusim {

// Parses `text` (named `file` in diagnostics). Errors, each at file:line:column: empty text, text
// above 1 MiB, nesting deeper than kMaxDocumentDepth (document.h), a key written twice in one
// object ("duplicate key "x" (first at line L, column C)"; at most 20 reported) and malformed
// JSON (nlohmann's reason, cut to 200 bytes). A top level that is not an object is left to the
// caller.
Result<nlohmann::json> parse_json_text(const std::string& text, const std::string& file);

}  // namespace xpusim
