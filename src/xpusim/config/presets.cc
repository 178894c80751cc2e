// SPDX-License-Identifier: Apache-2.0
#include "xpusim/config/presets.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "xpusim/base/input_file.h"
#include "xpusim/base/text.h"

namespace xpusim {

std::string data_dir() {
  if (const char* env = std::getenv("XPUSIM_DATA_DIR"); env && *env) return env;
  return XPUSIM_DATA_DIR;
}

std::vector<std::string> list_yaml_ids(const std::string& dir) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".yaml") ids.push_back(entry.path().stem().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> list_presets(const std::string& kind) {
  return list_yaml_ids((std::filesystem::path(data_dir()) / "presets" / kind).string());
}

Result<std::string> resolve_id_or_file(const std::string& dir, const std::string& id_or_file,
                                       const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto ends_with = [&](const char* s) { return id_or_file.ends_with(s); };
  if (fs::is_regular_file(id_or_file, ec)) return id_or_file;
  // Something exists under that name (a directory, a device, a FIFO): say what it is.
  if (fs::exists(fs::symlink_status(id_or_file, ec)) || ends_with(".yaml") || ends_with(".yml") ||
      ends_with(".json") || id_or_file.find('/') != std::string::npos) {
    if (auto r = check_regular_file(id_or_file, kSpecInput); !r) return tl::unexpected(r.error());
    return id_or_file;
  }
  fs::path p = fs::path(dir) / (id_or_file + ".yaml");
  if (fs::is_regular_file(p, ec)) return p.string();
  auto known = list_yaml_ids(dir);
  std::string msg = "unknown " + what + " " + quote(id_or_file);
  std::vector<std::string> extending;  // "h100" -> the ids that start with it
  for (const auto& k : known)
    if (k.starts_with(id_or_file)) extending.push_back(k);
  // A stem of known ids ("h100") lists them first: a short id at a small edit distance ("b300"
  // is 2 edits from "h100") is a worse guess than the ids the name begins.
  if (!extending.empty())
    msg += "; did you mean one of: " + join(extending) + "?";
  else if (auto m = closest_match(id_or_file, known))
    msg += "; did you mean \"" + *m + "\"?";
  else
    msg += ".";
  msg += known.empty() ? " No ids under " + dir : " Known: " + join(known);
  return fail(msg);
}

Result<std::string> resolve_preset_path(const std::string& kind, const std::string& id_or_file,
                                        const std::string& what) {
  return resolve_id_or_file((std::filesystem::path(data_dir()) / "presets" / kind).string(),
                            id_or_file, what + " preset");
}

SplitOverrides split_overrides(const std::vector<std::string>& overrides) {
  SplitOverrides out;
  for (const auto& o : overrides) {
    if (o.starts_with("model.")) out.model.push_back(o.substr(6));
    else if (o.starts_with("hardware.")) out.hardware.push_back(o.substr(9));
    else out.hardware.push_back(o);
  }
  return out;
}

}  // namespace xpusim
