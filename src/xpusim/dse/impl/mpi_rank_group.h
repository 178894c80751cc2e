// SPDX-License-Identifier: Apache-2.0
// The MPI implementation of RankGroup (built when CMake finds MPI: XPUSIM_HAVE_MPI).
#pragma once

#include <memory>

#include "xpusim/dse/rank_group.h"

namespace xpusim {

// Initialises MPI (MPI_Init) and returns MPI_COMM_WORLD as a group; MPI_Finalize when destroyed.
std::unique_ptr<RankGroup> make_mpi_rank_group();

}  // namespace xpusim
