// SPDX-License-Identifier: Apache-2.0
#include "cli/numeric_flags.h"

#include <fmt/format.h>

#include "cli/command.h"

namespace xpusim::cli {
namespace {

[[noreturn]] void reject(const std::string& flag, std::string message) {
  throw InputError(Diagnostics{
      Diagnostic{.file = "<command line>", .path = flag, .message = std::move(message)}});
}

}  // namespace

// CLI11 catches only its own ValidationError around a validator, so the InputError leaves
// App::parse and main reports it like every other bad input. The validator rewrites the text in
// canonical decimal form, so that CLI11's conversion reads the value that was checked.
CLI::Option* bound_int(CLI::Option* opt, const IntBound& b) {
  const std::string flag = opt->get_name();
  opt->transform(CLI::Validator(
      [flag, b](std::string& text) -> std::string {
        auto v = parse_bounded_int(text, b);
        if (!v) reject(flag, v.error());
        text = std::to_string(*v);
        return {};
      },
      range_text(b)));
  return opt;
}

CLI::Option* bound_real(CLI::Option* opt, const RealBound& b) {
  const std::string flag = opt->get_name();
  opt->transform(CLI::Validator(
      [flag, b](std::string& text) -> std::string {
        auto v = parse_bounded_real(text, b);
        if (!v) reject(flag, v.error());
        text = fmt::format("{}", *v);  // shortest text that reads back as the same double
        return {};
      },
      range_text(b)));
  return opt;
}

}  // namespace xpusim::cli
