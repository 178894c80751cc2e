// SPDX-License-Identifier: Apache-2.0
// LatencyHistogram against the exact rule it approximates: LoadGen's quantile, the element at
// index min(n - 1, floor(q n)) of the sorted observations (serving.md §5.3), within
// kRelativeError; count, sum, min, max and mean exact; merge and weights equal plain adds.
#include "xpusim/serving/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace xpusim {
namespace {

constexpr double kQuantiles[] = {0.0,  0.001, 0.01, 0.1,  0.25,  0.5,
                                 0.75, 0.9,   0.95, 0.99, 0.999, 1.0};

double exact_quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  auto n = static_cast<uint64_t>(v.size());
  auto i = std::min(n - 1, static_cast<uint64_t>(std::floor(q * static_cast<double>(n))));
  return v[static_cast<size_t>(i)];
}

LatencyHistogram histogram_of(const std::vector<double>& values) {
  LatencyHistogram h;
  for (double v : values) h.add(Seconds(v));
  return h;
}

// Every quantile within kRelativeError of the exact one; q = 0 and 1 exactly min and max.
void expect_matches_exact(const std::vector<double>& values) {
  LatencyHistogram h = histogram_of(values);
  double sum = 0;
  for (double v : values) sum += v;
  ASSERT_EQ(h.count(), values.size());
  EXPECT_DOUBLE_EQ(h.sum().value(), sum);
  EXPECT_DOUBLE_EQ(h.mean().value(), sum / static_cast<double>(values.size()));
  EXPECT_EQ(h.min().value(), *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(h.max().value(), *std::max_element(values.begin(), values.end()));
  EXPECT_EQ(h.quantile(0).value(), h.min().value());
  EXPECT_EQ(h.quantile(1).value(), h.max().value());
  for (double q : kQuantiles) {
    double exact = exact_quantile(values, q);
    EXPECT_NEAR(h.quantile(q).value(), exact, exact * LatencyHistogram::kRelativeError)
        << "q=" << q;
  }
}

TEST(LatencyHistogram, UniformSamples) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> d(1e-3, 100e-3);  // 1..100 ms
  std::vector<double> v(5000);
  for (double& x : v) x = d(rng);
  expect_matches_exact(v);
}

TEST(LatencyHistogram, ExponentialSamples) {
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> d(1.0 / 20e-3);  // mean 20 ms
  std::vector<double> v(4000);
  for (double& x : v) x = d(rng);
  expect_matches_exact(v);
}

TEST(LatencyHistogram, TwelveOrdersOfMagnitude) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> exponent(-9.0, 3.0);  // 1 ns .. 1000 s, log-uniform
  std::vector<double> v(3000);
  for (double& x : v) x = std::pow(10.0, exponent(rng));
  expect_matches_exact(v);
}

// Each value alone in the middle of {below the range, value, beyond the range}: the median is
// its bucket's midpoint, so this checks the error bound of every bucket it crosses, including
// exact powers of two of nanoseconds (bucket edges) and values just below them.
TEST(LatencyHistogram, ErrorBoundAcrossTheWholeRange) {
  const double lo = 1e-12, hi = 1e7;  // clamped into the first and last bucket
  std::vector<double> values;
  for (double v = 1e-9; v < 1.1e6; v *= 1.0037) values.push_back(v);
  for (int e = 0; e < 50; ++e) {
    values.push_back(std::ldexp(1.0, e) * 1e-9);
    values.push_back(std::nextafter(std::ldexp(1.0, e) * 1e-9, 0.0));
  }
  for (double v : values) {
    LatencyHistogram h;
    h.add(Seconds(lo));
    h.add(Seconds(v));
    h.add(Seconds(hi));
    EXPECT_NEAR(h.quantile(0.5).value(), v, v * LatencyHistogram::kRelativeError) << v;
  }
}

