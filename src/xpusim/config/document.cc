// SPDX-License-Identifier: Apache-2.0
#include "xpusim/config/document.h"

#include <map>
#include <optional>

#include "xpusim/base/input_file.h"
#include "xpusim/base/text.h"

// GCC 12 reports false positives inside yaml-cpp's inline headers (-Wdangling-pointer); silenced
// for this file only, the one file that includes yaml-cpp.
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <yaml-cpp/yaml.h>

namespace xpusim {
namespace {

Diagnostic at(const std::string& file, const YAML::Mark& mark, std::string path, std::string msg) {
  return Diagnostic{file, mark.line >= 0 ? mark.line + 1 : 0, mark.column >= 0 ? mark.column + 1 : 0,
                    std::move(path), std::move(msg)};
}

// What flattening a document may produce: aliases (*a) let a small file name the same subtree
// many times, so the flattened size is bounded, not just the file's.
struct FlattenBudget {
  size_t entries = 0;
  size_t bytes = 0;
  bool exhausted = false;
};

void flatten(const YAML::Node& node, const std::string& prefix, const std::string& file,
             std::map<std::string, DocumentEntry>& out, Diagnostics& diags, int depth,
             FlattenBudget& budget, bool index_lists);

// The items of the sequence `node` at `path` as entries "path[i]" (index_lists mode).
void flatten_items(const YAML::Node& node, const std::string& path, const std::string& file,
                   std::map<std::string, DocumentEntry>& out, Diagnostics& diags, int depth,
                   FlattenBudget& budget) {
  if (depth > kMaxDocumentDepth) {
    diags.push_back(at(file, node.Mark(), path,
                       "sections nested deeper than " + std::to_string(kMaxDocumentDepth) +
                           " levels"));
    return;
  }
  size_t i = 0;
  for (auto it = node.begin(); it != node.end(); ++it, ++i) {
    if (budget.exhausted) return;
    const YAML::Node item = *it;
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    budget.bytes += item_path.size() + (item.IsScalar() ? item.Scalar().size() : 0);
    if (++budget.entries > kMaxDocumentEntries || budget.bytes > kMaxDocumentBytes) {
      budget.exhausted = true;
      diags.push_back(at(file, item.Mark(), item_path,
                         "the document is too large: more than " +
                             std::to_string(kMaxDocumentEntries) + " keys or " +
                             std::to_string(kMaxDocumentBytes >> 20) +
                             " MiB of keys and values once aliases (*name) are expanded"));
      return;
    }
    DocumentEntry entry{"", file, item.Mark().line + 1, item.Mark().column + 1, false, false};
    if (item.IsMap()) {
      entry.is_section = true;
      out[item_path] = entry;
      flatten(item, item_path, file, out, diags, depth + 1, budget, true);
    } else if (item.IsSequence()) {
      entry.is_list = true;
      out[item_path] = entry;
      flatten_items(item, item_path, file, out, diags, depth + 1, budget);
    } else {
      if (!item.IsNull()) entry.text = item.Scalar();
      out[item_path] = entry;
    }
  }
}

void flatten(const YAML::Node& node, const std::string& prefix, const std::string& file,
             std::map<std::string, DocumentEntry>& out, Diagnostics& diags, int depth,
             FlattenBudget& budget, bool index_lists) {
  if (depth > kMaxDocumentDepth) {
    diags.push_back(at(file, node.Mark(), prefix,
                       "sections nested deeper than " + std::to_string(kMaxDocumentDepth) +
                           " levels"));
    return;
  }
  std::map<std::string, YAML::Mark> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (budget.exhausted) return;
    const YAML::Node key = it->first;  // copies: the iterator yields a temporary pair
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      diags.push_back(at(file, key.Mark(), prefix, "keys must be plain names"));
      continue;
    }
    const std::string name = key.Scalar();
    const std::string path = prefix.empty() ? name : prefix + "." + name;
    if (auto [first, inserted] = seen.emplace(name, key.Mark()); !inserted) {
      diags.push_back(at(file, key.Mark(), path,
                         "duplicate key " + quote(name) + " (first at line " +
                             std::to_string(first->second.line + 1) + ", column " +
                             std::to_string(first->second.column + 1) + ")"));
      continue;
    }
    budget.bytes += path.size() + (value.IsScalar() ? value.Scalar().size() : 0);
    if (++budget.entries > kMaxDocumentEntries || budget.bytes > kMaxDocumentBytes) {
      budget.exhausted = true;
      diags.push_back(at(file, key.Mark(), path,
                         "the document is too large: more than " +
                             std::to_string(kMaxDocumentEntries) + " keys or " +
                             std::to_string(kMaxDocumentBytes >> 20) +
                             " MiB of keys and values once aliases (*name) are expanded"));
      return;
    }
    DocumentEntry entry{"", file, key.Mark().line + 1, key.Mark().column + 1, false, false};
    if (value.IsMap()) {
      entry.is_section = true;
      out[path] = entry;
      flatten(value, path, file, out, diags, depth + 1, budget, index_lists);
    } else if (value.IsSequence()) {
      entry.is_list = true;
      out[path] = entry;
      if (index_lists) flatten_items(value, path, file, out, diags, depth + 1, budget);
    } else if (value.IsNull()) {
      entry.text = "";
      out[path] = entry;
    } else {
      entry.text = value.Scalar();
      out[path] = entry;
    }
  }
}

