// SPDX-License-Identifier: Apache-2.0
// RankGroup over MPI_COMM_WORLD: byte strings gathered with MPI_Igatherv / MPI_Iallgatherv (the
// lengths first) and broadcast with MPI_Bcast in pieces of at most 1 GiB (MPI counts are int).
// take_ticket is MPI_Fetch_and_op on one word of rank 0 (MPI_Win_allocate, lock_all for the
// group's life). A rank waiting for the others in a gather sleeps between polls instead of spinning as
// OpenMPI's blocking collectives do: a spinning rank takes a core from the ranks still
// evaluating whenever there are fewer free cores than ranks (a shared machine, --oversubscribe).
#include "xpusim/dse/impl/mpi_rank_group.h"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <thread>

#include "xpusim/base/check.h"

namespace xpusim {
namespace {

// Completes `request`, polling every 100 us (a gather follows a block of designs: milliseconds).
void wait_sleeping(MPI_Request& request) {
  int done = 0;
  MPI_Test(&request, &done, MPI_STATUS_IGNORE);
  while (done == 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
  }
}

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
    XPUSIM_CHECK(mine.size() < (size_t{1} << 31), "a rank's part fits an MPI int count");
    int length = static_cast<int>(mine.size());
    std::vector<int> lengths(static_cast<size_t>(size_));
    MPI_Request request;
    if (to_all) MPI_Iallgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, MPI_COMM_WORLD, &request);
    else MPI_Igather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD, &request);
    wait_sleeping(request);
    const bool receives = to_all || rank_ == 0;
    std::vector<int> offsets(static_cast<size_t>(size_), 0);
    int64_t total = 0;
    for (size_t r = 0; r < lengths.size(); ++r) {
      offsets[r] = static_cast<int>(total);
      total += receives ? lengths[r] : 0;
    }
    XPUSIM_CHECK(total < (int64_t{1} << 31), "the gathered parts fit an MPI int count");
    std::string all(static_cast<size_t>(total), '\0');
    void* send = const_cast<char*>(mine.data());
    if (to_all)
      MPI_Iallgatherv(send, length, MPI_BYTE, all.data(), lengths.data(), offsets.data(), MPI_BYTE,
                      MPI_COMM_WORLD, &request);
    else
      MPI_Igatherv(send, length, MPI_BYTE, all.data(), lengths.data(), offsets.data(), MPI_BYTE, 0,
                   MPI_COMM_WORLD, &request);
    wait_sleeping(request);
    std::vector<std::string> parts;
    if (!receives) return parts;
    for (size_t r = 0; r < lengths.size(); ++r)
      parts.push_back(all.substr(static_cast<size_t>(offsets[r]), static_cast<size_t>(lengths[r])));
    return parts;
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
