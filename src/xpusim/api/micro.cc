// SPDX-License-Identifier: Apache-2.0
// collective, membw and power (api/micro.h): the checks of each request, the model calls and the
// JSON document of each; the figures are perf/collective_model.h's (alpha-beta costs by topology
// and algorithm), perf/memory_system.h's (controllers and package fabric) and area/power_model.h's
// (energy per operation and per byte, static power, the voltage-frequency relation) with
// perf/sustained_clock.h (the clock under the TDP), whose headers give their formulas and sources.
#include "xpusim/api/micro.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "xpusim/api/impl/input_failure.h"
#include "xpusim/api/perf.h"
#include "xpusim/area/area_model.h"
#include "xpusim/area/power_model.h"
#include "xpusim/base/check.h"
#include "xpusim/base/text.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/perf/collective_model.h"
#include "xpusim/perf/gemm_model.h"
#include "xpusim/perf/memory_system.h"
#include "xpusim/perf/sustained_clock.h"
#include "xpusim/report/result_json.h"
#include "xpusim/report/table.h"

namespace xpusim::api {
namespace {

using namespace detail;  // NOLINT: the private helpers of api/

// The message sizes of the sweep: min, min x f, ... while <= max (with a relative slack, so a
// sweep 1 KiB .. 1 GiB by 2 ends at 1 GiB exactly), and max itself if the last step passed it.
std::vector<double> sweep_sizes(const CollectiveRequest& o) {
  std::vector<double> sizes;
  // factor > 1 (bounds::kSizeFactor, checked before): the sweep ends.
  for (double s = o.min_bytes; s <= o.max_bytes * (1 + 1e-9); s *= o.factor) {
    sizes.push_back(std::min(std::round(s), o.max_bytes));
    if (static_cast<int64_t>(sizes.size()) > bounds::kMaxSweepSizes)
      input_error("--factor",
                  fmt::format("--min-bytes {} .. --max-bytes {} by --factor {} is more than {} "
                              "sizes; allowed at most {} (raise --factor or narrow the range)",
                              o.min_bytes, o.max_bytes, o.factor, bounds::kMaxSweepSizes,
                              bounds::kMaxSweepSizes));
  }
  if (sizes.empty() || sizes.back() < o.max_bytes) sizes.push_back(o.max_bytes);
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

// The NCCL collectives `collective --op` takes, by their names (workload/op_graph.h to_string);
// beside them the copies, which are not collectives (copy, host_copy).
constexpr CollectiveKind kCollectiveKinds[] = {
    CollectiveKind::kAllReduce, CollectiveKind::kAllGather, CollectiveKind::kReduceScatter,
    CollectiveKind::kAllToAll, CollectiveKind::kSendRecv};
constexpr std::string_view kCopyOps[] = {"copy", "host_copy"};

std::optional<CollectiveKind> collective_kind(std::string_view op) {
  for (CollectiveKind k : kCollectiveKinds)
    if (to_string(k) == op) return k;
  return std::nullopt;
}

Json collective_checked(const CollectiveRequest& o) {
  BoundChecks checks;
  checks.check("--devices", o.devices, bounds::kCollectiveDevices);
  checks.check("--min-bytes", o.min_bytes, bounds::kMessageBytes);
  checks.check("--max-bytes", o.max_bytes, bounds::kMessageBytes);
  checks.check("--factor", o.factor, bounds::kSizeFactor);
  checks.fail_if_any();
  if (o.min_bytes > o.max_bytes)
    input_error("--min-bytes", fmt::format("--min-bytes {} is above --max-bytes {}; allowed at "
                                           "most --max-bytes",
                                           o.min_bytes, o.max_bytes));
  const auto& ops = collective_ops();
  if (std::find(ops.begin(), ops.end(), o.op) == ops.end())
    input_error("--op", unknown_choice("operation", o.op, ops));
  const HardwareSpec hw =
      value_or_fail(load_hardware(o.hardware, hardware_only_overrides(o.overrides)));
  // nccl-tests: NCCL's own algorithm choice, NVLS included where the switches reduce.
  const PerfCalibration cal = nccl_defaults(default_calibration());
  const int devices = static_cast<int>(o.devices);
  auto predict = [&](Bytes b) -> Result<CollectiveResult> {
    if (o.op == "copy") return predict_copy(hw, b, cal, devices);
    if (o.op == "host_copy") return predict_host_copy(hw, b, cal);
    return predict_collective(hw, *collective_kind(o.op), b, devices, cal);
  };

  ResultJson j("collective");
  j.set("hardware", hw.id);
  j.set("op", o.op);
  j.set("devices", o.op == "host_copy" ? Json(1) : Json(o.devices));
  const LinkTierSpec& up = hw.interconnect.scale_up;
  j.set("scale_up_topology", up.present ? Json(up.topology.empty() ? "switched" : up.topology)
                                        : Json(nullptr));
  j.set("scale_up_devices", up.present && up.domain_size > 0 ? Json(up.domain_size)
                                                            : Json(nullptr));
  j.set("scale_up_in_network_reduction", up.present && up.in_network_reduction);
  Json sizes = Json::array();
  Feasibility feasibility;
  for (double s : sweep_sizes(o)) {
    const CollectiveResult r = value_or_fail(predict(Bytes(s)));
    if (!r.feasibility.feasible()) {
      feasibility = r.feasibility;
      break;
    }
    ResultJson row("collective", "sizes");
    row.set("size_bytes", s);
    row.set("time_us", round6(units::to_us(r.time)));
    row.set("algbw_gbs", round6(units::to_gb_per_s(r.algorithm_bandwidth)));
    row.set("busbw_gbs", round6(units::to_gb_per_s(r.bus_bandwidth)));
    row.set("algorithm", r.algorithm);
    row.set("tier", r.tier);
    sizes.push_back(row.json());
  }
  const bool ok = feasibility.feasible();
  j.set("feasible", ok);
  j.set("infeasible_reason", ok ? Json(nullptr) : Json(std::string(feasibility.reason_name())));
  j.set("infeasible_detail", ok ? Json(nullptr) : Json(feasibility.detail));
  j.set("sizes", ok ? sizes : Json::array());
  return j.json();
}

const std::vector<std::string>& default_kernels() {
  static const std::vector<std::string> k = {"copy", "mul", "add", "triad", "dot", "nstream"};
  return k;
}

Json membw_checked(const MembwRequest& o) {
  std::vector<std::string> names;
  for (const StreamKernel& k : stream_kernels()) names.emplace_back(k.name);
  const std::vector<std::string>& asked = o.kernels.empty() ? default_kernels() : o.kernels;
  Diagnostics bad;
  for (const std::string& k : asked)
    if (!find_stream_kernel(k))
      bad.push_back(Diagnostic{.file = "<command line>",
                               .path = "--kernel",
                               .message = unknown_choice("kernel", k, names)});
  if (!bad.empty()) fail_with(std::move(bad));
  const HardwareSpec hw =
      value_or_fail(load_hardware(o.hardware, hardware_only_overrides(o.overrides)));
  const MemoryBandwidth mb = memory_bandwidth(hw, default_calibration());
  // What the kernels stream from: DRAM, or the last on-chip level of an sram_only design.
  const BackingStore store = backing_store(hw);
  const double peak = store.bandwidth.value();

  ResultJson j("membw");
  j.set("hardware", hw.id);
  j.set("dram_type", hw.memory.dram.type);
  j.set("backing_store", store.level);
  j.set("peak_gbs", round6(units::to_gb_per_s(store.bandwidth)));
  j.set("controllers_gbs", round6(units::to_gb_per_s(mb.controllers)));
  j.set("refresh_loss_fraction", round6(mb.refresh_loss));
  j.set("turnaround_ns", round6(mb.turnaround.value() * 1e9));
  j.set("write_batch_ns", round6(mb.write_batch.value() * 1e9));
  j.set("fabric_gbs", mb.fabric ? Json(round6(units::to_gb_per_s(*mb.fabric))) : Json(nullptr));
  j.set("fabric_kind", mb.fabric_kind.empty() ? Json(nullptr) : Json(mb.fabric_kind));
  j.set("memory_dies", mb.dies);
  j.set("mean_hops", round6(mb.mean_hops));
  j.set("note", mb.note.empty() ? Json(nullptr) : Json(mb.note));
  Json kernels = Json::array();
  for (const std::string& name : asked) {
    const StreamKernel k = *find_stream_kernel(name);
    const BytesPerSecond bw = mb.for_stream(k.write_fraction);
    const bool fabric = mb.fabric_binds(k.write_fraction);
    ResultJson row("membw", "kernels");
    row.set("kernel", name);
    row.set("write_fraction", round6(k.write_fraction));
    row.set("bandwidth_gbs", round6(units::to_gb_per_s(bw)));
    row.set("peak_fraction", peak > 0 ? Json(round6(bw.value() / peak)) : Json(nullptr));
    row.set("bound", fabric ? mb.fabric_kind
                            : std::string(store.on_chip() ? "on_chip" : "controllers"));
    kernels.push_back(row.json());
  }
  j.set("kernels", kernels);
  return j.json();
}

// One row of `power`: a load's activity (at each clock: `activity`), the clock it sustains under
// the TDP and the power by component there. `tflops` (a GEMM's achieved rate at that clock) is
// given by the caller; the others are the power model's.
Json power_row(const HardwareSpec& hw, const AreaReport& area, const std::string& kernel,
               const Json& precision, const ActivityAtClock& activity, BytesPerSecond store,
               const Json& tflops) {
  // The clock gemm/run/serve take (sustained_clock_for: this, or boost without a TDP), with the
  // power at boost whether or not a TDP is given.
  const SustainedClock c = value_or_fail(sustained_clock(hw, area, activity));
  const double fraction = c.boost.value() > 0 ? c.clock / c.boost : 1.0;
  const PowerReport p = value_or_fail(estimate_power_at_clock(
      hw, area, boost_equivalent_rates(activity(fraction), fraction), fraction));
  auto w = [](Watts v) { return round6(v.value()); };
  ResultJson row("power", "kernels");
  row.set("kernel", kernel);
  row.set("precision", precision);
  row.set("tflops", tflops);
  // The backing store's traffic (DRAM, or an sram_only design's last on-chip level) at boost.
  row.set("store_gbs", round6(units::to_gb_per_s(store)));
  row.set("boost_clock_ghz", round6(units::to_ghz(c.boost)));
  row.set("sustained_clock_ghz", round6(units::to_ghz(c.clock)));
  row.set("power_limited", c.power_limited);
  row.set("power_at_boost_w", w(c.power_at_boost));
  row.set("power_w", w(p.total));
  row.set("within_tdp", p.within_tdp);
  row.set("static_w", w(p.static_power));
  row.set("busy_logic_w", w(p.busy_logic));
  row.set("dram_background_w", w(p.dram_background));
  row.set("link_idle_w", w(p.link_idle));
  row.set("matrix_w", w(p.matrix));
  row.set("vector_w", w(p.vector));
  row.set("memory_w", w(p.memory));
  row.set("links_w", w(p.links));
  return row.json();
}

// The formats whose GEMMs run on the matrix engines as they are (no wider fallback), in the
// order of kAllPrecisions.
std::vector<Precision> native_matrix_precisions(const HardwareSpec& hw) {
  std::vector<Precision> out;
  for (Precision p : kAllPrecisions)
    if (execution_precision(hw, p) == p && peak_matrix_rate(hw, p).value() > 0) out.push_back(p);
  return out;
}

Json power_checked(const PowerRequest& o) {
  check_gemm_flags(o.m, o.n, o.k, 1, false);
  const GemmShape shape{o.m, o.n, o.k, 1};
  const std::vector<std::string>& known = power_kernels();
  Diagnostics bad;
  for (const std::string& k : o.kernels)
    if (std::find(known.begin(), known.end(), k) == known.end())
      bad.push_back(Diagnostic{.file = "<command line>",
                               .path = "--kernel",
                               .message = unknown_choice("kernel", k, known)});
  if (!bad.empty()) fail_with(std::move(bad));
  std::vector<Precision> asked;
  for (const std::string& p : o.precisions) asked.push_back(parse_precision("--precision", p));
  const HardwareSpec hw =
      value_or_fail(load_hardware(o.hardware, hardware_only_overrides(o.overrides)));
  // The power model needs the die areas (leakage, the clocked logic's node).
  const AreaReport area = value_or_fail(estimate_area(hw));
  if (asked.empty()) asked = native_matrix_precisions(hw);
  const std::vector<std::string>& kernels = o.kernels.empty() ? known : o.kernels;

  ResultJson j("power");
  j.set("hardware", hw.id);
  j.set("tdp_w", hw.physical.tdp.value() > 0 ? Json(round6(hw.physical.tdp.value()))
                                              : Json(nullptr));
  j.set("node", to_string(area.dies.front().node));
  j.set("area_mm2", round6(area.total_area.value()));
  j.set("gemm_runtime", std::string(kGemmDefaultRuntime));
  j.set("m", o.m);
  j.set("n", o.n);
  j.set("k", o.k);
  const RuntimeProfile* runtime = find_runtime(default_calibration().runtimes, kGemmDefaultRuntime);
  XPUSIM_CHECK(runtime != nullptr, "the default calibration has gemm's default runtime");
  const PerfCalibration cal = with_runtime(default_calibration(), *runtime);
  Json rows = Json::array();
  for (const std::string& kernel : kernels) {
    if (kernel == "gemm") {
      for (Precision p : asked) {
        // The GEMM looped back to back at boost (kernel plus the gap to the next), as predict_gemm
        // times it; the achieved rate is predict_gemm's at the sustained clock (`xpusim gemm`).
        const GemmOperands ops{p, p};
        const GemmResult boost = xpusim::detail::predict_gemm_unchecked(hw, shape, ops, cal);
        const GemmResult sustained = value_or_fail(predict_gemm(hw, shape, ops, cal));
        rows.push_back(power_row(hw, area, kernel, Json(std::string(to_string(p))),
                                 gemm_activity_at_clock(hw, shape, ops, cal),
                                 boost.bytes.dram / boost.time,
                                 Json(round6(units::to_tflops(sustained.achieved)))));
      }
    } else if (kernel == "stream") {
      // Triad (a = b + s x c): two reads and a write per element, 2 FLOP per 3 x 8 bytes
      // (BabelStream's doubles), at membw's achievable rate for one second.
      const double write_fraction = find_stream_kernel("triad")->write_fraction;
      const BytesPerSecond bw = memory_bandwidth(hw, default_calibration()).for_stream(write_fraction);
      const Bytes moved = bw * Seconds(1);
      DeviceWork work;
      work.vector_flop = FlopCount(moved.value() * 2.0 / 24.0);
      work.bytes.dram = moved;
      work.bytes.l2 = moved;
      PrecisionPlan plan;
      rows.push_back(power_row(hw, area, kernel, Json(nullptr),
                               following_clock(device_activity(hw, plan, work, Seconds(1))), bw,
                               Json(nullptr)));
    } else if (kernel == "idle") {
      ActivityRates a;
      a.clocks_running = true;
      rows.push_back(power_row(hw, area, kernel, Json(nullptr), following_clock(a),
                               BytesPerSecond(0), Json(nullptr)));
    } else {  // peak
      rows.push_back(power_row(hw, area, kernel, Json(nullptr), following_clock(peak_activity(hw)),
                               backing_store(hw).bandwidth, Json(nullptr)));
    }
  }
  j.set("kernels", rows);
  return j.json();
}

}  // namespace

const std::vector<std::string>& power_kernels() {
  static const std::vector<std::string> k = {"gemm", "stream", "idle", "peak"};
  return k;
}

Result<Json> power(const PowerRequest& request) {
  return guarded([&] { return power_checked(request); });
}

const std::vector<std::string>& collective_ops() {
  static const std::vector<std::string> ops = [] {
    std::vector<std::string> v;
    for (CollectiveKind k : kCollectiveKinds) v.emplace_back(to_string(k));
    for (std::string_view c : kCopyOps) v.emplace_back(c);
    return v;
  }();
  return ops;
}

Result<Json> collective(const CollectiveRequest& request) {
  return guarded([&] { return collective_checked(request); });
}

Result<Json> membw(const MembwRequest& request) {
  return guarded([&] { return membw_checked(request); });
}

}  // namespace xpusim::api
