// SPDX-License-Identifier: Apache-2.0
// The numeric fields of a hardware document (the hardware schema's quantity, integer and real
// fields it sets) and the exact override text that sets one to a new value: what `sensitivity`
// perturbs and what the cost memo's test walks through.
#pragma once

#include <string>
#include <vector>

#include "xpusim/config/document.h"
#include "xpusim/config/schema.h"

namespace xpusim {

struct NumericField {
  FieldInfo info;      // the hardware schema's field (kind, dimension, range)
  double value = 0.0;  // as the document sets it, in canonical units
};

// The hardware schema's kQuantity / kInteger / kReal fields that `doc` sets and that parse, in
// the schema's order.
std::vector<NumericField> numeric_hardware_fields(const Document& doc);

// "path=text" setting `info`'s field to `value` (canonical units) exactly: the shortest decimal
// that reads back as `value`, in the canonical unit ("2.5e+12 B/s"); integers as integers.
std::string numeric_assignment(const FieldInfo& info, double value);

}  // namespace xpusim
