// SPDX-License-Identifier: Apache-2.0
// Process-node technology tables (logic density, SRAM bit-cell area, energy scaling) for the
// nodes the area and power models support: n16, n7, n6, n5, n4, n3, n2. Read by area/ (die area,
// power) and cost/ (which adds wafer prices, D0 and NRE per node). Every value cites its source.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

enum class ProcessNode { kN16, kN7, kN6, kN5, kN4, kN3, kN2 };
inline constexpr size_t kNumProcessNodes = 7;
inline constexpr std::array<ProcessNode, kNumProcessNodes> kAllProcessNodes = {
    ProcessNode::kN16, ProcessNode::kN7, ProcessNode::kN6, ProcessNode::kN5,
    ProcessNode::kN4,  ProcessNode::kN3, ProcessNode::kN2};

constexpr size_t index_of(ProcessNode n) { return static_cast<size_t>(n); }

// "n16", "n7", ... (the names users write in physical.compute_die.node).
std::string_view to_string(ProcessNode n);
std::vector<std::string> process_node_names();
// Parses a node name; the error lists the known nodes with a "did you mean".
Result<ProcessNode> parse_process_node(std::string_view name);

struct ProcessTechnology {
  PerSquareMillimeter logic_density;   // logic transistors per mm² (tables quote MTr/mm²)
  SquareMillimeters sram_bit_area;     // effective SRAM area per bit (before array efficiency)
  double energy_vs_n7 = 1.0;           // dynamic energy per operation relative to N7
  SquareMillimeters hd_bit_cell;       // the foundry's high-density 6T SRAM bit cell (dense
                                       // scratchpad macros: area_model.cc sram_area)
};

// The technology table entry for `n` (sources in process_node.cc).
const ProcessTechnology& technology(ProcessNode n);

}  // namespace xpusim
