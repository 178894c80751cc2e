// SPDX-License-Identifier: Apache-2.0
#include "input_readers.h"

#include "xpusim/config/document.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/hf_config.h"
#include "xpusim/config/json_text.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/serving/dataset.h"
#include "xpusim/serving/engine_profile.h"
#include "xpusim/serving/trace_reader.h"
#include "xpusim/units/unit_parser.h"
#include "xpusim/validate/csv_reader.h"
#include "xpusim/validate/measured_row.h"

namespace xpusim::fuzz {
namespace {

template <class T>
Diagnostics errors_of(const Result<T>& r) {
  return r ? Diagnostics{} : r.error();
}

// A YAML document through the schema its "schema:" line names (all four when it names none).
Diagnostics yaml(const std::string& input) {
  auto doc = Document::from_yaml(input, "fuzz.yaml");
  if (!doc) return doc.error();
  const DocumentEntry* schema = doc->find("schema");
  const std::string name = schema ? schema->text : "";
  Diagnostics last;
  if (name.empty() || name.starts_with("hardware")) last = errors_of(hardware_schema().parse(*doc));
  if (name.empty() || name.starts_with("model")) last = errors_of(parse_model_document(*doc, {}));
  if (name.empty() || name.starts_with("dataset"))
    last = errors_of(parse_dataset_document(*doc, {}));
  if (name.empty() || name.starts_with("engine")) last = errors_of(parse_engine_document(*doc, {}));
  if (!name.empty() && !name.starts_with("hardware") && !name.starts_with("model") &&
      !name.starts_with("dataset") && !name.starts_with("engine"))
    last = errors_of(hardware_schema().parse(*doc));  // an unknown schema: one of them says so
  return last;
}

Diagnostics json(const std::string& input) {
  auto j = parse_json_text(input, "fuzz.json");
  if (!j) return j.error();
  auto doc = document_from_json(input, "fuzz.json");
  if (!doc) return doc.error();
  return errors_of(hardware_schema().parse(*doc));
}

Diagnostics hf_config(const std::string& input) {
  auto doc = hf_config_document_from_text(input, "fuzz.json");
  if (!doc) return doc.error();
  return errors_of(parse_model_document(std::move(*doc), {}));
}

Diagnostics csv(const std::string& input) {
  auto table = parse_csv(input, "fuzz.csv");
  if (!table) return table.error();
  return errors_of(load_measured(*table));
}

Diagnostics unit(const std::string& input) {
  auto q = parse_quantity_text(input);
  if (!q) return {Diagnostic{.message = q.error()}};
  // The formatter takes whatever the parser accepted (huge, tiny, odd dimensions).
  if (format_quantity(q->canonical, q->dim).empty())
    return {Diagnostic{.message = "empty formatted quantity"}};
  return {};
}

}  // namespace

const std::vector<Reader>& all_readers() {
  static const std::vector<Reader> readers = {Reader::kYaml,     Reader::kJson,
                                              Reader::kHfConfig, Reader::kCsv,
                                              Reader::kTraceCsv, Reader::kTraceJsonl,
                                              Reader::kUnit};
  return readers;
}

const char* reader_name(Reader r) {
  switch (r) {
    case Reader::kYaml: return "yaml";
    case Reader::kJson: return "json";
    case Reader::kHfConfig: return "hf_config";
    case Reader::kCsv: return "csv";
    case Reader::kTraceCsv: return "trace_csv";
    case Reader::kTraceJsonl: return "trace_jsonl";
    case Reader::kUnit: return "unit";
  }
  return "?";
}

Diagnostics run_reader(Reader r, const std::string& input) {
  switch (r) {
    case Reader::kYaml: return yaml(input);
    case Reader::kJson: return json(input);
    case Reader::kHfConfig: return hf_config(input);
    case Reader::kCsv: return csv(input);
    case Reader::kTraceCsv:
      return errors_of(parse_trace(input, TraceFormat::kCsv, "fuzz.csv"));
    case Reader::kTraceJsonl:
      return errors_of(parse_trace(input, TraceFormat::kJsonLines, "fuzz.jsonl"));
    case Reader::kUnit: return unit(input);
  }
  return {};
}

std::string message_problem(const Diagnostics& diags, bool refused) {
  if (refused && diags.empty()) return "refused without a diagnostic";
  for (const auto& d : diags) {
    const std::string s = d.to_string();
    if (s.empty()) return "an empty diagnostic";
    if (s.size() > 8192) return "a diagnostic of " + std::to_string(s.size()) + " bytes";
    for (char c : s)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
        return "a control byte in the diagnostic: " + s.substr(0, 200);
  }
  return "";
}

}  // namespace xpusim::fuzz
