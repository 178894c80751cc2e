// SPDX-License-Identifier: Apache-2.0
// Selecting a runtime profile, and which of its overheads apply on a chip. The values of the global
// constants and of the runtime profiles, each with its fit date and source, are data:
// data/calibration/default.yaml (read by calibration_file.cc; `xpusim calibrate` fits and writes it).
#include "xpusim/perf/calibration.h"

#include <algorithm>

#include "xpusim/base/check.h"

namespace xpusim {

PerfCalibration constants_only(const PerfCalibration& cal) {
  PerfCalibration c;
  static_cast<PerfConstants&>(c) = cal;
  return c;
}

PerfCalibration with_runtime(const PerfCalibration& cal, const RuntimeProfile& runtime) {
  PerfCalibration c = cal;
  c.kernel_overhead = runtime.kernel_gap;
  c.host_call_overhead = runtime.host_call;
  c.step_overhead = runtime.step_overhead;
  c.request_overhead = runtime.request_overhead;
  c.sequence_overhead = runtime.sequence_overhead;
  c.output_overlap = runtime.output_overlap;
  c.schedule_overlap = runtime.schedule_overlap;
  c.in_network_all_reduce = runtime.in_network_all_reduce;
  c.gqa_kv_reread = runtime.gqa_kv_reread;
  c.gqa_fused_max_group = runtime.gqa_fused_max_group;
  c.runtime_matrix_efficiency = runtime.matrix_efficiency;
  c.runtime_expert_factor = runtime.expert_gemm_factor;
  return c;
}

Seconds dispatch_cost(const HardwareSpec& hw, Seconds overhead) {
  return hw.compute.execution == Execution::kStaticallyScheduled ? Seconds(0) : overhead;
}

HostOverlap host_overlap(const PerfCalibration& cal) {
  if (cal.schedule_overlap) return HostOverlap::kAll;
  return cal.output_overlap ? HostOverlap::kOutput : HostOverlap::kNone;
}

Seconds iteration_time(Seconds device, const IterationHost& host, HostOverlap overlap) {
  XPUSIM_CHECK(host.amortised >= 1, "an iteration shares its host work with at least itself");
  // The whole host work as the pipeline's other stage (SGLang >= 0.4's overlap scheduler).
  if (overlap == HostOverlap::kAll)
    return host.request + std::max(device, (host.step + host.output) / host.amortised);
  // Serial: the sum, in the order the serving simulator has always formed it.
  if (overlap == HostOverlap::kNone)
    return device + ((host.step + host.output) / host.amortised + host.request);
  // Two stages, host and device, one iteration each in flight: in steady state the slower stage
  // sets the rate (vLLM v0.6.0's asynchronous output processing, recalled); the serial part is
  // on the critical path of both.
  return host.step / host.amortised + host.request +
         std::max(device, host.output / host.amortised);
}

double vector_issue_efficiency(const HardwareSpec& hw, const PerfCalibration& cal) {
  return hw.compute.execution == Execution::kStaticallyScheduled ? 1.0 : cal.vector_efficiency;
}

}  // namespace xpusim
