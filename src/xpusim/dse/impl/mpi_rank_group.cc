// SPDX-License-Identifier: Apache-2.0
// RankGroup over MPI_COMM_WORLD: byte strings gathered with MPI_Igatherv / MPI_Iallgatherv (the
// lengths first; start_gather returns the gather under way, which the rank polls between pieces of
// designs, so that no rank waits at a round's end) and broadcast with MPI_Bcast in pieces of at most 1 GiB (MPI counts are int).
// take_ticket is MPI_Fetch_and_op on one word of rank 0 (MPI_Win_allocate, lock_all for the
// group's life). A rank waiting for the others in a gather spins for at most 200 us and then
// sleeps between polls instead of spinning as OpenMPI's blocking collectives do: a spinning rank
// takes a core from the ranks still evaluating whenever there are fewer free cores than ranks (a
// shared machine, --oversubscribe).
#include "xpusim/dse/impl/mpi_rank_group.h"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>
#include <thread>

#include "xpusim/base/check.h"

namespace xpusim {
namespace {

// Polls `complete` until it returns true: continuously for the first kSpin, then every kNap.
// A wait at the end of a call (the last gather, the barrier) is for the other ranks' last short
// piece and the collective's own steps, each of which needs both sides to poll (MPI progresses
// only inside MPI calls): sleeping at once cost every step up to a nap plus a wake-up (4-8% of a
// 756-design grid's wall time on 2 ranks, docs/dse.md). Spinning only briefly keeps a long wait
// (a rank a whole round behind on a busy core) from taking a core from the ranks still evaluating
// when there are fewer free cores than ranks (a shared machine, --oversubscribe).
template <typename Complete>
void poll_until(Complete complete) {
  constexpr auto kSpin = std::chrono::microseconds(200);
  constexpr auto kNap = std::chrono::microseconds(100);
  const auto spin_until = std::chrono::steady_clock::now() + kSpin;
  while (!complete()) {
    if (std::chrono::steady_clock::now() >= spin_until) std::this_thread::sleep_for(kNap);
  }
}

// Completes `request` (poll_until).
void wait_sleeping(MPI_Request& request) {
  poll_until([&] {
    int done = 0;
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    return done != 0;
  });
}

// A gather in two non-blocking steps: the lengths (MPI_Igather / MPI_Iallgather), then the bytes
// (MPI_Igatherv / MPI_Iallgatherv), the second started by whichever done() or finish() sees the
// first complete. Owns its send buffer, which must outlive the transfer.
class MpiGather final : public PendingGather {
 public:
  MpiGather(std::string mine, bool to_all, int rank, int size)
      : mine_(std::move(mine)), to_all_(to_all), receives_(to_all || rank == 0),
        lengths_(static_cast<size_t>(size)), offsets_(static_cast<size_t>(size), 0) {
    XPUSIM_CHECK(mine_.size() < (size_t{1} << 31), "a rank's part fits an MPI int count");
    length_ = static_cast<int>(mine_.size());
    if (to_all_)
      MPI_Iallgather(&length_, 1, MPI_INT, lengths_.data(), 1, MPI_INT, MPI_COMM_WORLD, &request_);
    else
      MPI_Igather(&length_, 1, MPI_INT, lengths_.data(), 1, MPI_INT, 0, MPI_COMM_WORLD, &request_);
  }
  ~MpiGather() override {
    // Collective: a handle dropped unfinished (an exception unwinding) still completes its part.
    if (step_ != kDone) (void)finish();
  }
  MpiGather(const MpiGather&) = delete;
  MpiGather& operator=(const MpiGather&) = delete;

  [[nodiscard]] bool done() override {
    while (step_ != kDone) {
      int complete = 0;
      MPI_Test(&request_, &complete, MPI_STATUS_IGNORE);
      if (complete == 0) return false;
      if (step_ == kLengths) start_bytes();
      else step_ = kDone;
    }
    return true;
  }

  [[nodiscard]] std::vector<std::string> finish() override {
    poll_until([&] { return done(); });
    std::vector<std::string> parts;
    if (!receives_ || finished_) return parts;
    finished_ = true;
    for (size_t r = 0; r < lengths_.size(); ++r)
      parts.push_back(all_.substr(static_cast<size_t>(offsets_[r]), static_cast<size_t>(lengths_[r])));
    return parts;
  }

