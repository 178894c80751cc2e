// SPDX-License-Identifier: Apache-2.0
// Alpha-beta collective costs (Thakur, Rabenseifner & Gropp, "Optimization of Collective
// Communication Operations in MPICH", IJHPCA 2005): ring all-reduce = 2(n-1) steps moving
// 2(n-1)/n x S per device; on a switch or full mesh also one-shot (each device reads the n-1 peer
// buffers: 1 step, (n-1) x S) and two-shot (reduce-scatter + all-gather: 2 steps, 2(n-1)/n x S), the
// algorithms of the TensorRT-LLM custom all-reduce; on a switched tier whose switches reduce
// (interconnect.*.in_network_reduction: NVLink SHARP, InfiniBand SHARP) also the in-network
// all-reduce (NCCL's NVLS / CollNet: each device sends (n+1)/n x S, below). Groups beyond the
// scale-up domain use a hierarchical reduce-scatter / scale-out all-reduce / all-gather (NCCL
// tree/ring across nodes). Ignored: congestion from other traffic, the switches' own reduction
// throughput (never binding on NVSwitch gen3: see in_network below), message pipelining
// granularity, PCIe root-complex limits.
#include "xpusim/perf/collective_model.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace xpusim {
namespace {

// What a tier's topology gives a group of n of its devices (n <= the tier's domain):
//  switched (NVSwitch, a network switch): every pair at the full per-device bandwidth B, one hop.
//  fully_connected (MI300X XGMI, Gaudi RoCE, NVLink bridges): each of the D-1 peers of a device has
//    its own links, B/(D-1) per pair and direction; a group of n uses only the n-1 pairs inside it,
//    (n-1)/(D-1) x B, one hop (RCCL's direct/one-shot/multi-ring algorithms all run at that rate).
//  ring / torus_2d / torus_3d (TPU ICI, NeuronLink): 2k links of B/(2k) per device in k dimensions.
//    A group is a slice a_1 x ... x a_k of the torus; a dimension spanning its whole ring (a_i = d_i)
//    runs two counter-rotating rings (2 links), a partial one is a line where one ring runs over
//    each link in both directions (1 link's bandwidth). All dimensions run at once (XLA's
//    multi-dimensional reduce-scatter / all-gather: each dimension handles its share of the data),
//    so the bandwidth term uses their sum; the latency term walks each dimension in turn.
//  pcie: rings and trees through PCIe switches and host memory (kPcieHostStagingFactor).
struct Tier {
  BytesPerSecond bw;      // per device per direction, all links, after link_efficiency
  Seconds alpha;          // per-step (one hop) latency
  std::string topology = "switched";
  std::vector<int> dims;  // ring / torus dimensions of the whole tier
  int domain = 0;         // devices in the tier (0 = unlimited)
  bool direct = true;     // direct / one-shot / two-shot allowed (false across nodes)
  bool in_network = false;  // the switches reduce (switched tiers only)
  const char* name = "scale_up";
};

// The tier as a group of n devices sees it.
struct Fabric {
  BytesPerSecond bw;        // per device and direction for a bandwidth-optimal collective
  BytesPerSecond pair_bw;   // between two members (send/recv)
  double ring_steps = 0;    // latency steps of ring reduce-scatter (or all-gather)
  bool one_hop = true;      // every pair one hop apart: direct algorithms available
  double a2a_time_per_byte = 0;  // all-to-all seconds per byte of S (bisection bound)
};

struct Cost {
  Seconds time;
  const char* algorithm = "ring";
  // Bytes each device sends per byte of the buffer where the algorithm moves another share than
  // the bus factor's (nccl-tests' busbw is that share's rate): the in-network all-reduce.
  std::optional<double> sent_per_byte;
};

// A "pcie" tier: GPUs behind PCIe switches and host root complexes, no GPU fabric. NCCL runs rings
// and trees there (no one-shot all-reduce) and, where the platform gives the GPUs no direct
// peer-to-peer path, stages the data through host memory (its SHM transport): every byte crosses
// the device's PCIe link twice, half of the link for the collective. Assumption (the PCIe presets
// describe such servers); it is what the 2-8 x L40S serving rows of measured_public.csv show
// (docs/validation.md, "PCIe collectives").
constexpr double kPcieHostStagingFactor = 0.5;

bool is_torus(const std::string& t) { return t == "ring" || t == "torus_2d" || t == "torus_3d"; }

// The most balanced k-dimensional shape holding n devices, each dimension at most caps[i]: the
// prime factors of n, largest first, each onto the smallest dimension that still has room (TPU
// slices 2x2, 2x4, 4x4, 4x8 ...). Empty when n does not fit (a prime larger than any room left).
std::vector<int> balanced_shape(int n, const std::vector<int>& caps) {
  std::vector<int> primes;
  for (int p = 2, m = n; m > 1; ++p) {
    if (static_cast<long long>(p) * p > m) p = m;
    while (m % p == 0) {
      primes.push_back(p);
      m /= p;
    }
  }
  std::vector<int> shape(caps.size(), 1);
  for (auto it = primes.rbegin(); it != primes.rend(); ++it) {
    int best = -1;
    for (std::size_t i = 0; i < shape.size(); ++i)
      if (static_cast<long long>(shape[i]) * *it <= caps[i] &&
          (best < 0 || shape[i] < shape[static_cast<std::size_t>(best)]))
        best = static_cast<int>(i);
    if (best < 0) return {};
    shape[static_cast<std::size_t>(best)] *= *it;
  }
  return shape;
}

std::vector<int> tier_dims(const LinkTierSpec& t) {
  if (!t.dims.empty()) return t.dims;
  const int k = t.topology == "torus_3d" ? 3 : t.topology == "torus_2d" ? 2 : 1;
  const int domain = std::max(1, t.domain_size);
  std::vector<int> caps(static_cast<std::size_t>(k), domain);
  std::vector<int> dims = balanced_shape(domain, caps);
  return dims.empty() ? std::vector<int>{domain} : dims;
}

// Who moves the bytes: GPU kernels (NCCL/RCCL collectives and send/recv: link_efficiency, a
// kernel launch per call) or the copy engines (a DMA copy: copy_efficiency, no kernel).
struct Transport {
  double efficiency = 1;   // fraction of the per-direction link bandwidth reached
  Seconds launch;          // fixed cost per call
  Seconds default_latency; // a link step's latency where the tier gives none
  bool in_network = false; // the software uses the switches' reduction where a tier has it
};

Tier make_tier(const LinkTierSpec& t, const Transport& tr, const char* name) {
  Tier r;
  r.bw = BytesPerSecond(std::max(t.bandwidth.value(), 1.0) * tr.efficiency);
  if (t.topology == "pcie") r.bw = r.bw * kPcieHostStagingFactor;
  r.alpha = t.latency.value() > 0 ? t.latency : tr.default_latency;
  r.topology = t.topology.empty() ? "switched" : t.topology;
  r.domain = t.domain_size;
  if (is_torus(r.topology)) r.dims = tier_dims(t);
  r.direct = r.topology == "switched" || r.topology == "fully_connected";
  r.in_network = tr.in_network && t.in_network_reduction && r.topology == "switched";
  r.name = name;
  return r;
}

// Bisection bound of an all-to-all over a slice: splitting the group in half across dimension i,
// each half sends the other n/2 x n/2 x S/n = n S / 4 per direction over the cut links
// (n / a_i links per cut, two cuts on a closed ring). Seconds per byte of S.
double torus_a2a_time_per_byte(const std::vector<int>& slice, const std::vector<bool>& closed,
                               double link_bw, double n) {
  double worst = 0;
  for (std::size_t i = 0; i < slice.size(); ++i) {
    if (slice[i] < 2) continue;
    const double cut = (closed[i] ? 2.0 : 1.0) * (n / slice[i]) * link_bw;
    worst = std::max(worst, (n / 4.0) / cut);
  }
  return worst;
}

Fabric group_fabric(const Tier& t, int n) {
  const double nn = n;
  Fabric f;
  f.ring_steps = nn - 1.0;
  const double b = t.bw.value();
  if (t.topology == "fully_connected") {
    const double peers = std::max(1, (t.domain > 0 ? t.domain : n) - 1);
    f.pair_bw = BytesPerSecond(b / peers);
    f.bw = f.pair_bw * (nn - 1.0);
  } else if (is_torus(t.topology)) {
    const double link = b / (2.0 * static_cast<double>(t.dims.size()));
    std::vector<int> slice = balanced_shape(n, t.dims);
    std::vector<bool> closed(slice.size(), false);
    double sum = 0, steps = 0;
    if (slice.empty()) {
      // No slice of the torus holds n devices: a snake path, one line.
      slice = {n};
      closed = {false};
    }
    for (std::size_t i = 0; i < slice.size(); ++i) {
      if (slice[i] < 2) continue;
      closed[i] = i < t.dims.size() && slice[i] == t.dims[i];
      sum += (closed[i] ? 2.0 : 1.0) * link;
      steps += slice[i] - 1.0;
    }
    f.bw = BytesPerSecond(std::max(sum, 1.0));
    f.pair_bw = BytesPerSecond(link);
    f.ring_steps = steps;
    f.one_hop = false;
    f.a2a_time_per_byte = torus_a2a_time_per_byte(slice, closed, link, nn);
    return f;
  } else {
    f.bw = t.bw;
    f.pair_bw = t.bw;
  }
  f.one_hop = t.direct;
  return f;
}

// Cost inside one tier for a group of n, without the fixed collective_latency.
Cost tier_cost(const Tier& t, CollectiveKind kind, double s, int n) {
  const double nn = n;
  const double frac = (nn - 1.0) / nn;
  const Fabric f = group_fabric(t, n);
  const double bw = f.bw.value();
  switch (kind) {
    case CollectiveKind::kAllReduce: {
      // The fastest of the algorithms the tier offers (NCCL's tuner and TensorRT-LLM's custom
      // all-reduce both pick by message size).
      auto faster = [](const Cost& a, const Cost& b) { return b.time < a.time ? b : a; };
      // Reduce-scatter + all-gather over rings (per torus dimension): 2 x ring_steps hops,
      // 2(n-1)/n x S per device.
      Cost best{t.alpha * (2.0 * f.ring_steps) + Seconds(2.0 * frac * s / bw), "ring"};
      if (t.in_network) {
        // In-network all-reduce (NCCL NVLS, NVIDIA H100 white paper "NVLink SHARP"; CollNet on
        // InfiniBand SHARP): device j fetches the sum of its shard j (S/n) from the switch, which
        // reads shard j from all n devices (multimem.ld_reduce), then stores the sum to the
        // multicast address, which the switch replicates to all n (multimem.st). Each device sends
        // its n shards plus its sum, (n+1)/n x S, and receives as much: 2 steps. Against the best
        // direct algorithm's 2(n-1)/n x S (two-shot) it moves (n+1)/(2(n-1)) of the bytes (9/14 at
        // n = 8; at n = 2 it moves more than a ring, which stays). The switch's adders (NVSwitch
        // gen3: ~3.6 TFLOPS each, H100 white paper, recalled) take (n-1)/2 adds per bf16 byte of
        // S: 4 x 3.6 / 3.5 = 4.1 TB/s of algbw on HGX H100's four switches, 13x the links' 313 GB/s:
        // never the bound.
        const double sent = (nn + 1.0) / nn;
        best = faster(best, Cost{t.alpha * 2.0 + Seconds(sent * s / bw), "in_network", sent});
      }
      if (t.topology == "pcie" || (!t.direct && !is_torus(t.topology))) {
        // NCCL double binary tree (Sanders et al. 2009): reduce up + broadcast down, 2 log2(n)
        // latency steps, the same bandwidth term as the ring when pipelined.
        Cost tree{t.alpha * (2.0 * std::ceil(std::log2(nn))) + Seconds(2.0 * frac * s / bw),
                  "tree"};
        return faster(best, tree);
      }
      if (!f.one_hop) return best;
      // One-shot: every device reads the n-1 peer buffers (n-1) x S over its links at once;
      // two-shot: reduce-scatter + all-gather, each one direct step of (n-1)/n x S.
      Cost one{t.alpha + Seconds((nn - 1.0) * s / bw), "one_shot"};
      Cost two{t.alpha * 2.0 + Seconds(2.0 * frac * s / bw), "two_shot"};
      return faster(faster(two, one), best);
    }
    case CollectiveKind::kAllGather:
    case CollectiveKind::kReduceScatter: {
      if (f.one_hop) return Cost{t.alpha + Seconds(frac * s / bw), "direct"};
      return Cost{t.alpha * f.ring_steps + Seconds(frac * s / bw), "ring"};
    }
    case CollectiveKind::kAllToAll: {
      if (f.one_hop) return Cost{t.alpha + Seconds(frac * s / bw), "direct"};
      // Rings and tori: no better than the bisection lets through, nor than the links at all.
      const double per_byte = std::max(frac / bw, f.a2a_time_per_byte);
      return Cost{t.alpha * f.ring_steps + Seconds(per_byte * s), "ring"};
    }
    case CollectiveKind::kSendRecv:
      return Cost{t.alpha + Seconds(s / f.pair_bw.value()), "p2p"};
  }
  return Cost{};
}

// The host PCIe link when no scale-up tier exists: a ring over the PCIe switch tree, as NCCL does
// between GPUs without a GPU fabric.
Tier host_tier(BytesPerSecond bw, const Transport& tr) {
  Tier r;
  r.bw = bw * tr.efficiency;
  r.alpha = tr.default_latency;
  r.topology = "host";
  r.direct = false;
  r.name = "host";
  return r;
}

double bus_factor(CollectiveKind kind, int n) {
  const double nn = n;
  switch (kind) {
    case CollectiveKind::kAllReduce: return 2.0 * (nn - 1.0) / nn;
    case CollectiveKind::kSendRecv: return 1.0;
    default: return (nn - 1.0) / nn;
  }
}

Result<CollectiveResult> predict_transfer(const HardwareSpec& hw, CollectiveKind kind, Bytes bytes,
                                          int group, const Transport& tr) {
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
    up = make_tier(ic.scale_up, tr, "scale_up");
  } else if (ic.host_bandwidth) {
    up = host_tier(*ic.host_bandwidth, tr);
  } else {
    up = host_tier(BytesPerSecond(1.0), tr);
    up.name = "none";
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
    Tier out = make_tier(ic.scale_out, tr, "scale_out");
    out.direct = false;  // across nodes NCCL uses rings/trees: latency grows with node count
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
    // A send/recv between nodes takes the scale-out links only; the others use both tiers.
    r.tier = kind == CollectiveKind::kSendRecv ? "scale_out" : "both";
  } else if (ic.host_bandwidth) {
    // No scale-out network: the group talks through the hosts' PCIe (a ring over the PCIe switch
    // tree, as NCCL does between GPUs without NVLink).
    Tier host = host_tier(*ic.host_bandwidth, tr);
    cost = tier_cost(host, kind, s, group);
    r.tier = host.name;
  } else {
    cost = tier_cost(up, kind, s, group);
    r.tier = up.name;
    no_tier();  // group larger than the scale-up domain and no other path
  }
  r.time = cost.time + dispatch_cost(hw, tr.launch);
  r.algorithm = cost.algorithm;
  r.algorithm_bandwidth = bytes / r.time;
  r.bus_bandwidth = r.algorithm_bandwidth * bus_factor(kind, group);
  // Bytes each device sends: the algorithm's own share where it has one (tier_cost), else the
  // bus factor's.
  r.link_bytes = Bytes(s * (kind == CollectiveKind::kSendRecv
                                ? 1.0
                                : cost.sent_per_byte.value_or(bus_factor(kind, group))));
  return r;
}

}  // namespace

