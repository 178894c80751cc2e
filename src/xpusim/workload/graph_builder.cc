// SPDX-License-Identifier: Apache-2.0
// Operator graph of a decoder-only transformer under Megatron-style tensor parallelism
// (Shoeybi et al. 2019, arXiv:1909.08053: QKV and MLP-up column-parallel, O and MLP-down
// row-parallel, one all-reduce after attention and one after the MLP), GPipe-style pipeline stages
// and expert parallelism. Kernel fusion follows TensorRT-LLM (v0.9-v1.0 plugins): residual add +
// norm fused, rotary + KV-cache write fused into the attention kernel, biases in GEMM epilogues,
// gated activation (SiLU(gate) x up) one element-wise kernel. Ignored: dropout (inference),
// dequantisation cost of weight-only formats (folded into the GEMM main loop), KV-cache paging.
//
// Attention data parallelism (ParallelismPlan::attention_dp): the graph is that of the busiest of
// the tp ranks of a replica whose StepShape is the whole replica's batch. Everything that is not a
// routed expert runs with all heads / the whole MLP / the whole vocabulary on the rank's share of
// the step, with no TP all-reduce or logits all-gather. Each rank schedules whole sequences, so a
// prefill chunk runs on one rank: the busiest rank holds ceil(c / tp) of the step's c prefill
// chunks (at the mean chunk's tokens, pairs and keys) and ceil(n / tp) of its n decode rows
// (attention_dp_rank_shape below); its token-wise ops run over those tokens (and its sampled
// rows and MLA decompressed rows), its attention calls over those chunks and rows. The ranks run
// in lockstep (the experts' all-to-all joins them every layer), so the step waits for that rank:
// a 3,000-token prompt costs its rank all 3,000 tokens of attention and dense work while the
// others decode, not 3,000 / tp (before 2026-12-06 the token-wise ops took ceil(T / tp) of the
// step's T tokens).
// Chunks are taken as balanced by count; their length imbalance is ignored. The routed experts
// see the routed tokens of the whole replica over ep == tp devices (uniform routing, as without
// attention DP), reached by an all-to-all dispatch and combine of each rank's own tokens.
#include "xpusim/workload/graph_builder.h"

#include <algorithm>
#include <cmath>

#include "xpusim/base/check.h"
#include "xpusim/config/model_params.h"

namespace xpusim {
namespace {

double d(int64_t v) { return static_cast<double>(v); }

// Embedding table and LM head stay in 16-bit in quantised TensorRT-LLM / vLLM engines.
Precision head_precision(const PrecisionPlan& prec) {
  return bytes_per_element(prec.activations).value() >= 2 ? prec.activations : Precision::kBf16;
}

struct Builder {
  const ModelSpec& m;
  const ParallelismPlan& p;
  const PrecisionPlan& prec;
  const StepShape& shape;
  // The busiest rank's share of the step under attention DP (attention_dp_rank_shape): its
  // prompt chunks, decode rows and sampled rows; the step itself otherwise.
  const StepShape rank = attention_dp_rank_shape(p, shape);

  [[nodiscard]] int64_t tokens() const { return shape.tokens(); }
  // Tensor-parallel degree of everything but the routed experts (1 under attention DP).
  [[nodiscard]] int atp() const { return p.attention_tp(); }
  // Query rows of the non-expert token-wise ops on this device: under attention DP the busiest
  // rank's prefill chunks and decode rows (rank), else every token of the step.
  [[nodiscard]] int64_t local_tokens() const { return rank.tokens(); }
  // GEMM-input activations (fp8 in W8A8 engines: quantised on the fly by the op before the GEMM;
  // fp4 with its block scales).
  [[nodiscard]] double ab() const { return storage_bytes_per_element(prec.activations).value(); }
  // Stored activations: residual stream, GEMM outputs, collectives stay 16-bit (TensorRT-LLM FP8
  // and NVFP4 recipes quantise GEMM inputs only).
  [[nodiscard]] double sb() const { return std::max(ab(), 2.0); }
  [[nodiscard]] double kvb() const { return storage_bytes_per_element(prec.kv_cache).value(); }
  [[nodiscard]] int heads_dev() const { return m.heads / atp(); }
  [[nodiscard]] int kv_heads_dev() const {
    int kv = m.kv_heads > 0 ? m.kv_heads : m.heads;
    return std::max(1, kv / atp());  // kv < tp: each device keeps one replicated KV head
  }

