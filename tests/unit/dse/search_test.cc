// SPDX-License-Identifier: Apache-2.0
// The search: the Pareto front is exactly the non-dominated candidates, the results do not
// depend on the number of threads, random sampling is seeded, and a resumed database equals an
// uninterrupted one.
#include <gtest/gtest.h>

#include "same_result.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "unit/dse/dse_test_util.h"
#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/explorer.h"
#include "xpusim/dse/pareto.h"
#include "xpusim/dse/progress.h"
#include "xpusim/dse/result_db.h"
#include "xpusim/dse/result_writer.h"

namespace xpusim {
namespace {

using testing::kSmallSpace;
using testing::space_from;

std::vector<DesignResult> run_all(const DesignEvaluator& ev, const std::vector<uint64_t>& idx,
                                  int threads, size_t block) {
  std::vector<DesignResult> out;
  evaluate_designs(ev, idx, threads, block,
                   [&](std::vector<DesignResult>& b) { out.insert(out.end(), b.begin(), b.end()); });
  return out;
}

using dse_test::same;

TEST(Pareto, FrontIsExactlyTheNonDominatedCandidates) {
  const std::vector<SpaceObjective> obj = {{Metric::kOutputTokensPerS, true},
                                           {Metric::kManufacturingCostUsd, false}};
  const std::vector<SpaceConstraint> con = {{Metric::kAveragePowerW, std::nullopt, 800.0}};
  // A deterministic cloud of designs on a coarse lattice (ties and duplicates included).
  std::vector<DesignResult> all;
  uint64_t state = 7;
  for (uint64_t i = 0; i < 400; ++i) {
    DesignResult r;
    r.index = i;
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    r.metrics[static_cast<size_t>(Metric::kOutputTokensPerS)] = static_cast<double>((state >> 33) % 20);
    r.metrics[static_cast<size_t>(Metric::kManufacturingCostUsd)] = static_cast<double>((state >> 17) % 20);
    r.metrics[static_cast<size_t>(Metric::kAveragePowerW)] = (state >> 45) % 4 == 0 ? 900 : 500;
    if (i % 13 == 0) r.feasibility = Feasibility::infeasible(InfeasibleReason::kMemory, "x");
    all.push_back(r);
  }
  FrontBuilder fb(obj, con);
  for (const auto& r : all) fb.add(r);
  const auto front = fb.front();
  std::set<uint64_t> on;
  for (const auto& r : front) on.insert(r.index);
  ASSERT_FALSE(front.empty());
  for (const auto& r : all) {
    const bool cand = front_candidate(r, obj, con);
    bool dominated = false;
    for (const auto& o : all)
      if (front_candidate(o, obj, con) && dominates(o.metrics, r.metrics, obj)) dominated = true;
    EXPECT_EQ(on.contains(r.index), cand && !dominated) << r.index;
  }
  // The order designs arrive in does not change the front.
  FrontBuilder reversed(obj, con);
  for (auto it = all.rbegin(); it != all.rend(); ++it) reversed.add(*it);
  std::vector<uint64_t> a, b;
  for (const auto& r : front) a.push_back(r.index);
  for (const auto& r : reversed.front()) b.push_back(r.index);
  EXPECT_EQ(a, b);
  EXPECT_EQ(fb.evaluated(), 400u);
  EXPECT_EQ(fb.infeasible().at("memory"), 31u);
}

TEST(Search, ResultsDoNotDependOnThreadsOrBlocks) {
  auto s = space_from(kSmallSpace);
  ASSERT_TRUE(s);
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev);
  const auto idx = design_indices(s->grid_size(), SearchStrategy::kGrid, 0, 0);
  const auto one = run_all(*ev, idx, 1, 256);
  const auto two = run_all(*ev, idx, 2, 5);
  ASSERT_EQ(one.size(), 12u);
  ASSERT_EQ(two.size(), 12u);
  for (size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i].index, i);
    EXPECT_TRUE(same(one[i], two[i])) << i;
  }
}

