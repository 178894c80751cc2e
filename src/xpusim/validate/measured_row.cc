// SPDX-License-Identifier: Apache-2.0
#include "xpusim/validate/measured_row.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>

#include "xpusim/base/bounds.h"
#include "xpusim/base/check.h"
#include "xpusim/base/input_file.h"
#include "xpusim/base/text.h"

namespace xpusim {

const std::vector<MeasuredMetricInfo>& metric_table() {
  // Units as fixed by the metric vocabulary of ../shared/validation/README.md.
  static const std::vector<MeasuredMetricInfo> table = {
      {MeasuredMetric::kTtftMs, "ttft_ms", "ms"},
      {MeasuredMetric::kTpotMs, "tpot_ms", "ms"},
      {MeasuredMetric::kE2eLatencyMs, "e2e_latency_ms", "ms"},
      {MeasuredMetric::kOutputTokensPerS, "output_tokens_per_s", "tokens/s"},
      {MeasuredMetric::kTotalTokensPerS, "total_tokens_per_s", "tokens/s"},
      {MeasuredMetric::kSamplesPerS, "samples_per_s", "samples/s"},
      {MeasuredMetric::kRequestsPerS, "requests_per_s", "requests/s"},
      {MeasuredMetric::kGemmTflops, "gemm_tflops", "TFLOP/s"},
      {MeasuredMetric::kGemmLatencyMs, "gemm_latency_ms", "ms"},
      {MeasuredMetric::kMemBwGbs, "mem_bw_gbs", "GB/s"},
      {MeasuredMetric::kBusbwGbs, "busbw_gbs", "GB/s"},
      {MeasuredMetric::kP2pGbs, "p2p_gbs", "GB/s"},
      {MeasuredMetric::kOpLatencyMs, "op_latency_ms", "ms"},
      {MeasuredMetric::kLayerLatencyMs, "layer_latency_ms", "ms"},
      {MeasuredMetric::kMeanTtftMs, "mean_ttft_ms", "ms"},
      {MeasuredMetric::kMeanTpotMs, "mean_tpot_ms", "ms"},
      {MeasuredMetric::kTokensPerSPerUser, "tokens_per_s_per_user", "tokens/s/user"},
  };
  return table;
}

std::optional<MeasuredMetric> metric_from_string(std::string_view name) {
  for (const auto& info : metric_table())
    if (info.name == name) return info.metric;
  return std::nullopt;
}

const MeasuredMetricInfo& metric_info(MeasuredMetric m) {
  for (const auto& info : metric_table())
    if (info.metric == m) return info;
  XPUSIM_CHECK(false, "metric missing from metric_table()");
  return metric_table().front();
}

const std::vector<std::string>& required_columns() {
  static const std::vector<std::string> cols = {"id",       "hardware", "num_devices",
                                                "scenario", "metric",   "value",
                                                "unit"};
  return cols;
}

const std::vector<std::string>& schema_columns() {
  static const std::vector<std::string> cols = {
      "id",    "source",      "hardware",   "num_devices", "tp",     "pp",    "model",
      "precision", "kv_precision", "scenario", "batch",   "input_len", "output_len", "m",
      "n",     "k",           "metric",     "value",       "unit",   "notes"};
  return cols;
}

namespace {

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

// The bound of each integer column: the same as the command line's (base/bounds.h).
const IntBound& column_bound(const std::string& column) {
  if (column == "num_devices") return bounds::kDevices;
  if (column == "tp" || column == "pp") return bounds::kParallelDegree;
  if (column == "batch") return bounds::kBatch;
  if (column == "input_len" || column == "output_len") return bounds::kSequenceTokens;
  return bounds::kGemmDim;  // m, n, k
}

// A positive integer column: blank -> nullopt; anything else must be a whole number >= 1 within
// the column's bound. Returns false (with `why`) when the text is not one.
template <class Int>
bool parse_positive_int(const std::string& column, const std::string& text,
                        std::optional<Int>& out, std::string& why) {
  std::string t = trim(text);
  if (t.empty()) {
    out.reset();
    return true;
  }
  Int v{};
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if ((ec != std::errc() && ec != std::errc::result_out_of_range) || ptr != t.data() + t.size() ||
      (ec == std::errc() && v < 1)) {
    why = "column " + column + ": expected a whole number >= 1, got " + quote(text);
    return false;
  }
  auto bounded = parse_bounded_int(t, column_bound(column));
  if (!bounded) {
    why = "column " + column + ": " + bounded.error();
    return false;
  }
  out = static_cast<Int>(*bounded);  // every bound fits int
  return true;
}

}  // namespace

namespace {

// Converts records one at a time, so that a file is checked as it streams: the header first,
// then each record; duplicate ids and a file without one usable row are found at the end.
class MeasuredLoader {
 public:
  explicit MeasuredLoader(const std::string& file) { set_.file = file; }

