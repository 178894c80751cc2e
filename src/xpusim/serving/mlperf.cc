// SPDX-License-Identifier: Apache-2.0
// The Server search: the submitter picks target_qps and LoadGen checks the run (serving.md §2b:
// "LoadGen will use a binary search to find a candidate value; if a run fails, it will reduce the
// value by a small delta and try again"). Here: an upper bound from the Offline throughput (no
// arrival process serves more than an always-full queue), bisection on the rate with common
// random numbers (the same lengths and the same unit-rate exponential gaps at every rate, so p99
// varies smoothly with the rate), each run as long as LoadGen's
// minimum duration at every probed rate. Early stopping (LoadGen results.cc) is not modelled: a
// run passes on its p99s. A probe stops as soon as it is certain to fail (one p99 certain to
// exceed its limit whatever the remaining requests do): only its pass/fail steers the search.
#include "xpusim/serving/mlperf.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "xpusim/base/check.h"

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

CompletedRates loadgen_completed_rates(const ServingResult& run) {
  CompletedRates c;
  c.time = run.counters.final_request_done.value_or(run.duration);
  if (!(c.time.value() > 0)) return c;
  const double samples = static_cast<double>(std::max<int64_t>(run.counters.completed - 1, 0));
  c.samples_per_s = CountRate(samples / c.time.value());
  c.tokens_per_s = TokensPerSecond(static_cast<double>(run.counters.output_tokens) / c.time.value());
  return c;
}

