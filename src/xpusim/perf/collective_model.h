// SPDX-License-Identifier: Apache-2.0
// Collectives and point-to-point copies over the interconnect tiers of a HardwareSpec (stage 5):
// ring / one-shot / two-shot algorithms with a latency-bandwidth (alpha-beta) cost, a scale-up tier
// for groups within `scale_up.domain_size` and a hierarchical scale-out path beyond it.
#pragma once

#include <string>

#include "xpusim/base/diagnostic.h"
#include "xpusim/base/feasibility.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/workload/op_graph.h"

namespace xpusim {

struct CollectiveResult {
  Seconds time;
  // nccl-tests conventions (github:NVIDIA/nccl-tests doc/PERFORMANCE.md): algbw = S / t;
  // busbw = algbw x 2(n-1)/n (all-reduce), x (n-1)/n (all-gather, reduce-scatter, all-to-all),
  // x 1 (send/recv).
  BytesPerSecond algorithm_bandwidth;
  BytesPerSecond bus_bandwidth;
  Bytes link_bytes;                   // bytes this device sends
  std::string algorithm;              // "ring", "tree", "one_shot", "two_shot", "in_network",
                                      // "direct", "hierarchical", "p2p", "none"
  std::string tier;                   // "scale_up", "scale_out", "both", "none"
  Feasibility feasibility;            // kNetwork when the group needs a tier the hardware lacks
};

// `bytes` is the per-device buffer: the vector being all-reduced, the gathered output of an
// all-gather, the input of a reduce-scatter, the whole send buffer of an all-to-all, the message
// of a send/recv. A group of 1 or an empty buffer costs nothing. Errors: a group below 1, bytes
// negative or not finite.
// The in-network all-reduce is one of the choices only where the tier's switches reduce and the
// active runtime uses them (cal.in_network_all_reduce, RuntimeProfile::in_network_all_reduce).
Result<CollectiveResult> predict_collective(const HardwareSpec& hw, CollectiveKind kind,
                                            Bytes bytes, int group, const PerfCalibration& cal);

// `cal` for NCCL called on its own with its defaults (nccl-tests: what `xpusim collective` and
// validate's allreduce rows time): every algorithm NCCL has, the in-network all-reduce (NVLS)
// included, whatever the active runtime's all-reduce uses.
PerfCalibration nccl_defaults(const PerfCalibration& cal);

// A bulk copy of `bytes` from one device to another by the copy engines (cudaMemcpyPeer, what
// nvbandwidth times; the KV blocks of disaggregated serving, moved by NIXL / Mooncake): the
// send/recv path between 2 devices at cal.copy_efficiency (the link layer's overhead only) instead
// of NCCL's link_efficiency, and without a collective kernel's launch (collective_latency); the
// tiers' link latency stays. One sender reaches one receiver over what joins that pair: a switched
// tier's full link, a fully connected mesh's one peer link, a torus's one link, PCIe through the
// host (the staging factor). `span` is how many devices the two endpoints lie among (the group
// predict_collective would get): within the scale-up domain the copy takes the scale-up tier,
// beyond it the scale-out tier. Time = latency + bytes / bandwidth, affine in `bytes`. Errors as
// predict_collective (a span below 2 is one).
Result<CollectiveResult> predict_copy(const HardwareSpec& hw, Bytes bytes,
                                      const PerfCalibration& cal, int span = 2);

// A bulk copy of `bytes` between host memory and one device by the copy engines (cudaMemcpy H2D or
// D2H, what nvbandwidth's host_to_device test times): the device's host link
// (`interconnect.host_bandwidth`, per direction) at cal.copy_efficiency, plus one link latency
// (cal.default_link_latency), no kernel. Tier "host", algorithm "p2p". Infeasible (kNetwork) when
// the hardware gives no host link. Errors: bytes negative or not finite.
Result<CollectiveResult> predict_host_copy(const HardwareSpec& hw, Bytes bytes,
                                           const PerfCalibration& cal);

}  // namespace xpusim
