// SPDX-License-Identifier: Apache-2.0
#include "xpusim/config/document.h"

#include <fstream>
#include <set>
#include <sstream>

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

void flatten(const YAML::Node& node, const std::string& prefix, const std::string& file,
             std::map<std::string, DocumentEntry>& out, Diagnostics& diags) {
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;  // copies: the iterator yields a temporary pair
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      diags.push_back(at(file, key.Mark(), prefix, "keys must be plain names"));
      continue;
    }
    const std::string name = key.Scalar();
    const std::string path = prefix.empty() ? name : prefix + "." + name;
    if (!seen.insert(name).second) {
      diags.push_back(at(file, key.Mark(), path, "duplicate key \"" + name + "\""));
      continue;
    }
    DocumentEntry entry{"", file, key.Mark().line + 1, key.Mark().column + 1, false, false};
    if (value.IsMap()) {
      entry.is_section = true;
      out[path] = entry;
      flatten(value, path, file, out, diags);
    } else if (value.IsSequence()) {
      entry.is_list = true;
      out[path] = entry;
    } else if (value.IsNull()) {
      entry.text = "";
      out[path] = entry;
    } else {
      entry.text = value.Scalar();
      out[path] = entry;
    }
  }
}

bool looks_binary(const std::string& text) {
  for (unsigned char c : text)
    if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) return true;
  return false;
}

}  // namespace

Result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Diagnostic{.file = path, .message = "cannot open file"});
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return fail(Diagnostic{.file = path, .message = "cannot read file"});
  return ss.str();
}

Result<Document> Document::from_yaml(const std::string& text, const std::string& file) {
  Document doc;
  doc.file_ = file;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    return fail(Diagnostic{.file = file, .message = "file is empty"});
  if (looks_binary(text))
    return fail(Diagnostic{.file = file, .message = "file is not text (binary content)"});
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
    flatten(root, "", file, doc.entries_, diags);
  } catch (const YAML::Exception& e) {
    diags.push_back(at(file, e.mark, "", "malformed YAML: " + e.msg));
  }
  if (!diags.empty()) return tl::unexpected(diags);
  return doc;
}

Result<Document> Document::load_yaml_file(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return tl::unexpected(text.error());
  return from_yaml(*text, path);
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
                           .message = "--set expects dotted.path=value, got \"" + assignment + "\""});
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
