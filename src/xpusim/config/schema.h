// SPDX-License-Identifier: Apache-2.0
// A schema is a table of fields declared once (dotted path, type or physical dimension, required
// or default, allowed range or choices, one-line meaning). The same table parses and validates a
// Document into a typed Spec, rejects unknown keys with "did you mean", and prints itself for
// `xpusim describe`. Every problem in a file is collected before failing.
#pragma once

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/config/document.h"
#include "xpusim/units/quantity.h"
#include "xpusim/units/unit_parser.h"

namespace xpusim {

enum class FieldKind { kQuantity, kInteger, kReal, kText, kChoice, kBool };

// A parsed scalar: `number` holds quantities (canonical unit), integers and reals.
struct FieldValue {
  double number = 0.0;
  std::string text;
  bool flag = false;
};

// What `describe` prints and what the parser enforces, independent of the Spec type.
struct FieldInfo {
  std::string path;
  FieldKind kind = FieldKind::kText;
  RuntimeDim dim;                    // kQuantity only
  bool required = false;
  std::string default_text;          // "" = no default (optional field left unset)
  double min = -std::numeric_limits<double>::infinity();  // canonical units
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;        // value must be > min (capacities, clocks, ...)
  bool zero_allowed = false;         // 0 ("absent", "unsupported") is allowed below min
  std::string reason;                // why the range is what it is, shown with a range error
  std::vector<std::string> choices;  // kChoice only
  std::string description;

  // "a bandwidth such as \"3.35 TB/s\"", "an integer", "one of: a, b" ...
  [[nodiscard]] std::string type_text() const;
  // "> 0", ">= 1 and <= 10 GHz", "0 or >= 1 MB/s and <= 100 TB/s", "" when unbounded.
  [[nodiscard]] std::string range_text() const;
};

// Parses the text of one field; the error says what was given and what is allowed.
tl::expected<FieldValue, std::string> parse_field_value(const FieldInfo& info,
                                                         const std::string& text);

// Reports paths of `doc` that no field (or section of fields) of `infos` accounts for, with a
// "did you mean" where a known path is close.
void check_unknown_keys(const Document& doc, const std::vector<FieldInfo>& infos,
                        Diagnostics& diags);

// Builds the diagnostic for `path` at the place the document has it (or at its file).
Diagnostic diagnostic_at(const Document& doc, const std::string& path, std::string message);

template <class Spec>
struct Field {
  FieldInfo info;
  std::function<void(Spec&, const FieldValue&)> store;
};

// Field builders. `ref` returns a reference to the member of the Spec the field fills; its type
// decides how the text is parsed: Quantity<D> (a unit is required), std::optional<Quantity<D>>,
// int, double, bool, std::string (text, or a choice when `choices` is given).
struct FieldOptions {
  bool required = true;
  std::string default_text;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  bool zero_allowed = false;  // 0 is allowed besides [min, max]: "absent", "unsupported"
  std::string reason;         // physical or representational source of min/max
  std::vector<std::string> choices;
};

template <class T> struct IsOptional : std::false_type {};
template <class T> struct IsOptional<std::optional<T>> : std::true_type {};
template <class T> struct IsQuantity : std::false_type {};
template <class D> struct IsQuantity<Quantity<D>> : std::true_type {};

template <class Spec, class Ref>
Field<Spec> make_field(std::string path, Ref ref, std::string description, FieldOptions opt = {}) {
  using Member = std::remove_reference_t<decltype(ref(std::declval<Spec&>()))>;
  using Value = typename std::conditional_t<IsOptional<Member>::value, Member,
                                            std::optional<Member>>::value_type;
  FieldInfo info;
  info.path = std::move(path);
  info.description = std::move(description);
  info.required = opt.required && opt.default_text.empty() && !IsOptional<Member>::value;
  info.default_text = std::move(opt.default_text);
  info.min = opt.min;
  info.max = opt.max;
  info.min_exclusive = opt.min_exclusive;
  info.zero_allowed = opt.zero_allowed;
  info.reason = std::move(opt.reason);
  info.choices = std::move(opt.choices);
  if constexpr (IsQuantity<Value>::value) {
    info.kind = FieldKind::kQuantity;
    info.dim = runtime_dim<typename Value::Dimension>();
  } else if constexpr (std::is_same_v<Value, bool>) {
    info.kind = FieldKind::kBool;
  } else if constexpr (std::is_integral_v<Value>) {
    info.kind = FieldKind::kInteger;
    // Never wider than the member: the store below converts without a check.
    info.min = std::max(info.min, static_cast<double>(std::numeric_limits<Value>::lowest()));
    info.max = std::min(info.max, static_cast<double>(std::numeric_limits<Value>::max()));
  } else if constexpr (std::is_floating_point_v<Value>) {
    info.kind = FieldKind::kReal;
  } else {
    static_assert(std::is_same_v<Value, std::string>, "unsupported field type");
    info.kind = info.choices.empty() ? FieldKind::kText : FieldKind::kChoice;
  }
  auto store = [ref](Spec& spec, const FieldValue& v) {
    auto& member = ref(spec);
    if constexpr (IsQuantity<Value>::value) member = Value(v.number);
    else if constexpr (std::is_same_v<Value, bool>) member = v.flag;
    else if constexpr (std::is_integral_v<Value>) member = static_cast<Value>(v.number);
    else if constexpr (std::is_floating_point_v<Value>) member = v.number;
    else member = v.text;
  };
  return Field<Spec>{std::move(info), std::move(store)};
}

template <class Spec>
class Schema {
 public:
  using Check = std::function<void(const Spec&, const Document&, Diagnostics&)>;

