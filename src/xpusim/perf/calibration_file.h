// SPDX-License-Identifier: Apache-2.0
// The calibration file (schema calibration/v1, data/calibration/default.yaml): every constant of
// PerfCalibration and of its runtime profiles as data, each with its fit date and source, and the
// leave-one-family-out error bands by scenario class. One table (calibration_file.cc) maps the
// file's paths to the members, so a changed or added constant is one line there.
//
//   schema: calibration/v1
//   matrix_efficiency: {value: 0.9124, fitted: "2026-11-29", source: "..."}
//   collective_latency: {value: 4.128 us, fitted: ..., source: ...}
//   runtimes:
//     tensorrt-llm:
//       description: "..."
//       kernel_gap: {value: 15.77 us, fitted: ..., source: ...}
//   uncertainty:
//     static: {p10: -0.12, p90: 0.21, rows: 230, fitted: ..., source: ...}
//
// A file is read over the compiled-in copy of data/calibration/default.yaml: a partial file
// changes only what it names, so no constant is ever left at zero (and the ranges exclude zero
// wherever a constant divides).
#pragma once

#include <string>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/config/document.h"
#include "xpusim/config/schema.h"
#include "xpusim/perf/calibration.h"

namespace xpusim {

// Name and version the `schema:` key of a calibration file must carry.
inline constexpr const char* kCalibrationSchemaName = "calibration/v1";

// The compiled-in copy of data/calibration/default.yaml.
const std::string& builtin_calibration_text();

// The fields of the schema for `xpusim describe calibration`: the runtime profiles' fields under
// the placeholder runtimes.NAME.
std::vector<FieldInfo> calibration_schema_fields();

// Parses a calibration document (already laid over the built-in one, or the built-in itself).
Result<PerfCalibration> parse_calibration(const Document& doc);

// Reads `path` over the compiled-in default and validates it. The default runtime profile
// (kDefaultRuntime) is applied (with_runtime) to the result.
Result<PerfCalibration> load_calibration_file(const std::string& path);

// The calibration as a calibration/v1 YAML file (what `xpusim calibrate --out` writes); reading
// it back gives the same values.
std::string calibration_yaml(const PerfCalibration& cal);

// Makes default_calibration() read `path` (over the compiled-in default) instead of
// <data dir>/calibration/default.yaml: `--calibration FILE`. Call before the first
// default_calibration(); returns the file's diagnostics when it is invalid.
Result<void> use_calibration_file(const std::string& path);

// Scenario class of a validation scenario for the error bands: "static", "serving"
// (max_throughput, concurrency, mlperf_offline, mlperf_server), "gemm" (gemm, gemm_peak), or ""
// for the others (op, collectives: no headline prediction of run/serve/gemm).
std::string scenario_class(const std::string& scenario);
// The classes in the file, in order.
const std::vector<std::string>& scenario_classes();
// Hardware family of a preset id, the other key of the bands (the leave-one-family-out split and
// UncertaintyBand::families): NVIDIA Ampere (a100*), Ada (l40*, l4), Hopper (h100*, h200*,
// gh200*); any other id is its own family.
std::string hardware_family(const std::string& hardware_id);

// The interval [p10, p90] of a prediction under the band of its class. `time_like`: a duration
// (ms); otherwise a rate (tokens/s, TFLOP/s), whose interval is inverted. Always contains
// `predicted`.
struct Interval {
  double p10 = 0.0;
  double p90 = 0.0;
};
Interval uncertainty_interval(const UncertaintyBand& band, double predicted, bool time_like);

// The names in `band.families` ("ampere, ada, hopper" -> {"ampere", "ada", "hopper"}); empty when
// not recorded.
std::vector<std::string> band_families(const UncertaintyBand& band);

}  // namespace xpusim
