// SPDX-License-Identifier: Apache-2.0
// The chart libraries every HTML report inlines (stage: report/): the minified bundles of vega,
// vega-lite and vega-embed pinned by web/package-lock.json, fetched once by the build (npm ci)
// and compiled into the binary by cmake/embed_web_assets.cmake. A build configured with
// -DXPUSIM_HTML=OFF has none, and says why.
#pragma once

#include <span>
#include <string_view>

namespace xpusim {

struct WebBundle {
  std::string_view package;  // npm package name: "vega", "vega-lite", "vega-embed"
  std::string_view version;  // as installed from the lock file
  std::string_view source;   // the minified JavaScript (UMD: defines vega, vegaLite, vegaEmbed)
};

// In load order (vega-lite needs vega; vega-embed needs both); empty without the libraries.
std::span<const WebBundle> web_bundles();

// Empty when web_bundles() holds the libraries; otherwise why this build has none.
std::string_view web_assets_missing_reason();

}  // namespace xpusim
