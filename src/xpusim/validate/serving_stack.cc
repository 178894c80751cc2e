// SPDX-License-Identifier: Apache-2.0
// Serving-stack rules for the row kinds the public file lacks. Each setting names its source: keys
// of ../shared/reference/serving.md (VARG, TPO, TTUNE, TMBS, R41, R51) or "recalled" where no
// stored source holds it. docs/validation.md, "Serving rows of the hidden kinds", lists them.
#include "xpusim/validate/serving_stack.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

#include "xpusim/base/text.h"

namespace xpusim {
namespace {

bool stack_is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Parses "12", "0.6.3" at `p`; advances `p`. nullopt when no digit is at `p`.
std::optional<SoftwareVersion> stack_parse_version_at(std::string_view s, size_t& p) {
  int parts[3] = {0, 0, 0};
  int n = 0;
  while (n < 3 && p < s.size() && stack_is_digit(s[p])) {
    long v = 0;
    size_t digits = 0;
    while (p < s.size() && stack_is_digit(s[p])) {
      if (++digits > 6) return std::nullopt;  // not a version
      v = v * 10 + (s[p] - '0');
      ++p;
    }
    parts[n++] = static_cast<int>(v);
    if (p + 1 < s.size() && s[p] == '.' && stack_is_digit(s[p + 1]))
      ++p;
    else
      break;
  }
  if (n == 0) return std::nullopt;
  return SoftwareVersion{parts[0], parts[1], parts[2]};
}

std::string stack_version_text(const SoftwareVersion& v) {
  return fmt::format("{}.{}.{}", v.major, v.minor, v.patch);
}

}  // namespace

std::optional<SoftwareVersion> version_after(std::string_view text, std::string_view name) {
  for (size_t at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
    size_t p = at + name.size();
    // The name must end there ("vllm-project" is not "vllm 0.x"); a separator may follow.
    while (p < text.size() && (text[p] == ' ' || text[p] == '=' || text[p] == ':')) ++p;
    if (p < text.size() && text[p] == 'v') ++p;
    if (auto v = stack_parse_version_at(text, p)) return v;
  }
  return std::nullopt;
}

std::optional<SoftwareVersion> tensorrt_llm_version(std::string_view text) {
  for (std::string_view name : {"tensorrt-llm", "trt-llm", "tensorrt_llm", "trtllm"})
    if (auto v = version_after(text, name)) return v;
  return std::nullopt;
}

std::optional<YearMonth> year_month_of_notes(std::string_view notes) {
  const size_t at = notes.find("version/date:");
  if (at == std::string_view::npos) return std::nullopt;
  const size_t end = notes.find(';', at);
  const std::string_view clause =
      notes.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
  for (size_t i = 0; i + 7 <= clause.size(); ++i) {
    const std::string_view w = clause.substr(i, 7);
    const bool yyyy_mm = stack_is_digit(w[0]) && stack_is_digit(w[1]) && stack_is_digit(w[2]) &&
                         stack_is_digit(w[3]) && w[4] == '-' && stack_is_digit(w[5]) &&
                         stack_is_digit(w[6]);
    if (yyyy_mm && (i == 0 || !stack_is_digit(clause[i - 1]))) {
      const int year = std::stoi(std::string(w.substr(0, 4)));
      const int month = std::stoi(std::string(w.substr(5, 2)));
      if (year >= 2000 && month >= 1 && month <= 12) return YearMonth{year, month};
    }
  }
  return std::nullopt;
}

VllmChoice vllm_generation(std::string_view framework, std::string_view notes) {
  // V1 became vLLM's default engine in 0.8.0 (released 2025-03, recalled); 0.7 shipped it as an
  // opt-in (VLLM_USE_V1=1), so 0.7.x rows ran V0 unless their notes say otherwise.
  constexpr SoftwareVersion kV1Default{0, 8, 0};
  constexpr YearMonth kFirstV1Month{2025, 4};  // the first full month after 0.8.0's release
  if (auto v = version_after(framework, "vllm")) {
    if (*v >= kV1Default)
      return {VllmGeneration::kV1, "vLLM " + stack_version_text(*v) +
                                       " >= 0.8: V1 engine (default "
                                       "from 0.8; recalled)"};
    return {VllmGeneration::kV0, ""};  // the public rows' rule, no new assumption
  }
  if (auto d = year_month_of_notes(notes); d && *d >= kFirstV1Month)
    return {VllmGeneration::kV1,
            fmt::format("vLLM version not stated; date {}-{:02} is after vLLM 0.8.0 (2025-03, "
                        "V1 the default engine; recalled) -> V1",
                        d->year, d->month)};
  return {VllmGeneration::kV0,
          "vLLM version not stated and no date from 2025-04 on -> V0 defaults"};
}

StackSettings sglang_settings(std::string_view framework, std::string_view notes) {
  constexpr SoftwareVersion kOverlapDefault{0, 4, 0};
  constexpr YearMonth kFirstOverlapMonth{2025, 1};  // the first full month after 0.4's release
  StackSettings s;
  s.engine = "sglang";
  std::string why;
  if (auto v = version_after(framework, "sglang")) {
    if (*v >= kOverlapDefault)
      why = "SGLang " + stack_version_text(*v) +
            " >= 0.4: overlap scheduler on by default (SGLang v0.4, 2024-12; recalled) -> "
            "runtime sglang-0.4";
  } else if (auto d = year_month_of_notes(notes); d && *d >= kFirstOverlapMonth) {
    why = fmt::format(
        "SGLang version not stated; date {}-{:02} is after SGLang 0.4 (2024-12, the overlap "
        "scheduler the default; recalled) -> runtime sglang-0.4",
        d->year, d->month);
  }
  if (why.empty()) {
    s.overrides = {"runtime=sglang"};  // the serial 0.3 profile (the preset runs 0.4's)
    return s;
  }
  s.overrides = {"runtime=sglang-0.4"};
  s.assumptions.push_back(std::move(why));
  return s;
}

StackSettings vllm_v1_settings(std::string_view notes, const std::string& hardware_id,
                               Bytes device_memory) {
  StackSettings s;
  s.engine = "vllm";
  // [VARG] _override_v1_engine_args / get_batch_defaults: the LLM class (offline entry point,
  // benchmark_throughput) and the OpenAI API server (benchmark_serving) get different token
  // budgets; GPUs with >= 70 GiB other than the A100 get the large ones (PR #17885: the larger
  // budget reduced A100 throughput).
  const bool llm_class = notes.find("benchmark_throughput") != std::string_view::npos ||
                         notes.find("llm class") != std::string_view::npos;
  const bool big = device_memory >= units::gib(70.0) && !hardware_id.starts_with("a100");
  const int64_t tokens = big ? (llm_class ? 16384 : 8192) : (llm_class ? 8192 : 2048);
  const int64_t seqs = big ? 1024 : 256;
  s.overrides = {fmt::format("max_num_tokens={}", tokens), fmt::format("max_batch={}", seqs),
                 "chunked_prefill=true", "prefix_caching=true"};
  s.assumptions.push_back(fmt::format(
      "vLLM V1 defaults ({}, {} GiB device{}): chunked prefill always on, token budget {}, "
      "max_num_seqs {}, prefix caching on, CUDA/HIP graphs (runtime vllm)",
      llm_class ? "LLM class / benchmark_throughput" : "API server",
      static_cast<int64_t>(std::lround(units::to_gib(device_memory))),
      big ? ", >= 70 GiB and not an A100" : ", < 70 GiB or an A100", tokens, seqs));
  return s;
}

int64_t perf_overview_request_count(int64_t isl, int64_t osl) {
  // TPO: prepare_dataset.py --num-requests per ISL/OSL pair (serving.md section 1d).
  struct P {
    int64_t isl, osl, n;
  };
  static constexpr P kPairs[] = {{128, 128, 30000},  {128, 2048, 3000},  {128, 4096, 1500},
                                 {2048, 128, 3000},  {2048, 2048, 1500}, {5000, 500, 1500},
                                 {1000, 1000, 3000}, {500, 2000, 3000},  {20000, 2000, 1000}};
  for (const P& p : kPairs)
    if (p.isl == isl && p.osl == osl) return p.n;
  return 0;
}

StackSettings trtllm_bench_settings(std::optional<SoftwareVersion> version, int pp,
                                    std::optional<int64_t> isl, std::optional<int64_t> osl) {
  StackSettings s;
  s.engine = "trtllm";
  const int p = std::max(pp, 1);
  // TTUNE calc_engine_setting: max batch = min(KV-cache requests, 4096) / pp. The KV bound is the
  // simulator's own (guaranteed_no_evict reserves ISL + OSL per request, the same count), so the
  // cap is what is set here.
  const int64_t max_batch = 4096 / p;
  // v1.0 runs the PyTorch backend through the LLM API (KvCacheConfig.tokens_per_block 32, kvcc);
  // 0.1x builds TensorRT engines whose block is 64 tokens (as the v0.10 rule; unverified).
  const bool llm_api = version && *version >= SoftwareVersion{1, 0, 0};
  s.overrides = {"runtime=tensorrt-llm-serve",
                 "admission=guaranteed_no_evict",
                 "chunked_prefill=true",
                 "memory_fraction=0.95",
                 fmt::format("max_batch={}", max_batch),
                 fmt::format("kv_block_size={}", llm_api ? 32 : 64)};
  std::string budget = "max_num_tokens 8192 (build default, TMBS; lengths not given)";
  if (isl && osl && *isl > 0 && *osl > 0) {
    // TTUNE: raw_tokens = min(raw_bs x (1 + ISL/OSL), 32768), floor 2048 ("Ctx/Gen overlap");
    // raw_bs is bounded by its 4096 / pp cap here (the KV-bounded batch is not known before the
    // run), an upper bound; TMBS measures throughput flat over budgets 2048-16384.
    const double raw = static_cast<double>(max_batch) *
                       (1.0 + static_cast<double>(*isl) / static_cast<double>(*osl));
    const auto tokens = std::max<int64_t>(2048, static_cast<int64_t>(std::min(raw, 32768.0)));
    s.overrides.push_back(fmt::format("max_num_tokens={}", tokens));
    s.overrides.push_back(fmt::format("max_model_len={}", *isl + *osl));
    budget = fmt::format(
        "max_num_tokens {} (TTUNE min(4096/pp x (1 + ISL/OSL), 32768), floor "
        "2048), max_seq_len ISL + OSL = {}",
        tokens, *isl + *osl);
    s.requests = perf_overview_request_count(*isl, *osl);
  }
  s.assumptions.push_back(fmt::format(
      "TensorRT-LLM {} trtllm-bench throughput: in-flight batching with CUDA-graph decode "
      "(runtime tensorrt-llm-serve), guaranteed_no_evict, KV fraction 0.95 of free memory (TPO), "
      "max_batch {} (TTUNE cap 4096/pp; the KV cache bounds the batch), {}, {}-token blocks, "
      "chunked context on (recalled, unverified for trtllm-bench)",
      version ? stack_version_text(*version) : "(version not stated)", max_batch, budget,
      llm_api ? 32 : 64));
  if (s.requests > 0)
    s.assumptions.push_back(
        fmt::format("request count not in the notes -> {} (perf-overview "
                    "dataset for ISL/OSL {}/{}, TPO)",
                    s.requests, *isl, *osl));
  return s;
}

StackSettings nvidia_mlperf_v5_settings(const std::string& model, const std::string& scenario) {
  StackSettings s;
  s.engine = "trtllm";
  // R51 closed/NVIDIA/configs/B200-SXM-180GBx8/* (serving.md section 3a).
  if (model == "llama-2-70b") {
    s.tp = 1;  // B200 FP4 TP1
    if (scenario == "mlperf_interactive")
      s.overrides = {"max_batch=768", "max_num_tokens=768"};
    else
      s.overrides = {"max_batch=2048", "max_num_tokens=3584"};
    s.overrides.insert(s.overrides.end(),
                       {"memory_fraction=0.95", "kv_block_size=32", "chunked_prefill=true"});
  } else if (model == "llama-3.1-405b") {
    s.overrides = {"max_batch=256", "max_num_tokens=2048", "kv_block_size=32"};
    if (scenario != "mlperf_offline") s.tp = 4;  // the Server config's TP4 (Offline: not read)
  } else if (model == "deepseek-r1") {
    s.overrides = {"max_num_tokens=3456", "chunked_prefill=false", "memory_fraction=0.9",
                   "kv_block_size=32"};
    // The Server config runs attention DP with the WIDEEP MoE backend (serving.md section 3a);
    // the Offline config was not read and is taken to share it (the same TensorRT-LLM PyTorch
    // engine). Without it, TP4 x 2 replicas of R1 hold 2.7M KV tokens where attention DP holds
    // 28.5M: Offline 15.0k against R51's measured 33.4k tokens/s (docs/validation.md).
    s.attention_dp = true;
  }
  if (!s.overrides.empty())
    s.assumptions.push_back("MLPerf v5.x NVIDIA harness: the v5.1 B200 FP4 config of " + model +
                            " (R51) over the v4.1 base: " + join(s.overrides) +
                            (s.tp > 0 ? fmt::format(", TP{}", s.tp) : std::string()) +
                            (s.attention_dp ? ", attention DP (experts ep = tp)" : std::string()));
  return s;
}

StackSettings nvidia_mlperf_v4_deployment(const std::string& model, const std::string& hardware_id,
                                          const std::string& scenario) {
  StackSettings s;
  s.engine = "trtllm";
  if (model != "llama-2-70b") return s;
  struct Config {
    const char* hardware;
    int tp, offline_batch, server_batch;
    const char* name;
  };
  // R41 closed/NVIDIA/configs/llama2-70b/{Offline,Server}/__init__.py (serving.md section 3a).
  // serving.md gives one "H100" config besides H100-NVL: it is taken for both 80 GB H100 cards,
  // SXM and PCIe. The degree follows from the memory, which the two share: at TP1 the FP8
  // weights (69 GB) leave an 80 GB card a few GB of KV cache (~100 sequences), which is why the
  // 80 and 94 GB H100 configs run TP2 and only the 141 GB H200 runs TP1. (2026-12-06: the PCIe
  // card had kept the degree search, which chose TP1 at batch ~170: Offline +65%, Server TPOT
  // -49% on MLP41-0021..0024, whose 135 ms TPOT is a TP2 replica's batch of ~270.)
  static constexpr std::array<Config, 4> kConfigs = {{
      {"h200-sxm-141gb", 1, 806, 896, "H200"},
      {"h100-sxm-80gb", 2, 896, 1024, "H100 SXM"},
      {"h100-pcie-80gb", 2, 896, 1024, "H100 PCIe (serving.md's H100 config: the 80 GB class)"},
      {"h100-nvl-94gb", 2, 1300, 640, "H100 NVL"},
  }};
  for (const Config& c : kConfigs) {
    if (hardware_id != c.hardware) continue;
    const bool offline = scenario == "mlperf_offline";
    const int batch = offline ? c.offline_batch : c.server_batch;
    s.tp = c.tp;
    s.overrides = {fmt::format("max_batch={}", batch)};
    s.assumptions.push_back(fmt::format(
        "NVIDIA's v4.1 llama2-70b config for {} (R41, serving.md section 3a): TP{}, batch {} "
        "({})",
        c.name, c.tp, batch, offline ? "Offline" : "Server; Interactive takes it too"));
  }
  return s;
}

StackSettings vllm_mlperf_settings(const std::string& model, const std::string& scenario,
                                   VllmGeneration generation) {
  StackSettings s;
  const bool v1 = generation == VllmGeneration::kV1;
  s.engine = v1 ? "vllm" : "vllm-v0";
  const bool offline = scenario == "mlperf_offline";
  // R41 closed/AMD/code/llama2-70b-99/VllmFp8 (serving.md section 3b): max_num_batched_tokens
  // 65536, max_num_seqs 2048 Offline / 768 Server, gpu_memory_utilization 0.99, block 16,
  // chunked prefill off (V0; V1 always chunks), max_model_len 2048 (llama2-70b's 1024 + 1024).
  s.overrides = {"max_num_tokens=65536", fmt::format("max_batch={}", offline ? 2048 : 768),
                 "memory_fraction=0.99", "kv_block_size=16", fmt::format("chunked_prefill={}", v1)};
  if (model == "llama-2-70b") s.overrides.emplace_back("max_model_len=2048");
  s.assumptions.push_back(fmt::format(
      "MLPerf on vLLM: AMD's v4.1 harness settings (R41 MI300X llama2-70b, applied to every "
      "benchmark and round): {} engine, max_num_batched_tokens 65536, max_num_seqs {}, "
      "gpu_memory_utilization 0.99, chunked prefill {}",
      v1 ? "V1" : "V0", offline ? 2048 : 768, v1 ? "on (V1 always chunks)" : "off"));
  return s;
}

}  // namespace xpusim
