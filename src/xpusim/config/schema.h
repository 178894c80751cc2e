// SPDX-License-Identifier: Apache-2.0
// A schema is a table of fields declared once (dotted path, type or physical dimension, required
// or default, allowed range or choices, one-line meaning). The same table parses and validates a
// Document into a typed Spec, rejects unknown keys with "did you mean", and prints itself for
// `xpusim describe`. Every problem in a file is collected before failing.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/base/text.h"
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

// The range check parse_field_value() ends with, for a value already in canonical units (a
// number given to Schema::set): `as_written` is what the message quotes.
tl::expected<void, std::string> check_field_range(const FieldInfo& info, double number,
                                                   const std::string& as_written);

// What the cross-field checks of a schema ask about the fields of a spec besides their values:
// whether its source gave a field, whether the field was set after the file (a --set override,
// or Schema::set on a parsed spec: a design of a search), and where a diagnostic points. Two
// sources answer: the Document a spec is parsed from, and the SpecOrigins a parsed spec carries
// (so the checks run on the spec itself, without its text).
class FieldSource {
 public:
  virtual ~FieldSource() = default;
  [[nodiscard]] virtual bool given(const std::string& path) const = 0;
  [[nodiscard]] virtual bool overridden(const std::string& path) const = 0;
  [[nodiscard]] virtual Diagnostic at(const std::string& path, std::string message) const = 0;
};

// The Document as a FieldSource: given = the document has the key; overridden = it came from
// --set (file "<command line>"); diagnostics at the key's file:line:column.
class DocumentSource final : public FieldSource {
 public:
  explicit DocumentSource(const Document& doc) : doc_(doc) {}
  [[nodiscard]] bool given(const std::string& path) const override;
  [[nodiscard]] bool overridden(const std::string& path) const override;
  [[nodiscard]] Diagnostic at(const std::string& path, std::string message) const override;

 private:
  const Document& doc_;
};

// Positions of a schema's fields by path (Schema::fields() order).
using FieldIndex = std::unordered_map<std::string, size_t>;

// Where each field of a parsed spec came from: absent (a default, or an optional field left
// unset), its file (with the line and column), or set afterwards. Copied with the spec; cheap.
struct FieldOrigin {
  enum class Kind : uint8_t { kAbsent, kFile, kSet };
  Kind kind = Kind::kAbsent;
  int line = 0;
  int column = 0;
};

class SpecOrigins final : public FieldSource {
 public:
  SpecOrigins() = default;
  SpecOrigins(const FieldIndex* index, std::string file, std::vector<FieldOrigin> fields)
      : index_(index), file_(std::move(file)), fields_(std::move(fields)) {}
  [[nodiscard]] bool given(const std::string& path) const override;
  [[nodiscard]] bool overridden(const std::string& path) const override;
  // At the field's place in its file; "<command line>" for a field set afterwards (as --set);
  // the file alone for a path that is no field (a section such as "compute.matrix").
  [[nodiscard]] Diagnostic at(const std::string& path, std::string message) const override;
  void mark_set(size_t field) { fields_.at(field).kind = FieldOrigin::Kind::kSet; }
  [[nodiscard]] const FieldOrigin& origin(size_t field) const { return fields_.at(field); }

 private:
  [[nodiscard]] const FieldOrigin* find(const std::string& path) const;
  const FieldIndex* index_ = nullptr;
  std::string file_;
  std::vector<FieldOrigin> fields_;
};

// A validated spec with the origins of its fields: what Schema::set changes and Schema::check
// validates again, so that a design search mutates a copy of one parsed spec instead of
// re-reading its text per design.
template <class Spec>
struct SourcedSpec {
  Spec spec;
  SpecOrigins origins;
};

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
  // The member's value as a FieldValue (what `store` would have been given); nullopt for an
  // optional member left unset or an absent level/tier. Empty for fields without a getter.
  std::function<std::optional<FieldValue>(const Spec&)> load = {};
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
  auto load = [ref](const Spec& spec) -> std::optional<FieldValue> {
    // `ref` takes a mutable spec (it serves `store` too); it only reads here.
    const auto& member = ref(const_cast<Spec&>(spec));
    const Value* value = nullptr;
    if constexpr (IsOptional<Member>::value) {
      if (!member) return std::nullopt;
      value = &*member;
    } else {
      value = &member;
    }
    FieldValue v;
    if constexpr (IsQuantity<Value>::value) v.number = value->value();
    else if constexpr (std::is_same_v<Value, bool>) v.flag = *value;
    else if constexpr (std::is_arithmetic_v<Value>) v.number = static_cast<double>(*value);
    else v.text = *value;
    return v;
  };
  return Field<Spec>{std::move(info), std::move(store), std::move(load)};
}

