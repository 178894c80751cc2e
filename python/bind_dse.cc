// SPDX-License-Identifier: Apache-2.0
// xpusim.explore and xpusim.pareto: api/dse.h with the arguments of `xpusim explore|pareto` as
// keywords (explore's --quiet is the command line's: the module draws no progress line).
#include "python/binding.h"
#include "xpusim/api/dse.h"

namespace xpusim::python {
namespace {

using api::ExploreRequest;
using api::ParetoRequest;

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

}  // namespace

void bind_dse(py::module_& m) {
  static const Binder<ExploreRequest> explore = explore_keywords();
  static const Binder<ParetoRequest> pareto = pareto_keywords();
  def(m, "explore", explore, &api::explore,
      "Evaluates the designs of a space/v1 file (into the SQLite file db= when given) and "
      "returns the Pareto front (`xpusim explore`).");
  def(m, "pareto", pareto, &api::pareto,
      "The Pareto front of a results database written by explore (`xpusim pareto`).");
}

}  // namespace xpusim::python
