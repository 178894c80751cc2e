// SPDX-License-Identifier: Apache-2.0
// Static-batch scenarios: invariants (monotone in resources, TP scaling bound, determinism),
// closed-form decode summation vs. stepping every token, memory capacity and max batch.
#include "xpusim/perf/static_sim.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "unit/perf/test_specs.h"
#include "xpusim/perf/op_model.h"
#include "xpusim/workload/graph_builder.h"

namespace xpusim {
namespace {

using testing::a100_like;
using testing::h100_like;
using testing::llama70b_like;
using testing::llama8b_like;

const PerfCalibration& cal() { return default_calibration(); }

using testing::tp_scenario;

TEST(StaticSim, RuntimeProfileOverheadsEnterTtftAndTpot) {
  // with_runtime copies the profile's overheads; the step and request costs add 1:1.
  RuntimeProfile a;
  a.name = "a";
  RuntimeProfile b = a;
  b.step_overhead = units::ms(1.0);
  b.request_overhead = units::ms(2.0);
  const StaticScenario sc = tp_scenario(1, 1, 128, 64);
  StaticResult ra = simulate_static(h100_like(), llama8b_like(), sc, with_runtime(cal(), a)).value();
  StaticResult rb = simulate_static(h100_like(), llama8b_like(), sc, with_runtime(cal(), b)).value();
  EXPECT_NEAR((rb.tpot - ra.tpot).value(), 1e-3, 1e-12);
  EXPECT_NEAR((rb.ttft - ra.ttft).value(), 2e-3, 1e-12);
  // A kernel gap is paid once per kernel: more time, never less.
  RuntimeProfile c = a;
  c.kernel_gap = units::us(5.0);
  StaticResult rc = simulate_static(h100_like(), llama8b_like(), sc, with_runtime(cal(), c)).value();
  EXPECT_GT(rc.tpot.value(), ra.tpot.value());
  // Slower GEMM kernels of a stack slow the compute-bound prefill (2048 tokens), never speed it.
  RuntimeProfile d = a;
  d.matrix_efficiency = 0.5;
  const StaticScenario long_prompt = tp_scenario(1, 8, 2048, 2);
  StaticResult fast = simulate_static(h100_like(), llama8b_like(), long_prompt, with_runtime(cal(), a)).value();
  StaticResult slow = simulate_static(h100_like(), llama8b_like(), long_prompt, with_runtime(cal(), d)).value();
  EXPECT_GT(slow.ttft.value(), 1.5 * fast.ttft.value());
}

TEST(StaticSim, BuiltInRuntimeProfiles) {
  for (const char* name : {"tensorrt-llm", "gpt-fast", "nemo", "vllm", "pytorch-eager"}) {
    const RuntimeProfile* p = find_runtime(cal().runtimes, name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_GE(p->kernel_gap.value(), 0.0) << name;
    EXPECT_GE(p->step_overhead.value(), 0.0) << name;
    EXPECT_FALSE(p->description.empty()) << name;
  }
  EXPECT_EQ(find_runtime(cal().runtimes, "tensorrt"), nullptr);
  // The default calibration carries the default profile's overheads.
  const RuntimeProfile* def = find_runtime(cal().runtimes, kDefaultRuntime);
  ASSERT_NE(def, nullptr);
  EXPECT_EQ(cal().step_overhead.value(), def->step_overhead.value());
  EXPECT_EQ(cal().kernel_overhead.value(), def->kernel_gap.value());
}

TEST(StaticSim, FixedRuntimeOverheadsOfTheShippedProfiles) {
  // Fixed model values, not fitted (data/calibration/default.yaml): gpt-fast replays one CUDA
  // graph per decode step (no host cost between steps); the TensorRT-LLM static benchmarks time
  // a batch already set up (no per-request cost in TTFT).
  const RuntimeProfile* gpt_fast = find_runtime(cal().runtimes, "gpt-fast");
  ASSERT_NE(gpt_fast, nullptr);
  EXPECT_EQ(gpt_fast->step_overhead.value(), 0.0);
  EXPECT_TRUE(gpt_fast->cuda_graphs);
  for (const char* name : {"tensorrt-llm", "nemo"}) {
    const RuntimeProfile* p = find_runtime(cal().runtimes, name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_EQ(p->request_overhead.value(), 0.0) << name;
  }
  // So gpt-fast's TPOT is its kernels alone: adding back a step cost adds exactly that.
  const StaticScenario sc = tp_scenario(1, 1, 128, 64);
  RuntimeProfile with_step = *gpt_fast;
  with_step.step_overhead = units::us(100.0);
  StaticResult r0 = simulate_static(h100_like(), llama8b_like(), sc, with_runtime(cal(), *gpt_fast)).value();
  StaticResult r1 = simulate_static(h100_like(), llama8b_like(), sc, with_runtime(cal(), with_step)).value();
  EXPECT_NEAR((r1.tpot - r0.tpot).value(), 100e-6, 1e-12);
}

TEST(StaticSim, ExecutorTensorRtLlmFusesGqaGroupsOf16) {
  // data/calibration/default.yaml: the executor-era TensorRT-LLM (tensorrt-llm-serve) compiles
  // its XQA decode kernel per group size (groups up to 32 fused), the 0.9 engine's precompiled
  // kernels stop at 8. A Llama-3.1-405B-like group of 16 query heads per KV head (64 / 4 here)
  // therefore reads the KV once per group on the executor stack, as with no limit at all, and
  // once per query head under a limit of 8 (slower, KV-bound decode at a long context).
  const RuntimeProfile* serve = find_runtime(cal().runtimes, "tensorrt-llm-serve");
  const RuntimeProfile* v09 = find_runtime(cal().runtimes, "tensorrt-llm");
  ASSERT_NE(serve, nullptr);
  ASSERT_NE(v09, nullptr);
  EXPECT_EQ(v09->gqa_fused_max_group, 8);
  ModelSpec m = llama70b_like();
  m.kv_heads = 4;
  const StaticScenario sc = tp_scenario(4, 32, 8192, 16);
  RuntimeProfile unlimited = *serve, limit8 = *serve;
  unlimited.gqa_fused_max_group = 0;
  limit8.gqa_fused_max_group = v09->gqa_fused_max_group;
  const auto tpot = [&](const RuntimeProfile& p) {
    return simulate_static(h100_like(), m, sc, with_runtime(cal(), p)).value().tpot.value();
  };
  EXPECT_DOUBLE_EQ(tpot(*serve), tpot(unlimited));
  EXPECT_GT(tpot(limit8), 1.5 * tpot(*serve));
}

TEST(StaticSim, IterationTimeOverlapIsAPipelineOfHostAndDevice) {
  // perf/calibration.h iteration_time: serial = the sum; overlapped = serial part + the slower of
  // device and output processing. Invariants over a grid, no pinned values: overlapped is never
  // slower than serial, never faster than the device time or the host time alone.
  for (double device_us : {0.0, 50.0, 2000.0, 40000.0})
    for (double step_us : {0.0, 800.0})
      for (double output_us : {0.0, 100.0, 2000.0, 200000.0})
        for (double amortised : {1.0, 10.0})
          for (double request_us : {0.0, 650.0}) {
            const Seconds device = units::us(device_us);
            const IterationHost h{.step = units::us(step_us), .output = units::us(output_us),
                                  .amortised = amortised, .request = units::us(request_us)};
            const Seconds serial = iteration_time(device, h, HostOverlap::kNone);
            const Seconds overlapped = iteration_time(device, h, HostOverlap::kOutput);
            const Seconds host_serial = h.step / amortised + h.request;
            const Seconds host = host_serial + h.output / amortised;
            EXPECT_NEAR(serial.value(), (device + host).value(), 1e-15);
            EXPECT_LE(overlapped.value(), serial.value() + 1e-15);
            EXPECT_GE(overlapped.value(), (device + host_serial).value() - 1e-15);
            EXPECT_GE(overlapped.value(), host.value() - 1e-15);
            // Nothing to overlap: the two are the same.
            if (output_us == 0 || device_us == 0) {
              EXPECT_NEAR(overlapped.value(), serial.value(), 1e-15);
            }
            // The whole host work overlapped (schedule_overlap, SGLang >= 0.4): request set-up
            // plus the slower of the device and the rest of the host work; never slower than
            // the output-only overlap, never faster than the device or the host work alone.
            const Seconds scheduled = iteration_time(device, h, HostOverlap::kAll);
            EXPECT_NEAR(scheduled.value(),
                        (h.request + max(device, (h.step + h.output) / amortised)).value(), 1e-15);
            EXPECT_LE(scheduled.value(), overlapped.value() + 1e-15);
            EXPECT_GE(scheduled.value(), (device + h.request).value() - 1e-15);
            EXPECT_GE(scheduled.value(), host.value() - 1e-15);
          }
  // schedule_overlap implies the output's overlap, whatever output_overlap says.
  PerfCalibration c;
  EXPECT_EQ(host_overlap(c), HostOverlap::kNone);
  c.output_overlap = true;
  EXPECT_EQ(host_overlap(c), HostOverlap::kOutput);
  c.schedule_overlap = true;
  EXPECT_EQ(host_overlap(c), HostOverlap::kAll);
  c.output_overlap = false;
  EXPECT_EQ(host_overlap(c), HostOverlap::kAll);
}

TEST(StaticSim, OutputOverlapOfTheDecodeStep) {
  // A static decode step of a runtime with a per-sequence host cost: with output_overlap the TPOT
  // is step_overhead + max(device, sequence_overhead x batch), never slower than the serial
  // runtime, never faster than its device step or its host work alone.
  const StaticScenario sc = tp_scenario(1, 64, 128, 64);
  RuntimeProfile device_only;
  device_only.name = "device-only";
  RuntimeProfile serial = device_only;
  serial.step_overhead = units::us(500.0);
  for (double per_seq_us : {1.0, 50.0, 1000.0}) {
    serial.sequence_overhead = units::us(per_seq_us);
    RuntimeProfile overlapped = serial;
    overlapped.output_overlap = true;
    auto tpot = [&](const RuntimeProfile& p) {
      return simulate_static(h100_like(), llama8b_like(), sc, with_runtime(cal(), p))->tpot;
    };
    const Seconds device = tpot(device_only);
    const Seconds s = tpot(serial), o = tpot(overlapped);
    const Seconds host = serial.step_overhead + serial.sequence_overhead * 64.0;
    EXPECT_NEAR(s.value(), (device + host).value(), 1e-12) << per_seq_us;
    EXPECT_LT(o.value(), s.value()) << per_seq_us;
    EXPECT_GE(o.value(), (device + serial.step_overhead).value() - 1e-12) << per_seq_us;
    EXPECT_GE(o.value(), host.value() - 1e-12) << per_seq_us;
    EXPECT_NEAR(o.value(),
                (serial.step_overhead + std::max(device, serial.sequence_overhead * 64.0)).value(),
                1e-12)
        << per_seq_us;
  }
}

TEST(StaticSim, OutputOverlapOfTheShippedVllmProfiles) {
  // data/calibration/default.yaml: vLLM >= 0.6 (and V1: the `vllm` profile) overlaps output
  // processing with the GPU step; vLLM 0.5 ran it on the scheduling loop. SGLang >= 0.4
  // (`sglang-0.4`) overlaps its whole host work, scheduling included; SGLang 0.3 (`sglang`) ran
  // serially. No other stack in the file claims either.
  const RuntimeProfile* v = find_runtime(cal().runtimes, "vllm");
  const RuntimeProfile* v05 = find_runtime(cal().runtimes, "vllm-0.5");
  const RuntimeProfile* sg = find_runtime(cal().runtimes, "sglang");
  const RuntimeProfile* sg04 = find_runtime(cal().runtimes, "sglang-0.4");
  ASSERT_NE(v, nullptr);
  ASSERT_NE(v05, nullptr);
  ASSERT_NE(sg, nullptr);
  ASSERT_NE(sg04, nullptr);
  EXPECT_TRUE(v->output_overlap);
  EXPECT_FALSE(v->schedule_overlap);
  EXPECT_FALSE(v05->output_overlap);
  EXPECT_TRUE(sg04->schedule_overlap);
  EXPECT_TRUE(sg04->output_overlap);
  EXPECT_FALSE(sg->schedule_overlap);
  EXPECT_FALSE(sg->output_overlap);
  // The 0.4 profile keeps the 0.3 fit's costs: only the overlap differs.
  EXPECT_EQ(sg04->step_overhead.value(), sg->step_overhead.value());
  EXPECT_EQ(sg04->sequence_overhead.value(), sg->sequence_overhead.value());
  for (const RuntimeProfile& p : cal().runtimes) {
    if (p.name != "vllm" && p.name != "sglang-0.4") {
      EXPECT_FALSE(p.output_overlap) << p.name;
    }
    if (p.name != "sglang-0.4") {
      EXPECT_FALSE(p.schedule_overlap) << p.name;
    }
  }
  EXPECT_TRUE(with_runtime(cal(), *v).output_overlap);
  EXPECT_FALSE(with_runtime(cal(), *v05).output_overlap);
  EXPECT_TRUE(with_runtime(cal(), *sg04).schedule_overlap);
}

TEST(StaticSim, LatencyDecomposition) {
  StaticResult r = simulate_static(h100_like(), llama70b_like(), tp_scenario(8, 32, 2048, 256), cal()).value();
  EXPECT_TRUE(r.feasibility.feasible()) << r.feasibility.to_string();
  EXPECT_GT(r.ttft.value(), 0);
  EXPECT_GT(r.tpot.value(), 0);
  EXPECT_NEAR(r.e2e_latency.value(), (r.ttft + r.tpot * 255.0).value(), 1e-12);
  EXPECT_NEAR(r.output_tokens_per_s.value(), 32.0 * 256.0 / r.e2e_latency.value(), 1e-9);
  EXPECT_FALSE(r.prefill.ops.empty());
  EXPECT_FALSE(r.decode.ops.empty());
}

TEST(StaticSim, ClosedFormDecodeEqualsSteppingEveryToken) {
  // tpot = step_overhead + mean over contexts L+1 .. L+O-1 of the decode graph time.
  const HardwareSpec hw = a100_like();
  const ModelSpec m = llama8b_like();
  StaticScenario sc = tp_scenario(1, 8, 500, 300);
  StaticResult r = simulate_static(hw, m, sc, cal()).value();
  double sum = 0;
  for (int64_t c = 501; c <= 799; ++c) {
    OpGraph g = build_decode_step(m, sc.plan, sc.precision, sc.batch, c).value();
    for (const auto& lg : g.layers)
      for (const auto& op : lg.ops) sum += predict_op(hw, op, cal()).time.value() * lg.repeat * op.count;
    for (const auto& op : g.other_ops) sum += predict_op(hw, op, cal()).time.value() * op.count;
  }
  double mean = sum / 299.0 + cal().step_overhead.value();
  EXPECT_NEAR(r.tpot.value() / mean, 1.0, 1e-9);
}

// Chunked attention makes decode attention a sawtooth of the context. Contexts 65 .. 193 with
// 64-token chunks start, halve and end on a chunk's first token, where a bisection to the chord
// sees three collinear points and would take the whole range for a line; a 100-token window on
// every second layer bends the curve inside the range. The TPOT is still the mean over every
// context, as with full attention above.
TEST(StaticSim, LocalAttentionDecodeEqualsSteppingEveryToken) {
  const HardwareSpec hw = a100_like();
  ModelSpec chunked = llama8b_like();
  chunked.attention_chunk = 64;
  chunked.full_attention_interval = 4;
  ModelSpec windowed = llama8b_like();
  windowed.sliding_window = 100;
  windowed.full_attention_interval = 2;
  for (const ModelSpec& m : {chunked, windowed}) {
    SCOPED_TRACE(m.attention_chunk > 0 ? "chunked" : "windowed");
    StaticScenario sc = tp_scenario(1, 8, 64, 130);  // decode contexts 65 .. 193
    StaticResult r = simulate_static(hw, m, sc, cal()).value();
    double sum = 0;
    for (int64_t c = 65; c <= 193; ++c) {
      OpGraph g = build_decode_step(m, sc.plan, sc.precision, sc.batch, c).value();
      for (const auto& lg : g.layers)
        for (const auto& op : lg.ops)
          sum += predict_op(hw, op, cal()).time.value() * lg.repeat * op.count;
      for (const auto& op : g.other_ops) sum += predict_op(hw, op, cal()).time.value() * op.count;
    }
    const double mean = sum / 129.0 + cal().step_overhead.value();
    EXPECT_NEAR(r.tpot.value() / mean, 1.0, 1e-9);
  }
}

TEST(StaticSim, MoreResourcesNeverSlower) {
  const ModelSpec m = llama70b_like();
  for (StaticScenario sc : {tp_scenario(8, 1, 128, 64), tp_scenario(8, 64, 2048, 128),
                            tp_scenario(4, 16, 512, 512)}) {
    const HardwareSpec base = h100_like();
    StaticResult r0 = simulate_static(base, m, sc, cal()).value();
    HardwareSpec bw = base;
    bw.memory.dram.bandwidth = bw.memory.dram.bandwidth * 1.5;
    HardwareSpec flops = base;
    flops.compute.matrix.macs_per_cycle[index_of(Precision::kBf16)] *= 2;
    HardwareSpec link = base;
    link.interconnect.scale_up.bandwidth = link.interconnect.scale_up.bandwidth * 2.0;
    HardwareSpec mem = base;
    mem.memory.dram.capacity = mem.memory.dram.capacity * 2.0;
    for (const HardwareSpec& hw : {bw, flops, link, mem}) {
      StaticResult r = simulate_static(hw, m, sc, cal()).value();
      EXPECT_LE(r.ttft, r0.ttft);
      EXPECT_LE(r.tpot, r0.tpot);
      EXPECT_LE(r.e2e_latency, r0.e2e_latency);
      EXPECT_GE(r.memory.max_batch, r0.memory.max_batch);
    }
  }
}

TEST(StaticSim, DoublingTensorParallelismNeverMoreThanHalvesLatency) {
  const ModelSpec m = llama70b_like();
  for (int64_t batch : {1, 16, 64}) {
    StaticResult prev = simulate_static(h100_like(), m, tp_scenario(1, batch, 1024, 128), cal()).value();
    for (int tp : {2, 4, 8}) {
      StaticResult r = simulate_static(h100_like(), m, tp_scenario(tp, batch, 1024, 128), cal()).value();
      EXPECT_GE(r.e2e_latency.value() * 2.0, prev.e2e_latency.value()) << "tp " << tp;
      EXPECT_GE(r.tpot.value() * 2.0, prev.tpot.value()) << "tp " << tp;
      EXPECT_GE(r.ttft.value() * 2.0, prev.ttft.value()) << "tp " << tp;
      prev = r;
    }
  }
}

TEST(StaticSim, DataParallelReplicasMultiplyThroughput) {
  StaticScenario one = tp_scenario(8, 16, 512, 128);
  StaticScenario two = one;
  two.devices = 16;
  StaticResult a = simulate_static(h100_like(), llama70b_like(), one, cal()).value();
  StaticResult b = simulate_static(h100_like(), llama70b_like(), two, cal()).value();
  EXPECT_EQ(b.replicas, 2);
  EXPECT_NEAR(b.output_tokens_per_s / a.output_tokens_per_s, 2.0, 1e-12);
  EXPECT_EQ(a.e2e_latency.value(), b.e2e_latency.value());
}

TEST(StaticSim, Deterministic) {
  StaticScenario sc = tp_scenario(4, 24, 700, 333);
  StaticResult a = simulate_static(a100_like(), llama70b_like(), sc, cal()).value();
  StaticResult b = simulate_static(a100_like(), llama70b_like(), sc, cal()).value();
  EXPECT_EQ(a.e2e_latency.value(), b.e2e_latency.value());
  EXPECT_EQ(a.decode.total.value(), b.decode.total.value());
}

TEST(StaticSim, InfeasibleWhenWeightsExceedMemory) {
  // Llama-70B in bf16 = ~141 GB of weights on one 80 GB device.
  StaticResult r = simulate_static(a100_like(), llama70b_like(), tp_scenario(1, 1, 128, 16), cal()).value();
  EXPECT_FALSE(r.feasibility.feasible());
  EXPECT_EQ(r.memory.max_batch, 0);
  EXPECT_NE(r.feasibility.to_string().find("weights need 141."), std::string::npos) << r.feasibility.to_string();
  EXPECT_NE(r.feasibility.to_string().find("the device has 80.0 GB"), std::string::npos)
      << r.feasibility.to_string();
}

TEST(StaticSim, MaxBatchHandCalculation) {
  // TP 4 on 80 GB. Per sequence on each device: KV = 80 x 2 x 2 x 128 x 2 B x (L + O) and the
  // prefill activations; the KV cache may use 90% of what weights, workspace and activations leave:
  // b x kv <= 0.9 x (80 GB - weights - workspace - b x act).
  const ModelSpec m = llama70b_like();
  StaticScenario sc = tp_scenario(4, 4000, 2048, 2048);
  StaticResult r = simulate_static(a100_like(), m, sc, cal()).value();
  EXPECT_FALSE(r.feasibility.feasible());
  const MemoryFootprint& f = r.memory;
  const double kv_seq = 80.0 * 2 * 2 * 128 * 2 * 4096;
  const double act_seq = f.activations.value() / 4000.0;
  const double frac = cal().memory_usable_fraction;
  const double free = f.capacity.value() - f.weights.value() - f.workspace.value();
  EXPECT_EQ(f.max_batch, static_cast<int64_t>(frac * free / (kv_seq + frac * act_seq)));
  EXPECT_GT(f.max_batch, 10);
  EXPECT_NE(r.feasibility.to_string().find("largest batch that fits is " + std::to_string(f.max_batch)),
            std::string::npos);
  sc.batch = f.max_batch;
  EXPECT_TRUE(simulate_static(a100_like(), m, sc, cal())->memory.fits);
  sc.batch = f.max_batch + 1;
  EXPECT_FALSE(simulate_static(a100_like(), m, sc, cal())->memory.fits);
}

// An infeasible result is a state (reason class + detail) with the footprint that explains it and
// no time, throughput or breakdown: those would not be predictions.
TEST(StaticSim, InfeasibleResultCarriesNoFigures) {
  StaticResult r = simulate_static(a100_like(), llama70b_like(), tp_scenario(1, 64, 2048, 2048),
                                   cal())
                       .value();
  EXPECT_EQ(r.feasibility.reason, InfeasibleReason::kMemory);
  EXPECT_EQ(r.feasibility.reason_name(), "memory");
  EXPECT_EQ(r.feasibility.detail, r.memory.reason);
  EXPECT_EQ(r.ttft.value(), 0);
  EXPECT_EQ(r.tpot.value(), 0);
  EXPECT_EQ(r.e2e_latency.value(), 0);
  EXPECT_EQ(r.output_tokens_per_s.value(), 0);
  EXPECT_TRUE(r.prefill.ops.empty());
  EXPECT_TRUE(r.decode.ops.empty());
  EXPECT_GT(r.memory.weights.value(), r.memory.capacity.value());
}

// A tensor-parallel group larger than the scale-up domain with no other path between devices.
TEST(StaticSim, NoInterconnectTierIsInfeasibleNetwork) {
  HardwareSpec hw = h100_like();
  hw.interconnect.scale_out.present = false;
  hw.interconnect.host_bandwidth.reset();
  StaticResult r = simulate_static(hw, llama70b_like(), tp_scenario(16, 1, 128, 16), cal()).value();
  EXPECT_EQ(r.feasibility.reason, InfeasibleReason::kNetwork);
  EXPECT_NE(r.feasibility.detail.find("16-device"), std::string::npos) << r.feasibility.detail;
  EXPECT_EQ(r.ttft.value(), 0);
  // The alternative stays inside the 8-device domain.
  auto alt = smallest_feasible_plan(hw, llama70b_like(), tp_scenario(16, 1, 128, 16), cal());
  ASSERT_TRUE(alt);
  ASSERT_TRUE(alt->has_value());
  EXPECT_LE((*alt)->devices_per_replica(), 8);
  EXPECT_TRUE(simulate_static(hw, llama70b_like(), tp_scenario((*alt)->tp, 1, 128, 16), cal())
                  ->feasibility.feasible());
}

// The smallest plan that fits is feasible, and the next smaller tensor-parallel degree is not.
TEST(StaticSim, SmallestFeasiblePlanFitsAndNothingSmallerDoes) {
  const ModelSpec m = llama70b_like();  // ~141 GB of bf16 weights on 80 GB devices
  for (int64_t batch : {1, 64, 256}) {
    StaticScenario sc = tp_scenario(1, batch, 2048, 512);
    auto alt = smallest_feasible_plan(a100_like(), m, sc, cal());
    ASSERT_TRUE(alt) << to_string(alt.error());
    ASSERT_TRUE(alt->has_value()) << batch;
    const ParallelismPlan p = **alt;
    EXPECT_EQ(p.pp, 1) << "the scenario's pp is kept when a tp fits";
    StaticScenario fit = tp_scenario(p.tp, batch, 2048, 512);
    EXPECT_TRUE(simulate_static(a100_like(), m, fit, cal())->feasibility.feasible()) << batch;
    for (int smaller = p.tp - 1; smaller >= 1; --smaller) {
      if (!check_plan(m, ParallelismPlan{smaller, 1, 1, 1, false})) continue;
      EXPECT_FALSE(simulate_static(a100_like(), m, tp_scenario(smaller, batch, 2048, 512), cal())
                       ->feasibility.feasible())
          << batch << " tp " << smaller;
    }
  }
  // Nothing fits a batch whose activations alone exceed a device at any degree: nullopt.
  auto none = smallest_feasible_plan(a100_like(), m, tp_scenario(1, 1 << 20, 4096, 4096), cal());
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST(StaticSim, OpsRespectPhysicalBounds) {
  const HardwareSpec hw = h100_like();
  StaticResult r = simulate_static(hw, llama70b_like(), tp_scenario(8, 32, 2048, 256), cal()).value();
  for (const PhaseBreakdown* ph : {&r.prefill, &r.decode}) {
    for (const OpBreakdown& op : ph->ops) {
      if (op.count <= 0) continue;
      Seconds floor_flop = op.flop / peak_matrix_rate(hw, Precision::kFp8);
      Seconds floor_bytes = op.bytes.dram / hw.memory.dram.bandwidth;
      EXPECT_GE(op.time, floor_flop) << op.name;
      EXPECT_GE(op.time, floor_bytes) << op.name;
    }
  }
}

TEST(StaticSim, WeightGemmsMemoryBoundInDecodeComputeBoundInPrefill) {
  // Batch 64: at batch 16 one layer's decode attention on a tp-8 shard reads ~10 us of KV, under
  // the kernel gap, so its bound depends on the fitted GQA re-read (latency at 0.045).
  StaticResult r = simulate_static(h100_like(), llama70b_like(), tp_scenario(8, 64, 4096, 64), cal()).value();
  auto find = [](const PhaseBreakdown& ph, const std::string& name) {
    for (const auto& op : ph.ops)
      if (op.name == name) return op;
    return OpBreakdown{};
  };
  EXPECT_EQ(find(r.decode, "mlp_up").bound, Bound::kDram);
  EXPECT_EQ(find(r.prefill, "mlp_up").bound, Bound::kMatrix);
  EXPECT_EQ(find(r.decode, "attention").bound, Bound::kDram);
}

}  // namespace
}  // namespace xpusim

namespace xpusim {
namespace {

TEST(StaticSim, SequenceParallelReplacesAllReduceWithReduceScatterAndAllGather) {
  StaticScenario sc = tp_scenario(8, 8, 2048, 16);
  sc.plan.sequence_parallel = true;
  StaticResult r = simulate_static(testing::h100_like(), llama70b_like(), sc, cal()).value();
  int rs = 0, ag = 0, ar = 0;
  for (const auto& op : r.prefill.ops) {
    rs += op.name == "attn_reduce_scatter" || op.name == "mlp_reduce_scatter";
    ag += op.name == "attn_all_gather" || op.name == "mlp_all_gather";
    ar += op.name == "attn_allreduce" || op.name == "mlp_allreduce";
  }
  EXPECT_EQ(rs, 2);
  EXPECT_EQ(ag, 2);
  EXPECT_EQ(ar, 0);
  // Norms run on 1/tp of the tokens.
  StaticResult plain = simulate_static(testing::h100_like(), llama70b_like(), tp_scenario(8, 8, 2048, 16), cal()).value();
  auto norm_bytes = [](const StaticResult& x) {
    for (const auto& op : x.prefill.ops)
      if (op.name == "attn_norm") return op.bytes.dram.value();
    return 0.0;
  };
  EXPECT_NEAR(norm_bytes(r) * 8 / norm_bytes(plain), 1.0, 1e-9);
}

TEST(StaticSim, PipelineMicrobatchesShortenPrefillAndCostDecodeWhenMoreThanStages) {
  // GPipe: prefill (pp + m - 1) stage times of a 1/m batch; decode max(m, pp) stage times.
  StaticScenario sc = tp_scenario(4, 16, 1024, 64);
  sc.plan.pp = 2;
  sc.devices = 8;
  StaticResult one = simulate_static(testing::h100_like(), llama70b_like(), sc, cal()).value();
  sc.plan.microbatches = 2;
  StaticResult two = simulate_static(testing::h100_like(), llama70b_like(), sc, cal()).value();
  sc.plan.microbatches = 4;
  StaticResult four = simulate_static(testing::h100_like(), llama70b_like(), sc, cal()).value();
  EXPECT_LT(two.ttft, one.ttft);
  EXPECT_LT(four.ttft, two.ttft);
  EXPECT_LE(two.tpot, one.tpot);  // m = pp: stages stay busy, smaller batches per stage
  EXPECT_GT(four.tpot, two.tpot);  // m > pp: every stage reads its weights m times per token
  bool p2p = false;
  for (const auto& op : one.decode.ops) p2p = p2p || (op.kind == OpKind::kP2p && op.count == 1.0);
  EXPECT_TRUE(p2p);
}

}  // namespace
}  // namespace xpusim