int64_t loadgen_offline_query(int64_t min_query_count, CountRate target_qps,
                              Seconds min_duration) {
  // kSlack = 1.1 (INF loadgen/test_settings_internal.cc); LoadGen converts the product to an
  // integer count (truncation). Saturating: a rate and a duration within their bounds stay far
  // below the cap.
  constexpr double kSlack = 1.1;
  const double n = std::floor(kSlack * std::max(target_qps.value(), 0.0) * min_duration.value());
  const double cap = 4.0e18;
  return std::max<int64_t>(std::max<int64_t>(min_query_count, 1),
                           static_cast<int64_t>(std::min(n, cap)));
}

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
  // Search runs record nothing per step; the reported run gets the caller's options.
  RunOptions quiet = o.run;
  quiet.on_step = nullptr;
  quiet.beam_width = dataset.beam_width;
  RunOptions reported = quiet;
  reported.on_step = o.run.on_step;
  // The token figure of a run: Offline its output tokens/s (offline_figures scales it to the
  // saturated phase); Server and Interactive LoadGen's completed tokens/s; benchmarks whose
  // tokens LoadGen infers count that many per sample.
  auto figure = [&](const ServingResult& r) {
    if (scenario == MlperfScenario::kOffline) {
      if (rules.inferred_tokens_per_sample)
        return TokensPerSecond(r.requests_per_s.value() * *rules.inferred_tokens_per_sample);
      return r.output_tokens_per_s;
    }
    const CompletedRates c = loadgen_completed_rates(r);
    if (rules.inferred_tokens_per_sample)
      return TokensPerSecond(c.samples_per_s.value() * *rules.inferred_tokens_per_sample);
    return c.tokens_per_s;
  };
  // The rate and token figures of an Offline run: those of its saturated phase (what a 600 s
  // LoadGen run of repeated samples measures) when that phase is most of the run; a run too short
  // to saturate (a few samples) is reported whole. offline_note says which, for the reported run.
  auto saturated = [](const ServingResult& r) {
    return r.steady_output_tokens_per_s && r.counters.backlog_end &&
           *r.counters.backlog_end >= r.duration * 0.5;
  };
  auto offline_figures = [&](const ServingResult& r) {
    const double scale =
        saturated(r)
            ? r.steady_output_tokens_per_s->value() / std::max(r.output_tokens_per_s.value(), 1e-30)
            : 1.0;
    return std::make_pair(r.requests_per_s * scale, figure(r) * scale);
  };
  auto offline_note = [&](const ServingResult& r, int64_t n) {
    if (saturated(r))
      return fmt::format("{} samples; the saturated phase (until the last sample is admitted, "
                         "{:.0f} of {:.0f} s)",
                         n, r.counters.backlog_end->value(), r.duration.value());
    return fmt::format("{} samples: too few to saturate the system for most of the run; the "
                       "whole run is reported",
                       n);
  };

  const int64_t offline_samples =
      clamp_samples(o.samples > 0 ? o.samples : std::max<int64_t>(rules.min_query_count, 1), o);
  // LoadGen's Offline query (serving.md §2b, INF loadgen/test_settings_internal.cc:148-157):
  // samples_per_query = max(min_query_count, 1.1 x target_qps x min_duration), target_qps being
  // the rate the submitter expects, i.e. what the system sustains. A run of min_query_count
  // samples shared by many replicas is mostly the ramp-up of each replica's batch (8 replicas x
  // 1,875 Mixtral samples: 6.1k instead of the steady 7.6k tokens/s per GPU), so when that run is
  // shorter than min_duration it sets target_qps (its saturated sample rate) and the query is run
  // again at LoadGen's size (capped at max_samples). An explicit sample count is run as given.
  struct OfflineRun {
    ServingResult run;
    int64_t samples = 0;
  };
  auto offline_run = [&](const RunOptions& ro) -> Result<OfflineRun> {
    auto run_n = [&](int64_t count, const RunOptions& opts) -> Result<ServingResult> {
      const Result<std::vector<RequestSpec>> reqs = sample_requests(dataset, count, o.seed);
      if (!reqs) return tl::unexpected(reqs.error());
      return system.run(*reqs, ArrivalSpec{}, opts);
    };
    // An explicit sample count is run once, as given; otherwise the first run may be a probe.
    const bool sized_by_loadgen = o.samples <= 0;
    int64_t n = offline_samples;
    auto r = run_n(n, sized_by_loadgen ? quiet : ro);
    if (!r) return tl::unexpected(r.error());
    if (sized_by_loadgen) {
      const int64_t next = clamp_samples(
          loadgen_offline_query(rules.min_query_count, offline_figures(*r).first, rules.min_duration),
          o);
      const bool again = next > n && r->duration < rules.min_duration;
      // A caller recording the steps gets them from the run it is given (the same n again when
      // the probe was long enough).
      if (again || ro.on_step) {
        if (again) n = next;
        r = run_n(n, ro);
        if (!r) return tl::unexpected(r.error());
      }
    }
    return OfflineRun{std::move(*r), n};
  };
  if (scenario == MlperfScenario::kOffline) {
    auto offline = offline_run(reported);
    if (!offline) return tl::unexpected(offline.error());
    out.run = std::move(offline->run);
    const int64_t n = offline->samples;
    std::tie(out.samples_per_s, out.tokens_per_s) = offline_figures(out.run);
    out.notes.push_back(offline_note(out.run, n));
    if (n != offline_samples)
      out.notes.push_back(fmt::format(
          "LoadGen's Offline query: max(min_query_count {}, 1.1 x target_qps x {:.0f} s) = {} "
          "samples, target_qps being the saturated rate of a first run of {} samples{}",
          rules.min_query_count, rules.min_duration.value(), n, offline_samples,
          n == o.max_samples ? fmt::format(" (capped at {})", o.max_samples) : ""));
    if (rules.inferred_tokens_per_sample)
      out.notes.push_back(fmt::format("tokens inferred as {} per sample (LoadGen)",
                                      *rules.inferred_tokens_per_sample));
    out.valid = true;
    return out;
  }

  // Server / Interactive. Upper bound: the Offline sample rate of a run of at least the dataset's
  // size (a handful of samples would not saturate the system).
  // (The caller's Offline result is this same run: offline_run(reported) of the Offline scenario
  // differs from offline_run(quiet) only by a step observer, which changes nothing simulated.)
  double saturation = 0;
  if (o.offline && o.offline->scenario == MlperfScenario::kOffline) {
    saturation = offline_figures(o.offline->run).first.value();
  } else {
    auto offline = offline_run(quiet);
    if (!offline) return tl::unexpected(offline.error());
    saturation = offline_figures(offline->run).first.value();
  }
  const Seconds run_duration = o.min_duration.value_or(rules.min_duration);
  auto samples_at = [&](double rate) {
    return clamp_samples(
        std::max<int64_t>(rules.server_min_query_count,
                          static_cast<int64_t>(std::ceil(rate * run_duration.value()))),
        o);
  };
  // Common random numbers: every probe draws the same lengths (a prefix of one sample) and the
  // same unit-rate exponential gaps scaled by its rate.
  std::vector<RequestSpec> pool;
  auto probe = [&](double rate, const RunOptions& ro) -> Result<std::pair<ServingResult, Check>> {
    const int64_t n = samples_at(rate);
    if (static_cast<int64_t>(pool.size()) < n) {
      Result<std::vector<RequestSpec>> drawn = sample_requests(dataset, n, o.seed + 2);
      if (!drawn) return tl::unexpected(drawn.error());
      pool = std::move(*drawn);
    }
    const std::vector<RequestSpec> reqs(pool.begin(), pool.begin() + n);
    ArrivalSpec a;
    a.kind = ArrivalSpec::Kind::kPoisson;
    a.rate = CountRate(rate);
    a.seed = o.seed + 1;
    auto r = system.run(reqs, a, ro);
    if (!r) return tl::unexpected(r.error());
    Check c = check_limits(*r, l);
    XPUSIM_CHECK(!r->stopped_early || !c.pass, "a probe stopped early must fail its limits");
    out.probes.push_back(RateProbe{CountRate(rate), r->ttft.p99, r->tpot.p99, figure(*r), c.pass,
                                   r->stopped_early});
    return std::make_pair(std::move(*r), c);
  };
  // The search's probes need only pass or fail: one that is certain to fail stops there (the
  // decision, and so the rate found and its run, are those of probes run to the end).
  RunOptions search = quiet;
  if (o.stop_failing_probes)
    search.stop_when_p99_exceeds = RunOptions::P99Limits{l.ttft_p99, l.tpot_p99, l.e2e_p99};
  // Bracket: from just above the Offline rate, doubling while the rate still passes (limits so
  // loose that only throughput binds: a 600 s run above saturation still fails on its queue).
  double lo = 0.0, hi = std::max(saturation, 1e-6) * 1.05;
  constexpr int kMaxExpansions = 4;
  int probes_done = 0;
  auto probed = [&](int total) {
    if (o.on_probe) o.on_probe(++probes_done, total);
  };
  std::string binding;
  std::optional<ServingResult> best;  // the run at `lo`
  for (int expand = 0; expand < kMaxExpansions; ++expand) {
    auto top = probe(hi, search);
    if (!top) return tl::unexpected(top.error());
    binding = top->second.worst;
    // Probes so far plus the expansions left if this one passes, and the bisection.
    probed(top->second.pass ? kMaxExpansions + o.bisection_steps
                            : expand + 1 + o.bisection_steps);
    if (!top->second.pass) break;
    lo = hi;
    best = std::move(top->first);
    hi *= 2.0;
  }
  for (int i = 0; i < o.bisection_steps; ++i) {
    const double mid = 0.5 * (lo + hi);
    auto p = probe(mid, search);
    if (!p) return tl::unexpected(p.error());
    probed(probes_done + o.bisection_steps - i);
    if (p->second.pass) {
      lo = mid;
      best = std::move(p->first);
    } else {
      hi = mid;
      binding = p->second.worst;
    }
  }
  out.binding = binding;
  if (!best) {
    // Not even the lowest probed rate meets the limits (e.g. one prefill exceeds the TTFT limit).
    out.max_qps = CountRate(0);
    out.valid = false;
    auto p = probe(hi, reported);
    if (!p) return tl::unexpected(p.error());
    out.run = std::move(p->first);
    out.ttft_p99 = out.run.ttft.p99;
    out.tpot_p99 = out.run.tpot.p99;
    out.notes.push_back(fmt::format("no rate down to {:.3g} samples/s meets the limits", hi));
    return out;
  }
  // The reported run: the highest passing rate (re-run only when it must record its steps).
  const double rate = lo;
  if (reported.on_step) {
    auto p = probe(rate, reported);
    if (!p) return tl::unexpected(p.error());
    out.probes.pop_back();
    best = std::move(p->first);
  }
  out.run = std::move(*best);
  const int64_t n = samples_at(rate);
  out.valid = n >= rules.server_min_query_count && out.run.duration >= rules.min_duration * 0.95;
  const CompletedRates completed = loadgen_completed_rates(out.run);
  out.notes.push_back(fmt::format(
      "{} samples at the reported rate; LoadGen's completed rates over {:.0f} s, to the final "
      "query's completion (the slowest request completes at {:.0f} s)",
      n, completed.time.value(), out.run.duration.value()));
  if (out.run.duration < rules.min_duration * 0.95)
    out.notes.push_back(
        o.min_duration && *o.min_duration < rules.min_duration
            ? fmt::format("shorter than LoadGen's {:.0f} s minimum (runs of {:.4g} s asked, "
                          "sample cap {})",
                          rules.min_duration.value(), o.min_duration->value(), o.max_samples)
            : fmt::format("shorter than LoadGen's {:.0f} s minimum (sample cap {})",
                          rules.min_duration.value(), o.max_samples));
  out.max_qps = CountRate(rate);
  out.ttft_p99 = out.run.ttft.p99;
  out.tpot_p99 = out.run.tpot.p99;
  out.samples_per_s = completed.samples_per_s;
  out.tokens_per_s = figure(out.run);
  return out;
}

}  // namespace xpusim
