// SPDX-License-Identifier: Apache-2.0
// The cost memo returns what estimate_cost() returns, and its key is complete: for every numeric
// hardware field of several presets, raising or lowering the field either changes the key or
// leaves every figure of the cost build-up unchanged.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/cost/chip_cost.h"
#include "xpusim/dse/cost_memo.h"
#include "xpusim/dse/hardware_fields.h"

namespace xpusim {
namespace {

// Every figure of a cost build-up, for exact comparison.
std::vector<double> figures(const Result<CostBreakdown>& c) {
  if (!c) return {-1};
  std::vector<double> f = {c->logic_dies.value(),    c->memory.value(),
                           c->package.total.value(), c->test_assembly.value(),
                           c->manufacturing.value(), c->design_nre.value(),
                           c->mask_nre.value(),      c->total_per_unit.value(),
                           c->feasibility.feasible() ? 1.0 : 0.0};
  for (const auto& d : c->dies) {
    f.insert(f.end(), {d.gross_dies_formula, static_cast<double>(d.full_dies), d.defect_free_yield,
                       d.sellable_yield, d.wafer_price.value(), d.cost_per_good_die.value()});
  }
  return f;
}

struct Evaluated {
  HardwareSpec hw;
  AreaReport area;
};

std::optional<Evaluated> evaluate(const Document& doc) {
  auto hw = hardware_schema().parse(doc);
  if (!hw) return std::nullopt;
  auto area = estimate_area(*hw);
  if (!area) return std::nullopt;
  return Evaluated{*hw, *area};
}

TEST(CostMemo, KeyChangesWheneverTheCostDoes) {
  int keys_changed = 0;
  int keys_kept = 0;
  std::set<std::string> kept_fields;
  for (const char* preset : {"h100-sxm-80gb", "b200-sxm-180gb", "mi300x", "gaudi3", "a100-sxm-80gb"}) {
    SCOPED_TRACE(preset);
    auto base_doc = load_hardware_document(preset);
    ASSERT_TRUE(base_doc);
    auto base = evaluate(*base_doc);
    ASSERT_TRUE(base);
    const std::string base_key = cost_memo_key(base->hw, base->area);
    const auto base_figures = figures(estimate_cost(base->hw, base->area));
    const auto fields = numeric_hardware_fields(*base_doc);
    ASSERT_GT(fields.size(), 10u);
    for (const NumericField& f : fields) {
      for (double factor : {0.8, 1.25}) {
        double v = f.value * factor;
        if (f.info.kind == FieldKind::kInteger) v = std::round(v) == f.value ? f.value + 1 : std::round(v);
        Document doc = *base_doc;
        ASSERT_TRUE(doc.apply_override(numeric_assignment(f.info, v)));
        auto changed = evaluate(doc);
        if (!changed) continue;  // out of range or inconsistent: no cost to compare
        SCOPED_TRACE(numeric_assignment(f.info, v));
        if (cost_memo_key(changed->hw, changed->area) == base_key) {
          EXPECT_EQ(figures(estimate_cost(changed->hw, changed->area)), base_figures);
          ++keys_kept;
          kept_fields.insert(f.info.path);
        } else {
          ++keys_changed;
        }
      }
    }
  }
  // Both branches are exercised: bandwidth and clock leave the cost alone, units do not.
  EXPECT_GT(keys_changed, 20);
  EXPECT_GT(keys_kept, 20);
  EXPECT_TRUE(kept_fields.count("memory.dram.bandwidth"));
  EXPECT_FALSE(kept_fields.count("compute.units"));
}

TEST(CostMemo, ReturnsWhatEstimateCostReturnsOncePerKeyAcrossThreads) {
  auto doc = load_hardware_document("h100-sxm-80gb");
  ASSERT_TRUE(doc);
  const CostMemo memo;
  std::vector<Evaluated> designs;
  for (const char* bw : {"2 TB/s", "3 TB/s", "4 TB/s"})
    for (const char* units : {"114", "132"}) {
      Document d = *doc;
      ASSERT_TRUE(d.apply_override(std::string("memory.dram.bandwidth=") + bw));
      ASSERT_TRUE(d.apply_override(std::string("compute.units=") + units));
      designs.push_back(*evaluate(d));
    }
  std::vector<std::thread> threads;
  std::vector<std::vector<double>> got(4 * designs.size());
  for (size_t t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (size_t i = 0; i < designs.size(); ++i)
        got[t * designs.size() + i] = figures(memo.cost(designs[i].hw, designs[i].area));
    });
  for (auto& t : threads) t.join();
  for (size_t t = 0; t < 4; ++t)
    for (size_t i = 0; i < designs.size(); ++i)
      EXPECT_EQ(got[t * designs.size() + i], figures(estimate_cost(designs[i].hw, designs[i].area)));
  EXPECT_EQ(memo.computed(), 2u);  // two unit counts; bandwidth does not enter the cost
}

}  // namespace
}  // namespace xpusim
