// SPDX-License-Identifier: Apache-2.0
// Step model invariants: the memoised step time equals the op graph of the same step evaluated op
// by op (no interpolation error), a mixed step reads the weights once, only sampling rows pay for
// the LM head, and the static scenario's prefill and decode are steps of the same model.
#include "xpusim/perf/step_model.h"

#include <random>

#include <gtest/gtest.h>

#include "unit/perf/test_specs.h"
#include "xpusim/workload/graph_builder.h"

namespace xpusim {
namespace {

using testing::a100_like;
using testing::deepseek_like;
using testing::h100_like;
using testing::llama70b_like;
using testing::llama8b_like;
using testing::mixtral8x7b_like;

DeviceModel device(const ModelSpec& m, int tp = 1, int pp = 1) {
  ParallelismPlan plan;
  plan.tp = tp;
  plan.pp = pp;
  return DeviceModel::create(h100_like(), m, plan, precision_plan_for(Precision::kBf16),
                             default_calibration())
      .value();
}

// A random mixed step: a few prefill chunks (some with a cached prefix, some ending their prompt)
// and decode rows at random contexts.
StepShape random_shape(std::mt19937_64& rng, int window) {
  StepShape s;
  auto uniform = [&](int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
  };
  const int64_t chunks = uniform(0, 3);
  for (int64_t i = 0; i < chunks; ++i)
    add_prefill_chunk(s, uniform(1, 900), uniform(0, 3000), uniform(0, 1) == 1, window);
  const int64_t decodes = uniform(chunks == 0 ? 1 : 0, 300);
  for (int64_t i = 0; i < decodes; ++i) add_decode(s, uniform(1, 5000), window);
  return s;
}

void expect_same(const StepTime& a, const StepTime& b) {
  EXPECT_NEAR(a.layers.value(), b.layers.value(), 1e-12 + 1e-9 * b.layers.value());
  EXPECT_NEAR(a.other.value(), b.other.value(), 1e-12 + 1e-9 * b.other.value());
  EXPECT_NEAR(a.attention.value(), b.attention.value(), 1e-12 + 1e-9 * b.attention.value());
  EXPECT_NEAR(a.gemm_flop.value(), b.gemm_flop.value(), 1e-9 * b.gemm_flop.value());
  EXPECT_NEAR(a.bytes.dram.value(), b.bytes.dram.value(), 1e-9 * b.bytes.dram.value());
}

TEST(StepModel, MemoisedStepEqualsTheOpGraphEvaluatedOpByOp) {
  struct Case {
    ModelSpec model;
    int tp, pp;
  };
  const Case cases[] = {{llama8b_like(), 1, 1}, {llama70b_like(), 4, 1}, {llama70b_like(), 2, 2},
                        {mixtral8x7b_like(), 2, 1}, {deepseek_like(), 8, 1}};
  std::mt19937_64 rng(7);
  for (const Case& c : cases) {
    DeviceModel dm = device(c.model, c.tp, c.pp);
    for (int i = 0; i < 40; ++i) {
      const StepShape s = random_shape(rng, c.model.sliding_window);
      SCOPED_TRACE(c.model.id + " step " + std::to_string(i));
      expect_same(dm.step(s).value(), dm.evaluate(s).value());
      expect_same(dm.step(s).value(), dm.step(s).value());  // a memo hit gives the same answer
    }
  }
}

// Under attention DP the graph's ops depend on the busiest rank's share of each count
// (ceil(count / tp)) and the experts on the replica's tokens: still a function of the one count
// each op is memoised by, so the memoised step equals the graph evaluated op by op.
TEST(StepModel, MemoisedStepEqualsTheOpGraphUnderAttentionDp) {
  ParallelismPlan plan;
  plan.tp = 8;
  plan.ep = 8;
  plan.attention_dp = true;
  for (int pp : {1, 2}) {
    plan.pp = pp;
    DeviceModel dm = DeviceModel::create(h100_like(), deepseek_like(), plan,
                                         precision_plan_for(Precision::kFp8), default_calibration())
                         .value();
    std::mt19937_64 rng(11);
    for (int i = 0; i < 40; ++i) {
      const StepShape s = random_shape(rng, 0);
      SCOPED_TRACE("pp " + std::to_string(pp) + " step " + std::to_string(i));
      expect_same(dm.step(s).value(), dm.evaluate(s).value());
    }
  }
}

// Pipeline parallelism times the slowest stage: 80 layers over 3 stages are 27 + 27 + 26, so a
// stage takes 27 layer times, not the mean 26.67; a microbatch crosses all 80.
TEST(StepModel, PipelineStageIsTheSlowestStageNotTheMean) {
  StepShape s;
  add_decode(s, 8, 0, 2048);
  const StepTime one = device(llama70b_like(), 2, 1).step(s).value();
  const double per_layer = one.layers.value() / 80;
  for (int pp : {2, 3, 6, 7, 80}) {
    DeviceModel dm = device(llama70b_like(), 2, pp);
    const StepTime t = dm.step(s).value();
    const int largest = (80 + pp - 1) / pp;
    EXPECT_EQ(t.stage_layers, largest) << pp;
    EXPECT_NEAR(t.layers.value(), largest * per_layer, 1e-9 * one.layers.value()) << pp;
    EXPECT_NEAR(t.crossing.value(), one.layers.value(), 1e-9 * one.layers.value()) << pp;
    // Invariant: the pipelined time is never less than the slowest stage's layers x the stages.
    EXPECT_GE(t.latency(pp).value(), pp * largest * per_layer * (1 - 1e-12)) << pp;
    expect_same(t, dm.evaluate(s).value());
  }
}

// With a MoE model whose leading layers are dense, each stage is timed from its own layers (one
// dense and one MoE layer time, read off the pp = 1 breakdown) and the slowest one is the step's.
TEST(StepModel, MoeStagesAreTimedFromTheirOwnLayers) {
  StepShape s;
  add_decode(s, 16, 0, 1024);
  const ModelSpec m = deepseek_like();
  PhaseBreakdown b;
  ASSERT_TRUE(device(m, 8, 1).evaluate(s, &b));
  double dense = 0, moe = 0;
  for (const OpBreakdown& op : b.ops) (op.layer == "moe" ? moe : dense) += op.layer.empty() ? 0 : op.time.value();
  dense /= 3;
  moe /= 58;
  ASSERT_GT(dense, 0);
  ASSERT_GT(moe, 0);
  for (int pp : {2, 3, 4, 8, 61}) {
    const StepTime t = device(m, 8, pp).step(s).value();
    double slowest = 0;
    for (const StageLayers& st : pipeline_stages(m, pp))
      slowest = std::max(slowest, st.dense * dense + st.moe * moe);
    EXPECT_NEAR(t.layers.value(), slowest, 1e-9 * slowest) << pp;
    EXPECT_NEAR(t.crossing.value(), 3 * dense + 58 * moe, 1e-9 * t.crossing.value()) << pp;
    EXPECT_GE(t.layers.value(), t.crossing.value() / pp * (1 - 1e-12)) << pp;  // >= the mean
  }
}

// Precision actually executed: the A100 has no fp8 and Hopper no fp4 matrix engine, so those
// plans run weight-only (narrow weights dequantised to bf16, bf16 activations and math); the
// KV cache keeps its format; plans the engines have run as asked.
TEST(ExecutedPrecision, MissingEnginesFallBackToWeightOnly16Bit) {
  const PrecisionPlan fp8 = precision_plan_for(Precision::kFp8);
  const PrecisionPlan a100_fp8 = executed_precision_plan(a100_like(), fp8);
  EXPECT_EQ(a100_fp8.weights, Precision::kFp8);
  EXPECT_EQ(a100_fp8.activations, Precision::kBf16);
  EXPECT_EQ(a100_fp8.kv_cache, Precision::kFp8);
  EXPECT_EQ(executed_precision_plan(h100_like(), fp8), fp8);
  const PrecisionPlan fp4 = precision_plan_for(Precision::kFp4);
  const PrecisionPlan h100_fp4 = executed_precision_plan(h100_like(), fp4);
  EXPECT_EQ(h100_fp4.weights, Precision::kFp4);
  EXPECT_EQ(h100_fp4.activations, Precision::kBf16);  // not fp8: FP4 Marlin is W4A16
  for (Precision p : {Precision::kBf16, Precision::kInt8, Precision::kInt4})
    EXPECT_EQ(executed_precision_plan(a100_like(), precision_plan_for(p)), precision_plan_for(p));
  EXPECT_NE(precision_fallback_note(a100_like(), fp8)
                .value_or("")
                .find("fp8 GEMMs run as bf16 on a100-test (no fp8 matrix engine): weight-only, "
                      "fp8 weights dequantised to bf16, bf16 activations"),
            std::string::npos);
  EXPECT_FALSE(precision_fallback_note(h100_like(), fp8));
}

// The step model runs the executed plan: an fp8 plan on the A100 times exactly like the explicit
// weight-only plan; its decode step reads about half the bf16 bytes (the weights stay narrow),
// and its prefill pays the dequantisation on top of the 16-bit math (slower than bf16).
TEST(ExecutedPrecision, StepModelRunsTheWeightOnlyFallback) {
  PrecisionPlan w8a16 = precision_plan_for(Precision::kFp8);
  w8a16.activations = Precision::kBf16;
  auto model = [&](const PrecisionPlan& p) {
    return DeviceModel::create(a100_like(), llama8b_like(), ParallelismPlan{}, p,
                               default_calibration())
        .value();
  };
  DeviceModel fp8 = model(precision_plan_for(Precision::kFp8));
  DeviceModel explicit_w8a16 = model(w8a16);
  DeviceModel bf16 = model(precision_plan_for(Precision::kBf16));
  StepShape decode, prefill;
  add_decode(decode, 4, 0, 1024);
  add_prefill_chunk(prefill, 2048, 0, true, 0);
  expect_same(fp8.step(decode).value(), explicit_w8a16.step(decode).value());
  expect_same(fp8.step(prefill).value(), explicit_w8a16.step(prefill).value());
  EXPECT_LT(fp8.step(decode)->bytes.dram.value(), 0.6 * bf16.step(decode)->bytes.dram.value());
  EXPECT_GT(fp8.step(prefill)->layers, bf16.step(prefill)->layers);
  EXPECT_EQ(fp8.precision(), precision_plan_for(Precision::kFp8));  // as requested
}

TEST(StepModel, MixedStepReadsTheWeightsOnce) {
  // Batching a prefill chunk with decode rows costs less than running them as two steps (the
  // weights stream from DRAM once; Sarathi-Serve's piggybacking), and more than either alone.
  DeviceModel dm = device(llama70b_like(), 4);
  StepShape prefill, decode, mixed;
  add_prefill_chunk(prefill, 512, 0, true, 0);
  add_prefill_chunk(mixed, 512, 0, true, 0);
  for (int i = 0; i < 64; ++i) {
    add_decode(decode, 1000 + i, 0);
    add_decode(mixed, 1000 + i, 0);
  }
  const Seconds p = dm.step(prefill)->kernels(), d = dm.step(decode)->kernels(),
                m = dm.step(mixed)->kernels();
  EXPECT_LT(m, p + d);
  EXPECT_GT(m, max(p, d));
  EXPECT_LT(dm.step(mixed)->bytes.dram, dm.step(prefill)->bytes.dram + dm.step(decode)->bytes.dram);
}

TEST(StepModel, OnlySamplingRowsPayForTheLmHead) {
  DeviceModel dm = device(llama8b_like());
  StepShape middle, last;
  add_prefill_chunk(middle, 256, 256, false, 0);  // a chunk in the middle of a prompt
  add_prefill_chunk(last, 256, 256, true, 0);     // the chunk that ends it samples one token
  PhaseBreakdown b;
  dm.evaluate(middle, &b).value();
  for (const OpBreakdown& op : b.ops) EXPECT_NE(op.name, "lm_head");
  EXPECT_GT(dm.step(last)->other, dm.step(middle)->other);
  EXPECT_EQ(dm.step(last)->layers, dm.step(middle)->layers);
}

TEST(StepModel, CachedPrefixIsReadNotRecomputed) {
  // A chunk after 2048 cached tokens reads their K/V from the cache and attends to them: more
  // attention work than the same chunk alone, far less than prefilling all 2304 tokens.
  DeviceModel dm = device(llama8b_like());
  StepShape alone, after_cache, whole;
  add_prefill_chunk(alone, 256, 0, true, 0);
  add_prefill_chunk(after_cache, 256, 2048, true, 0);
  add_prefill_chunk(whole, 2304, 0, true, 0);
  EXPECT_GT(dm.step(after_cache)->attention, dm.step(alone)->attention);
  EXPECT_GT(dm.step(after_cache)->bytes.dram, dm.step(alone)->bytes.dram);
  EXPECT_LT(dm.step(after_cache)->kernels(), 0.5 * dm.step(whole)->kernels());
}

TEST(StepModel, SlidingWindowCapsTheKeys) {
  // Hand calculation: a 10-token chunk after 6 cached tokens under a window of 8 sees
  // min(6 + i, 8) keys for i = 1..10: 7 + 8 x 9 = 79 pairs.
  EXPECT_DOUBLE_EQ(causal_pairs(10, 6, 8), 79.0);
  EXPECT_DOUBLE_EQ(causal_pairs(4, 0, 0), 10.0);  // 1 + 2 + 3 + 4
  StepShape s;
  add_decode(s, 9000, 4096, 3);
  EXPECT_DOUBLE_EQ(s.decode_keys, 3 * 4096.0);
  EXPECT_EQ(s.decode_max_keys, 4096);
}

// Chunked attention on 3 of 4 layers (Llama 4's pattern on an 8B-like model): below one chunk
// every query sees what it sees under full attention, so the step is the same; past it the
// chunked layers see at most a chunk, so attention time and KV reads fall, and by no more than
// the local layers' share allows.
TEST(StepModel, ChunkedLayersAttendWithinTheirChunk) {
  ModelSpec full = llama8b_like();
  ModelSpec chunked = full;
  chunked.attention_chunk = 4096;
  chunked.full_attention_interval = 4;
  const AttentionSpan span = attention_span(chunked);
  EXPECT_EQ(span.chunk, 4096);
  EXPECT_DOUBLE_EQ(span.local_share, 0.75);
  DeviceModel f = device(full), c = device(chunked);
  auto step = [](DeviceModel& dm, int64_t tokens, int64_t cached, int64_t context,
                 const ModelSpec& m) {
    StepShape s;
    add_prefill_chunk(s, tokens, cached, true, attention_span(m));
    add_decode(s, context, attention_span(m), 64);
    return *dm.step(s);
  };
  expect_same(step(c, 2048, 1024, 4000, chunked), step(f, 2048, 1024, 4000, full));
  const StepTime lc = step(c, 2048, 30000, 32000, chunked);
  const StepTime lf = step(f, 2048, 30000, 32000, full);
  EXPECT_LT(lc.attention, 0.5 * lf.attention);
  EXPECT_GT(lc.attention, 0.25 * lf.attention);  // the full layers keep their share
  EXPECT_LT(lc.bytes.dram, lf.bytes.dram);
  EXPECT_EQ(lc.gemm_flop, lf.gemm_flop);  // the projections and MLPs do not change
}

TEST(StepModel, StaticShapesAreSteps) {
  // The static scenario's prefill of b prompts is one step of b uncached chunks that each sample.
  const ModelSpec m = llama8b_like();
  StepShape manual;
  for (int i = 0; i < 4; ++i) add_prefill_chunk(manual, 300, 0, true, m.sliding_window);
  const StepShape s = prefill_shape(m, 4, 300);
  EXPECT_EQ(s.prefill_tokens, manual.prefill_tokens);
  EXPECT_EQ(s.sampled_rows, manual.sampled_rows);
  EXPECT_DOUBLE_EQ(s.prefill_pairs, manual.prefill_pairs);
  EXPECT_DOUBLE_EQ(s.prefill_tile_keys, manual.prefill_tile_keys);
}

}  // namespace
}  // namespace xpusim
