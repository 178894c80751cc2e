// SPDX-License-Identifier: Apache-2.0
// The serving DES. Engines iterate back to back while they have work (continuous batching, Yu et
// al. "Orca", OSDI 2022): each iteration is built by the engine's BatchScheduler, timed by the step
// model (DeviceModel::step: kernel time of the mixed batch) plus the runtime profile's host costs
// (step_overhead per iteration and sequence_overhead per sequence in it, amortised over the
// scheduler_steps of a multi-step decode; request_overhead when the iteration starts new prompts;
// the per-sequence part overlapped with the device where the profile says output_overlap),
// and its tokens are emitted when it ends. A pipeline-parallel replica runs pp engines ("lanes", vLLM's virtual engines): each lane's
// iteration crosses all pp stages (latency pp x stage time), the lanes keep every stage busy, and
// each lane owns 1/pp of the replica's KV blocks. Disaggregated pools move a request's KV over the
// interconnect tier joining them (alpha-beta: link latency + bytes / (bandwidth x efficiency)).
// Ignored: host-device overlap of scheduling with kernels (only output processing overlaps), speculative decoding, CUDA-graph
// padding of decode batches, network time between clients and the server.
#include "xpusim/serving/serving_system.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <random>
#include <variant>

#include <fmt/format.h>

#include "xpusim/base/check.h"
#include "xpusim/area/area_model.h"
#include "xpusim/base/text.h"
#include "xpusim/config/model_params.h"
#include "xpusim/perf/collective_model.h"
#include "xpusim/perf/memory_footprint.h"
#include "xpusim/serving/batch_scheduler.h"
#include "xpusim/serving/engine.h"
#include "xpusim/serving/power_limiter.h"
#include "xpusim/serving/router.h"
#include "xpusim/workload/graph_builder.h"

namespace xpusim {

LatencySummary summarize(const LatencyHistogram& h) {
  LatencySummary s;
  s.count = h.count();
  s.mean = h.mean();
  s.p50 = h.quantile(0.5);
  s.p90 = h.quantile(0.9);
  s.p99 = h.quantile(0.99);
  s.max = h.max();
  return s;
}

namespace {

constexpr double kNsPerSecond = 1e9;

// The simulation clock counts nanoseconds in an int64: ~292 years. A run whose events would fall
// beyond kMaxSimSeconds (inputs that make a step take years: a calibration or hardware rate near
// zero) ends with an error instead of a wrapped clock. Above the latest trace arrival (1e9 s,
// trace_reader.cc), so a trace's last requests can still be served.
constexpr double kMaxSimSeconds = 4e9;  // ~127 years of simulated time

SimDuration to_sim(Seconds s) {
  return SimDuration(std::max<int64_t>(1, std::llround(s.value() * kNsPerSecond)));
}

// `now` + `d` on the simulation clock, or the run's error when it falls beyond the clock's range.
Result<SimDuration> sim_time_after(SimDuration now, Seconds d, const char* what) {
  const double end = static_cast<double>(now.count()) / kNsPerSecond + d.value();
  if (!(d.value() >= 0) || !(end <= kMaxSimSeconds))
    return fail(Diagnostic{
        .path = what,
        .message = fmt::format("a {} of {:.4g} s at simulated time {:.4g} s ends beyond the "
                               "serving simulation's clock ({:.3g} s): the hardware, model or "
                               "calibration give rates too low to serve (check rates and "
                               "efficiencies near zero)",
                               what, d.value(), static_cast<double>(now.count()) / kNsPerSecond,
                               kMaxSimSeconds)});
  return now + to_sim(d);
}
Seconds to_seconds(SimDuration d) { return Seconds(static_cast<double>(d.count()) / kNsPerSecond); }

// ---- Events (a closed variant) and the queue ordered by (time, priority, sequence) ----
struct TransferDone { int32_t slot; };
struct Arrival {};
struct StepDone { int32_t engine; };
struct Kick { int32_t engine; };  // start an idle engine after every same-time arrival is queued
using Event = std::variant<TransferDone, Arrival, StepDone, Kick>;

struct Queued {
  int64_t time;  // ns
  int priority;  // the variant index: transfers, arrivals, step ends, kicks
  uint64_t seq;
  Event event;
  bool operator>(const Queued& o) const {
    if (time != o.time) return time > o.time;
    if (priority != o.priority) return priority > o.priority;
    return seq > o.seq;
  }
};

// Uniform in (0, 1) from 53 random bits (std:: distributions are implementation-defined).
double uniform_open(std::mt19937_64& rng) {
  return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
}

}  // namespace

// The replicas of one plan: the whole deployment, or the prefill or the decode pool.
struct Pool {
  std::string_view name;              // "both", "prefill", "decode"
  ParallelismPlan plan;
  std::unique_ptr<DeviceModel> device;
  // The device model at each clock step below boost (power_limiter.h), built when a run first
  // needs it and kept for later runs; [0] unused (boost is `device`).
  std::vector<std::unique_ptr<DeviceModel>> throttled;
  int replicas = 0;
  int64_t kv_blocks_per_engine = 0;   // a replica's blocks split over its pp lanes
  int first_engine = 0;               // engines [first_engine, first_engine + replicas x pp)
  Bytes kv_bytes_per_token;           // per device
  // The engine limits of one of its engines: the configured profile, with max_batch and
  // max_num_tokens per rank under attention DP (TensorRT-LLM's max_batch_size and max_num_tokens
  // apply to each attention-DP rank, recalled), so x tp for the replica's step.
  EngineProfile engine;
  [[nodiscard]] int engines() const { return replicas * plan.pp; }
};

struct ServingSystem::Impl {
  HardwareSpec hw;
  ModelSpec model;
  SystemConfig config;
  PerfCalibration cal;
  SystemInfo info;
  std::vector<Pool> pools;            // [0]: prompts (both or prefill); [1]: decode when split
  int64_t max_model_len = 0;          // longest prompt + output an engine accepts
  // Disaggregated: the KV bytes of one token each link of the prefill -> decode copy carries, and
  // how many devices the copy's endpoints lie among (predict_copy's span: its tier).
  Bytes kv_copy_bytes_per_token;
  int kv_copy_span = 2;
  std::optional<AreaReport> area;     // the power model's (none: no process node)
  [[nodiscard]] size_t pool_index(int engine) const {
    return pools.size() > 1 && engine >= pools[1].first_engine ? 1 : 0;
  }
  [[nodiscard]] const Pool& pool_of(int engine) const { return pools[pool_index(engine)]; }
  // The copy of `tokens` tokens' KV from the prefill pool to the decode pool: every link carries
  // its share at once, each a bulk copy (perf/collective_model.h predict_copy).
  [[nodiscard]] Seconds kv_copy_time(int64_t tokens) const {
    const Result<CollectiveResult> c = predict_copy(
        hw, kv_copy_bytes_per_token * static_cast<double>(tokens), cal, kv_copy_span);
    XPUSIM_CHECK(c.has_value(), "a copy of finite bytes over >= 2 devices is predictable");
    return c->time;
  }
  // The device model of `pool` at clock step `step` (power_limiter.h).
  DeviceModel& device_at(size_t pool, int step) {
    Pool& p = pools[pool];
    if (step == 0) return *p.device;
    if (p.throttled.empty()) p.throttled.resize(kClockSteps + 1);
    std::unique_ptr<DeviceModel>& d = p.throttled[static_cast<size_t>(step)];
    if (!d) {
      Result<DeviceModel> m = DeviceModel::create(
          at_clock(hw, hw.compute.clock * PowerLimiter::fraction(step)), model, p.plan,
          config.precision, cal);
      XPUSIM_CHECK(m.has_value(), "a device model at a lower clock builds as at boost");
      d = std::make_unique<DeviceModel>(std::move(*m));
    }
    return *d;
  }
};

namespace {

// One run of a compiled system.
class Simulation {
 public:
  Simulation(ServingSystem::Impl& sys, const std::vector<RequestSpec>& requests,
             const ArrivalSpec& arrivals, const RunOptions& options)
      : sys_(sys), specs_(requests), arrivals_(arrivals), options_(options), rng_(arrivals.seed) {}

