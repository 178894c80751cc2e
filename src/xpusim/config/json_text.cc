// SPDX-License-Identifier: Apache-2.0
#include "xpusim/config/json_text.h"

#include <map>
#include <set>
#include <vector>

#include "xpusim/base/input_file.h"
#include "xpusim/base/text.h"
#include "xpusim/config/document.h"

namespace xpusim {
namespace {

constexpr size_t kMaxDuplicateReports = 20;
constexpr size_t kMaxReasonBytes = 200;

struct Position {
  int line = 1;
  int column = 1;
};

// One open object or array of the scan.
struct Frame {
  bool object = false;
  bool expect_key = false;                 // the next string of this object is a key
  std::string key;                         // the key whose value is being read
  std::map<std::string, Position> keys;    // keys seen (as written, escapes not decoded)
};

std::string dotted(const std::vector<Frame>& frames) {
  std::string path;
  for (const auto& f : frames)
    if (f.object && !f.key.empty()) path += (path.empty() ? "" : ".") + f.key;
  return path;
}

// A lexical scan of the text: positions of keys (for duplicates) and the nesting depth, found
// without recursion. Structure errors are left to nlohmann (the scan stops trusting the text).
Diagnostics scan(const std::string& text, const std::string& file) {
  Diagnostics diags;
  std::vector<Frame> frames;
  Position at;
  size_t duplicates = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      const Position start = at;
      std::string raw;
      size_t j = i + 1;
      for (; j < text.size() && text[j] != '"' && text[j] != '\n'; ++j) {
        if (text[j] == '\\' && j + 1 < text.size()) raw += text[j++];
        raw += text[j];
      }
      if (j >= text.size() || text[j] != '"') {  // unterminated: nlohmann reports it
        at.column += static_cast<int>(j - i);
        i = j - 1;
        continue;
      }
      at.column += static_cast<int>(j - i) + 1;
      i = j;
      if (!frames.empty() && frames.back().object && frames.back().expect_key) {
        Frame& f = frames.back();
        f.expect_key = false;
        f.key = raw;
        if (auto [first, inserted] = f.keys.emplace(raw, start); !inserted &&
            duplicates++ < kMaxDuplicateReports) {
          diags.push_back(Diagnostic{file, start.line, start.column, dotted(frames),
                                     "duplicate key " + quote(raw) + " (first at line " +
                                         std::to_string(first->second.line) + ", column " +
                                         std::to_string(first->second.column) + ")"});
        }
      }
      continue;
    }
    if (c == '\n') {
      ++at.line;
      at.column = 1;
      continue;
    }
    if (c == '{' || c == '[') {
      frames.push_back(Frame{.object = c == '{', .expect_key = c == '{'});
      if (frames.size() > static_cast<size_t>(kMaxDocumentDepth)) {
        diags.push_back(Diagnostic{file, at.line, at.column, "",
                                   "nested deeper than " + std::to_string(kMaxDocumentDepth) +
                                       " levels; a spec is a few levels of objects"});
        return diags;
      }
    } else if ((c == '}' || c == ']') && !frames.empty()) {
      frames.pop_back();
    } else if (c == ',' && !frames.empty() && frames.back().object) {
      frames.back().expect_key = true;
    }
    ++at.column;
  }
  return diags;
}

std::pair<int, int> line_column(const std::string& text, size_t offset) {
  offset = std::min(offset, text.size());
  int line = 1, column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

}  // namespace

Result<nlohmann::json> parse_json_text(const std::string& text, const std::string& file) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    return fail(Diagnostic{.file = file, .message = "file is empty"});
  if (text.size() > kMaxSpecFileBytes)
    return fail(Diagnostic{.file = file,
                           .message = "document is " + std::to_string(text.size()) +
                                      " bytes; a YAML or JSON spec may be at most " +
                                      std::to_string(kMaxSpecFileBytes) + " bytes (1 MiB)"});
  if (Diagnostics d = scan(text, file); !d.empty()) return tl::unexpected(d);
  // The scan compares keys as written; two spellings of one key ("a" and "\u0061") are caught
  // here, after decoding, without a position.
  std::vector<std::set<std::string>> seen;
  std::vector<std::string> keys;
  Diagnostics decoded_duplicates;
  auto on_event = [&](int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) {
      seen.emplace_back();
      keys.emplace_back();
    } else if (event == E::object_end && !seen.empty()) {
      seen.pop_back();
      keys.pop_back();
    } else if (event == E::key && !seen.empty() && parsed.is_string()) {
      keys.back() = parsed.get<std::string>();
      if (!seen.back().insert(keys.back()).second &&
          decoded_duplicates.size() < kMaxDuplicateReports) {
        decoded_duplicates.push_back(Diagnostic{.file = file,
                                                .path = join(keys, "."),
                                                .message = "duplicate key " + quote(keys.back()) +
                                                           " (written twice, once with escapes)"});
      }
    }
    return true;
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text, on_event);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is the 1-based position of the offending byte.
    auto [line, column] = line_column(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    // Drop the "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix.
    if (auto p = what.find("parse error"); p != std::string::npos) {
      if (auto colon = what.find(": ", p); colon != std::string::npos)
        what = what.substr(colon + 2);
    }
    return fail(Diagnostic{file, line, column, "",
                           "malformed JSON: " + printable(what, kMaxReasonBytes)});
  } catch (const nlohmann::json::exception& e) {
    // out_of_range.406, "number overflow parsing '1e400'": a number beyond a double. It carries
    // no position; the token it quotes is found in the text.
    std::string what = e.what();
    std::string token;
    if (auto open = what.find('\''); open != std::string::npos)
      if (auto close = what.find('\'', open + 1); close != std::string::npos)
        token = what.substr(open + 1, close - open - 1);
    const size_t at = token.empty() ? std::string::npos : text.find(token);
    auto [line, column] = at == std::string::npos ? std::pair{0, 0} : line_column(text, at);
    if (e.id == 406)
      return fail(Diagnostic{file, line, column, "",
                             "number " + quote(token) + " is out of range (beyond 1.8e308)"});
    return fail(Diagnostic{file, line, column, "",
                           "malformed JSON: " + printable(what, kMaxReasonBytes)});
  }
  if (!decoded_duplicates.empty()) return tl::unexpected(decoded_duplicates);
  return j;
}

}  // namespace xpusim