template <class Spec>
class Schema {
 public:
  // Cross-field checks: on the spec and its source (the Document, or a parsed spec's origins).
  using Check = std::function<void(const Spec&, const FieldSource&, Diagnostics&)>;

  // `name` is the value the document's `schema:` key must have ("hardware/v1").
  Schema(std::string name, std::vector<Field<Spec>> fields, Check check = {})
      : name_(std::move(name)), fields_(std::move(fields)), check_(std::move(check)) {
    init();
  }
  // A schema whose checks need the Document itself (its text as written): parse() only; a spec
  // of it cannot be checked again without its document (check() says so).
  using DocumentCheck = std::function<void(const Spec&, const Document&, Diagnostics&)>;
  Schema(std::string name, std::vector<Field<Spec>> fields, DocumentCheck check)
      : name_(std::move(name)), fields_(std::move(fields)), document_check_(std::move(check)) {
    init();
  }

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::vector<FieldInfo>& fields() const { return infos_; }

  // Validates every field of `doc` (all errors collected), then the cross-field checks.
  [[nodiscard]] Result<Spec> parse(const Document& doc) const {
    auto sourced = parse_sourced(doc);
    if (!sourced) return tl::unexpected(sourced.error());
    return std::move(sourced->spec);
  }

  // As parse(), keeping where each field came from (for set() and check()).
  [[nodiscard]] Result<SourcedSpec<Spec>> parse_sourced(const Document& doc) const {
    std::vector<FieldOrigin> origins(infos_.size());
    auto spec = parse_fields(doc, origins);
    if (!spec) return tl::unexpected(spec.error());
    return SourcedSpec<Spec>{std::move(*spec), SpecOrigins(&index_, doc.file(), std::move(origins))};
  }

  // The position of `path` in fields(); nullopt for a path that is no field.
  [[nodiscard]] std::optional<size_t> field_index(const std::string& path) const {
    auto it = index_.find(path);
    if (it == index_.end() || it->second == 0) return std::nullopt;  // 0: the "schema" key
    return it->second;
  }

  // Typed get of field `i` (field_index()): nullopt when the field is unset (an optional
  // member, an absent level) or has no getter.
  [[nodiscard]] std::optional<FieldValue> get(const Spec& spec, size_t i) const {
    const Field<Spec>& f = fields_.at(i - 1);
    return f.load ? f.load(spec) : std::nullopt;
  }
  [[nodiscard]] std::optional<FieldValue> get(const Spec& spec, const std::string& path) const {
    auto i = field_index(path);
    return i ? get(spec, *i) : std::nullopt;
  }

  // Typed set of field `i` to `value`, which parse_field_value() gave for this field (so it is
  // of the field's kind and in its range): stored as a file's value would be, and marked set
  // afterwards (as --set). The cross-field checks are check()'s.
  void set_parsed(SourcedSpec<Spec>& s, size_t i, const FieldValue& value) const {
    fields_.at(i - 1).store(s.spec, value);
    s.origins.mark_set(i);
  }

  // Typed set by path from text, as `--set path=text` sets a file's field: an unknown path (with
  // "did you mean"), a value of the wrong kind or out of range are diagnostics naming the path.
  [[nodiscard]] Result<void> set(SourcedSpec<Spec>& s, const std::string& path,
                                 const std::string& text) const {
    auto i = settable(path);
    if (!i) return tl::unexpected(i.error());
    auto v = parse_field_value(infos_[*i], text);
    if (!v) return fail(Diagnostic{.file = "<command line>", .path = path, .message = v.error()});
    set_parsed(s, *i, *v);
    return {};
  }

