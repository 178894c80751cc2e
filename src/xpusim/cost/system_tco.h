// SPDX-License-Identifier: Apache-2.0
// The server and facility around one accelerator, described (`xpusim cost --system CLASS
// --system-param NAME=VALUE`): what they add to the chip's power (host CPUs and memory, NICs,
// scale-up switches, fans or pumps, power-supply losses, the scale-out network outside the server,
// the facility's PUE) and to its capital (the host's and the network's share, the facility build),
// turned into the TcoAssumptions of cost/tco.h. Three documented classes stand in when no system is
// described: an 8-accelerator air-cooled baseboard server (HGX / OAM), a liquid-cooled NVL72 rack
// and an air-cooled PCIe card server, chosen from the hardware's scale-up fabric.
//
// Per device, with n devices per server:
//   IT power     P_sys = (P_chip + (P_cpu + P_mem + P_other) / n + P_nic + P_switch)
//                        x (1 + fan) / psu + P_network
//                = factor x P_chip + fixed,   factor = (1 + fan) / psu
//   facility     P_fac = P_sys x PUE
//   capital      host share C_host / n + C_network, facility C_fac = (USD/W) x P_sys(TDP)
//                x min(1, lifetime / facility lifetime)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/cost/tco.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

using UsdPerWatt = Quantity<Dim<0, 1, 0, 0, 1, -1>>;  // USD per W of IT capacity (= USD s / J)

struct SystemSpec {
  std::string name;                    // class id ("hgx-8-air") or "custom"
  std::string description;
  std::string source;                  // what the class's figures rest on (one line)
  std::vector<std::string> overridden; // parameters set by set_system_param
  double devices_per_server = 8;       // accelerators sharing one host
  Watts host_cpu_power;                // per server, all sockets
  Watts host_memory_power;             // per server
  Watts host_other_power;              // per server: storage, DPUs, BMC, board
  Watts nic_power_per_device;          // scale-out NIC(s) of one accelerator
  Watts switch_power_per_device;       // scale-up switch chips / trays, per accelerator
  Watts network_power_per_device;      // scale-out switches and optics outside the server
  double fan_fraction = 0;             // fans (air) or pumps and rack fans (liquid) per W of the
                                       // server's DC load
  double psu_efficiency = 1;           // AC to DC
  double pue = 1;                      // facility power / IT power
  Usd host_capital_per_server;         // the server without its accelerators
  Usd network_capital_per_device;      // scale-out switches, optics and cables per accelerator
  UsdPerWatt facility_capital_per_watt;  // data-centre build cost per W of IT capacity
  Seconds facility_lifetime;           // over which the facility is depreciated
};

// Names of the built-in classes, and one by name (error: unknown, with the known names).
std::vector<std::string> system_class_names();
Result<SystemSpec> builtin_system(std::string_view name);

// The class standing in for `hw`'s server when none is described: no scale-up fabric, a PCIe one
// or a domain below 8 devices (bridged cards) -> "pcie-8-air"; a switched scale-up domain above 8
// devices -> "nvl72-liquid"; anything else (8-way NVSwitch / OAM baseboards, meshes, tori) ->
// "hgx-8-air". TPU, Trainium and wafer-scale systems get a stand-in class: describe theirs with
// --system-param.
std::string default_system_class(const HardwareSpec& hw);

// The linear system power per device (IT, before the PUE): P_sys = factor x P_chip + fixed.
struct SystemPowerTerms {
  double factor = 1;
  Watts fixed;
};
SystemPowerTerms system_power_terms(const SystemSpec& s);

// One parameter as `--system-param` names it, in the unit shown, with what it is and its source
// (the class's, or "--system-param" once overridden).
struct SystemParamInfo {
  std::string name;
  double value = 0;
  std::string unit;
  std::string description;
  std::string source;
};
std::vector<SystemParamInfo> list_system_params(const SystemSpec& s);
// Sets `name` to `value` (in the unit list_system_params shows). Errors: unknown name (with the
// known names and a "did you mean"), a value outside the parameter's range.
Result<void> set_system_param(SystemSpec& s, std::string_view name, double value);

// Errors naming the parameter: devices_per_server < 1, negative powers or capital, fan fraction
// outside [0, 1], PSU efficiency outside (0, 1], PUE < 1, a non-positive facility lifetime.
Result<void> check_system(const SystemSpec& s);

// `base` with the system's power terms, PUE, host and network capital and facility capital for a
// device whose power limit is `tdp` (the facility is built for the system at the TDP), over
// base.lifetime. Errors: those of check_system, a negative TDP.
Result<TcoAssumptions> system_tco_assumptions(const SystemSpec& s, Watts tdp,
                                              TcoAssumptions base = {});

}  // namespace xpusim