  Result<ServingResult> run();

 private:
  // ---- Requests ----
  int32_t new_slot(const RequestSpec& spec, SimDuration arrival) {
    int32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<int32_t>(slots_.size());
      slots_.emplace_back();
    }
    LiveRequest& r = slots_[static_cast<size_t>(slot)];
    r = LiveRequest{};
    r.id = next_id_++;
    r.arrival = arrival;
    r.input_len = spec.input_len;
    r.output_len = spec.output_len;
    r.prefix_id = spec.prefix_id;
    r.prefix_len = spec.prefix_len;
    r.beams = beams_;
    r.prompt_len = spec.input_len;
    return slot;
  }
  void free_slot(int32_t slot) {
    slots_[static_cast<size_t>(slot)].phase = RequestPhase::kDone;
    free_.push_back(slot);
  }

  void push(SimDuration t, Event e) {
    queue_.push(Queued{t.count(), static_cast<int>(e.index()), seq_++, e});
  }
  void kick(int32_t engine) {
    Engine& e = *engines_[static_cast<size_t>(engine)];
    if (e.busy || kicked_[static_cast<size_t>(engine)]) return;
    kicked_[static_cast<size_t>(engine)] = true;
    push(now_, Kick{engine});
  }

  // ---- Arrivals ----
  void schedule_next_arrival() {
    // A closed loop schedules an arrival per completion while earlier ones may still be queued:
    // count what is scheduled, not what arrived, so no more arrivals than requests are pushed.
    if (next_spec_ >= specs_.size() || scheduled_ >= specs_.size()) return;
    ++scheduled_;
    switch (arrivals_.kind) {
      case ArrivalSpec::Kind::kPoisson:
        next_arrival_ += Seconds(-std::log(uniform_open(rng_)) / arrivals_.rate.value());
        if (const Result<SimDuration> at = sim_time_after(SimDuration(0), next_arrival_, "arrival"))
          push(*at, Arrival{});
        else
          fail_run(at.error());
        break;
      case ArrivalSpec::Kind::kTrace: push(*specs_[next_spec_].arrival, Arrival{}); break;
      case ArrivalSpec::Kind::kClosedLoop: push(now_, Arrival{}); break;
      case ArrivalSpec::Kind::kOffline: break;
    }
  }

  // A request that no engine can ever hold is rejected when it arrives.
  bool reject_if_unservable(int32_t slot, const Engine& e) {
    switch (e.unservable(slots_[static_cast<size_t>(slot)])) {
      case Engine::Unservable::kNone: return false;
      case Engine::Unservable::kTooLong: ++c_.rejected_too_long; break;
      case Engine::Unservable::kPromptOverBudget: ++c_.rejected_prompt_budget; break;
      case Engine::Unservable::kKvCapacity: ++c_.rejected_kv_capacity; break;
    }
    ++c_.rejected;
    free_slot(slot);
    return true;
  }

