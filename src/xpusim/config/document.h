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

// Bounds of a parsed document (besides the file size cap of base/input_file.h): sections nested
// deeper than kMaxDocumentDepth, more than kMaxDocumentEntries keys, or more than
// kMaxDocumentBytes of key paths and values once YAML aliases are expanded are errors.
inline constexpr int kMaxDocumentDepth = 64;
inline constexpr size_t kMaxDocumentEntries = 4096;
inline constexpr size_t kMaxDocumentBytes = size_t{16} << 20;

class Document {
 public:
  // Parses YAML text. Malformed YAML, an empty file, a top level that is not a mapping, binary
  // content, duplicate keys (naming both places), text above 1 MiB and the bounds above are
  // errors naming file:line:column. The nesting is checked before yaml-cpp (which recurses)
  // sees the text.
  // With `index_lists`, the items of a sequence are entries of their own, addressed
  // "key[0]", "key[0].sub" (a design space's parameter list); without it a sequence is one
  // is_list entry, which no spec schema accepts.
  static Result<Document> from_yaml(const std::string& text, const std::string& file,
                                    bool index_lists = false);
  // Reads and parses a YAML file.
  static Result<Document> load_yaml_file(const std::string& path, bool index_lists = false);

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

// Reads a whole spec file (YAML or JSON) through base/input_file.h: a missing file, a directory,
// a device, a FIFO, a file above 1 MiB and binary content are Diagnostics naming it.
Result<std::string> read_text_file(const std::string& path);

}  // namespace xpusim