  // The scaling class of a token-wise op: the busiest rank's tokens under attention DP.
  [[nodiscard]] OpScaling token_scaling() const {
    return p.attention_dp ? OpScaling::kRankTokens : OpScaling::kTokens;
  }

  [[nodiscard]] Op gemm(std::string name, int64_t mm, int64_t nn, int64_t kk,
                        int64_t problems = 1) const {
    return gemm_in(prec, std::move(name), mm, nn, kk, problems);
  }

  // A GEMM whose weights and inputs are in the formats of `f` (the routed experts' plan of a
  // mixed checkpoint: PrecisionPlan::experts()).
  [[nodiscard]] Op gemm_in(const PrecisionPlan& f, std::string name, int64_t mm, int64_t nn,
                           int64_t kk, int64_t problems = 1) const {
    Op op;
    op.name = std::move(name);
    op.kind = OpKind::kGemm;
    op.scaling = token_scaling();
    op.gemm = GemmShape{mm, nn, kk, problems};
    op.flop = op.gemm.flop();
    op.weight_bytes = Bytes(d(nn) * d(kk) * d(problems) * f.weight_storage().value());
    op.activation_read =
        Bytes(d(mm) * d(kk) * d(problems) * storage_bytes_per_element(f.activations).value());
    op.activation_write = Bytes(d(mm) * d(nn) * d(problems) * sb());
    op.weight_precision = f.weights;
    op.weight_group = f.weight_group;
    op.math_precision = f.math();
    return op;
  }

  // Residual add + norm over `rows` x hidden: reads input and residual, writes both (fused).
  [[nodiscard]] Op norm(std::string name, int64_t rows) const {
    Op op;
    op.name = std::move(name);
    op.kind = OpKind::kNorm;
    op.scaling = token_scaling();
    double elems = d(rows) * m.hidden;
    op.flop = FlopCount(6.0 * elems);  // add, square, sum, scale, weight multiply (+ mean)
    op.activation_read = Bytes(2.0 * elems * sb());
    op.activation_write = Bytes(elems * (sb() + ab()));  // residual + normed GEMM input
    op.math_precision = Precision::kFp32;
    return op;
  }

  // act(gate) x up over rows x width (gated) or act(x) (plain).
  [[nodiscard]] Op activation(std::string name, int64_t rows, int64_t width) const {
    Op op;
    op.name = std::move(name);
    op.kind = OpKind::kElementwise;
    op.scaling = token_scaling();
    double out = d(rows) * d(width);
    double in = m.ffn_gated ? 2.0 * out : out;
    op.flop = FlopCount(8.0 * out);
    op.special_ops = out;  // one exp (SiLU sigmoid / GELU tanh) per output element
    op.activation_read = Bytes(in * sb());
    op.activation_write = Bytes(out * ab());
    op.math_precision = Precision::kFp32;
    return op;
  }

  [[nodiscard]] Op collective(std::string name, CollectiveKind kind, Bytes bytes, int group,
                              double count = 1) const {
    Op op;
    op.name = std::move(name);
    op.kind = kind == CollectiveKind::kSendRecv ? OpKind::kP2p : OpKind::kCollective;
    op.scaling = token_scaling();
    op.collective = kind;
    op.collective_bytes = bytes;
    op.group = group;
    op.count = count;
    return op;
  }

