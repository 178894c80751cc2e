// SPDX-License-Identifier: Apache-2.0
// The interconnect, memory and power microbenchmarks as library calls (`xpusim collective`,
// `xpusim membw`, `xpusim power`): what nccl-tests / nvbandwidth and BabelStream would measure on
// a described design, and what it draws under reference loads, from the same models every
// operator, serving step and `validate` row uses (perf/collective_model.h, perf/memory_system.h,
// area/power_model.h with perf/sustained_clock.h), so one question has one answer.
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

// ---- power ----------------------------------------------------------------------------------
// The power model on its own (area/power_model.h): the power by component (leakage, busy logic,
// DRAM background, idle SerDes, matrix engines, SIMD lanes, on-chip memory and DRAM traffic,
// links) of reference loads, the clock each sustains under the TDP (perf/sustained_clock.h, the
// clock `gemm`, `run` and `serve` use) and the power there. Kernels:
//   gemm   an m x n x k GEMM looped back to back with `gemm`'s default runtime (the vendor
//          library), one row per precision (default: every format the matrix engines run
//          natively): the same clock and TFLOP/s as `xpusim gemm`;
//   stream BabelStream triad at the achievable streaming bandwidth (`membw`), its arithmetic on
//          the SIMD lanes;
//   idle   clocks running without work (what a device draws between kernels);
//   peak   every engine and memory level at its peak at once (`area`'s peak_power_w).
struct PowerRequest {
  std::string hardware;
  std::vector<std::string> overrides;
  std::vector<std::string> kernels;     // empty = gemm, stream, idle, peak
  std::vector<std::string> precisions;  // gemm rows; empty = every native matrix format
  int64_t m = 8192, n = 8192, k = 8192;
};

// The kernels `power --kernel` takes, in the order it reports them by default.
const std::vector<std::string>& power_kernels();

Result<Json> power(const PowerRequest& request);

}  // namespace xpusim::api
