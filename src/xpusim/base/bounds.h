// SPDX-License-Identifier: Apache-2.0
// Numeric input bounds, the one place that says which numbers a user may give and why: a bound
// (allowed range plus its reason) per quantity the command line takes, strict parsing of the text
// as given, and checked int64 arithmetic for counts that grow on hot paths. cli/ checks every
// numeric flag here before any arithmetic; config/ schema tables carry the bounds of file fields
// (FieldOptions min/max/reason) and report them in the same words.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace xpusim {

// An integer input allowed in [lo, hi]; `reason` says where the limits come from.
struct IntBound {
  int64_t lo = 0;
  int64_t hi = std::numeric_limits<int64_t>::max();
  std::string_view reason;
};

// A real input allowed in [lo, hi] (an end excluded where `*_open`), shown in `unit`.
struct RealBound {
  double lo = 0;
  double hi = 0;
  std::string_view unit;  // "" for a plain number: "mm", "USD", "years" ...
  std::string_view reason;
  bool lo_open = false;
  bool hi_open = false;
};

// "<given> is out of range; allowed <lo> .. <hi> (<reason>)". `given` is the text as the user
// wrote it, never a converted (clamped, wrapped) value.
std::string out_of_range_message(std::string_view given, const IntBound& b);
std::string out_of_range_message(std::string_view given, const RealBound& b);
// "1 .. 1048576", "25 .. 450 mm", "0 .. 1 (1 excluded)".
std::string range_text(const IntBound& b);
std::string range_text(const RealBound& b);

// Parses decimal integer text (an optional sign and digits, nothing else: no fraction, exponent,
// octal or hex reading) and checks it against `b`. Text beyond int64 is out of range, not clamped.
// The error is the message alone; the caller adds the flag or field it belongs to.
tl::expected<int64_t, std::string> parse_bounded_int(std::string_view text, const IntBound& b);
// Parses a finite decimal number ("300", "1e9", "-2.5"; not "nan", "inf" or hex) against `b`.
tl::expected<double, std::string> parse_bounded_real(std::string_view text, const RealBound& b);

// The message for a value already converted, or nullopt when it is within `b`.
std::optional<std::string> check_bound(int64_t value, const IntBound& b);
std::optional<std::string> check_bound(double value, const RealBound& b);

// ---- Checked arithmetic for counts ----------------------------------------------------------
// nullopt on overflow instead of wrapping (signed overflow is undefined behaviour in C++).
[[nodiscard]] constexpr std::optional<int64_t> checked_mul(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}
[[nodiscard]] constexpr std::optional<int64_t> checked_add(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}
[[nodiscard]] constexpr std::optional<int64_t> checked_product(std::initializer_list<int64_t> xs) {
  int64_t r = 1;
  for (int64_t x : xs) {
    auto next = checked_mul(r, x);
    if (!next) return std::nullopt;
    r = *next;
  }
  return r;
}
// Clamped to the int64 range: for counts only compared against a limit (a saturated count is
// still "more than the limit"), never printed.
[[nodiscard]] constexpr int64_t saturating_mul(int64_t a, int64_t b) {
  int64_t r = 0;
  if (!__builtin_mul_overflow(a, b, &r)) return r;
  return (a < 0) != (b < 0) ? std::numeric_limits<int64_t>::min()
                            : std::numeric_limits<int64_t>::max();
}
[[nodiscard]] constexpr int64_t saturating_add(int64_t a, int64_t b) {
  int64_t r = 0;
  if (!__builtin_add_overflow(a, b, &r)) return r;
  return b < 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
}
// ceil(a / b) for a >= 0, b > 0 without forming a + b - 1 (which wraps near INT64_MAX).
[[nodiscard]] constexpr int64_t ceil_div(int64_t a, int64_t b) {
  return a / b + (a % b != 0 ? 1 : 0);
}

