// SPDX-License-Identifier: Apache-2.0
// A measured row for tests: the fields every row has (what, where, which metric), the rest left
// for the test to set (model, lengths, shape, precision).
#pragma once

#include <string>
#include <utility>

#include "xpusim/validate/measured_row.h"

namespace xpusim::testing {

inline MeasuredRow measured_row(std::string id, std::string hardware, int num_devices,
                                std::string scenario, MeasuredMetric metric, double value,
                                std::string notes = {}) {
  MeasuredRow r;
  r.id = std::move(id);
  r.hardware = std::move(hardware);
  r.num_devices = num_devices;
  r.scenario = std::move(scenario);
  r.metric = metric;
  r.value = value;
  r.notes = std::move(notes);
  return r;
}

}  // namespace xpusim::testing