  void on_arrival() {
    const RequestSpec& spec = specs_[next_spec_++];
    ++c_.arrived;
    const int32_t slot = new_slot(spec, now_);
    if (!first_arrival_) first_arrival_ = now_;
    std::span<Engine* const> pool(prompt_engines_);
    Engine& e = *pool[router_->pick(pool)];
    if (reject_if_unservable(slot, e)) {
      if (arrivals_.kind == ArrivalSpec::Kind::kClosedLoop) schedule_next_arrival();
    } else {
      slots_[static_cast<size_t>(slot)].engine = e.index;
      e.waiting.push_back(slot);
      kick(e.index);
    }
    if (arrivals_.kind == ArrivalSpec::Kind::kPoisson || arrivals_.kind == ArrivalSpec::Kind::kTrace)
      schedule_next_arrival();
  }

  // Offline runs: an engine with room draws the next request from the shared queue.
  int32_t pull(const Engine& e) {
    while (next_spec_ < specs_.size()) {
      const int32_t slot = new_slot(specs_[next_spec_++], SimDuration(0));
      if (!reject_if_unservable(slot, e)) return slot;
    }
    return -1;
  }

  // ---- Iterations ----
  void try_start(Engine& e);
  void on_step_done(Engine& e);
  // A run of equal inter-token gaps not yet in the histogram (flush_itl adds it).
  struct ItlRun {
    SimDuration gap{0};
    uint64_t count = 0;
  };
  // emit_token's running tallies (c_.generated_tokens, itl_run_), held in a local by
  // on_step_done's loop and written back after it: kept in members, each row's update was a
  // store-to-load chain through memory (the loop's calls keep members out of registers). Nothing
  // the loop calls reads them.
  struct TokenTally {
    int64_t generated;
    ItlRun itl;
  };
  void emit_token(LiveRequest& r, TokenTally& t) {
    ++r.generated;
    ++t.generated;
    if (r.first_token.count() < 0) {
      r.first_token = now_;
      const Seconds ttft = to_seconds(now_ - r.arrival);
      c_.ttft.add(ttft);
      if (stop_) note_over(over_.ttft, ttft, stop_->ttft, "ttft");
    } else {
      // Rows decoding in consecutive iterations share one gap (the iteration): recorded as a run.
      const SimDuration gap = now_ - r.last_token;
      if (gap != t.itl.gap) flush_itl(t.itl);
      t.itl.gap = gap;
      ++t.itl.count;
    }
    r.last_token = now_;
  }
  void flush_itl(ItlRun& run) {
    if (run.count > 0) c_.itl.add(to_seconds(run.gap), run.count);
    run.count = 0;
  }
  void finish(int32_t slot, Engine& e);
  void on_transfer_done(int32_t slot);
  void note_backlog();