Result<CollectiveResult> predict_collective(const HardwareSpec& hw, CollectiveKind kind,
                                            Bytes bytes, int group, const PerfCalibration& cal) {
  return predict_transfer(hw, kind, bytes, group,
                          Transport{.efficiency = cal.link_efficiency,
                                    .launch = cal.collective_latency,
                                    .default_latency = cal.default_link_latency,
                                    .in_network = cal.in_network_all_reduce});
}

PerfCalibration nccl_defaults(const PerfCalibration& cal) {
  PerfCalibration c = cal;
  c.in_network_all_reduce = true;
  return c;
}

Result<CollectiveResult> predict_copy(const HardwareSpec& hw, Bytes bytes,
                                      const PerfCalibration& cal, int span) {
  if (span < 2)
    return fail(Diagnostic{.path = "span",
                           .message = fmt::format("a copy joins 2 devices, so they lie among >= 2, "
                                                  "got {}", span)});
  // No kernel: the host queues the DMA. A send/recv's cost depends on the group only through the
  // tier it picks (tier_cost: latency + bytes / pair bandwidth).
  return predict_transfer(hw, CollectiveKind::kSendRecv, bytes, span,
                          Transport{.efficiency = cal.copy_efficiency,
                                    .launch = Seconds(0),
                                    .default_latency = cal.default_link_latency});
}

