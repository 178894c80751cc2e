// SPDX-License-Identifier: Apache-2.0
// The processes a search runs on (dse/ stage 3): this process alone, or the ranks of an MPI job
// (`mpirun -np N xpusim explore ...`, OpenMPI from Debian). Every rank evaluates designs; rank 0
// reads and writes the database and prints. The operations are collective: every rank calls them
// in the same order. MPI is initialised only when the process was started by mpirun with more
// than one rank, so the binary runs as a plain process without it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "xpusim/base/diagnostic.h"

namespace xpusim {

// A gather under way (RankGroup::start_gather): the rank goes on evaluating and polls it.
class PendingGather {
 public:
  virtual ~PendingGather() = default;
  PendingGather() = default;
  PendingGather(const PendingGather&) = delete;
  PendingGather& operator=(const PendingGather&) = delete;
  // Whether the gather has completed; never blocks (MPI: MPI_Test, which also moves the transfer
  // on: MPI progresses a non-blocking collective only inside MPI calls).
  [[nodiscard]] virtual bool done() = 0;
  // Waits for completion and returns what gather() would have (once).
  [[nodiscard]] virtual std::vector<std::string> finish() = 0;
};

class RankGroup {
 public:
  virtual ~RankGroup() = default;
  [[nodiscard]] virtual int rank() const = 0;  // 0 .. size() - 1
  [[nodiscard]] virtual int size() const = 0;
  // Ranks of the group on this machine (they share its cores: the default thread count).
  [[nodiscard]] virtual int local_size() const = 0;
  // Every rank's `mine`, in rank order: on rank 0 (the other ranks get an empty list) or, with
  // `to_all`, on every rank.
  [[nodiscard]] virtual std::vector<std::string> gather(const std::string& mine, bool to_all) const = 0;
  // gather(), started now and finished by the returned handle, so that the rank can go on with
  // other work (evaluate_designs: the next round) while the parts travel. Collective like
  // gather: every rank starts its gathers and other collectives in the same order, and finishes
  // a gather before it starts the next collective. The default gathers at once (a handle already
  // done): right for one process and for groups without non-blocking collectives.
  [[nodiscard]] virtual std::unique_ptr<PendingGather> start_gather(std::string mine, bool to_all) const;
  // Rank 0's `bytes` replace every other rank's.
  virtual void broadcast(std::string& bytes) const = 0;
  // Returns once every rank has called it.
  virtual void barrier() const = 0;
  // Ends every rank of the job with exit code `code` (MPI_Abort): for a failure on some ranks
  // only, which would leave the others waiting in a collective. Nothing for one process.
  virtual void abort(int code) const = 0;
  // A counter shared by every rank, 0 when the group is made: returns its value and adds 1,
  // atomically across the ranks (MPI: MPI_Fetch_and_op on a window of rank 0, which any rank
  // reaches without rank 0 taking part). Not collective: each rank takes tickets at its own pace
  // (the pieces of a round go to whichever rank asks first: evaluate_designs).
  [[nodiscard]] virtual uint64_t take_ticket() const = 0;
  // The tickets every rank knows to be taken: advanced alike by every rank (evaluate_designs,
  // at the end of a call, once every rank has taken its last ticket), so that a call's pieces are
  // numbered from it. Not shared: each rank's own copy, equal on every rank.
  [[nodiscard]] uint64_t& settled_tickets() const { return settled_; }

 private:
  mutable uint64_t settled_ = 0;
};

// This process alone (rank 0 of 1).
std::unique_ptr<RankGroup> single_process();

// The group this process was started in: the MPI job when the environment says mpirun started it
// with more than one rank (OMPI_COMM_WORLD_SIZE > 1; MPI is initialised now and finalised when
// the group is destroyed), else single_process(). An error naming `flag` when mpirun started
// several ranks but this build has no MPI (each would run the whole search alone).
Result<std::unique_ptr<RankGroup>> rank_group_from_environment(const std::string& flag);

}  // namespace xpusim