// Below 1 ns and from 2^50 ns on, values share the first/last bucket: min and max stay exact,
// other order statistics there are reported as that bucket's midpoint (the documented clamp).
TEST(LatencyHistogram, OutOfRangeValuesKeepExactExtremes) {
  LatencyHistogram h;
  h.add(Seconds(0.0));
  h.add(Seconds(2e-10), 2);
  h.add(Seconds(5e7), 2);  // ~1.6 years
  EXPECT_EQ(h.count(), 5u);
  EXPECT_EQ(h.min().value(), 0.0);
  EXPECT_EQ(h.max().value(), 5e7);
  EXPECT_EQ(h.quantile(0).value(), 0.0);
  EXPECT_EQ(h.quantile(1).value(), 5e7);
  EXPECT_NEAR(h.quantile(0.3).value(), 1e-9, 1e-9 * LatencyHistogram::kRelativeError);  // index 1
  const double last = std::ldexp(1.0, 50) * 1e-9;  // index 3: the last bucket, just below 2^50 ns
  EXPECT_NEAR(h.quantile(0.7).value(), last, last * LatencyHistogram::kRelativeError);
}

TEST(LatencyHistogram, EmptyReturnsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.sum().value(), 0.0);
  EXPECT_EQ(h.mean().value(), 0.0);
  EXPECT_EQ(h.min().value(), 0.0);
  EXPECT_EQ(h.max().value(), 0.0);
  EXPECT_EQ(h.quantile(0.5).value(), 0.0);
  EXPECT_EQ(h.quantile(0.0).value(), 0.0);
  EXPECT_EQ(h.quantile(1.0).value(), 0.0);
  h.add(Seconds(1.0), 0);  // zero weight records nothing
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.quantile(0.5).value(), 0.0);
}

TEST(LatencyHistogram, MergeEqualsAddingEverythingToOne) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> d(std::log(30e-3), 1.0);
  std::vector<double> a(2000), b(1500);
  for (double& x : a) x = d(rng);
  for (double& x : b) x = d(rng) * 10;
  std::vector<double> all = a;
  all.insert(all.end(), b.begin(), b.end());

  LatencyHistogram merged = histogram_of(a);
  merged.merge(histogram_of(b));
  LatencyHistogram one = histogram_of(all);
  EXPECT_EQ(merged.count(), one.count());
  EXPECT_NEAR(merged.sum().value(), one.sum().value(), 1e-12 * one.sum().value());
  EXPECT_EQ(merged.min().value(), one.min().value());
  EXPECT_EQ(merged.max().value(), one.max().value());
  for (double q : kQuantiles) EXPECT_EQ(merged.quantile(q).value(), one.quantile(q).value()) << q;

  LatencyHistogram empty;
  LatencyHistogram into_empty;
  into_empty.merge(one);
  into_empty.merge(empty);
  EXPECT_EQ(into_empty.count(), one.count());
  EXPECT_EQ(into_empty.min().value(), one.min().value());
  EXPECT_EQ(into_empty.max().value(), one.max().value());
  for (double q : kQuantiles) EXPECT_EQ(into_empty.quantile(q).value(), one.quantile(q).value());
}

TEST(LatencyHistogram, WeightsEqualRepeatedAdds) {
  const double values[] = {3e-3, 12e-3, 12.5e-3, 40e-3, 2.0};
  const uint64_t weights[] = {5, 1, 17, 3, 2};
  LatencyHistogram weighted, repeated;
  for (size_t i = 0; i < std::size(values); ++i) {
    weighted.add(Seconds(values[i]), weights[i]);
    for (uint64_t k = 0; k < weights[i]; ++k) repeated.add(Seconds(values[i]));
  }
  EXPECT_EQ(weighted.count(), repeated.count());
  EXPECT_DOUBLE_EQ(weighted.sum().value(), repeated.sum().value());
  EXPECT_DOUBLE_EQ(weighted.mean().value(), repeated.mean().value());
  EXPECT_EQ(weighted.min().value(), repeated.min().value());
  EXPECT_EQ(weighted.max().value(), repeated.max().value());
  for (double q : kQuantiles)
    EXPECT_EQ(weighted.quantile(q).value(), repeated.quantile(q).value()) << q;
}

// LoadGen's index rule on a small set where it can be checked by hand: n = 10 sorted values
// 1..10 ms; q = 0.5 -> index 5 (6 ms); q = 0.9 -> index 9 (10 ms); q = 0.99 -> floor(9.9) = 9.
TEST(LatencyHistogram, LoadGenIndexRule) {
  LatencyHistogram h;
  for (int i = 10; i >= 1; --i) h.add(Seconds(i * 1e-3));
  EXPECT_NEAR(h.quantile(0.5).value(), 6e-3, 6e-3 * LatencyHistogram::kRelativeError);
  EXPECT_NEAR(h.quantile(0.45).value(), 5e-3, 5e-3 * LatencyHistogram::kRelativeError);
  EXPECT_EQ(h.quantile(0.9).value(), 10e-3);
  EXPECT_EQ(h.quantile(0.99).value(), 10e-3);
}

