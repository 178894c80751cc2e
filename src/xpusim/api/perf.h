// SPDX-License-Identifier: Apache-2.0
// The performance questions as library calls (stage 11, above every model; cli/ and python/ are
// its clients): one static-batch scenario (`xpusim run`), one GEMM (`xpusim gemm`) and every
// hardware preset ranked on one workload (`xpusim compare`). A request holds the values of the
// command's flags; the answer is the document `--format json` prints (key names are a contract)
// together with the results the table and CSV forms are drawn from. Bad input: diagnostics naming
// the flag, as the command prints them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "xpusim/base/diagnostic.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/config/model_spec.h"
#include "xpusim/cost/tco.h"
#include "xpusim/cost/token_economics.h"
#include "xpusim/perf/gemm_model.h"
#include "xpusim/perf/runtime_profile.h"
#include "xpusim/perf/static_sim.h"

namespace xpusim::api {

using Json = nlohmann::ordered_json;  // keys keep the order they are written in

// The workload of `run` and `compare`: --model, --batch, --input-len, --output-len, --precision,
// --kv-precision, --expert-precision.
struct StaticWorkload {
  std::string model;                 // preset id or file (model/v1 YAML, HF config.json)
  int64_t batch = 1;                 // requests in the static batch (per model replica)
  int64_t input_len = 128;           // prompt tokens per request
  int64_t output_len = 128;          // generated tokens per request
  std::string precision = "bf16";    // weights and compute
  std::string kv_precision;          // "" = the default for `precision`
  // The routed experts of a MoE model in their own format, as `--precision E` would run them
  // (gpt-oss: fp4 experts beside bf16 attention); "" = `precision` (workload/parallelism_plan.h).
  std::string expert_precision;
  // Values per scale of fp4/int4 weights (the checkpoint's group size: MXFP4 32, gpt-fast
  // --groupsize); 0 = the format's default block (config/precision.h default_block_scale).
  int weight_group = 0;
};

// ---- run ------------------------------------------------------------------------------------
struct RunRequest : StaticWorkload {
  std::string hardware;                     // preset id or file
  std::vector<std::string> overrides;       // --set path=value, applied to the hardware
  std::optional<int> devices;               // default tp x pp; more = data-parallel replicas
  int tp = 1, pp = 1, ep = 1, microbatches = 1;
  bool sequence_parallel = false;
  bool attention_dp = false;                // attention data parallelism (parallelism_plan.h)
  std::string runtime = std::string(kDefaultRuntime);  // RuntimeProfile name
  // Token economics (cost/token_economics.h); defaults from TcoAssumptions.
  double electricity_usd_per_kwh = TcoAssumptions{}.electricity.value() * 3.6e6;
  std::optional<double> device_price_usd;   // default: modelled cost / (1 - gross margin)
  double gross_margin = kDefaultGrossMargin;
  double lifetime_years = TcoAssumptions{}.lifetime.value() / (365.25 * 86400.0);
  std::optional<std::string> system;        // server class (cost/system_tco.h); default by hardware
  std::vector<std::string> system_params;   // NAME=VALUE overrides of the class
};

struct RunOutcome {
  HardwareSpec hw;
  ModelSpec model;
  StaticScenario scenario;
  std::string runtime;                          // the runtime profile's name
  StaticResult result;
  Result<TokenEconomics> economics;             // an error: no area/cost model for the hardware
  // The alternatives to an infeasible answer: the largest batch that fits this plan (memory
  // only), the smallest plan that fits this batch (memory or network).
  std::optional<int64_t> largest_feasible_batch;
  std::optional<ParallelismPlan> smallest_feasible_plan;
  Json json;                                    // `run --format json`
};

Result<RunOutcome> run_scenario(const RunRequest& request);
Result<Json> run(const RunRequest& request);

// ---- gemm -----------------------------------------------------------------------------------
// `gemm`'s default runtime: the vendor library's GEMM kernels (what PerfCalibration::
// matrix_efficiency describes), timed call by call from the host; validate uses it for the gemm rows.
inline constexpr std::string_view kGemmDefaultRuntime = "pytorch-eager";

struct GemmRequest {
  std::string hardware;
  std::vector<std::string> overrides;
  int64_t m = 0, n = 0, k = 0, batch = 1;
  std::string precision = "bf16";
  std::string weight_precision;             // "" = `precision` (else weight-only quantisation)
  int weight_group = 0;                     // values per scale of fp4/int4 B (0 = the default)
  // The software stack whose GEMM kernels and call overheads apply: the vendor library's
  // (cuBLAS-class, runtime matrix efficiency 1) by default, as validate's gemm rows.
  std::string runtime = std::string(kGemmDefaultRuntime);
};

struct GemmOutcome {
  HardwareSpec hw;
  GemmResult result;
  Json json;                                // `gemm --format json`
};

Result<GemmOutcome> gemm_scenario(const GemmRequest& request);
Result<Json> gemm(const GemmRequest& request);

// ---- compare --------------------------------------------------------------------------------
struct CompareRequest : StaticWorkload {
  std::vector<std::string> overrides;       // applied to every hardware preset
  // Hardware to rank (preset ids or hardware/v1 files, e.g. a design of one's own): these only,
  // in place of every preset; with `with_presets`, every preset as well. A file or id that does
  // not load is an error (it was asked for by name). Empty: every preset.
  std::vector<std::string> hardware;
  bool with_presets = false;
  std::optional<int> devices;               // devices per system (default: tp)
  std::optional<int> tp;                    // default: the smallest power of two that fits
};

struct CompareRow {
  std::string hardware;
  int tp = 0;                               // 0: none tried
  int devices = 0;
  StaticResult result;
  // The asked plan as this hardware executes it (perf/step_model.h executed_math: no engine for the
  // asked math means weight-only dequantisation to 16-bit); unset when the preset failed to load.
  std::optional<Precision> math_execution;
  bool weight_only_fallback = false;
  std::optional<Precision> expert_math_execution;  // set for a mixed plan (--expert-precision)
  std::string error;                        // the preset failed to load
  [[nodiscard]] bool feasible() const { return error.empty() && result.feasibility.feasible(); }
};

struct CompareOutcome {
  ModelSpec model;
  PrecisionPlan precision;
  // Ranked: by system tokens/s with --devices, else per device; infeasible rows last, by name.
  std::vector<CompareRow> rows;
  bool per_device = true;
  Json json;                                // `compare --format json`
};

Result<CompareOutcome> compare_scenario(const CompareRequest& request);
Result<Json> compare(const CompareRequest& request);

}  // namespace xpusim::api
