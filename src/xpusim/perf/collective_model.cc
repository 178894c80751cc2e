// SPDX-License-Identifier: Apache-2.0
// Alpha-beta collective costs (Thakur, Rabenseifner & Gropp, "Optimization of Collective
// Communication Operations in MPICH", IJHPCA 2005): ring all-reduce = 2(n-1) steps moving
// 2(n-1)/n x S per device; on a switch or full mesh also one-shot (each device reads the n-1 peer
// buffers: 1 step, (n-1) x S) and two-shot (reduce-scatter + all-gather: 2 steps, 2(n-1)/n x S), the
// algorithms of the TensorRT-LLM custom all-reduce. Groups beyond the scale-up domain use a
// hierarchical reduce-scatter / scale-out all-reduce / all-gather (NCCL tree/ring across nodes).
// Ignored: congestion from other traffic, NVLink SHARP in-switch reduction, message pipelining
// granularity, PCIe root-complex limits.
#include "xpusim/perf/collective_model.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace xpusim {
namespace {

struct Tier {
  BytesPerSecond bw;      // per device per direction, after link_efficiency
  Seconds alpha;          // per-step latency
  bool switched = true;   // switch or full mesh: one/two-shot available
  const char* name = "scale_up";
};

struct Cost {
  Seconds time;
  const char* algorithm = "ring";
};

// A "pcie" tier: GPUs behind PCIe switches and host root complexes, no GPU fabric. NCCL runs rings
// and trees there (no one-shot all-reduce) and, where the platform gives the GPUs no direct
// peer-to-peer path, stages the data through host memory (its SHM transport): every byte crosses
// the device's PCIe link twice, half of the link for the collective. Assumption (the PCIe presets
// describe such servers); it is what the 2-8 x L40S serving rows of measured_public.csv show
// (docs/validation.md, "PCIe collectives").
constexpr double kPcieHostStagingFactor = 0.5;

Tier make_tier(const LinkTierSpec& t, const PerfCalibration& cal, const char* name) {
  Tier r;
  r.bw = BytesPerSecond(std::max(t.bandwidth.value(), 1.0) * cal.link_efficiency);
  if (t.topology == "pcie") r.bw = r.bw * kPcieHostStagingFactor;
  r.alpha = t.latency.value() > 0 ? t.latency : cal.default_link_latency;
  r.switched = t.topology.empty() || t.topology == "switched" || t.topology == "fully_connected";
  r.name = name;
  return r;
}

// Cost inside one tier, without the fixed collective_latency.
Cost tier_cost(const Tier& t, CollectiveKind kind, double s, int n) {
  const double nn = n;
  const double frac = (nn - 1.0) / nn;
  switch (kind) {
    case CollectiveKind::kAllReduce: {
      Cost ring{t.alpha * (2.0 * (nn - 1.0)) + Seconds(2.0 * frac * s / t.bw.value()), "ring"};
      // NCCL double binary tree (Sanders et al. 2009): reduce up + broadcast down, 2 log2(n)
      // latency steps, the same bandwidth term as the ring when pipelined.
      Cost tree{t.alpha * (2.0 * std::ceil(std::log2(nn))) + Seconds(2.0 * frac * s / t.bw.value()),
                "tree"};
      if (!t.switched) return ring.time <= tree.time ? ring : tree;
      Cost one{t.alpha + Seconds((nn - 1.0) * s / t.bw.value()), "one_shot"};
      Cost two{t.alpha * 2.0 + Seconds(2.0 * frac * s / t.bw.value()), "two_shot"};
      Cost best = one.time < two.time ? one : two;
      return ring.time < best.time ? ring : best;
    }
    case CollectiveKind::kAllGather:
    case CollectiveKind::kReduceScatter:
    case CollectiveKind::kAllToAll: {
      double steps = t.switched ? 1.0 : nn - 1.0;
      return Cost{t.alpha * steps + Seconds(frac * s / t.bw.value()),
                  t.switched ? "direct" : "ring"};
    }
    case CollectiveKind::kSendRecv:
      return Cost{t.alpha + Seconds(s / t.bw.value()), "p2p"};
  }
  return Cost{};
}

double bus_factor(CollectiveKind kind, int n) {
  const double nn = n;
  switch (kind) {
    case CollectiveKind::kAllReduce: return 2.0 * (nn - 1.0) / nn;
    case CollectiveKind::kSendRecv: return 1.0;
    default: return (nn - 1.0) / nn;
  }
}

}  // namespace

