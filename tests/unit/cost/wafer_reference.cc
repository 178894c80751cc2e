// SPDX-License-Identifier: Apache-2.0
// The dies-per-wafer grid search as it was before issue 8's pruned search (cost/wafer.cc at
// d4b9816), kept verbatim as the reference the pruned search must reproduce exactly: same full
// dies, shots and offsets (wafer_test.cc, PrunedSearchMatchesTheReference*).
#include "wafer_reference.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

namespace xpusim::wafer_reference {
namespace {

// Offset search. Along one line of dies (a row, or a column), the dies that fit a chord
// [lo, hi] at pitch p with phase t are n(t) = #{i : lo <= t + i·p, t + i·p + size <= hi}: a step
// function of t mod p that gains one die at t = lo (mod p) and loses one just after
// t = hi − size (mod p). For a fixed offset along one axis, the best offset along the other is
// therefore found exactly by sweeping those events (best_phase), not by sampling. The search
// samples one axis (kMaxSamples phases per pitch, fewer for dies so small that a wafer holds
// thousands of rows, so that the cost stays bounded: kChordBudget chords per axis), solves the
// other exactly, does the same with the axes swapped, and then improves the best layouts by
// alternating exact solves. A fixed 160 x 160 sampling of both offsets missed optimal
// placements whose window is narrower than a sample step (10 x 10 mm dies, 3 mm edge
// exclusion: 613 dies instead of 616).
constexpr int kMaxSamples = 512;
constexpr int kMinSamples = 16;
constexpr double kChordBudget = 3e5;
constexpr int kRefineStarts = 8;
constexpr int kRefineRounds = 8;
constexpr double kSlack = 1e-12;  // inclusive fit tolerance, in pitches (count_at uses the same)

int samples_for(double lines) {
  const double n = std::floor(kChordBudget / std::max(lines, 1.0));
  return static_cast<int>(std::clamp(n, static_cast<double>(kMinSamples),
                                     static_cast<double>(kMaxSamples)));
}

struct Chord {
  double lo, hi;
};

struct Phase {
  long long count = -1;
  double t = 0;      // middle of the best window (the layout with the most margin)
  double width = 0;  // width of that window
};

// Best phase for dies of length `size` at pitch `p` along `chords` (see above). Among phases
// with the most dies, the widest window wins and its middle is returned.
Phase best_phase(const std::vector<Chord>& chords, double p, double size, std::vector<double>& ups,
                 std::vector<double>& downs) {
  ups.clear();
  downs.clear();
  long long base = 0;  // dies at t = 0
  bool up_at_zero = false;
  for (const Chord& c : chords) {
    if (c.hi - c.lo < size) continue;
    const double a = c.lo / p, b = (c.hi - size) / p;
    base += static_cast<long long>(std::floor(b + kSlack)) -
            static_cast<long long>(std::ceil(a - kSlack)) + 1;
    const double u = (a - std::floor(a)) * p, d = (b - std::floor(b)) * p;
    if (u > 0 && u < p) ups.push_back(u); else up_at_zero = true;
    downs.push_back(std::clamp(d, 0.0, p));
  }
  std::sort(ups.begin(), ups.end());
  std::sort(downs.begin(), downs.end());
  Phase best;
  // The window starting at phase t ends at the first loss at or after t (next period if none).
  auto window_end = [&](double t) {
    auto it = std::lower_bound(downs.begin(), downs.end(), t);
    if (it != downs.end()) return *it;
    return downs.empty() ? t + p : downs.front() + p;
  };
  auto consider = [&](long long count, double t) {
    const double end = window_end(t);
    if (count > best.count || (count == best.count && end - t > best.width))
      best = {count, 0.5 * (t + end), end - t};
  };
  if (up_at_zero || ups.empty()) consider(base, 0.0);
  long long cur = base;
  size_t j = 0;
  for (size_t i = 0; i < ups.size(); ++i) {
    while (j < downs.size() && downs[j] < ups[i]) {
      --cur;
      ++j;
    }
    ++cur;
    if (i + 1 < ups.size() && ups[i + 1] == ups[i]) continue;  // all gains at this phase first
    consider(cur, ups[i]);
  }
  return best;
}

// Chords of the rows of dies whose bottom edges sit at oy + j·py (x extent inside the circle).
void row_chords(double h, double py, double r, double y_min, double oy, std::vector<Chord>& out) {
  out.clear();
  const auto j_lo = static_cast<long long>(std::ceil((std::max(-r, y_min) - oy) / py));
  const auto j_hi = static_cast<long long>(std::floor((r - h - oy) / py));
  for (long long j = j_lo; j <= j_hi; ++j) {
    const double y0 = oy + static_cast<double>(j) * py;
    const double ymax = std::max(std::abs(y0), std::abs(y0 + h));
    if (ymax > r) continue;
    const double half = std::sqrt(r * r - ymax * ymax);
    out.push_back({-half, half});
  }
}

// Chords of the columns of dies whose left edges sit at ox + i·px (y extent inside the circle
// and above the notch band).
void column_chords(double w, double px, double r, double y_min, double ox,
                   std::vector<Chord>& out) {
  out.clear();
  const auto i_lo = static_cast<long long>(std::ceil((-r - ox) / px));
  const auto i_hi = static_cast<long long>(std::floor((r - w - ox) / px));
  for (long long i = i_lo; i <= i_hi; ++i) {
    const double x0 = ox + static_cast<double>(i) * px;
    const double xmax = std::max(std::abs(x0), std::abs(x0 + w));
    if (xmax > r) continue;
    const double half = std::sqrt(r * r - xmax * xmax);
    out.push_back({std::max(-half, y_min), half});
  }
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

Result<GridCount> reference_count_dies_on_grid(const DieSize& die, const WaferSpec& wafer) {
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
  // Candidate offsets: sample one axis, solve the other exactly, for both axes.
  struct Candidate {
    long long count;
    double ox, oy;
  };
  std::vector<Candidate> cands;
  std::vector<Chord> chords;
  std::vector<double> ups, downs;
  const int ny_samples = samples_for(2 * r / py);
  for (int b = 0; b < ny_samples; ++b) {
    const double oy = py * b / ny_samples;
    row_chords(h, py, r, y_min, oy, chords);
    const Phase ph = best_phase(chords, px, w, ups, downs);
    cands.push_back({ph.count, ph.t, oy});
  }
  const int nx_samples = samples_for(2 * r / px);
  for (int a = 0; a < nx_samples; ++a) {
    const double ox = px * a / nx_samples;
    column_chords(w, px, r, y_min, ox, chords);
    const Phase ph = best_phase(chords, py, h, ups, downs);
    cands.push_back({ph.count, ox, ph.t});
  }
  const size_t starts = std::min(cands.size(), static_cast<size_t>(kRefineStarts));
  std::partial_sort(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(starts), cands.end(),
                    [](const Candidate& x, const Candidate& y) { return x.count > y.count; });
  // Improve the best starts by alternating exact solves (each step never loses dies).
  Layout best;
  best.full = -1;
  // The grid is reported as count_at counts it at the chosen offsets.
  auto keep = [&](double ox, double oy) {
    Layout l = count_at(w, h, px, py, r, y_min, ox, oy, false);
    if (l.full > best.full) best = l;
    return l.full;
  };
  for (size_t k = 0; k < starts; ++k) {
    double ox = cands[k].ox, oy = cands[k].oy;
    int have = keep(ox, oy);
    for (int round = 0; round < kRefineRounds; ++round) {
      column_chords(w, px, r, y_min, ox, chords);
      oy = best_phase(chords, py, h, ups, downs).t;
      row_chords(h, py, r, y_min, oy, chords);
      ox = best_phase(chords, px, w, ups, downs).t;
      const int now = keep(ox, oy);
      if (now <= have) break;
      have = now;
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

}  // namespace xpusim::wafer_reference