  // `name` is the value the document's `schema:` key must have ("hardware/v1").
  Schema(std::string name, std::vector<Field<Spec>> fields, Check check = {})
      : name_(std::move(name)), fields_(std::move(fields)), check_(std::move(check)) {
    FieldInfo schema_field;
    schema_field.path = "schema";
    schema_field.kind = FieldKind::kChoice;
    schema_field.required = true;
    schema_field.choices = {name_};
    schema_field.description = "schema name and version of this file";
    infos_.push_back(schema_field);
    for (const auto& f : fields_) infos_.push_back(f.info);
  }

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::vector<FieldInfo>& fields() const { return infos_; }

  // Validates every field of `doc` (all errors collected), then the cross-field checks.
  [[nodiscard]] Result<Spec> parse(const Document& doc) const {
    Diagnostics diags;
    Spec spec{};
    check_unknown_keys(doc, infos_, diags);
    for (const auto& info : infos_) {
      if (info.path != "schema") continue;
      const DocumentEntry* e = doc.find("schema");
      if (!e) {
        diags.push_back(Diagnostic{doc.file(), 0, 0, "schema",
                                   "missing required key; this file must start with \"schema: " +
                                       name_ + "\""});
      } else if (e->text != name_) {
        diags.push_back(diagnostic_at(doc, "schema", "expected \"" + name_ + "\", got \"" +
                                                         e->text + "\""));
      }
    }
    for (const auto& f : fields_) {
      const DocumentEntry* e = doc.find(f.info.path);
      std::string text;
      if (e && e->is_section) {
        diags.push_back(diagnostic_at(doc, f.info.path,
                                      "expected " + f.info.type_text() + ", got a section"));
        continue;
      }
      if (e && e->is_list) {
        diags.push_back(
            diagnostic_at(doc, f.info.path, "expected " + f.info.type_text() + ", got a list"));
        continue;
      }
      if (e) {
        text = e->text;
      } else if (!f.info.default_text.empty()) {
        text = f.info.default_text;
      } else if (f.info.required) {
        diags.push_back(Diagnostic{doc.file(), 0, 0, f.info.path,
                                   "missing required key (" + f.info.type_text() + ": " +
                                       f.info.description + ")"});
        continue;
      } else {
        continue;  // optional and absent
      }
      auto value = parse_field_value(f.info, text);
      if (!value) {
        diags.push_back(diagnostic_at(doc, f.info.path, value.error()));
        continue;
      }
      f.store(spec, *value);
    }
    if (diags.empty() && check_) check_(spec, doc, diags);
    if (!diags.empty()) return tl::unexpected(diags);
    return spec;
  }

 private:
  std::string name_;
  std::vector<Field<Spec>> fields_;
  std::vector<FieldInfo> infos_;
  Check check_;
};

// `xpusim describe`: the schema as a table (path, type/unit, required/default, range, meaning).
std::string describe_schema(const std::string& name, const std::vector<FieldInfo>& fields);

}  // namespace xpusim
