// SPDX-License-Identifier: Apache-2.0
// Helpers of the area tests: a preset loaded (a failure is a test failure naming it), its area
// report, and one component's area on a die.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/presets.h"

namespace xpusim::testing {

inline HardwareSpec preset(const std::string& id) {
  auto hw = load_hardware(id);
  EXPECT_TRUE(hw) << id << ": " << (hw ? "" : to_string(hw.error()));
  return hw ? *hw : HardwareSpec{};
}

inline AreaReport area_of(const HardwareSpec& hw) {
  auto r = estimate_area(hw);
  EXPECT_TRUE(r) << (r ? "" : to_string(r.error()));
  return r ? *r : AreaReport{};
}

// Area of the component `name` on `die` in mm²; 0 when the die has none.
inline double component(const DieArea& die, const std::string& name) {
  for (const auto& c : die.components)
    if (c.name == name) return c.area.value();
  return 0.0;
}

}  // namespace xpusim::testing