// What ranks send each other: every field survives, NaN metrics and empty details included; one
// process evaluating "across its ranks" is evaluate_designs.
TEST(Search, ResultsAndIndicesRoundTripAsBytes) {
  auto s = space_from(kSmallSpace);
  ASSERT_TRUE(s);
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev);
  const auto idx = design_indices(s->grid_size(), SearchStrategy::kGrid, 0, 0);
  std::vector<DesignResult> all = run_all(*ev, idx, 1, 256);
  all[3].feasibility = Feasibility::infeasible(InfeasibleReason::kReticle, "die of 900 mm²");
  all[3].metrics = no_metrics();
  const auto back = decode_results(encode_results(all));
  ASSERT_EQ(back.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_TRUE(same(all[i], back[i])) << i;
  EXPECT_TRUE(decode_results(encode_results({})).empty());
  // Appended after a header and decoded from the header's end (a rank's message): the same
  // results, and the same bytes as encoded alone.
  std::string message = "header!!";
  encode_results(all, message);
  EXPECT_EQ(message.substr(8), encode_results(all));
  const auto after = decode_results(message, 8);
  ASSERT_EQ(after.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_TRUE(same(all[i], after[i])) << i;
  EXPECT_TRUE(decode_results(message, message.size()).empty());
  EXPECT_EQ(balanced_block(900, 1, 256), 256u);  // one process: as before
  EXPECT_EQ(balanced_block(756, 2, 256), 189u);  // 2 rounds of 2 blocks
  EXPECT_EQ(balanced_block(12, 2, 256), 6u);     // an NSGA-II generation
  EXPECT_EQ(balanced_block(1, 4, 256), 1u);
  EXPECT_EQ(balanced_block(10000, 3, 256), 239u);  // 14 rounds of 3 blocks
  // A round split by the ranks' rates: in proportion, adding up, ties to the lower rank, and
  // equal shares when the rates say nothing.
  using Shares = std::vector<size_t>;
  EXPECT_EQ(split_by_rate(378, {1.0, 1.0}), (Shares{189, 189}));
  EXPECT_EQ(split_by_rate(378, {16000.0, 25000.0}), (Shares{148, 230}));
  EXPECT_EQ(split_by_rate(7, {1.0, 1.0}), (Shares{4, 3}));
  EXPECT_EQ(split_by_rate(10, {1.0, 1.0, 1.0}), (Shares{4, 3, 3}));
  EXPECT_EQ(split_by_rate(5, {0.0, 2.0}), (Shares{0, 5}));
  EXPECT_EQ(split_by_rate(6, {0.0, 0.0, 0.0}), (Shares{2, 2, 2}));
  EXPECT_EQ(split_by_rate(1, {1.0, 1.0, 1.0, 1.0}), (Shares{1, 0, 0, 0}));
  for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{255}, size_t{1000}}) {
    const Shares sh = split_by_rate(n, {3.7, 0.2, 11.0});
    EXPECT_EQ(sh[0] + sh[1] + sh[2], n) << n;
  }
  const std::vector<uint64_t> indices = {0, 7, uint64_t{1} << 40, 3};
  EXPECT_EQ(decode_indices(encode_indices(indices)), indices);
  std::vector<DesignResult> ranked;
  evaluate_designs(*ev, idx, *single_process(), 2, 5, false, [&](std::vector<DesignResult>& b) {
    ranked.insert(ranked.end(), b.begin(), b.end());
  });
  const std::vector<DesignResult> direct = run_all(*ev, idx, 1, 256);
  ASSERT_EQ(ranked.size(), 12u);
  for (size_t i = 0; i < ranked.size(); ++i) EXPECT_TRUE(same(ranked[i], direct[i])) << i;
}

TEST(Search, SharedHardwareStagesDoNotDependOnTheOrder) {
  // Designs that differ only in plan.tp share their hardware's area and cost: computed first by
  // design 0 in one evaluator and by design 11 in the other, the results are the same.
  auto s = space_from(kSmallSpace);
  ASSERT_TRUE(s);
  auto forward = DesignEvaluator::create(*s);
  auto backward = DesignEvaluator::create(*s);
  ASSERT_TRUE(forward && backward);
  std::vector<uint64_t> idx = design_indices(s->grid_size(), SearchStrategy::kGrid, 0, 0);
  const auto a = run_all(*forward, idx, 1, 256);
  std::reverse(idx.begin(), idx.end());
  auto b = run_all(*backward, idx, 1, 256);
  std::reverse(b.begin(), b.end());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(same(a[i], b[i])) << i;
}

