// SPDX-License-Identifier: Apache-2.0
// MLPerf LoadGen scenarios on the serving simulator (serving/mlperf.h): LoadGen's Offline query
// size (hand-checked against an official log), Offline figures that do not depend on how many
// replicas share the query, explicit sample counts run as given, a Server search given its Offline
// result equal to one that runs it, and LoadGen's completed rates as the Server figure.
#include "xpusim/serving/mlperf.h"

#include <gtest/gtest.h>

#include "unit/perf/test_specs.h"

namespace xpusim {
namespace {

using testing::h100_like;
using testing::llama8b_like;

// max(min_query_count, 1.1 x target_qps x min_duration): NVIDIA H200x8 llama2-70b v4.1 Offline,
// target 104 qps over 2400 s, logs samples_per_query 274560 (serving.md §2b, R41 summary).
TEST(Mlperf, LoadgenOfflineQueryMatchesTheOfficialLog) {
  EXPECT_EQ(loadgen_offline_query(24576, CountRate(104), Seconds(2400)), 274560);
  // The dataset's size is the floor (min_query_count = 24576 for llama2-70b).
  EXPECT_EQ(loadgen_offline_query(24576, CountRate(10), Seconds(600)), 24576);
  EXPECT_EQ(loadgen_offline_query(24576, CountRate(0), Seconds(600)), 24576);
  // 1.1 x 50 x 600 = 33000.
  EXPECT_EQ(loadgen_offline_query(100, CountRate(50), Seconds(600)), 33000);
}

EngineProfile mlperf_engine() {
  EngineProfile e;
  e.id = "test";
  e.runtime = "tensorrt-llm-serve";
  e.max_batch = 256;
  e.max_num_tokens = 4096;
  e.chunked_prefill = true;
  e.admission = AdmissionPolicy::kMaxUtilization;
  e.schedule = SchedulePolicy::kDecodeFirst;
  e.kv_block_size = 32;
  e.memory_fraction = 0.9;
  e.memory_fraction_of = MemoryFractionOf::kFree;
  return e;
}

std::unique_ptr<ServingSystem> system_of(int replicas) {
  SystemConfig c;
  c.plan.tp = 1;
  c.devices = replicas;
  c.precision = precision_plan_for(Precision::kBf16);
  c.engine = mlperf_engine();
  auto s = ServingSystem::create(h100_like(), llama8b_like(), c, default_calibration());
  EXPECT_TRUE(s.has_value()) << (s ? "" : to_string(s.error()));
  return std::move(*s);
}

DatasetSpec small_query_dataset() {
  // A min_query_count far below what 600 s of the system serves: 250 samples per replica of 8 is
  // mostly each replica's ramp-up to its batch cap.
  auto d = load_dataset("mlperf-llama3.1-8b", {"mlperf.min_query_count=2000"});
  EXPECT_TRUE(d.has_value()) << (d ? "" : to_string(d.error()));
  return *d;
}

// Server searches cheap enough for a unit test: 20 s runs of at most 3000 samples.
MlperfOptions short_server_runs(int bisection_steps) {
  MlperfOptions o;
  o.max_samples = 3000;
  o.min_duration = Seconds(20);
  o.bisection_steps = bisection_steps;
  return o;
}

// LoadGen's Offline query lasts at least min_duration at the system's rate, so the figure is the
// steady state whatever the number of replicas sharing it: 8 replicas serve 8 x one replica's
// tokens/s (each replica gets the same number of samples under the cap). Before the query size
// was modelled, the 2000-sample query gave 8 replicas 250 samples each, mostly ramp-up.
TEST(Mlperf, OfflineTokensPerReplicaDoNotDependOnTheReplicaCount) {
  const DatasetSpec d = small_query_dataset();
  constexpr int64_t kPerReplica = 6000;
  MlperfOptions one;
  one.max_samples = kPerReplica;
  MlperfOptions eight;
  eight.max_samples = 8 * kPerReplica;
  auto a = run_mlperf(*system_of(1), d, MlperfScenario::kOffline, one);
  auto b = run_mlperf(*system_of(8), d, MlperfScenario::kOffline, eight);
  ASSERT_TRUE(a.has_value()) << to_string(a.error());
  ASSERT_TRUE(b.has_value()) << to_string(b.error());
  EXPECT_EQ(a->run.counters.completed, kPerReplica);
  EXPECT_EQ(b->run.counters.completed, 8 * kPerReplica);
  EXPECT_NEAR(b->tokens_per_s.value() / (8 * a->tokens_per_s.value()), 1.0, 0.03);
  bool noted = false;
  for (const auto& n : b->notes) noted = noted || n.find("LoadGen's Offline query") != n.npos;
  EXPECT_TRUE(noted);
}

// An explicit sample count (serve --requests) is the query: no second run at LoadGen's size.
TEST(Mlperf, ExplicitOfflineSampleCountIsRunAsGiven) {
  const DatasetSpec d = small_query_dataset();
  MlperfOptions o;
  o.samples = 1500;
  auto r = run_mlperf(*system_of(2), d, MlperfScenario::kOffline, o);
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->run.counters.completed, 1500);
}

// MlperfOptions::offline: a Server search given the Offline result of the same system and options
// (as the validator has it) is the search that runs that Offline run itself, probe for probe; and
// the result given is what bounds the search (another system's Offline result moves the first
// probe).
TEST(Mlperf, ServerSearchGivenItsOfflineResultEqualsTheSearchThatRunsIt) {
  const DatasetSpec d = small_query_dataset();
  const MlperfOptions o = short_server_runs(4);
  auto offline = run_mlperf(*system_of(1), d, MlperfScenario::kOffline, o);
  ASSERT_TRUE(offline.has_value()) << to_string(offline.error());
  auto plain = run_mlperf(*system_of(1), d, MlperfScenario::kServer, o);
  MlperfOptions given = o;
  given.offline = &*offline;
  auto reused = run_mlperf(*system_of(1), d, MlperfScenario::kServer, given);
  ASSERT_TRUE(plain.has_value()) << to_string(plain.error());
  ASSERT_TRUE(reused.has_value()) << to_string(reused.error());
  ASSERT_EQ(plain->probes.size(), reused->probes.size());
  ASSERT_GT(plain->probes.size(), 1u);
  for (size_t i = 0; i < plain->probes.size(); ++i) {
    EXPECT_EQ(plain->probes[i].rate.value(), reused->probes[i].rate.value()) << i;
    EXPECT_EQ(plain->probes[i].ttft_p99.value(), reused->probes[i].ttft_p99.value()) << i;
    EXPECT_EQ(plain->probes[i].tpot_p99.value(), reused->probes[i].tpot_p99.value()) << i;
    EXPECT_EQ(plain->probes[i].pass, reused->probes[i].pass) << i;
  }
  EXPECT_EQ(plain->max_qps.value(), reused->max_qps.value());
  EXPECT_EQ(plain->tokens_per_s.value(), reused->tokens_per_s.value());
  EXPECT_EQ(plain->binding, reused->binding);
  EXPECT_EQ(plain->notes, reused->notes);
  EXPECT_EQ(plain->valid, reused->valid);

  auto bigger = run_mlperf(*system_of(2), d, MlperfScenario::kOffline, o);
  ASSERT_TRUE(bigger.has_value()) << to_string(bigger.error());
  MlperfOptions other = o;
  other.offline = &*bigger;
  auto moved = run_mlperf(*system_of(1), d, MlperfScenario::kServer, other);
  ASSERT_TRUE(moved.has_value()) << to_string(moved.error());
  EXPECT_GT(moved->probes.front().rate.value(), 1.5 * plain->probes.front().rate.value());
  // A result of another scenario is not an Offline bound: ignored.
  MlperfOptions wrong = o;
  wrong.offline = &*plain;
  auto ignored = run_mlperf(*system_of(1), d, MlperfScenario::kServer, wrong);
  ASSERT_TRUE(ignored.has_value()) << to_string(ignored.error());
  EXPECT_EQ(ignored->probes.front().rate.value(), plain->probes.front().rate.value());
}

// A failing probe stops once it is certain to fail (MlperfOptions::stop_failing_probes): the
// search takes the same decisions as one whose probes all run to their end, so the rate and the
// reported run are the same (and here the binding limit: the one a stopped probe was certain to
// miss may differ from the one its whole run misses most when both are missed); only failed
// probes stop, and each of them failed run to its end too.
TEST(Mlperf, StoppingFailedProbesEarlyChangesNoDecisionOfTheSearch) {
  auto d = load_dataset("mlperf-llama2-70b", {"mlperf.min_query_count=2000"});
  ASSERT_TRUE(d.has_value()) << to_string(d.error());
  MlperfOptions whole = short_server_runs(3);
  whole.stop_failing_probes = false;
  MlperfOptions early = short_server_runs(3);
  ASSERT_TRUE(early.stop_failing_probes);
  auto a = run_mlperf(*system_of(1), *d, MlperfScenario::kServer, whole);
  auto b = run_mlperf(*system_of(1), *d, MlperfScenario::kServer, early);
  ASSERT_TRUE(a.has_value()) << to_string(a.error());
  ASSERT_TRUE(b.has_value()) << to_string(b.error());
  ASSERT_EQ(a->probes.size(), b->probes.size());
  int stopped = 0;
  for (size_t i = 0; i < a->probes.size(); ++i) {
    EXPECT_EQ(a->probes[i].rate.value(), b->probes[i].rate.value()) << i;
    EXPECT_EQ(a->probes[i].pass, b->probes[i].pass) << i;
    EXPECT_FALSE(a->probes[i].stopped_early.has_value()) << i;
    if (b->probes[i].stopped_early) {
      ++stopped;
      EXPECT_FALSE(b->probes[i].pass) << i;
    } else {
      EXPECT_EQ(a->probes[i].ttft_p99.value(), b->probes[i].ttft_p99.value()) << i;
      EXPECT_EQ(a->probes[i].tpot_p99.value(), b->probes[i].tpot_p99.value()) << i;
    }
  }
  EXPECT_GT(stopped, 0);
  EXPECT_EQ(a->max_qps.value(), b->max_qps.value());
  EXPECT_EQ(a->tokens_per_s.value(), b->tokens_per_s.value());
  EXPECT_EQ(a->ttft_p99.value(), b->ttft_p99.value());
  EXPECT_EQ(a->tpot_p99.value(), b->tpot_p99.value());
  EXPECT_EQ(a->binding, b->binding);
  EXPECT_EQ(a->notes, b->notes);
}

// LoadGen's completed rates (loadgen_completed_rates): the samples but the last and every token
// over the time to the final query's completion, not the slowest request's. Hand counts: 1001
// samples, 300,000 tokens, the final query done at 100 s, the slowest at 150 s.
TEST(Mlperf, CompletedRatesStopAtTheFinalQuerysCompletion) {
  ServingResult r;
  r.counters.completed = 1001;
  r.counters.output_tokens = 300000;
  r.duration = Seconds(150);
  r.counters.final_request_done = Seconds(100);
  CompletedRates c = loadgen_completed_rates(r);
  EXPECT_DOUBLE_EQ(c.time.value(), 100.0);
  EXPECT_DOUBLE_EQ(c.samples_per_s.value(), 10.0);   // (1001 - 1) / 100
  EXPECT_DOUBLE_EQ(c.tokens_per_s.value(), 3000.0);  // 300000 / 100
  // The final request rejected: the run's own duration.
  r.counters.final_request_done.reset();
  c = loadgen_completed_rates(r);
  EXPECT_DOUBLE_EQ(c.time.value(), 150.0);
  EXPECT_DOUBLE_EQ(c.tokens_per_s.value(), 2000.0);
}

// A Server run's figures are LoadGen's completed rates over the time to the final (last-arriving)
// request's completion, not to the slowest one. llama2-70b's outputs (1 to 1,024 tokens) make the
// two differ: in this run a longer request issued earlier ends ~8 s after the final one, so the
// figure over the run's whole duration (the clock before 2026-12-06) would be ~25% lower.
TEST(Mlperf, ServerFigureIsLoadgensCompletedTokensPerSecond) {
  auto d = load_dataset("mlperf-llama2-70b", {"mlperf.min_query_count=2000"});
  ASSERT_TRUE(d.has_value()) << to_string(d.error());
  auto r = run_mlperf(*system_of(1), *d, MlperfScenario::kServer, short_server_runs(3));
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  ASSERT_TRUE(r->run.counters.final_request_done.has_value());
  const Seconds final_done = *r->run.counters.final_request_done;
  EXPECT_LT(final_done.value(), 0.9 * r->run.duration.value());
  EXPECT_GT(final_done.value(), 0.0);
  EXPECT_GT(r->tokens_per_s.value(), 1.1 * r->run.output_tokens_per_s.value());
  const double want = static_cast<double>(r->run.counters.output_tokens) / final_done.value();
  EXPECT_DOUBLE_EQ(r->tokens_per_s.value(), want);
  EXPECT_DOUBLE_EQ(r->samples_per_s.value(),
                   static_cast<double>(r->run.counters.completed - 1) / final_done.value());
  bool noted = false;
  for (const auto& n : r->notes) noted = noted || n.find("final query's completion") != n.npos;
  EXPECT_TRUE(noted);
}

}  // namespace
}  // namespace xpusim