 private:
  void start_bytes() {
    int64_t total = 0;
    for (size_t r = 0; r < lengths_.size(); ++r) {
      offsets_[r] = static_cast<int>(total);
      total += receives_ ? lengths_[r] : 0;
    }
    XPUSIM_CHECK(total < (int64_t{1} << 31), "the gathered parts fit an MPI int count");
    all_.assign(static_cast<size_t>(total), '\0');
    void* send = mine_.data();
    if (to_all_)
      MPI_Iallgatherv(send, length_, MPI_BYTE, all_.data(), lengths_.data(), offsets_.data(),
                      MPI_BYTE, MPI_COMM_WORLD, &request_);
    else
      MPI_Igatherv(send, length_, MPI_BYTE, all_.data(), lengths_.data(), offsets_.data(), MPI_BYTE,
                   0, MPI_COMM_WORLD, &request_);
    step_ = kBytes;
  }

  enum Step { kLengths, kBytes, kDone };
  std::string mine_;
  bool to_all_;
  bool receives_;
  int length_ = 0;
  std::vector<int> lengths_;
  std::vector<int> offsets_;
  std::string all_;
  MPI_Request request_ = MPI_REQUEST_NULL;
  Step step_ = kLengths;
  bool finished_ = false;
};

class MpiRankGroup final : public RankGroup {
 public:
  MpiRankGroup() {
    int initialized = 0;
    MPI_Initialized(&initialized);
    XPUSIM_CHECK(initialized == 0, "one MPI rank group per process");
    MPI_Init(nullptr, nullptr);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &local_size_);
    MPI_Comm_free(&local);
    // The ticket counter: one word on rank 0, reached by every rank through passive-target
    // atomics (a lock on all ranks held for the group's life).
    const MPI_Aint bytes = rank_ == 0 ? static_cast<MPI_Aint>(sizeof(uint64_t)) : 0;
    MPI_Win_allocate(bytes, sizeof(uint64_t), MPI_INFO_NULL, MPI_COMM_WORLD, &counter_, &window_);
    if (rank_ == 0) *counter_ = 0;
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Win_lock_all(MPI_MODE_NOCHECK, window_);
  }
  ~MpiRankGroup() override {
    MPI_Win_unlock_all(window_);
    MPI_Win_free(&window_);
    MPI_Finalize();
  }
  MpiRankGroup(const MpiRankGroup&) = delete;
  MpiRankGroup& operator=(const MpiRankGroup&) = delete;

  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }
  [[nodiscard]] int local_size() const override { return local_size_; }

  [[nodiscard]] std::vector<std::string> gather(const std::string& mine, bool to_all) const override {
    return start_gather(mine, to_all)->finish();
  }

  [[nodiscard]] std::unique_ptr<PendingGather> start_gather(std::string mine, bool to_all) const override {
    return std::make_unique<MpiGather>(std::move(mine), to_all, rank_, size_);
  }

  void broadcast(std::string& bytes) const override {
    uint64_t length = bytes.size();
    MPI_Bcast(&length, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    bytes.resize(length);
    constexpr uint64_t kPiece = uint64_t{1} << 30;
    for (uint64_t at = 0; at < length; at += kPiece)
      MPI_Bcast(bytes.data() + at, static_cast<int>(std::min(kPiece, length - at)), MPI_BYTE, 0,
                MPI_COMM_WORLD);
  }

  void barrier() const override {
    MPI_Request request;
    MPI_Ibarrier(MPI_COMM_WORLD, &request);
    wait_sleeping(request);
  }

  void abort(int code) const override { MPI_Abort(MPI_COMM_WORLD, code); }

  [[nodiscard]] uint64_t take_ticket() const override {
    const uint64_t one = 1;
    uint64_t before = 0;
    MPI_Fetch_and_op(&one, &before, MPI_UINT64_T, 0, 0, MPI_SUM, window_);
    MPI_Win_flush(0, window_);
    return before;
  }

 private:
  uint64_t* counter_ = nullptr;
  MPI_Win window_ = MPI_WIN_NULL;
  int rank_ = 0;
  int size_ = 1;
  int local_size_ = 1;
};

}  // namespace

std::unique_ptr<RankGroup> make_mpi_rank_group() { return std::make_unique<MpiRankGroup>(); }

}  // namespace xpusim
