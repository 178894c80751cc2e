// SPDX-License-Identifier: Apache-2.0
// xpusim.validate: api/validate.h with the arguments of `xpusim validate` as keywords.
#include "python/binding.h"
#include "xpusim/api/validate.h"

namespace xpusim::python {

void bind_validate(py::module_& m) {
  static const Binder<api::ValidateRequest> validate = [] {
    Binder<api::ValidateRequest> b;
    b.add("file", &api::ValidateRequest::file, true)
        .add("scenarios", &api::ValidateRequest::scenarios);
    return b;
  }();
  def(m, "validate", validate, &api::validate,
      "Predictions for every measured row of a validation CSV the simulators support, with "
      "signed errors, MAPE per scenario / metric / hardware and the skipped rows "
      "(`xpusim validate`).");
}

}  // namespace xpusim::python
