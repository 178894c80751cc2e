// SPDX-License-Identifier: Apache-2.0
#include "xpusim/cost/node_economics.h"

#include <array>

namespace xpusim {
namespace {
using units::usd;

// economics.md: wafer prices §3.2, D0 §2.3, NRE §3.6. "family" rows reuse the parent node where
// nothing was published (marked as assumptions); their design NRE is the parent's per transistor
// designed, not per mm² (with_parents_nre_per_transistor below).
const std::array<NodeEconomics, kNumProcessNodes> kPublished = {{
    {usd(3984), 2020, units::per_cm2(0.08), usd(106e6), usd(2.82e6),
     "wafer: CSET 'AI Chips' 2020 (16/14 nm); D0: Chiplet Actuary 14 nm; NRE: Chiplet Actuary "
     "14 nm; masks: ttm-cas 16/14 nm"},
    {usd(9346), 2020, units::per_cm2(0.09), usd(298e6), usd(10.5e6),
     "wafer: CSET 2020; D0: TSMC VLSI 2019 via AnandTech 16028; NRE: Chiplet Actuary; masks: "
     "ttm-cas"},
    {usd(9346), 2020, units::per_cm2(0.09), usd(298e6), usd(10.5e6),
     "N7 family (assumption: N6 shares N7 tools and rules; no separate figures found; NRE: N7's per "
     "transistor)"},
    {usd(16988), 2020, units::per_cm2(0.10), usd(542e6), usd(18.1e6),
     "wafer: CSET 2020; D0: TSMC 2020 symposium via AnandTech 16028 (0.10-0.11); NRE: Chiplet "
     "Actuary; masks: ttm-cas"},
    {usd(16988), 2020, units::per_cm2(0.10), usd(542e6), usd(18.1e6),
     "N5 family (assumption: N4/4N D0 not disclosed; a Weibo analyst quotes 4N at $13,400, [L]; "
     "NRE: N5's per transistor)"},
    {usd(20000), 2022, units::per_cm2(0.10), usd(1.0e9), usd(18.1e6),
     "wafer: China Times via Tom's Hardware 2025 (N3 $18-20k, 2022H2); D0: TSMC 2025 chart "
     "(N3 reaches N5's level, absolute n/f, N5 value used); NRE: Chiplet Actuary 3 nm "
     "('inaccurate'); masks: n/f, N5 value"},
    {usd(30000), 2025, units::per_cm2(0.10), usd(1.0e9), usd(18.1e6),
     "wafer: China Times via Tom's Hardware / IBS (N2 $30k, 2025H2); D0: n/f (TSMC 2025 chart: "
     "below N3 at the same stage), N5 value; NRE: n/f, N3's per transistor; masks: n/f, N3 value"},
}};

// N6, N4 and N2 have no published design NRE: each takes its parent's (N7, N5, N3) per transistor
// designed, i.e. per 300 mm² scaled by the logic density ratio (area/process_node.cc), so a design
// of given content never costs less to design on the denser node (before 2026-12-07 they took the
// parent's per mm²: the same design cost $1.75B at n2 against $1.93B at n3, its die being
// smaller). Chiplet Actuary's published rows themselves are not monotone per transistor (a 300 mm²
// chip at 14 nm: $12 per thousand transistors; at 7 nm: $10): kept as published.
std::array<NodeEconomics, kNumProcessNodes> with_parents_nre_per_transistor() {
  std::array<NodeEconomics, kNumProcessNodes> t = kPublished;
  const auto scale = [&](ProcessNode node, ProcessNode parent) {
    t[index_of(node)].design_nre_300mm2 =
        kPublished[index_of(parent)].design_nre_300mm2 *
        (technology(node).logic_density / technology(parent).logic_density);
  };
  scale(ProcessNode::kN6, ProcessNode::kN7);
  scale(ProcessNode::kN4, ProcessNode::kN5);
  scale(ProcessNode::kN2, ProcessNode::kN3);
  return t;
}

const std::array<NodeEconomics, kNumProcessNodes> kTable = with_parents_nre_per_transistor();

}  // namespace

const NodeEconomics& node_economics(ProcessNode node) { return kTable[index_of(node)]; }

}  // namespace xpusim
