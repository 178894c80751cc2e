// SPDX-License-Identifier: Apache-2.0
#include "xpusim/config/schema.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

#include "xpusim/base/text.h"

namespace xpusim {
namespace {

std::string fmt_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// A range bound as the user writes it: quantities in the dimension's display unit ("10 GHz",
// "0 GiB"), other kinds as a plain number.
std::string with_unit(const FieldInfo& f, double v) {
  return f.kind == FieldKind::kQuantity ? format_quantity(v, f.dim) : fmt_number(v);
}

bool parse_double(const std::string& text, double& out) {
  const char* b = text.data();
  const char* e = text.data() + text.size();
  while (b < e && *b == ' ') ++b;
  while (e > b && e[-1] == ' ') --e;
  if (b < e && *b == '+') ++b;
  auto [ptr, ec] = std::from_chars(b, e, out);
  return ec == std::errc() && ptr == e && b != e && std::isfinite(out);
}

}  // namespace

std::string FieldInfo::type_text() const {
  switch (kind) {
    case FieldKind::kQuantity:
      return dimension_name(dim) + " such as \"" + dimension_example(dim) + "\"";
    case FieldKind::kInteger: return "an integer";
    case FieldKind::kReal: return "a number";
    case FieldKind::kText: return "text";
    case FieldKind::kChoice: return "one of: " + join(choices);
    case FieldKind::kBool: return "true or false";
  }
  return "a value";
}

std::string FieldInfo::range_text() const {
  if (zero_allowed) {
    FieldInfo nonzero = *this;
    nonzero.zero_allowed = false;
    return "0 or " + nonzero.range_text();
  }
  bool has_min = std::isfinite(min), has_max = std::isfinite(max);
  if (has_min && has_max)
    return (min_exclusive ? "> " : ">= ") + with_unit(*this, min) + " and <= " + with_unit(*this, max);
  if (has_min) return (min_exclusive ? "> " : ">= ") + with_unit(*this, min);
  if (has_max) return "<= " + with_unit(*this, max);
  return "";
}

tl::expected<FieldValue, std::string> parse_field_value(const FieldInfo& info,
                                                         const std::string& text) {
  FieldValue v;
  switch (info.kind) {
    case FieldKind::kQuantity: {
      auto parsed = parse_quantity_text(text);
      if (!parsed || !(parsed->dim == info.dim)) {
        std::string msg = "expected " + info.type_text() + ", got " + quote(text);
        if (parsed && parsed->dim.dimensionless())
          msg += " (a unit is required)";
        else if (!parsed)
          msg += " (" + parsed.error() + ")";
        else
          msg += " (that is " + dimension_name(parsed->dim) + ")";
        return tl::unexpected(msg);
      }
      v.number = parsed->canonical;
      break;
    }
    case FieldKind::kInteger: {
      double d = 0;
      if (!parse_double(text, d) || std::floor(d) != d)
        return tl::unexpected("expected an integer, got \"" + text + "\"");
      // A whole number beyond what a double holds exactly (2^53) is beyond every integer field's
      // range: out of range, not "not an integer" (the range check below would round it).
      if (std::fabs(d) > 9.0e15) {
        const std::string range = info.range_text();
        return tl::unexpected("value \"" + text + "\" is out of range; allowed: " +
                              (range.empty() ? std::string("-9e15 .. 9e15") : range) +
                              (info.reason.empty() ? "" : " (" + info.reason + ")"));
      }
      v.number = d;
      break;
    }
    case FieldKind::kReal: {
      double d = 0;
      if (!parse_double(text, d)) return tl::unexpected("expected a number, got \"" + text + "\"");
      v.number = d;
      break;
    }
    case FieldKind::kBool:
      if (text == "true") v.flag = true;
      else if (text == "false") v.flag = false;
      else return tl::unexpected("expected true or false, got \"" + text + "\"");
      return v;
    case FieldKind::kText:
      if (text.empty()) return tl::unexpected(std::string("expected text, got an empty value"));
      v.text = text;
      return v;
    case FieldKind::kChoice: {
      for (const auto& c : info.choices)
        if (c == text) {
          v.text = text;
          return v;
        }
      std::string msg = "expected one of: " + join(info.choices) + ", got " + quote(text);
      if (auto m = closest_match(text, info.choices)) msg += "; did you mean \"" + *m + "\"?";
      return tl::unexpected(msg);
    }
  }
  if (auto ok = check_field_range(info, v.number, text); !ok) return tl::unexpected(ok.error());
  return v;
}

tl::expected<void, std::string> check_field_range(const FieldInfo& info, double number,
                                                   const std::string& as_written) {
  bool below = info.min_exclusive ? !(number > info.min) : !(number >= info.min);
  if (info.zero_allowed && number == 0) return {};
  if (below || number > info.max || std::isnan(number))
    return tl::unexpected("value " + quote(as_written) + " is out of range; allowed: " +
                          info.range_text() + (info.reason.empty() ? "" : " (" + info.reason + ")"));
  return {};
}

bool DocumentSource::given(const std::string& path) const { return doc_.find(path) != nullptr; }

bool DocumentSource::overridden(const std::string& path) const {
  const DocumentEntry* e = doc_.find(path);
  return e != nullptr && e->file == "<command line>";  // Document::apply_override's file
}

Diagnostic DocumentSource::at(const std::string& path, std::string message) const {
  return diagnostic_at(doc_, path, std::move(message));
}

const FieldOrigin* SpecOrigins::find(const std::string& path) const {
  if (!index_) return nullptr;
  auto it = index_->find(path);
  return it == index_->end() || it->second >= fields_.size() ? nullptr : &fields_[it->second];
}

bool SpecOrigins::given(const std::string& path) const {
  const FieldOrigin* o = find(path);
  return o != nullptr && o->kind != FieldOrigin::Kind::kAbsent;
}

bool SpecOrigins::overridden(const std::string& path) const {
  const FieldOrigin* o = find(path);
  return o != nullptr && o->kind == FieldOrigin::Kind::kSet;
}

Diagnostic SpecOrigins::at(const std::string& path, std::string message) const {
  const FieldOrigin* o = find(path);
  if (o && o->kind == FieldOrigin::Kind::kSet)
    return Diagnostic{"<command line>", o->line, o->column, path, std::move(message)};
  if (o && o->kind == FieldOrigin::Kind::kFile)
    return Diagnostic{file_, o->line, o->column, path, std::move(message)};
  return Diagnostic{file_, 0, 0, path, std::move(message)};
}

Diagnostic diagnostic_at(const Document& doc, const std::string& path, std::string message) {
  const DocumentEntry* e = doc.find(path);
  if (!e) return Diagnostic{doc.file(), 0, 0, path, std::move(message)};
  return Diagnostic{e->file, e->line, e->column, path, std::move(message)};
}

void check_unknown_keys(const Document& doc, const std::vector<FieldInfo>& infos,
                        Diagnostics& diags) {
  std::set<std::string> known, sections;
  std::vector<std::string> known_list;
  for (const auto& f : infos) {
    known.insert(f.path);
    known_list.push_back(f.path);
    for (size_t dot = f.path.find('.'); dot != std::string::npos; dot = f.path.find('.', dot + 1))
      sections.insert(f.path.substr(0, dot));
  }
  for (const auto& [path, entry] : doc.entries()) {
    if (known.contains(path)) continue;
    if (sections.contains(path)) {
      if (!entry.is_section)
        diags.push_back(Diagnostic{entry.file, entry.line, entry.column, path,
                                   "expected a section (a mapping with keys under \"" + path +
                                       "\"), got " + quote(entry.text)});
      continue;
    }
    // Report only the outermost unknown key, not every key below it.
    auto dot = path.rfind('.');
    if (dot != std::string::npos) {
      std::string parent = path.substr(0, dot);
      if (!known.contains(parent) && !sections.contains(parent)) continue;
      if (known.contains(parent)) continue;  // children of a scalar field: reported there
    }
    std::string msg = "unknown key";
    if (auto m = closest_match(path, known_list)) msg += "; did you mean \"" + *m + "\"?";
    else msg += "; run `xpusim describe` to list the keys";
    diags.push_back(Diagnostic{entry.file, entry.line, entry.column, path, msg});
  }
}

std::string describe_schema(const std::string& name, const std::vector<FieldInfo>& fields) {
  std::string out = "schema " + name + "\n\n";
  size_t width = 0;
  for (const auto& f : fields) width = std::max(width, f.path.size());
  for (const auto& f : fields) {
    std::string line = f.path;
    line.resize(width + 2, ' ');
    line += f.description + "\n";
    std::string type = f.type_text();
    if (f.kind == FieldKind::kQuantity)
      type += " (" + dimension_unit_hint(f.dim) + ")";
    line += std::string(width + 2, ' ') + "type: " + type;
    line += f.required ? "; required" : (f.default_text.empty() ? "; optional"
                                                                : "; default \"" + f.default_text + "\"");
    if (auto r = f.range_text(); !r.empty()) line += "; allowed " + r;
    out += line + "\n";
  }
  return out;
}

}  // namespace xpusim
