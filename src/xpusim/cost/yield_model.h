// SPDX-License-Identifier: Apache-2.0
// YieldModel: the pluggable role turning (critical area, defect density) into the fraction of dies
// free of killer defects, with an explicit registry of the built-in models (Poisson, Murphy,
// Seeds, rectangular, Moore, negative binomial, Bose-Einstein). Used by the cost stage per die.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

// Parameters some models take; validated by YieldModelRegistry::create.
struct YieldParams {
  double alpha = 3.0;  // negative-binomial clustering (ttm-cas default 3); > 0
  int layers = 25;     // Bose-Einstein critical layers (SemiAnalysis UI default 25); >= 1
};

class YieldModel {
 public:
  virtual ~YieldModel() = default;
  // The registry key ("murphy").
  [[nodiscard]] virtual std::string_view name() const = 0;
  // Fraction in [0, 1] of dies of critical area `area` (> 0) without a killer defect when the
  // process has `d0` (>= 0) killer defects per unit area, summed over all layers. Y(0) = 1 and
  // Y falls monotonically with area·d0.
  [[nodiscard]] virtual double yield(SquareMillimeters area, PerSquareMillimeter d0) const = 0;
};

class YieldModelRegistry {
 public:
  using Factory = std::function<std::unique_ptr<YieldModel>(const YieldParams&)>;

  // Adds a model; a duplicate name is an error.
  Result<void> add(std::string name, std::string description, Factory factory);
  // Builds the model `name` with `params`. Unknown name: error listing the known names with a
  // "did you mean"; out-of-range parameters: error naming the parameter.
  [[nodiscard]] Result<std::unique_ptr<YieldModel>> create(std::string_view name,
                                                           const YieldParams& params) const;
  [[nodiscard]] std::vector<std::string> names() const;
  [[nodiscard]] std::string description(std::string_view name) const;

  // The registry holding the built-in models (filled once by register_builtin_yield_models).
  static const YieldModelRegistry& builtin();

 private:
  struct Entry {
    std::string name;
    std::string description;
    Factory factory;
  };
  std::vector<Entry> entries_;
};

// Registers the seven built-in models (impl/builtin_yield_models.cc).
void register_builtin_yield_models(YieldModelRegistry& registry);

// Yield of a die with redundant units (harvesting): the die sells if its non-redundant area is
// defect-free and at most `spare` of its `on_die` units are defective. Each region uses `model`
// on its own area (defect clustering across regions ignored): Y = Y(A_rest) · P[Bin(n, 1−y_u) <=
// spare], y_u = Y(A_unit). The same for a second group (e.g. DRAM PHY sites).
struct RedundantGroup {
  int on_die = 0;               // units on the die
  int required = 0;             // units a sellable part enables
  SquareMillimeters unit_area;  // one unit
};
// Errors: a group with required < 0 or on_die < required, a unit area negative or not finite.
Result<double> harvested_yield(const YieldModel& model, PerSquareMillimeter d0,
                               SquareMillimeters die_area, const std::vector<RedundantGroup>& groups);

}  // namespace xpusim
