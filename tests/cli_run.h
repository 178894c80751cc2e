// SPDX-License-Identifier: Apache-2.0
// Runs the xpusim binary (XPUSIM_BINARY, a compile definition of every test target) as a process
// and captures its exit code and one output stream, for the CLI tests of every stage.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace xpusim::testing {

struct CliRun {
  int code = -1;     // exit status; -1 if the process could not run or was killed
  std::string out;   // stdout, or stderr alone when asked for
};

// Runs a shell command line, capturing what it writes to the pipe (its own redirections decide).
inline CliRun shell(const std::string& cmd) {
  CliRun r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Runs `xpusim <args>`; captures stderr alone (stdout discarded) when `stderr_only`, else stdout.
inline CliRun run(const std::string& args, bool stderr_only = false) {
  return shell(std::string("\"") + XPUSIM_BINARY + "\" " + args +
               (stderr_only ? " 2>&1 >/dev/null" : " 2>/dev/null"));
}

}  // namespace xpusim::testing
