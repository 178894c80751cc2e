// SPDX-License-Identifier: Apache-2.0
// The interconnect and memory microbenchmarks as library calls (`xpusim collective`, `xpusim
// membw`): what nccl-tests / nvbandwidth and BabelStream would measure on a described design,
// from the same models every operator, serving step and `validate` row uses (perf/
// collective_model.h, perf/memory_system.h), so one question has one answer.
#pragma once

#include <string>
#include <vector>

#include "xpusim/api/specs.h"
#include "xpusim/base/diagnostic.h"

namespace xpusim::api {

// ---- collective -----------------------------------------------------------------------------
// A message-size sweep of one collective or copy over `devices` devices, nccl-tests style (-b, -e,
// -f): sizes min_bytes, min_bytes x factor, ... up to max_bytes (max_bytes itself ends the sweep
// when the factor steps over it). Ops: all_reduce, all_gather, reduce_scatter, all_to_all,
// send_recv (GPU kernels: NCCL's link efficiency and launch), copy (copy engines between two of
// the `devices`: the link joining the pair), host_copy (host memory to one device over its host
// link; `devices` is not used).
struct CollectiveRequest {
  std::string hardware;
  std::vector<std::string> overrides;
  std::string op = "all_reduce";
  int64_t devices = 8;
  double min_bytes = 1024;
  double max_bytes = 1024.0 * 1024 * 1024;
  double factor = 2;
};

// The operations `op` accepts, in the order `collective --help` lists them.
const std::vector<std::string>& collective_ops();

Result<Json> collective(const CollectiveRequest& request);

// ---- membw ----------------------------------------------------------------------------------
// The achievable streaming bandwidth of the backing memory for each named kernel (perf/
// memory_system.h stream_kernels: copy, mul, add, triad, dot, nstream, ...; default BabelStream's
// six) and what bounds it: the DRAM controllers (refresh, read/write turnarounds, the residual
// dram_efficiency) or a multi-die package's links.
struct MembwRequest {
  std::string hardware;
  std::vector<std::string> overrides;
  std::vector<std::string> kernels;  // empty = copy, mul, add, triad, dot, nstream
};

Result<Json> membw(const MembwRequest& request);

}  // namespace xpusim::api
