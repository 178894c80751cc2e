// SPDX-License-Identifier: Apache-2.0
// A bounded-memory latency distribution (stage: serving/ metrics) for every inter-token gap of
// millions of requests: HdrHistogram's log-linear buckets (128 per power of two of nanoseconds),
// a fixed array however much is recorded. Count, sum, min and max are exact; quantiles are within
// kRelativeError of the exact order statistic.
#pragma once

#include <array>
#include <cstdint>

#include "xpusim/units/quantity.h"

namespace xpusim {

class LatencyHistogram {
 public:
  // Bound on the relative half-width of a bucket: a quantile is reported as its bucket's
  // midpoint on a log scale, within this fraction of the exact value (values below 1 ns or at or
  // above 2^50 ns, ~13 days, are clamped into the first/last bucket; the clamp to [min, max]
  // keeps them exact when they are the extremes). The layout achieves sqrt(1 + 1/128) - 1 =
  // 0.39% at worst (the bottom of each power of two), 0.20% at best.
  static constexpr double kRelativeError = 0.005;

  // Records `count` observations of `value` (>= 0 and finite; anything else is a caller bug and
  // aborts). O(1): the bucket comes from the bits of the double, no logarithm.
  void add(Seconds value, uint64_t count = 1);
  // Adds every observation of `other`: the result equals adding them all to one histogram.
  void merge(const LatencyHistogram& other);

  [[nodiscard]] uint64_t count() const { return count_; }
  [[nodiscard]] Seconds sum() const;
  [[nodiscard]] Seconds mean() const;  // 0 when empty
  [[nodiscard]] Seconds min() const;   // exact; 0 when empty
  [[nodiscard]] Seconds max() const;   // exact; 0 when empty
  // The q-quantile (q in [0, 1]) by LoadGen's rule: the observation at 0-based index
  // min(count - 1, floor(q x count)) of the sorted observations (serving.md §5.3: "index n x 0.99
  // of the sorted array"), as its bucket's value clamped to [min, max]; indices 0 and count - 1
  // give min and max exactly; 0 when empty. q outside [0, 1] is a caller bug and aborts.
  [[nodiscard]] Seconds quantile(double q) const;

  // Whether `value`, once recorded, could only ever be reported above `limit`: it exceeds it and
  // so does its bucket's value. If at least quantile_tail(count, q) observations of a histogram
  // of `count` (or fewer) observations are so, its q-quantile exceeds `limit`, whatever the
  // others are: the observation at the quantile's index is at least the smallest of them, so its
  // bucket's value is at least theirs, and min <= it <= max keeps the clamp above `limit`.
  [[nodiscard]] static bool reported_above(Seconds value, Seconds limit);
  // The number of observations at or above the q-quantile's index among `count`:
  // count - min(count - 1, floor(q x count)); non-decreasing in count (0 when count is 0).
  [[nodiscard]] static uint64_t quantile_tail(uint64_t count, double q);

 private:
  // Bucket i covers [2^e (1 + j/128), 2^e (1 + (j+1)/128)) ns with e = i / 128, j = i % 128:
  // 50 powers of two from 1 ns to 2^50 ns (1.13e6 s), 6400 buckets, 51 KB.
  static constexpr int kSubBucketBits = 7;
  static constexpr int kSubBuckets = 1 << kSubBucketBits;
  static constexpr int kOctaves = 50;
  static constexpr int kBuckets = kOctaves * kSubBuckets;
  // LoadGen's index of the q-quantile among `count` > 0 observations: min(count - 1, floor(q x count)).
  static uint64_t quantile_index(uint64_t count, double q);
  static int bucket_of(double seconds);
  static double bucket_midpoint(int bucket);  // seconds, geometric mean of the bucket's bounds
  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  double sum_s_ = 0;
  double min_s_ = 0;
  double max_s_ = 0;
};

}  // namespace xpusim
