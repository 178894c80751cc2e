// SPDX-License-Identifier: Apache-2.0
#include "xpusim/serving/engine_profile.h"

#include <array>
#include <filesystem>

#include <fmt/format.h>

#include "xpusim/base/text.h"
#include "xpusim/config/presets.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/perf/runtime_profile.h"

namespace xpusim {
namespace {

using E = EngineProfile;

// Upper bound of the count fields: rejects typos with extra digits, as model_schema.cc does
// (the largest published engine budgets are ~1e5 tokens and a few thousand sequences).
constexpr double kMaxCount = 1e8;

constexpr std::array kSchedules = {SchedulePolicy::kDecodeFirst, SchedulePolicy::kPrefillFirst};
constexpr std::array kAdmissions = {AdmissionPolicy::kGuaranteedNoEvict,
                                    AdmissionPolicy::kMaxUtilization};
constexpr std::array kFractionOf = {MemoryFractionOf::kFree, MemoryFractionOf::kTotal};

template <class F>
Field<E> field(std::string path, F ref, std::string description, FieldOptions opt = {}) {
  return make_field<E>(std::move(path), ref, std::move(description), std::move(opt));
}

// A choice field stored into an enum member; the choices are the enum's to_string names.
template <class Enum, size_t N>
Field<E> enum_field(std::string path, Enum E::*member, const std::array<Enum, N>& values,
                    std::string description) {
  FieldInfo info;
  info.path = std::move(path);
  info.kind = FieldKind::kChoice;
  info.required = true;
  info.description = std::move(description);
  for (Enum v : values) info.choices.emplace_back(to_string(v));
  auto store = [member, values](E& spec, const FieldValue& v) {
    for (Enum e : values)
      if (to_string(e) == v.text) spec.*member = e;
  };
  return Field<E>{std::move(info), std::move(store)};
}

std::vector<std::string> known_runtimes() {
  return runtime_names(default_calibration().runtimes);
}

// The cross-field checks, on the spec itself (a design search sets fields on a parsed profile
// and checks it without re-reading its document; Schema::check).
void check_engine(const E& s, const FieldSource& src, Diagnostics& diags) {
  // The field range is [0, 0.5] (schema.h has no exclusive maximum); 0.5 itself is rejected
  // here: keeping half of the cache free at every admission is no longer a watermark.
  if (s.watermark >= 0.5) {
    diags.push_back(src.at("watermark", fmt::format("value \"{}\" is out of range; allowed: >= 0 "
                                                    "and < 0.5",
                                                    s.watermark)));
  }
  auto runtimes = known_runtimes();
  bool known = false;
  for (const auto& r : runtimes) known = known || r == s.runtime;
  if (!known) {
    std::string msg = "unknown runtime profile \"" + s.runtime + "\"";
    if (auto m = closest_match(s.runtime, runtimes)) msg += "; did you mean \"" + *m + "\"?";
    msg += " Known: " + join(runtimes);
    diags.push_back(src.at("runtime", std::move(msg)));
  }
}

}  // namespace

std::string_view to_string(SchedulePolicy p) {
  switch (p) {
    case SchedulePolicy::kDecodeFirst: return "decode_first";
    case SchedulePolicy::kPrefillFirst: return "prefill_first";
  }
  return "?";
}

std::string_view to_string(AdmissionPolicy p) {
  switch (p) {
    case AdmissionPolicy::kGuaranteedNoEvict: return "guaranteed_no_evict";
    case AdmissionPolicy::kMaxUtilization: return "max_utilization";
  }
  return "?";
}

std::string_view to_string(MemoryFractionOf m) {
  switch (m) {
    case MemoryFractionOf::kFree: return "free";
    case MemoryFractionOf::kTotal: return "total";
  }
  return "?";
}

const Schema<EngineProfile>& engine_schema() {
  static const Schema<EngineProfile> schema(
      "engine/v1",
      {
          field("description", [](E& s) -> auto& { return s.description; },
                "the engine and version whose defaults the file describes",
                FieldOptions{.required = false}),
          field("runtime", [](E& s) -> auto& { return s.runtime; },
                "runtime profile whose software overheads apply (data/calibration/default.yaml): one of " +
                    join(known_runtimes())),
          field("max_batch", [](E& s) -> auto& { return s.max_batch; },
                "most sequences in one iteration (vLLM max_num_seqs, TensorRT-LLM "
                "max_batch_size, SGLang max_running_requests)",
                FieldOptions{.min = 1, .max = kMaxCount}),
          field("max_num_tokens", [](E& s) -> auto& { return s.max_num_tokens; },
                "token budget of one iteration, prefill + decode tokens (vLLM "
                "max_num_batched_tokens, TensorRT-LLM max_num_tokens, SGLang "
                "chunked_prefill_size)",
                FieldOptions{.min = 1, .max = kMaxCount}),
          field("chunked_prefill", [](E& s) -> auto& { return s.chunked_prefill; },
                "a prompt may be split over iterations (else a prompt needs max_num_tokens >= "
                "its length)"),
          enum_field("schedule", &E::schedule, kSchedules,
                     "which work an iteration takes first: decode_first (running decodes, then "
                     "prefill in the remaining budget) or prefill_first (a prefill iteration "
                     "whenever a prompt can be admitted)"),
          enum_field("admission", &E::admission, kAdmissions,
                     "guaranteed_no_evict (KV for prompt + every output token reserved up "
                     "front) or max_utilization (prompt only; preempt and recompute when full)"),
          field("kv_block_size", [](E& s) -> auto& { return s.kv_block_size; },
                "tokens per KV-cache block (paged attention; 1 = token-granular)",
                FieldOptions{.min = 1, .max = 1024}),
          field("memory_fraction", [](E& s) -> auto& { return s.memory_fraction; },
                "fraction of device memory the engine uses (see memory_fraction_of)",
                FieldOptions{.min = 0, .max = 1, .min_exclusive = true}),
          enum_field("memory_fraction_of", &E::memory_fraction_of, kFractionOf,
                     "what memory_fraction is a fraction of: free (left after weights and "
                     "activations, the KV cache gets it all) or total (the whole device, "
                     "weights included)"),
          field("watermark", [](E& s) -> auto& { return s.watermark; },
                "fraction of KV blocks kept free when admitting a request; must be < 0.5",
                FieldOptions{.default_text = "0", .min = 0, .max = 0.5}),
          field("prefix_caching", [](E& s) -> auto& { return s.prefix_caching; },
                "KV blocks of a shared prompt prefix are reused across requests",
                FieldOptions{.default_text = "false"}),
          field("scheduler_steps", [](E& s) -> auto& { return s.scheduler_steps; },
                "decode iterations per scheduler invocation (vLLM multi-step scheduling)",
                FieldOptions{.default_text = "1", .min = 1, .max = 64}),
          field("max_model_len", [](E& s) -> auto& { return s.max_model_len; },
                "longest prompt + output accepted, in tokens (0 = the model's context length)",
                FieldOptions{.default_text = "0", .min = 0, .max = kMaxCount}),
      },
      check_engine);
  return schema;
}

Result<SourcedSpec<EngineProfile>> parse_engine_sourced(Document doc,
                                                         const std::vector<std::string>& overrides) {
  if (auto r = doc.apply_overrides(overrides); !r) return tl::unexpected(r.error());
  auto spec = engine_schema().parse_sourced(doc);
  if (!spec) return spec;
  spec->spec.id = std::filesystem::path(doc.file()).stem().string();
  return spec;
}

Result<EngineProfile> parse_engine_document(Document doc,
                                            const std::vector<std::string>& overrides) {
  auto spec = parse_engine_sourced(std::move(doc), overrides);
  if (!spec) return tl::unexpected(spec.error());
  return std::move(spec->spec);
}

Result<EngineProfile> load_engine(const std::string& id_or_file,
                                  const std::vector<std::string>& overrides) {
  auto path = resolve_preset_path("engines", id_or_file, "engine");
  if (!path) return tl::unexpected(path.error());
  auto doc = Document::load_yaml_file(*path);
  if (!doc) return tl::unexpected(doc.error());
  return parse_engine_document(std::move(*doc), overrides);
}

}  // namespace xpusim
