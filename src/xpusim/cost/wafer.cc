// SPDX-License-Identifier: Apache-2.0
#include "xpusim/cost/wafer.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

namespace xpusim {
namespace {

// Offset search resolution per pitch (both axes): 160 x 160 grid phases (64 missed the best
// placement of a 28.53 mm die by one). Rows are counted in closed form, so the search costs
// 25,600 x rows.
constexpr int kOffsetSteps = 160;

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

// Shots for a layout whose fields hold nx x ny dies, minimised over the field phase.
int count_shots(const Layout& l, int nx, int ny) {
  int best = -1;
  for (int b0 = 0; b0 < ny; ++b0) {
    for (int a0 = 0; a0 < nx; ++a0) {
      // Per field row: the union of the rows' column intervals (each is a chord containing the
      // centre column, so the union is an interval).
      int shots = 0;
      long long cur_b = 0;
      long long a_lo = 0, a_hi = -1;
      bool have = false;
      for (size_t k = 0; k < l.rows.size(); ++k) {
        const RowCount& rc = l.rows[k];
        if (rc.hi < rc.lo) continue;
        long long j = l.j_lo + static_cast<long long>(k);
        long long b = floor_div(j + b0, ny);
        long long lo = floor_div(rc.lo + a0, nx), hi = floor_div(rc.hi + a0, nx);
        if (have && b == cur_b) {
          a_lo = std::min(a_lo, lo);
          a_hi = std::max(a_hi, hi);
        } else {
          if (have) shots += static_cast<int>(a_hi - a_lo + 1);
          cur_b = b;
          a_lo = lo;
          a_hi = hi;
          have = true;
        }
      }
      if (have) shots += static_cast<int>(a_hi - a_lo + 1);
      if (best < 0 || shots < best) best = shots;
    }
  }
  return std::max(best, 0);
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
  for (int a = 0; a < kOffsetSteps; ++a) {
    for (int b = 0; b < kOffsetSteps; ++b) {
      double ox = px * a / kOffsetSteps, oy = py * b / kOffsetSteps;
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
