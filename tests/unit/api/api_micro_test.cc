// SPDX-License-Identifier: Apache-2.0
// api/micro.h: `collective` and `membw` give the collective and memory models' own answers (the
// ones every operator, serving step and validate row uses), size by size and kernel by kernel;
// their sweeps follow nccl-tests' -b/-e/-f; bad requests are diagnostics naming the flag.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "result_text.h"

#include "xpusim/api/micro.h"
#include "xpusim/config/hardware_schema.h"
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

}  // namespace
}  // namespace xpusim::api
