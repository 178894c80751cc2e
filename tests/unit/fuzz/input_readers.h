// SPDX-License-Identifier: Apache-2.0
// The input readers the fuzz tests drive, by name, each from text in memory to a value or
// diagnostics: the YAML document loader with the four spec schemas, JSON (the hardware loader
// and the Hugging Face config reader with the model schema), the measured CSV reader, the trace
// reader (CSV and JSON lines) and the unit parser.
#pragma once

#include <string>
#include <vector>

#include "xpusim/base/diagnostic.h"

namespace xpusim::fuzz {

// The folder names under tests/data/fuzz/ and the seeds' kinds.
enum class Reader { kYaml, kJson, kHfConfig, kCsv, kTraceCsv, kTraceJsonl, kUnit };

const std::vector<Reader>& all_readers();
const char* reader_name(Reader r);  // "yaml", "json", "hf_config", "csv", ...

// Runs `input` through the reader (and the schema behind it). Returns the diagnostics of a
// refused input (empty for an accepted one). Exceptions propagate: the caller counts them as
// failures, as the library must return errors, not throw them.
Diagnostics run_reader(Reader r, const std::string& input);

// Why a set of diagnostics breaks the contract for messages: none for a refused input, or one
// that holds a control byte or is longer than 8 KiB (input echoed unbounded). "" when fine.
std::string message_problem(const Diagnostics& diags, bool refused);

}  // namespace xpusim::fuzz
