// SPDX-License-Identifier: Apache-2.0
// The compute models at the power-limited sustained clock (area/power_model.h sustained_clock):
// the activity a piece of work reaches at a clock (FLOP/s by execution precision, bytes/s per
// level) gives its power there; above the TDP the chip runs at the highest clock whose power fits,
// the work evaluated at each clock tried (matrix and vector peaks scale with the clock; DRAM, L2
// and link bandwidths do not), so a memory-bound op is charged the rates it keeps as the clock
// falls and an op that turns compute-bound the slower rates it has there. Used by `gemm`
// (predict_gemm), the static scenario (per phase) and the serving simulator (per pool).
#pragma once

#include "xpusim/area/power_model.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/perf/perf_result.h"
#include "xpusim/units/quantity.h"
#include "xpusim/workload/parallelism_plan.h"

namespace xpusim {

struct PhaseBreakdown;

// Work done by one device (FLOP by kind, bytes by level).
struct DeviceWork {
  FlopCount gemm_flop;          // GEMMs and the MoE router, in the precision plan's math format
  FlopCount expert_flop;        // routed experts' GEMMs, in PrecisionPlan::experts()'s math
  FlopCount attention_flop;     // attention MMAs, in the activation format
  FlopCount vector_flop;        // norms, activations, softmax, reductions, sampling (SIMD)
  TrafficBytes bytes;
};

// The work of a phase's ops (GEMMs and the router, attention, the rest on the SIMD lanes).
DeviceWork phase_work(const PhaseBreakdown& phase);

// The activity rates of `work` done by one device in `time` of kernels: its FLOP by execution
// precision (GEMMs in the math of the plan the hardware executes, executed_precision_plan, the
// routed experts' in their own, attention in PrecisionPlan::attention_math, other ops on the SIMD
// lanes) and its bytes per level, each divided by `time`; all zero (clocks stopped) for time <= 0.
ActivityRates device_activity(const HardwareSpec& hw, const PrecisionPlan& precision,
                              const DeviceWork& work, Seconds time);

// `hw` with its compute clock at `clock`: the matrix and SIMD peaks follow the clock (they are
// derived from it) and so do the per-unit register-file and L1 bandwidths (SRAM in the SM/CU clock
// domain); L2, LLC, DRAM and link bandwidths are left as they are (their own clock domains; an
// assumption for L2, which some GPUs clock with the core).
HardwareSpec at_clock(const HardwareSpec& hw, Hertz clock);

// The sustained clock of work with activity `rates_at_boost` on `hw` (area from estimate_area with
// the default options). A spec the area model cannot size (no process node) or without a TDP
// keeps its boost clock, not power-limited.
SustainedClock sustained_clock_for(const HardwareSpec& hw, const ActivityRates& rates_at_boost);
// The same with the area already estimated (`area` null: no power model, the boost clock), for
// callers that time several phases of one spec.
SustainedClock sustained_clock_for(const HardwareSpec& hw, const AreaReport* area,
                                   const ActivityRates& rates_at_boost);

// The sustained clock of work the perf models time, solved self-consistently
// (area/power_model.h sustained_clock with an ActivityAtClock): `activity(s)` evaluates the work
// at fraction s of the boost clock (the spec from at_clock). No power model (`area` null, no
// TDP): the boost clock, with activity(s) never called.
SustainedClock sustained_clock_for(const HardwareSpec& hw, const AreaReport* area,
                                   const ActivityAtClock& activity);

}  // namespace xpusim
