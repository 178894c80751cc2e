// SPDX-License-Identifier: Apache-2.0
#include "xpusim/cost/system_tco.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "xpusim/base/text.h"

namespace xpusim {
namespace {

// ---- The built-in classes ----------------------------------------------------------------------
// Every figure is an estimate for a class of servers, not a measurement of one: the sources are
// datasheets and product pages recalled, not re-read here, unless noted; "estimate" marks figures
// no source gives. The whole-server totals they add up to are checked against the published
// maximum system powers in tests/unit/cost/system_tco_test.cc (DGX H100 10.2 kW, GB200 NVL72
// ~120 kW per rack).

// 8 accelerators on one baseboard in a two-socket air-cooled server: HGX/DGX H100, H200, B200,
// the AMD MI300X OAM platform, Gaudi. Basis: DGX H100 (NVIDIA DGX H100 datasheet, 2023: 2x Xeon
// Platinum 8480C, 2 TB DDR5, 8x ConnectX-7 400G for compute, 2x dual-port ConnectX-7 / BlueField-3
// for storage, 10 NVMe drives, 4 NVSwitch chips on the HGX board, 10.2 kW max).
SystemSpec hgx_8_air() {
  SystemSpec s;
  s.name = "hgx-8-air";
  s.description = "8 accelerators on a baseboard in an air-cooled two-socket server (HGX/DGX, OAM)";
  s.source = "DGX H100 datasheet (2023) components and 80 PLUS; estimates as commented in "
             "cost/system_tco.cc (hgx-8-air)";
  s.devices_per_server = 8;
  s.host_cpu_power = Watts(700);            // 2 x 350 W TDP (Intel Xeon Platinum 8480+, ARK)
  s.host_memory_power = Watts(320);         // estimate: 32 DDR5 RDIMMs x ~10 W under load
  s.host_other_power = Watts(400);          // estimate: 10 NVMe x ~15 W, 2 storage NICs/DPUs x
                                            // ~75 W, BMC, fans' controllers, board
  s.nic_power_per_device = Watts(25);       // estimate: one 400G ConnectX-7 (~20-25 W)
  s.switch_power_per_device = Watts(50);    // estimate: 4 NVSwitch chips x ~100 W / 8 GPUs
                                            // (NVSwitch power not published)
  s.network_power_per_device = Watts(80);   // estimate: ~3 switch ports per GPU in a two-tier
                                            // 400G fat tree at ~17 W/port (64-port switch at
                                            // ~1.1 kW) + 2 optical transceivers x ~15 W
  s.fan_fraction = 0.10;                    // estimate: fans of air-cooled GPU servers draw ~8-15%
                                            // of the server's load at high utilisation
  s.psu_efficiency = 0.94;                  // 80 PLUS Titanium, 230 V: >= 94% at 20% and 100%
                                            // load, 96% at 50% (80 PLUS specification)
  s.pue = 1.3;                              // estimate: air-cooled colocation; Uptime Institute's
                                            // 2024 survey average is ~1.56, hyperscale ~1.1-1.2
  s.host_capital_per_server = Usd(32010);   // non-GPU DGX H100 bill of materials (SemiAnalysis,
                                            // May 2023, via Epoch AI's H100 cost notebook;
                                            // economics.md §3.5 [M]); a BOM, an OEM charges more
  s.network_capital_per_device = Usd(4000); // estimate: switches, optics and cables of a
                                            // two-tier 400G fabric per GPU (not in the sources)
  s.facility_capital_per_watt = UsdPerWatt(10.0);  // estimate: ~$10M per MW of IT capacity for
                                                   // a data-centre build (industry cost guides,
                                                   // 2024, $8-12M/MW; recalled)
  s.facility_lifetime = units::years(15);   // estimate: shell, power and cooling plant
  return s;
}

// GB200 NVL72: 72 GPUs and 36 Grace CPUs in one liquid-cooled rack; a "server" is a compute tray
// of 2 GB200 superchips (4 GPUs, 2 Grace), 9 NVLink switch trays serve the rack (NVIDIA GB200
// NVL72 product page, 2024; ~120 kW per rack, recalled).
SystemSpec nvl72_liquid() {
  SystemSpec s = hgx_8_air();
  s.name = "nvl72-liquid";
  s.description = "liquid-cooled rack-scale NVLink domain, 4 GPUs + 2 Grace CPUs per tray (NVL72)";
  s.source = "GB200 NVL72 and Grace datasheets (2024); estimates as commented in "
             "cost/system_tco.cc (nvl72-liquid)";
  s.devices_per_server = 4;
  s.host_cpu_power = Watts(400);            // estimate: 2 Grace CPUs of a Grace superchip whose
                                            // 500 W includes the LPDDR5X (NVIDIA Grace datasheet)
  s.host_memory_power = Watts(100);         // the rest of that 500 W: 2 x 480 GB LPDDR5X
  s.host_other_power = Watts(250);          // estimate: 2 BlueField-3 DPUs, E1.S drives, BMC
  s.switch_power_per_device = Watts(100);   // estimate: 9 NVLink switch trays x ~800 W / 72 GPUs
  s.fan_fraction = 0.05;                    // estimate: ~85% of the heat leaves by liquid; rack
                                            // fans and the CDU pumps for the rest
  s.psu_efficiency = 0.96;                  // estimate: rack power shelves (~97% peak, recalled)
  s.pue = 1.15;                             // estimate: liquid-cooled halls need little chiller
                                            // power
  s.host_capital_per_server = Usd(25000);   // estimate: a tray's Grace CPUs, DPUs, NICs, drives
                                            // and its share of the switch trays, power shelves and
                                            // manifolds (not in the sources)
  return s;
}

// PCIe accelerator cards (L40S, H100 PCIe/NVL, A100 PCIe) in a two-socket air-cooled server of 8
// cards behind PCIe switches, one 400G NIC per two cards, no scale-up switch.
SystemSpec pcie_8_air() {
  SystemSpec s = hgx_8_air();
  s.name = "pcie-8-air";
  s.description = "8 PCIe cards in an air-cooled two-socket server, no scale-up switch";
  s.source = "estimates as commented in cost/system_tco.cc (pcie-8-air)";
  s.host_cpu_power = Watts(600);            // estimate: 2 x 300 W server CPUs
  s.host_memory_power = Watts(160);         // estimate: 16 DDR5 RDIMMs x ~10 W
  s.host_other_power = Watts(250);          // estimate: drives, 4 PCIe switches x ~25 W, BMC
  s.nic_power_per_device = Watts(12.5);     // estimate: one 400G NIC per two cards
  s.switch_power_per_device = Watts(0);
  s.network_power_per_device = Watts(40);   // estimate: half the per-port share of hgx-8-air
  s.fan_fraction = 0.12;                    // estimate: passive cards cooled by chassis fans
  s.host_capital_per_server = Usd(20000);   // estimate: 2-socket 4U PCIe GPU server chassis
  s.network_capital_per_device = Usd(2000); // estimate: half the per-port share of hgx-8-air
  return s;
}

const std::vector<std::function<SystemSpec()>>& builtins() {
  static const std::vector<std::function<SystemSpec()>> k = {hgx_8_air, nvl72_liquid, pcie_8_air};
  return k;
}

// ---- The parameters --------------------------------------------------------------------------
struct Param {
  std::string name;
  std::string unit;
  std::string what;
  double scale;                // unit -> canonical (W, USD, s, USD/W)
  double lo, hi;               // allowed, in the shown unit
  bool lo_exclusive;
  std::function<double(const SystemSpec&)> get;   // canonical unit
  std::function<void(SystemSpec&, double)> set;
};

// get/set of a typed member (canonical unit) or a plain number.
template <class Q>
auto member(Q SystemSpec::*m) {
  return std::pair{std::function<double(const SystemSpec&)>(
                       [m](const SystemSpec& s) { return (s.*m).value(); }),
                   std::function<void(SystemSpec&, double)>(
                       [m](SystemSpec& s, double v) { s.*m = Q(v); })};
}
auto number(double SystemSpec::*m) {
  return std::pair{std::function<double(const SystemSpec&)>(
                       [m](const SystemSpec& s) { return s.*m; }),
                   std::function<void(SystemSpec&, double)>(
                       [m](SystemSpec& s, double v) { s.*m = v; })};
}

Param param(std::string name, std::string unit, std::string what, double scale, double lo,
            double hi, bool lo_exclusive,
            std::pair<std::function<double(const SystemSpec&)>,
                      std::function<void(SystemSpec&, double)>> access) {
  return {std::move(name), std::move(unit), std::move(what), scale, lo, hi, lo_exclusive,
          std::move(access.first), std::move(access.second)};
}

// "x must be in [lo .. hi] unit, got v", or nothing when `v` is allowed.
std::optional<std::string> out_of_range(const Param& p, double v) {
  const bool low = p.lo_exclusive ? !(v > p.lo) : !(v >= p.lo);
  if (!low && v <= p.hi && std::isfinite(v)) return std::nullopt;
  return fmt::format("{} must be in {}{} .. {}] {}, got {}", p.name, p.lo_exclusive ? "(" : "[",
                     p.lo, p.hi, p.unit, v);
}

const std::vector<Param>& params() {
  static const std::vector<Param> k = [] {
    constexpr double kMaxW = 1e5;    // 100 kW: a whole rack's share beyond any one device
    constexpr double kMaxUsd = 1e8;
    std::vector<Param> p;
    p.push_back(param("devices_per_server", "devices", "accelerators sharing one host", 1, 1,
                 1e4, false, number(&SystemSpec::devices_per_server)));
    p.push_back(param("host_cpu_power", "W", "host CPUs per server", 1, 0, kMaxW, false,
                 member(&SystemSpec::host_cpu_power)));
    p.push_back(param("host_memory_power", "W", "host DRAM per server", 1, 0, kMaxW, false,
                 member(&SystemSpec::host_memory_power)));
    p.push_back(param("host_other_power", "W", "storage, DPUs, BMC per server", 1, 0, kMaxW,
                 false, member(&SystemSpec::host_other_power)));
    p.push_back(param("nic_power_per_device", "W", "scale-out NICs per device", 1, 0, kMaxW,
                 false, member(&SystemSpec::nic_power_per_device)));
    p.push_back(param("switch_power_per_device", "W", "scale-up switches per device", 1, 0,
                 kMaxW, false, member(&SystemSpec::switch_power_per_device)));
    p.push_back(param("network_power_per_device", "W",
                 "scale-out switches and optics per device", 1, 0, kMaxW, false,
                 member(&SystemSpec::network_power_per_device)));
    p.push_back(param("fan_fraction", "fraction", "fans / pumps per W of server load", 1, 0, 1,
                 false, number(&SystemSpec::fan_fraction)));
    p.push_back(param("psu_efficiency", "fraction", "power supplies, AC to DC",
                 1, 0, 1, true, number(&SystemSpec::psu_efficiency)));
    p.push_back(param("pue", "ratio", "facility / IT power", 1, 1, 10, false,
                 number(&SystemSpec::pue)));
    p.push_back(param("host_capital_per_server", "USD", "server without accelerators", 1, 0,
                 kMaxUsd, false, member(&SystemSpec::host_capital_per_server)));
    p.push_back(param("network_capital_per_device", "USD", "scale-out fabric per device", 1, 0,
                 kMaxUsd, false, member(&SystemSpec::network_capital_per_device)));
    p.push_back(param("facility_capital_per_watt", "USD/W", "data-centre build cost per W of IT capacity",
                 1, 0, 1e3, false, member(&SystemSpec::facility_capital_per_watt)));
    p.push_back(param("facility_lifetime", "years", "depreciation of the facility", units::kSecondsPerYear, 0,
                 100, true, member(&SystemSpec::facility_lifetime)));
    return p;
  }();
  return k;
}

}  // namespace

std::vector<std::string> system_class_names() {
  std::vector<std::string> names;
  for (const auto& make : builtins()) names.push_back(make().name);
  return names;
}

Result<SystemSpec> builtin_system(std::string_view name) {
  for (const auto& make : builtins()) {
    SystemSpec s = make();
    if (s.name == name) return s;
  }
  std::string msg = fmt::format("unknown system class '{}'; known: {}", name,
                                join(system_class_names()));
  if (auto m = closest_match(name, system_class_names()))
    msg += fmt::format("; did you mean '{}'?", *m);
  return fail(Diagnostic{.path = "system", .message = msg});
}

std::string default_system_class(const HardwareSpec& hw) {
  const LinkTierSpec& up = hw.interconnect.scale_up;
  // Fewer than 8 devices in the scale-up domain: PCIe cards, bridged in pairs or fours (H100
  // NVL, H200 NVL, MI210).
  if (!up.present || up.topology == "pcie" || up.domain_size < 8) return "pcie-8-air";
  if (up.topology == "switched" && up.domain_size > 8) return "nvl72-liquid";
  return "hgx-8-air";
}

SystemPowerTerms system_power_terms(const SystemSpec& s) {
  SystemPowerTerms t;
  t.factor = (1.0 + s.fan_fraction) / s.psu_efficiency;
  const Watts in_server = (s.host_cpu_power + s.host_memory_power + s.host_other_power) /
                              s.devices_per_server +
                          s.nic_power_per_device + s.switch_power_per_device;
  t.fixed = in_server * t.factor + s.network_power_per_device;
  return t;
}

std::vector<SystemParamInfo> list_system_params(const SystemSpec& s) {
  std::vector<SystemParamInfo> out;
  for (const auto& p : params()) {
    const bool set = std::find(s.overridden.begin(), s.overridden.end(), p.name) !=
                     s.overridden.end();
    out.push_back({p.name, p.get(s) / p.scale, p.unit, p.what,
                   set ? std::string("--system-param") : s.source});
  }
  return out;
}

Result<void> set_system_param(SystemSpec& s, std::string_view name, double value) {
  std::vector<std::string> names;
  for (const auto& p : params()) {
    names.push_back(p.name);
    if (p.name != name) continue;
    if (auto bad = out_of_range(p, value))
      return fail(Diagnostic{.path = std::string(name), .message = *bad});
    p.set(s, value * p.scale);
    if (std::find(s.overridden.begin(), s.overridden.end(), p.name) == s.overridden.end())
      s.overridden.push_back(p.name);
    return {};
  }
  std::string msg = fmt::format("unknown system parameter '{}'; known: {}", name, join(names));
  if (auto m = closest_match(name, names)) msg += fmt::format("; did you mean '{}'?", *m);
  return fail(Diagnostic{.path = std::string(name), .message = msg});
}

Result<void> check_system(const SystemSpec& s) {
  Diagnostics d;
  for (const auto& p : params())
    if (auto bad = out_of_range(p, p.get(s) / p.scale)) d.push_back({.path = p.name, .message = *bad});
  if (!d.empty()) return tl::unexpected(d);
  return {};
}

Result<TcoAssumptions> system_tco_assumptions(const SystemSpec& s, Watts tdp,
                                              TcoAssumptions base) {
  if (auto ok = check_system(s); !ok) return tl::unexpected(ok.error());
  if (!(tdp.value() >= 0) || !tdp.is_finite())
    return fail(Diagnostic{.path = "tdp", .message = fmt::format("TDP must be >= 0 W, got {}",
                                                                 tdp.value())});
  if (!(base.lifetime.value() > 0))
    return fail(Diagnostic{.path = "lifetime",
                           .message = fmt::format("lifetime must be > 0 s, got {}",
                                                  base.lifetime.value())});
  const SystemPowerTerms t = system_power_terms(s);
  base.system_power_factor = t.factor;
  base.system_fixed_power = t.fixed;
  base.pue = s.pue;
  base.host_capital = s.host_capital_per_server / s.devices_per_server +
                      s.network_capital_per_device;
  // The facility is provisioned for the system at the device's power limit; the device uses
  // its share of it for the lifetime (at most the facility's).
  const Watts provisioned = tdp * t.factor + t.fixed;
  const double share = std::min(1.0, base.lifetime.value() / s.facility_lifetime.value());
  base.facility_capital = Usd(s.facility_capital_per_watt.value() * provisioned.value() * share);
  return base;
}

}  // namespace xpusim