  ServingSystem::Impl& sys_;
  const std::vector<RequestSpec>& specs_;
  ArrivalSpec arrivals_;
  const RunOptions& options_;
  std::mt19937_64 rng_;
  std::unique_ptr<BatchScheduler> scheduler_;
  std::unique_ptr<Router> router_, decode_router_;
  std::vector<std::unique_ptr<Engine>> engines_;
  std::vector<Engine*> prompt_engines_, decode_engines_;
  std::vector<bool> kicked_;
  std::vector<LiveRequest> slots_;
  std::vector<int32_t> free_;
  std::priority_queue<Queued, std::vector<Queued>, std::greater<>> queue_;
  uint64_t seq_ = 0;
  SimDuration now_{0};
  std::optional<SimDuration> first_arrival_;
  SimDuration last_completion_{0};
  Seconds next_arrival_;
  size_t next_spec_ = 0;
  size_t scheduled_ = 0;  // Arrival events pushed so far
  int64_t next_id_ = 0;
  int64_t beams_ = 1;
  ServingCounters c_;
  std::vector<FleetWork> activity_;
  std::vector<PowerLimiter> limiters_;  // per pool
  // Kernel time and clock-weighted kernel time of the steps with prefill work and of the others.
  struct ClockTally {
    double kernels = 0, weighted = 0;
    bool limited = false;
    [[nodiscard]] PhaseClock clock(Hertz boost) const {
      return PhaseClock{kernels > 0 ? boost * (weighted / kernels) : boost, limited};
    }
  };
  ClockTally prefill_clock_, decode_clock_;
  ItlRun itl_run_;
  std::vector<int32_t> finishing_, leaving_;  // on_step_done's scratch
  // The run's error: a step the step model rejected, or an event beyond the clock's range. The
  // first one recorded ends the run (the event loop stops).
  std::optional<Diagnostics> failure_;
  void fail_run(Diagnostics d) {
    if (!failure_) failure_ = std::move(d);
  }
  // RunOptions::stop_when_p99_exceeds: per metric, the observations that can only be reported
  // above its limit; once quantile_tail(requests, 0.99) of them are in, the run's p99 exceeds the
  // limit whatever the rest do (a run never has more observations of a metric than requests), and
  // the run stops.
  const RunOptions::P99Limits* stop_ = nullptr;
  struct OverLimit {
    uint64_t ttft = 0, tpot = 0, e2e = 0;
  } over_;
  uint64_t stop_after_ = 0;
  std::optional<std::string> stopped_;
  void note_over(uint64_t& over, Seconds value, const std::optional<Seconds>& limit,
                 const char* metric) {
    if (!limit || !LatencyHistogram::reported_above(value, *limit)) return;
    if (++over >= stop_after_ && !stopped_) stopped_ = metric;
  }
};

void Simulation::try_start(Engine& e) {
  if (e.busy) return;
  e.begin_iteration();
  const int64_t admitted_before = e.admitted;
  scheduler_->schedule(e);
  note_backlog();
  if (e.work.empty() && e.bulk_rows == 0) return;
  const PerfCalibration& cal = sys_.cal;
  const size_t pool_index = sys_.pool_index(e.index);
  const Pool& pool = sys_.pools[pool_index];
  PowerLimiter& limiter = limiters_[pool_index];
  limiter.update(to_seconds(now_));
  const int clock_step = limiter.step();
  const Result<StepTime> timed = sys_.device_at(pool_index, clock_step).step(e.shape);
  if (!timed) {  // a step beyond what the step model accepts (kMaxStepTokens): end the run
    fail_run(timed.error());
    return;
  }
  const StepTime& st = *timed;
  // Host costs of the iteration (runtime profile; perf/calibration.h iteration_time): the
  // scheduler's per-iteration work (step_overhead) and the output processing of its running
  // sequences (sequence_overhead x n), both amortised over the decode iterations of one multi-step
  // invocation (one schedule and one output pass per invocation, vLLM 0.6 multi-step; a prefill
  // iteration is never multi-step); request set-up when new prompts start, serial. A runtime with
  // output_overlap (vLLM >= 0.6) processes outputs while the device runs the next iteration:
  //   duration = step / amortised + request + max(device, output / amortised)
  // instead of device + (step + output) / amortised + request; one with schedule_overlap (SGLang
  // >= 0.4) overlaps the step's work too: request + max(device, (step + output) / amortised).
  // Under attention DP each rank's scheduler processes its own sequences, in parallel with the
  // others (ParallelismPlan::host_schedulers): the output work per stage is n / tp sequences'.
  const Seconds duration = iteration_time(
      st.latency(pool.plan.pp),
      IterationHost{
          .step = dispatch_cost(pool.device->hardware(), cal.step_overhead),
          .output = cal.sequence_overhead * static_cast<double>(e.work.size() + e.bulk_rows) /
                    static_cast<double>(pool.plan.host_schedulers()),
          .amortised = e.shape.prefill_tokens == 0
                           ? static_cast<double>(e.profile.scheduler_steps) : 1.0,
          .request = e.admitted > admitted_before ? cal.request_overhead : Seconds(0)},
      host_overlap(cal));
  const Result<SimDuration> done = sim_time_after(now_, duration, "step");
  if (!done) {
    fail_run(done.error());
    return;
  }
  e.busy = true;
  e.step_start = now_;
  e.step_duration = *done - now_;
  push(*done, StepDone{e.index});

  ++c_.steps;
  c_.step_tokens += e.shape.tokens();
  c_.step_decode_rows += e.shape.decode_tokens;
  if (e.shape.decode_tokens > 0) ++c_.decode_steps;
  const double util = e.kv.capacity_blocks() > 0
                          ? static_cast<double>(e.kv.used_blocks()) /
                                static_cast<double>(e.kv.capacity_blocks())
                          : 0.0;
  c_.peak_kv_utilization = std::max(c_.peak_kv_utilization, util);
  c_.kv_utilization_time += util * duration.value();
  c_.busy_time += duration.value();
  // Every device of the replica runs its stage of the iteration once.
  FleetWork& a = activity_[e.decode_only ? activity_.size() - 1 : 0];
  const double devices = pool.plan.tp;  // one lane step occupies one stage = tp devices
  a.busy += st.kernels() * devices;
  a.gemm_flop += st.gemm_flop * devices;
  a.expert_flop += st.expert_flop * devices;
  a.attention_flop += st.attention_flop * devices;
  a.vector_flop += st.vector_flop * devices;
  a.bytes += st.bytes * devices;
  limiter.record(st, devices);
  ClockTally& tally = e.shape.prefill_tokens > 0 ? prefill_clock_ : decode_clock_;
  tally.kernels += st.kernels().value();
  tally.weighted += st.kernels().value() * PowerLimiter::fraction(clock_step);
  tally.limited = tally.limited || clock_step > 0;

  if (options_.on_step) {
    StepRecord rec;
    rec.engine = e.index;
    rec.pool = a.pool;
    rec.start = to_seconds(now_);
    rec.duration = to_seconds(e.step_duration);
    rec.prefill_tokens = e.shape.prefill_tokens;
    rec.prefill_chunks = e.shape.prefill_chunks;
    rec.decode_rows = e.shape.decode_tokens;
    rec.running = static_cast<int64_t>(e.running.size());
    rec.waiting = static_cast<int64_t>(e.waiting.size());
    rec.kv_used_blocks = e.kv.used_blocks();
    rec.kv_capacity_blocks = e.kv.capacity_blocks();
    rec.clock = sys_.hw.compute.clock * PowerLimiter::fraction(clock_step);
    rec.power = limiter.step_power(st, duration);
    options_.on_step(rec);
  }
}

// Offline runs: the saturated phase ends when the shared queue is empty and no engine has a
// request waiting.
void Simulation::note_backlog() {
  if (arrivals_.kind != ArrivalSpec::Kind::kOffline || c_.backlog_end) return;
  if (next_spec_ < specs_.size()) return;
  for (const auto& e : engines_)
    if (!e->waiting.empty()) return;
  c_.backlog_end = to_seconds(now_);
  c_.tokens_at_backlog_end = c_.generated_tokens;
}

void Simulation::finish(int32_t slot, Engine& e) {
  LiveRequest& r = slots_[static_cast<size_t>(slot)];
  e.release(slot);
  r.phase = RequestPhase::kDone;
  ++c_.completed;
  c_.input_tokens += r.input_len;
  c_.output_tokens += r.output_len;
  const Seconds e2e = to_seconds(now_ - r.arrival);
  const Seconds ttft = to_seconds(r.first_token - r.arrival);
  c_.e2e.add(e2e);
  if (stop_) note_over(over_.e2e, e2e, stop_->e2e, "e2e");
  bool good = !options_.slo_ttft || ttft <= *options_.slo_ttft;
  if (r.output_len > 1) {
    const Seconds tpot = (e2e - ttft) / static_cast<double>(r.output_len - 1);
    c_.tpot.add(tpot);
    if (stop_) note_over(over_.tpot, tpot, stop_->tpot, "tpot");
    if (options_.slo_tpot && tpot > *options_.slo_tpot) good = false;
  }
  if (good) ++c_.good_requests;
  c_.preemptions += r.preemptions;
  last_completion_ = now_;
  if (r.id == static_cast<int64_t>(specs_.size()) - 1)
    c_.final_request_done = to_seconds(now_ - first_arrival_.value_or(SimDuration(0)));
  free_slot(slot);
  if (arrivals_.kind == ArrivalSpec::Kind::kClosedLoop) schedule_next_arrival();
}

void Simulation::on_step_done(Engine& e) {
  e.busy = false;
  leaving_.clear();
  TokenTally tally{c_.generated_tokens, itl_run_};
  // The steady rows decoded in bulk (Engine, "Steady decode rows"): each emitted one token, all
  // with the same gap; those whose last token it was complete below, in the order the row-by-row
  // pass would have reached them (admission order among the iteration's first decode rows).
  finishing_.clear();
  if (e.bulk_rows > 0) {
    const SimDuration gap = e.advance_steady(now_, finishing_);
    if (gap != tally.itl.gap) flush_itl(tally.itl);
    tally.itl.gap = gap;
    tally.itl.count += static_cast<uint64_t>(e.bulk_rows);
    tally.generated += e.bulk_rows;
  }
  size_t next_finishing = 0;
  auto finish_steady_before = [&](int64_t admit_seq) {
    for (; next_finishing < finishing_.size(); ++next_finishing) {
      const int32_t slot = finishing_[next_finishing];
      LiveRequest& r = slots_[static_cast<size_t>(slot)];
      if (r.admit_seq >= admit_seq) return;
      e.leave_steady(r);
      finish(slot, e);
      leaving_.push_back(slot);
    }
  };
  const size_t rows = e.work.size();
  for (size_t k = 0; k < rows; ++k) {
    // Fetch a later row's state ahead (no effect on the run; see Engine::prefetch_running).
    if (k + Engine::kPrefetchAhead < rows)
      __builtin_prefetch(&slots_[static_cast<size_t>(e.work[k + Engine::kPrefetchAhead].slot)]);
    const StepWork& w = e.work[k];
    LiveRequest& r = slots_[static_cast<size_t>(w.slot)];
    finish_steady_before(k < e.pass_rows ? r.admit_seq : std::numeric_limits<int64_t>::max());
    if (w.prefill) {
      r.kv_tokens += w.tokens;
      if (r.prefix_owner && r.kv_tokens >= r.prefix_len) {
        r.prefix_owner = false;
        if (const int64_t moved = e.kv.publish_prefix(r.prefix_id, r.prefix_len, ++e.seq)) {
          r.shared_blocks = moved;  // now the entry's
          r.prefix_ref = true;
        }
      }
      if (r.kv_tokens < r.prompt_len) continue;
      e.prefilling.erase(std::find(e.prefilling.begin(), e.prefilling.end(), w.slot));
      emit_token(r, tally);
    } else {
      r.kv_tokens += 1;
      emit_token(r, tally);
    }
    if (r.generated >= r.output_len) {
      finish(w.slot, e);
      leaving_.push_back(w.slot);
    } else if (w.prefill && !decode_engines_.empty()) {
      // Disaggregated: the prompt's KV moves to the decode pool; the prefill engine holds it
      // until the copy completes.
      r.phase = RequestPhase::kTransfer;
      leaving_.push_back(w.slot);
      const Result<SimDuration> copied =
          sim_time_after(now_, sys_.kv_copy_time(r.kv_tokens), "KV transfer");
      if (!copied) {
        fail_run(copied.error());
        continue;
      }
      push(*copied, TransferDone{w.slot});
    } else {
      r.phase = RequestPhase::kDecode;
      if (e.bulk_decode) e.join_steady(w.slot, now_);
    }
  }
  finish_steady_before(std::numeric_limits<int64_t>::max());
  c_.generated_tokens = tally.generated;
  itl_run_ = tally.itl;
  for (const int32_t slot : leaving_) e.running.erase(slot);
  try_start(e);
}

void Simulation::on_transfer_done(int32_t slot) {
  LiveRequest& r = slots_[static_cast<size_t>(slot)];
  engines_[static_cast<size_t>(r.engine)]->release(slot);
  std::span<Engine* const> pool(decode_engines_);
  Engine& d = *pool[decode_router_->pick(pool)];
  r.engine = d.index;
  r.phase = RequestPhase::kWaiting;
  d.waiting.push_back(slot);
  kick(d.index);
}

Result<ServingResult> Simulation::run() {
  const SystemConfig& cfg = sys_.config;
  auto sched = builtin_batch_schedulers().create(to_string(cfg.engine.schedule));
  if (!sched) return tl::unexpected(sched.error());
  scheduler_ = std::move(*sched);
  auto router = builtin_routers().create(cfg.router);
  if (!router) return tl::unexpected(router.error());
  router_ = std::move(*router);
  decode_router_ = std::move(*builtin_routers().create(cfg.router));

  for (const Pool& pool : sys_.pools)
    for (int i = pool.first_engine; i < pool.first_engine + pool.engines(); ++i) {
      const bool decode_pool = pool.name == "decode";
      engines_.push_back(std::make_unique<Engine>(i, pool.engine, pool.kv_blocks_per_engine,
                                                  attention_span(sys_.model), slots_, decode_pool,
                                                  sys_.max_model_len, kv_keep(sys_.model)));
      engines_.back()->bulk_decode =
          options_.bulk_decode && scheduler_->decodes_in_bulk() && engines_.back()->bulk_capable();
      (decode_pool ? decode_engines_ : prompt_engines_).push_back(engines_.back().get());
    }
  const int engines = static_cast<int>(engines_.size());
  kicked_.assign(static_cast<size_t>(engines), false);
  activity_.push_back(FleetWork{.pool = cfg.disaggregation ? "prefill" : "both",
                                   .devices = cfg.disaggregation
                                                  ? cfg.disaggregation->prefill_devices
                                                  : cfg.devices});
  if (cfg.disaggregation)
    activity_.push_back(
        FleetWork{.pool = "decode", .devices = cfg.disaggregation->decode_devices});
  beams_ = std::max(1, options_.beam_width);
  for (size_t i = 0; i < sys_.pools.size(); ++i)
    limiters_.emplace_back(sys_.hw, cfg.precision, sys_.area ? &*sys_.area : nullptr);

  // Arrivals.
  switch (arrivals_.kind) {
    case ArrivalSpec::Kind::kOffline:
      c_.arrived = static_cast<int64_t>(specs_.size());
      first_arrival_ = SimDuration(0);
      for (Engine* e : prompt_engines_) {
        e->pull = [this, e] { return pull(*e); };
        push(SimDuration(0), Kick{e->index});
        kicked_[static_cast<size_t>(e->index)] = true;
      }
      break;
    case ArrivalSpec::Kind::kClosedLoop:
      for (int64_t i = 0; i < arrivals_.concurrency && i < static_cast<int64_t>(specs_.size()); ++i) {
        push(SimDuration(0), Arrival{});
        ++scheduled_;
      }
      break;
    case ArrivalSpec::Kind::kPoisson:
    case ArrivalSpec::Kind::kTrace: schedule_next_arrival(); break;
  }

  if (options_.stop_when_p99_exceeds) {
    stop_ = &*options_.stop_when_p99_exceeds;
    stop_after_ = LatencyHistogram::quantile_tail(specs_.size(), 0.99);
  }
  while (!queue_.empty() && !failure_ && !stopped_) {
    const Queued q = queue_.top();
    queue_.pop();
    now_ = SimDuration(q.time);
    std::visit(
        [&](const auto& ev) {
          using T = std::decay_t<decltype(ev)>;
          if constexpr (std::is_same_v<T, Arrival>) {
            on_arrival();
          } else if constexpr (std::is_same_v<T, StepDone>) {
            on_step_done(*engines_[static_cast<size_t>(ev.engine)]);
          } else if constexpr (std::is_same_v<T, Kick>) {
            kicked_[static_cast<size_t>(ev.engine)] = false;
            try_start(*engines_[static_cast<size_t>(ev.engine)]);
          } else {
            on_transfer_done(ev.slot);
          }
        },
        q.event);
  }
  if (failure_) return tl::unexpected(*failure_);
  flush_itl(itl_run_);
  // Conservation: every request arrived and was completed or rejected (unless stopped early).
  if (!stopped_) {
    XPUSIM_CHECK(c_.completed + c_.rejected == c_.arrived, "requests lost by the simulation");
    XPUSIM_CHECK(c_.arrived == static_cast<int64_t>(specs_.size()), "requests never arrived");
  }

  ServingResult res;
  res.stopped_early = stopped_;
  res.counters = c_;
  const SimDuration start = first_arrival_.value_or(SimDuration(0));
  res.duration = to_seconds(std::max(last_completion_ - start, SimDuration(0)));
  const double d = res.duration.value();
  if (d > 0) {
    res.output_tokens_per_s = TokensPerSecond(static_cast<double>(c_.output_tokens) / d);
    res.total_tokens_per_s =
        TokensPerSecond(static_cast<double>(c_.input_tokens + c_.output_tokens) / d);
    res.requests_per_s = CountRate(static_cast<double>(c_.completed) / d);
    res.goodput_requests_per_s = CountRate(static_cast<double>(c_.good_requests) / d);
  }
  if (c_.backlog_end && c_.backlog_end->value() > 0)
    res.steady_output_tokens_per_s = TokensPerSecond(
        static_cast<double>(c_.tokens_at_backlog_end) / c_.backlog_end->value());
  res.ttft = summarize(c_.ttft);
  res.tpot = summarize(c_.tpot);
  res.itl = summarize(c_.itl);
  res.e2e = summarize(c_.e2e);
  res.mean_kv_utilization = c_.busy_time > 0 ? c_.kv_utilization_time / c_.busy_time : 0.0;
  res.mean_decode_batch = c_.decode_steps > 0 ? static_cast<double>(c_.step_decode_rows) /
                                                    static_cast<double>(c_.decode_steps)
                                              : 0.0;
  res.mean_tokens_per_step =
      c_.steps > 0 ? static_cast<double>(c_.step_tokens) / static_cast<double>(c_.steps) : 0.0;
  res.activity = activity_;
  res.prefill_clock = prefill_clock_.clock(sys_.hw.compute.clock);
  res.decode_clock = decode_clock_.clock(sys_.hw.compute.clock);
  return res;
}

}  // namespace

