// SPDX-License-Identifier: Apache-2.0
// `xpusim explore SPACE.yaml` (evaluate the designs of a space/v1 file and print the Pareto
// front), `xpusim pareto --db FILE` (the front of a results database, also one an interrupted run
// left) and `xpusim describe space`. Command names, flags and JSON keys are a contract.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/progress_line.h"
#include "cli/numeric_flags.h"
#include "xpusim/api/dse.h"
#include "xpusim/base/text.h"
#include "xpusim/config/document.h"
#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/explorer.h"
#include "xpusim/dse/nsga2_search.h"
#include "xpusim/dse/pareto.h"
#include "xpusim/dse/rank_group.h"
#include "xpusim/dse/result_db.h"
#include "xpusim/dse/result_writer.h"
#include "xpusim/dse/space.h"
#include "xpusim/report/chart_data.h"
#include "xpusim/report/result_fields.h"
#include "xpusim/report/table.h"
#include "xpusim/units/unit_parser.h"

namespace xpusim::cli {
namespace {

using json = nlohmann::ordered_json;


[[noreturn]] void input_error(const std::string& flag, const std::string& message) {
  throw InputError(Diagnostics{Diagnostic{.file = "<command line>", .path = flag, .message = message}});
}

using api::kMaxDesignsBound;
using api::kMaxEvalsBound;
using api::kThreadsBound;

// Designs per block: evaluated together, written in one transaction.
constexpr size_t kBlock = 256;

void print_front(const GlobalOptions& g, const api::FrontOutcome& out, const std::string& header,
                 const std::string& html = "", const DesignSample* sample = nullptr) {
  write_html(html, HtmlReportKind::kPareto, out.json, sample ? sample->to_json() : json(nullptr), g);
  if (g.format == "json") {
    std::printf("%s\n", out.json.dump(2).c_str());
    return;
  }
  if (g.format == "csv") {  // a row per design of the front, the search's counts repeated
    print_tidy_csv(out.json, g, "designs", "explore");
    return;
  }
  // The front is a record table of the JSON's designs (report/ record_table): the columns are
  // its keys -- designs.design_id, the space's parameters and the objectives' metrics --
  // numbers by the one significant-figure rule.
  const SpaceSpec& space = out.space;
  const FrontBuilder& fb = out.front;
  const std::vector<DesignResult> front = fb.front();
  // A parameter's key has no unit suffix (it is the space's path): its values are in the field's
  // canonical unit, which a prose line names.
  std::vector<std::string> cols = {"designs.design_id"}, units;
  auto column = [&](const SpaceParameter& p) {
    cols.push_back("designs.parameters." + p.path);
    if (p.field.kind == FieldKind::kQuantity && !p.field.dim.dimensionless())
      units.push_back(p.path + " " + dimension_canonical_symbol(p.field.dim));
  };
  for (const auto& p : space.parameters) {
    column(p);
    for (const auto& tf : p.tied) column(tf);
  }
  for (const auto& o : fb.objectives())
    cols.push_back((o.model < 0 ? "designs.metrics." : "designs.per_model_metrics.") +
                   space.metric_ref_name(o.metric, o.model));
  const std::vector<std::string_view> names(cols.begin(), cols.end());
  const Table t =
      value_or_throw(record_table(*find_result_type("explore"), out.json, "designs", names));
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
    objs += fmt::format("{}{} {}", objs.empty() ? "" : ", ", space.metric_ref_name(o.metric, o.model), o.maximize ? "max" : "min");
  std::printf("assumed: %s\n", api::kDesignAssumptions);
  std::printf("Pareto front: %zu design%s (%s)\n", front.size(), front.size() == 1 ? "" : "s",
              objs.c_str());
  if (front.empty()) return;
  if (!units.empty()) std::printf("parameters in: %s\n", join(units).c_str());
  std::fputs(t.to_text().c_str(), stdout);
}

// ---- explore ----------------------------------------------------------------------------------
struct ExploreOptions : api::ExploreRequest {
  bool quiet = false;
};

uint64_t feasible_count(const std::vector<DesignResult>& block) {
  return static_cast<uint64_t>(std::count_if(block.begin(), block.end(), [](const DesignResult& r) {
    return r.feasibility.feasible();
  }));
}

// The designs of the search, as `strategy` fixes them before any evaluation (grid, random, lhs)
// or as NSGA-II proposes them generation by generation.
struct ExploreRun {
  uint64_t evaluated = 0;  // designs evaluated now
  std::string note;        // for the header: how the strategy chose them
};

// Opens --db on rank 0 and tells every rank whether it could: an error then ends every rank (rank
// 0 names it, the others exit 1 silently) rather than leaving them waiting for rank 0.
std::unique_ptr<ResultDb> open_db(const RankGroup& group, const ExploreOptions& o, SpaceSpec& space) {
  std::unique_ptr<ResultDb> db;
  std::optional<Diagnostics> error;
  if (group.rank() == 0) {
    auto db_or = read_text_file(o.space).and_then([&](const std::string& text) {
      return ResultDb::open_for_search(o.db, space, text, o.resume);
    });
    if (db_or) db = std::move(*db_or);
    else error = db_or.error();
  }
  std::string failed = error ? "1" : "";
  group.broadcast(failed);
  if (!failed.empty()) throw InputError(error.value_or(Diagnostics{}));
  return db;
}

// Ctrl-C during a single-process explore: the first SIGINT asks the search to stop after the
// block being evaluated (its results written like any other), the second kills as the default
// action does. MPI jobs keep the default (mpirun forwards the signal to every rank).
volatile std::sig_atomic_t g_interrupt_requested = 0;

extern "C" void request_interrupt(int) {
  g_interrupt_requested = 1;
  std::signal(SIGINT, SIG_DFL);
}

class InterruptScope {
 public:
  explicit InterruptScope(bool install) : installed_(install) {
    g_interrupt_requested = 0;
    if (installed_) previous_ = std::signal(SIGINT, request_interrupt);
  }
  ~InterruptScope() {
    if (installed_) std::signal(SIGINT, previous_ == SIG_ERR ? SIG_DFL : previous_);
  }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  bool installed_;
  void (*previous_)(int) = SIG_DFL;
};

// explore on every rank of `group` (one process, or an MPI job): each rank parses the space and
// evaluates its share; rank 0 owns the database, the progress line and the output.
void explore_on(const RankGroup& group, const ExploreOptions& o, const GlobalOptions& g) {
  const bool grid = o.strategy == "grid";
  const bool nsga2 = o.strategy == "nsga2";
  const bool root = group.rank() == 0;
  // Installed first, so that a Ctrl-C while the space loads stops at the first block too.
  const InterruptScope interrupts(group.size() == 1);
  if (nsga2 && !o.max_evals)
    input_error("--max-evals", "--strategy nsga2 needs --max-evals N, the designs it may propose "
                               "(at least 16)");
  api::ExploreRequest request = o;
  request.overrides = g.overrides;
  SpaceSpec space = value_or_throw(api::load_search_space(request));
  const uint64_t total = space.grid_size();
  const uint64_t max_evals = o.max_evals ? static_cast<uint64_t>(*o.max_evals) : 0;
  const std::optional<Nsga2Plan> plan =
      nsga2 ? std::optional(value_or_throw(nsga2_plan(max_evals, space.objectives.size())))
            : std::nullopt;
  const DesignEvaluator evaluator = value_or_throw(DesignEvaluator::create(space));
  space.inputs_digest = evaluator.inputs_digest();  // a changed preset is another space
  const std::unique_ptr<ResultDb> db = o.db.empty() ? nullptr : open_db(group, o, space);
  const bool has_db = !o.db.empty();
  // The ranks on this machine share its cores.
  const int threads = static_cast<int>(o.threads.value_or(
      std::max(1u, std::thread::hardware_concurrency() / static_cast<unsigned>(group.local_size()))));
  FrontBuilder fb(space.objectives, space.constraints);
  // Evaluates `indices` across the ranks in blocks: on rank 0 each block is written to the
  // database (one transaction) or added to the front, and counted by the progress line; with
  // `keep`, every rank receives every result (NSGA-II runs on every rank).
  std::optional<ProgressLine> progress;
  // In a job, rank 0 writes on a thread of its own while it evaluates its next block (the other
  // ranks wait for it every round); at most two rounds wait to be written (the sink gets a round
  // whole: one transaction per round).
  std::optional<ResultWriter> writer;
  if (db && group.size() > 1) writer.emplace(*db, space, 2);
  uint64_t saved = 0;  // designs handed to the database or the front by this run
  auto evaluate = [&](const std::vector<uint64_t>& indices, std::vector<DesignResult>* keep) {
    // Blocks of kBlock, in a job cut so that every rank gets an equal share (an NSGA-II
    // generation of 12 designs on 2 ranks: 2 blocks of 6).
    evaluate_designs(evaluator, indices, group, threads,
                     balanced_block(indices.size(), group.size(), kBlock), keep != nullptr,
                     [&](std::vector<DesignResult>& block) {
                       if (root) {
                         if (writer) writer->push(block);
                         else if (db) db->write(space, block);
                         else for (const auto& r : block) fb.add(r);
                         progress->add(block.size(), feasible_count(block));
                         saved += block.size();
                       }
                       if (keep) keep->insert(keep->end(), block.begin(), block.end());
                       if (g_interrupt_requested) {
                         if (progress && progress->enabled()) std::fputc('\n', stderr);
                         throw Interrupted(
                             db ? fmt::format("explore: interrupted; {} designs evaluated now are "
                                              "in {}: the same command with --resume continues "
                                              "the search, skipping them",
                                              saved, o.db)
                                : fmt::format("explore: interrupted after {} designs; nothing was "
                                              "saved (give --db FILE to keep results as they "
                                              "come and resume)",
                                              saved));
                       }
                     });
  };
  ExploreRun run;
  if (plan) {
    // NSGA-II, the same on every rank: a resumed database's designs (read by rank 0, sent to
    // all) are looked up, not evaluated again; the same seed proposes the same designs, so a
    // killed search resumed ends with the same rows.
    std::vector<DesignResult> known;
    if (db) db->for_each(space, [&](const DesignResult& r) { known.push_back(r); });
    if (has_db) {
      std::string bytes = encode_results(known);
      group.broadcast(bytes);
      known = decode_results(bytes);
    }
    progress.emplace("explore", plan->proposals(), "designs", true, o.quiet || !root);
    const Nsga2Outcome out = nsga2_search(
        space, *plan, static_cast<uint64_t>(o.seed), known, [&](const std::vector<uint64_t>& fresh) {
          std::vector<DesignResult> results;
          evaluate(fresh, &results);
          return results;
        });
    run.evaluated = out.evaluated;
    run.note = fmt::format(" (population {}, {} generations, seed {}: {} designs proposed, {} "
                           "distinct{})",
                           plan->population, plan->generations, o.seed, out.proposed,
                           out.evaluated + out.known,
                           db ? fmt::format(", {} of them already in {}", out.known, o.db) : "");
  } else {
    const SearchStrategy strategy = grid                    ? SearchStrategy::kGrid
                                    : o.strategy == "random" ? SearchStrategy::kRandom
                                                             : SearchStrategy::kLatinHypercube;
    std::vector<uint64_t> indices = search_indices(space, strategy, max_evals, static_cast<uint64_t>(o.seed));
    // lhs keeps a design drawn twice once (only when --max-evals exceeds every value count).
    const uint64_t repeats = strategy == SearchStrategy::kLatinHypercube && o.max_evals && max_evals < total
                                 ? max_evals - indices.size()
                                 : 0;
    uint64_t skipped = 0;
    if (db) {
      const auto stored = db->stored_indices();
      const size_t before = indices.size();
      std::erase_if(indices, [&](uint64_t i) { return stored.contains(i); });
      skipped = before - indices.size();
    }
    if (has_db) {  // what remains, as rank 0 decided it
      std::string bytes = encode_indices(indices);
      group.broadcast(bytes);
      indices = decode_indices(bytes);
    }
    progress.emplace("explore", indices.size(), "designs", true, o.quiet || !root);
    evaluate(indices, nullptr);
    run.evaluated = indices.size();
    run.note = fmt::format("{}{}", repeats ? fmt::format(" ({} drawn twice, kept once)", repeats) : "",
                           db ? fmt::format(", {} already in {}", skipped, o.db) : "");
  }
  if (writer) writer->finish();
  progress->finish();
  if (!root) return;
  if (db) db->for_each(space, [&](const DesignResult& r) { fb.add(r); });
  const std::string header =
      fmt::format("space {}: {} designs in the grid; {} strategy; {} evaluated now{}\n", o.space,
                  total, o.strategy, run.evaluated, run.note);
  api::FrontOutcome out{.space = space, .front = std::move(fb)};
  out.json = api::front_json(out.space, out.front);
  print_front(g, out, header);
}

void run_explore(const ExploreOptions& o, const GlobalOptions& g) {
  const std::unique_ptr<RankGroup> group = value_or_throw(rank_group_from_environment("explore"));
  try {
    explore_on(*group, o, g);
  } catch (const InputError& e) {
    // Bad input is found by every rank alike (the same files and flags) or sent to every rank
    // (open_db): rank 0 says it, the others exit 1 without repeating it.
    if (group->rank() != 0) throw InputError(Diagnostics{});
    throw;
  } catch (...) {
    group->abort(2);  // a failure on some ranks only: end the job instead of a hang
    throw;
  }
}

// ---- pareto -----------------------------------------------------------------------------------
struct ParetoOptions : api::ParetoRequest {
  std::string html;  // --html FILE
};

void run_pareto(const ParetoOptions& o, const GlobalOptions& g) {
  const api::FrontOutcome out = value_or_throw(api::pareto_scenario(o));
  // --html: the dominated designs too (a bounded sample), read back from the database.
  DesignSample sample(out.space, out.space.objectives, out.space.constraints);
  if (!o.html.empty()) {
    auto db = value_or_throw(ResultDb::open_for_reading(o.db));
    db->for_each(out.space, [&](const DesignResult& r) {
      if (r.index < out.space.grid_size()) sample.add(r);
    });
  }
  print_front(g, out, fmt::format("results {} (space {})\n", o.db, out.space.file), o.html,
              &sample);
}

}  // namespace

void add_dse_commands(CLI::App& app, GlobalOptions& g) {
  auto e = std::make_shared<ExploreOptions>();
  auto* explore = app.add_subcommand("explore", "evaluate the designs of a space/v1 file and print "
                                                "the Pareto front");
  explore->add_option("space", e->space, "space/v1 YAML file")->required();
  explore->add_option("--strategy", e->strategy,
                      "grid (every design), random (seeded sample), lhs (seeded Latin "
                      "hypercube over the parameters' values) or nsga2 (pagmo2's NSGA-II, "
                      "seeded, within --max-evals)")
      ->check(CLI::IsMember({"grid", "random", "lhs", "nsga2"}))
      ->capture_default_str();
  bound_int(explore->add_option("--max-evals", e->max_evals,
                                "designs to evaluate (grid: the first N; random, lhs: a sample of N; nsga2: "
                                "the budget, population x (generations + 1) <= N)"),
            kMaxEvalsBound);
  bound_int(explore->add_option("--max-designs", e->max_designs,
                                "largest grid accepted before any evaluation")
                ->capture_default_str(),
            kMaxDesignsBound);
  bound_int(explore->add_option("--seed", e->seed, "seed of the random, lhs and nsga2 strategies")->capture_default_str(),
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
          if (g.format == "table") {  // CSV and JSON are the one table of the fields
            std::string names;
            for (const auto& m : metric_infos())
              names += fmt::format("  {:<36}{}\n", m.name, m.description);
            std::printf("\nmetrics (objectives and constraints):\n%s", names.c_str());
            std::string hw_only;
            for (const auto& m : metric_infos())
              if (hardware_only(m.metric)) hw_only += (hw_only.empty() ? "" : ", ") + std::string(m.name);
            std::printf("\nwith a list of models and model_metrics: per_model, also each model's "
                        "figures as metric@model\n(e.g. ttft_ms@llama-3.1-8b), every metric but "
                        "the hardware-only %s\n",
                        hw_only.c_str());
          }
        });
  }
}

}  // namespace xpusim::cli
