// SPDX-License-Identifier: Apache-2.0
// Attention data parallelism (ParallelismPlan::attention_dp): hand-computed op shapes and bytes of
// the busiest rank's graph against TP attention, KV and weight bytes per device, plan checks.
#include <gtest/gtest.h>

#include <string>

#include "unit/perf/test_specs.h"
#include "xpusim/workload/graph_builder.h"

namespace xpusim {
namespace {

using testing::deepseek_like;
using testing::llama8b_like;
using testing::qwen3_235b_like;

ParallelismPlan adp(int tp) {
  ParallelismPlan p;
  p.tp = tp;
  p.ep = tp;
  p.attention_dp = true;
  return p;
}

ParallelismPlan tp_ep(int tp) {
  ParallelismPlan p;
  p.tp = tp;
  p.ep = tp;
  return p;
}

const Op* find(const OpGraph& g, const std::string& name, size_t layer = 1) {
  if (layer < g.layers.size())
    for (const Op& op : g.layers[layer].ops)
      if (op.name == name) return &op;
  for (const Op& op : g.other_ops)
    if (op.name == name) return &op;
  return nullptr;
}

TEST(AttentionDp, KvBytesPerTokenAreATpthOfTheWholeTokenWithoutReplication) {
  PrecisionPlan bf16;
  // DeepSeek MLA: 61 layers x (512 + 64) latent x 2 bytes = 70,272 B per token; under TP every
  // rank holds it (replicated), under attention DP the mean rank holds 1/8.
  EXPECT_DOUBLE_EQ(kv_bytes_per_token_per_device(deepseek_like(), tp_ep(8), bf16)->value(),
                   70272.0);
  EXPECT_DOUBLE_EQ(kv_bytes_per_token_per_device(deepseek_like(), adp(8), bf16)->value(),
                   70272.0 / 8.0);
  // Qwen3-235B GQA, 4 KV heads < tp 8: TP replicates one KV head per rank, 94 x 2 x 1 x 128 x 2 =
  // 48,128 B; attention DP holds the 4 heads of its own tokens, 94 x 2 x 4 x 128 x 2 / 8 = 24,064.
  EXPECT_DOUBLE_EQ(kv_bytes_per_token_per_device(qwen3_235b_like(), tp_ep(8), bf16)->value(),
                   48128.0);
  EXPECT_DOUBLE_EQ(kv_bytes_per_token_per_device(qwen3_235b_like(), adp(8), bf16)->value(),
                   24064.0);
}

TEST(AttentionDp, WeightsReplicateAllButTheRoutedExperts) {
  // Attention DP over 8 = the whole model on one device less 7/8 of the routed experts:
  // 58 MoE layers x 256 experts x 3 matrices x 7168 x 2048 x 1 byte (fp8 weights).
  const ModelSpec m = deepseek_like();
  const PrecisionPlan fp8 = precision_plan_for(Precision::kFp8);
  const double one = weight_bytes_per_device(m, ParallelismPlan{}, fp8)->value();
  const double eight = weight_bytes_per_device(m, adp(8), fp8)->value();
  const double experts = 58.0 * 256.0 * 3.0 * 7168.0 * 2048.0;
  EXPECT_NEAR(eight, one - experts * 7.0 / 8.0, 1.0);
  // More than TP8 + EP8 holds (its attention, dense and shared MLPs and vocabulary are split).
  EXPECT_GT(eight, weight_bytes_per_device(m, tp_ep(8), fp8)->value());
}

TEST(AttentionDp, DecodeGraphRunsAllHeadsOnTheRanksRowsWithAllToAllAndNoAllReduce) {
  const ModelSpec m = deepseek_like();
  const PrecisionPlan fp8 = precision_plan_for(Precision::kFp8);
  // 65 decode rows at 2048 keys over 8 ranks: the busiest rank holds ceil(65 / 8) = 9.
  const OpGraph g = build_decode_step(m, adp(8), fp8, 65, 2048).value();
  const Op* attn = find(g, "attention");
  ASSERT_NE(attn, nullptr);
  EXPECT_EQ(attn->attention.heads, 128);  // all heads on the rank
  EXPECT_EQ(attn->attention.batch, 9);
  EXPECT_DOUBLE_EQ(attn->attention.pairs, 9.0 * 2048.0);
  // The latent KV read: 9 rows x 2048 keys x 576 x 1 byte (fp8 KV).
  EXPECT_DOUBLE_EQ(attn->kv_read.value(), 9.0 * 2048.0 * 576.0);
  const Op* q_b = find(g, "q_b_proj");
  ASSERT_NE(q_b, nullptr);
  EXPECT_EQ(q_b->gemm.m, 9);
  EXPECT_EQ(q_b->gemm.n, 128 * 192);
  const Op* shared_up = find(g, "shared_up");
  ASSERT_NE(shared_up, nullptr);
  EXPECT_EQ(shared_up->gemm.n, 2 * 2048);  // whole shared expert
  // Dispatch: the rank's 9 tokens x top 8 x 7168 x 1 byte (fp8), all-to-all over 8.
  const Op* dispatch = find(g, "moe_dispatch");
  ASSERT_NE(dispatch, nullptr);
  EXPECT_EQ(dispatch->collective, CollectiveKind::kAllToAll);
  EXPECT_EQ(dispatch->group, 8);
  EXPECT_DOUBLE_EQ(dispatch->collective_bytes.value(), 9.0 * 8.0 * 7168.0);
  const Op* combine = find(g, "moe_combine");
  ASSERT_NE(combine, nullptr);
  EXPECT_DOUBLE_EQ(combine->collective_bytes.value(), 9.0 * 8.0 * 7168.0 * 2.0);
  // Routed experts: the whole replica's 65 x 8 routed tokens over 8 devices, experts unsplit.
  const Op* up = find(g, "experts_up");
  ASSERT_NE(up, nullptr);
  EXPECT_DOUBLE_EQ(up->flop.value(), 2.0 * (65.0 * 8.0 / 8.0) * (2.0 * 2048.0) * 7168.0);
  // LM head: the rank's 9 rows over the whole vocabulary, no logits all-gather.
  const Op* head = find(g, "lm_head");
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->gemm.m, 9);
  EXPECT_EQ(head->gemm.n, 129280);
  for (const LayerGroup& lg : g.layers)
    for (const Op& op : lg.ops)
      EXPECT_NE(op.collective == CollectiveKind::kAllReduce && op.kind == OpKind::kCollective, true)
          << op.name;
  EXPECT_EQ(find(g, "logits_all_gather"), nullptr);
  EXPECT_EQ(find(g, "embedding_allreduce"), nullptr);