  // The attention call of the prefill part (decode = false) or of the decode part of the step.
  [[nodiscard]] Op attention(bool decode) const {
    const StepShape& rs = rank;  // the rank's share (the step's own without attention DP)
    Op op;
    op.name = "attention";  // both parts (a short name: no allocation per step)
    op.kind = OpKind::kAttention;
    op.scaling = decode ? OpScaling::kDecodeAttention : OpScaling::kPrefillAttention;
    AttentionShape& a = op.attention;
    a.decode = decode;
    a.heads = heads_dev();
    if (decode) {
      a.batch = rs.decode_tokens;
      a.q_len = 1;
      a.kv_len = rs.decode_max_keys;
      a.queries = rs.decode_tokens;
      a.pairs = rs.decode_keys;
    } else {
      a.batch = rs.prefill_chunks;
      a.q_len = rs.prefill_chunks > 0 ? rs.prefill_tokens / rs.prefill_chunks : 0;
      a.kv_len = rs.prefill_max_keys;
      a.queries = rs.prefill_tokens;
      a.pairs = rs.prefill_pairs;
      a.tile_keys = rs.prefill_tile_keys;
    }
    if (m.mla.enabled() && decode) {
      // Absorbed MLA (DeepSeek-V2 paper, arXiv:2405.04434 sec. 2.1.2): scores and values computed
      // against the compressed latent, shared by all heads.
      a.latent = true;
      a.kv_heads = 1;
      a.qk_dim = m.mla.kv_lora_rank + m.mla.qk_rope_head_dim;
      a.v_dim = m.mla.kv_lora_rank;
    } else if (m.mla.enabled()) {
      a.kv_heads = a.heads;  // prefill decompresses K and V per head
      a.qk_dim = m.mla.qk_nope_head_dim + m.mla.qk_rope_head_dim;
      a.v_dim = m.mla.v_head_dim;
    } else {
      a.kv_heads = kv_heads_dev();
      a.qk_dim = m.head_dim;
      a.v_dim = m.head_dim;
    }
    const double pairs = a.pairs * a.heads;
    op.flop = FlopCount(2.0 * pairs * (a.qk_dim + a.v_dim));
    op.special_ops = pairs;
    op.math_precision = prec.attention_math();
    // KV cache per token on this device: latent + rope key for MLA, else K and V heads.
    const double kv_elems_per_token = m.mla.enabled()
                                          ? m.mla.kv_lora_rank + m.mla.qk_rope_head_dim
                                          : 2.0 * kv_heads_dev() * m.head_dim;
    const double new_tok = d(a.queries);
    op.kv_write = Bytes(new_tok * kv_elems_per_token * kvb());
    // Queries in; prefill also reads the fresh K and V of the chunk from the QKV projection.
    op.activation_read = Bytes(new_tok * (a.heads * a.qk_dim + (decode ? 0.0 : 1.0) *
                                          a.kv_heads * (a.qk_dim + a.v_dim)) * sb());
    op.activation_write = Bytes(new_tok * a.heads * a.v_dim * ab());
    // Keys read back from the paged cache: every key in decode, the cached prefix in prefill.
    const double cached = decode ? rs.decode_keys : rs.prefill_cached_keys;
    op.kv_read = Bytes(cached * kv_elems_per_token * kvb());
    return op;
  }

  void add_allreduce(std::vector<Op>& ops, const std::string& prefix) const {
    if (atp() <= 1) return;  // tp 1, or attention DP: each rank holds whole rows
    Bytes buf(d(tokens()) * m.hidden * sb());
    if (p.sequence_parallel) {
      ops.push_back(collective(prefix + "_reduce_scatter", CollectiveKind::kReduceScatter, buf, p.tp));
      ops.push_back(collective(prefix + "_all_gather", CollectiveKind::kAllGather, buf, p.tp));
    } else {
      ops.push_back(collective(prefix + "_allreduce", CollectiveKind::kAllReduce, buf, p.tp));
    }
  }

  [[nodiscard]] int64_t norm_rows() const {
    return p.sequence_parallel && p.tp > 1 ? (tokens() + p.tp - 1) / p.tp : local_tokens();
  }

