// SPDX-License-Identifier: Apache-2.0
// xpusim.area, xpusim.wafer, xpusim.cost and xpusim.fab: api/economics.h with the flags of the
// silicon-economics commands as keywords.
#include "python/binding.h"
#include "xpusim/api/economics.h"

namespace xpusim::python {
namespace {

using api::AreaRequest;
using api::ChipCostRequest;
using api::CostRequest;
using api::FabRequest;
using api::WaferRequest;

// --hardware --units-on-die --dram-phys-on-die (and --set).
template <class Request>
Binder<Request> hardware_keywords() {
  Binder<Request> b;
  b.add("hardware", &AreaRequest::hardware, true)
      .add("overrides", &AreaRequest::overrides)
      .add("units_on_die", &AreaRequest::units_on_die)
      .add("dram_phys_on_die", &AreaRequest::dram_phys_on_die);
  return b;
}

// What cost and fab share.
template <class Request>
Binder<Request> chip_cost_keywords() {
  Binder<Request> b = hardware_keywords<Request>();
  b.add("volume", &ChipCostRequest::volume)
      .add("yield_model", &ChipCostRequest::yield_model)
      .add("alpha", &ChipCostRequest::alpha)
      .add("layers", &ChipCostRequest::layers)
      .add("defect_density", &ChipCostRequest::defect_density)
      .add("wafer_cost", &ChipCostRequest::wafer_cost)
      .add("no_harvesting", &ChipCostRequest::no_harvesting)
      .add("bond_yield", &ChipCostRequest::bond_yield)
      .add("chip_first", &ChipCostRequest::chip_first);
  return b;
}

Binder<WaferRequest> wafer_keywords() {
  Binder<WaferRequest> b;
  b.add("die_width", &WaferRequest::die_width, true)
      .add("die_height", &WaferRequest::die_height, true)
      .add("wafer_diameter", &WaferRequest::wafer_diameter)
      .add("edge_exclusion", &WaferRequest::edge_exclusion)
      .add("scribe", &WaferRequest::scribe)
      .add("notch_keepout", &WaferRequest::notch_keepout)
      .on_off("reticle", &WaferRequest::reticle)
      .add("node", &WaferRequest::node)
      .add("defect_density", &WaferRequest::defect_density)
      .add("yield_model", &WaferRequest::yield_model)
      .add("alpha", &WaferRequest::alpha)
      .add("layers", &WaferRequest::layers)
      .add("wafer_cost", &WaferRequest::wafer_cost);
  return b;
}

Binder<CostRequest> cost_keywords() {
  Binder<CostRequest> b = chip_cost_keywords<CostRequest>();
  b.add("price", &CostRequest::price)
      .add("power", &CostRequest::power)
      .add("lifetime_years", &CostRequest::lifetime_years)
      .add("electricity_usd_per_kwh", &CostRequest::electricity_usd_per_kwh)
      .add("tokens_per_second", &CostRequest::tokens_per_second)
      .add("system", &CostRequest::system)
      .add("system_params", &CostRequest::system_params);
  return b;
}

Binder<FabRequest> fab_keywords() {
  Binder<FabRequest> b = chip_cost_keywords<FabRequest>();
  b.add("units", &FabRequest::units)
      .add("budget", &FabRequest::budget)
      .add("assume", &FabRequest::assume);
  return b;
}

}  // namespace

void bind_economics(py::module_& m) {
  static const Binder<AreaRequest> area = hardware_keywords<AreaRequest>();
  static const Binder<WaferRequest> wafer = wafer_keywords();
  static const Binder<CostRequest> cost = cost_keywords();
  static const Binder<FabRequest> fab = fab_keywords();
  def(m, "area", area, &api::area,
      "Die area per component, per die and per package, the reticle check and peak power "
      "(`xpusim area`).");
  def(m, "wafer", wafer, &api::wafer,
      "Dies per wafer (formula and exact grid), yield and cost per good die (`xpusim wafer`).");
  def(m, "cost", cost, &api::cost,
      "The cost build-up per good package, NRE and TCO (`xpusim cost`).");
  def(m, "fab", fab, &api::fab,
      "The fab build-out for units= accelerators per year, or what budget= USD buys; "
      "assume={name: value} overrides an assumption (`xpusim fab`).");
}

}  // namespace xpusim::python