  // TP8 + EP8 for contrast: 16 heads on all 65 rows, all-reduces present.
  const OpGraph t = build_decode_step(m, tp_ep(8), fp8, 65, 2048).value();
  const Op* tattn = find(t, "attention");
  ASSERT_NE(tattn, nullptr);
  EXPECT_EQ(tattn->attention.heads, 16);
  EXPECT_EQ(tattn->attention.batch, 65);
  EXPECT_NE(find(t, "mlp_allreduce"), nullptr);
  // The dispatch buffer of the mean rank is the same: 65 / 8 tokens' copies under TP + EP.
  EXPECT_DOUBLE_EQ(find(t, "moe_dispatch")->collective_bytes.value(), 65.0 * 8.0 * 7168.0 / 8.0);
}

TEST(AttentionDp, PrefillGivesTheRankATpthOfTheChunks) {
  const ModelSpec m = deepseek_like();
  // 16 prompts of 1024 over 8 ranks: 2 chunks, 2048 tokens and 2 x 1024 x 1025 / 2 pairs each.
  const OpGraph g = build_prefill(m, adp(8), PrecisionPlan{}, 16, 1024).value();
  const Op* attn = find(g, "attention");
  ASSERT_NE(attn, nullptr);
  EXPECT_EQ(attn->attention.batch, 2);
  EXPECT_EQ(attn->attention.queries, 2048);
  EXPECT_DOUBLE_EQ(attn->attention.pairs, 2.0 * 1024.0 * 1025.0 / 2.0);
  EXPECT_EQ(attn->attention.heads, 128);
  EXPECT_EQ(find(g, "q_a_proj")->gemm.m, 2048);
  EXPECT_EQ(find(g, "kv_b_proj")->gemm.m, 2048);
}

// A rank schedules whole sequences and the ranks run in lockstep: a step with one 3,000-token
// prompt and 80 decode rows waits for the rank holding the prompt, whose token-wise ops run over
// 3,000 + ceil(80 / 8) = 3,010 rows (not ceil(3,080 / 8) = 385); the routed experts still see the
// replica's 3,080 tokens, the dispatch the busiest rank's 3,010.
TEST(AttentionDp, AMixedStepWaitsForTheRankHoldingThePrompt) {
  const ModelSpec m = deepseek_like();
  StepShape s;
  add_prefill_chunk(s, 3000, 0, true, 0);
  for (int i = 0; i < 80; ++i) add_decode(s, 1000, 0);
  const StepShape r = attention_dp_rank_shape(adp(8), s);
  EXPECT_EQ(r.prefill_chunks, 1);
  EXPECT_EQ(r.prefill_tokens, 3000);
  EXPECT_EQ(r.decode_tokens, 10);
  EXPECT_EQ(r.tokens(), 3010);
  EXPECT_EQ(attention_dp_rank_shape(tp_ep(8), s).tokens(), 3080);  // TP: the step itself
  const PrecisionPlan fp8 = precision_plan_for(Precision::kFp8);
  const OpGraph g = build_step(m, adp(8), fp8, s).value();
  for (const char* name : {"q_a_proj", "kv_a_proj", "o_proj", "shared_up", "router"}) {
    const Op* op = find(g, name);
    ASSERT_NE(op, nullptr) << name;
    EXPECT_EQ(op->gemm.m, 3010) << name;
    EXPECT_EQ(op->scaling, OpScaling::kRankTokens) << name;
  }
  EXPECT_EQ(find(g, "kv_b_proj")->gemm.m, 3000);  // the prompt's keys, decompressed on its rank
  const Op* up = find(g, "experts_up");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->scaling, OpScaling::kTokens);
  EXPECT_DOUBLE_EQ(up->flop.value(), 2.0 * (3080.0 * 8.0 / 8.0) * (2.0 * 2048.0) * 7168.0);
  EXPECT_DOUBLE_EQ(find(g, "moe_dispatch")->collective_bytes.value(), 3010.0 * 8.0 * 7168.0);
  // Without attention DP every token-wise op keeps the step's own class.
  const OpGraph t = build_step(m, tp_ep(8), fp8, s).value();
  for (const LayerGroup& lg : t.layers)
    for (const Op& op : lg.ops) EXPECT_NE(op.scaling, OpScaling::kRankTokens) << op.name;
}

TEST(AttentionDp, PlanChecksNameTheField) {
  ParallelismPlan one = adp(1);
  auto r = check_plan(deepseek_like(), one);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().front().path, "attention_dp");
  EXPECT_NE(r.error().front().message.find("tp >= 2"), std::string::npos);

  ParallelismPlan dense = adp(2);
  dense.ep = 1;
  r = check_plan(llama8b_like(), dense);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().front().path, "attention_dp");
  EXPECT_NE(r.error().front().message.find("dense"), std::string::npos);

  ParallelismPlan ep2 = adp(8);
  ep2.ep = 2;
  r = check_plan(deepseek_like(), ep2);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().front().path, "attention_dp");
  EXPECT_NE(r.error().front().message.find("ep == tp"), std::string::npos);

  // Attention DP does not split heads: tp 16 with 128 heads fine, and a head count tp does not
  // divide is fine too.
  ModelSpec odd = deepseek_like();
  odd.heads = 100;
  EXPECT_TRUE(check_plan(odd, adp(8)).has_value());
}

}  // namespace
}  // namespace xpusim
