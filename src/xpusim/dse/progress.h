// SPDX-License-Identifier: Apache-2.0
// The progress line of long work (explore's designs, calibrate's rounds; the CLI's ProgressLine
// writes it to stderr when stderr is a terminal): items done of the total, items per second, the
// feasible share where the work has one (a design search), and the time left at the rate so far.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "xpusim/units/quantity.h"

namespace xpusim {

struct SearchProgress {
  uint64_t done = 0;      // designs evaluated so far (this run)
  uint64_t total = 0;     // designs this run evaluates
  uint64_t feasible = 0;  // of `done`
  Seconds elapsed;        // since the first design
  bool finished = false;  // the last line: the elapsed time instead of the time left
  std::string_view unit = "designs";  // the items, plural
  bool show_feasible = true;          // the work has a feasible share (a design search)
};

// "1,536/15,000 designs (10%), 4,210 designs/s, 72% feasible, 3 s left" (finished: "..., done
// in 3.6 s"; without show_feasible the share is left out; below 10 items/s the rate keeps one
// decimal). The rate and the time left are "-" until an item is done and time has passed.
std::string progress_text(const SearchProgress& p);

// "0.04 s", "4.2 s", "42 s", "3 min 5 s", "2 h 3 min"; "-" when not a finite time >= 0.
std::string duration_text(Seconds s);

}  // namespace xpusim
