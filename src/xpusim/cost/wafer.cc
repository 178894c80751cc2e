// SPDX-License-Identifier: Apache-2.0
#include "xpusim/cost/wafer.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include <fmt/format.h>

#include "xpusim/base/bounds.h"

namespace xpusim {
namespace {

// Offset search resolution per pitch (both axes): 160 x 160 grid phases (64 missed the best
// placement of a 28.53 mm die by one). Rows are counted in closed form, so the search costs
// steps^2 x rows; the steps shrink for dies so small that a wafer holds more than
// kRowBudget / 160^2 = 312 rows of them (the offset changes their count by well under a percent),
// so that no die size can make the search run long.
constexpr int kOffsetSteps = 160;
constexpr double kRowBudget = 8e6;

int offset_steps(double rows) {
  const double steps = std::floor(std::sqrt(kRowBudget / std::max(rows, 1.0)));
  return static_cast<int>(std::clamp(steps, 8.0, static_cast<double>(kOffsetSteps)));
}

struct RowCount {
  long long lo = 0;  // first and last die column of the row (lo > hi: none)
  long long hi = -1;
};

struct Layout {
  int full = 0;
  double ox = 0, oy = 0;
  long long j_lo = 0, j_hi = -1;
  std::vector<RowCount> rows;
};

// Counts full dies for the grid whose die (i, j) has its lower-left corner at
// (ox + i·px, oy + j·py).
Layout count_at(double w, double h, double px, double py, double r, double y_min, double ox,
                double oy, bool keep_rows) {
  Layout l;
  l.ox = ox;
  l.oy = oy;
  l.j_lo = static_cast<long long>(std::ceil((std::max(-r, y_min) - oy) / py));
  l.j_hi = static_cast<long long>(std::floor((r - h - oy) / py));
  for (long long j = l.j_lo; j <= l.j_hi; ++j) {
    double y0 = oy + static_cast<double>(j) * py;
    double ymax = std::max(std::abs(y0), std::abs(y0 + h));
    RowCount rc;
    if (ymax <= r) {
      double half = std::sqrt(r * r - ymax * ymax);
      rc.lo = static_cast<long long>(std::ceil((-half - ox) / px - 1e-12));
      rc.hi = static_cast<long long>(std::floor((half - w - ox) / px + 1e-12));
      if (rc.hi >= rc.lo) l.full += static_cast<int>(rc.hi - rc.lo + 1);
    }
    if (keep_rows) l.rows.push_back(rc);
  }
  return l;
}

long long floor_div(long long a, long long b) {
  long long q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Shots for a layout whose fields hold nx x ny dies, minimised over the field phase (a0, b0).
// Per field row the die rows' column intervals are chords containing the centre column, so their
// union is one interval [lo, hi] of die columns, independent of a0; it spans
// floor((hi + a0) / nx) - floor((lo + a0) / nx) + 1 fields. Cost O((nx + ny) x rows), not
// O(nx x ny x rows): small dies put hundreds of dies in a field.
int count_shots(const Layout& l, int nx, int ny) {
  struct Span {
    long long lo, hi;
  };
  std::vector<Span> spans;
  long long best = -1;
  for (int b0 = 0; b0 < ny; ++b0) {
    spans.clear();
    long long cur_b = 0;
    for (size_t k = 0; k < l.rows.size(); ++k) {
      const RowCount& rc = l.rows[k];
      if (rc.hi < rc.lo) continue;
      const long long j = l.j_lo + static_cast<long long>(k);
      const long long b = floor_div(j + b0, ny);
      if (!spans.empty() && b == cur_b) {
        spans.back().lo = std::min(spans.back().lo, rc.lo);
        spans.back().hi = std::max(spans.back().hi, rc.hi);
      } else {
        spans.push_back({rc.lo, rc.hi});
        cur_b = b;
      }
    }
    for (int a0 = 0; a0 < nx; ++a0) {
      long long shots = 0;
      for (const Span& sp : spans)
        shots += floor_div(sp.hi + a0, nx) - floor_div(sp.lo + a0, nx) + 1;
      if (best < 0 || shots < best) best = shots;
    }
  }
  return static_cast<int>(std::max(best, 0LL));
}

}  // namespace

double gross_dies_classic(SquareMillimeters die_area, Millimeters wafer_diameter) {
  const double s = die_area.value(), d = wafer_diameter.value();
  return std::numbers::pi * (d / 2) * (d / 2) / s - std::numbers::pi * d / std::sqrt(2 * s);
}

double gross_dies_formula(const DieSize& die, const WaferSpec& wafer) {
  const double s = wafer.scribe.value();
  const double sp = (die.width.value() + s) * (die.height.value() + s);
  const double d = wafer.diameter.value(), e = wafer.edge_exclusion.value();
  return std::numbers::pi * (d / 2 - e) * (d / 2 - e) / sp -
         std::numbers::pi * (d - 2 * e) / std::sqrt(2 * sp);
}

Result<void> validate_wafer_and_die(const DieSize& die, const WaferSpec& wafer) {
  Diagnostics diags;
  auto positive = [&](Millimeters v, const char* path, const char* what) {
    if (!(v.value() > 0) || !v.is_finite())
      diags.push_back({.path = path, .message = fmt::format("{} must be a positive length in mm, "
                                                            "got {}", what, v.value())});
  };
  auto non_negative = [&](Millimeters v, const char* path, const char* what) {
    if (!(v.value() >= 0) || !v.is_finite())
      diags.push_back({.path = path, .message = fmt::format("{} must be >= 0 mm, got {}", what,
                                                            v.value())});
  };
  positive(die.width, "die_width", "die width");
  positive(die.height, "die_height", "die height");
  positive(wafer.diameter, "wafer_diameter", "wafer diameter");
  non_negative(wafer.edge_exclusion, "edge_exclusion", "edge exclusion");
  non_negative(wafer.scribe, "scribe", "scribe width");
  non_negative(wafer.notch_keepout, "notch_keepout", "notch keep-out");
  if (wafer.reticle) {
    positive(wafer.field_width, "field_width", "reticle field width");
    positive(wafer.field_height, "field_height", "reticle field height");
  }
  if (!diags.empty()) return tl::unexpected(diags);
  // Physical bounds (base/bounds.h); they also bound the grid search: at most 4,500 rows of at
  // most 4,500 dies.
  auto within = [&](Millimeters v, const char* path, const RealBound& b) {
    if (auto msg = check_bound(v.value(), b)) diags.push_back({.path = path, .message = *msg});
  };
  within(die.width, "die_width", bounds::kDieSideMm);
  within(die.height, "die_height", bounds::kDieSideMm);
  within(wafer.diameter, "wafer_diameter", bounds::kWaferDiameterMm);
  within(wafer.edge_exclusion, "edge_exclusion", bounds::kEdgeExclusionMm);
  within(wafer.scribe, "scribe", bounds::kScribeMm);
  within(wafer.notch_keepout, "notch_keepout", bounds::kNotchKeepoutMm);
  if (wafer.reticle) {
    within(wafer.field_width, "field_width", bounds::kReticleFieldMm);
    within(wafer.field_height, "field_height", bounds::kReticleFieldMm);
  }
  if (!diags.empty()) return tl::unexpected(diags);
  const double r = wafer.diameter.value() / 2 - wafer.edge_exclusion.value();
  if (r <= 0) {
    return fail(Diagnostic{.path = "edge_exclusion",
                           .message = fmt::format("edge exclusion {} mm leaves no usable area on a "
                                                  "{} mm wafer",
                                                  wafer.edge_exclusion.value(),
                                                  wafer.diameter.value())});
  }
  const double diag = std::hypot(die.width.value(), die.height.value());
  if (diag > 2 * r) {
    return fail(Diagnostic{
        .path = "die",
        .message = fmt::format("a {} x {} mm die (diagonal {:.1f} mm) is larger than the usable "
                               "wafer ({} mm diameter minus {} mm edge exclusion = {:.1f} mm)",
                               die.width.value(), die.height.value(), diag,
                               wafer.diameter.value(), wafer.edge_exclusion.value(), 2 * r)});
  }
  return {};
}

Result<GridCount> count_dies_on_grid(const DieSize& die, const WaferSpec& wafer) {
  if (auto ok = validate_wafer_and_die(die, wafer); !ok) return tl::unexpected(ok.error());
  GridCount g;
  double w = die.width.value(), h = die.height.value();
  const double s = wafer.scribe.value();
  int nx = 0, ny = 0;
  if (wafer.reticle) {
    auto fit = [&](double dw, double dh) {
      // n dies need n·W + (n−1)·s of the field: no street after the last die, so a reticle-size
      // 26 x 33 mm die still fits (the SemiAnalysis floor(26/(W+s)) would reject it).
      nx = static_cast<int>(std::floor((wafer.field_width.value() + s) / (dw + s) + 1e-12));
      ny = static_cast<int>(std::floor((wafer.field_height.value() + s) / (dh + s) + 1e-12));
      return nx > 0 && ny > 0;
    };
    if (!fit(w, h)) {
      if (fit(h, w)) {
        std::swap(w, h);
        g.rotated = true;
      } else {
        nx = ny = 0;
        const double fw = wafer.field_width.value(), fh = wafer.field_height.value();
        const double ow = std::max(0.0, w - fw), oh = std::max(0.0, h - fh);  // as given
        const double rw = std::max(0.0, h - fw), rh = std::max(0.0, w - fh);  // turned 90°
        const bool turn = rw + rh < ow + oh;
        g.reticle_overhang_width = Millimeters(turn ? rw : ow);
        g.reticle_overhang_height = Millimeters(turn ? rh : oh);
        g.feasibility.mark(
            InfeasibleReason::kReticle,
            fmt::format("a {} x {} mm die does not fit the {} x {} mm reticle field in either "
                        "orientation: it exceeds the field by {:.3g} mm in width and {:.3g} mm in "
                        "height{}",
                        die.width.value(), die.height.value(), fw, fh,
                        g.reticle_overhang_width.value(), g.reticle_overhang_height.value(),
                        turn ? " (turned 90°)" : ""));
      }
    }
  }
  const double px = w + s, py = h + s;
  const double r = wafer.diameter.value() / 2 - wafer.edge_exclusion.value();
  const double y_min = -wafer.diameter.value() / 2 + wafer.notch_keepout.value();
  Layout best;
  best.full = -1;
  const int steps = offset_steps(2 * r / py);
  for (int a = 0; a < steps; ++a) {
    for (int b = 0; b < steps; ++b) {
      double ox = px * a / steps, oy = py * b / steps;
      Layout l = count_at(w, h, px, py, r, y_min, ox, oy, false);
      if (l.full > best.full) best = l;
    }
  }
  g.full_dies = std::max(best.full, 0);
  g.offset_x = Millimeters(best.ox);
  g.offset_y = Millimeters(best.oy);
  if (g.full_dies == 0)
    g.feasibility.mark(InfeasibleReason::kWafer,
                       fmt::format("no whole {} x {} mm die fits within the usable wafer ({} mm "
                                   "diameter, {} mm edge exclusion, {} mm notch keep-out)",
                                   die.width.value(), die.height.value(), wafer.diameter.value(),
                                   wafer.edge_exclusion.value(), wafer.notch_keepout.value()));
  if (wafer.reticle && g.feasibility.reason != InfeasibleReason::kReticle) {
    g.dies_per_shot = nx * ny;
    Layout rows = count_at(w, h, px, py, r, y_min, best.ox, best.oy, true);
    g.shots = count_shots(rows, nx, ny);
  }
  return g;
}

}  // namespace xpusim
