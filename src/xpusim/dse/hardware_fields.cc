// SPDX-License-Identifier: Apache-2.0
#include "xpusim/dse/hardware_fields.h"

#include <fmt/format.h>

#include "xpusim/config/hardware_schema.h"
#include "xpusim/units/unit_parser.h"

namespace xpusim {

std::vector<NumericField> numeric_hardware_fields(const Document& doc) {
  std::vector<NumericField> out;
  for (const FieldInfo& info : hardware_schema().fields()) {
    if (info.kind != FieldKind::kQuantity && info.kind != FieldKind::kInteger &&
        info.kind != FieldKind::kReal)
      continue;
    const DocumentEntry* e = doc.find(info.path);
    if (!e || e->is_section || e->is_list) continue;
    auto v = parse_field_value(info, e->text);
    if (!v) continue;
    out.push_back({info, v->number});
  }
  return out;
}

std::string numeric_assignment(const FieldInfo& info, double value) {
  if (info.kind == FieldKind::kInteger) return fmt::format("{}={:.0f}", info.path, value);
  if (info.kind == FieldKind::kQuantity && !info.dim.dimensionless())
    return fmt::format("{}={} {}", info.path, value, dimension_canonical_symbol(info.dim));
  return fmt::format("{}={}", info.path, value);
}

}  // namespace xpusim
