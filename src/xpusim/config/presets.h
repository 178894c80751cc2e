// SPDX-License-Identifier: Apache-2.0
// Where presets live and how a command-line argument "ID|FILE" becomes a file to load: anything
// that names an existing file or ends in .yaml/.yml/.json is a file; otherwise it is a preset id
// looked up in <data dir>/presets/<kind>/<id>.yaml. An unknown id is an error listing the known
// ones with a "did you mean".
#pragma once

#include <string>
#include <vector>

#include "xpusim/base/diagnostic.h"

namespace xpusim {

// The data directory: $XPUSIM_DATA_DIR if set, else the source tree's data/ compiled in.
std::string data_dir();

// The ids of the presets of `kind` ("hardware", "models", "engines"), sorted.
std::vector<std::string> list_presets(const std::string& kind);

// Resolves "ID|FILE" to a path. `what` names the kind in messages ("hardware", "model").
Result<std::string> resolve_preset_path(const std::string& kind, const std::string& id_or_file,
                                        const std::string& what);

// The same for any folder of YAML files whose stems are ids (data/datasets/): `what` starts the
// unknown-id message ("dataset" -> `unknown dataset "x"`). A path that exists but is not a
// regular file is reported as such ("is a directory", "is not a regular file").
std::vector<std::string> list_yaml_ids(const std::string& dir);
Result<std::string> resolve_id_or_file(const std::string& dir, const std::string& id_or_file,
                                       const std::string& what);

// `--set` assignments by the spec they reach: "model.PATH=VALUE" -> the model (as "PATH=VALUE"),
// "hardware.PATH=VALUE" and an assignment without a namespace -> the hardware (the form --set
// took before it reached the model). The paths themselves are checked by each spec's schema.
struct SplitOverrides {
  std::vector<std::string> hardware;
  std::vector<std::string> model;
};
SplitOverrides split_overrides(const std::vector<std::string>& overrides);

}  // namespace xpusim
