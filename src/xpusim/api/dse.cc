// SPDX-License-Identifier: Apache-2.0
// explore and pareto (api/dse.h): the space loaded and bounded, the designs evaluated in blocks
// (dse/explorer.h) into the front or a results database (dse/result_db.h), and the front as JSON.
#include "xpusim/api/dse.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "xpusim/api/impl/input_failure.h"
#include "xpusim/config/document.h"
#include "xpusim/dse/explorer.h"
#include "xpusim/dse/result_db.h"
#include "xpusim/report/result_json.h"
#include "xpusim/report/table.h"

namespace xpusim::api {
namespace {

using namespace detail;  // NOLINT: the private helpers of api/

// Designs per block: evaluated together, written in one transaction.
constexpr size_t kBlock = 256;

Json parameter_json(const SpaceParameter& p, const ParameterValue& v) {
  if (p.field.kind == FieldKind::kInteger && v.number) return Json(static_cast<int64_t>(*v.number));
  if (p.field.kind == FieldKind::kBool) return Json(v.text == "true");
  if (v.number) return Json(*v.number);
  return Json(v.text);
}


SpaceSpec search_space_checked(const ExploreRequest& o) {
  if (!o.overrides.empty())
    input_error("--set", "explore takes no --set: a field that varies is a parameter of the space, "
                         "one that does not is set in the base hardware file");
  if (o.resume && o.db.empty()) input_error("--resume", "--resume needs --db FILE to resume from");
  const bool grid = o.strategy == "grid";
  const auto max_designs = static_cast<uint64_t>(o.max_designs);
  // A grid is bounded by --max-designs before anything is evaluated; a random, lhs or nsga2
  // search by the designs it evaluates.
  SpaceSpec space =
      value_or_fail(load_space(o.space, grid ? std::optional(max_designs) : std::nullopt));
  const uint64_t total = space.grid_size();
  if (!grid && !o.max_evals && total > max_designs)
    input_error("--max-evals", fmt::format("--strategy {} over a space of {} designs (more than "
                                           "--max-designs {}) needs --max-evals N",
                                           o.strategy, total, max_designs));
  if (!grid && o.max_evals && static_cast<uint64_t>(*o.max_evals) > max_designs)
    input_error("--max-evals",
                fmt::format("{} is more than --max-designs {}", *o.max_evals, max_designs));
  return space;
}

FrontOutcome explore_checked(const ExploreRequest& o) {
  BoundChecks checks;
  checks.check("--max-evals", o.max_evals, kMaxEvalsBound);
  checks.check("--max-designs", o.max_designs, kMaxDesignsBound);
  checks.check("--seed", o.seed, bounds::kSeed);
  checks.check("--threads", o.threads, kThreadsBound);
  checks.fail_if_any();
  if (o.strategy != "grid" && o.strategy != "random" && o.strategy != "lhs")
    input_error("--strategy", fmt::format("unknown strategy \"{}\"; allowed: grid, random, lhs "
                                          "(nsga2 and MPI jobs: the xpusim explore command)",
                                          o.strategy));
  const bool grid = o.strategy == "grid";
  SpaceSpec space = search_space_checked(o);
  const uint64_t total = space.grid_size();
  const DesignEvaluator evaluator = value_or_fail(DesignEvaluator::create(space));
  const SearchStrategy strategy = grid                     ? SearchStrategy::kGrid
                                  : o.strategy == "random" ? SearchStrategy::kRandom
                                                           : SearchStrategy::kLatinHypercube;
  std::vector<uint64_t> indices =
      search_indices(space, strategy, o.max_evals ? static_cast<uint64_t>(*o.max_evals) : 0,
                     static_cast<uint64_t>(o.seed));
  // lhs keeps a design drawn twice once (only when --max-evals exceeds every value count).
  const uint64_t repeats = strategy == SearchStrategy::kLatinHypercube && o.max_evals &&
                                   static_cast<uint64_t>(*o.max_evals) < total
                               ? static_cast<uint64_t>(*o.max_evals) - indices.size()
                               : 0;
  std::unique_ptr<ResultDb> db;
  uint64_t skipped = 0;
  if (!o.db.empty()) {
    const std::string text = value_or_fail(read_text_file(o.space));
    space.inputs_digest = evaluator.inputs_digest();  // a changed preset is another space
    db = value_or_fail(ResultDb::open_for_search(o.db, space, text, o.resume));
    const auto stored = db->stored_indices();
    const size_t before = indices.size();
    std::erase_if(indices, [&](uint64_t i) { return stored.contains(i); });
    skipped = before - indices.size();
  }
  const int threads = static_cast<int>(
      o.threads.value_or(std::max(1u, std::thread::hardware_concurrency())));
  FrontBuilder fb(space.objectives, space.constraints);
  if (o.on_start) o.on_start(indices.size());
  evaluate_designs(evaluator, indices, threads, kBlock, [&](std::vector<DesignResult>& block) {
    if (db) db->write(space, block);
    else for (const auto& r : block) fb.add(r);
    if (o.on_block) o.on_block(block);
  });
  if (db) db->for_each(space, [&](const DesignResult& r) { fb.add(r); });
  Json j = front_json(space, fb);
  return FrontOutcome{.space = std::move(space),
                      .front = std::move(fb),
                      .grid_designs = total,
                      .evaluated_now = indices.size(),
                      .drawn_twice = repeats,
                      .already_in_db = skipped,
                      .json = std::move(j)};
}

FrontOutcome pareto_checked(const ParetoRequest& o) {
  auto db = value_or_fail(ResultDb::open_for_reading(o.db));
  const std::string file = db->meta("space_file");
  const Document doc = value_or_fail(Document::from_yaml(db->meta("space_text"), file, true));
  SpaceSpec space = value_or_fail(parse_space(doc, std::nullopt));
  if (!o.objectives.empty())
    space.objectives = value_or_fail(parse_objectives(o.objectives, "--objectives", &space));
  FrontBuilder fb(space.objectives, space.constraints);
  db->for_each(space, [&](const DesignResult& r) {
    if (r.index < space.grid_size()) fb.add(r);
  });
  Json j = front_json(space, fb);
  return FrontOutcome{.space = std::move(space), .front = std::move(fb), .json = std::move(j)};
}

}  // namespace

Result<SpaceSpec> load_search_space(const ExploreRequest& request) {
  return guarded([&] { return search_space_checked(request); });
}

Result<FrontOutcome> explore_scenario(const ExploreRequest& request) {
  return guarded([&] { return explore_checked(request); });
}
Result<Json> explore(const ExploreRequest& request) {
  return explore_scenario(request).map([](FrontOutcome&& o) { return std::move(o.json); });
}

Result<FrontOutcome> pareto_scenario(const ParetoRequest& request) {
  return guarded([&] { return pareto_checked(request); });
}
Result<Json> pareto(const ParetoRequest& request) {
  return pareto_scenario(request).map([](FrontOutcome&& o) { return std::move(o.json); });
}

Json front_json(const SpaceSpec& space, const FrontBuilder& fb) {
  Json designs = Json::array();
  const std::vector<ResultField>& metrics = metric_fields();
  for (const auto& r : fb.front()) {
    Json params = Json::object();
    const auto c = space.choice(r.index);
    for (size_t i = 0; i < c.size(); ++i) {
      const SpaceParameter& p = space.parameters[i];
      params[p.path] = parameter_json(p, p.values[c[i]]);
      for (const auto& tf : p.tied) params[tf.path] = parameter_json(tf, tf.values[c[i]]);
    }
    Json values = Json::object();
    for (size_t i = 0; i < metrics.size(); ++i) {
      const double v = r.metrics[i];
      values[std::string(metrics[i].name)] = std::isfinite(v) ? Json(round6(v)) : Json(nullptr);
    }
    ResultJson d("explore", "designs");
    d.set("design_id", r.design_id)
        .set("design_index", r.index)
        .set("parameters", params)
        .set("metrics", values);
    if (space.per_model()) {  // metric@model, as the database's columns (result_db.cc)
      Json per_model = Json::object();
      for (size_t k = 0; k < space.model_count(); ++k)
        for (size_t i = 0; i < metrics.size(); ++i) {
          const auto m = static_cast<Metric>(i);
          if (hardware_only(m)) continue;
          const double v = metric_value(r, m, static_cast<int>(k));
          per_model[space.metric_ref_name(m, static_cast<int>(k))] =
              std::isfinite(v) ? Json(round6(v)) : Json(nullptr);
        }
      d.set("per_model_metrics", per_model);
    }
    designs.push_back(d.json());
  }
  Json inf = Json::object();
  for (const auto& [k, n] : fb.infeasible()) inf[k] = n;
  Json objs = Json::array();
  for (const auto& o : fb.objectives())
    objs.push_back(ResultJson("explore", "objectives")
                       .set("metric", space.metric_ref_name(o.metric, o.model))
                       .set("goal", o.maximize ? "max" : "min")
                       .json());
  return ResultJson("explore")
      .set("designs", designs)
      .set("evaluated", fb.evaluated())
      .set("feasible", fb.feasible())
      .set("within_constraints", fb.within_constraints())
      .set("infeasible", inf)
      .set("objectives", objs)
      .set("assumptions", kDesignAssumptions)
      .json();
}

}  // namespace xpusim::api
