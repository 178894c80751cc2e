// SPDX-License-Identifier: Apache-2.0
// Bulk decoding of steady rows (Engine, "Steady decode rows") is an implementation of the
// schedulers' decode pass, not a model: every run must be the one the row-by-row pass gives, step
// by step (each iteration's start, duration, prefill and decode rows, running and waiting
// requests, KV blocks in use) and in every figure (counts, latency histograms to the bit). The
// cases cover each event the bulk path handles: completions, KV blocks allocated block by block,
// preemption by recompute, iterations whose budget cannot hold every decode row (the row-by-row
// pass and the way back), beams, disaggregated pools, prefix caching, prefill_first engines,
// token-granular KV (block size 1), closed loops, runs that stop early, models with local
// attention layers. And RunningList, the running batch with O(1) removal.
#include <random>

#include <gtest/gtest.h>

#include "unit/perf/test_specs.h"
#include "unit/serving/serving_test_util.h"
#include "xpusim/config/model_params.h"
#include "xpusim/serving/engine.h"
#include "xpusim/serving/serving_system.h"
#include "xpusim/workload/graph_builder.h"

namespace xpusim {
namespace {

using testing::h100_like;
using testing::llama8b_like;
using testing::varied_requests;
using testing::with_local_layers;

EngineProfile engine(int64_t max_batch, int64_t budget, AdmissionPolicy admission,
                     double memory_fraction = 0.9) {
  EngineProfile e = testing::test_engine(max_batch, budget, /*chunked=*/true, admission);
  e.memory_fraction = memory_fraction;
  return e;
}

std::unique_ptr<ServingSystem> make_system(const EngineProfile& e, int devices = 1,
                                           std::optional<Disaggregation> split = std::nullopt,
                                           const ModelSpec& model = llama8b_like()) {
  SystemConfig c;
  c.plan.tp = 1;
  c.devices = devices;
  c.precision = precision_plan_for(Precision::kBf16);
  c.engine = e;
  c.disaggregation = split;
  auto s = ServingSystem::create(h100_like(), model, c, default_calibration());
  EXPECT_TRUE(s.has_value()) << (s ? "" : to_string(s.error()));
  return std::move(*s);
}

ArrivalSpec poisson(double rate) { return testing::poisson(rate, 3); }

struct Traced {
  ServingResult result;
  std::vector<StepRecord> steps;
};

Traced run(ServingSystem& sys, const std::vector<RequestSpec>& reqs, const ArrivalSpec& a,
           bool bulk, RunOptions options = {}) {
  Traced t;
  options.bulk_decode = bulk;
  options.on_step = [&](const StepRecord& s) { t.steps.push_back(s); };
  auto r = sys.run(reqs, a, options);
  EXPECT_TRUE(r.has_value()) << (r ? "" : to_string(r.error()));
  if (r) t.result = *r;
  return t;
}

void expect_same_histogram(const LatencyHistogram& a, const LatencyHistogram& b,
                           const char* name) {
  SCOPED_TRACE(name);
  EXPECT_EQ(a.count(), b.count());
  EXPECT_EQ(a.sum(), b.sum());
  EXPECT_EQ(a.min(), b.min());
  EXPECT_EQ(a.max(), b.max());
  for (const double q : {0.1, 0.5, 0.9, 0.99, 0.999}) EXPECT_EQ(a.quantile(q), b.quantile(q));
}

// The bulk run equals the row-by-row run, iteration by iteration and in every figure.
void expect_same_run(const Traced& bulk, const Traced& rows) {
  ASSERT_EQ(bulk.steps.size(), rows.steps.size());
  for (size_t i = 0; i < rows.steps.size(); ++i) {
    const StepRecord& a = bulk.steps[i];
    const StepRecord& b = rows.steps[i];
    SCOPED_TRACE(::testing::Message() << "step " << i);
    ASSERT_EQ(a.engine, b.engine);
    ASSERT_EQ(a.start, b.start);
    ASSERT_EQ(a.duration, b.duration);
    ASSERT_EQ(a.prefill_tokens, b.prefill_tokens);
    ASSERT_EQ(a.prefill_chunks, b.prefill_chunks);
    ASSERT_EQ(a.decode_rows, b.decode_rows);
    ASSERT_EQ(a.running, b.running);
    ASSERT_EQ(a.waiting, b.waiting);
    ASSERT_EQ(a.kv_used_blocks, b.kv_used_blocks);
  }
  const ServingCounters& a = bulk.result.counters;
  const ServingCounters& b = rows.result.counters;
  expect_same_histogram(a.ttft, b.ttft, "ttft");
  expect_same_histogram(a.tpot, b.tpot, "tpot");
  expect_same_histogram(a.itl, b.itl, "itl");
  expect_same_histogram(a.e2e, b.e2e, "e2e");
  EXPECT_EQ(a.completed, b.completed);
  EXPECT_EQ(a.rejected, b.rejected);
  EXPECT_EQ(a.output_tokens, b.output_tokens);
  EXPECT_EQ(a.generated_tokens, b.generated_tokens);
  EXPECT_EQ(a.good_requests, b.good_requests);
  EXPECT_EQ(a.preemptions, b.preemptions);
  EXPECT_EQ(a.step_decode_rows, b.step_decode_rows);
  EXPECT_EQ(a.step_tokens, b.step_tokens);
  EXPECT_EQ(a.peak_kv_utilization, b.peak_kv_utilization);
  EXPECT_EQ(a.busy_time, b.busy_time);
  EXPECT_EQ(a.backlog_end, b.backlog_end);
  EXPECT_EQ(a.final_request_done, b.final_request_done);
  EXPECT_EQ(bulk.result.duration, rows.result.duration);
  EXPECT_EQ(bulk.result.stopped_early, rows.result.stopped_early);
}

void expect_bulk_equals_rows(ServingSystem& sys, const std::vector<RequestSpec>& reqs,
                             const ArrivalSpec& a, const RunOptions& options = {}) {
  const Traced bulk = run(sys, reqs, a, true, options);
  const Traced rows = run(sys, reqs, a, false, options);
  ASSERT_FALSE(rows.steps.empty());
  expect_same_run(bulk, rows);
}

TEST(BulkDecode, CompletionsAndReservedKvMatchTheRowByRowPass) {
  // guaranteed_no_evict: every block reserved at admission; rows only join and complete.
  auto sys = make_system(engine(256, 8192, AdmissionPolicy::kGuaranteedNoEvict));
  expect_bulk_equals_rows(*sys, varied_requests(600), poisson(30.0));
  expect_bulk_equals_rows(*sys, varied_requests(600), ArrivalSpec{});
}

TEST(BulkDecode, BlockByBlockGrowthAndPreemptionMatchTheRowByRowPass) {
  // max_utilization with a KV cache far smaller than the batch's contexts: rows grow a block
  // every 16 tokens, and the cache runs full and preempts the latest-admitted requests.
  auto sys = make_system(engine(256, 8192, AdmissionPolicy::kMaxUtilization, 0.3));
  const auto reqs = varied_requests(400, 400, 900);
  const Traced bulk = run(*sys, reqs, ArrivalSpec{}, true);
  EXPECT_GT(bulk.result.counters.preemptions, 0);
  expect_same_run(bulk, run(*sys, reqs, ArrivalSpec{}, false));
}

TEST(BulkDecode, BudgetBoundIterationsRunRowByRowAndReturn) {
  // A 48-token budget, four beams per request and 2-token prompts. (With one row per request an
  // iteration never has more decode rows than the budget: each prompt that completes took at
  // least one token of it in the iteration before. A completing prompt of four beams becomes
  // four rows.) Iterations then hold more decode rows than the budget and take the row-by-row
  // pass, which stops at the budget (48 decode rows while more requests decode), and iterations
  // with room return to bulk decoding.
  auto sys = make_system(engine(256, 48, AdmissionPolicy::kMaxUtilization));
  RunOptions beams;
  beams.beam_width = 4;
  std::vector<RequestSpec> reqs = varied_requests(300, 60, 300);
  for (auto& r : reqs) r.input_len = 2;
  const Traced bulk = run(*sys, reqs, ArrivalSpec{}, true, beams);
  int capped = 0, roomy = 0;
  for (const StepRecord& s : bulk.steps) {
    // Every running request decodes here (2-token prompts complete where they are admitted).
    if (s.decode_rows == 48 && s.running * 4 > 48 + s.prefill_chunks * 4) ++capped;
    if (s.decode_rows > 0 && s.decode_rows + 4 <= 48) ++roomy;
  }
  EXPECT_GT(capped, 0);
  EXPECT_GT(roomy, 0);
  expect_same_run(bulk, run(*sys, reqs, ArrivalSpec{}, false, beams));
}

TEST(BulkDecode, BeamsMatchTheRowByRowPass) {
  // Four beams per request: four decode rows each, the prompt's blocks once and each beam's own.
  auto sys = make_system(engine(64, 8192, AdmissionPolicy::kMaxUtilization, 0.3));
  RunOptions beams;
  beams.beam_width = 4;
  const auto reqs = varied_requests(200, 1000, 300);
  expect_bulk_equals_rows(*sys, reqs, ArrivalSpec{}, beams);
  expect_bulk_equals_rows(*sys, reqs, poisson(8.0), beams);
}

TEST(BulkDecode, DisaggregatedPoolsMatchTheRowByRowPass) {
  // The decode pool admits transferred requests as decode rows planned by row, which then join.
  auto sys = make_system(engine(256, 8192, AdmissionPolicy::kMaxUtilization), 3,
                         Disaggregation{1, 2});
  expect_bulk_equals_rows(*sys, varied_requests(500), poisson(25.0));
}

TEST(BulkDecode, PrefixCachingMatchesTheRowByRowPass) {
  EngineProfile e = engine(64, 2048, AdmissionPolicy::kMaxUtilization, 0.4);
  e.prefix_caching = true;
  auto sys = make_system(e);
  std::vector<RequestSpec> reqs = varied_requests(300, 2000, 300);
  for (size_t i = 0; i < reqs.size(); ++i) {
    reqs[i].prefix_id = static_cast<int64_t>(i % 3);
    reqs[i].prefix_len = std::min<int64_t>(reqs[i].input_len, 600);
  }
  expect_bulk_equals_rows(*sys, reqs, poisson(10.0));
}

TEST(BulkDecode, PrefillFirstEnginesMatchTheRowByRowPass) {
  // prefill_first (vLLM V0, SGLang): prefill-only iterations, in which no row decodes, between
  // decode iterations of every running request; requests whose prompt completed in them decode
  // by row once, then join. Chunked prompts, a small KV cache (growth, preemption), and a
  // disaggregated decode pool whose transferred requests are admitted between decode iterations.
  EngineProfile e = engine(256, 2048, AdmissionPolicy::kMaxUtilization, 0.3);
  e.schedule = SchedulePolicy::kPrefillFirst;
  auto sys = make_system(e);
  const auto reqs = varied_requests(400, 3000, 600);
  const Traced bulk = run(*sys, reqs, ArrivalSpec{}, true);
  EXPECT_GT(bulk.result.counters.preemptions, 0);
  expect_same_run(bulk, run(*sys, reqs, ArrivalSpec{}, false));
  expect_bulk_equals_rows(*sys, reqs, poisson(6.0));
  auto split = make_system(e, 3, Disaggregation{1, 2});
  expect_bulk_equals_rows(*split, varied_requests(300), poisson(20.0));
}

// Block size 1 under max-utilisation admission (SGLang's page size 1): every steady row takes a
// block (one per beam) every iteration, allocated together; the row-by-row pass runs when they do
// not all fit.
EngineProfile token_granular(SchedulePolicy schedule) {
  EngineProfile e = engine(256, 4096, AdmissionPolicy::kMaxUtilization, 0.3);
  e.kv_block_size = 1;
  e.schedule = schedule;
  return e;
}

TEST(BulkDecode, TokenGranularKvMatchesTheRowByRowPass) {
  // A small cache (preemptions) under both schedulers.
  for (const SchedulePolicy schedule : {SchedulePolicy::kDecodeFirst, SchedulePolicy::kPrefillFirst}) {
    auto sys = make_system(token_granular(schedule));
    const auto reqs = varied_requests(400, 400, 900);
    const Traced bulk = run(*sys, reqs, ArrivalSpec{}, true);
    EXPECT_GT(bulk.result.counters.preemptions, 0);
    expect_same_run(bulk, run(*sys, reqs, ArrivalSpec{}, false));
  }
}

TEST(BulkDecode, TokenGranularKvWithBeamsMatchesTheRowByRowPass) {
  RunOptions beams;
  beams.beam_width = 4;
  for (const SchedulePolicy schedule : {SchedulePolicy::kDecodeFirst, SchedulePolicy::kPrefillFirst})
    expect_bulk_equals_rows(*make_system(token_granular(schedule)),
                            varied_requests(150, 1000, 300), poisson(5.0), beams);
}

TEST(BulkDecode, TokenGranularKvWithIdlePrefixesMatchesTheRowByRowPass) {
  // Cached prefixes that go idle and are evicted (least recently used first) to make room.
  EngineProfile e = token_granular(SchedulePolicy::kDecodeFirst);
  e.prefix_caching = true;
  e.memory_fraction = 0.25;
  std::vector<RequestSpec> shared = varied_requests(400, 2000, 400);
  for (size_t i = 0; i < shared.size(); ++i) {
    shared[i].prefix_id = static_cast<int64_t>(i % 40);
    shared[i].prefix_len = std::min<int64_t>(shared[i].input_len, 700);
  }
  auto sys = make_system(e);
  expect_bulk_equals_rows(*sys, shared, poisson(8.0));
  expect_bulk_equals_rows(*sys, shared, ArrivalSpec{});
}

TEST(BulkDecode, ClosedLoopsAndEarlyStopsMatchTheRowByRowPass) {
  auto sys = make_system(engine(256, 4096, AdmissionPolicy::kGuaranteedNoEvict));
  ArrivalSpec clients;
  clients.kind = ArrivalSpec::Kind::kClosedLoop;
  clients.concurrency = 48;
  expect_bulk_equals_rows(*sys, varied_requests(400), clients);
  // An overloaded run that stops once its p99 TTFT is certain to exceed 1 s.
  RunOptions stop;
  stop.stop_when_p99_exceeds = RunOptions::P99Limits{.ttft = Seconds(1.0)};
  const Traced bulk = run(*sys, varied_requests(2000), poisson(200.0), true, stop);
  ASSERT_TRUE(bulk.result.stopped_early.has_value());
  expect_same_run(bulk, run(*sys, varied_requests(2000), poisson(200.0), false, stop));
}

TEST(BulkDecode, RandomEnginesAndWorkloadsMatchTheRowByRowPass) {
  // 40 engines and workloads drawn from a fixed sequence: block size, cache size, budget, seats,
  // chunking, scheduler, admission, prefix caching, beams, lengths, shared prefixes, arrivals.
  std::mt19937_64 rng(20261207);
  auto pick = [&](std::initializer_list<int64_t> v) {
    return *(v.begin() + static_cast<std::ptrdiff_t>(rng() % v.size()));
  };
  for (int i = 0; i < 40; ++i) {
    SCOPED_TRACE(::testing::Message() << "case " << i);
    EngineProfile e = engine(pick({4, 32, 256}), pick({16, 64, 512, 4096}),
                             pick({0, 1}) ? AdmissionPolicy::kMaxUtilization
                                          : AdmissionPolicy::kGuaranteedNoEvict,
                             static_cast<double>(pick({23, 25, 35, 90})) / 100.0);
    e.kv_block_size = pick({1, 2, 16, 32});
    e.chunked_prefill = pick({0, 1}) == 1;
    e.schedule = pick({0, 1}) ? SchedulePolicy::kDecodeFirst : SchedulePolicy::kPrefillFirst;
    e.prefix_caching = pick({0, 1}) == 1;
    std::vector<RequestSpec> reqs =
        varied_requests(pick({30, 200}), pick({30, 500, 2000}), pick({2, 50, 600}));
    if (!e.chunked_prefill)
      for (auto& r : reqs) r.input_len = std::min(r.input_len, e.max_num_tokens);
    const int64_t prefixes = pick({0, 3, 20});
    for (size_t k = 0; prefixes > 0 && k < reqs.size(); ++k) {
      reqs[k].prefix_id = static_cast<int64_t>(k) % prefixes;
      reqs[k].prefix_len = std::min<int64_t>(reqs[k].input_len, 300);
    }
    RunOptions options;
    options.beam_width = static_cast<int>(pick({1, 1, 4}));
    ArrivalSpec arrivals;
    switch (pick({0, 1, 2})) {
      case 1: arrivals = poisson(static_cast<double>(pick({2, 20}))); break;
      case 2:
        arrivals.kind = ArrivalSpec::Kind::kClosedLoop;
        arrivals.concurrency = pick({3, 40});
        break;
      default: break;
    }
    auto sys = make_system(e);
    expect_bulk_equals_rows(*sys, reqs, arrivals, options);
  }
}

// Llama-3-8B shapes with local attention layers (AttentionSpan): a sliding window on every layer
// (Mistral-7B-v0.1), on every second layer (Gemma 2, gpt-oss), chunked attention on three layers
// in four (Llama 4). Windows and chunks small enough that the rows cross them many times.
std::vector<ModelSpec> local_models() {
  return {with_local_layers(256, 0, 0), with_local_layers(128, 0, 2), with_local_layers(0, 512, 4)};
}

TEST(BulkDecode, LocalAttentionEnginesDecodeInBulkUnlessChunkedOnEveryLayer) {
  std::vector<LiveRequest> requests(4);
  for (const ModelSpec& m : local_models()) {
    Engine e(0, engine(64, 2048, AdmissionPolicy::kMaxUtilization), 1000, attention_span(m),
             requests, false, 0, kv_keep(m));
    EXPECT_TRUE(e.bulk_capable()) << m.sliding_window << " " << m.attention_chunk;
  }
  // The longest key run of chunked attention on every layer is the largest phase in a chunk.
  const ModelSpec every = with_local_layers(0, 512, 0);
  Engine chunked(0, engine(64, 2048, AdmissionPolicy::kMaxUtilization), 1000, attention_span(every),
                 requests, false, 0, kv_keep(every));
  EXPECT_FALSE(chunked.bulk_capable());
  // Token-granular KV of a model with local layers takes a block only on some iterations.
  EngineProfile tokens = token_granular(SchedulePolicy::kDecodeFirst);
  const ModelSpec window = local_models().front();
  Engine granular(0, tokens, 1000, attention_span(window), requests, false, 0, kv_keep(window));
  EXPECT_FALSE(granular.bulk_capable());
}

TEST(BulkDecode, LocalAttentionLayersMatchTheRowByRowPass) {
  // Rows cross their window or start new chunks while steady (the local events), grow their KV
  // block by block at the rate kv_keep gives (slower once the local layers are full), are
  // preempted by a small cache, keep every token under prefix caching and with beams.
  for (const ModelSpec& m : local_models()) {
    SCOPED_TRACE(::testing::Message()
                 << "window " << m.sliding_window << " chunk " << m.attention_chunk << " interval "
                 << m.full_attention_interval);
    auto reserved =
        make_system(engine(256, 8192, AdmissionPolicy::kGuaranteedNoEvict), 1, std::nullopt, m);
    expect_bulk_equals_rows(*reserved, varied_requests(400, 1500, 1500), poisson(20.0));
    auto small =
        make_system(engine(256, 8192, AdmissionPolicy::kMaxUtilization, 0.25), 1, std::nullopt, m);
    const auto reqs = varied_requests(400, 1500, 2500);
    const Traced bulk = run(*small, reqs, ArrivalSpec{}, true);
    EXPECT_GT(bulk.result.counters.preemptions, 0);
    expect_same_run(bulk, run(*small, reqs, ArrivalSpec{}, false));
    RunOptions beams;
    beams.beam_width = 4;
    expect_bulk_equals_rows(*small, varied_requests(100, 800, 800), poisson(5.0), beams);
    EngineProfile prefix = engine(64, 2048, AdmissionPolicy::kMaxUtilization, 0.3);
    prefix.prefix_caching = true;
    std::vector<RequestSpec> shared = varied_requests(300, 2000, 1200);
    for (size_t i = 0; i < shared.size(); ++i) {
      shared[i].prefix_id = static_cast<int64_t>(i % 3);
      shared[i].prefix_len = std::min<int64_t>(shared[i].input_len, 600);
    }
    expect_bulk_equals_rows(*make_system(prefix, 1, std::nullopt, m), shared, poisson(10.0));
    EngineProfile first = engine(256, 2048, AdmissionPolicy::kMaxUtilization, 0.3);
    first.schedule = SchedulePolicy::kPrefillFirst;
    expect_bulk_equals_rows(*make_system(first, 3, Disaggregation{1, 2}, m),
                            varied_requests(300, 1500, 1500), poisson(20.0));
  }
}

TEST(RunningList, RemovalLeavesAdmissionOrderAndBackIsTheLatestAdmitted) {
  std::vector<LiveRequest> requests(300);
  RunningList list(requests);
  for (int32_t s = 0; s < 300; ++s) list.push_back(s);
  // Remove every request whose slot is not a multiple of 3, except the last: holes inside.
  for (int32_t s = 0; s < 299; ++s)
    if (s % 3 != 0) list.erase(s);
  EXPECT_EQ(list.size(), 101u);
  EXPECT_EQ(list.back(), 299);
  std::vector<int32_t> seen;
  for (const int32_t s : list) seen.push_back(s);
  ASSERT_EQ(seen.size(), 101u);
  for (size_t i = 0; i + 1 < seen.size(); ++i) EXPECT_EQ(seen[i], static_cast<int32_t>(3 * i));
  // Erasing the back drops the trailing holes: back() is again the latest-admitted request.
  list.erase(299);
  EXPECT_EQ(list.back(), 297);
  // Compaction keeps the order and each request's index.
  list.compact();
  ASSERT_EQ(list.slots().size(), list.size());
  for (size_t i = 0; i < list.slots().size(); ++i) {
    EXPECT_EQ(list.slots()[i], static_cast<int32_t>(3 * i));
    EXPECT_EQ(requests[static_cast<size_t>(list.slots()[i])].running_at, static_cast<int64_t>(i));
  }
  // The holes never outnumber the requests for long: removals compact on their own.
  for (int32_t s = 0; s < 297; s += 3) list.erase(s);
  EXPECT_EQ(list.size(), 1u);
  EXPECT_LE(list.slots().size(), 2 * list.size() + 64);
  EXPECT_EQ(list.back(), 297);
  list.erase(297);
  EXPECT_TRUE(list.empty());
  EXPECT_TRUE(list.slots().empty());
}

}  // namespace
}  // namespace xpusim
