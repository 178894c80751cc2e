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
  Seconds time;               // one execution, including kernel_overhead
  FlopCount flop;
  TrafficBytes bytes;
  Bound bound = Bound::kLatency;
  double utilization = 0;     // achieved / peak of the binding resource
  GemmTile tile;              // GEMMs only
};

OpResult predict_op(const HardwareSpec& hw, const Op& op, const PerfCalibration& cal);

}  // namespace xpusim
