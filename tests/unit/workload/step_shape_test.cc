// SPDX-License-Identifier: Apache-2.0
// DecodeRowSum (step_shape.h): decode rows summed in bulk give the StepShape that add_decode gives
// row by row, to the bit -- on top of prefill chunks, with a sliding window, beams, and with
// out-of-range rows (counted as invalid segments, the sums unchanged).
#include "xpusim/workload/step_shape.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace xpusim {
namespace {

struct DecodeRowArgs {
  int64_t context = 1;
  int64_t rows = 1;
};

// Every field, compared bit for bit (the doubles by their representation).
void expect_same_shape(const StepShape& a, const StepShape& b) {
  EXPECT_EQ(a.prefill_tokens, b.prefill_tokens);
  EXPECT_EQ(a.prefill_chunks, b.prefill_chunks);
  EXPECT_EQ(0, std::memcmp(&a.prefill_pairs, &b.prefill_pairs, sizeof(double)));
  EXPECT_EQ(0, std::memcmp(&a.prefill_cached_keys, &b.prefill_cached_keys, sizeof(double)));
  EXPECT_EQ(0, std::memcmp(&a.prefill_tile_keys, &b.prefill_tile_keys, sizeof(double)));
  EXPECT_EQ(a.prefill_max_keys, b.prefill_max_keys);
  EXPECT_EQ(a.decode_tokens, b.decode_tokens);
  EXPECT_EQ(0, std::memcmp(&a.decode_keys, &b.decode_keys, sizeof(double)));
  EXPECT_EQ(0, std::memcmp(&a.decode_full_keys, &b.decode_full_keys, sizeof(double)));
  EXPECT_EQ(0, std::memcmp(&a.decode_local_keys, &b.decode_local_keys, sizeof(double)));
  EXPECT_EQ(a.decode_max_keys, b.decode_max_keys);
  EXPECT_EQ(a.sampled_rows, b.sampled_rows);
  EXPECT_EQ(a.invalid_segments, b.invalid_segments);
}

StepShape row_by_row(StepShape s, const std::vector<DecodeRowArgs>& rows,
                     const AttentionSpan& span = {}) {
  for (const auto& r : rows) add_decode(s, r.context, span, r.rows);
  return s;
}

StepShape in_bulk(StepShape s, const std::vector<DecodeRowArgs>& rows,
                  const AttentionSpan& span = {}) {
  DecodeRowSum sum(s, span);
  for (const auto& r : rows) sum.add(r.context, r.rows);
  sum.commit();
  return s;
}

TEST(DecodeRowSum, MatchesAddDecodeRowByRowOnRandomBatches) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    StepShape start;
    if (trial % 2 == 1)
      add_prefill_chunk(start, 1 + static_cast<int64_t>(rng() % 4096), 100, true, 0);
    // Every fourth trial: 20,000 rows of up to 2^40 keys, a sum beyond 2^53 where the double sum
    // rounds and only the same additions in the same order give the same bits.
    const bool large = trial % 4 == 0;
    const AttentionSpan span = large            ? AttentionSpan{}
                               : trial % 3 == 0 ? AttentionSpan(4096)
                               : trial % 3 == 1 ? AttentionSpan(0, 8192, 0.75)
                                                : AttentionSpan{};
    if (trial % 5 == 0) add_decode(start, 333, span, 3);  // rows already in the shape
    std::vector<DecodeRowArgs> rows;
    const int64_t max_context = large ? kMaxStepTokens : 16384;
    for (int i = 0; i < (large ? 20000 : 2000); ++i)
      rows.push_back({1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(max_context)),
                      1 + static_cast<int64_t>(rng() % 4)});
    const StepShape a = row_by_row(start, rows, span), b = in_bulk(start, rows, span);
    expect_same_shape(a, b);
    EXPECT_EQ(a.invalid_segments, 0);
    if (large) {
      EXPECT_GT(a.decode_keys, 0x1.0p53);
    }
  }
}