Result<CollectiveResult> predict_collective(const HardwareSpec& hw, CollectiveKind kind,
                                            Bytes bytes, int group, const PerfCalibration& cal) {
  if (group < 1)
    return fail(Diagnostic{.path = "group",
                           .message = fmt::format("a collective needs a group of >= 1 devices, "
                                                  "got {}", group)});
  if (!(bytes.value() >= 0) || !bytes.is_finite())
    return fail(Diagnostic{.path = "bytes",
                           .message = fmt::format("the buffer must be finite and >= 0 bytes, got "
                                                  "{}", bytes.value())});
  CollectiveResult r;
  auto no_tier = [&] {
    r.feasibility.mark(InfeasibleReason::kNetwork,
                       fmt::format("a {}-device {} needs an interconnect tier {} does not have",
                                   group, to_string(kind), hw.id));
  };
  if (group <= 1 || bytes.value() <= 0) {
    r.algorithm = "none";
    r.tier = "none";
    return r;
  }
  const auto& ic = hw.interconnect;
  const double s = bytes.value();
  // The scale-up tier; PCIe-only devices talk through the host link.
  bool have_up = ic.scale_up.present && ic.scale_up.bandwidth.value() > 0;
  Tier up;
  if (have_up) {
    up = make_tier(ic.scale_up, cal, "scale_up");
  } else if (ic.host_bandwidth) {
    up = Tier{*ic.host_bandwidth * cal.link_efficiency, cal.default_link_latency, false, "host"};
  } else {
    up = Tier{BytesPerSecond(1.0), cal.default_link_latency, false, "none"};
    no_tier();
  }
  const int domain = have_up && ic.scale_up.domain_size > 0 ? ic.scale_up.domain_size
                                                            : (have_up ? group : 1);
  Cost cost;
  if (group <= domain || (!have_up && !ic.scale_out.present)) {
    cost = tier_cost(up, kind, s, group);
    r.tier = up.name;
    if (!have_up && !ic.host_bandwidth) no_tier();
  } else if (ic.scale_out.present && ic.scale_out.bandwidth.value() > 0) {
    Tier out = make_tier(ic.scale_out, cal, "scale_out");
    out.switched = false;  // across nodes NCCL uses rings/trees: latency grows with node count
    const int local = std::max(1, std::min(domain, group));
    const int nodes = (group + local - 1) / local;
    if (kind == CollectiveKind::kSendRecv) {
      cost = tier_cost(out, kind, s, 2);
    } else if (kind == CollectiveKind::kAllReduce) {
      // Reduce-scatter inside the node, all-reduce of 1/local of the data across nodes (each local
      // rank runs its own inter-node ring over its NIC), all-gather inside the node.
      Seconds t = local > 1 ? tier_cost(up, CollectiveKind::kReduceScatter, s, local).time * 2.0
                            : Seconds(0);
      t += tier_cost(out, CollectiveKind::kAllReduce, s / local, nodes).time;
      cost = Cost{t, "hierarchical"};
    } else {
      // Data destined to other nodes ((nodes-1)/nodes of it) crosses the NICs.
      Seconds t = local > 1 ? tier_cost(up, kind, s / nodes, local).time : Seconds(0);
      t += tier_cost(out, kind, s, nodes).time;
      cost = Cost{t, "hierarchical"};
    }
    r.tier = "both";
  } else if (ic.host_bandwidth) {
    // No scale-out network: the group talks through the hosts' PCIe (a ring over the PCIe switch
    // tree, as NCCL does between GPUs without NVLink).
    Tier host{*ic.host_bandwidth * cal.link_efficiency, cal.default_link_latency, false, "host"};
    cost = tier_cost(host, kind, s, group);
    r.tier = host.name;
  } else {
    cost = tier_cost(up, kind, s, group);
    r.tier = up.name;
    no_tier();  // group larger than the scale-up domain and no other path
  }
  r.time = cost.time + cal.collective_latency;
  r.algorithm = cost.algorithm;
  r.algorithm_bandwidth = bytes / r.time;
  r.bus_bandwidth = r.algorithm_bandwidth * bus_factor(kind, group);
  r.link_bytes = Bytes(s * (kind == CollectiveKind::kSendRecv ? 1.0 : bus_factor(kind, group)));
  return r;
}

}  // namespace xpusim