// The certainty rule of RunOptions::stop_when_p99_exceeds: quantile_tail(N, q) observations that
// are reported_above a limit put the q-quantile of any N or fewer observations holding them above
// it, whatever the others are; one fewer does not (LoadGen's index rule, n = 1000: the 10 largest
// hold index 990).
TEST(LatencyHistogram, AQuantileTailOfObservationsReportedAboveALimitExceedsIt) {
  EXPECT_EQ(LatencyHistogram::quantile_tail(0, 0.99), 0u);
  EXPECT_EQ(LatencyHistogram::quantile_tail(1, 0.99), 1u);
  EXPECT_EQ(LatencyHistogram::quantile_tail(100, 0.99), 1u);
  EXPECT_EQ(LatencyHistogram::quantile_tail(101, 0.99), 2u);
  EXPECT_EQ(LatencyHistogram::quantile_tail(1000, 0.99), 10u);
  for (uint64_t n = 1; n < 5000; ++n)
    EXPECT_LE(LatencyHistogram::quantile_tail(n, 0.99), LatencyHistogram::quantile_tail(n + 1, 0.99));

  const Seconds limit(2.0);
  EXPECT_TRUE(LatencyHistogram::reported_above(Seconds(2.05), limit));
  EXPECT_FALSE(LatencyHistogram::reported_above(Seconds(2.0), limit));
  EXPECT_FALSE(LatencyHistogram::reported_above(Seconds(1.5), limit));
  // Just above a limit, in a bucket whose value is below it: not certain. 2.003 s lies above the
  // value of its bucket, [1.859375, 1.8671875) x 2^30 ns = [1.99652, 2.00488) s, ~2.0007 s.
  const Seconds near(2.003);
  bool found_same_bucket = false;
  for (double v = 2.0030001; v < 2.02; v *= 1.0001) {
    LatencyHistogram one;
    one.add(Seconds(1.0));
    one.add(Seconds(v));
    one.add(Seconds(3.0));
    const bool reported_below = one.quantile(0.5).value() <= near.value();
    EXPECT_EQ(LatencyHistogram::reported_above(Seconds(v), near), !reported_below) << v;
    found_same_bucket = found_same_bucket || reported_below;
  }
  EXPECT_TRUE(found_same_bucket);

  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> below(0.001, 2.0), above(2.0, 6.0);
  for (uint64_t n : {1u, 7u, 100u, 101u, 999u, 1000u, 4321u}) {
    const uint64_t tail = LatencyHistogram::quantile_tail(n, 0.99);
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<double> over;
      while (over.size() < tail) {
        const double v = above(rng);
        if (LatencyHistogram::reported_above(Seconds(v), limit)) over.push_back(v);
      }
      // The other observations anywhere (below or above the limit), any count up to n.
      const uint64_t others = n - tail - (trial % 3 == 0 ? (n - tail) / 2 : 0);
      LatencyHistogram h;
      for (double v : over) h.add(Seconds(v));
      for (uint64_t i = 0; i < others; ++i) h.add(Seconds(trial % 2 ? below(rng) : above(rng)));
      EXPECT_GT(h.quantile(0.99).value(), limit.value()) << "n=" << n << " trial " << trial;
    }
  }
  // One fewer than the tail, the rest below: the quantile is below the limit.
  LatencyHistogram h;
  for (int i = 0; i < 9; ++i) h.add(Seconds(3.0));
  for (int i = 0; i < 991; ++i) h.add(Seconds(1.0));
  EXPECT_LT(h.quantile(0.99).value(), limit.value());
  LatencyHistogram ten;
  for (int i = 0; i < 10; ++i) ten.add(Seconds(3.0));
  for (int i = 0; i < 990; ++i) ten.add(Seconds(1.0));
  EXPECT_GT(ten.quantile(0.99).value(), limit.value());
}

}  // namespace
}  // namespace xpusim