// ---- ServingSystem ----------------------------------------------------------------------------

ServingSystem::ServingSystem(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ServingSystem::~ServingSystem() = default;
const SystemInfo& ServingSystem::info() const { return impl_->info; }
const SystemConfig& ServingSystem::config() const { return impl_->config; }

Result<std::unique_ptr<ServingSystem>> ServingSystem::create(const HardwareSpec& hw,
                                                             const ModelSpec& model,
                                                             const SystemConfig& config,
                                                             const PerfCalibration& cal) {
  Diagnostics d;
  auto bad = [&](std::string path, std::string message) {
    d.push_back(Diagnostic{.path = std::move(path), .message = std::move(message)});
  };
  if (auto ok = check_plan(model, config.plan); !ok) return tl::unexpected(ok.error());
  const ParallelismPlan decode_plan = config.disaggregation && config.disaggregation->decode_plan
                                          ? *config.disaggregation->decode_plan
                                          : config.plan;
  if (config.disaggregation && config.disaggregation->decode_plan)
    if (auto ok = check_plan(model, decode_plan); !ok) {
      Diagnostics e = ok.error();
      for (auto& x : e) x.path = "decode_" + x.path;
      return tl::unexpected(e);
    }
  const int per_replica = config.plan.devices_per_replica();
  const int per_decode_replica = decode_plan.devices_per_replica();
  if (config.disaggregation) {
    const Disaggregation& s = *config.disaggregation;
    if (s.prefill_devices < 1 || s.decode_devices < 1)
      bad("disaggregate", fmt::format("both pools need devices, got {}:{}", s.prefill_devices,
                                      s.decode_devices));
    else if (s.prefill_devices + s.decode_devices != config.devices)
      bad("disaggregate", fmt::format("{} prefill + {} decode devices do not add up to the {} "
                                      "devices of the system",
                                      s.prefill_devices, s.decode_devices, config.devices));
    else if (s.prefill_devices % per_replica != 0 || s.decode_devices % per_decode_replica != 0)
      bad("disaggregate", fmt::format("the prefill pool must be a multiple of its tp x pp = {} "
                                      "devices and the decode pool of {}, got {}:{}",
                                      per_replica, per_decode_replica, s.prefill_devices,
                                      s.decode_devices));
  } else if (config.devices < per_replica || config.devices % per_replica != 0) {
    bad("devices", fmt::format("{} devices is not a multiple of tp x pp = {}", config.devices,
                               per_replica));
  }
  if (auto r = builtin_routers().create(config.router); !r) bad("router", r.error().front().message);
  if (!d.empty()) return tl::unexpected(d);

  // The engine's software stack: its runtime profile's overheads apply to every iteration.
  const RuntimeProfile* runtime = find_runtime(cal.runtimes, config.engine.runtime);
  if (!runtime)
    return fail(Diagnostic{.path = "engine.runtime",
                           .message = fmt::format("unknown runtime profile \"{}\"; known: {}",
                                                  config.engine.runtime,
                                                  join(runtime_names(cal.runtimes)))});
  auto impl = std::make_unique<Impl>();
  impl->hw = hw;
  impl->model = model;
  impl->config = config;
  impl->cal = with_runtime(cal, *runtime);
  // The power model's area (power_limiter.h: the clock under the TDP, and each step's power for
  // timelines, with or without a TDP); none for a spec without a process node.
  if (auto area = estimate_area(hw)) impl->area = std::move(*area);
  SystemInfo& info = impl->info;
  const EngineProfile& eng = config.engine;
  auto infeasible = [&](InfeasibleReason reason, std::string why) {
    info.feasibility.mark(reason, std::move(why));
  };

  // The pools, each with its device model and KV blocks per engine: the per-device KV budget over
  // the per-device bytes of one token, split over the pp lanes of a replica.
  auto make_pool = [&](std::string_view name, const ParallelismPlan& plan, int devices,
                       int first_engine) -> Result<Pool> {
    Pool pool;
    pool.name = name;
    pool.plan = plan;
    pool.replicas = devices / plan.devices_per_replica();
    pool.first_engine = first_engine;
    pool.engine = config.engine;
    if (plan.attention_dp) {
      pool.engine.max_batch = std::min(pool.engine.max_batch * plan.tp, kMaxStepTokens);
      pool.engine.max_num_tokens = std::min(pool.engine.max_num_tokens * plan.tp, kMaxStepTokens);
    }
    Result<DeviceModel> device = DeviceModel::create(hw, model, plan, config.precision, impl->cal);
    if (!device) return tl::unexpected(device.error());
    pool.device = std::make_unique<DeviceModel>(std::move(*device));
    if (!pool.device->feasibility().feasible())
      infeasible(*pool.device->feasibility().reason, pool.device->feasibility().detail);
    const Result<KvBudget> kv_budget = serving_kv_budget(
        hw, model, plan, config.precision, std::max(eng.max_num_tokens, eng.max_batch),
        eng.memory_fraction, eng.memory_fraction_of == MemoryFractionOf::kTotal, impl->cal);
    if (!kv_budget) return tl::unexpected(kv_budget.error());
    const KvBudget& budget = *kv_budget;
    pool.kv_bytes_per_token = *kv_bytes_per_token_per_device(model, plan, config.precision);
    const double tokens =
        budget.kv.value() > 0 ? budget.kv.value() / pool.kv_bytes_per_token.value() : 0.0;
    const auto blocks =
        static_cast<int64_t>(std::floor(tokens / static_cast<double>(eng.kv_block_size)));
    if (blocks < plan.pp)
      infeasible(InfeasibleReason::kMemory, fmt::format(
          "no memory left for the KV cache: weights {:.1f} GB + activations {:.1f} GB + "
          "workspace {:.1f} GB per device against {:.1f} GB x memory fraction {} of the {} "
          "memory; use more devices per replica (tp/pp) or a narrower precision",
          units::to_gb(budget.weights), units::to_gb(budget.activations),
          units::to_gb(budget.workspace), units::to_gb(budget.capacity), eng.memory_fraction,
          eng.memory_fraction_of == MemoryFractionOf::kTotal ? "total" : "free"));
    pool.kv_blocks_per_engine = std::max<int64_t>(0, blocks / plan.pp);
    info.weights_per_device = budget.weights;
    return pool;
  };
  auto add_pool = [&](std::string_view name, const ParallelismPlan& plan, int devices,
                      int first_engine) -> Result<void> {
    Result<Pool> pool = make_pool(name, plan, devices, first_engine);
    if (!pool) return tl::unexpected(pool.error());
    impl->pools.push_back(std::move(*pool));
    return {};
  };
  if (!config.disaggregation) {
    if (auto ok = add_pool("both", config.plan, config.devices, 0); !ok)
      return tl::unexpected(ok.error());
  } else {
    const Disaggregation& split = *config.disaggregation;
    if (auto ok = add_pool("prefill", config.plan, split.prefill_devices, 0); !ok)
      return tl::unexpected(ok.error());
    if (auto ok = add_pool("decode", decode_plan, split.decode_devices, impl->pools[0].engines());
        !ok)
      return tl::unexpected(ok.error());
    // Every device of the prefill replica sends its shard of a token's KV; the side with fewer
    // devices per replica bounds the parallel links. The KV blocks move as bulk copies (copy
    // engines or RDMA: NIXL, Mooncake, the engines' P2P connectors): predict_copy, over the
    // scale-up tier when both pools fit in its domain, else over the scale-out tier.
    const Pool& pre = impl->pools[0];
    const double links = std::min(config.plan.tp, decode_plan.tp);
    impl->kv_copy_bytes_per_token =
        pre.kv_bytes_per_token * static_cast<double>(config.plan.tp) / links;
    impl->kv_copy_span = std::max(config.devices, 2);
    const Result<CollectiveResult> probe =
        predict_copy(hw, impl->kv_copy_bytes_per_token, cal, impl->kv_copy_span);
    if (!probe) return tl::unexpected(probe.error());
    if (!probe->feasibility.feasible())
      infeasible(InfeasibleReason::kNetwork,
                 fmt::format("{} has no interconnect tier joining {} devices for the KV transfer "
                             "between the pools",
                             hw.id, config.devices));
    info.prefill_replicas = impl->pools[0].replicas;
    info.decode_replicas = impl->pools[1].replicas;
  }
  const Pool& serving_pool = impl->pools.back();  // where requests hold their whole context
  for (const Pool& p : impl->pools) {
    info.replicas += p.replicas;
    info.engines += p.engines();
  }
  info.kv_block_size = eng.kv_block_size;
  info.kv_capacity_tokens =
      serving_pool.kv_blocks_per_engine * serving_pool.plan.pp * eng.kv_block_size;
  info.kv_bytes_per_token = serving_pool.kv_bytes_per_token;
  // The longest request accepted: the engine's max_model_len when it sets one (an engine built for
  // longer sequences than the model's context, as TensorRT-LLM's max_seq_len may be), else the
  // model's context; and what one engine's KV cache holds (checked per request at arrival).
  int64_t max_len = std::numeric_limits<int64_t>::max();
  if (eng.max_model_len > 0) max_len = eng.max_model_len;
  else if (model.max_context > 0) max_len = model.max_context;
  impl->max_model_len = max_len == std::numeric_limits<int64_t>::max() ? 0 : max_len;
  info.max_model_len = std::min<int64_t>(max_len, serving_pool.kv_blocks_per_engine * eng.kv_block_size);
  return std::unique_ptr<ServingSystem>(new ServingSystem(std::move(impl)));
}

Result<ServingResult> ServingSystem::run(const std::vector<RequestSpec>& requests,
                                         const ArrivalSpec& arrivals, const RunOptions& options) {
  Diagnostics d;
  auto bad = [&](std::string path, std::string message) {
    d.push_back(Diagnostic{.path = std::move(path), .message = std::move(message)});
  };
  if (!impl_->info.feasibility.feasible())
    bad("system", "infeasible: " + impl_->info.feasibility.to_string());
  if (options.beam_width < 1)
    bad("beam_width", fmt::format("must be >= 1, got {}", options.beam_width));
  if (requests.empty()) bad("requests", "the workload has no requests");
  if (arrivals.kind == ArrivalSpec::Kind::kPoisson &&
      !(arrivals.rate.value() > 0 && std::isfinite(arrivals.rate.value())))
    bad("rate", fmt::format("the arrival rate must be > 0 requests/s, got {}", arrivals.rate.value()));
  if (arrivals.kind == ArrivalSpec::Kind::kClosedLoop && arrivals.concurrency < 1)
    bad("concurrency", fmt::format("must be >= 1 client, got {}", arrivals.concurrency));
  for (size_t i = 0; i < requests.size() && d.size() < 5; ++i) {
    const RequestSpec& r = requests[i];
    if (r.input_len < 1 || r.output_len < 1 || r.prefix_len < 0 || r.prefix_len > r.input_len ||
        r.input_len > kMaxStepTokens || r.output_len > kMaxStepTokens - r.input_len)
      bad("requests", fmt::format("request {}: input_len {} and output_len {} must be >= 1 with "
                                  "input_len + output_len <= 2^40, 0 <= prefix_len {} <= "
                                  "input_len",
                                  i, r.input_len, r.output_len, r.prefix_len));
    if (arrivals.kind == ArrivalSpec::Kind::kTrace &&
        (!r.arrival || r.arrival->count() < 0 ||
         (i > 0 && requests[i - 1].arrival && *r.arrival < *requests[i - 1].arrival)))
      bad("requests", fmt::format("request {}: trace replay needs arrival times >= 0 in "
                                  "non-decreasing order", i));
  }
  if (!d.empty()) return tl::unexpected(d);
  Simulation sim(*impl_, requests, arrivals, options);
  return sim.run();
}

}  // namespace xpusim