  void add_attention_block(std::vector<Op>& ops) const {
    const int64_t t = local_tokens();
    const int64_t h = m.hidden;
    ops.push_back(norm("attn_norm", norm_rows()));
    const bool prefill = shape.prefill_tokens > 0, decode = shape.decode_tokens > 0;
    if (m.mla.enabled()) {
      const auto& a = m.mla;
      const int64_t qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
      if (a.q_lora_rank > 0) {
        ops.push_back(gemm("q_a_proj", t, a.q_lora_rank, h));
        ops.push_back(gemm("q_b_proj", t, heads_dev() * qk, a.q_lora_rank));
      } else {
        ops.push_back(gemm("q_proj", t, heads_dev() * qk, h));
      }
      ops.push_back(gemm("kv_a_proj", t, a.kv_lora_rank + a.qk_rope_head_dim, h));
      if (prefill) {
        // Prefill decompresses K and V of the chunk and of the cached keys it attends.
        const int64_t rows = rank.prefill_tokens + static_cast<int64_t>(rank.prefill_cached_keys);
        Op kv_b = gemm("kv_b_proj", rows, heads_dev() * (a.qk_nope_head_dim + a.v_head_dim),
                       a.kv_lora_rank);
        kv_b.scaling = OpScaling::kPrefillTokens;
        ops.push_back(kv_b);
        ops.push_back(attention(false));
      }
      if (decode) {
        Op q_absorb = gemm("q_absorb", rank.decode_tokens, a.kv_lora_rank,
                           a.qk_nope_head_dim, heads_dev());
        q_absorb.scaling = OpScaling::kDecodeTokens;
        ops.push_back(q_absorb);
        ops.push_back(attention(true));
        Op v_absorb =
            gemm("v_absorb", rank.decode_tokens, a.v_head_dim, a.kv_lora_rank,
                 heads_dev());
        v_absorb.scaling = OpScaling::kDecodeTokens;
        ops.push_back(v_absorb);
      }
      ops.push_back(gemm("o_proj", t, h, static_cast<int64_t>(heads_dev()) * a.v_head_dim));
    } else {
      ops.push_back(gemm("qkv_proj", t,
                         static_cast<int64_t>(heads_dev() + 2 * kv_heads_dev()) * m.head_dim, h));
      if (prefill) ops.push_back(attention(false));
      if (decode) ops.push_back(attention(true));
      ops.push_back(gemm("o_proj", t, h, static_cast<int64_t>(heads_dev()) * m.head_dim));
    }
  }

  void add_dense_mlp(std::vector<Op>& ops, int64_t ffn_dev, const std::string& prefix) const {
    const int64_t t = local_tokens();
    ops.push_back(gemm(prefix + "_up", t, (m.ffn_gated ? 2 : 1) * ffn_dev, m.hidden));
    ops.push_back(activation(prefix + "_act", t, ffn_dev));
    ops.push_back(gemm(prefix + "_down", t, m.hidden, ffn_dev));
  }

