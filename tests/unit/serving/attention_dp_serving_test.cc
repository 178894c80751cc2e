// SPDX-License-Identifier: Apache-2.0
// Attention data parallelism in the serving simulator, on the DeepSeek-R1 preset: the replica's
// KV capacity grows ~tp-fold (no MLA latent replication), Offline throughput rises over TP
// attention (the mechanism's point), and a single decoding sequence is not faster than under TP
// (its rank reads the whole replicated attention weights).
#include <gtest/gtest.h>

#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/serving/engine_profile.h"
#include "xpusim/serving/serving_system.h"
#include "xpusim/workload/graph_builder.h"

namespace xpusim {
namespace {

ParallelismPlan plan8(bool adp) {
  ParallelismPlan p;
  p.tp = 8;
  p.ep = 8;
  p.attention_dp = adp;
  return p;
}

struct Fixture {
  HardwareSpec hw = load_hardware("b200-sxm-180gb").value();
  ModelSpec model = load_model("deepseek-r1").value();
  EngineProfile engine = load_engine("trtllm").value();
  PrecisionPlan fp4 = precision_plan_for(Precision::kFp4);

  std::unique_ptr<ServingSystem> system(bool adp) const {
    SystemConfig c;
    c.plan = plan8(adp);
    c.devices = 8;
    c.precision = fp4;
    c.engine = engine;
    auto s = ServingSystem::create(hw, model, c, default_calibration());
    EXPECT_TRUE(s.has_value()) << (s ? "" : to_string(s.error()));
    return std::move(*s);
  }
};

std::vector<RequestSpec> requests(int64_t n, int64_t in, int64_t out) {
  std::vector<RequestSpec> r(static_cast<size_t>(n));
  for (auto& x : r) {
    x.input_len = in;
    x.output_len = out;
  }
  return r;
}

TEST(AttentionDpServing, KvCapacityOfTheReplicaGrowsWithTheRanks) {
  const Fixture f;
  const auto tp = f.system(false), adp = f.system(true);
  ASSERT_TRUE(tp->info().feasibility.feasible());
  ASSERT_TRUE(adp->info().feasibility.feasible());
  // Per device the KV budget is a little smaller under attention DP (replicated attention, dense
  // and shared weights), but each token costs 1/8 of the latent: 8 x (budget ratio) more tokens.
  const double ratio = static_cast<double>(adp->info().kv_capacity_tokens) /
                       static_cast<double>(tp->info().kv_capacity_tokens);
  EXPECT_GT(ratio, 6.0);
  EXPECT_LE(ratio, 8.0 + 1e-9);
  EXPECT_GT(adp->info().weights_per_device.value(), tp->info().weights_per_device.value());
}

TEST(AttentionDpServing, OfflineThroughputRisesOverTpAttention) {
  const Fixture f;
  const auto reqs = requests(3000, 1000, 1000);
  ArrivalSpec offline;
  auto tp = f.system(false)->run(reqs, offline, RunOptions{});
  auto adp = f.system(true)->run(reqs, offline, RunOptions{});
  ASSERT_TRUE(tp.has_value()) << to_string(tp.error());
  ASSERT_TRUE(adp.has_value()) << to_string(adp.error());
  EXPECT_EQ(adp->counters.completed, 3000);
  EXPECT_GT(adp->output_tokens_per_s.value(), 1.5 * tp->output_tokens_per_s.value());
  // The replica runs 8 ranks' batches: a larger mean decode batch than TP's 256 cap.
  EXPECT_GT(adp->mean_decode_batch, tp->mean_decode_batch);
}

TEST(AttentionDpServing, OneDecodingSequenceIsNotFasterThanUnderTp) {
  const Fixture f;
  auto device = [&](bool adp) {
    return DeviceModel::create(f.hw, f.model, plan8(adp), f.fp4, default_calibration()).value();
  };
  DeviceModel tp = device(false), adp = device(true);
  const StepShape one = decode_shape(f.model, 1, 2048);
  const Seconds t_tp = tp.step(one).value().kernels();
  const Seconds t_adp = adp.step(one).value().kernels();
  // The rank holding the sequence reads all 128 heads' attention weights (TP: 16 heads' share).
  EXPECT_GE(t_adp.value(), t_tp.value());
}

// Under attention DP every rank runs its own scheduler (SGLang's DP-attention schedulers,
// TensorRT-LLM's per-rank executors): a replica's per-sequence host work is spread over its tp
// ranks, the per-step cost is paid once (in parallel). One scheduler otherwise.
TEST(AttentionDpServing, EachRankSchedulesItsOwnSequences) {
  EXPECT_EQ(plan8(true).host_schedulers(), 8);
  EXPECT_EQ(plan8(false).host_schedulers(), 1);
  // A host-heavy serial runtime: 1 ms per running sequence and step makes the host stage bind
  // at any batch, so the attention-DP replica's step time is the host work of its busiest
  // scheduler; the TP replica's that of all its sequences.
  const Fixture f;
  PerfCalibration cal = default_calibration();
  for (RuntimeProfile& p : cal.runtimes)
    if (p.name == f.engine.runtime) p.sequence_overhead = units::ms(1.0);
  auto busy_per_row = [&](bool adp) {
    SystemConfig c;
    c.plan = plan8(adp);
    c.devices = 8;
    c.precision = f.fp4;
    c.engine = f.engine;
    auto s = ServingSystem::create(f.hw, f.model, c, cal);
    EXPECT_TRUE(s.has_value()) << (s ? "" : to_string(s.error()));
    auto r = (*s)->run(requests(512, 64, 64), ArrivalSpec{}, RunOptions{});
    EXPECT_TRUE(r.has_value());
    return r->counters.busy_time / static_cast<double>(r->counters.step_decode_rows);
  };
  // Busy time per decode row: ~1 ms under TP, ~1/8 ms under attention DP (plus the device and
  // per-step costs, a small part at 1 ms per row).
  const double tp = busy_per_row(false), adp = busy_per_row(true);
  EXPECT_GT(tp, 1e-3);
  EXPECT_LT(adp, 0.25 * tp);
  EXPECT_GT(adp, 1e-3 / 8.0);
}

}  // namespace
}  // namespace xpusim
