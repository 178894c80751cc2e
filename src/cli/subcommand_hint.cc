// SPDX-License-Identifier: Apache-2.0
// "unknown subcommand 'runn' (did you mean 'run'?)": CLI11 reports a mistyped subcommand as a
// missing one ("A subcommand is required"), so main asks here, after a failed parse, which word
// of the command line stood where a subcommand was required.
#include <string>
#include <vector>

#include "cli/command.h"
#include "xpusim/base/text.h"

namespace xpusim::cli {
namespace {

// The option `name` ("--format", "-o") of `node` or, as options fall through, of a parent.
const CLI::Option* find_option(const CLI::App* node, const std::string& name) {
  for (; node != nullptr; node = node->get_parent())
    if (const CLI::Option* opt = node->get_option_no_throw(name)) return opt;
  return nullptr;
}

// "show hardware" for the chain of subcommands from the root to `node`.
std::string command_path(const CLI::App* node) {
  std::string path;
  for (; node != nullptr && node->get_parent() != nullptr; node = node->get_parent())
    path = node->get_name() + (path.empty() ? "" : " " + path);
  return path;
}

}  // namespace

std::optional<std::string> unknown_subcommand_message(const CLI::App& app,
                                                      const std::vector<std::string>& args) {
  const CLI::App* node = &app;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") return std::nullopt;
    if (arg.size() > 1 && arg.front() == '-') {
      if (arg.find('=') != std::string::npos) continue;  // --format=json
      const CLI::Option* opt = find_option(node, arg);
      if (opt != nullptr && opt->get_type_size_max() > 0) ++i;  // its value
      continue;
    }
    std::vector<std::string> names;
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : node->get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->check_name(arg)) next = sub;
      if (!sub->get_name().empty()) names.push_back(sub->get_name());
    }
    if (next != nullptr) {
      node = next;
      continue;
    }
    // A word where no subcommand is required is a positional argument: CLI11's message stands.
    if (node->get_require_subcommand_min() == 0 || names.empty()) return std::nullopt;
    const std::string where = command_path(node);
    std::string msg = "unknown subcommand '" + printable(arg) + "'";
    if (!where.empty()) msg += " for '" + where + "'";
    if (auto m = closest_match(arg, names)) msg += " (did you mean '" + *m + "'?)";
    msg += "; expected one of: " + join(names);
    return msg;
  }
  return std::nullopt;
}

}  // namespace xpusim::cli
