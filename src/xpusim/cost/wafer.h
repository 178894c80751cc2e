// SPDX-License-Identifier: Apache-2.0
// Dies per wafer: the closed-form gross-die formulas (fast estimate) and the exact grid count
// with edge exclusion, scribe, notch keep-out, reticle fields and an offset search
// (calculator-grade). First step of the cost stage: die size -> candidate dies per wafer.
#pragma once

#include <string>

#include "xpusim/base/diagnostic.h"
#include "xpusim/base/feasibility.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

// Defaults: the SemiAnalysis calculator's notch keep-out (5 mm) and field (26 x 33 mm). Its
// default lossy edge and scribe are not in the reference; edge 0 and scribe 0.1 mm reproduce its
// published 70 full dies for a 28.53 mm square die (economics_cases_public.csv, DPW-01 note).
// Chiplet Actuary's formula defaults are e = 5 mm, s = 0.2 mm (pass them explicitly).
struct WaferSpec {
  Millimeters diameter{300.0};
  Millimeters edge_exclusion{0.0};   // "lossy edge"
  Millimeters scribe{0.1};           // dicing street between dies
  Millimeters notch_keepout{5.0};    // band above the notch (bottom of the wafer, measured from
                                     // the wafer edge) where no die may sit
  bool reticle = true;               // pack dies into exposure fields
  Millimeters field_width{26.0};     // reticle field (economics.md §1.1)
  Millimeters field_height{33.0};
};

struct DieSize {
  Millimeters width;
  Millimeters height;
  [[nodiscard]] SquareMillimeters area() const { return width * height; }
};

// Classic gross-die formula (Hennessy & Patterson; ttm-cas dies_per_wafer_area, economics.md
// §1.2(1)): N = π (d/2)² / S − π d / √(2 S). No edge exclusion, no scribe, not floored.
double gross_dies_classic(SquareMillimeters die_area, Millimeters wafer_diameter);

// Chiplet Actuary N_die_total (economics.md §1.2(2)) with edge exclusion e and scribe s:
// N = π (d/2 − e)² / S' − π (d − 2e) / √(2 S'), S' = (W+s)(H+s) (= (√S+s)² for a square die).
// Not floored; can be negative for dies comparable to the wafer (callers clamp).
double gross_dies_formula(const DieSize& die, const WaferSpec& wafer);

struct GridCount {
  int full_dies = 0;                 // dies whose four corners lie inside the usable circle
  int dies_per_shot = 0;             // reticle on: dies per exposure field (0 if it does not fit)
  int shots = 0;                     // reticle on: exposures holding at least one full die
  bool rotated = false;              // the die was turned 90° to fit the field
  Millimeters offset_x;              // lower-left die corner of the best grid, relative to centre
  Millimeters offset_y;
  // kReticle: the die fits no exposure field (then the grid count is given for reference only);
  // kWafer: no whole die fits within the usable wafer.
  Feasibility feasibility;
  Millimeters reticle_overhang_width;   // kReticle: how far the die exceeds the field, in the
  Millimeters reticle_overhang_height;  // orientation closer to fitting (0 where it fits)
};

// Exact grid count (SemiAnalysis die-yield calculator method, economics.md §1.2(4)): dies tiled at
// pitch (W+s, H+s); a die counts iff its four corners lie within R = d/2 − e and its bottom edge is
// above the notch keep-out; the grid offset is searched to maximise full dies (one axis sampled,
// the other solved exactly from the rows' or columns' chords, both ways, then alternating exact
// solves; samples an upper bound proves unable to beat the best starts are skipped, with the same
// result; wafer.cc). The grid is uniform, so searching the die offset over the die pitch covers
// every shot-grid offset over the field pitch: the shot phase only changes the shot count, which
// is minimised separately. With the reticle on, dies are grouped into fields of
// floor((26+s)/(W+s)) x floor((33+s)/(H+s)) and shots are counted; a die that fits no field (either
// orientation) is reported as infeasible (kReticle, with the overhang), with the grid count still
// given; no whole die on the wafer is infeasible too (kWafer).
// The sampled axis is sampled more coarsely for dies so small that the wafer holds thousands of
// rows of them, so the search cost is bounded for every die size.
// Errors: non-positive or non-finite sizes, negative exclusions, sizes beyond the physical bounds
// of base/bounds.h (die sides 0.1 .. 450 mm, wafers 25 .. 450 mm, ...), a die that cannot fit
// the wafer.
Result<GridCount> count_dies_on_grid(const DieSize& die, const WaferSpec& wafer);

// Validates a wafer/die pair (the errors count_dies_on_grid returns).
Result<void> validate_wafer_and_die(const DieSize& die, const WaferSpec& wafer);

}  // namespace xpusim