  void add_moe_mlp(std::vector<Op>& ops) const {
    const auto& moe = m.moe;
    const int64_t t = tokens();
    const int64_t h = m.hidden;
    Op router = gemm("router", local_tokens(), moe.experts, h);
    router.kind = OpKind::kRouter;
    router.weight_precision = head_precision(prec);
    router.math_precision = head_precision(prec);
    router.weight_bytes = Bytes(d(moe.experts) * d(h) * bytes_per_element(router.weight_precision).value());
    ops.push_back(router);
    // The dispatch buffer of a device: under TP + EP every rank holds all t tokens and sends 1/ep
    // of their top_k copies; under attention DP a rank sends the top_k copies of its own tokens
    // (t / tp of them, ep == tp: the same mean). The collective model moves the (ep-1)/ep share.
    const double sent = p.attention_dp ? d(local_tokens()) : d(t) / p.ep;
    // The routed experts' formats (a mixed checkpoint's, else the plan's): the dispatch sends the
    // tokens already quantised to the experts' input format.
    const PrecisionPlan ex = prec.experts();
    const double eab = storage_bytes_per_element(ex.activations).value();
    if (p.ep > 1) {
      Bytes buf(sent * moe.experts_per_token * d(h) * eab);
      ops.push_back(collective("moe_dispatch", CollectiveKind::kAllToAll, buf, p.ep));
    }
    // Routed experts: touched experts per device and tokens per touched expert (uniform routing).
    const double routed = d(t) * moe.experts_per_token;
    const double touched = expected_touched_experts(moe.experts, moe.experts_per_token, d(t));
    const double touched_dev = touched / p.ep;
    const int64_t problems = std::max<int64_t>(1, std::llround(touched_dev));
    const int64_t m_per_expert =
        std::max<int64_t>(1, static_cast<int64_t>(std::ceil(routed / std::max(touched, 1.0))));
    const int64_t eff_dev = moe.expert_ffn / (p.tp / p.ep);
    const double routed_dev = routed / p.ep;
    auto expert_gemm = [&](std::string name, int64_t nn, int64_t kk) {
      Op op = gemm_in(ex, std::move(name), m_per_expert, nn, kk, problems);
      op.scaling = OpScaling::kTokens;  // the replica's routed tokens, also under attention DP
      op.grouped = true;
      op.flop = FlopCount(2.0 * routed_dev * d(nn) * d(kk));
      op.weight_bytes = Bytes(touched_dev * d(nn) * d(kk) * ex.weight_storage().value());
      op.activation_read = Bytes(routed_dev * d(kk) * eab);
      op.activation_write = Bytes(routed_dev * d(nn) * sb());
      return op;
    };
    ops.push_back(expert_gemm("experts_up", (m.ffn_gated ? 2 : 1) * eff_dev, h));
    Op act = activation("experts_act", 1, eff_dev);
    act.scaling = OpScaling::kTokens;
    act.flop = act.flop * routed_dev;
    act.special_ops *= routed_dev;
    act.activation_read = act.activation_read * routed_dev;
    act.activation_write = act.activation_write * routed_dev;
    ops.push_back(act);
    ops.push_back(expert_gemm("experts_down", h, eff_dev));
    if (moe.shared_experts > 0) {
      int64_t sffn = (moe.shared_expert_ffn > 0 ? moe.shared_expert_ffn : moe.expert_ffn) *
                     moe.shared_experts / atp();
      add_dense_mlp(ops, std::max<int64_t>(1, sffn), "shared");
    }
    if (p.ep > 1) {
      Bytes buf(sent * moe.experts_per_token * d(h) * sb());
      ops.push_back(collective("moe_combine", CollectiveKind::kAllToAll, buf, p.ep));
    }
  }

  [[nodiscard]] LayerGroup layer(bool moe_layer, double repeat, double model_repeat) const {
    LayerGroup g;
    g.name = moe_layer ? "moe" : "dense";
    g.repeat = repeat;
    g.model_repeat = model_repeat;
    auto& ops = g.ops;
    add_attention_block(ops);
    if (m.parallel_block) {
      // GPT-J / Falcon: MLP reads the same normed input; one all-reduce for both branches.
      if (moe_layer)
        add_moe_mlp(ops);
      else
        add_dense_mlp(ops, m.ffn / atp(), "mlp");
      add_allreduce(ops, "block");
    } else {
      add_allreduce(ops, "attn");
      ops.push_back(norm("mlp_norm", norm_rows()));
      if (moe_layer)
        add_moe_mlp(ops);
      else
        add_dense_mlp(ops, m.ffn / atp(), "mlp");
      add_allreduce(ops, "mlp");
    }
    return g;
  }