TEST(Search, RandomIndicesAreSeededAndDistinct) {
  const auto a = design_indices(1000, SearchStrategy::kRandom, 50, 42);
  const auto b = design_indices(1000, SearchStrategy::kRandom, 50, 42);
  const auto c = design_indices(1000, SearchStrategy::kRandom, 50, 43);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(std::set<uint64_t>(a.begin(), a.end()).size(), 50u);
  EXPECT_LT(*std::max_element(a.begin(), a.end()), 1000u);
  EXPECT_EQ(design_indices(10, SearchStrategy::kRandom, 50, 1).size(), 10u);
  EXPECT_EQ(design_indices(10, SearchStrategy::kGrid, 4, 1), (std::vector<uint64_t>{0, 1, 2, 3}));
}

// The stratum of value v of a parameter with k values cut into n <= k strata: the j with
// floor(j k / n) <= v < floor((j+1) k / n).
uint64_t stratum_of(uint64_t v, uint64_t k, uint64_t n) {
  uint64_t j = 0;
  while (j + 1 < n && (j + 1) * k / n <= v) ++j;
  return j;
}

TEST(Search, LatinHypercubeHitsEveryStratumOfEveryParameterOnce) {
  const std::vector<uint64_t> counts = {7, 40, 13, 100};
  for (uint64_t n : {1u, 5u, 7u}) {
    const auto cols = latin_hypercube(counts, n, 11);
    ASSERT_EQ(cols.size(), counts.size());
    for (size_t p = 0; p < counts.size(); ++p) {
      ASSERT_EQ(cols[p].size(), n);
      std::vector<int> hits(n, 0);
      for (uint32_t v : cols[p]) {
        ASSERT_LT(v, counts[p]);
        ++hits[stratum_of(v, counts[p], n)];
      }
      for (uint64_t j = 0; j < n; ++j) EXPECT_EQ(hits[j], 1) << "n " << n << " parameter " << p << " stratum " << j;
    }
  }
  // More samples than values: every value is used floor(n/k) or ceil(n/k) times.
  const auto cols = latin_hypercube({3, 4}, 10, 5);
  for (size_t p = 0; p < 2; ++p) {
    const uint64_t k = p == 0 ? 3 : 4;
    std::vector<int> uses(k, 0);
    for (uint32_t v : cols[p]) ++uses[v];
    for (uint64_t v = 0; v < k; ++v) {
      EXPECT_GE(uses[v], static_cast<int>(10 / k));
      EXPECT_LE(uses[v], static_cast<int>((10 + k - 1) / k));
    }
  }
}