  Diagnostics check_header(const std::vector<std::string>& header, int line) {
    Diagnostics diags;
    for (size_t i = 0; i < header.size(); ++i) index_.emplace(header[i], i);
    for (const auto& col : required_columns()) {
      if (index_.contains(col)) continue;
      std::string msg = "missing required column \"" + col + "\"";
      if (auto m = closest_match(col, header)) msg += "; did you mean " + quote(*m) + "?";
      msg += " (required: " + join(required_columns()) + ")";
      diags.push_back(Diagnostic{.file = set_.file, .line = line, .message = msg});
    }
    for (const auto& h : header) {
      bool known = false;
      for (const auto& sc : schema_columns()) known = known || sc == h;
      if (!known) set_.ignored_columns.push_back(h);
    }
    return diags;
  }

  void add(const CsvRecord& rec) {
    if (std::string id = trim(field(rec, "id")); !id.empty()) {
      if (auto [first, inserted] = first_line_.emplace(id, rec.line); !inserted) {
        ++duplicate_count_;
        if (duplicates_.size() < kMaxReported)
          duplicates_.push_back(Diagnostic{set_.file, rec.line, 0, "id",
                                           "duplicate id " + quote(id) + " (first at line " +
                                               std::to_string(first->second) +
                                               "); every row needs its own id"});
        return;
      }
    }
    convert(rec);
  }

  Result<MeasuredSet> finish() && {
    if (!duplicates_.empty()) {
      if (duplicate_count_ > duplicates_.size())
        duplicates_.push_back(Diagnostic{.file = set_.file,
                                         .message = std::to_string(duplicate_count_) +
                                                    " duplicate ids in all (the first " +
                                                    std::to_string(kMaxReported) + " listed)"});
      return tl::unexpected(std::move(duplicates_));
    }
    if (set_.rows.empty()) {
      Diagnostics diags;
      if (set_.malformed.empty()) {
        diags.push_back(Diagnostic{.file = set_.file,
                                   .message = "no measured rows: the file has a header and no "
                                              "rows"});
        return tl::unexpected(diags);
      }
      for (const auto& m : set_.malformed) {
        if (diags.size() >= kMaxReported) break;
        diags.push_back(Diagnostic{set_.file, m.line, 0, "", m.reason});
      }
      diags.push_back(Diagnostic{.file = set_.file,
                                 .message = "no usable row: all " +
                                            std::to_string(set_.malformed.size()) +
                                            " rows are malformed"});
      return tl::unexpected(diags);
    }
    return std::move(set_);
  }

 private:
  static constexpr size_t kMaxReported = 20;
  static constexpr size_t kMaxIdBytes = 128;  // ids are short names ("vllm-h100-7")

  [[nodiscard]] const std::string& field(const CsvRecord& rec, std::string_view name) const {
    static const std::string kEmpty;
    auto it = index_.find(name);
    if (it == index_.end() || it->second >= rec.fields.size()) return kEmpty;
    return rec.fields[it->second];
  }