// Where the nesting of `text` first exceeds kMaxDocumentDepth, found without parsing: yaml-cpp
// parses recursively (and so does nlohmann's dump), so a document of 10^5 brackets must be
// refused before it reaches them. Counts block levels (distinct increasing indentations and
// compact "- - x" sequence entries) plus flow brackets outside quoted scalars and comments; block
// scalars (| and >) are skipped. It may overcount exotic documents, never real specs.
struct DepthProblem {
  int line = 0;
  int column = 0;
};
std::optional<DepthProblem> nesting_too_deep(std::string_view text) {
  std::vector<size_t> indents;  // block levels open before the current line
  int flow = 0;                 // open [ and { brackets
  char quote = 0;               // the quote of a scalar spanning lines, if any
  std::optional<size_t> block_scalar_indent;  // inside a | or > scalar of a key at this indent
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos) continue;  // blank
    if (block_scalar_indent) {
      const bool blank = line.find_first_not_of(" \r\t") == std::string_view::npos;
      if (indent > *block_scalar_indent || blank) continue;
      block_scalar_indent.reset();
    }
    size_t i = indent;
    if (quote == 0 && flow == 0) {
      if (line[indent] == '#') continue;
      while (!indents.empty() && indents.back() >= indent) indents.pop_back();
      indents.push_back(indent);
      // "- - - x": each compact sequence entry opens a level on the same line.
      size_t extra = 0;
      while (i < line.size() && line[i] == '-' &&
             (i + 1 == line.size() || line[i + 1] == ' ')) {
        ++extra;
        i = line.find_first_not_of(' ', i + 1);
        if (i == std::string_view::npos) i = line.size();
      }
      if (indents.size() + extra > static_cast<size_t>(kMaxDocumentDepth))
        return DepthProblem{line_no, static_cast<int>(indent) + 1};
    }
    char prev = 0;         // the last character before i on this line that is not a space
    char before_prev = 0;  // the one before it
    if (i > indent) prev = '-';  // after the "- " entries counted above
    for (; i < line.size(); ++i) {
      const char c = line[i];
      if (quote) {
        if (quote == '"' && c == '\\') {
          ++i;
        } else if (c == quote) {
          if (quote == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
            ++i;  // '' escape
          } else {
            quote = 0;
            before_prev = prev;
            prev = c;  // a closed scalar: "a": may follow
          }
        }
        continue;
      }
      // A quote opens a quoted scalar only where a scalar can start: at the start of the line,
      // right after [ { or ",", after ": ", "- ", "? ", or right after the ':' of a quoted key
      // ("a":"b"). Anywhere else it is part of a plain scalar (x'y, a:'b), and taking it for a
      // quote would hide brackets that do nest.
      const bool after_space = i > 0 && (line[i - 1] == ' ' || line[i - 1] == '\t');
      const bool scalar_start =
          prev == 0 || prev == '[' || prev == '{' || prev == ',' ||
          (after_space && (prev == ':' || prev == '-' || prev == '?')) ||
          (prev == ':' && (before_prev == '"' || before_prev == '\''));
      if ((c == '"' || c == '\'') && scalar_start) {
        quote = c;
      } else if (c == '#' && (i == 0 || after_space)) {
        break;
      } else if (c == '[' || c == '{') {
        if (static_cast<int>(indents.size()) + ++flow > kMaxDocumentDepth)
          return DepthProblem{line_no, static_cast<int>(i) + 1};
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      }
      if (c != ' ' && c != '\t') {
        before_prev = prev;
        prev = c;
      }
    }
    // "key: |" or "key: >-": the lines indented below it are text, not structure.
    if (quote == 0 && flow == 0) {
      std::string_view body = line.substr(0, line.find_last_not_of(" \t\r") + 1);
      size_t k = body.size();
      while (k > 0 && (body[k - 1] == '-' || body[k - 1] == '+' ||
                       (body[k - 1] >= '0' && body[k - 1] <= '9')))
        --k;
      if (k > 0 && (body[k - 1] == '|' || body[k - 1] == '>') &&
          (k == 1 || body[k - 2] == ' ' || body[k - 2] == ':'))
        block_scalar_indent = indent;
    }
  }
  return std::nullopt;
}

