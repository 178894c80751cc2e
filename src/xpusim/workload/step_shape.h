// SPDX-License-Identifier: Apache-2.0
// The work of one serving-engine iteration on one model replica (stage 4): a batch of segments --
// prefill chunks (chunk tokens, tokens cached before the chunk, whether the chunk ends its prompt
// and samples a token) and decode rows (each at its own context) -- reduced to the sums the
// operator graph depends on. O(1) per segment, so a simulator can describe a step of thousands of
// sequences without allocating. graph_builder turns a StepShape into the step's OpGraph.
#pragma once

#include <algorithm>
#include <cstdint>

#include "xpusim/base/diagnostic.h"

namespace xpusim {

// The most query tokens a step may hold (and the most keys a row may attend): 2^40, beyond any
// engine by orders of magnitude, and small enough that every product the graph and the operator
// models form (tokens x hidden x bytes, rows x vocabulary, tile counts) stays exact in a double
// and in an int64.
inline constexpr int64_t kMaxStepTokens = int64_t{1} << 40;

// Which keys a query attends, over the layers of a model (ModelSpec's sliding_window,
// attention_chunk and full_attention_interval; attention_span() in graph_builder.h builds it).
// A query at position k (from 1) of its sequence sees k keys on a full-attention layer; on a
// local layer min(k, window) (sliding window) or ((k - 1) mod chunk) + 1 (chunked attention, the
// keys of its own chunk). `local_share` is the fraction of layers that are local. The step's key
// sums are the means over the layers: (1 - share) x full + share x local. The attention FLOPs
// and bytes are linear in those sums, so the layer-mean op does the layers' total work (the
// roofline of one op over the mean, not the mean of two rooflines: decode attention is
// memory-bound and prefill attention compute-bound on both kinds of layer, so the two agree).
// An int converts to a window on every layer (the meaning of sliding_window alone; 0 = full).
struct AttentionSpan {
  int window = 0;            // local layers: sliding window in tokens (0 = none)
  int chunk = 0;             // local layers: chunk of chunked attention in tokens (0 = none)
  double local_share = 1.0;  // fraction of layers that are local, in (0, 1]
  constexpr AttentionSpan() = default;
  constexpr AttentionSpan(int sliding_window) : window(sliding_window) {}  // NOLINT: implicit
  constexpr AttentionSpan(int sliding_window, int attention_chunk, double share)
      : window(sliding_window), chunk(attention_chunk), local_share(share) {}
  [[nodiscard]] constexpr bool full() const { return window <= 0 && chunk <= 0; }
  // Keys a local layer's query at position k >= 1 sees.
  [[nodiscard]] constexpr int64_t local_keys(int64_t k) const {
    if (window > 0) return k < window ? k : window;
    if (chunk > 0) return (k - 1) % chunk + 1;
    return k;
  }
  // The layer mean of keys (or of key sums) `full` on a full-attention layer and `local` on a
  // local one: (1 - share) x full + share x local.
  [[nodiscard]] constexpr double layer_mean(double full_keys, double local) const {
    if (full()) return full_keys;
    if (local_share >= 1.0) return local;
    return (1.0 - local_share) * full_keys + local_share * local;
  }
  // Keys at position k averaged over the layers.
  [[nodiscard]] constexpr double mean_keys(int64_t k) const {
    return layer_mean(static_cast<double>(k), static_cast<double>(local_keys(k)));
  }
  // The longest key run at position k over the layers (a full layer's when there is one).
  [[nodiscard]] constexpr int64_t max_keys(int64_t k) const {
    return full() || local_share < 1.0 ? k : local_keys(k);
  }
};

struct StepShape {
  // ---- Prefill chunks (ragged, causal) ----
  int64_t prefill_tokens = 0;     // Σ chunk tokens: query rows of the prefill part
  int64_t prefill_chunks = 0;     // chunks (sequences) with prefill work in this step
  double prefill_pairs = 0;       // Σ causal query-key pairs per head (layer mean, AttentionSpan)
  double prefill_cached_keys = 0; // Σ keys read from the KV cache: tokens cached before each chunk
  // Σ over chunks of ceil(chunk / 128) x the keys an average query tile of the chunk sees: the K/V
  // re-reads of FlashAttention's 128-row query tiles (op_model.cc).
  double prefill_tile_keys = 0;
  int64_t prefill_max_keys = 0;   // longest key run of any chunk (cached + chunk, window-capped)
  // ---- Decode rows (one new token each; a beam of a beam search is a row) ----
  int64_t decode_tokens = 0;      // rows
  double decode_keys = 0;         // Σ keys attended (context incl. the new token; layer mean)
  int64_t decode_max_keys = 0;    // longest key run of any row
  // decode_keys's parts as DecodeRowSum adds rows, whole numbers (exact below 2^53): Σ keys on a
  // full-attention layer and Σ keys on a local layer (AttentionSpan::local_keys). decode_keys is
  // their layer mean, formed from the totals, so that it does not depend on the order the rows
  // came in (the serving engine adds its steady rows as sums: Engine, "Steady decode rows").
  double decode_full_keys = 0;
  double decode_local_keys = 0;
  // ---- Sampling ----
  int64_t sampled_rows = 0;       // rows that run the LM head and sample: decode rows + chunks
                                  // that end their prompt
  // Segments given out-of-range arguments (the add_* functions below never abort): a shape with
  // any is invalid, and check_step_shape() and every consumer of the shape reject it.
  int64_t invalid_segments = 0;