  // Typed set of a numeric field (quantity in canonical units, integer, real) by path,
  // range-checked as the file's value would be: set(spec, "compute.units", 160).
  [[nodiscard]] Result<void> set(SourcedSpec<Spec>& s, const std::string& path, double number) const {
    auto i = settable(path);
    if (!i) return tl::unexpected(i.error());
    const FieldInfo& info = infos_[*i];
    auto bad = [&](std::string msg) {
      return fail(Diagnostic{.file = "<command line>", .path = path, .message = std::move(msg)});
    };
    if (info.kind != FieldKind::kQuantity && info.kind != FieldKind::kInteger &&
        info.kind != FieldKind::kReal)
      return bad("expected " + info.type_text() + "; a number is set on numeric fields only");
    char text[64];
    std::snprintf(text, sizeof text, "%.17g", number);
    if (info.kind == FieldKind::kInteger && std::floor(number) != number)
      return bad("expected an integer, got \"" + std::string(text) + "\"");
    if (auto ok = check_field_range(info, number, text); !ok) return bad(ok.error());
    FieldValue v;
    v.number = number;
    set_parsed(s, *i, v);
    return {};
  }

  // The cross-field checks on the spec itself (after set()), as parse() runs them on a document.
  [[nodiscard]] Diagnostics check(const SourcedSpec<Spec>& s) const {
    Diagnostics diags;
    if (check_) check_(s.spec, s.origins, diags);
    if (document_check_)
      diags.push_back(Diagnostic{.path = name_, .message = "the checks of " + name_ +
                                                           " read its document; parse it again"});
    return diags;
  }

 private:
  void init() {
    FieldInfo schema_field;
    schema_field.path = "schema";
    schema_field.kind = FieldKind::kChoice;
    schema_field.required = true;
    schema_field.choices = {name_};
    schema_field.description = "schema name and version of this file";
    infos_.push_back(schema_field);
    for (const auto& f : fields_) infos_.push_back(f.info);
    for (size_t i = 0; i < infos_.size(); ++i) index_.emplace(infos_[i].path, i);
  }

  [[nodiscard]] tl::expected<size_t, Diagnostics> settable(const std::string& path) const {
    if (auto i = field_index(path)) return *i;
    std::vector<std::string> known;
    for (size_t i = 1; i < infos_.size(); ++i) known.push_back(infos_[i].path);
    std::string msg = "unknown key";
    if (auto m = closest_match(path, known)) msg += "; did you mean \"" + *m + "\"?";
    return tl::unexpected(Diagnostics{Diagnostic{.file = "<command line>", .path = path,
                                                 .message = msg}});
  }

  // Every field of `doc` (all errors collected), then the cross-field checks; `origins` receives
  // where each field came from.
  [[nodiscard]] Result<Spec> parse_fields(const Document& doc,
                                          std::vector<FieldOrigin>& origins) const {
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
    origins.at(0).kind = FieldOrigin::Kind::kFile;
    for (size_t i = 0; i < fields_.size(); ++i) {
      const Field<Spec>& f = fields_[i];
      const DocumentEntry* e = doc.find(f.info.path);
      if (e) {
        const bool set_later = e->file == kCommandLine;
        origins[i + 1] = FieldOrigin{set_later ? FieldOrigin::Kind::kSet : FieldOrigin::Kind::kFile,
                                     e->line, e->column};
      }
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
    if (diags.empty() && check_) check_(spec, DocumentSource(doc), diags);
    if (diags.empty() && document_check_) document_check_(spec, doc, diags);
    if (!diags.empty()) return tl::unexpected(diags);
    return spec;
  }

  static constexpr const char* kCommandLine = "<command line>";  // Document::apply_override's file

  std::string name_;
  std::vector<Field<Spec>> fields_;
  std::vector<FieldInfo> infos_;
  FieldIndex index_;
  Check check_;
  DocumentCheck document_check_;
};

// `xpusim describe`: the schema as a table (path, type/unit, required/default, range, meaning).
std::string describe_schema(const std::string& name, const std::vector<FieldInfo>& fields);

}  // namespace xpusim
