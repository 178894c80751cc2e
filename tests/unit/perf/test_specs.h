// SPDX-License-Identifier: Apache-2.0
// Hardware and model specs built in C++ for the perf/ and workload/ tests, so they do not depend
// on preset files. Figures: ../shared/reference/specs.csv (A100 SXM4 80GB, H100 SXM5 80GB rows) and
// the NVIDIA A100/H100 architecture whitepapers (SM counts, tensor cores per SM, MACs per clock,
// shared memory and register file per SM). Model shapes: ../shared/validation/README.md table.
#pragma once

#include "xpusim/config/hardware_spec.h"
#include "xpusim/config/model_spec.h"
#include "xpusim/perf/static_sim.h"

namespace xpusim::testing {

inline HardwareSpec a100_like() {
  using namespace units;
  HardwareSpec hw;
  hw.id = "a100-test";
  hw.name = "A100-like (test)";
  hw.vendor = "test";
  auto& c = hw.compute;
  c.units = 108;
  c.unit_name = "SM";
  c.clock = ghz(1.41);
  c.matrix.engines_per_unit = 4;
  c.matrix.macs_per_cycle[index_of(Precision::kFp16)] = 256;   // 312 TFLOP/s dense fp16
  c.matrix.macs_per_cycle[index_of(Precision::kBf16)] = 256;
  c.matrix.macs_per_cycle[index_of(Precision::kTf32)] = 128;
  c.matrix.macs_per_cycle[index_of(Precision::kInt8)] = 512;
  c.matrix.macs_per_cycle[index_of(Precision::kInt4)] = 1024;
  c.matrix.min_m = 16;
  c.vector.fp32_flop_per_cycle_per_unit = 128;   // 64 FP32 lanes x FMA
  c.vector.special_per_cycle_per_unit = 16;      // 4 SFU quads
  hw.memory.register_file = MemoryLevelSpec{true, kib(256), tb_per_s(0)};
  hw.memory.l1 = MemoryLevelSpec{true, kib(192), bytes_per_s(128.0 * 1.41e9)};
  hw.memory.l2 = MemoryLevelSpec{true, mib(40), bytes_per_s(5120.0 * 1.41e9)};
  hw.memory.dram = DramSpec{"hbm2e", 5, gb(80), tb_per_s(2.039)};
  hw.interconnect.scale_up = LinkTierSpec{true, "NVLink3", gb_per_s(300), 12, us(1.0), "switched", 8};
  hw.interconnect.scale_out = LinkTierSpec{true, "IB HDR", gb_per_s(25), 1, us(5.0), "switched", 0};
  hw.interconnect.host_bandwidth = gb_per_s(32);
  return hw;
}

inline HardwareSpec h100_like() {
  using namespace units;
  HardwareSpec hw = a100_like();
  hw.id = "h100-test";
  hw.name = "H100-like (test)";
  auto& c = hw.compute;
  c.units = 132;
  c.clock = ghz(1.83);
  c.matrix.macs_per_cycle = {};
  c.matrix.macs_per_cycle[index_of(Precision::kFp16)] = 512;   // 989 TFLOP/s dense
  c.matrix.macs_per_cycle[index_of(Precision::kBf16)] = 512;
  c.matrix.macs_per_cycle[index_of(Precision::kTf32)] = 256;
  c.matrix.macs_per_cycle[index_of(Precision::kFp8)] = 1024;   // 1979 TFLOP/s dense
  c.matrix.macs_per_cycle[index_of(Precision::kInt8)] = 1024;
  c.matrix.min_m = 64;                                        // wgmma M granule
  c.vector.fp32_flop_per_cycle_per_unit = 256;
  c.vector.special_per_cycle_per_unit = 16;
  hw.memory.l1 = MemoryLevelSpec{true, kib(256), bytes_per_s(128.0 * 1.83e9)};
  hw.memory.l2 = MemoryLevelSpec{true, mib(50), bytes_per_s(5120.0 * 1.83e9)};
  hw.memory.dram = DramSpec{"hbm3", 5, gb(80), tb_per_s(3.35)};
  hw.interconnect.scale_up = LinkTierSpec{true, "NVLink4", gb_per_s(450), 18, us(1.0), "switched", 8};
  hw.interconnect.scale_out = LinkTierSpec{true, "IB NDR", gb_per_s(50), 1, us(5.0), "switched", 0};
  hw.interconnect.host_bandwidth = gb_per_s(64);
  return hw;
}

inline ModelSpec llama70b_like() {
  ModelSpec m;
  m.id = "llama-3.1-70b-test";
  m.family = "llama";
  m.layers = 80;
  m.hidden = 8192;
  m.heads = 64;
  m.kv_heads = 8;
  m.head_dim = 128;
  m.ffn = 28672;
  m.vocab = 128256;
  m.rotary_dim = 128;
  m.max_context = 131072;
  return m;
}

inline ModelSpec llama8b_like() {
  ModelSpec m = llama70b_like();
  m.id = "llama-3.1-8b-test";
  m.layers = 32;
  m.hidden = 4096;
  m.heads = 32;
  m.kv_heads = 8;
  m.ffn = 14336;
  return m;
}

inline ModelSpec mixtral8x7b_like() {
  ModelSpec m = llama8b_like();
  m.id = "mixtral-8x7b-test";
  m.family = "mixtral";
  m.vocab = 32000;
  m.moe.experts = 8;
  m.moe.experts_per_token = 2;
  m.moe.expert_ffn = 14336;
  return m;
}

inline ModelSpec deepseek_like() {
  ModelSpec m;
  m.id = "deepseek-r1-test";
  m.family = "deepseek_v3";
  m.layers = 61;
  m.hidden = 7168;
  m.heads = 128;
  m.kv_heads = 128;
  m.head_dim = 128;
  m.ffn = 18432;
  m.vocab = 129280;
  m.moe.experts = 256;
  m.moe.experts_per_token = 8;
  m.moe.shared_experts = 1;
  m.moe.expert_ffn = 2048;
  m.moe.dense_layers_first = 3;
  m.mla.q_lora_rank = 1536;
  m.mla.kv_lora_rank = 512;
  m.mla.qk_nope_head_dim = 128;
  m.mla.qk_rope_head_dim = 64;
  m.mla.v_head_dim = 128;
  return m;
}

// Qwen3-235B-A22B's sizes (config.json, recalled): 94 layers, hidden 4096, 64 query heads and 4 KV
// heads of 128, 128 experts of 1536 (top 8), no shared expert, vocabulary 151,936.
inline ModelSpec qwen3_235b_like() {
  ModelSpec m;
  m.id = "qwen3-235b-test";
  m.layers = 94;
  m.hidden = 4096;
  m.heads = 64;
  m.kv_heads = 4;
  m.head_dim = 128;
  m.ffn = 12288;
  m.vocab = 151936;
  m.moe.experts = 128;
  m.moe.experts_per_token = 8;
  m.moe.expert_ffn = 1536;
  return m;
}

// A static batch on one tensor-parallel group of `tp` devices.
inline StaticScenario tp_scenario(int tp, int64_t batch, int64_t in, int64_t out) {
  StaticScenario sc;
  sc.plan.tp = tp;
  sc.devices = tp;
  sc.batch = batch;
  sc.input_len = in;
  sc.output_len = out;
  return sc;
}

}  // namespace xpusim::testing