  // Preconditions (checked by the public functions below): check_plan and check_step_shape pass.
  [[nodiscard]] OpGraph build() const {
    OpGraph g;
    g.shape = shape;
    g.pipeline_stages = p.pp;
    // The largest stage's layers (a group it holds none of stays, with repeat 0: other stages
    // hold such layers).
    const StageLayers stage = largest_stage(m, p.pp);
    const int moe_layers = m.moe.enabled() ? moe_layer_count(m) : 0;
    const int dense_layers = m.layers - moe_layers;
    if (dense_layers > 0) g.layers.push_back(layer(false, stage.dense, dense_layers));
    if (moe_layers > 0) g.layers.push_back(layer(true, stage.moe, moe_layers));

    const int64_t t = local_tokens();
    const Precision hp = head_precision(prec);
    const double hb = bytes_per_element(hp).value();
    Op emb;
    emb.name = "embedding";
    emb.kind = OpKind::kEmbedding;
    emb.scaling = token_scaling();
    emb.weight_bytes = Bytes(d(t) * m.hidden * hb);  // gathers one row per token
    emb.activation_write = Bytes(d(t) * m.hidden * sb());
    g.other_ops.push_back(emb);
    if (atp() > 1)  // vocabulary-parallel embedding: partial rows summed across the TP group
      g.other_ops.push_back(collective("embedding_allreduce", CollectiveKind::kAllReduce,
                                       Bytes(d(t) * m.hidden * sb()), p.tp));
    if (p.pp > 1)
      g.other_ops.push_back(collective("pp_send_recv", CollectiveKind::kSendRecv,
                                       Bytes(d(t) * m.hidden * sb()), 2, p.pp - 1));
    g.other_ops.push_back(norm("final_norm", t));
    // LM head and sampling on the rows that sample only: the last position of a prompt and every
    // decode row (TensorRT-LLM gather_last_token_logits, vLLM logits_indices).
    const int64_t rows = rank.sampled_rows;
    if (rows == 0) return g;
    Op head = gemm("lm_head", rows, m.vocab / atp(), m.hidden);
    head.scaling = OpScaling::kSampledRows;
    head.weight_precision = hp;
    head.math_precision = hp;
    head.weight_bytes = Bytes(d(m.vocab / atp()) * m.hidden * hb);
    g.other_ops.push_back(head);
    if (atp() > 1) {
      Op gather = collective("logits_all_gather", CollectiveKind::kAllGather,
                             Bytes(d(rows) * m.vocab * 4.0), p.tp);
      gather.scaling = OpScaling::kSampledRows;
      g.other_ops.push_back(gather);
    }
    Op sample;
    sample.name = "sampling";
    sample.kind = OpKind::kSampling;
    sample.scaling = OpScaling::kSampledRows;
    double logits = d(rows) * m.vocab;
    sample.flop = FlopCount(5.0 * logits);
    sample.special_ops = logits;
    sample.activation_read = Bytes(logits * 4.0);  // fp32 logits
    sample.activation_write = Bytes(d(rows) * 8.0);
    sample.math_precision = Precision::kFp32;
    g.other_ops.push_back(sample);
    return g;
  }
};

}  // namespace

double expected_touched_experts(int experts, int top_k, double tokens) {
  if (experts <= 0 || top_k <= 0 || tokens <= 0) return 0.0;
  if (top_k >= experts) return experts;
  double miss = std::pow(1.0 - static_cast<double>(top_k) / experts, tokens);
  return experts * (1.0 - miss);
}

Result<OpGraph> build_step(const ModelSpec& model, const ParallelismPlan& plan,
                           const PrecisionPlan& precision, const StepShape& shape) {
  if (auto ok = check_plan(model, plan); !ok) return tl::unexpected(ok.error());
  if (auto ok = check_step_shape(shape); !ok) return tl::unexpected(ok.error());
  return Builder{model, plan, precision, shape}.build();
}

StepShape attention_dp_rank_shape(const ParallelismPlan& plan, const StepShape& shape) {
  if (!plan.attention_dp) return shape;
  const auto local = [&](int64_t count) { return (count + plan.tp - 1) / plan.tp; };
  StepShape r = shape;
  if (shape.decode_tokens > 0) {
    r.decode_tokens = local(shape.decode_tokens);
    // The rank's share of every key sum.
    const auto share = [&](double sum) {
      return sum * d(r.decode_tokens) / d(shape.decode_tokens);
    };
    r.decode_keys = share(shape.decode_keys);
    r.decode_full_keys = share(shape.decode_full_keys);
    r.decode_local_keys = share(shape.decode_local_keys);
  }
  if (shape.prefill_chunks > 0) {
    r.prefill_chunks = local(shape.prefill_chunks);
    const double f = d(r.prefill_chunks) / d(shape.prefill_chunks);
    r.prefill_tokens = std::max<int64_t>(
        r.prefill_chunks, static_cast<int64_t>(std::ceil(d(shape.prefill_tokens) * f)));
    r.prefill_pairs = shape.prefill_pairs * f;
    r.prefill_cached_keys = shape.prefill_cached_keys * f;
    r.prefill_tile_keys = shape.prefill_tile_keys * f;
  }
  r.sampled_rows = local(shape.sampled_rows);
  return r;
}

Result<Op> build_attention(const ModelSpec& model, const ParallelismPlan& plan,
                           const PrecisionPlan& precision, const StepShape& shape, bool decode) {
  if (auto ok = check_plan(model, plan); !ok) return tl::unexpected(ok.error());
  if (auto ok = check_step_shape(shape); !ok) return tl::unexpected(ok.error());
  return detail::build_attention_unchecked(model, plan, precision, shape, decode);
}

Op detail::build_attention_unchecked(const ModelSpec& model, const ParallelismPlan& plan,
                                     const PrecisionPlan& precision, const StepShape& shape,
                                     bool decode) {
  return Builder{model, plan, precision, shape}.attention(decode);
}

AttentionSpan attention_span(const ModelSpec& model) {
  const int local = local_attention_layers(model);
  if (local == 0 || model.layers < 1) return {};
  return AttentionSpan(model.sliding_window, model.attention_chunk,
                       static_cast<double>(local) / static_cast<double>(model.layers));
}

StepShape prefill_shape(const ModelSpec& model, int64_t batch, int64_t input_len) {
  StepShape s;
  if (batch < 1 || input_len < 1 || input_len > kMaxStepTokens / batch) {
    ++s.invalid_segments;
    return s;
  }
  add_prefill_chunk(s, input_len, 0, true, attention_span(model));
  // `batch` identical chunks: every sum scales with the batch.
  s.prefill_tokens *= batch;
  s.prefill_chunks *= batch;
  s.prefill_pairs *= static_cast<double>(batch);
  s.prefill_cached_keys *= static_cast<double>(batch);
  s.prefill_tile_keys *= static_cast<double>(batch);
  s.sampled_rows *= batch;
  return s;
}

StepShape decode_shape(const ModelSpec& model, int64_t batch, int64_t context) {
  StepShape s;
  add_decode(s, context, attention_span(model), batch);
  return s;
}

Result<OpGraph> build_prefill(const ModelSpec& model, const ParallelismPlan& plan,
                              const PrecisionPlan& precision, int64_t batch, int64_t input_len) {
  return build_step(model, plan, precision, prefill_shape(model, batch, input_len));
}

Result<OpGraph> build_decode_step(const ModelSpec& model, const ParallelismPlan& plan,
                                  const PrecisionPlan& precision, int64_t batch, int64_t context) {
  return build_step(model, plan, precision, decode_shape(model, batch, context));
}

Result<Bytes> weight_bytes_per_device(const ModelSpec& m, const ParallelismPlan& p,
                                      const PrecisionPlan& prec) {
  if (auto ok = check_plan(m, p); !ok) return tl::unexpected(ok.error());
  // Stored bytes per weight, block scales included.
  const double wb = prec.weight_storage().value();
  const double ewb = prec.experts().weight_storage().value();  // routed experts
  const double hb = bytes_per_element(head_precision(prec)).value();
  const double h = m.hidden;
  const int tp = p.attention_tp();  // attention DP: all but the routed experts replicated
  const double heads_dev = static_cast<double>(m.heads) / tp;
  double attn = 0;
  if (m.mla.enabled()) {
    const auto& a = m.mla;
    double qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
    attn += a.q_lora_rank > 0 ? h * a.q_lora_rank + a.q_lora_rank * heads_dev * qk
                              : h * heads_dev * qk;
    attn += h * (a.kv_lora_rank + a.qk_rope_head_dim);
    attn += a.kv_lora_rank * heads_dev * (a.qk_nope_head_dim + a.v_head_dim);
    attn += heads_dev * a.v_head_dim * h;
  } else {
    int kv = m.kv_heads > 0 ? m.kv_heads : m.heads;
    double kv_dev = std::max(1, kv / tp);
    attn = h * (heads_dev + 2.0 * kv_dev) * m.head_dim + heads_dev * m.head_dim * h;
  }
  const double mats = m.ffn_gated ? 3.0 : 2.0;
  double dense_mlp = mats * h * static_cast<double>(m.ffn) / tp;
  double moe_mlp = 0;
  if (m.moe.enabled()) {
    const auto& e = m.moe;
    double shared_ffn = e.shared_expert_ffn > 0 ? e.shared_expert_ffn : e.expert_ffn;
    const double routed = (static_cast<double>(e.experts) / p.ep) * mats * h *
                          (static_cast<double>(e.expert_ffn) / (p.tp / p.ep));
    const double shared = e.shared_experts * mats * h * shared_ffn / tp;
    moe_mlp = routed * ewb + shared * wb + e.experts * h * hb;  // router replicated, 16-bit
  }
  // The stage holding the most bytes.
  double layers_bytes = 0;
  for (const StageLayers& st : pipeline_stages(m, p.pp))
    layers_bytes = std::max(layers_bytes, st.dense * (attn + dense_mlp) * wb +
                                              st.moe * (attn * wb + moe_mlp));
  double embed = static_cast<double>(m.vocab) / tp * h * hb;
  double head = m.tied_embeddings && p.pp == 1 ? 0.0 : embed;
  double ends = p.pp == 1 ? embed + head : std::max(embed, head);
  return Bytes(layers_bytes + ends);
}

namespace {

// Layer i (0-based) is an MoE layer: past the leading dense layers, every layer_interval-th
// (moe_layer_count's rule: (layers - dense_layers_first) / layer_interval of them).
bool is_moe_layer(const ModelSpec& m, int i) {
  if (!m.moe.enabled() || m.moe.layer_interval < 1 || i < m.moe.dense_layers_first) return false;
  return (i - m.moe.dense_layers_first + 1) % m.moe.layer_interval == 0;
}

}  // namespace

std::vector<StageLayers> pipeline_stages(const ModelSpec& m, int pp) {
  XPUSIM_CHECK(pp >= 1 && pp <= m.layers, "pipeline_stages needs 1 <= pp <= layers (check_plan)");
  const int base = m.layers / pp, extra = m.layers % pp;
  std::vector<StageLayers> stages(static_cast<size_t>(pp));
  int first = 0;
  for (auto& st : stages) {
    const int n = base + (&st - stages.data() < extra ? 1 : 0);
    for (int i = first; i < first + n; ++i) (is_moe_layer(m, i) ? st.moe : st.dense) += 1;
    first += n;
  }
  return stages;
}

StageLayers largest_stage(const ModelSpec& m, int pp) {
  StageLayers best;
  for (const StageLayers& st : pipeline_stages(m, pp))
    if (st.total() > best.total() || (st.total() == best.total() && st.moe > best.moe)) best = st;
  return best;
}

Result<Bytes> kv_bytes_per_token_per_device(const ModelSpec& m, const ParallelismPlan& p,
                                            const PrecisionPlan& prec) {
  if (auto ok = check_plan(m, p); !ok) return tl::unexpected(ok.error());
  double per_layer;
  const int tp = p.attention_tp();
  if (m.mla.enabled()) {
    per_layer = m.mla.kv_lora_rank + m.mla.qk_rope_head_dim;  // replicated over tp
  } else {
    int kv = m.kv_heads > 0 ? m.kv_heads : m.heads;
    per_layer = 2.0 * std::max(1, kv / tp) * m.head_dim;
  }
  // Attention DP: each rank keeps the whole KV of its own sequences only, so the mean device
  // holds 1/tp of every token of the replica (no MLA or KV-head replication).
  if (p.attention_dp) per_layer /= p.tp;
  double layers = std::ceil(static_cast<double>(m.layers) / p.pp);
  return Bytes(per_layer * layers * storage_bytes_per_element(prec.kv_cache).value());
}

}  // namespace xpusim