TEST(Search, LatinHypercubeIndicesAreSeededDistinctAndInTheGrid) {
  const std::vector<uint64_t> counts = {5, 3, 5, 3, 4};  // the worked example's 900 designs
  const auto a = lhs_indices(counts, 20, 42);
  EXPECT_EQ(a, lhs_indices(counts, 20, 42));
  EXPECT_NE(a, lhs_indices(counts, 20, 43));
  EXPECT_EQ(std::set<uint64_t>(a.begin(), a.end()).size(), a.size());
  EXPECT_LT(*std::max_element(a.begin(), a.end()), 900u);
  // With fewer samples than some parameter's values no design repeats: all 5 are kept, and the
  // index is the grid index of the sampled values (first parameter slowest).
  const auto b = lhs_indices(counts, 5, 7);
  ASSERT_EQ(b.size(), 5u);
  const auto cols = latin_hypercube(counts, 5, 7);
  for (size_t i = 0; i < 5; ++i) {
    uint64_t index = 0;
    for (size_t p = 0; p < counts.size(); ++p) index = index * counts[p] + cols[p][i];
    EXPECT_EQ(b[i], index);
  }
  // The whole grid when the sample covers it.
  EXPECT_EQ(lhs_indices({2, 3}, 6, 1), (std::vector<uint64_t>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(lhs_indices({2, 3}, 0, 1).size(), 6u);
}

std::vector<DesignResult> rows(const ResultDb& db) {
  std::vector<DesignResult> out;
  db.for_each([&](const DesignResult& r) { out.push_back(r); });
  return out;
}

TEST(ResultDbTest, AResumedRunEqualsAnUninterruptedOne) {
  testing::TempDir dir("xpusim_dse_db");
  auto s = space_from(kSmallSpace);
  ASSERT_TRUE(s);
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev);
  const auto idx = design_indices(s->grid_size(), SearchStrategy::kGrid, 0, 0);
  auto write_all = [&](ResultDb& db, const std::vector<uint64_t>& which) {
    evaluate_designs(*ev, which, 2, 4, [&](std::vector<DesignResult>& b) { db.write(*s, b); });
  };
  {
    auto db = ResultDb::open_for_search(dir.file("full.sqlite"), *s, kSmallSpace, false);
    ASSERT_TRUE(db) << to_string(db.error());
    write_all(**db, idx);
  }
  {
    // Killed after the first 5 designs (one block of 4 and one of 1 written).
    auto db = ResultDb::open_for_search(dir.file("resumed.sqlite"), *s, kSmallSpace, false);
    ASSERT_TRUE(db);
    write_all(**db, std::vector<uint64_t>(idx.begin(), idx.begin() + 5));
  }
  {
    auto again = ResultDb::open_for_search(dir.file("resumed.sqlite"), *s, kSmallSpace, false);
    ASSERT_FALSE(again);
    EXPECT_NE(to_string(again.error()).find("exists; pass --resume"), std::string::npos);
    auto db = ResultDb::open_for_search(dir.file("resumed.sqlite"), *s, kSmallSpace, true);
    ASSERT_TRUE(db) << to_string(db.error());
    const auto stored = (*db)->stored_indices();
    EXPECT_EQ(stored.size(), 5u);
    std::vector<uint64_t> rest;
    for (uint64_t i : idx)
      if (!stored.contains(i)) rest.push_back(i);
    write_all(**db, rest);
  }
  auto full = ResultDb::open_for_reading(dir.file("full.sqlite"));
  auto resumed = ResultDb::open_for_reading(dir.file("resumed.sqlite"));
  ASSERT_TRUE(full && resumed);
  const auto a = rows(**full), b = rows(**resumed);
  ASSERT_EQ(a.size(), 12u);
  ASSERT_EQ(b.size(), 12u);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(same(a[i], b[i])) << i;
  // The rows read back are the results as evaluated.
  const auto direct = run_all(*ev, idx, 1, 256);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(same(a[i], direct[i])) << i;
}

// A process killed with SIGKILL after its second block: what it committed survives, and resuming
// gives the same rows as an uninterrupted run.
TEST(ResultDbTest, SigkillThenResumeEqualsAnUninterruptedRun) {
  testing::TempDir dir("xpusim_dse_kill");
  auto s = space_from(kSmallSpace);
  ASSERT_TRUE(s);
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev);
  const auto idx = design_indices(s->grid_size(), SearchStrategy::kGrid, 0, 0);
  const std::string path = dir.file("killed.sqlite");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto db = ResultDb::open_for_search(path, *s, kSmallSpace, false);
    if (!db) _exit(3);
    int blocks = 0;
    evaluate_designs(*ev, idx, 1, 3, [&](std::vector<DesignResult>& b) {
      (*db)->write(*s, b);
      if (++blocks == 2) kill(getpid(), SIGKILL);
    });
    _exit(4);  // not reached
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_EQ(WTERMSIG(status), SIGKILL);
  auto db = ResultDb::open_for_search(path, *s, kSmallSpace, true);
  ASSERT_TRUE(db) << to_string(db.error());
  const auto stored = (*db)->stored_indices();
  EXPECT_EQ(stored.size(), 6u);  // two blocks of 3
  std::vector<uint64_t> rest;
  for (uint64_t i : idx)
    if (!stored.contains(i)) rest.push_back(i);
  evaluate_designs(*ev, rest, 2, 4, [&](std::vector<DesignResult>& b) { (*db)->write(*s, b); });
  const auto got = rows(**db);
  const auto want = run_all(*ev, idx, 1, 256);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(same(got[i], want[i])) << i;
}

