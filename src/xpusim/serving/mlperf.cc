// SPDX-License-Identifier: Apache-2.0
// The Server search: the submitter picks target_qps and LoadGen checks the run (serving.md §2b:
// "LoadGen will use a binary search to find a candidate value; if a run fails, it will reduce the
// value by a small delta and try again"). Here: an upper bound from the Offline throughput (no
// arrival process serves more than an always-full queue), bisection on the rate with common
// random numbers (the same lengths and the same unit-rate exponential gaps at every rate, so p99
// varies smoothly with the rate), each run as long as LoadGen's
// minimum duration at every probed rate. Early stopping (LoadGen results.cc) is not modelled: a
// run passes on its p99s.
#include "xpusim/serving/mlperf.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace xpusim {
namespace {

struct Check {
  bool pass = true;
  std::string worst;     // the metric furthest beyond (or nearest to) its limit
  double worst_ratio = 0;
};

Check check_limits(const ServingResult& r, const MlperfLimits& l) {
  Check c;
  auto test = [&](const std::optional<Seconds>& limit, Seconds value, const char* name) {
    if (!limit) return;
    const double ratio = value / *limit;
    if (ratio > 1.0) c.pass = false;
    if (ratio > c.worst_ratio) {
      c.worst_ratio = ratio;
      c.worst = name;
    }
  };
  test(l.ttft_p99, r.ttft.p99, "ttft");
  test(l.tpot_p99, r.tpot.p99, "tpot");
  test(l.e2e_p99, r.e2e.p99, "e2e");
  return c;
}

int64_t clamp_samples(int64_t n, const MlperfOptions& o) {
  return std::max<int64_t>(1, std::min(n, o.max_samples));
}

}  // namespace

std::string_view to_string(MlperfScenario s) {
  switch (s) {
    case MlperfScenario::kOffline: return "offline";
    case MlperfScenario::kServer: return "server";
    case MlperfScenario::kInteractive: return "interactive";
  }
  return "?";
}

Result<MlperfLimits> mlperf_limits(const DatasetSpec& dataset, MlperfScenario scenario) {
  if (!dataset.mlperf)
    return fail(Diagnostic{.path = "dataset",
                           .message = "dataset \"" + dataset.id +
                                      "\" is not an MLPerf benchmark dataset (it has no mlperf "
                                      "section with latency limits)"});
  const MlperfRules& m = *dataset.mlperf;
  MlperfLimits l;
  if (scenario == MlperfScenario::kServer) {
    l.ttft_p99 = m.server_ttft_p99;
    l.tpot_p99 = m.server_tpot_p99;
    l.e2e_p99 = m.server_e2e_p99;
  } else if (scenario == MlperfScenario::kInteractive) {
    l.ttft_p99 = m.interactive_ttft_p99;
    l.tpot_p99 = m.interactive_tpot_p99;
  }
  if (scenario != MlperfScenario::kOffline && !l.ttft_p99 && !l.tpot_p99 && !l.e2e_p99)
    return fail(Diagnostic{.path = "mlperf",
                           .message = fmt::format("MLPerf benchmark {} has no {} scenario limits",
                                                  m.benchmark, to_string(scenario))});
  return l;
}

