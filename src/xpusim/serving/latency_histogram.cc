// SPDX-License-Identifier: Apache-2.0
#include "xpusim/serving/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "xpusim/base/check.h"

namespace xpusim {
namespace {
constexpr double kNsPerSecond = 1e9;
constexpr int kMantissaBits = 52;  // IEEE 754 binary64
constexpr int kExponentBias = 1023;
}  // namespace

// The bucket is read off the double's bits (HdrHistogram's log-linear layout, G. Tene): the
// exponent selects the power of two of nanoseconds, the top kSubBucketBits of the mantissa the
// sub-bucket. No logarithm, no loop.
int LatencyHistogram::bucket_of(double seconds) {
  const double ns = seconds * kNsPerSecond;
  if (!(ns >= 1.0)) return 0;
  const auto bits = std::bit_cast<uint64_t>(ns);
  const int exponent = static_cast<int>(bits >> kMantissaBits) - kExponentBias;  // >= 0: ns >= 1
  if (exponent >= kOctaves) return kBuckets - 1;
  const int sub = static_cast<int>((bits >> (kMantissaBits - kSubBucketBits)) & (kSubBuckets - 1));
  return exponent * kSubBuckets + sub;
}

double LatencyHistogram::bucket_midpoint(int bucket) {
  const int exponent = bucket / kSubBuckets;
  const double j = bucket % kSubBuckets;
  const double lo = std::ldexp(1.0 + j / kSubBuckets, exponent);
  const double hi = std::ldexp(1.0 + (j + 1) / kSubBuckets, exponent);
  return std::sqrt(lo * hi) / kNsPerSecond;
}

void LatencyHistogram::add(Seconds value, uint64_t count) {
  const double v = value.value();
  XPUSIM_CHECK(v >= 0 && std::isfinite(v), "latency must be finite and >= 0");
  if (count == 0) return;
  if (count_ == 0) {
    min_s_ = max_s_ = v;
  } else {
    min_s_ = std::min(min_s_, v);
    max_s_ = std::max(max_s_, v);
  }
  buckets_[static_cast<size_t>(bucket_of(v))] += count;
  count_ += count;
  sum_s_ += v * static_cast<double>(count);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_s_ += other.sum_s_;
  min_s_ = std::min(min_s_, other.min_s_);
  max_s_ = std::max(max_s_, other.max_s_);
}

Seconds LatencyHistogram::sum() const { return Seconds(sum_s_); }

Seconds LatencyHistogram::mean() const {
  return count_ == 0 ? Seconds(0) : Seconds(sum_s_ / static_cast<double>(count_));
}

Seconds LatencyHistogram::min() const { return Seconds(min_s_); }
Seconds LatencyHistogram::max() const { return Seconds(max_s_); }

bool LatencyHistogram::reported_above(Seconds value, Seconds limit) {
  const double v = value.value();
  if (!(v >= 0) || !std::isfinite(v)) return false;
  return v > limit.value() && bucket_midpoint(bucket_of(v)) > limit.value();
}

uint64_t LatencyHistogram::quantile_index(uint64_t count, double q) {
  XPUSIM_CHECK(q >= 0 && q <= 1, "quantile must be in [0, 1]");
  XPUSIM_CHECK(count > 0, "no quantile of nothing");
  return std::min(count - 1, static_cast<uint64_t>(std::floor(q * static_cast<double>(count))));
}

uint64_t LatencyHistogram::quantile_tail(uint64_t count, double q) {
  return count == 0 ? 0 : count - quantile_index(count, q);
}

Seconds LatencyHistogram::quantile(double q) const {
  XPUSIM_CHECK(q >= 0 && q <= 1, "quantile must be in [0, 1]");
  if (count_ == 0) return Seconds(0);
  const uint64_t index = quantile_index(count_, q);
  if (index == 0) return min();
  if (index == count_ - 1) return max();
  uint64_t seen = 0;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    seen += buckets_[b];
    if (seen > index)
      return Seconds(std::clamp(bucket_midpoint(static_cast<int>(b)), min_s_, max_s_));
  }
  XPUSIM_CHECK(false, "bucket counts do not add up to count()");
  return max();
}

}  // namespace xpusim