// ---- The bounds -----------------------------------------------------------------------------
// Each is physical (beyond anything built or published) or representational (keeps the products
// the models form exact in int64 and far from double overflow). To bound a new flag, add a
// constant here and attach it in cli/ with bound_int()/bound_real() (cli/numeric_flags.h); a new
// file field gets FieldOptions{min, max, reason} in its schema table.
namespace bounds {

// --- Workload (run, compare, serve) ---
// 2^20 requests in one static batch: far more than fit any device's memory; with sequences of at
// most kSequenceTokens, batch x tokens < 2^47, so token, KV and FLOP counts stay exact.
inline constexpr IntBound kBatch{1, 1 << 20,
                                 "requests per static batch; 2^20 keeps batch x "
                                 "tokens exact"};
// The longest context a model file may declare (model/v1 max_context); the model's own
// max_context is checked on top of this.
inline constexpr IntBound kSequenceTokens{1, 100'000'000,
                                          "tokens per sequence; the longest "
                                          "context a model may declare"};
inline constexpr IntBound kDevices{1, 1'000'000, "devices; a million is beyond any cluster built"};
// The serving simulator holds every engine of the deployment (about 1 KB each): 65,536 devices
// keep it under 100 MB (a million took a second per 250k and a gigabyte).
inline constexpr IntBound kServeDevices{1, 65536, "devices of one simulated serving deployment"};
inline constexpr IntBound kParallelDegree{1, 4096,
                                          "ways of parallelism; beyond any scale-up "
                                          "domain or pipeline depth"};
inline constexpr IntBound kMicrobatches{1, 1 << 20, "pipeline microbatches; at most the batch"};
// Values per scale of 4-bit weights (config/precision.h storage_bytes_per_element): checkpoints
// use 16-128; 65,536 is a scale per row of the widest layers.
inline constexpr IntBound kWeightGroup{1, 65536, "values per scale (the checkpoint's group size)"};
// Each request of a simulation is held in memory (about 50 bytes): a million stay under 100 MB.
inline constexpr IntBound kRequests{1, 1'000'000, "requests per simulation"};
inline constexpr IntBound kConcurrency{1, 10'000'000, "closed-loop clients"};
inline constexpr IntBound kSeed{0, std::numeric_limits<int64_t>::max(), "a non-negative seed"};
// The serving clock counts int64 nanoseconds (292 years): a million requests at 1e-3/s span 31.
inline constexpr RealBound kRequestRate{1e-3, 1e7, "requests/s", "Poisson arrival rate; the "
                                                                 "simulated span must fit the "
                                                                 "clock"};
inline constexpr RealBound kLengthStdev{0, 1e8, "tokens", "spread of a length"};
inline constexpr RealBound kSloMs{0, 1e9, "ms", "a latency limit; 1e9 ms is 11 days", true, false};
// A measured figure of a validation file in its metric's unit (ms, tokens/s, TFLOP/s, GB/s): the
// public file spans 0.017 ms to 88,605 ms and 82,750 tokens/s; beyond 1e-6 .. 1e12 a figure is a
// typo or a unit slip, and its error would be inf or ~1e300 %.
inline constexpr RealBound kMeasuredValue{1e-6, 1e12, "", "a measured figure in its metric's unit"};

// --- Model files: every integer of model/v1 (layers, hidden, heads, vocab, max_context, ...) is
// at most 1e8 (the longest published context is 10.5 million tokens), which keeps products such
// as vocab x hidden far from int64 overflow.
inline constexpr IntBound kModelDimension{0, 100'000'000,
                                          "model dimensions and counts; 1e8 is "
                                          "beyond any published model"};

// --- gemm: cuBLAS and CUTLASS take int32 dimensions and batch counts ---
inline constexpr IntBound kGemmDim{1, std::numeric_limits<int32_t>::max(),
                                   "a GEMM dimension; BLAS libraries take int32 dimensions"};
inline constexpr IntBound kGemmBatch{1, std::numeric_limits<int32_t>::max(),
                                     "a GEMM batch count; BLAS libraries take an int32 count"};
// 2 x m x n x k x batch FLOP must be a count int64 holds exactly (9.2e18 FLOP: hours on any chip).
inline constexpr IntBound kGemmFlop{1, std::numeric_limits<int64_t>::max(),
                                    "2 x m x n x k x batch FLOP must fit a 64-bit count"};

// --- collective, membw: the interconnect and memory microbenchmarks ---
inline constexpr IntBound kCollectiveDevices{2, 1'000'000,
                                             "devices of a collective or copy; a million is "
                                             "beyond any cluster built"};
// 10 TB: more than any device holds; nccl-tests sweeps 8 B .. a few GB.
inline constexpr RealBound kMessageBytes{1, 1e13, "B", "a message size; 1e13 B is beyond any "
                                                       "device's memory"};
inline constexpr RealBound kSizeFactor{1, 1024, "", "the growth factor between message sizes "
                                                    "(nccl-tests -f)", true, false};
// Rows of one message-size sweep: nccl-tests' default 8 B .. 128 MiB by 2 is 25.
inline constexpr int64_t kMaxSweepSizes = 1000;

// --- Token economics (run, cost) ---
inline constexpr RealBound kElectricityUsdPerKwh{0, 100, "USD/kWh",
                                                 "electricity price; retail "
                                                 "peaks are below 1 USD/kWh"};
inline constexpr RealBound kDevicePriceUsd{0, 1e9, "USD", "price of one device"};
inline constexpr RealBound kGrossMargin{0, 1, "", "a fraction of the price", false, true};
inline constexpr RealBound kUtilization{0, 1, "", "a fraction of the lifetime in use", true, false};
inline constexpr RealBound kLifetimeYears{0, 100, "years", "a depreciation lifetime", true, false};
inline constexpr RealBound kPowerW{0,
                                   1e6,
                                   "W",
                                   "power of one device; a wafer-scale system "
                                   "draws 23 kW",
                                   true,
                                   false};
inline constexpr RealBound kTokensPerSecond{0,    1e12, "tokens/s", "throughput of one device",
                                            true, false};

// --- Silicon (area, wafer, cost, fab) ---
inline constexpr IntBound kUnitsOnDie{1, 1'000'000, "compute units on the dies"};
inline constexpr IntBound kDramPhys{0, 64, "DRAM PHY sites on a package"};
inline constexpr RealBound kWaferDiameterMm{25, 450, "mm",
                                            "1-inch to 450 mm: the wafer sizes "
                                            "ever made"};
// 0.1 mm: smaller dies are not singulated; with it at most ~2e7 dies fit a 450 mm wafer.
inline constexpr RealBound kDieSideMm{0.1, 450, "mm", "a die side; no larger than a wafer"};
inline constexpr RealBound kEdgeExclusionMm{0, 50, "mm",
                                            "an edge exclusion; production uses "
                                            "1-5 mm"};
inline constexpr RealBound kReticleFieldMm{1, 100, "mm",
                                           "an exposure field side; scanners "
                                           "expose 26 x 33 mm"};
inline constexpr RealBound kScribeMm{0, 10, "mm", "a scribe street; production uses 0.05-0.2 mm"};
inline constexpr RealBound kNotchKeepoutMm{0, 50, "mm", "a notch keep-out band"};
inline constexpr RealBound kDefectDensityPerCm2{0, 100, "per cm²",
                                                "killer defect density; "
                                                "production runs 0.05-1"};
inline constexpr RealBound kYieldAlpha{0.01, 1000, "", "negative-binomial clustering"};
inline constexpr IntBound kCriticalLayers{1, 1000, "Bose-Einstein critical layers"};
inline constexpr RealBound kWaferCostUsd{1, 1e6, "USD", "price of one wafer; N2 is ~30k USD"};
inline constexpr RealBound kVolume{1, 1e12, "packages", "units sold; 1e12 is 100 per person"};
inline constexpr RealBound kBondYield{0, 1, "", "a yield", true, false};
inline constexpr RealBound kUnitsPerYear{1, 1e12, "per year",
                                         "accelerators per year; 1e12 is "
                                         "100 per person on Earth"};
inline constexpr RealBound kBudgetUsd{1, 1e15, "USD",
                                      "a budget; 1e15 USD is ten years of world "
                                      "output"};
inline constexpr RealBound kFabAssumption{0, 1e15, "",
                                          "an assumption in its unit; 1e15 is "
                                          "beyond any fab count, price or rate"};

// --- validate / calibrate ---
inline constexpr IntBound kCalibrationRounds{1, 1000, "coordinate-descent rounds"};

}  // namespace bounds
}  // namespace xpusim
