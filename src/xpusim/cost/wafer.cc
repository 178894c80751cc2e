// SPDX-License-Identifier: Apache-2.0
#include "xpusim/cost/wafer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include <fmt/format.h>

#include "xpusim/base/bounds.h"

namespace xpusim {
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
// Issue 8: only the kRefineStarts best samples matter, so a sample (or a run of kRangeSamples
// samples at once) whose upper bound (cannot_exceed) does not beat the best found so far is not
// solved; the result is the same to the last bit. A 26 x 31.3 mm die on a 300 mm wafer solves 19
// of its 1,024 samples exactly and computes 188 bounds (64 of them over runs).
constexpr int kMaxSamples = 512;
constexpr int kMinSamples = 16;
constexpr double kChordBudget = 3e5;
constexpr int kRefineStarts = 8;
constexpr int kRefineRounds = 8;
constexpr int kRangeSamples = 16;  // samples a bound covers at once, at first (issue 8)
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

// std::floor and std::ceil, exactly, for |x| < 2^63 (every value here: a chord end over a
// pitch, at most a few thousand), inline: without SSE4.1 the library calls cost a fifth of the
// search (issue 8).
inline double floor_of(double x) {
  const auto t = static_cast<double>(static_cast<long long>(x));  // towards zero
  return t > x ? t - 1.0 : t;
}
inline double ceil_of(double x) {
  const auto t = static_cast<double>(static_cast<long long>(x));
  return t < x ? t + 1.0 : t;
}

// Ascending sort; insertion sort for the few events of a large die's rows (the sorted values
// are the same whichever sort produces them).
void sort_events(std::vector<double>& v) {
  if (v.size() > 32) {
    std::sort(v.begin(), v.end());
    return;
  }
  for (size_t i = 1; i < v.size(); ++i) {
    const double x = v[i];
    size_t j = i;
    for (; j > 0 && v[j - 1] > x; --j) v[j] = v[j - 1];
    v[j] = x;
  }
}

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
    base += static_cast<long long>(floor_of(b + kSlack)) -
            static_cast<long long>(ceil_of(a - kSlack)) + 1;
    const double u = (a - floor_of(a)) * p, d = (b - floor_of(b)) * p;
    if (u > 0 && u < p) ups.push_back(u); else up_at_zero = true;
    downs.push_back(std::clamp(d, 0.0, p));
  }
  Phase best;
  sort_events(ups);
  sort_events(downs);
  // The window starting at phase t ends at the first loss at or after t (next period if none).
  // The phases considered only increase, so the first such loss is found by a forward scan.
  size_t end_at = 0;
  auto window_end = [&](double t) {
    while (end_at < downs.size() && downs[end_at] < t) ++end_at;
    if (end_at < downs.size()) return downs[end_at];
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

// Whether best_phase(chords, p, size).count is sure not to exceed `threshold`, decided without
// its sort and sweep (issue 8). best_phase's count at a phase t is a sum over chords:
// base_c + [u_c <= t] - [d_c < t] for a chord with a gain u_c in (0, p) (base_c its dies at
// t = 0, d_c its loss, as best_phase computes them), base_c - [d_c < t] for one without. Each
// term is the chord's least count low_c, plus one on an arc of phases: [u_c, d_c] where
// u_c <= d_c (low_c = base_c), [0, d_c] and [u_c, p) where u_c > d_c (low_c = base_c - 1),
// [0, d_c] with no gain (low_c = base_c - 1). So the count is sum(low_c) + the number of arcs
// holding t. The period is cut into 64 buckets, each chord's arc marks the buckets it touches
// (a bit mask), and the most marks a bucket gets is at least the most arcs holding one phase:
// sum(low_c) + that bounds the count. The bound is exact unless arcs that do not overlap share
// a bucket; for a 26 x 31 mm die on a 300 mm wafer it proves 98% of the sampled offsets no
// better than the starts already found (the per-chord bound sum(low_c) + the number of arcs, 3%).
// Marks are counted bit-sliced (4 bits a bucket) up to 15 arcs, in an array beyond.
// With `shortest`, the chords are row_chords_over's or column_chords_over's, each at least as
// long as its line's chord at every offset of a range (a margin longer at both ends), and
// `shortest` at most as long: a longer chord holds at least as many dies at every phase, and at
// every phase within the margin of it, so the bound holds for every offset of the range at once
// (with the corrections below).
constexpr int kBoundBuckets = 64;

constexpr double kNearInteger = 1e-9;  // in pitches: far above kSlack and the rounding

bool cannot_exceed(const std::vector<Chord>& chords, double p, double size, long long threshold,
                   const std::vector<Chord>* shortest = nullptr) {
  const double per_bucket = kBoundBuckets / p;
  // Bucket of a phase in [0, p] (monotone in the phase: a product with a positive constant).
  auto bucket = [&](double x) {
    return std::min(static_cast<int>(x * per_bucket), kBoundBuckets - 1);
  };
  auto span = [](int from, int to) {  // buckets from..to, 0 <= from <= to < 64
    return (~0ULL >> (kBoundBuckets - 1 - to)) & (~0ULL << from);
  };
  uint64_t count_bits[4] = {0, 0, 0, 0};  // bit-sliced marks per bucket
  std::vector<uint64_t> masks;            // only beyond 15 arcs
  long long low = 0;
  size_t arcs = 0;
  for (size_t i = 0; i < chords.size(); ++i) {
    const Chord& c = chords[i];
    if (c.hi - c.lo < size) continue;
    const double a = c.lo / p, b = (c.hi - size) / p;
    const long long base = static_cast<long long>(floor_of(b + kSlack)) -
                           static_cast<long long>(ceil_of(a - kSlack)) + 1;
    const double u = (a - floor_of(a)) * p, d = std::clamp((b - floor_of(b)) * p, 0.0, p);
    // Branch-free (whether a gain precedes its loss is a coin toss from chord to chord).
    const bool has_gain = u > 0 && u < p;
    const bool gain_first = has_gain && u <= d;
    const int bd = bucket(d), bu = bucket(u);
    const uint64_t wrapped = bu <= bd ? ~0ULL : span(0, bd) | span(bu, kBoundBuckets - 1);
    uint64_t m = gain_first ? span(bu, bd) : has_gain ? wrapped : span(0, bd);
    long long least = base - (gain_first ? 0 : 1);
    if (shortest) {
      // Over a range (see above): a line may be absent at some offsets, holding no die there,
      // so its term must not be negative; and where a chord end of some offset of the range
      // may lie within kSlack of a die boundary (an integer number of pitches; the line's end
      // moves between its shortest and its longest chord), best_phase's count can exceed the
      // dies that fit by one for that end (its fit tolerance at t = 0 and its gain at u_c ~ 0
      // count the same die): one more for each such end.
      const Chord& sc = (*shortest)[i];
      const double a_short = sc.lo / p, b_short = (sc.hi - size) / p;
      const bool lo_end = floor_of(a - kNearInteger) != floor_of(a_short + kNearInteger);
      const bool hi_end = floor_of(b_short - kNearInteger) != floor_of(b + kNearInteger);
      least = std::max(least, 0LL) + (lo_end ? 1 : 0) + (hi_end ? 1 : 0);
    }
    low += least;
    ++arcs;
    if (arcs <= 15) {
      for (uint64_t& bits : count_bits) {  // add m to the 4-bit counters
        const uint64_t carry = bits & m;
        bits ^= m;
        m = carry;
      }
    } else {
      masks.push_back(m);
    }
  }
  const long long need = threshold - low + 1;  // marks a bucket needs to beat the threshold
  if (need <= 0) return false;
  if (need > static_cast<long long>(arcs)) return true;
  if (arcs <= 15) {
    // Buckets whose 4-bit count is >= need, compared from the top bit.
    uint64_t greater = 0, equal = ~0ULL;
    for (int i = 3; i >= 0; --i) {
      if ((need >> i) & 1) {
        equal &= count_bits[i];
      } else {
        greater |= equal & count_bits[i];
        equal &= ~count_bits[i];
      }
    }
    return (greater | equal) == 0;
  }
  // Many arcs (small dies): count per bucket, the first 15 arcs from their slices.
  long long most = 0;
  for (int k = 0; k < kBoundBuckets; ++k) {
    long long held = 0;
    for (int i = 0; i < 4; ++i) held += static_cast<long long>((count_bits[i] >> k) & 1) << i;
    for (uint64_t m : masks) held += static_cast<long long>((m >> k) & 1);
    most = std::max(most, held);
  }
  return most < need;
}

// The kRefineStarts-th largest count among the sampled candidates so far. A sampled offset
// whose count cannot exceed it can never be among the starts the refinement takes:
// std::partial_sort's heap selection passes over an element that does not beat the smallest
// count it holds, which is this count. Such an offset is recorded with count -1, which the
// selection passes over likewise, so the starts, and the result, are the full search's
// (wafer_test.cc checks it against the search as it was, tests/unit/cost/wafer_reference.cc).
class TopCounts {
 public:
  [[nodiscard]] bool full() const { return n_ == kRefineStarts; }
  [[nodiscard]] long long least() const { return top_[0]; }  // the count to exceed, when full()
  void add(long long c) {
    if (n_ < kRefineStarts) {
      top_[n_++] = c;
      std::sort(top_, top_ + n_);
    } else if (c > top_[0]) {
      int i = 0;  // drop the least, insert c in order
      while (i + 1 < kRefineStarts && top_[i + 1] < c) {
        top_[i] = top_[i + 1];
        ++i;
      }
      top_[i] = c;
    }
  }

 private:
  long long top_[kRefineStarts] = {};
  int n_ = 0;
};

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

// Chords for a range of offsets [o_first, o_last] of the rows (or columns) of dies, each at
// least as long as its line's chord at every offset of the range, by kRangeMargin at both ends
// (issue 8: one bound then covers a run of samples). A line's chord is longest where its reach
// max(|x0|, |x0 + size|) is least; over x0 in [x_first, x_last] (a convex function, least at
// x0 = -size/2) that is at the centred position or the nearer end. The margin (0.1 µm) covers
// the rounding of the samples' own chords, at most about 1e-5 mm where a chord shrinks to nothing
// (sqrt of a difference of squares of about r²), and the fit tolerance kSlack.
constexpr double kRangeMargin = 1e-4;  // mm

double least_reach(double x_first, double x_last, double size) {
  const double centred = -size / 2;
  if (x_first <= centred && centred <= x_last) return size / 2;
  auto reach = [&](double x0) { return std::max(std::abs(x0), std::abs(x0 + size)); };
  return std::min(reach(x_first), reach(x_last));
}

double longest_half_chord(double least, double r) {
  const double m = std::max(least - kRangeMargin, 0.0);
  return std::sqrt(std::max(r * r - m * m, 0.0)) + kRangeMargin;
}

// Half the shortest chord of a line whose reach is at most `most` over the range (0 where the
// line leaves the usable circle at some offset of it).
double shortest_half_chord(double most, double r) {
  const double m = most + kRangeMargin;
  return m >= r ? 0.0 : std::max(std::sqrt(r * r - m * m) - kRangeMargin, 0.0);
}

double most_reach(double x_first, double x_last, double size) {  // convex: at an end
  auto reach = [&](double x0) { return std::max(std::abs(x0), std::abs(x0 + size)); };
  return std::max(reach(x_first), reach(x_last));
}

// row_chords for every oy in [oy_first, oy_last] (the rows any of them has; see above): the
// longest chord of each row in `out`, the shortest in `shortest`.
void row_chords_over(double h, double py, double r, double y_min, double oy_first,
                     double oy_last, std::vector<Chord>& out, std::vector<Chord>& shortest) {
  out.clear();
  shortest.clear();
  const auto j_lo = static_cast<long long>(std::ceil((std::max(-r, y_min) - oy_last) / py));
  const auto j_hi = static_cast<long long>(std::floor((r - h - oy_first) / py));
  for (long long j = j_lo; j <= j_hi; ++j) {
    const double y_first = oy_first + static_cast<double>(j) * py;
    const double y_last = oy_last + static_cast<double>(j) * py;
    const double least = least_reach(y_first, y_last, h);
    if (least - kRangeMargin > r) continue;
    const double half = longest_half_chord(least, r);
    const double half_short = shortest_half_chord(most_reach(y_first, y_last, h), r);
    // A row that some offset puts below the notch band holds no die there.
    const bool always = std::min(y_first, y_last) - kRangeMargin >= y_min;
    out.push_back({-half, half});
    shortest.push_back(always ? Chord{-half_short, half_short} : Chord{0.0, 0.0});
  }
}

// column_chords for every ox in [ox_first, ox_last].
void column_chords_over(double w, double px, double r, double y_min, double ox_first,
                        double ox_last, std::vector<Chord>& out, std::vector<Chord>& shortest) {
  out.clear();
  shortest.clear();
  const auto i_lo = static_cast<long long>(std::ceil((-r - ox_last) / px));
  const auto i_hi = static_cast<long long>(std::floor((r - w - ox_first) / px));
  for (long long i = i_lo; i <= i_hi; ++i) {
    const double x_first = ox_first + static_cast<double>(i) * px;
    const double x_last = ox_last + static_cast<double>(i) * px;
    const double least = least_reach(x_first, x_last, w);
    if (least - kRangeMargin > r) continue;
    const double half = longest_half_chord(least, r);
    const double half_short = shortest_half_chord(most_reach(x_first, x_last, w), r);
    out.push_back({std::max(-half, y_min) - kRangeMargin, half});
    shortest.push_back({std::max(-half_short, y_min), half_short});
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
  // Candidate offsets: sample one axis, solve the other exactly, for both axes.
  struct Candidate {
    long long count;
    double ox, oy;
  };
  std::vector<Candidate> cands;
  std::vector<Chord> chords, shortest;
  std::vector<double> ups, downs;
  // Samples first..last of one axis (rows: oy sampled, ox solved; else the reverse). Once there
  // are kRefineStarts candidates, a run of samples whose common bound cannot beat them is
  // recorded unsolved at once; otherwise the run is halved, down to single samples,
  // each solved exactly unless its own bound rules it out (TopCounts). The candidates are those
  // of the full search, in its order.
  TopCounts top;
  const int ny_samples = samples_for(2 * r / py);
  const int nx_samples = samples_for(2 * r / px);
  cands.reserve(static_cast<size_t>(ny_samples) + static_cast<size_t>(nx_samples));
  auto sample_run = [&](auto&& self, bool rows, int first, int last) -> void {
    const int n = rows ? ny_samples : nx_samples;
    const double pitch = rows ? py : px, along = rows ? px : py, size = rows ? w : h;
    auto offset = [&](int k) { return pitch * k / n; };
    if (top.full()) {
      if (first == last) {
        if (rows) row_chords(h, py, r, y_min, offset(first), chords);
        else column_chords(w, px, r, y_min, offset(first), chords);
      } else {
        if (rows) row_chords_over(h, py, r, y_min, offset(first), offset(last), chords, shortest);
        else column_chords_over(w, px, r, y_min, offset(first), offset(last), chords, shortest);
      }
      if (cannot_exceed(chords, along, size, top.least(), first != last ? &shortest : nullptr)) {
        for (int k = first; k <= last; ++k)  // cannot be starts (see TopCounts)
          cands.push_back(rows ? Candidate{-1, 0.0, offset(k)} : Candidate{-1, offset(k), 0.0});
        return;
      }
    }
    if (first != last) {
      const int mid = first + (last - first) / 2;
      self(self, rows, first, mid);
      self(self, rows, mid + 1, last);
      return;
    }
    const double o = offset(first);
    if (!top.full()) {
      if (rows) row_chords(h, py, r, y_min, o, chords);
      else column_chords(w, px, r, y_min, o, chords);
    }
    const Phase ph = best_phase(chords, along, size, ups, downs);
    cands.push_back(rows ? Candidate{ph.count, ph.t, o} : Candidate{ph.count, o, ph.t});
    top.add(ph.count);
  };
  for (int b = 0; b < ny_samples; b += kRangeSamples)
    sample_run(sample_run, true, b, std::min(b + kRangeSamples, ny_samples) - 1);
  for (int a = 0; a < nx_samples; a += kRangeSamples)
    sample_run(sample_run, false, a, std::min(a + kRangeSamples, nx_samples) - 1);
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

}  // namespace xpusim
