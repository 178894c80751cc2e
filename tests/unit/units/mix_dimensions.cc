// SPDX-License-Identifier: Apache-2.0
// Compiled by CTest, not linked: with XPUSIM_VALID it must compile; without it, adding bytes to
// seconds must not compile. Proves that mixing dimensions is a compile-time error.
#include "xpusim/units/quantity.h"

int main() {
  xpusim::Bytes b(1.0);
  xpusim::Seconds s(1.0);
#ifdef XPUSIM_VALID
  auto ok = b / s;
  (void)ok;
#else
  auto bad = b + s;
  (void)bad;
#endif
  return 0;
}
