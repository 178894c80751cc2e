// SPDX-License-Identifier: Apache-2.0
// A configuration file flattened to dotted paths ("memory.dram.bandwidth" -> "3.35 TB/s") with
// the file, line and column of every key, so that schemas, --set overrides and design sweeps all
// address fields the same way. YAML (with line numbers) and JSON both load into it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "xpusim/base/diagnostic.h"

namespace xpusim {

struct DocumentEntry {
  std::string text;       // the scalar as written ("" for a section)
  std::string file;
  int line = 0;
  int column = 0;
  bool is_section = false;  // a mapping (its keys are entries of their own)
  bool is_list = false;     // a sequence: no schema field accepts one; reported as an error
};

class Document {
 public:
  // Parses YAML text. Malformed YAML, an empty file, a top level that is not a mapping, binary
  // content and duplicate keys are errors naming file:line:column.
  static Result<Document> from_yaml(const std::string& text, const std::string& file);
  // Reads and parses a YAML file.
  static Result<Document> load_yaml_file(const std::string& path);

  // Sets (or adds) `path` from "path=value" as given on the command line. The value is validated
  // later by the schema exactly like a value written in a file.
  Result<void> apply_override(const std::string& assignment);
  // Every assignment of `assignments` (the CLI's --set list); all problems collected.
  Result<void> apply_overrides(const std::vector<std::string>& assignments);

  [[nodiscard]] const std::map<std::string, DocumentEntry>& entries() const { return entries_; }
  [[nodiscard]] const DocumentEntry* find(const std::string& path) const;
  [[nodiscard]] const std::string& file() const { return file_; }
  void set(const std::string& path, DocumentEntry entry) { entries_[path] = std::move(entry); }

 private:
  std::string file_;
  std::map<std::string, DocumentEntry> entries_;
};

// Reads a whole file; a missing or unreadable file is a Diagnostic naming it.
Result<std::string> read_text_file(const std::string& path);

}  // namespace xpusim
