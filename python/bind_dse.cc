// SPDX-License-Identifier: Apache-2.0
// xpusim.explore, xpusim.pareto and xpusim.sensitivity: api/dse.h and api/sensitivity.h with the
// arguments of `xpusim explore|pareto|sensitivity` as keywords (explore's --quiet is the command
// line's: the module draws no progress line; sensitivity's repeatable --metric is `metrics`).
#include "python/binding.h"
#include "xpusim/api/dse.h"
#include "xpusim/api/sensitivity.h"

namespace xpusim::python {
namespace {

using api::ExploreRequest;
using api::ParetoRequest;
using api::SensitivityRequest;

Binder<ExploreRequest> explore_keywords() {
  Binder<ExploreRequest> b;
  b.add("space", &ExploreRequest::space, true)
      .add("strategy", &ExploreRequest::strategy)
      .add("max_evals", &ExploreRequest::max_evals)
      .add("max_designs", &ExploreRequest::max_designs)
      .add("seed", &ExploreRequest::seed)
      .add("threads", &ExploreRequest::threads)
      .add("db", &ExploreRequest::db)
      .add("resume", &ExploreRequest::resume);
  return b;
}

Binder<ParetoRequest> pareto_keywords() {
  Binder<ParetoRequest> b;
  b.add("db", &ParetoRequest::db, true).add("objectives", &ParetoRequest::objectives);
  return b;
}

Binder<SensitivityRequest> sensitivity_keywords() {
  using R = SensitivityRequest;
  Binder<R> b;
  b.add("hardware", &R::hardware, true)
      .add("model", &R::model, true)
      .add("scenario", &R::scenario)
      .add("devices", &R::devices)
      .add("tp", &R::tp)
      .add("pp", &R::pp)
      .add("batch", &R::batch)
      .add("input_len", &R::input_len)
      .add("output_len", &R::output_len)
      .add("precision", &R::precision)
      .add("kv_precision", &R::kv_precision)
      .add("expert_precision", &R::expert_precision)
      .add("weight_group_size", &R::weight_group)
      .add("metrics", &R::metrics)
      .add("step", &R::step)
      .add("engine", &R::engine)
      .add("dataset", &R::dataset)
      .add("requests", &R::requests)
      .add("rate", &R::rate)
      .add("concurrency", &R::concurrency)
      .add("slo_ttft_ms", &R::slo_ttft_ms)
      .add("slo_tpot_ms", &R::slo_tpot_ms)
      .add("seed", &R::seed);
  return b;
}

}  // namespace

void bind_dse(py::module_& m) {
  static const Binder<ExploreRequest> explore = explore_keywords();
  static const Binder<ParetoRequest> pareto = pareto_keywords();
  def(m, "explore", explore, &api::explore,
      "Evaluates the designs of a space/v1 file (into the SQLite file db= when given) and "
      "returns the Pareto front (`xpusim explore`).");
  def(m, "pareto", pareto, &api::pareto,
      "The Pareto front of a results database written by explore (`xpusim pareto`).");
  static const Binder<SensitivityRequest> sensitivity = sensitivity_keywords();
  def(m, "sensitivity", sensitivity, &api::sensitivity,
      "Elasticities of a design's figures with respect to every numeric hardware field, ranked, "
      "with what binds (`xpusim sensitivity`).");
}

}  // namespace xpusim::python
