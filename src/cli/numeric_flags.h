// SPDX-License-Identifier: Apache-2.0
// Numeric flags checked against their bound (base/bounds.h) on the text as given, before CLI11
// converts it: CLI11 reads integers with strtoll, which clamps 99999999999999999999 to 2^63-1
// and reads 010 as octal, and reads "nan" and "inf" as reals. A bad value is an InputError
// ("error: <command line>: --batch: ... is out of range; allowed 1 .. 1048576 (why)", exit 1).
#pragma once

#include <CLI/CLI.hpp>

#include "xpusim/base/bounds.h"

namespace xpusim::cli {

// Attaches `b` to an integer option (int, int64_t or std::optional of them); returns `opt`.
CLI::Option* bound_int(CLI::Option* opt, const IntBound& b);
// Attaches `b` to a real option (double or std::optional<double>); returns `opt`.
CLI::Option* bound_real(CLI::Option* opt, const RealBound& b);

}  // namespace xpusim::cli