bool looks_binary(const std::string& text) {
  for (unsigned char c : text)
    if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) return true;
  return false;
}

}  // namespace

Result<std::string> read_text_file(const std::string& path) {
  return read_input_file(path, kSpecInput);
}

Result<Document> Document::from_yaml(const std::string& text, const std::string& file,
                                     bool index_lists) {
  Document doc;
  doc.file_ = file;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    return fail(Diagnostic{.file = file, .message = "file is empty"});
  if (looks_binary(text))
    return fail(Diagnostic{.file = file, .message = "file is not text (binary content)"});
  if (text.size() > kMaxSpecFileBytes)
    return fail(Diagnostic{.file = file,
                           .message = "document is " + std::to_string(text.size()) +
                                      " bytes; a YAML or JSON spec may be at most " +
                                      std::to_string(kMaxSpecFileBytes) + " bytes (1 MiB)"});
  if (auto deep = nesting_too_deep(text))
    return fail(Diagnostic{file, deep->line, deep->column, "",
                           "nested deeper than " + std::to_string(kMaxDocumentDepth) +
                               " levels; a spec is a few levels of sections"});
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return fail(at(file, e.mark, "", "malformed YAML: " + e.msg));
  }
  if (!root.IsMap())
    return fail(at(file, root.Mark(), "", "expected a mapping of keys to values at the top level"));
  Diagnostics diags;
  try {
    FlattenBudget budget;
    flatten(root, "", file, doc.entries_, diags, 1, budget, index_lists);
  } catch (const YAML::Exception& e) {
    diags.push_back(at(file, e.mark, "", "malformed YAML: " + e.msg));
  }
  if (!diags.empty()) return tl::unexpected(diags);
  return doc;
}

Result<Document> Document::load_yaml_file(const std::string& path, bool index_lists) {
  auto text = read_text_file(path);
  if (!text) return tl::unexpected(text.error());
  return from_yaml(*text, path, index_lists);
}

Result<void> Document::apply_overrides(const std::vector<std::string>& assignments) {
  Diagnostics diags;
  for (const auto& a : assignments) {
    auto r = apply_override(a);
    if (!r) diags.insert(diags.end(), r.error().begin(), r.error().end());
  }
  if (!diags.empty()) return tl::unexpected(diags);
  return {};
}

Result<void> Document::apply_override(const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    return fail(Diagnostic{.file = "<command line>",
                           .message = "--set expects dotted.path=value, got " +
                                      quote(assignment)});
  std::string path = assignment.substr(0, eq);
  DocumentEntry entry{assignment.substr(eq + 1), "<command line>", 0, 0, false, false};
  // Parent sections of a new key exist implicitly.
  for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1)) {
    std::string parent = path.substr(0, dot);
    if (!entries_.contains(parent)) entries_[parent] = DocumentEntry{"", "<command line>", 0, 0, true, false};
  }
  entries_[path] = entry;
  return {};
}

const DocumentEntry* Document::find(const std::string& path) const {
  auto it = entries_.find(path);
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace xpusim
