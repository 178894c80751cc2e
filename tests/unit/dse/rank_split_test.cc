// SPDX-License-Identifier: Apache-2.0
// How a round of designs is shared among ranks (issue 8, MPI scaling): round_pieces tiles the
// round with guided pieces, and evaluate_designs across ranks hands the sink the results of
// one process, in order, whatever the split, the ranks and the block. The ranks here are threads
// of this process joined by a barrier (ThreadRanks), so the collective code runs without mpirun;
// mpi_test.cc runs the same code over MPI.
#include <gtest/gtest.h>

#include "same_result.h"

#include <algorithm>
#include <atomic>
#include <barrier>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "unit/dse/dse_test_util.h"
#include "xpusim/dse/explorer.h"

namespace xpusim {
namespace {

using testing::space_from;

// N ranks as N threads: a gather to every rank and broadcast exchange through shared slots between
// two barriers; a gather to rank 0 through a queue per rank.
class ThreadRanks {
 public:
  explicit ThreadRanks(int n)
      : slots_(static_cast<size_t>(n)), queues_(static_cast<size_t>(n)), barrier_(n) {}
  [[nodiscard]] uint64_t taken() const { return tickets_.load(); }

  class Rank final : public RankGroup {
   public:
    Rank(ThreadRanks& all, int rank) : all_(all), rank_(rank) {}
    [[nodiscard]] int rank() const override { return rank_; }
    [[nodiscard]] int size() const override { return static_cast<int>(all_.slots_.size()); }
    [[nodiscard]] int local_size() const override { return size(); }
    [[nodiscard]] std::vector<std::string> gather(const std::string& mine, bool to_all) const override {
      if (!to_all) {
        // To rank 0 only: the others leave at once (as an eager MPI send lets them), so that a
        // rank can run rounds ahead of rank 0; rank 0 takes each rank's oldest part.
        std::unique_lock lock(all_.mutex_);
        all_.queues_[static_cast<size_t>(rank_)].push_back(mine);
        all_.changed_.notify_all();
        if (rank_ != 0) return {};
        all_.changed_.wait(lock, [&] { return all_.complete(); });
        std::vector<std::string> out;
        for (auto& q : all_.queues_) {
          out.push_back(q.front());
          q.pop_front();
        }
        return out;
      }
      all_.slots_[static_cast<size_t>(rank_)] = mine;
      all_.barrier_.arrive_and_wait();
      std::vector<std::string> out;
      if (to_all || rank_ == 0) out = all_.slots_;
      all_.barrier_.arrive_and_wait();  // every rank has read before the slots are reused
      return out;
    }
    // To rank 0 only, under way until every rank has sent its part (the others' handles are done
    // at once), so that evaluate_designs' overlap of a round's gather with the next round runs
    // here with gathers that complete late; to every rank, the blocking default.
    [[nodiscard]] std::unique_ptr<PendingGather> start_gather(std::string mine, bool to_all) const override {
      if (to_all) return RankGroup::start_gather(std::move(mine), to_all);
      std::lock_guard lock(all_.mutex_);
      all_.queues_[static_cast<size_t>(rank_)].push_back(std::move(mine));
      all_.changed_.notify_all();
      return std::make_unique<Pending>(all_, rank_ == 0);
    }
    void broadcast(std::string& bytes) const override {
      if (rank_ == 0) all_.slots_[0] = bytes;
      all_.barrier_.arrive_and_wait();
      bytes = all_.slots_[0];
      all_.barrier_.arrive_and_wait();
    }
    void barrier() const override { all_.barrier_.arrive_and_wait(); }
    void abort(int) const override { std::abort(); }
    [[nodiscard]] uint64_t take_ticket() const override { return all_.tickets_.fetch_add(1); }

