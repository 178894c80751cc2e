// SPDX-License-Identifier: Apache-2.0
// Measured figures as typed rows (schema of ../shared/validation/README.md, measured_*.csv): the
// CSV records of csv_reader.h checked column by column. A malformed file or a missing required
// column is a Diagnostic; a row whose values are malformed is kept out and listed with the
// reason, so that one bad row never hides the others.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/validate/csv_reader.h"

namespace xpusim {

// The metric vocabulary of the schema, each with its one fixed unit (a measured row's metric;
// dse/metrics.h's Metric is a design's figure).
enum class MeasuredMetric {
  kTtftMs,
  kTpotMs,
  kE2eLatencyMs,
  kOutputTokensPerS,
  kTotalTokensPerS,
  kSamplesPerS,
  kRequestsPerS,
  kGemmTflops,
  kGemmLatencyMs,
  kMemBwGbs,
  kBusbwGbs,
  kP2pGbs,
  kOpLatencyMs,
  kLayerLatencyMs,
  kMeanTtftMs,
  kMeanTpotMs,
  kTokensPerSPerUser,
};

struct MeasuredMetricInfo {
  MeasuredMetric metric;
  std::string_view name;  // as written in the CSV ("ttft_ms")
  std::string_view unit;  // the unit the value column must be in ("ms")
};

// Every metric of the vocabulary.
const std::vector<MeasuredMetricInfo>& metric_table();
std::optional<MeasuredMetric> metric_from_string(std::string_view name);
const MeasuredMetricInfo& metric_info(MeasuredMetric m);

// One measured figure. `value` is a positive number in the metric's fixed unit (the metric name
// carries it: _ms, _gbs, _tflops, tokens/s ...); predictions are converted to that unit from
// typed quantities at the one place they are compared (validator.cc). Blank integer columns are
// nullopt; blank text columns are "".
struct MeasuredRow {
  int line = 0;  // line of the CSV file the row starts on
  std::string id;
  std::string source;
  std::string hardware;
  int num_devices = 0;
  std::optional<int> tp, pp;
  std::string model;
  std::string precision;
  std::string kv_precision;
  std::string scenario;
  std::optional<int> batch, input_len, output_len;
  std::optional<long long> m, n, k;
  MeasuredMetric metric = MeasuredMetric::kTtftMs;
  double value = 0.0;
  std::string notes;
};

// A row that could not be used, with the reason (also used for rows that cannot be simulated).
struct SkippedRow {
  std::string id;
  int line = 0;
  std::string reason;
};

struct MeasuredSet {
  std::string file;
  std::vector<MeasuredRow> rows;
  std::vector<SkippedRow> malformed;      // rows whose values are malformed, with the reason
  std::vector<std::string> ignored_columns;  // header columns outside the schema
};

// The columns a measured file must have (the others of the schema may be absent = blank).
const std::vector<std::string>& required_columns();
// Every column of the schema.
const std::vector<std::string>& schema_columns();

// Checks the header (missing required columns -> Diagnostic naming file:1 with a "did you mean"
// for a misspelt name) and converts every record; malformed rows go to `malformed`. Errors too:
// an id used by two rows (naming both lines; every row needs its own id), and a file without
// one usable row (no rows, or every row malformed -- each listed with its reason).
Result<MeasuredSet> load_measured(const CsvTable& table);
// The same, streaming the file (csv_reader.h's stream_csv_file, kMaxTableFileBytes): the header
// is checked before any row is read, and no table of raw records is kept.
Result<MeasuredSet> load_measured_file(const std::string& path);

}  // namespace xpusim
