// SPDX-License-Identifier: Apache-2.0
// `xpusim explore SPACE.yaml` (evaluate the designs of a space/v1 file and print the Pareto
// front), `xpusim pareto --db FILE` (the front of a results database, also one an interrupted run
// left) and `xpusim describe space`. Command names, flags and JSON keys are a contract.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "xpusim/base/text.h"
#include "xpusim/config/document.h"
#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/explorer.h"
#include "xpusim/dse/pareto.h"
#include "xpusim/dse/progress.h"
#include "xpusim/dse/result_db.h"
#include "xpusim/dse/space.h"
#include "xpusim/report/chart_data.h"
#include "xpusim/report/table.h"

namespace xpusim::cli {
namespace {

using json = nlohmann::ordered_json;


[[noreturn]] void input_error(const std::string& flag, const std::string& message) {
  throw InputError(Diagnostics{Diagnostic{.file = "<command line>", .path = flag, .message = message}});
}

// Bounds of the flags (numeric_flags.h style).
constexpr IntBound kMaxDesignsBound{1, int64_t{1} << 40, "designs of a grid"};
constexpr IntBound kMaxEvalsBound{1, int64_t{1} << 40, "designs to evaluate"};
constexpr IntBound kThreadsBound{1, 1024, "worker threads"};
// What every design's figures assume (issue 8: power is a constraint, never free).
constexpr const char* kAssumptions =
    "power per device is the power model's estimate capped at the TDP, with the clock unchanged "
    "(power-limited clocks are not modelled); cost is manufacturing per good package; economics "
    "as `xpusim run` with its defaults";

// Designs per block: evaluated together, written in one transaction.
constexpr size_t kBlock = 256;

json parameter_json(const SpaceParameter& p, const ParameterValue& v) {
  if (p.field.kind == FieldKind::kInteger && v.number) return json(static_cast<int64_t>(*v.number));
  if (p.field.kind == FieldKind::kBool) return json(v.text == "true");
  if (v.number) return json(*v.number);
  return json(v.text);
}

std::string parameter_csv(const ParameterValue& v) { return v.text.substr(0, v.text.find(' ')); }

void print_front(const GlobalOptions& g, const SpaceSpec& space, const FrontBuilder& fb,
                 const std::string& header, const std::string& html = "",
                 const DesignSample* sample = nullptr) {
  const std::vector<DesignResult> front = fb.front();
  if (g.format == "json" || !html.empty()) {
    json j;
    json designs = json::array();
    for (const auto& r : front) {
      json d;
      d["design_id"] = r.design_id;
      d["design_index"] = r.index;
      json params;
      const auto c = space.choice(r.index);
      for (size_t i = 0; i < c.size(); ++i)
        params[space.parameters[i].path] = parameter_json(space.parameters[i], space.parameters[i].values[c[i]]);
      d["parameters"] = params;
      json metrics;
      for (const auto& m : metric_infos()) {
        const double v = r.metrics[static_cast<size_t>(m.metric)];
        metrics[std::string(m.name)] = std::isfinite(v) ? json(round6(v)) : json(nullptr);
      }
      d["metrics"] = metrics;
      designs.push_back(d);
    }
    j["designs"] = designs;
    j["evaluated"] = fb.evaluated();
    j["feasible"] = fb.feasible();
    j["within_constraints"] = fb.within_constraints();
    json inf = json::object();
    for (const auto& [k, n] : fb.infeasible()) inf[k] = n;
    j["infeasible"] = inf;
    json objs = json::array();
    for (const auto& o : fb.objectives())
      objs.push_back({{"metric", std::string(metric_name(o.metric))}, {"goal", o.maximize ? "max" : "min"}});
    j["objectives"] = objs;
    j["assumptions"] = kAssumptions;
    write_html(html, HtmlReportKind::kPareto, j, sample ? sample->to_json() : json(nullptr), g);
    if (g.format == "json") {
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
  }
  std::vector<std::string> cols = {"design_id"};
  for (const auto& p : space.parameters) cols.push_back(p.path);
  if (g.format == "csv") {
    for (const auto& m : metric_infos()) cols.emplace_back(m.name);
  } else {
    for (const auto& o : fb.objectives()) cols.emplace_back(metric_name(o.metric));
  }
  Table t(cols);
  for (const auto& r : front) {
    std::vector<std::string> row = {r.design_id};
    const auto c = space.choice(r.index);
    for (size_t i = 0; i < c.size(); ++i) {
      const ParameterValue& v = space.parameters[i].values[c[i]];
      row.push_back(g.format == "csv" ? parameter_csv(v) : v.display);
    }
    if (g.format == "csv") {
      for (double v : r.metrics) row.push_back(std::isfinite(v) ? fmt::format("{:.10g}", v) : "");
    } else {
      for (const auto& o : fb.objectives()) row.push_back(sig(r.metrics[static_cast<size_t>(o.metric)], 5));
    }
    t.add_row(row);
  }
  if (g.format == "csv") {
    std::fputs(t.to_csv().c_str(), stdout);
    return;
  }
  std::string infeasible;
  for (const auto& [k, n] : fb.infeasible())
    infeasible += fmt::format("{}{} {}", infeasible.empty() ? "" : ", ", k, n);
  std::printf("%s", header.c_str());
  std::printf("evaluated %llu designs: %llu feasible, %llu within the constraints; infeasible: %s\n",
              static_cast<unsigned long long>(fb.evaluated()),
              static_cast<unsigned long long>(fb.feasible()),
              static_cast<unsigned long long>(fb.within_constraints()),
              infeasible.empty() ? "none" : infeasible.c_str());
  std::string objs;
  for (const auto& o : fb.objectives())
    objs += fmt::format("{}{} {}", objs.empty() ? "" : ", ", metric_name(o.metric), o.maximize ? "max" : "min");
  std::printf("assumed: %s\n", kAssumptions);
  std::printf("Pareto front: %zu design%s (%s)\n", front.size(), front.size() == 1 ? "" : "s",
              objs.c_str());
  if (!front.empty()) std::fputs(t.to_text().c_str(), stdout);
}

// ---- explore ----------------------------------------------------------------------------------
struct ExploreOptions {
  std::string space;
  std::string strategy = "grid";
  std::optional<int64_t> max_evals;
  int64_t max_designs = static_cast<int64_t>(kDefaultMaxDesigns);
  int64_t seed = 0;
  std::optional<int64_t> threads;
  std::string db;
  bool resume = false;
  bool quiet = false;
};

// The progress line on stderr, redrawn in place at most 4 times a second and left on the screen
// at the end; only when stderr is a terminal (never in a pipe, a file or a test) and not --quiet.
class ProgressLine {
 public:
  ProgressLine(uint64_t total, bool quiet) : enabled_(!quiet && total > 0 && ::isatty(STDERR_FILENO)) {
    p_.total = total;
  }
  void add(const std::vector<DesignResult>& block) {
    if (!enabled_) return;
    p_.done += block.size();
    for (const auto& r : block) p_.feasible += r.feasibility.feasible() ? 1 : 0;
    const auto now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    draw();
  }
  void finish() {
    if (!enabled_) return;
    p_.finished = true;
    draw();
    std::fputc('\n', stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  void draw() {
    p_.elapsed = Seconds(std::chrono::duration<double>(Clock::now() - start_).count());
    std::fprintf(stderr, "\rexplore: %s\033[K", progress_text(p_).c_str());
    std::fflush(stderr);
  }
  bool enabled_;
  SearchProgress p_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_ = start_;
};

void run_explore(const ExploreOptions& o, const GlobalOptions& g) {
  if (!g.overrides.empty())
    input_error("--set", "explore takes no --set: a field that varies is a parameter of the space, "
                         "one that does not is set in the base hardware file");
  if (o.resume && o.db.empty()) input_error("--resume", "--resume needs --db FILE to resume from");
  const bool grid = o.strategy == "grid";
  const auto max_designs = static_cast<uint64_t>(o.max_designs);
  // A grid is bounded by --max-designs before anything is evaluated; a random or lhs search by
  // the designs it evaluates.
  SpaceSpec space = value_or_throw(load_space(o.space, grid ? std::optional(max_designs) : std::nullopt));
  const uint64_t total = space.grid_size();
  if (!grid && !o.max_evals && total > max_designs)
    input_error("--max-evals", fmt::format("--strategy {} over a space of {} designs (more than "
                                           "--max-designs {}) needs --max-evals N",
                                           o.strategy, total, max_designs));
  if (!grid && o.max_evals && static_cast<uint64_t>(*o.max_evals) > max_designs)
    input_error("--max-evals", fmt::format("{} is more than --max-designs {}", *o.max_evals, max_designs));
  const DesignEvaluator evaluator = value_or_throw(DesignEvaluator::create(space));
  const SearchStrategy strategy = grid                    ? SearchStrategy::kGrid
                                  : o.strategy == "random" ? SearchStrategy::kRandom
                                                           : SearchStrategy::kLatinHypercube;
  std::vector<uint64_t> indices =
      search_indices(space, strategy, o.max_evals ? static_cast<uint64_t>(*o.max_evals) : 0,
                     static_cast<uint64_t>(o.seed));
  // lhs keeps a design drawn twice once (only when --max-evals exceeds every value count).
  const uint64_t repeats =
      strategy == SearchStrategy::kLatinHypercube && o.max_evals && static_cast<uint64_t>(*o.max_evals) < total
          ? static_cast<uint64_t>(*o.max_evals) - indices.size()
          : 0;
  std::unique_ptr<ResultDb> db;
  uint64_t skipped = 0;
  if (!o.db.empty()) {
    const std::string text = value_or_throw(read_text_file(o.space));
    space.inputs_digest = evaluator.inputs_digest();  // a changed preset is another space
    db = value_or_throw(ResultDb::open_for_search(o.db, space, text, o.resume));
    const auto stored = db->stored_indices();
    const size_t before = indices.size();
    std::erase_if(indices, [&](uint64_t i) { return stored.contains(i); });
    skipped = before - indices.size();
  }
  const int threads = static_cast<int>(
      o.threads.value_or(std::max(1u, std::thread::hardware_concurrency())));
  FrontBuilder fb(space.objectives, space.constraints);
  ProgressLine progress(indices.size(), o.quiet);
  evaluate_designs(evaluator, indices, threads, kBlock, [&](std::vector<DesignResult>& block) {
    if (db) db->write(space, block);
    else for (const auto& r : block) fb.add(r);
    progress.add(block);
  });
  progress.finish();
  if (db) db->for_each([&](const DesignResult& r) { fb.add(r); });
  const std::string header =
      fmt::format("space {}: {} designs in the grid; {} strategy; {} evaluated now{}{}\n", o.space,
                  total, o.strategy, indices.size(),
                  repeats ? fmt::format(" ({} drawn twice, kept once)", repeats) : std::string(),
                  db ? fmt::format(", {} already in {}", skipped, o.db) : std::string());
  print_front(g, space, fb, header);
}

// ---- pareto -----------------------------------------------------------------------------------
struct ParetoOptions {
  std::string db;
  std::string objectives;
  std::string html;  // --html FILE
};

void run_pareto(const ParetoOptions& o, const GlobalOptions& g) {
  auto db = value_or_throw(ResultDb::open_for_reading(o.db));
  const std::string file = db->meta("space_file");
  const Document doc = value_or_throw(Document::from_yaml(db->meta("space_text"), file, true));
  SpaceSpec space = value_or_throw(parse_space(doc, std::nullopt));
  if (!o.objectives.empty())
    space.objectives = value_or_throw(parse_objectives(o.objectives, "--objectives"));
  FrontBuilder fb(space.objectives, space.constraints);
  DesignSample sample(space, space.objectives, space.constraints);  // for --html
  db->for_each([&](const DesignResult& r) {
    if (r.index >= space.grid_size()) return;
    fb.add(r);
    if (!o.html.empty()) sample.add(r);
  });
  print_front(g, space, fb, fmt::format("results {} (space {})\n", o.db, file), o.html, &sample);
}

}  // namespace

void add_dse_commands(CLI::App& app, GlobalOptions& g) {
  auto e = std::make_shared<ExploreOptions>();
  auto* explore = app.add_subcommand("explore", "evaluate the designs of a space/v1 file and print "
                                                "the Pareto front");
  explore->add_option("space", e->space, "space/v1 YAML file")->required();
  explore->add_option("--strategy", e->strategy,
                      "grid (every design), random (seeded sample) or lhs (seeded Latin "
                      "hypercube over the parameters' values)")
      ->check(CLI::IsMember({"grid", "random", "lhs"}))
      ->capture_default_str();
  bound_int(explore->add_option("--max-evals", e->max_evals,
                                "designs to evaluate (grid: the first N; random: a sample of N)"),
            kMaxEvalsBound);
  bound_int(explore->add_option("--max-designs", e->max_designs,
                                "largest grid accepted before any evaluation")
                ->capture_default_str(),
            kMaxDesignsBound);
  bound_int(explore->add_option("--seed", e->seed, "seed of the random and lhs strategies")->capture_default_str(),
            bounds::kSeed);
  bound_int(explore->add_option("--threads", e->threads,
                                "worker threads (default: the hardware threads); results do not "
                                "depend on it"),
            kThreadsBound);
  explore->add_option("--db", e->db, "SQLite file to write every design's result to");
  explore->add_flag("--resume", e->resume,
                    "continue the search in --db: skip the designs it already holds");
  explore->add_flag("--quiet", e->quiet,
                    "no progress line (written to stderr only when it is a terminal)");
  explore->callback([e, &g] { run_explore(*e, g); });

  auto p = std::make_shared<ParetoOptions>();
  auto* pareto = app.add_subcommand("pareto", "print the Pareto front of a results database");
  pareto->add_option("--db", p->db, "SQLite file written by `xpusim explore --db`")->required();
  pareto->add_option("--objectives", p->objectives,
                     "objectives instead of the space's, e.g. output_tokens_per_s_per_device:max,"
                     "manufacturing_cost_usd:min");
  add_html_option(pareto, p->html);
  pareto->callback([p, &g] { run_pareto(*p, g); });

  add_sensitivity_command(app, g);

  if (auto* describe = app.get_subcommand("describe")) {
    describe->add_subcommand("space", "print the space/v1 schema (design-space files)")
        ->callback([&g] {
          print_schema(kSpaceSchemaName, space_fields(), g);
          if (g.format != "json") {
            std::string names;
            for (const auto& m : metric_infos())
              names += fmt::format("  {:<36}{}\n", m.name, m.description);
            std::printf("\nmetrics (objectives and constraints):\n%s", names.c_str());
          }
        });
  }
}

}  // namespace xpusim::cli