Result<MlperfResult> run_mlperf(ServingSystem& system, const DatasetSpec& dataset,
                                MlperfScenario scenario, const MlperfOptions& o) {
  auto limits = mlperf_limits(dataset, scenario);
  if (!limits) return tl::unexpected(limits.error());
  const MlperfRules& rules = *dataset.mlperf;
  MlperfResult out;
  out.scenario = scenario;
  MlperfLimits l = *limits;
  if (o.ttft_limit) l.ttft_p99 = o.ttft_limit;
  if (o.tpot_limit) l.tpot_p99 = o.tpot_limit;
  out.limits = l;
  RunOptions run_options;
  run_options.beam_width = dataset.beam_width;

  const int64_t base_samples =
      clamp_samples(o.samples > 0 ? o.samples : std::max<int64_t>(rules.min_query_count, 1), o);
  // Offline (also the Server search's upper bound).
  const std::vector<RequestSpec> offline_requests = sample_requests(dataset, base_samples, o.seed);
  auto offline = system.run(offline_requests, ArrivalSpec{}, run_options);
  if (!offline) return tl::unexpected(offline.error());
  auto figure = [&](const ServingResult& r) {
    if (rules.inferred_tokens_per_sample)
      return TokensPerSecond(r.requests_per_s.value() * *rules.inferred_tokens_per_sample);
    return r.output_tokens_per_s;
  };
  if (scenario == MlperfScenario::kOffline) {
    out.run = *offline;
    out.samples_per_s = offline->requests_per_s;
    out.tokens_per_s = figure(*offline);
    if (offline->steady_output_tokens_per_s && !rules.inferred_tokens_per_sample) {
      // The saturated phase: what a 600 s LoadGen run of repeated samples measures.
      const double scale = offline->steady_output_tokens_per_s->value() /
                           std::max(offline->output_tokens_per_s.value(), 1e-30);
      out.tokens_per_s = *offline->steady_output_tokens_per_s;
      out.samples_per_s = offline->requests_per_s * scale;
      out.notes.push_back(fmt::format("{} samples; throughput of the saturated phase (until the "
                                      "last sample is admitted)",
                                      base_samples));
    } else if (offline->steady_output_tokens_per_s) {
      const double scale = offline->steady_output_tokens_per_s->value() /
                           std::max(offline->output_tokens_per_s.value(), 1e-30);
      out.samples_per_s = offline->requests_per_s * scale;
      out.tokens_per_s = figure(*offline) * scale;
      out.notes.push_back(fmt::format("{} samples; saturated-phase rate; tokens inferred as {} "
                                      "per sample (LoadGen)",
                                      base_samples, *rules.inferred_tokens_per_sample));
    }
    out.valid = true;
    return out;
  }

  // Server / Interactive: bisection between 0 and the Offline sample rate.
  const double saturation = (offline->steady_output_tokens_per_s
                                 ? offline->requests_per_s.value() *
                                       offline->steady_output_tokens_per_s->value() /
                                       std::max(offline->output_tokens_per_s.value(), 1e-30)
                                 : offline->requests_per_s.value());
  auto samples_at = [&](double rate) {
    return clamp_samples(
        std::max<int64_t>(rules.server_min_query_count,
                          static_cast<int64_t>(std::ceil(rate * rules.min_duration.value()))),
        o);
  };
  // Common random numbers: every probe draws the same lengths (a prefix of one sample) and the
  // same unit-rate exponential gaps scaled by its rate.
  std::vector<RequestSpec> pool;
  auto probe = [&](double rate) -> Result<std::pair<ServingResult, Check>> {
    const int64_t n = samples_at(rate);
    if (static_cast<int64_t>(pool.size()) < n) pool = sample_requests(dataset, n, o.seed + 2);
    const std::vector<RequestSpec> reqs(pool.begin(), pool.begin() + n);
    ArrivalSpec a;
    a.kind = ArrivalSpec::Kind::kPoisson;
    a.rate = CountRate(rate);
    a.seed = o.seed + 1;
    auto r = system.run(reqs, a, run_options);
    if (!r) return tl::unexpected(r.error());
    Check c = check_limits(*r, l);
    out.probes.push_back(RateProbe{CountRate(rate), r->ttft.p99, r->tpot.p99,
                                   figure(*r), c.pass});
    return std::make_pair(std::move(*r), c);
  };
  double lo = 0.0, hi = saturation * 1.05;
  std::string binding;
  std::optional<ServingResult> best;  // the run at `lo`
  // The upper bound itself may pass (limits looser than saturation): then it is the answer.
  auto top = probe(hi);
  if (!top) return tl::unexpected(top.error());
  if (top->second.pass) {
    lo = hi;
    best = top->first;
    binding = top->second.worst;  // no limit binds below saturation: the nearest one
  } else {
    binding = top->second.worst;
    for (int i = 0; i < o.bisection_steps; ++i) {
      const double mid = 0.5 * (lo + hi);
      auto p = probe(mid);
      if (!p) return tl::unexpected(p.error());
      if (p->second.pass) {
        lo = mid;
        best = std::move(p->first);
      } else {
        hi = mid;
        binding = p->second.worst;
      }
    }
  }
  out.binding = binding;
  if (lo <= 0) {
    // Not even the lowest probed rate meets the limits (e.g. one prefill exceeds the TTFT limit).
    out.max_qps = CountRate(0);
    out.valid = false;
    auto p = probe(hi);
    if (!p) return tl::unexpected(p.error());
    out.run = p->first;
    out.ttft_p99 = out.run.ttft.p99;
    out.tpot_p99 = out.run.tpot.p99;
    out.notes.push_back(fmt::format("no rate down to {:.3g} samples/s meets the limits", hi));
    return out;
  }
  // The reported run: the highest passing rate.
  const double rate = lo;
  out.run = std::move(*best);
  const int64_t n = samples_at(rate);
  out.valid = n >= rules.server_min_query_count && out.run.duration >= rules.min_duration * 0.95;
  out.notes.push_back(fmt::format("{} samples over {:.0f} s at the reported rate", n,
                                  out.run.duration.value()));
  if (out.run.duration < rules.min_duration * 0.95)
    out.notes.push_back(fmt::format("shorter than LoadGen's {:.0f} s minimum (sample cap {})",
                                    rules.min_duration.value(), o.max_samples));
  out.max_qps = CountRate(rate);
  out.binding = binding;
  out.ttft_p99 = out.run.ttft.p99;
  out.tpot_p99 = out.run.tpot.p99;
  out.samples_per_s = out.run.requests_per_s;
  out.tokens_per_s = figure(out.run);
  return out;
}

}  // namespace xpusim