// A file written before the serve metrics were appended to the table: resuming adds the missing
// columns, and the designs written then carry them.
TEST(ResultDbTest, ResumeAddsMetricColumnsAnOlderFileLacks) {
  testing::TempDir dir("xpusim_dse_db3");
  auto s = space_from(kSmallSpace);
  ASSERT_TRUE(s);
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev);
  {
    auto db = ResultDb::open_for_search(dir.file("old.sqlite"), *s, kSmallSpace, false);
    ASSERT_TRUE(db);
  }
  {
    SQLite::Database raw(dir.file("old.sqlite"), SQLite::OPEN_READWRITE);
    raw.exec("ALTER TABLE designs DROP COLUMN requests_per_s");
  }
  auto db = ResultDb::open_for_search(dir.file("old.sqlite"), *s, kSmallSpace, true);
  ASSERT_TRUE(db) << to_string(db.error());
  std::vector<DesignResult> one = {ev->evaluate(0)};
  (*db)->write(*s, one);
  db->reset();
  auto back = ResultDb::open_for_reading(dir.file("old.sqlite"));
  ASSERT_TRUE(back);
  const auto r = rows(**back);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(same(r[0], one[0]));
}

// Read without a resume (pareto), a file lacking a metric appended since (here requests_per_s,
// appended with the serve metrics) gives its designs with that metric as no figure, not an SQLite
// error (it was "no such column", an internal error).
TEST(ResultDbTest, ReadingAnOlderFileGivesAMissingMetricAsNoFigure) {
  testing::TempDir dir("xpusim_dse_db4");
  auto s = space_from(kSmallSpace);
  ASSERT_TRUE(s);
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev);
  std::vector<DesignResult> one = {ev->evaluate(0)};
  ASSERT_TRUE(one[0].feasibility.feasible());
  {
    auto db = ResultDb::open_for_search(dir.file("old.sqlite"), *s, kSmallSpace, false);
    ASSERT_TRUE(db);
    (*db)->write(*s, one);
  }
  {
    SQLite::Database raw(dir.file("old.sqlite"), SQLite::OPEN_READWRITE);
    raw.exec("ALTER TABLE designs DROP COLUMN requests_per_s");
  }
  auto back = ResultDb::open_for_reading(dir.file("old.sqlite"));
  ASSERT_TRUE(back);
  const auto r = rows(**back);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(std::isfinite(metric_value(one[0], Metric::kRequestsPerS)));
  EXPECT_TRUE(std::isnan(metric_value(r[0], Metric::kRequestsPerS)));
  EXPECT_EQ(metric_value(r[0], Metric::kOutputTokensPerS),
            metric_value(one[0], Metric::kOutputTokensPerS));
}

// The metric table (dse/metrics.h metric_fields) is the source of the database's metric columns:
// one column per metric, in its order, with its name and its declared SQLite type; the other
// columns are the key, the parameters by path and the feasibility.
TEST(ResultDbTest, MetricColumnsAreTheMetricTable) {
  testing::TempDir dir("xpusim_dse_db_columns");
  auto s = space_from(kSmallSpace);
  ASSERT_TRUE(s);
  ASSERT_TRUE(ResultDb::open_for_search(dir.file("c.sqlite"), *s, kSmallSpace, false));
  SQLite::Database raw(dir.file("c.sqlite"), SQLite::OPEN_READONLY);
  SQLite::Statement info(raw, "PRAGMA table_info(designs)");
  std::vector<std::pair<std::string, std::string>> columns;
  while (info.executeStep())
    columns.emplace_back(info.getColumn(1).getString(), info.getColumn(2).getString());
  const auto& metrics = metric_fields();
  ASSERT_EQ(metrics.size(), kMetricCount);
  const std::vector<std::pair<std::string, std::string>> leading = {
      {"design_id", "TEXT"},
      {"design_index", "INTEGER"},
      {"hardware.compute.units", "INTEGER"},
      {"hardware.memory.dram.bandwidth", "REAL"},
      {"plan.tp", "INTEGER"},
      {"feasible", "INTEGER"},
      {"infeasible_reason", "TEXT"},
      {"infeasible_detail", "TEXT"}};
  ASSERT_EQ(columns.size(), leading.size() + metrics.size());
  for (size_t i = 0; i < leading.size(); ++i) EXPECT_EQ(columns[i], leading[i]) << i;
  for (size_t i = 0; i < metrics.size(); ++i) {
    EXPECT_EQ(columns[leading.size() + i].first, metrics[i].name);
    EXPECT_EQ(columns[leading.size() + i].second, sql_type(metrics[i].type)) << metrics[i].name;
  }
}

