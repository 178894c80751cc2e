// SPDX-License-Identifier: Apache-2.0
// One workload Op on one device -> time, FLOP, bytes per memory level and binding resource
// (stage 5). Dispatches GEMMs to gemm_model, collectives to collective_model, and models
// attention, element-wise, norm, embedding and sampling kernels here.
#pragma once

#include "xpusim/config/hardware_spec.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/perf/gemm_model.h"
#include "xpusim/perf/perf_result.h"
#include "xpusim/workload/op_graph.h"

namespace xpusim {

struct OpResult {
  Seconds time;  // one execution, including kernel_overhead
  FlopCount flop;
  TrafficBytes bytes;
  Bound bound = Bound::kLatency;
  double utilization = 0;  // achieved / peak of the binding resource
  GemmTile tile;           // GEMMs only
};

// Where the weights of a weight-stationary device (weight_stationary(hw)) live: the parameter bytes
// it holds (weight_bytes_per_device) and the number of weight GEMMs a token passes on it, one
// region of the units each. Default (resident 0): every GEMM gets every unit.
struct WeightPlacement {
  Bytes resident{0};
  double regions = 1;
};

// On a weight-stationary device a weight GEMM runs on its region of the units only
// (weight_region_units), and its M rows stream through the regions as a pipeline: the rows of a
// step leave the region one after another while the next region already works on the earlier ones
// (layer pipelining), so the S regions of a step take (S + M - 1) row times instead of S x M; each
// GEMM is charged its M-row time x (1 + (M - 1) / S) / M, the equal-region share of that (regions
// are sized by their weights, so their row times are about equal).
OpResult predict_op(const HardwareSpec& hw, const Op& op, const PerfCalibration& cal,
                    const WeightPlacement& placement = {});
// The same, with `memory` = memory_bandwidth(hw, cal) computed once by a caller that predicts many
// ops on one device (DeviceModel); a weight-stationary GEMM's region still gets its own.
OpResult predict_op(const HardwareSpec& hw, const MemoryBandwidth& memory, const Op& op,
                    const PerfCalibration& cal, const WeightPlacement& placement = {});

// Weights stationary in per-unit memory: an sram_only design whose backing store is the units'
// own memory (memory.l1, backing_store(hw).level == "l1"; the Cerebras WSE's 48 KiB per core).
// Its weights cannot stream to the units that compute: each unit multiplies the weights it holds,
// so the GEMM of one weight matrix runs on the units that hold that matrix. A design whose
// weights sit in a shared level (Groq's MEM slices as memory.l2) streams them to the matrix
// engine instead and is not weight-stationary.
bool weight_stationary(const HardwareSpec& hw);

// Units that hold the weights of a GEMM reading `op_weights` of the `resident_weights` the device
// holds: the compiler spreads the resident weights over all units in proportion to their size
// (layer pipelining: each layer on a region of the wafer sized by its work, Cerebras Hot Chips
// 2022/2024, recalled), so units x op_weights / resident_weights, at least 1 and at most units.
// At batch 1 a token passes the regions one after another, so only one region computes at a time.
int weight_region_units(const HardwareSpec& hw, Bytes op_weights, Bytes resident_weights);

}  // namespace xpusim
