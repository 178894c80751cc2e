// SPDX-License-Identifier: Apache-2.0
// `xpusim explore SPACE.yaml` (evaluate the designs of a space/v1 file and print the Pareto
// front), `xpusim pareto --db FILE` (the front of a results database, also one an interrupted run
// left) and `xpusim describe space`. Command names, flags and JSON keys are a contract. The
// search and the JSON are api/dse.h's; this file prints the front and the progress line.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "xpusim/api/dse.h"
#include "xpusim/base/text.h"
#include "xpusim/dse/progress.h"
#include "xpusim/report/table.h"

namespace xpusim::cli {
namespace {

using api::kMaxDesignsBound;
using api::kMaxEvalsBound;
using api::kThreadsBound;

std::string parameter_csv(const ParameterValue& v) { return v.text.substr(0, v.text.find(' ')); }

void print_front(const GlobalOptions& g, const api::FrontOutcome& out, const std::string& header) {
  if (g.format == "json") {
    std::printf("%s\n", out.json.dump(2).c_str());
    return;
  }
  const SpaceSpec& space = out.space;
  const FrontBuilder& fb = out.front;
  const std::vector<DesignResult> front = fb.front();
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
  std::printf("assumed: %s\n", api::kDesignAssumptions);
  std::printf("Pareto front: %zu design%s (%s)\n", front.size(), front.size() == 1 ? "" : "s",
              objs.c_str());
  if (!front.empty()) std::fputs(t.to_text().c_str(), stdout);
}

// ---- explore ----------------------------------------------------------------------------------
// The flags are the request (api/dse.h) plus what only the command line has.
struct ExploreOptions : api::ExploreRequest {
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
  api::ExploreRequest request = o;
  request.overrides = g.overrides;
  std::optional<ProgressLine> progress;
  request.on_start = [&](uint64_t designs) { progress.emplace(designs, o.quiet); };
  request.on_block = [&](const std::vector<DesignResult>& block) { progress->add(block); };
  const api::FrontOutcome out = value_or_throw(api::explore_scenario(request));
  if (progress) progress->finish();
  const std::string header = fmt::format(
      "space {}: {} designs in the grid; {} strategy; {} evaluated now{}{}\n", o.space,
      out.grid_designs, o.strategy, out.evaluated_now,
      out.drawn_twice ? fmt::format(" ({} drawn twice, kept once)", out.drawn_twice) : std::string(),
      o.db.empty() ? std::string() : fmt::format(", {} already in {}", out.already_in_db, o.db));
  print_front(g, out, header);
}

// ---- pareto -----------------------------------------------------------------------------------
struct ParetoOptions : api::ParetoRequest {};

void run_pareto(const ParetoOptions& o, const GlobalOptions& g) {
  const api::FrontOutcome out = value_or_throw(api::pareto_scenario(o));
  print_front(g, out, fmt::format("results {} (space {})\n", o.db, out.space.file));
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
