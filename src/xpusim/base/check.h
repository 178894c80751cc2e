// SPDX-License-Identifier: Apache-2.0
// Internal invariants: a broken one is a bug in xpusim, never a user error, and aborts with file
// and line in every build type (user input is validated in config/ and cli/ instead).
#pragma once

#include <cstdio>
#include <cstdlib>

#define XPUSIM_CHECK(cond, msg)                                                          \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "internal error: %s:%d: check failed: %s: %s\n", __FILE__,    \
                   __LINE__, #cond, msg);                                                \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)