  void convert(const CsvRecord& rec) {
    auto f = [&](std::string_view name) { return trim(field(rec, name)); };
    MeasuredRow row;
    row.line = rec.line;
    row.id = f("id");
    row.source = f("source");
    row.hardware = f("hardware");
    row.model = f("model");
    row.precision = f("precision");
    row.kv_precision = f("kv_precision");
    row.scenario = f("scenario");
    row.notes = field(rec, "notes");
    std::string why;
    auto skip = [&](std::string reason) {
      set_.malformed.push_back(SkippedRow{row.id.empty() ? "(line " + std::to_string(rec.line) + ")"
                                                        : row.id,
                                         rec.line, std::move(reason)});
    };
    if (row.id.empty()) {
      skip("column id: blank");
      return;
    }
    if (row.id.size() > kMaxIdBytes) {
      std::string id = std::move(row.id);
      row.id.clear();  // listed as "(line N)"
      skip("column id: " + quote(id) + " is longer than " + std::to_string(kMaxIdBytes) +
           " bytes");
      return;
    }
    if (row.hardware.empty()) {
      skip("column hardware: blank");
      return;
    }
    if (row.scenario.empty()) {
      skip("column scenario: blank");
      return;
    }
    std::optional<int> devices;
    if (!parse_positive_int("num_devices", f("num_devices"), devices, why)) {
      skip(why);
      return;
    }
    if (!devices) {
      skip("column num_devices: blank (the number of accelerators is required)");
      return;
    }
    row.num_devices = *devices;
    bool ok = parse_positive_int("tp", f("tp"), row.tp, why) &&
              parse_positive_int("pp", f("pp"), row.pp, why) &&
              parse_positive_int("batch", f("batch"), row.batch, why) &&
              parse_positive_int("input_len", f("input_len"), row.input_len, why) &&
              parse_positive_int("output_len", f("output_len"), row.output_len, why) &&
              parse_positive_int("m", f("m"), row.m, why) &&
              parse_positive_int("n", f("n"), row.n, why) &&
              parse_positive_int("k", f("k"), row.k, why);
    if (!ok) {
      skip(why);
      return;
    }
    std::string metric_text = f("metric");
    auto metric = metric_from_string(metric_text);
    if (!metric) {
      std::vector<std::string> names;
      for (const auto& info : metric_table()) names.emplace_back(info.name);
      std::string msg = "column metric: unknown metric " + quote(metric_text);
      if (auto m = closest_match(metric_text, names)) msg += "; did you mean \"" + *m + "\"?";
      skip(msg);
      return;
    }
    row.metric = *metric;
    std::string unit = f("unit");
    if (unit != metric_info(*metric).unit) {
      skip("column unit: " + quote(unit) + " is not the unit of metric " + metric_text +
           " (expected \"" + std::string(metric_info(*metric).unit) + "\")");
      return;
    }
    std::string value_text = f("value");
    char* end = nullptr;
    errno = 0;
    double v = value_text.empty() ? 0.0 : std::strtod(value_text.c_str(), &end);
    if (value_text.empty() || end != value_text.c_str() + value_text.size() || errno == ERANGE ||
        !std::isfinite(v) || v <= 0.0) {
      skip("column value: expected a positive number, got " + quote(value_text));
      return;
    }
    if (v < bounds::kMeasuredValue.lo || v > bounds::kMeasuredValue.hi) {
      skip("column value: " + out_of_range_message(value_text, bounds::kMeasuredValue));
      return;
    }
    row.value = v;
    set_.rows.push_back(std::move(row));
  }

  MeasuredSet set_;
  std::map<std::string, size_t, std::less<>> index_;
  std::map<std::string, int> first_line_;  // id -> the line that used it first
  Diagnostics duplicates_;
  size_t duplicate_count_ = 0;
};

}  // namespace

Result<MeasuredSet> load_measured(const CsvTable& table) {
  MeasuredLoader loader(table.file());
  if (Diagnostics d = loader.check_header(table.header(), 1); !d.empty())
    return tl::unexpected(d);
  for (const auto& rec : table.records()) loader.add(rec);
  return std::move(loader).finish();
}

Result<MeasuredSet> load_measured_file(const std::string& path) {
  MeasuredLoader loader(path);
  auto header = stream_csv_file(
      path, kMaxTableFileBytes,
      [&](const std::vector<std::string>& h, int line) { return loader.check_header(h, line); },
      [&](CsvRecord&& rec) { loader.add(rec); });
  if (!header) return tl::unexpected(header.error());
  return std::move(loader).finish();
}

}  // namespace xpusim