  // Query tokens of the step: every GEMM, norm and collective runs over these rows.
  [[nodiscard]] int64_t tokens() const { return prefill_tokens + decode_tokens; }
  [[nodiscard]] bool empty() const { return tokens() == 0; }
};

// Adds a prefill chunk of `tokens` (>= 1) query tokens whose sequence already holds `cached` (>= 0)
// tokens in the KV cache (earlier chunks, a cached prefix). `samples`: the chunk ends the prompt,
// so the step samples the first output token of the sequence (`rows` of them for a beam search).
// `span` says which keys the queries see (AttentionSpan; an int is a window on every layer, 0 =
// full attention). Out-of-range arguments (tokens or
// rows < 1, cached < 0, any of them or the step's total beyond kMaxStepTokens) add nothing but
// mark the shape invalid (invalid_segments), which check_step_shape() reports.
void add_prefill_chunk(StepShape& s, int64_t tokens, int64_t cached, bool samples,
                       const AttentionSpan& span, int64_t rows = 1);

// Decode rows added to a shape under the model's `span`: add(context, rows) adds `rows` (>= 1)
// decode rows, each attending `context` (>= 1) keys (the tokens before it and the new token);
// out-of-range arguments mark the shape invalid as for add_prefill_chunk. The sums stay in locals
// and are written to the shape once by commit(): a loop that called add_decode between
// non-inlined calls (the serving engine's KV reservation) kept the shape in memory and paid a
// store-to-load chain through it per row; a DecodeRowSum over the rows keeps the sums in
// registers. The key sums are whole numbers (a full layer's and a local layer's keys) and
// decode_keys, their layer mean, is formed from the shape's totals at commit(): rows added one
// by one or as sums (add_rows) in any order give the same shape to the bit. Every DecodeRowSum
// on one shape must take the same span. The shape must not be read or changed between
// construction and commit() (commit() may be called once).
class DecodeRowSum {
 public:
  DecodeRowSum(StepShape& s, const AttentionSpan& span)
      : s_(s),
        span_(span),
        prefill_tokens_(s.prefill_tokens),
        decode_tokens_(s.decode_tokens),
        sampled_rows_(s.sampled_rows),
        max_keys_(s.decode_max_keys),
        invalid_(s.invalid_segments),
        full_keys_(s.decode_full_keys),
        local_keys_(s.decode_local_keys) {}
  DecodeRowSum(const DecodeRowSum&) = delete;
  DecodeRowSum& operator=(const DecodeRowSum&) = delete;

  void add(int64_t context, int64_t rows = 1) {
    if (context < 1 || rows < 1 || context > kMaxStepTokens ||
        rows > kMaxStepTokens - (prefill_tokens_ + decode_tokens_) ||
        rows > kMaxStepTokens - sampled_rows_) {
      ++invalid_;
      return;
    }
    decode_tokens_ += rows;
    const auto n = static_cast<double>(rows);
    full_keys_ += static_cast<double>(context) * n;
    local_keys_ += static_cast<double>(span_.local_keys(context)) * n;
    const int64_t keys = span_.max_keys(context);
    if (keys > max_keys_) max_keys_ = keys;
    sampled_rows_ += rows;
  }
  // Adds `rows` (>= 1) decode rows (a beam is a row) whose contexts (>= 1 each) sum to
  // `context_sum`, whose local layers' keys (AttentionSpan::local_keys of each context) sum to
  // `local_sum`, and whose longest key run (AttentionSpan::max_keys) is `longest`: the sums `rows`
  // calls of add() give. Out of range: every row counts as an invalid segment.
  void add_rows(int64_t rows, int64_t context_sum, int64_t local_sum, int64_t longest) {
    if (rows < 1 || longest < 1 || context_sum < rows || local_sum < rows ||
        local_sum > context_sum || longest > kMaxStepTokens ||
        rows > kMaxStepTokens - (prefill_tokens_ + decode_tokens_) ||
        rows > kMaxStepTokens - sampled_rows_) {
      invalid_ += std::max<int64_t>(rows, 1);
      return;
    }
    decode_tokens_ += rows;
    full_keys_ += static_cast<double>(context_sum);
    local_keys_ += static_cast<double>(local_sum);
    if (longest > max_keys_) max_keys_ = longest;
    sampled_rows_ += rows;
  }
  void commit() {
    s_.decode_tokens = decode_tokens_;
    s_.decode_full_keys = full_keys_;
    s_.decode_local_keys = local_keys_;
    s_.decode_keys = span_.layer_mean(full_keys_, local_keys_);
    s_.decode_max_keys = max_keys_;
    s_.sampled_rows = sampled_rows_;
    s_.invalid_segments = invalid_;
  }

 private:
  StepShape& s_;
  AttentionSpan span_;
  int64_t prefill_tokens_, decode_tokens_, sampled_rows_, max_keys_, invalid_;
  double full_keys_, local_keys_;
};

// Adds `rows` (>= 1) decode rows, each attending `context` (>= 1) keys: one DecodeRowSum
// segment. Inline: the serving simulator calls it once per decode row where it cannot batch them.
inline void add_decode(StepShape& s, int64_t context, const AttentionSpan& span, int64_t rows = 1) {
  DecodeRowSum sum(s, span);
  sum.add(context, rows);
  sum.commit();
}

// Checks a shape before the graph is built or a step is timed: no invalid segment, at least one
// query token, every count in [0, kMaxStepTokens] and every sum finite and >= 0, chunks and key
// runs consistent with the tokens. Errors name the field (path "shape.<field>") and the value.
Result<void> check_step_shape(const StepShape& shape);

// Causal score pairs of one chunk, per head and layer mean: query i (1..tokens) sees
// span.mean_keys(cached + i) keys (min(cached + i, window) for a window on every layer).
double causal_pairs(int64_t tokens, int64_t cached, const AttentionSpan& span);

}  // namespace xpusim
