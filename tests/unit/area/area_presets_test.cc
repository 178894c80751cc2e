// SPDX-License-Identifier: Apache-2.0
// The area model on the shipped hardware presets (data/presets/hardware): A100 SXM and H100 SXM
// within 10% of their published die areas using only the preset's architecture and the global
// harvesting default (no die inventory given), and every preset with a process node gets a finite
// positive area.
#include <gtest/gtest.h>

#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/presets.h"

namespace xpusim {
namespace {

TEST(AreaPresets, A100AndH100WithinTenPercentFromPresetsAlone) {
  struct Case { const char* id; double published_mm2; };
  // A100 826 mm² (NVIDIA whitepaper), H100 814 mm² (economics.md §5.1).
  for (const Case& c : {Case{"a100-sxm-80gb", 826.0}, Case{"h100-sxm-80gb", 814.0}}) {
    auto hw = load_hardware(c.id);
    ASSERT_TRUE(hw) << to_string(hw.error());
    auto r = estimate_area(*hw);
    ASSERT_TRUE(r) << to_string(r.error());
    EXPECT_NEAR(r->total_area.value(), c.published_mm2, 0.1 * c.published_mm2) << c.id;
  }
}

TEST(AreaPresets, EveryPresetWithANodeHasAFiniteArea) {
  int checked = 0;
  for (const auto& id : list_presets("hardware")) {
    auto hw = load_hardware(id);
    ASSERT_TRUE(hw) << id;
    if (hw->physical.compute_die.node.empty()) continue;
    auto r = estimate_area(*hw);
    ASSERT_TRUE(r) << id << ": " << to_string(r.error());
    EXPECT_TRUE(r->total_area.is_finite()) << id;
    EXPECT_GT(r->total_area.value(), 50.0) << id;
    ++checked;
  }
  EXPECT_GE(checked, 2);
}

}  // namespace
}  // namespace xpusim
