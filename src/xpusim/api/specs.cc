// SPDX-License-Identifier: Apache-2.0
// hardware and model (api/specs.h): the loaded spec and its derived figures (config/
// hardware_spec.h peaks and ridge points, config/model_params.h parameter and byte counts).
#include "xpusim/api/specs.h"

#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_params.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/config/presets.h"
#include "xpusim/report/table.h"

namespace xpusim::api {
namespace {

double tflops(FlopRate r) { return units::to_tflops(r); }
double gbs(BytesPerSecond b) { return units::to_gb_per_s(b); }

Json level_json(const MemoryLevelSpec& l, bool per_unit) {
  if (!l.present) return nullptr;
  Json j;
  j["capacity_bytes"] = l.capacity.value();
  j[per_unit ? "bandwidth_per_unit_gbs" : "bandwidth_gbs"] = round6(gbs(l.bandwidth));
  return j;
}

Json tier_json(const LinkTierSpec& t) {
  if (!t.present) return nullptr;
  return Json{{"name", t.name},
              {"bandwidth_gbs", round6(gbs(t.bandwidth))},
              {"links", t.links},
              {"latency_us", round6(units::to_us(t.latency))},
              {"topology", t.topology},
              {"shape", t.dims},  // ring / torus dimensions as given ([] = implied)
              {"domain_size", t.domain_size}};
}

Json die_json(const DieSpec& d) {
  Json j{{"name", d.name}, {"count", d.count}, {"node", d.node}};
  j["area_mm2"] = d.area ? Json(d.area->value()) : Json(nullptr);
  return j;
}

}  // namespace

// The resolved spec and its derived figures. Top-level keys are the stable interface.
Json hardware_json(const HardwareSpec& hw) {
  const auto& c = hw.compute;
  const auto& m = hw.memory;
  Json j;
  j["schema"] = kHardwareSchemaName;
  j["id"] = hw.id;
  j["name"] = hw.name;
  j["vendor"] = hw.vendor;

  Json peak = Json::object(), ridge = Json::object(), ridge_l2 = Json::object(),
       bpf = Json::object(), macs = Json::object(), datasheet = Json::object();
  for (Precision p : kAllPrecisions) {
    const std::string name(to_string(p));
    const size_t i = index_of(p);
    macs[name] = c.matrix.macs_per_cycle[i];
    if (c.datasheet_peak[i]) datasheet[name] = round6(tflops(*c.datasheet_peak[i]));
    if (!(peak_rate(hw, p).value() > 0)) continue;
    peak[name] = round6(tflops(peak_rate(hw, p)));
    if (auto r = dram_ridge_point(hw, p)) ridge[name] = round6(r->value());
    if (auto r = l2_ridge_point(hw, p)) ridge_l2[name] = round6(r->value());
    if (auto b = dram_bytes_per_flop(hw, p)) bpf[name] = round6(b->value());
  }
  j["peak_tflops"] = peak;
  j["vector_fp32_tflops"] = round6(tflops(peak_vector_rate(hw)));
  j["special_function_per_s"] = round6(special_function_rate(hw).value());
  j["dram_capacity_bytes"] = m.dram.capacity.value();
  j["dram_capacity_gb"] = round6(units::to_gb(m.dram.capacity));
  j["dram_capacity_gib"] = round6(units::to_gib(m.dram.capacity));  // vendors' "80 GB" of HBM is GiB
  j["dram_bandwidth_gbs"] = round6(gbs(m.dram.bandwidth));
  j["ridge_flop_per_byte"] = ridge;
  j["ridge_l2_flop_per_byte"] = ridge_l2;
  j["bytes_per_flop"] = bpf;
  j["on_chip_sram_bytes"] = total_on_chip_sram(hw).value();
  j["l1_total_bandwidth_gbs"] = round6(gbs(total_level_bandwidth(hw, m.l1)));

  Json spec;
  spec["compute"] = {{"units", c.units},
                     {"units_on_die", c.units_on_die ? Json(*c.units_on_die) : Json(nullptr)},
                     {"unit_name", c.unit_name},
                     {"clock_ghz", round6(units::to_ghz(c.clock))},
                     {"matrix",
                      {{"engines_per_unit", c.matrix.engines_per_unit},
                       {"macs_per_cycle", macs},
                       {"array_rows", c.matrix.array_rows},
                       {"array_cols", c.matrix.array_cols},
                       {"min_m", c.matrix.min_m}}},
                     {"vector",
                      {{"fp32_flop_per_cycle_per_unit", c.vector.fp32_flop_per_cycle_per_unit},
                       {"special_per_cycle_per_unit", c.vector.special_per_cycle_per_unit}}},
                     {"datasheet_peak_tflops", datasheet}};
  spec["memory"] = {{"register_file", level_json(m.register_file, true)},
                    {"l1", level_json(m.l1, true)},
                    {"l2", level_json(m.l2, false)},
                    {"llc", level_json(m.llc, false)},
                    {"dram",
                     {{"type", m.dram.type},
                      {"stacks", m.dram.stacks},
                      {"sites", m.dram.sites ? Json(*m.dram.sites) : Json(nullptr)},
                      {"capacity_bytes", m.dram.capacity.value()},
                      {"bandwidth_gbs", round6(gbs(m.dram.bandwidth))}}}};
  const auto& ic = hw.interconnect;
  spec["interconnect"] = {{"scale_up", tier_json(ic.scale_up)},
                          {"scale_out", tier_json(ic.scale_out)},
                          {"host_bandwidth_gbs", ic.host_bandwidth
                                                     ? Json(round6(gbs(*ic.host_bandwidth)))
                                                     : Json(nullptr)}};
  const auto& ph = hw.physical;
  spec["physical"] = {{"process", ph.process},
                      {"compute_die", die_json(ph.compute_die)},
                      {"io_die", die_json(ph.io_die)},
                      {"die_to_die",
                       {{"bandwidth_gbs", ph.die_to_die.bandwidth
                                              ? Json(round6(gbs(*ph.die_to_die.bandwidth)))
                                              : Json(nullptr)},
                        {"topology", ph.die_to_die.topology},
                        // J per byte -> pJ per bit: / 8 bits x 1e12 pJ/J.
                        {"energy_pj_per_bit", ph.die_to_die.energy
                                                  ? Json(round6(ph.die_to_die.energy->value() /
                                                                8.0 * 1e12))
                                                  : Json(nullptr)},
                        {"compute_link_gbs", ph.die_to_die.compute_link
                                                 ? Json(round6(gbs(*ph.die_to_die.compute_link)))
                                                 : Json(nullptr)}}},
                      {"tdp_w", ph.tdp.value() > 0 ? Json(ph.tdp.value()) : Json(nullptr)},
                      {"package", ph.package},
                      {"transistors_billion", ph.transistors_billion
                                                  ? Json(*ph.transistors_billion)
                                                  : Json(nullptr)}};
  j["spec"] = spec;
  return j;
}

namespace {

Json spec_json(const ModelSpec& m) {
  Json j;
  j["id"] = m.id;
  j["name"] = m.name;
  j["family"] = m.family;
  j["layers"] = m.layers;
  j["hidden"] = m.hidden;
  j["heads"] = m.heads;
  j["kv_heads"] = m.kv_heads;
  j["head_dim"] = m.head_dim;
  j["ffn"] = m.ffn;
  j["ffn_gated"] = m.ffn_gated;
  j["activation"] = m.activation;
  j["vocab"] = m.vocab;
  j["tied_embeddings"] = m.tied_embeddings;
  j["norm"] = m.norm;
  j["layer_norms"] = m.layer_norms;
  j["qk_norm"] = m.qk_norm;
  j["parallel_block"] = m.parallel_block;
  j["attention_bias"] = m.attention_bias;
  j["attention_out_bias"] = m.attention_out_bias;
  j["mlp_bias"] = m.mlp_bias;
  j["lm_head_bias"] = m.lm_head_bias;
  j["rotary_dim"] = m.rotary_dim;
  j["position_embeddings"] = m.position_embeddings;
  j["sliding_window"] = m.sliding_window;
  j["attention_chunk"] = m.attention_chunk;
  j["full_attention_interval"] = m.full_attention_interval;
  j["max_context"] = m.max_context;
  j["moe"] = {{"experts", m.moe.experts},
              {"experts_per_token", m.moe.experts_per_token},
              {"shared_experts", m.moe.shared_experts},
              {"expert_ffn", m.moe.expert_ffn},
              {"shared_expert_ffn", m.moe.shared_expert_ffn},
              {"dense_layers_first", m.moe.dense_layers_first},
              {"layer_interval", m.moe.layer_interval}};
  j["mla"] = {{"q_lora_rank", m.mla.q_lora_rank},
              {"kv_lora_rank", m.mla.kv_lora_rank},
              {"qk_nope_head_dim", m.mla.qk_nope_head_dim},
              {"qk_rope_head_dim", m.mla.qk_rope_head_dim},
              {"v_head_dim", m.mla.v_head_dim}};
  j["published_parameters"] =
      m.published_parameters ? Json(*m.published_parameters) : Json(nullptr);
  j["published_active_parameters"] = m.published_active_parameters
                                         ? Json(*m.published_active_parameters)
                                         : Json(nullptr);
  return j;
}

}  // namespace

Json model_json(const ModelSpec& m) {
  const ParameterCount c = count_parameters(m);
  const AttentionKind kind = attention_kind(m);
  Json j;
  j["id"] = m.id;
  j["parameters"] = c.total;
  j["active_parameters"] = c.active;
  j["parameter_breakdown"] = {{"embedding", c.embedding},
                              {"lm_head", c.lm_head},
                              {"attention", c.attention},
                              {"dense_mlp", c.dense_mlp},
                              {"routed_experts", c.routed_experts},
                              {"shared_experts", c.shared_experts},
                              {"router", c.router},
                              {"norms", c.norms},
                              {"moe_layers", c.moe_layers},
                              {"dense_layers", c.dense_layers}};
  j["attention_kind"] = to_string(kind);
  Json weights, kv;
  for (Precision p : kAllPrecisions) {
    weights[std::string(to_string(p))] = weight_bytes(m, p).value();
    kv[std::string(to_string(p))] = kv_cache_bytes_per_token(m, p).value();
  }
  j["weight_bytes"] = weights;
  j["kv_cache_bytes_per_token"] = kv;
  j["spec"] = spec_json(m);
  return j;
}

Result<Json> hardware(const SpecRequest& request) {
  return load_hardware(request.spec, request.overrides).map(hardware_json);
}

Result<Json> model(const SpecRequest& request) {
  return load_model(request.spec, request.overrides).map(model_json);
}

}  // namespace xpusim::api
