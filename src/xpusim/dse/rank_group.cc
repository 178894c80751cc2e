// SPDX-License-Identifier: Apache-2.0
#include "xpusim/dse/rank_group.h"

#include <cstdlib>
#include <string>
#include <utility>

#include <fmt/format.h>

#ifdef XPUSIM_HAVE_MPI
#include "xpusim/dse/impl/mpi_rank_group.h"
#endif

namespace xpusim {
namespace {

// A gather made in full when it was started.
class DoneGather final : public PendingGather {
 public:
  explicit DoneGather(std::vector<std::string> parts) : parts_(std::move(parts)) {}
  [[nodiscard]] bool done() override { return true; }
  [[nodiscard]] std::vector<std::string> finish() override { return std::move(parts_); }

 private:
  std::vector<std::string> parts_;
};

class SingleProcess final : public RankGroup {
 public:
  [[nodiscard]] int rank() const override { return 0; }
  [[nodiscard]] int size() const override { return 1; }
  [[nodiscard]] int local_size() const override { return 1; }
  [[nodiscard]] std::vector<std::string> gather(const std::string& mine, bool) const override {
    return {mine};
  }
  void broadcast(std::string&) const override {}
  void barrier() const override {}
  void abort(int) const override {}
  [[nodiscard]] uint64_t take_ticket() const override { return next_++; }

 private:
  mutable uint64_t next_ = 0;
};

// The ranks mpirun started (OpenMPI sets OMPI_COMM_WORLD_SIZE in every process it starts).
long launched_ranks() {
  const char* v = std::getenv("OMPI_COMM_WORLD_SIZE");
  return v ? std::strtol(v, nullptr, 10) : 1;
}

}  // namespace

std::unique_ptr<PendingGather> RankGroup::start_gather(std::string mine, bool to_all) const {
  return std::make_unique<DoneGather>(gather(mine, to_all));
}

std::unique_ptr<RankGroup> single_process() { return std::make_unique<SingleProcess>(); }

Result<std::unique_ptr<RankGroup>> rank_group_from_environment(const std::string& flag) {
  const long ranks = launched_ranks();
  if (ranks <= 1) return single_process();
#ifdef XPUSIM_HAVE_MPI
  (void)flag;
  return make_mpi_rank_group();
#else
  return fail(Diagnostic{.file = "<command line>", .path = flag,
                         .message = fmt::format("started by mpirun with {} ranks, but this xpusim "
                                                "was built without MPI (XPUSIM_MPI off, or CMake "
                                                "found none); run one process, or rebuild with "
                                                "libopenmpi-dev",
                                                ranks)});
#endif
}

}  // namespace xpusim
