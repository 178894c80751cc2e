// SPDX-License-Identifier: Apache-2.0
// GEMM on matrix engines and a memory hierarchy (stage 5): searches the output tile that fits the
// per-unit on-chip memory, counts waves over the compute units, traffic at L2 and DRAM, and the
// overlap of arithmetic with data movement. One model for skinny decode and large prefill shapes.
#pragma once

#include "xpusim/area/power_model.h"
#include "xpusim/base/diagnostic.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/perf/memory_system.h"
#include "xpusim/perf/perf_result.h"
#include "xpusim/workload/op_graph.h"

namespace xpusim {

struct GemmTile {
  int m = 0;
  int n = 0;
  int k = 0;
};

struct GemmOperands {
  Precision a = Precision::kBf16;  // activations (A, and the format C is written in)
  Precision b = Precision::kBf16;  // weights (B); narrower than `a` = weight-only quantisation
  int b_group = 0;  // values per scale of block-scaled weights (0 = the format's default)
};

struct GemmResult {
  Seconds time;                // kernel time inside a serving step (incl. kernel_overhead)
  Seconds isolated_call_time;  // host-timed single framework call: time + host_call_overhead
  FlopCount flop;              // 2 m n k batch (useful work)
  FlopRate achieved;           // flop / time
  GemmTile tile;               // chosen output tile (m x n) and k step
  int64_t tiles = 0;           // output tiles (incl. batch)
  int64_t waves = 0;           // ceil(tiles / units)
  Precision execution_precision = Precision::kBf16;
  Seconds matrix_time;  // waves x tile time at the sustained matrix rate
  Seconds l2_time;
  Seconds dram_time;
  Seconds llc_time;  // the L2's misses at the LLC's (or its fabric's) bandwidth;
                     // 0 without an LLC
  TrafficBytes bytes;
  Bound bound = Bound::kMatrix;
  double utilization = 0;  // achieved / peak of the binding resource
  // The compute clock the GEMM ran at (perf/sustained_clock.h): the boost clock, or, where the
  // power of the GEMM at boost exceeds the TDP, the highest clock within it (predict_gemm only;
  // detail::predict_gemm_unchecked runs at hw.compute.clock).
  Hertz sustained_clock;
  bool power_limited = false;
};

// The shapes a caller may pass: m, n, k within bounds::kGemmDim, batch within bounds::kGemmBatch,
// and 2 m n k batch FLOP a count int64 holds (bounds::kGemmFlop). Diagnostics carry the path
// "m", "n", "k", "batch" or "flop" and the value.
Result<void> check_gemm_shape(const GemmShape& shape);

// The GEMM `shape` (checked by check_gemm_shape: its errors are returned) on `hw`, run back to back
// at the clock its power sustains (sustained_clock_for with the GEMM timed at each clock tried;
// the model again at the clock found when it is below boost).
Result<GemmResult> predict_gemm(const HardwareSpec& hw, const GemmShape& shape,
                                GemmOperands operands, const PerfCalibration& cal);
// Convenience: both operands in `p`.
Result<GemmResult> predict_gemm(const HardwareSpec& hw, const GemmShape& shape, Precision p,
                                const PerfCalibration& cal);

// The activity of a GEMM timed at some clock (`at_boost`, from detail::predict_gemm_unchecked)
// looped back to back: its FLOP in the execution format of `operands`, its DRAM and L2 bytes, over
// its time (kernel plus the gap to the next).
ActivityRates gemm_activity(const HardwareSpec& hw, const GemmResult& at_boost,
                            GemmOperands operands);

// The GEMM's activity at each clock fraction s (the model evaluated on at_clock(hw, s x boost)):
// what predict_gemm solves the sustained clock from; `xpusim power` prints its watts. Holds `hw`
// and `cal` by reference: they must outlive the function.
ActivityAtClock gemm_activity_at_clock(const HardwareSpec& hw, const GemmShape& shape,
                                       GemmOperands operands, const PerfCalibration& cal);

// Sustained bandwidth of the backing store (config/hardware_schema.h backing_store()) that
// weights, KV and activations stream from, for a read-only stream: DRAM at what its controllers
// sustain (calibration.dram_efficiency x (1 - the technology's refresh loss)), or, for sram_only
// designs, the last on-chip level at calibration.l2_efficiency (the fraction on-chip levels reach
// in GEMM and attention kernels), bounded by the die-to-die links of a multi-die package
// (perf/memory_system.h). At least 1 B/s, so that a spec without any level cannot divide by zero.
// A stream with a share of writes also loses DRAM's read/write bus turnarounds:
// memory_bandwidth(hw, cal).for_stream(write_fraction).
BytesPerSecond streaming_bandwidth(const HardwareSpec& hw, const PerfCalibration& cal);

// Fill and drain of a GEMM spread over `units` units of a mesh (compute.network: mesh, with
// compute.mesh_hop_cycles given): the units form a square region of side sqrt(units); the input
// vector is broadcast along one side and the split-K partial sums are reduced along the other
// (the GEMV mapping of the Cerebras SDK's examples, recalled), so the first result leaves after
// ~2 x sqrt(units) router hops. The rest of the GEMM streams behind that wave, so the latency is
// paid once per GEMM: 2 sqrt(units) x mesh_hop_cycles / clock. 0 on a crossbar or without a hop
// latency.
Seconds mesh_fill_latency(const HardwareSpec& hw, int64_t units);

namespace detail {
// The model without the shape check, for the op model (perf/op_model.cc), whose GEMMs come from
// build_step: a dimension below 1 (a model without that block) is costed as 1. Never fails.
GemmResult predict_gemm_unchecked(const HardwareSpec& hw, const GemmShape& shape,
                                  GemmOperands operands, const PerfCalibration& cal);
// The same, with `memory` = memory_bandwidth(hw, cal) computed once by a caller that predicts many
// GEMMs on one device (DeviceModel), and the matrix engines at cal.matrix_efficiency x
// `efficiency_factor` (grouped expert GEMMs: perf/op_model.cc).
GemmResult predict_gemm_unchecked(const HardwareSpec& hw, const MemoryBandwidth& memory,
                                  const GemmShape& shape, GemmOperands operands,
                                  const PerfCalibration& cal, double efficiency_factor = 1.0);
}  // namespace detail

}  // namespace xpusim
