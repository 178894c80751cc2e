// SPDX-License-Identifier: Apache-2.0
#include "xpusim/workload/step_shape.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

namespace xpusim {
namespace {

double d(int64_t v) { return static_cast<double>(v); }

// Σ_{k=a..b} min(k, w) for 1 <= a <= b (w <= 0: no cap).
double capped_sum(int64_t a, int64_t b, int64_t w) {
  if (w <= 0 || b <= w) return (d(a) + d(b)) * d(b - a + 1) / 2.0;
  if (a > w) return d(w) * d(b - a + 1);
  return (d(a) + d(w)) * d(w - a + 1) / 2.0 + d(w) * d(b - w);
}

}  // namespace

double causal_pairs(int64_t tokens, int64_t cached, int window) {
  return capped_sum(cached + 1, cached + tokens, window);
}

void add_prefill_chunk(StepShape& s, int64_t tokens, int64_t cached, bool samples, int window,
                       int64_t rows) {
  if (tokens < 1 || cached < 0 || rows < 1 || tokens > kMaxStepTokens - s.tokens() ||
      cached > kMaxStepTokens || rows > kMaxStepTokens - s.sampled_rows) {
    ++s.invalid_segments;
    return;
  }
  const int64_t keys = cached + tokens;
  const int64_t seen = window > 0 ? std::min<int64_t>(keys, window) : keys;
  s.prefill_tokens += tokens;
  s.prefill_chunks += 1;
  s.prefill_pairs += causal_pairs(tokens, cached, window);
  // Keys of earlier tokens that the chunk reads back from the cache (those still in the window).
  s.prefill_cached_keys += d(std::max<int64_t>(0, seen - tokens));
  // An average query tile sees the cached keys and half of the chunk (causal); at most the window.
  const double tile_keys = std::min(d(cached) + 0.5 * d(tokens), window > 0 ? 0.5 * d(seen) +
                                    std::max(0.0, d(seen) - d(tokens)) : 1e300);
  s.prefill_tile_keys += d((tokens + 127) / 128) * tile_keys;
  s.prefill_max_keys = std::max(s.prefill_max_keys, seen);
  if (samples) s.sampled_rows += rows;
}

Result<void> check_step_shape(const StepShape& s) {
  Diagnostics errs;
  auto bad = [&](const char* field, std::string message) {
    errs.push_back(Diagnostic{.path = std::string("shape.") + field, .message = std::move(message)});
  };
  if (s.invalid_segments != 0)
    bad("invalid_segments",
        fmt::format("{} segment(s) were added with out-of-range arguments: a prefill chunk needs "
                    "tokens >= 1, cached >= 0 and rows >= 1, a decode row context >= 1 and rows "
                    ">= 1, each and the step's total at most 2^40 tokens",
                    s.invalid_segments));
  auto count = [&](const char* field, int64_t v) {
    if (v < 0 || v > kMaxStepTokens)
      bad(field, fmt::format("must be in [0, 2^40], got {}", v));
  };
  count("prefill_tokens", s.prefill_tokens);
  count("prefill_chunks", s.prefill_chunks);
  count("prefill_max_keys", s.prefill_max_keys);
  count("decode_tokens", s.decode_tokens);
  count("decode_max_keys", s.decode_max_keys);
  count("sampled_rows", s.sampled_rows);
  auto sum = [&](const char* field, double v) {
    if (!std::isfinite(v) || v < 0) bad(field, fmt::format("must be finite and >= 0, got {}", v));
  };
  sum("prefill_pairs", s.prefill_pairs);
  sum("prefill_cached_keys", s.prefill_cached_keys);
  sum("prefill_tile_keys", s.prefill_tile_keys);
  sum("decode_keys", s.decode_keys);
  if (!errs.empty()) return tl::unexpected(std::move(errs));
  if (s.tokens() > kMaxStepTokens)
    bad("tokens", fmt::format("prefill_tokens + decode_tokens = {} exceeds 2^40", s.tokens()));
  if (s.empty())
    bad("tokens", "a step needs at least one query token (prefill_tokens + decode_tokens >= 1)");
  if ((s.prefill_tokens > 0) != (s.prefill_chunks > 0) || s.prefill_chunks > s.prefill_tokens)
    bad("prefill_chunks", fmt::format("{} chunks for {} prefill tokens: every chunk holds at "
                                      "least one token",
                                      s.prefill_chunks, s.prefill_tokens));
  if (s.prefill_tokens > 0 && s.prefill_max_keys < 1)
    bad("prefill_max_keys", fmt::format("must be >= 1 with prefill tokens, got {}",
                                        s.prefill_max_keys));
  if (s.decode_tokens > 0 && s.decode_max_keys < 1)
    bad("decode_max_keys", fmt::format("must be >= 1 with decode rows, got {}", s.decode_max_keys));
  if (!errs.empty()) return tl::unexpected(std::move(errs));
  return {};
}


}  // namespace xpusim