TEST(DecodeRowSum, CountsOutOfRangeRowsAsAddDecodeDoes) {
  const int64_t huge = kMaxStepTokens;
  const std::vector<DecodeRowArgs> rows = {{0, 1}, {10, 0},    {-3, 1}, {huge + 1, 1},
                                           {5, 1}, {10, huge}, {7, 2}};
  StepShape start;
  add_prefill_chunk(start, 64, 0, true, 0);
  const StepShape a = row_by_row(start, rows), b = in_bulk(start, rows);
  expect_same_shape(a, b);
  // context 0, rows 0, context -3, context beyond 2^40, 2^40 rows beyond the step's room
  EXPECT_EQ(b.invalid_segments, 5);
  EXPECT_EQ(b.decode_tokens, 3);  // 1 row at context 5 and 2 at context 7
  EXPECT_EQ(b.decode_keys, 5.0 + 14.0);
  EXPECT_FALSE(check_step_shape(b).has_value());
}

TEST(DecodeRowSum, LeavesTheShapeUntouchedUntilCommit) {
  StepShape s;
  DecodeRowSum sum(s, AttentionSpan{});
  sum.add(100, 2);
  EXPECT_EQ(s.decode_tokens, 0);
  sum.commit();
  EXPECT_EQ(s.decode_tokens, 2);
  EXPECT_EQ(s.decode_keys, 200.0);
  EXPECT_EQ(s.decode_max_keys, 100);
  EXPECT_EQ(s.sampled_rows, 2);
}

TEST(DecodeRowSum, RowsAddedTogetherGiveTheSumsOfRowByRow) {
  // add_rows (the serving engine's steady rows): n rows whose contexts sum to S with the longest
  // L equal n add() calls of those contexts, on top of a prefill chunk and other rows, to the bit
  // while the key sum stays below 2^53.
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 50; ++trial) {
    StepShape start;
    add_prefill_chunk(start, 1 + static_cast<int64_t>(rng() % 4096), 7, true, 0);
    // Full attention, a window on every layer, chunked attention on three layers in four, a
    // window on every second layer.
    const AttentionSpan spans[] = {AttentionSpan{}, AttentionSpan(4096),
                                   AttentionSpan(0, 8192, 0.75), AttentionSpan(128, 0, 0.5)};
    const AttentionSpan& span = spans[trial % 4];
    add_decode(start, 1 + static_cast<int64_t>(rng() % 9000), span,
               1 + static_cast<int64_t>(rng() % 3));
    std::vector<DecodeRowArgs> rows;
    int64_t sum = 0, local = 0, longest = 0;
    for (int i = 0; i < 1 + static_cast<int>(rng() % 3000); ++i) {
      const int64_t context = 1 + static_cast<int64_t>(rng() % 200000);
      rows.push_back({context, 1});
      sum += context;
      local += span.local_keys(context);
      longest = std::max(longest, span.max_keys(context));
    }
    StepShape b = start;
    DecodeRowSum together(b, span);
    together.add_rows(static_cast<int64_t>(rows.size()), sum, local, longest);
    together.commit();
    expect_same_shape(row_by_row(start, rows, span), b);
    // The rows in another order give the same shape to the bit (the layer mean of a mixed span
    // is formed from whole-number totals).
    std::shuffle(rows.begin(), rows.end(), rng);
    expect_same_shape(row_by_row(start, rows, span), b);
  }
  // Out of range (a context beyond 2^40, no rows): every row counts as an invalid segment and the
  // sums do not move.
  StepShape s;
  DecodeRowSum bad(s, AttentionSpan{});
  bad.add_rows(3, 3 * (kMaxStepTokens + 1), 3 * (kMaxStepTokens + 1), kMaxStepTokens + 1);
  bad.add_rows(0, 0, 0, 1);
  bad.add_rows(2, 10, 11, 5);  // more local keys than keys
  bad.commit();
  EXPECT_EQ(s.invalid_segments, 6);
  EXPECT_EQ(s.decode_tokens, 0);
  EXPECT_EQ(s.decode_keys, 0.0);
}