   private:
    // Rank 0's gather: done once every rank's queue holds a part; finish() takes the oldest.
    class Pending final : public PendingGather {
     public:
      Pending(ThreadRanks& all, bool receives) : all_(all), receives_(receives) {}
      [[nodiscard]] bool done() override {
        std::lock_guard lock(all_.mutex_);
        return !receives_ || all_.complete();
      }
      [[nodiscard]] std::vector<std::string> finish() override {
        if (!receives_) return {};
        std::unique_lock lock(all_.mutex_);
        all_.changed_.wait(lock, [&] { return all_.complete(); });
        std::vector<std::string> out;
        for (auto& q : all_.queues_) {
          out.push_back(std::move(q.front()));
          q.pop_front();
        }
        return out;
      }

     private:
      ThreadRanks& all_;
      bool receives_;
    };

    ThreadRanks& all_;
    int rank_;
  };

 private:
  // Every rank has a part waiting for rank 0 (mutex_ held).
  [[nodiscard]] bool complete() const {
    return std::all_of(queues_.begin(), queues_.end(), [](const auto& q) { return !q.empty(); });
  }

  std::vector<std::string> slots_;
  std::vector<std::deque<std::string>> queues_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::barrier<> barrier_;
  std::atomic<uint64_t> tickets_{0};
};

using dse_test::same;

// 4 x 5 x 2 x 3 = 120 designs, the 200-unit ones infeasible (the die exceeds the reticle: they
// stop early), so that designs differ in cost along the list as in a real space.
const char* kSpace = R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario: {kind: static, batch: 16, input_len: 512, output_len: 64, precision: bf16}
parameters:
  - {path: hardware.compute.units, values: [96, 114, 132, 200]}
  - {path: hardware.memory.l2.capacity, range: {min: "20 MiB", max: "60 MiB", steps: 5}}
  - {path: hardware.memory.dram.bandwidth, values: ["2 TB/s", "4 TB/s"]}
  - {path: plan.tp, values: [1, 2, 8]}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
  - {metric: manufacturing_cost_usd, goal: min}
)";

TEST(RankSplit, DynamicPiecesAreLongFirstShortLastAndTileTheRound) {
  // A round of 2 x 256 on 2 ranks of one thread: 13 pieces of 32, then 24, 18, 14, 10, 8, 6, 4, 4,
  // 4, 4 (each ceil(remaining / 4) within [4, 32]).
  const auto pieces = round_pieces(512, 2, 1);
  std::vector<size_t> sizes;
  for (const RoundRun& p : pieces) sizes.push_back(p.count);
  std::vector<size_t> expected(13, 32);
  for (size_t n : {24, 18, 14, 10, 8, 6, 4, 4, 4, 4}) expected.push_back(n);
  EXPECT_EQ(sizes, expected);
  for (size_t designs : {size_t{0}, size_t{1}, size_t{3}, size_t{12}, size_t{378}, size_t{1000}})
    for (size_t ranks : {size_t{1}, size_t{2}, size_t{7}})
      for (size_t threads : {size_t{1}, size_t{4}}) {
        const auto ps = round_pieces(designs, ranks, threads);
        size_t at = 0;
        for (size_t i = 0; i < ps.size(); ++i) {
          EXPECT_EQ(ps[i].begin, at);
          EXPECT_GT(ps[i].count, 0u);
          EXPECT_LE(ps[i].count, kRankPiece * threads);
          // Never longer than the one before; shorter than the least only at the round's end.
          if (i > 0) {
            EXPECT_LE(ps[i].count, ps[i - 1].count);
          }
          if (i + 1 < ps.size()) {
            EXPECT_GE(ps[i].count, kRankMinPiece * threads);
          }
          at += ps[i].count;
        }
        EXPECT_EQ(at, designs) << designs << " designs, " << ranks << " ranks";
      }
}

// The results one process gives, in its order, for every split, number of ranks, block size and
// to_all; rank 0 (or every rank with to_all) receives them, the others nothing; each rank's load
// counts its designs, and the ranks' designs add up to the list.
TEST(RankSplit, RanksGiveTheResultsOfOneProcessInOrder) {
  auto s = space_from(kSpace);
  ASSERT_TRUE(s);
  auto one = DesignEvaluator::create(*s);
  ASSERT_TRUE(one);
  // Every design, the second half reversed: the list is not the grid's order (a sample, a resumed
  // search); rounds of 2 x 40 or 2 x 100 designs and 3 x 40 are cut into 2 pieces per rank.
  std::vector<uint64_t> idx;
  for (uint64_t i = 0; i < s->grid_size(); ++i) idx.push_back(i);
  std::reverse(idx.begin() + static_cast<ptrdiff_t>(idx.size() / 2), idx.end());
  std::vector<DesignResult> expected;
  evaluate_designs(*one, idx, 1, 256,
                   [&](std::vector<DesignResult>& b) { expected.insert(expected.end(), b.begin(), b.end()); });
  ASSERT_EQ(expected.size(), 120u);
  size_t infeasible = 0;
  for (const auto& r : expected) infeasible += r.feasibility.feasible() ? 0 : 1;
  EXPECT_GT(infeasible, 0u);
  for (const RankSplit split : {RankSplit::kDynamic, RankSplit::kContiguous})
    for (int n : {2, 3})
      for (size_t block : {size_t{4}, size_t{7}, size_t{40}, size_t{100}})
        for (bool to_all : {false, true}) {
          const std::string what = "split " + std::to_string(static_cast<int>(split)) + ", " +
                                   std::to_string(n) + " ranks, block " + std::to_string(block) +
                                   (to_all ? ", to all" : "");
          ThreadRanks ranks(n);
          std::vector<std::vector<DesignResult>> got(static_cast<size_t>(n));
          std::vector<RankLoad> loads(static_cast<size_t>(n));
          std::vector<uint64_t> settled(static_cast<size_t>(n));
          std::vector<std::thread> threads;
          for (int r = 0; r < n; ++r)
            threads.emplace_back([&, r] {
              // Each rank its own evaluator (its own memos), as each process of a job has.
              const DesignEvaluator ev = DesignEvaluator::create(*s).value();
              const ThreadRanks::Rank group(ranks, r);
              // Twice, as NSGA-II's generations call it: the second call's pieces are numbered
              // from the tickets the first one settled.
              for (int call = 0; call < 2; ++call) {
                // An empty list between calls takes no ticket and needs no collective.
                evaluate_designs(ev, {}, group, 1, block, to_all,
                                 [&](std::vector<DesignResult>&) { ADD_FAILURE() << "empty"; }, nullptr, split);
                evaluate_designs(ev, idx, group, 1, block, to_all,
                                 [&](std::vector<DesignResult>& b) {
                                   if (call == 0) return;
                                   auto& mine = got[static_cast<size_t>(r)];
                                   mine.insert(mine.end(), b.begin(), b.end());
                                 },
                                 &loads[static_cast<size_t>(r)], split);
              }
              settled[static_cast<size_t>(r)] = group.settled_tickets();
            });
          for (auto& t : threads) t.join();
          uint64_t designs = 0;
          for (int r = 0; r < n; ++r) {
            const auto& mine = got[static_cast<size_t>(r)];
            designs += loads[static_cast<size_t>(r)].designs;
            EXPECT_GT(loads[static_cast<size_t>(r)].rounds, 0u) << what;
            if (r != 0 && !to_all) {
              EXPECT_TRUE(mine.empty()) << what;
              continue;
            }
            ASSERT_EQ(mine.size(), expected.size()) << what << ", rank " << r;
            for (size_t i = 0; i < mine.size(); ++i)
              EXPECT_TRUE(same(mine[i], expected[i])) << what << ", rank " << r << ", design " << i;
          }
          EXPECT_EQ(designs, 2 * idx.size()) << what;
          // Every rank settled the same tickets, and they are all those taken.
          for (int r = 0; r < n; ++r)
            EXPECT_EQ(settled[static_cast<size_t>(r)], split == RankSplit::kDynamic ? ranks.taken() : 0)
                << what;
        }
}

}  // namespace
}  // namespace xpusim
