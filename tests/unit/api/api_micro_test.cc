// SPDX-License-Identifier: Apache-2.0
// api/micro.h: `collective`, `membw` and `power` give the collective, memory and power models'
// own answers (the ones every operator, serving step and validate row uses), size by size, kernel
// by kernel and load by load; the sweeps follow nccl-tests' -b/-e/-f; bad requests are
// diagnostics naming the flag.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "result_text.h"

#include "xpusim/api/economics.h"
#include "xpusim/api/micro.h"
#include "xpusim/api/perf.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/presets.h"
#include "xpusim/perf/collective_model.h"
#include "xpusim/perf/memory_system.h"
#include "xpusim/units/quantity.h"

namespace xpusim::api {
namespace {

template <class T>
std::string why(const Result<T>& r) {
  return xpusim::testing::error_text(r);
}

TEST(ApiMicro, CollectiveSweepIsTheCollectiveModelSizeBySize) {
  CollectiveRequest r;
  r.hardware = "mi300x";
  r.devices = 8;
  r.min_bytes = 1024;
  r.max_bytes = 1024.0 * 1024 * 1024;
  r.factor = 4;
  const auto j = collective(r);
  ASSERT_TRUE(j) << why(j);
  EXPECT_EQ((*j)["scale_up_topology"], "fully_connected");
  EXPECT_EQ((*j)["feasible"], true);
  const auto& sizes = (*j)["sizes"];
  ASSERT_EQ(sizes.size(), 11u);  // 1 KiB x 4^0..4^10 = 1 GiB
  EXPECT_EQ(sizes.front()["size_bytes"].get<double>(), 1024.0);
  EXPECT_EQ(sizes.back()["size_bytes"].get<double>(), 1024.0 * 1024 * 1024);
  const HardwareSpec hw = load_hardware("mi300x").value();
  for (const auto& row : sizes) {
    const double s = row["size_bytes"].get<double>();
    const CollectiveResult m = predict_collective(hw, CollectiveKind::kAllReduce, Bytes(s), 8,
                                                  nccl_defaults(default_calibration()))
                                   .value();
    EXPECT_NEAR(row["time_us"].get<double>(), units::to_us(m.time), 1e-5 * units::to_us(m.time));
    EXPECT_NEAR(row["busbw_gbs"].get<double>(), units::to_gb_per_s(m.bus_bandwidth),
                1e-5 * units::to_gb_per_s(m.bus_bandwidth));
    EXPECT_EQ(row["algorithm"], m.algorithm);
  }
  // Latency-bound small messages, bandwidth-bound large ones: busbw grows with the size.
  EXPECT_LT(sizes.front()["busbw_gbs"].get<double>(), sizes.back()["busbw_gbs"].get<double>());
}

// nccl-tests runs NCCL with its defaults: on an NVSwitch whose switches reduce (H100) a large
// all-reduce takes NVLS (in_network), whatever the default runtime's own all-reduce uses.
TEST(ApiMicro, CollectiveAllReduceTakesNvlsWhereTheSwitchesReduce) {
  CollectiveRequest r;
  r.hardware = "h100-sxm-80gb";
  r.devices = 8;
  r.min_bytes = r.max_bytes = 1024.0 * 1024 * 1024;
  const auto j = collective(r);
  ASSERT_TRUE(j) << why(j);
  EXPECT_EQ((*j)["scale_up_in_network_reduction"], true);
  const auto& row = (*j)["sizes"].at(0);
  EXPECT_EQ(row["algorithm"], "in_network");
  const HardwareSpec hw = load_hardware("h100-sxm-80gb").value();
  const CollectiveResult engine = predict_collective(hw, CollectiveKind::kAllReduce,
                                                     Bytes(1024.0 * 1024 * 1024), 8,
                                                     default_calibration())
                                      .value();
  EXPECT_NE(engine.algorithm, "in_network");
  EXPECT_GT(row["busbw_gbs"].get<double>(), 1.5 * units::to_gb_per_s(engine.bus_bandwidth));
  r.hardware = "mi300x";  // a mesh: no switch to reduce in
  EXPECT_EQ((*collective(r))["scale_up_in_network_reduction"], false);
}

TEST(ApiMicro, CopiesTakeThePairLinkAndTheHostLink) {
  const HardwareSpec hw = load_hardware("h100-sxm-80gb").value();
  const PerfCalibration& cal = default_calibration();
  CollectiveRequest r;
  r.hardware = "h100-sxm-80gb";
  r.op = "copy";
  r.devices = 2;
  r.min_bytes = r.max_bytes = 256.0 * 1024 * 1024;
  auto j = collective(r);
  ASSERT_TRUE(j) << why(j);
  ASSERT_EQ((*j)["sizes"].size(), 1u);
  const CollectiveResult copy = predict_copy(hw, Bytes(r.min_bytes), cal).value();
  EXPECT_NEAR((*j)["sizes"][0]["busbw_gbs"].get<double>(), units::to_gb_per_s(copy.bus_bandwidth),
              0.01);
  r.op = "host_copy";
  j = collective(r);
  ASSERT_TRUE(j) << why(j);
  EXPECT_EQ((*j)["devices"], 1);
  EXPECT_EQ((*j)["sizes"][0]["tier"], "host");
  const CollectiveResult host = predict_host_copy(hw, Bytes(r.min_bytes), cal).value();
  EXPECT_NEAR((*j)["sizes"][0]["busbw_gbs"].get<double>(), units::to_gb_per_s(host.bus_bandwidth),
              0.01);
}

TEST(ApiMicro, AGroupNoTierJoinsIsInfeasibleNotAnError) {
  CollectiveRequest r;
  r.hardware = "tpu-v5e";  // a 256-chip ICI torus; the preset describes no scale-out network
  r.devices = 512;
  const auto j = collective(r);
  ASSERT_TRUE(j) << why(j);
  EXPECT_EQ((*j)["feasible"], false);
  EXPECT_EQ((*j)["infeasible_reason"], "network");
  EXPECT_TRUE((*j)["sizes"].empty());
  r.devices = 256;
  const auto in = collective(r);
  ASSERT_TRUE(in) << why(in);
  EXPECT_EQ((*in)["feasible"], true);
  EXPECT_EQ((*in)["sizes"][0]["algorithm"], "ring");  // a torus runs rings per dimension
}

TEST(ApiMicro, BadCollectiveRequestsNameTheFlag) {
  CollectiveRequest r;
  r.hardware = "h100-sxm-80gb";
  r.op = "allreduce";
  auto j = collective(r);
  ASSERT_FALSE(j);
  EXPECT_NE(why(j).find("--op"), std::string::npos) << why(j);
  EXPECT_NE(why(j).find("all_reduce"), std::string::npos) << why(j);  // did you mean
  r.op = "all_reduce";
  r.min_bytes = 1e9;
  r.max_bytes = 1e3;
  j = collective(r);
  ASSERT_FALSE(j);
  EXPECT_NE(why(j).find("--min-bytes"), std::string::npos) << why(j);
  r.min_bytes = 1;
  r.max_bytes = 1e13;
  r.factor = 1.001;  // ~30,000 sizes
  j = collective(r);
  ASSERT_FALSE(j);
  EXPECT_NE(why(j).find("--factor"), std::string::npos) << why(j);
  r.factor = std::nan("");
  j = collective(r);
  ASSERT_FALSE(j);
  EXPECT_NE(why(j).find("--factor"), std::string::npos) << why(j);
  r.factor = 2;
  r.devices = 1;
  j = collective(r);
  ASSERT_FALSE(j);
  EXPECT_NE(why(j).find("--devices"), std::string::npos) << why(j);
}

TEST(ApiMicro, MembwIsTheMemoryModelKernelByKernel) {
  MembwRequest r;
  r.hardware = "mi300x";
  const auto j = membw(r);
  ASSERT_TRUE(j) << why(j);
  const HardwareSpec hw = load_hardware("mi300x").value();
  const MemoryBandwidth mb = memory_bandwidth(hw, default_calibration());
  // Figures are written to 6 significant digits (round6).
  EXPECT_NEAR((*j)["controllers_gbs"].get<double>(), units::to_gb_per_s(mb.controllers), 0.01);
  EXPECT_EQ((*j)["memory_dies"], 4);
  const auto& kernels = (*j)["kernels"];
  ASSERT_EQ(kernels.size(), 6u);  // BabelStream's: copy, mul, add, triad, dot, nstream
  for (const auto& k : kernels) {
    const StreamKernel sk = *find_stream_kernel(k["kernel"].get<std::string>());
    EXPECT_NEAR(k["bandwidth_gbs"].get<double>(),
                units::to_gb_per_s(mb.for_stream(sk.write_fraction)), 0.01);
  }
  // Writes cost turnarounds: a read-only stream (dot) is the fastest, copy (1/2 writes) the
  // slowest of the six.
  EXPECT_GT(kernels[4]["bandwidth_gbs"].get<double>(), kernels[3]["bandwidth_gbs"].get<double>());
  EXPECT_GT(kernels[3]["bandwidth_gbs"].get<double>(), kernels[0]["bandwidth_gbs"].get<double>());
}

TEST(ApiMicro, AFabricNarrowerThanTheControllersBindsTheStream) {
  MembwRequest r;
  r.hardware = "mi300x";
  r.overrides = {"physical.die_to_die.bandwidth=0.5 TB/s"};
  r.kernels = {"triad"};
  const auto j = membw(r);
  ASSERT_TRUE(j) << why(j);
  // link_efficiency x 4 IODs x 0.5 TB/s / 1 mean hop, below the controllers' ~4.8 TB/s.
  const double bound = default_calibration().link_efficiency * 4 * 500;
  EXPECT_NEAR((*j)["fabric_gbs"].get<double>(), bound, 1e-6 * bound);
  EXPECT_EQ((*j)["kernels"][0]["bound"], "die_to_die");
  EXPECT_NEAR((*j)["kernels"][0]["bandwidth_gbs"].get<double>(), bound, 1e-6 * bound);
}

TEST(ApiMicro, AnSramOnlyDesignStreamsFromItsOnChipStore) {
  MembwRequest r;
  r.hardware = "groq-lpu";  // memory.dram.type sram_only: weights and KV in the on-chip SRAM
  r.kernels = {"copy"};
  const auto j = membw(r);
  ASSERT_TRUE(j) << why(j);
  const HardwareSpec hw = load_hardware("groq-lpu").value();
  const BackingStore store = backing_store(hw);
  EXPECT_EQ((*j)["backing_store"], store.level);
  EXPECT_NEAR((*j)["peak_gbs"].get<double>(), units::to_gb_per_s(store.bandwidth), 0.01);
  // No refresh, no turnaround: the store's peak x l2_efficiency for every kernel.
  const double want = units::to_gb_per_s(store.bandwidth) * default_calibration().l2_efficiency;
  EXPECT_NEAR((*j)["kernels"][0]["bandwidth_gbs"].get<double>(), want, 1e-5 * want);
  EXPECT_EQ((*j)["kernels"][0]["bound"], "on_chip");
}

TEST(ApiMicro, UnknownKernelsAreNamedWithTheAllowedOnes) {
  MembwRequest r;
  r.hardware = "h100-sxm-80gb";
  r.kernels = {"triad", "copyy", "stream"};
  const auto j = membw(r);
  ASSERT_FALSE(j);
  const std::string text = why(j);
  EXPECT_NE(text.find("\"copyy\""), std::string::npos) << text;
  EXPECT_NE(text.find("did you mean \"copy\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"stream\""), std::string::npos) << text;  // every bad one reported
}

// ---- power ----------------------------------------------------------------------------------

const Json& power_row(const Json& j, const std::string& kernel, const std::string& precision = "") {
  for (const auto& row : j["kernels"])
    if (row["kernel"] == kernel && (precision.empty() || row["precision"] == precision)) return row;
  ADD_FAILURE() << "no row " << kernel << " " << precision;
  static const Json none = Json::object();
  return none;
}

// One model, one answer: a gemm row is `xpusim gemm`'s clock, limit and rate for that shape.
TEST(ApiMicro, PowerGemmRowsAreGemmsClockAndRate) {
  for (const char* hw : {"h100-nvl-94gb", "a100-sxm-80gb", "mi300x"}) {
    PowerRequest r;
    r.hardware = hw;
    r.kernels = {"gemm"};
    r.m = 4096;
    r.n = 8192;
    r.k = 2048;
    const auto j = power(r);
    ASSERT_TRUE(j) << why(j);
    ASSERT_FALSE((*j)["kernels"].empty());
    for (const auto& row : (*j)["kernels"]) {
      GemmRequest g;
      g.hardware = hw;
      g.m = 4096;
      g.n = 8192;
      g.k = 2048;
      g.precision = row["precision"].get<std::string>();
      const auto gj = gemm(g);
      ASSERT_TRUE(gj) << why(gj);
      EXPECT_EQ(row["sustained_clock_ghz"], (*gj)["sustained_clock_ghz"]) << hw << " " << g.precision;
      EXPECT_EQ(row["power_limited"], (*gj)["power_limited"]) << hw << " " << g.precision;
      EXPECT_EQ(row["tflops"], (*gj)["tflops"]) << hw << " " << g.precision;
    }
  }
}

// Every format the engines run natively, and only those (A100: no fp8 engine, so no fp8 row).
TEST(ApiMicro, PowerGemmRowsCoverTheNativeFormats) {
  PowerRequest r;
  r.hardware = "a100-sxm-80gb";
  r.kernels = {"gemm"};
  const auto j = power(r);
  ASSERT_TRUE(j) << why(j);
  std::vector<std::string> formats;
  for (const auto& row : (*j)["kernels"]) formats.push_back(row["precision"].get<std::string>());
  EXPECT_NE(std::find(formats.begin(), formats.end(), "bf16"), formats.end());
  EXPECT_EQ(std::find(formats.begin(), formats.end(), "fp8"), formats.end());
  r.hardware = "h100-sxm-80gb";
  formats.clear();
  const auto h100 = power(r);
  ASSERT_TRUE(h100) << why(h100);
  for (const auto& row : (*h100)["kernels"]) formats.push_back(row["precision"].get<std::string>());
  EXPECT_NE(std::find(formats.begin(), formats.end(), "fp8"), formats.end());
}

// power_w is the sum of its components; a power-limited load sits at the TDP (the bisection's
// tolerance), an unlimited one at or under it, and a larger TDP lifts the limit.
TEST(ApiMicro, PowerComponentsSumAndTheLimitHoldsTheTdp) {
  PowerRequest r;
  r.hardware = "h100-nvl-94gb";  // 400 W: its dense GEMMs throttle in the model
  const auto j = power(r);
  ASSERT_TRUE(j) << why(j);
  const double tdp = (*j)["tdp_w"].get<double>();
  EXPECT_EQ(tdp, 400.0);
  int limited = 0;
  for (const auto& row : (*j)["kernels"]) {
    double sum = 0;
    for (const char* k : {"static_w", "busy_logic_w", "dram_background_w", "link_idle_w",
                          "matrix_w", "vector_w", "memory_w", "links_w"})
      sum += row[k].get<double>();
    const double total = row["power_w"].get<double>();
    EXPECT_NEAR(sum, total, 1e-4 * total) << row.dump();
    EXPECT_LE(total, row["power_at_boost_w"].get<double>() * (1 + 1e-9)) << row.dump();
    if (row["power_limited"].get<bool>()) {
      ++limited;
      EXPECT_LT(row["sustained_clock_ghz"].get<double>(), row["boost_clock_ghz"].get<double>());
      EXPECT_GT(row["power_at_boost_w"].get<double>(), tdp);
      EXPECT_NEAR(total, tdp, 0.01 * tdp) << row.dump();
    } else {
      EXPECT_EQ(row["sustained_clock_ghz"], row["boost_clock_ghz"]);
      EXPECT_LE(total, tdp * (1 + 1e-9)) << row.dump();
    }
  }
  EXPECT_GT(limited, 0);
  r.overrides = {"physical.tdp=2000 W"};
  const auto big = power(r);
  ASSERT_TRUE(big) << why(big);
  for (const auto& row : (*big)["kernels"]) EXPECT_FALSE(row["power_limited"].get<bool>());
}

// idle draws only the busy baseline; peak at boost is `area`'s peak_power_w; streaming draws
// DRAM power a GEMM of the same chip does not.
TEST(ApiMicro, PowerIdlePeakAndStreamRows) {
  PowerRequest r;
  r.hardware = "h200-sxm-141gb";
  const auto j = power(r);
  ASSERT_TRUE(j) << why(j);
  const Json& idle = power_row(*j, "idle");
  EXPECT_EQ(idle["matrix_w"].get<double>(), 0.0);
  EXPECT_EQ(idle["vector_w"].get<double>(), 0.0);
  EXPECT_EQ(idle["memory_w"].get<double>(), 0.0);
  EXPECT_GT(idle["busy_logic_w"].get<double>(), 0.0);
  EXPECT_GT(idle["static_w"].get<double>(), 0.0);
  AreaRequest a;
  a.hardware = "h200-sxm-141gb";
  const auto area_json = area(a);
  ASSERT_TRUE(area_json) << why(area_json);
  EXPECT_NEAR(power_row(*j, "peak")["power_at_boost_w"].get<double>(),
              (*area_json)["peak_power_w"].get<double>(), 1e-3);
  const Json& stream = power_row(*j, "stream");
  MembwRequest m;
  m.hardware = "h200-sxm-141gb";
  m.kernels = {"triad"};
  EXPECT_NEAR(stream["store_gbs"].get<double>(),
              (*membw(m))["kernels"][0]["bandwidth_gbs"].get<double>(), 0.01);
  EXPECT_GT(stream["memory_w"].get<double>(), power_row(*j, "gemm", "bf16")["memory_w"].get<double>());
  EXPECT_EQ(stream["matrix_w"].get<double>(), 0.0);
  EXPECT_TRUE(stream["tflops"].is_null());
}

TEST(ApiMicro, PowerRefusesUnknownLoadsFormatsAndADesignWithoutANode) {
  PowerRequest r;
  r.hardware = "h100-sxm-80gb";
  r.kernels = {"gemm", "gemmm"};
  auto j = power(r);
  ASSERT_FALSE(j);
  EXPECT_NE(why(j).find("did you mean \"gemm\""), std::string::npos) << why(j);
  r.kernels = {};
  r.m = r.n = r.k = 10000000;  // each within its bound, the product's FLOP beyond a 64-bit count
  j = power(r);
  ASSERT_FALSE(j);
  EXPECT_NE(why(j).find("--m x --n x --k:"), std::string::npos) << why(j);
  r.m = r.n = r.k = 8192;
  r.precisions = {"fp7"};
  j = power(r);
  ASSERT_FALSE(j);
  EXPECT_NE(why(j).find("--precision"), std::string::npos) << why(j);
  // The same design without its process node: the power model has no energies to scale.
  std::ifstream in(data_dir() + "/presets/hardware/h100-sxm-80gb.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  const auto at = yaml.find("    node: n4");
  ASSERT_NE(at, std::string::npos);
  yaml.erase(at, yaml.find('\n', at) + 1 - at);
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / "xpusim_power_no_node.yaml";
  std::ofstream(file) << yaml;
  r.precisions = {};
  r.hardware = file.string();
  j = power(r);
  std::filesystem::remove(file);
  ASSERT_FALSE(j);
  EXPECT_NE(why(j).find("process node"), std::string::npos) << why(j);
}

}  // namespace
}  // namespace xpusim::api