Result<CollectiveResult> predict_host_copy(const HardwareSpec& hw, Bytes bytes,
                                           const PerfCalibration& cal) {
  if (!(bytes.value() >= 0) || !bytes.is_finite())
    return fail(Diagnostic{.path = "bytes",
                           .message = fmt::format("the buffer must be finite and >= 0 bytes, got "
                                                  "{}", bytes.value())});
  CollectiveResult r;
  r.algorithm = "p2p";
  r.tier = "host";
  if (!hw.interconnect.host_bandwidth) {
    r.tier = "none";
    r.feasibility.mark(InfeasibleReason::kNetwork,
                       fmt::format("a host-to-device copy needs interconnect.host_bandwidth, which "
                                   "{} does not give", hw.id));
    return r;
  }
  if (bytes.value() <= 0) return r;
  const Tier host = host_tier(*hw.interconnect.host_bandwidth,
                              Transport{.efficiency = cal.copy_efficiency,
                                        .launch = Seconds(0),
                                        .default_latency = cal.default_link_latency});
  r.time = tier_cost(host, CollectiveKind::kSendRecv, bytes.value(), 2).time;
  r.algorithm_bandwidth = bytes / r.time;
  r.bus_bandwidth = r.algorithm_bandwidth;
  r.link_bytes = bytes;
  return r;
}

}  // namespace xpusim