// AttentionSpan: the closed-form sums of chunked attention and of a mix of local and full
// layers equal the sums over every query, position by position.
struct BruteForce {
  double pairs = 0, cached = 0;
  int64_t max_keys = 0;
};

// Keys query position k (from 1) sees on one layer.
int64_t keys_at(int64_t k, int window, int chunk) {
  if (window > 0) return std::min<int64_t>(k, window);
  if (chunk > 0) return (k - 1) % chunk + 1;
  return k;
}

// One layer's sums over the chunk's queries cached + 1 .. cached + tokens; `cached` counts the
// cached keys any query of the chunk sees (positions <= cached).
BruteForce layer_sums(int64_t tokens, int64_t cached, int window, int chunk) {
  BruteForce b;
  int64_t oldest_seen = cached + 1;
  for (int64_t k = cached + 1; k <= cached + tokens; ++k) {
    const int64_t keys = keys_at(k, window, chunk);
    b.pairs += static_cast<double>(keys);
    b.max_keys = std::max(b.max_keys, keys);
    oldest_seen = std::min(oldest_seen, k - keys + 1);
  }
  b.cached = static_cast<double>(cached + 1 - oldest_seen);
  return b;
}

TEST(AttentionSpan, ChunkedAndMixedSumsEqualTheSumOverQueries) {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 400; ++trial) {
    const int64_t tokens = 1 + static_cast<int64_t>(rng() % 700);
    const int64_t cached = static_cast<int64_t>(rng() % 900);
    const int local = 1 + static_cast<int>(rng() % 300);
    const bool chunked = trial % 2 == 0;
    const int layers = 1 + static_cast<int>(rng() % 8), local_layers = 1 + trial % layers;
    const double share = static_cast<double>(local_layers) / layers;
    const AttentionSpan span(chunked ? 0 : local, chunked ? local : 0, share);
    SCOPED_TRACE(::testing::Message()
                 << "tokens " << tokens << " cached " << cached << " local " << local
                 << (chunked ? " chunked" : " window") << " share " << share);
    const BruteForce full = layer_sums(tokens, cached, 0, 0);
    const BruteForce loc = layer_sums(tokens, cached, span.window, span.chunk);
    StepShape s;
    add_prefill_chunk(s, tokens, cached, true, span);
    EXPECT_NEAR(s.prefill_pairs, (1 - share) * full.pairs + share * loc.pairs, 1e-9 * full.pairs);
    EXPECT_NEAR(s.prefill_cached_keys, (1 - share) * full.cached + share * loc.cached, 1e-9);
    EXPECT_EQ(s.prefill_max_keys, share < 1 ? full.max_keys : loc.max_keys);
    EXPECT_EQ(s.prefill_tokens, tokens);
    // Decode rows: a row at context c sees keys_at(c) keys on a local layer.
    const int64_t context = cached + tokens;
    StepShape d;
    add_decode(d, context, span, 3);
    const double local_keys = static_cast<double>(keys_at(context, span.window, span.chunk));
    EXPECT_NEAR(d.decode_keys,
                3 * ((1 - share) * static_cast<double>(context) + share * local_keys),
                1e-9 * static_cast<double>(context));
    EXPECT_EQ(d.decode_max_keys, share < 1 ? context : keys_at(context, span.window, span.chunk));
  }
}

// An int is a window on every layer: the shape the model/v1 sliding_window alone has always given.
TEST(AttentionSpan, AnIntIsAWindowOnEveryLayer) {
  StepShape a, b;
  add_prefill_chunk(a, 5000, 3000, true, 4096);
  add_prefill_chunk(b, 5000, 3000, true, AttentionSpan(4096, 0, 1.0));
  add_decode(a, 9000, 4096, 2);
  add_decode(b, 9000, AttentionSpan(4096, 0, 1.0), 2);
  expect_same_shape(a, b);
  EXPECT_EQ(a.decode_keys, 2 * 4096.0);
  // The chunk's first query (position 3001) sees all 3000 cached keys inside its 4096-key window.
  EXPECT_EQ(a.prefill_cached_keys, 3000.0);
}

}  // namespace
}  // namespace xpusim