// The background writer of a job's rank 0: the rows of writing in line, in order; a failed write
// (here a design written twice: its primary key) is rethrown, and nothing after it is written.
TEST(ResultDbTest, BackgroundWriterWritesWhatWritingInLineWrites) {
  testing::TempDir dir("xpusim_dse_writer");
  auto s = space_from(kSmallSpace);
  ASSERT_TRUE(s);
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev);
  const auto idx = design_indices(s->grid_size(), SearchStrategy::kGrid, 0, 0);
  auto db = ResultDb::open_for_search(dir.file("w.sqlite"), *s, kSmallSpace, false);
  ASSERT_TRUE(db);
  {
    ResultWriter writer(**db, *s, 1);
    evaluate_designs(*ev, idx, 1, 2, [&](std::vector<DesignResult>& b) { writer.push(b); });
    writer.finish();
  }
  const auto got = rows(**db);
  const auto want = run_all(*ev, idx, 1, 256);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(same(got[i], want[i])) << i;
  auto again = ResultDb::open_for_search(dir.file("x.sqlite"), *s, kSmallSpace, false);
  ASSERT_TRUE(again);
  ResultWriter writer(**again, *s, 4);
  writer.push({want[0], want[1]});
  writer.push({want[1]});  // design 1 again
  try {
    writer.push({want[2]});  // dropped with the queue, or refused if the failure came first
  } catch (const std::exception&) {
  }
  EXPECT_ANY_THROW(writer.finish());
  EXPECT_ANY_THROW(writer.push({want[3]}));
  std::vector<uint64_t> stored;
  for (const auto& r : rows(**again)) stored.push_back(r.index);
  EXPECT_EQ(stored, (std::vector<uint64_t>{0, 1}));
}

TEST(ResultDbTest, ResumeRefusesAnotherSpace) {
  testing::TempDir dir("xpusim_dse_db2");
  auto s = space_from(kSmallSpace);
  ASSERT_TRUE(s);
  ASSERT_TRUE(ResultDb::open_for_search(dir.file("r.sqlite"), *s, kSmallSpace, false));
  SpaceSpec other = *s;
  other.batch = 32;
  auto db = ResultDb::open_for_search(dir.file("r.sqlite"), other, kSmallSpace, true);
  ASSERT_FALSE(db);
  EXPECT_EQ(to_string(db.error()),
            "<command line>: --db: \"" + dir.file("r.sqlite") + "\": holds the results of another "
            "space (hash " + hash_hex(canonical_space_text(*s)) + ", this space " +
            hash_hex(canonical_space_text(other)) + "); resume with the space it was made with, "
            "or name a new file\n");
}

}  // namespace
}  // namespace xpusim

namespace xpusim {
namespace {

TEST(Progress, LineSaysDoneRateFeasibleShareAndTimeLeft) {
  SearchProgress p{.done = 1536, .total = 15000, .feasible = 1106, .elapsed = Seconds(0.5)};
  EXPECT_EQ(progress_text(p), "1,536/15,000 designs (10%), 3,072 designs/s, 72% feasible, 4.4 s left");
  p.finished = true;
  EXPECT_EQ(progress_text(p), "1,536/15,000 designs (10%), 3,072 designs/s, 72% feasible, done in 0.50 s");
  // Nothing done yet: no rate, no share, no estimate (never a division by zero).
  EXPECT_EQ(progress_text(SearchProgress{.total = 12}), "0/12 designs (0%), - designs/s, - feasible, - left");
  // Other work: no feasible share; a slow rate keeps a decimal.
  SearchProgress rounds{.done = 3, .total = 40, .elapsed = Seconds(2), .unit = "rounds",
                        .show_feasible = false};
  EXPECT_EQ(progress_text(rounds), "3/40 rounds (7%), 1.5 rounds/s, 25 s left");
  EXPECT_EQ(duration_text(Seconds(42.4)), "42 s");
  EXPECT_EQ(duration_text(Seconds(185)), "3 min 5 s");
  EXPECT_EQ(duration_text(Seconds(7380)), "2 h 3 min");
  EXPECT_EQ(duration_text(Seconds(-1)), "-");
}

}  // namespace
}  // namespace xpusim
