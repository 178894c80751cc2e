// SPDX-License-Identifier: Apache-2.0
// `xpusim list datasets`, `xpusim show dataset ID|FILE` and `xpusim describe dataset`: the
// request-length datasets of serving benchmarks (data/datasets/), one dataset's distributions
// with their means as sampled, confidence, assumptions and MLPerf limits, and the dataset/v1
// schema. JSON keys follow the dataset/v1 paths; latency limits carry their unit (_ms).
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "xpusim/config/schema.h"
#include "xpusim/report/table.h"
#include "xpusim/serving/dataset.h"

namespace xpusim::cli {
namespace {

using nlohmann::ordered_json;

std::string conf(Confidence c) { return std::string(to_string(c)); }

ordered_json optional_ms(const std::optional<Seconds>& s) {
  return s ? ordered_json(s->value() * 1e3) : ordered_json(nullptr);
}

ordered_json distribution_json(const LengthDistribution& d) {
  ordered_json q = ordered_json::array();
  for (const auto& [p, len] : d.quantiles) q.push_back({p, len});
  return {{"kind", std::string(to_string(d.kind))},
          {"mean", d.mean},
          {"stdev", d.stdev},
          {"quantiles", q},
          {"min", d.min},
          {"max", d.max},
          {"confidence", conf(d.confidence)},
          {"mean_confidence", conf(d.mean_confidence)},
          {"note", d.note}};
}

ordered_json mlperf_json(const MlperfRules& m) {
  return {{"benchmark", m.benchmark},
          {"first_version", m.first_version},
          {"server",
           {{"ttft_p99_ms", optional_ms(m.server_ttft_p99)},
            {"tpot_p99_ms", optional_ms(m.server_tpot_p99)},
            {"e2e_p99_ms", optional_ms(m.server_e2e_p99)},
            {"min_query_count", m.server_min_query_count}}},
          {"interactive",
           {{"first_version", m.interactive_first_version.empty()
                                  ? ordered_json(nullptr)
                                  : ordered_json(m.interactive_first_version)},
            {"ttft_p99_ms", optional_ms(m.interactive_ttft_p99)},
            {"tpot_p99_ms", optional_ms(m.interactive_tpot_p99)}}},
          {"min_duration_s", m.min_duration.value()},
          {"min_query_count", m.min_query_count},
          {"inferred_tokens_per_sample", m.inferred_tokens_per_sample
                                             ? ordered_json(*m.inferred_tokens_per_sample)
                                             : ordered_json(nullptr)},
          {"confidence", conf(m.confidence)},
          {"note", m.note}};
}

ordered_json spec_json(const DatasetSpec& d) {
  ordered_json j;
  j["schema"] = dataset_schema().name();
  j["id"] = d.id;
  j["description"] = d.description;
  j["source"] = d.source;
  j["size"] = d.size;
  j["beam_width"] = d.beam_width;
  j["input"] = distribution_json(d.input);
  j["output"] = distribution_json(d.output);
  j["filters"] = {{"max_input_len", d.max_input_len}, {"max_total_len", d.max_total_len}};
  j["prefix"] = {{"len", d.prefix.len}, {"groups", d.prefix.groups}};
  j["mlperf"] = d.mlperf ? mlperf_json(*d.mlperf) : ordered_json(nullptr);
  return j;
}

std::string ms_text(const std::optional<Seconds>& s) {
  return s ? fmt::format("{:g} ms", s->value() * 1e3) : std::string("-");
}

void list_datasets_cmd(const GlobalOptions& g) {
  Table table({"id", "size", "input_mean", "input_conf", "output_mean", "output_conf", "mlperf"});
  ordered_json rows = ordered_json::array();
  Diagnostics diags;
  for (const auto& id : list_datasets()) {
    auto d = load_dataset(id, g.overrides);
    if (!d) {
      diags.insert(diags.end(), d.error().begin(), d.error().end());
      continue;
    }
    LengthMeans m = effective_means(*d);
    std::string bench = d->mlperf ? d->mlperf->benchmark : "-";
    table.add_row({d->id, std::to_string(d->size), fixed(m.input, 1),
                   conf(d->input.mean_confidence), fixed(m.output, 1),
                   conf(d->output.mean_confidence), bench});
    rows.push_back({{"id", d->id},
                    {"size", d->size},
                    {"input_mean", m.input},
                    {"input_mean_confidence", conf(d->input.mean_confidence)},
                    {"output_mean", m.output},
                    {"output_mean_confidence", conf(d->output.mean_confidence)},
                    {"mlperf_benchmark", d->mlperf ? ordered_json(bench) : ordered_json(nullptr)},
                    {"assumptions", d->assumptions.size()}});
  }
  if (!diags.empty()) throw InputError(diags);
  if (g.format == "json")
    print(rows.dump(2) + "\n");
  else if (g.format == "csv")
    print_tidy_csv(rows, g);  // a row per preset, the JSON's keys as columns
  else
    print(table.to_text() + "input/output means as sampled (truncation and filters applied)\n");
}

void show_dataset(const std::string& id_or_file, const GlobalOptions& g) {
  DatasetSpec d = value_or_throw(load_dataset(id_or_file, g.overrides));
  LengthMeans m = effective_means(d);

  if (g.format != "table") {
    ordered_json j;
    j["id"] = d.id;
    j["effective_means"] = {{"input", m.input},
                            {"output", m.output},
                            {"filter_acceptance", m.acceptance}};
    j["assumptions"] = d.assumptions;
    j["spec"] = spec_json(d);
    if (g.format == "csv") print_tidy_csv(j, g);  // one row, the JSON's flattened keys
    else print(j.dump(2) + "\n");
    return;
  }

  Table lengths({"length", "kind", "mean", "stdev", "min", "max", "mean_as_sampled", "confidence",
                 "mean_confidence"});
  auto add = [&](const char* name, const LengthDistribution& l, double sampled) {
    const bool param = l.kind == LengthDistribution::Kind::kNormal ||
                       l.kind == LengthDistribution::Kind::kLognormal;
    lengths.add_row({name, std::string(to_string(l.kind)),
                     l.mean > 0 ? fmt::format("{:g}", l.mean) : "-",
                     param ? fmt::format("{:g}", l.stdev) : "-", std::to_string(l.min),
                     std::to_string(l.max),
                     fixed(sampled, 1), conf(l.confidence), conf(l.mean_confidence)});
  };
  add("input", d.input, m.input);
  add("output", d.output, m.output);

  std::string out = fmt::format("{} ({} requests)\n  {}\n  source: {}\n", d.id, d.size,
                                d.description, d.source);
  out += fmt::format("  beam width {}", d.beam_width);
  if (d.max_input_len > 0 || d.max_total_len > 0) {
    std::vector<std::string> filters;
    if (d.max_input_len > 0) filters.push_back(fmt::format("prompt <= {}", d.max_input_len));
    if (d.max_total_len > 0)
      filters.push_back(fmt::format("prompt + answer <= {}", d.max_total_len));
    out += fmt::format("; filters: {} ({:.2f}% of pairs pass)", fmt::join(filters, ", "),
                       100.0 * m.acceptance);
  }
  if (d.prefix.len > 0)
    out += fmt::format("; shared prefix of {} tokens, {} groups", d.prefix.len, d.prefix.groups);
  out += "\n\n" + lengths.to_text();
  for (const auto& [name, l] : {std::pair{"input", &d.input}, std::pair{"output", &d.output}}) {
    if (l->kind == LengthDistribution::Kind::kQuantiles) {
      std::string q;
      for (const auto& [p, len] : l->quantiles)
        q += fmt::format("{}{:g}:{:g}", q.empty() ? "" : ", ", p, len);
      out += fmt::format("  {} quantiles: {}\n", name, q);
    }
  }
  out += fmt::format("  input: {}\n  output: {}\n", d.input.note, d.output.note);
  if (d.mlperf) {
    const MlperfRules& r = *d.mlperf;
    out += fmt::format("\nMLPerf {} (from {}; rules {})\n", r.benchmark, r.first_version,
                       conf(r.confidence));
    if (r.server_e2e_p99)
      out += fmt::format("  Server: p99 end-to-end {}", ms_text(r.server_e2e_p99));
    else
      out += fmt::format("  Server: p99 TTFT {}, p99 TPOT {}", ms_text(r.server_ttft_p99),
                         ms_text(r.server_tpot_p99));
    out += fmt::format(", min_query_count {}\n", r.server_min_query_count);
    if (r.interactive_ttft_p99 || r.interactive_tpot_p99)
      out += fmt::format("  Interactive{}: p99 TTFT {}, p99 TPOT {}\n",
                         r.interactive_first_version.empty()
                             ? std::string()
                             : " (from " + r.interactive_first_version + ")",
                         ms_text(r.interactive_ttft_p99), ms_text(r.interactive_tpot_p99));
    out += fmt::format("  min_duration {:g} s, Offline min_query_count {}\n",
                       r.min_duration.value(), r.min_query_count);
    if (r.inferred_tokens_per_sample)
      out += fmt::format("  tokens/s reported as {:g} x samples/s\n",
                         *r.inferred_tokens_per_sample);
    out += "  " + r.note + "\n";
  }
  if (!d.assumptions.empty()) {
    out += "\nassumptions:\n";
    for (const auto& a : d.assumptions) out += "  - " + a + "\n";
  }
  print(out);
}

void describe_dataset(const GlobalOptions& g) {
  print_schema(dataset_schema().name(), dataset_schema().fields(), g);
}

}  // namespace

void add_dataset_commands(CLI::App& app, GlobalOptions& global) {
  GlobalOptions* g = &global;
  add_spec_commands(
      app, {.noun = "dataset",
            .list_name = "datasets",
            .list_help = "request-length datasets with their means as sampled",
            .show_help =
                "a dataset's length distributions, means as sampled, assumptions and limits",
            .show_arg = "dataset",
            .show_arg_help = "dataset id or dataset/v1 YAML file",
            .describe_help = "the dataset/v1 schema: every field, its range and meaning",
            .list = [g] { list_datasets_cmd(*g); },
            .show = [g](const std::string& id) { show_dataset(id, *g); },
            .describe = [g] { describe_dataset(*g); }});
}

}  // namespace xpusim::cli
