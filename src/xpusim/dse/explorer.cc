// SPDX-License-Identifier: Apache-2.0
#include "xpusim/dse/explorer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <sys/resource.h>
#include <iterator>
#include <optional>
#include <thread>
#include <unordered_set>

#include "xpusim/base/check.h"

namespace xpusim {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

namespace {

// Uniform in [0, n) without modulo bias (rejection of the short last interval).
uint64_t uniform_below(uint64_t n, uint64_t& state) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x = 0;
  do x = splitmix64(state);
  while (x >= limit);
  return x % n;
}

// j k / n needs up to 2^40 x 2^32 before the division (GCC's 128-bit integer).
__extension__ using Wide = unsigned __int128;

// The strata of one parameter with k values for n samples, permuted with `state`.
std::vector<uint32_t> lhs_column(uint64_t k, uint64_t n, uint64_t& state) {
  std::vector<uint64_t> stratum(n);
  for (uint64_t j = 0; j < n; ++j) stratum[j] = j;
  for (uint64_t j = n; j > 1; --j) std::swap(stratum[j - 1], stratum[uniform_below(j, state)]);
  std::vector<uint32_t> column(n);
  for (uint64_t i = 0; i < n; ++i) {
    const Wide j = stratum[i];
    const auto lo = static_cast<uint64_t>(j * k / n);
    const auto hi = static_cast<uint64_t>((j + 1) * k / n);
    column[i] = static_cast<uint32_t>(hi > lo ? lo + uniform_below(hi - lo, state) : lo);
  }
  return column;
}

}  // namespace

std::vector<std::vector<uint32_t>> latin_hypercube(const std::vector<uint64_t>& value_counts,
                                                   uint64_t n, uint64_t seed) {
  std::vector<std::vector<uint32_t>> columns;
  uint64_t state = seed;
  for (uint64_t k : value_counts) columns.push_back(lhs_column(k, n, state));
  return columns;
}

std::vector<uint64_t> lhs_indices(const std::vector<uint64_t>& value_counts, uint64_t max_evals,
                                  uint64_t seed) {
  uint64_t grid = 1;
  for (uint64_t k : value_counts) grid *= k;  // bounded by parse_space
  if (max_evals == 0 || max_evals >= grid) return design_indices(grid, SearchStrategy::kGrid, 0, 0);
  // One column at a time: the memory is the indices and one column, as for `random`.
  std::vector<uint64_t> index(max_evals, 0);
  uint64_t state = seed;
  for (uint64_t k : value_counts) {
    const std::vector<uint32_t> column = lhs_column(k, max_evals, state);
    for (uint64_t i = 0; i < max_evals; ++i) index[i] = index[i] * k + column[i];
  }
  std::unordered_set<uint64_t> seen;
  std::vector<uint64_t> out;
  out.reserve(max_evals);
  for (uint64_t i : index)
    if (seen.insert(i).second) out.push_back(i);
  return out;
}

std::vector<uint64_t> design_indices(uint64_t grid_size, SearchStrategy strategy,
                                     uint64_t max_evals, uint64_t seed) {
  if (strategy == SearchStrategy::kLatinHypercube) return lhs_indices({grid_size}, max_evals, seed);
  const uint64_t n = max_evals == 0 ? grid_size : std::min(grid_size, max_evals);
  std::vector<uint64_t> out;
  out.reserve(n);
  if (strategy == SearchStrategy::kGrid || n == grid_size) {
    for (uint64_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  std::unordered_set<uint64_t> seen;
  uint64_t state = seed;
  while (out.size() < n) {
    const uint64_t i = uniform_below(grid_size, state);
    if (seen.insert(i).second) out.push_back(i);
  }
  return out;
}

std::vector<uint64_t> search_indices(const SpaceSpec& space, SearchStrategy strategy,
                                     uint64_t max_evals, uint64_t seed) {
  if (strategy != SearchStrategy::kLatinHypercube)
    return design_indices(space.grid_size(), strategy, max_evals, seed);
  std::vector<uint64_t> counts;
  for (const auto& p : space.parameters) counts.push_back(p.values.size());
  return lhs_indices(counts, max_evals, seed);
}

void evaluate_designs(const DesignEvaluator& evaluator, const std::vector<uint64_t>& indices,
                      int threads, size_t block,
                      const std::function<void(std::vector<DesignResult>&)>& sink) {
  threads = std::max(1, threads);
  block = std::max<size_t>(1, block);
  std::vector<DesignResult> results;
  for (size_t start = 0; start < indices.size(); start += block) {
    const size_t end = std::min(indices.size(), start + block);
    results.assign(end - start, DesignResult{});
    // Workers take runs of consecutive designs: in grid order, designs that differ only in the
    // last parameters (often the plan) share their hardware stage, which one worker then
    // computes while the others work on other hardware.
    const size_t chunk = std::max<size_t>(1, (end - start) / (static_cast<size_t>(threads) * 8));
    std::atomic<size_t> next{start};
    auto work = [&] {
      for (size_t from = next.fetch_add(chunk); from < end; from = next.fetch_add(chunk))
        for (size_t i = from; i < std::min(end, from + chunk); ++i)
          results[i - start] = evaluator.evaluate(indices[i]);
    };
    const int n = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), end - start));
    std::vector<std::thread> pool;
    for (int t = 1; t < n; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    sink(results);
  }
}

namespace {

// Fixed-layout fields appended to / read from a byte string.
template <typename T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
void put_text(std::string& out, const std::string& text) {
  put(out, static_cast<uint64_t>(text.size()));
  out += text;
}

class Reader {
 public:
  explicit Reader(const std::string& bytes, size_t from = 0) : bytes_(bytes), at_(from) {
    XPUSIM_CHECK(from <= bytes.size(), "a rank's message is cut short");
  }
  [[nodiscard]] bool done() const { return at_ == bytes_.size(); }
  [[nodiscard]] size_t position() const { return at_; }
  template <typename T>
  T get() {
    XPUSIM_CHECK(at_ + sizeof(T) <= bytes_.size(), "a rank's message is cut short");
    T v;
    std::memcpy(&v, bytes_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return v;
  }
  std::string text() {
    const auto n = get<uint64_t>();
    XPUSIM_CHECK(at_ + n <= bytes_.size(), "a rank's message is cut short");
    std::string t = bytes_.substr(at_, n);
    at_ += n;
    return t;
  }

 private:
  const std::string& bytes_;
  size_t at_ = 0;
};

}  // namespace

std::string encode_results(const std::vector<DesignResult>& results) {
  std::string out;
  encode_results(results, out);
  return out;
}

void encode_results(const std::vector<DesignResult>& results, std::string& out) {
  constexpr size_t kFixed = sizeof(uint64_t) * 4 + sizeof(int32_t) + sizeof(double) * kMetricCount;
  size_t bytes = out.size();
  for (const auto& r : results)
    bytes += kFixed + r.design_id.size() + r.feasibility.detail.size() +
             sizeof(double) * r.model_metrics.size();
  out.reserve(bytes);
  for (const auto& r : results) {
    put(out, r.index);
    put_text(out, r.design_id);
    put(out, r.feasibility.reason ? static_cast<int32_t>(*r.feasibility.reason) : int32_t{-1});
    put_text(out, r.feasibility.detail);
    for (double m : r.metrics) put(out, m);
    // Per-model figures (a per_model space): their count, then the values.
    put(out, static_cast<uint64_t>(r.model_metrics.size()));
    for (double m : r.model_metrics) put(out, m);
  }
}

std::vector<DesignResult> decode_results(const std::string& bytes, size_t from) {
  std::vector<DesignResult> out;
  Reader in(bytes, from);
  while (!in.done()) {
    DesignResult r;
    r.index = in.get<uint64_t>();
    r.design_id = in.text();
    const auto reason = in.get<int32_t>();
    if (reason >= 0) r.feasibility.reason = static_cast<InfeasibleReason>(reason);
    r.feasibility.detail = in.text();
    for (double& m : r.metrics) m = in.get<double>();
    r.model_metrics.resize(in.get<uint64_t>());
    for (double& m : r.model_metrics) m = in.get<double>();
    out.push_back(std::move(r));
  }
  return out;
}

std::string encode_indices(const std::vector<uint64_t>& indices) {
  std::string out;
  for (uint64_t i : indices) put(out, i);
  return out;
}

std::vector<uint64_t> decode_indices(const std::string& bytes) {
  std::vector<uint64_t> out;
  Reader in(bytes);
  while (!in.done()) out.push_back(in.get<uint64_t>());
  return out;
}

size_t balanced_block(size_t designs, int ranks, size_t max_block) {
  max_block = std::max<size_t>(1, max_block);
  if (ranks <= 1 || designs == 0) return max_block;
  const auto n = static_cast<size_t>(ranks);
  const auto up = [](size_t a, size_t b) { return a / b + (a % b != 0 ? 1 : 0); };
  const size_t rounds = up(designs, n * max_block);
  return std::max<size_t>(1, up(designs, n * rounds));
}

std::vector<size_t> split_by_rate(size_t designs, const std::vector<double>& rates) {
  std::vector<size_t> out(rates.size(), 0);
  if (rates.empty()) return out;
  double total = 0;
  for (double r : rates) total += r;
  const bool usable = std::isfinite(total) && total > 0 &&
                      std::all_of(rates.begin(), rates.end(), [](double r) { return r >= 0; });
  // Largest remainder: floor of each exact share, then one more design to the largest fractions
  // (ties to the lower rank), so that the shares add up to `designs` exactly.
  std::vector<std::pair<double, size_t>> fraction;
  size_t given = 0;
  for (size_t i = 0; i < rates.size(); ++i) {
    const double exact = static_cast<double>(designs) *
                         (usable ? rates[i] / total : 1.0 / static_cast<double>(rates.size()));
    out[i] = std::min(designs - given, static_cast<size_t>(exact));
    given += out[i];
    fraction.emplace_back(exact - static_cast<double>(out[i]), i);
  }
  std::stable_sort(fraction.begin(), fraction.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < designs; k = (k + 1) % fraction.size(), ++given)
    ++out[fraction[k].second];
  return out;
}

std::vector<RoundRun> round_pieces(size_t designs, size_t ranks, size_t threads) {
  std::vector<RoundRun> pieces;
  const size_t t = std::max<size_t>(1, threads);
  const size_t two_n = 2 * std::max<size_t>(1, ranks);
  for (size_t at = 0; at < designs;) {
    const size_t remaining = designs - at;
    const size_t guided = remaining / two_n + (remaining % two_n != 0 ? 1 : 0);
    const size_t n = std::min(remaining, std::clamp(guided, kRankMinPiece * t, kRankPiece * t));
    pieces.push_back(RoundRun{.begin = at, .count = n});
    at += n;
  }
  return pieces;
}

namespace {

// Seconds of steady (wall) time since `t0`.
Seconds since(std::chrono::steady_clock::time_point t0) {
  return Seconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

// CPU time so far on one of the CPU-time clocks (clock_gettime).
Seconds cpu_clock(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return Seconds(static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec));
}

// CPU time of this process (all its threads) so far.
Seconds process_cpu() { return cpu_clock(CLOCK_PROCESS_CPUTIME_ID); }

// CPU time of the calling thread so far (CLOCK_THREAD_CPUTIME_ID).
Seconds thread_cpu() { return cpu_clock(CLOCK_THREAD_CPUTIME_ID); }

// System (kernel) CPU time of the calling thread so far (getrusage RUSAGE_THREAD).
Seconds thread_system_cpu() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return Seconds(static_cast<double>(u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_stime.tv_usec));
}

// Adds the calling thread's CPU time between construction and destruction to `into`.
class ThreadCpuTimer {
 public:
  explicit ThreadCpuTimer(Seconds& into) : into_(into), t0_(thread_cpu()) {}
  ~ThreadCpuTimer() { into_ += thread_cpu() - t0_; }
  ThreadCpuTimer(const ThreadCpuTimer&) = delete;
  ThreadCpuTimer& operator=(const ThreadCpuTimer&) = delete;

 private:
  Seconds& into_;
  Seconds t0_;
};

}  // namespace

namespace {

// kDynamic (evaluate_designs across ranks): the pieces of every round of this call are numbered
// in order from the group's settled tickets; a rank takes tickets and evaluates the pieces of its
// current round, and a ticket of a later round ends its round: it starts that round's gather
// (RankGroup::start_gather, with the pieces it took) and keeps the ticket for the round it belongs
// to (a rank whose tickets all fell in later rounds sends nothing for a round). The gather then
// travels while the rank evaluates the next round: the rank polls it after each piece and, on the
// receivers, puts the round back in list order and hands it to `sink` as soon as it is complete
// (in round order: a round's gather is finished before the next one starts, so at most two rounds
// are in flight). So no ticket is wasted and no rank waits at a round's end (before 2026-12-05 the
// gather was blocking: the receivers waited for the round's last piece and both ranks for the
// collective's wake-ups); only the call's last gather is waited for. Each rank takes exactly one
// ticket past the call's last piece; the barrier at the end keeps every rank's next call from
// taking a ticket before all have taken theirs.
void evaluate_dynamic(const DesignEvaluator& evaluator, const std::vector<uint64_t>& indices,
                      const RankGroup& group, int threads, size_t block, bool to_all,
                      const std::function<void(std::vector<DesignResult>&)>& sink,
                      RankLoad& stats) {
  if (indices.empty()) return;  // every rank alike: no ticket taken, no collective
  const auto ranks = static_cast<size_t>(group.size());
  const size_t per_round = ranks * block;
  const size_t rounds = indices.size() / per_round + (indices.size() % per_round != 0 ? 1 : 0);
  // Piece p of the call: round round_of[p], designs pieces[p] within that round.
  std::vector<RoundRun> pieces;
  std::vector<size_t> round_of;
  for (size_t k = 0; k < rounds; ++k) {
    const size_t round = std::min(per_round, indices.size() - k * per_round);
    for (const RoundRun& run : round_pieces(round, ranks, static_cast<size_t>(std::max(1, threads)))) {
      pieces.push_back(run);
      round_of.push_back(k);
    }
  }
  const Seconds call_cpu0 = thread_cpu();
  const Seconds call_sys0 = thread_system_cpu();
  // The round whose gather is under way, if any.
  std::unique_ptr<PendingGather> pending;
  size_t pending_round = 0;
  // Finishes the pending gather when it is done (or waits for it, `wait`) and, on the receivers,
  // puts its round back in the order of `indices` (each rank's results are its pieces in order)
  // and hands it to `sink`.
  const auto settle = [&](bool wait) {
    if (!pending) return;
    std::vector<std::string> parts;
    {
      const auto w0 = std::chrono::steady_clock::now();
      const ThreadCpuTimer timer(stats.thread_cpu.gathering);
      const bool done = pending->done();
      if (!done && !wait) return;
      parts = pending->finish();
      pending.reset();
      if (!done) stats.waiting += since(w0);
    }
    if (parts.empty()) return;  // not a receiver
    const auto m0 = std::chrono::steady_clock::now();
    const ThreadCpuTimer timer(stats.thread_cpu.merging);
    const size_t k = pending_round;
    const size_t round = std::min(per_round, indices.size() - k * per_round);
    std::vector<DesignResult> ordered(round);
    size_t placed = 0;
    for (const std::string& part : parts) {
      Reader in(part);
      std::vector<uint64_t> its(in.get<uint64_t>());
      for (uint64_t& p : its) {
        p = in.get<uint64_t>();
        XPUSIM_CHECK(p < pieces.size() && round_of[p] == k, "a rank sent a piece of the round");
      }
      std::vector<DesignResult> results = decode_results(part, in.position());
      size_t at = 0;
      for (uint64_t p : its)
        for (size_t i = 0; i < pieces[p].count; ++i) {
          XPUSIM_CHECK(at < results.size(), "a rank sent the results of its pieces");
          ordered[pieces[p].begin + i] = std::move(results[at++]);
        }
      XPUSIM_CHECK(at == results.size(), "a rank sent the results of its pieces only");
      placed += at;
    }
    XPUSIM_CHECK(placed == round, "the ranks' results make up the round");
    sink(ordered);
    stats.merging += since(m0);
  };
  const uint64_t base = group.settled_tickets();
  std::optional<uint64_t> held;  // a ticket taken for a later round than the current one
  bool past_end = false;         // this rank has taken its ticket past the call's last piece
  for (size_t k = 0; k < rounds; ++k) {
    const size_t first = k * per_round;
    ++stats.rounds;
    const auto t0 = std::chrono::steady_clock::now();
    const Seconds cpu0 = process_cpu();
    std::string message;  // pieces taken (their count, then each), then the results
    std::vector<uint64_t> taken;
    std::vector<DesignResult> mine;
    Seconds in_settle{0};  // wall time finishing the last round's gather: not evaluation
    Seconds settle_cpu{0};
    // A rank may reach the end while the others still have rounds to gather (a rank that does
    // not receive the gather can run ahead): it takes no ticket after its one past the end.
    while (!past_end) {
      uint64_t ticket = 0;
      if (held) {
        ticket = *held;
      } else {
        const ThreadCpuTimer timer(stats.thread_cpu.tickets);
        ticket = group.take_ticket();
      }
      held.reset();
      XPUSIM_CHECK(ticket >= base, "the ranks agree on the tickets taken before this call");
      const uint64_t p = ticket - base;
      if (p >= pieces.size()) {
        past_end = true;
        break;
      }
      if (round_of[p] > k) {
        held = ticket;
        break;
      }
      taken.push_back(p);
      const auto from = indices.begin() + static_cast<ptrdiff_t>(first + pieces[p].begin);
      const std::vector<uint64_t> part(from, from + static_cast<ptrdiff_t>(pieces[p].count));
      {
        const ThreadCpuTimer timer(stats.thread_cpu.evaluating);
        evaluate_designs(evaluator, part, threads, part.size(), [&](std::vector<DesignResult>& r) {
          mine.insert(mine.end(), std::make_move_iterator(r.begin()), std::make_move_iterator(r.end()));
        });
      }
      // The last round's gather moves on (MPI progresses it only inside MPI calls) and is
      // merged as soon as it is complete.
      const auto s0 = std::chrono::steady_clock::now();
      const Seconds c0 = process_cpu();
      settle(false);
      in_settle += since(s0);
      settle_cpu += process_cpu() - c0;
    }
    stats.designs += mine.size();
    stats.evaluating += since(t0) - in_settle;
    stats.evaluating_cpu += process_cpu() - cpu0 - settle_cpu;
    {
      const ThreadCpuTimer timer(stats.thread_cpu.encoding);
      put(message, static_cast<uint64_t>(taken.size()));
      for (uint64_t p : taken) put(message, p);
      encode_results(mine, message);
    }
    settle(true);  // the ranks start their gathers in the same order, one at a time
    const auto w0 = std::chrono::steady_clock::now();
    {
      const ThreadCpuTimer timer(stats.thread_cpu.gathering);
      pending = group.start_gather(std::move(message), to_all);
      pending_round = k;
    }
    stats.waiting += since(w0);
  }
  settle(true);
  XPUSIM_CHECK(!held && past_end, "every piece of the call was evaluated");
  group.settled_tickets() = base + pieces.size() + ranks;
  const auto b0 = std::chrono::steady_clock::now();
  {
    const ThreadCpuTimer timer(stats.thread_cpu.gathering);
    group.barrier();
  }
  stats.waiting += since(b0);
  stats.thread_cpu.total += thread_cpu() - call_cpu0;
  stats.thread_cpu.system += thread_system_cpu() - call_sys0;
}

}  // namespace

void evaluate_designs(const DesignEvaluator& evaluator, const std::vector<uint64_t>& indices,
                      const RankGroup& group, int threads, size_t block, bool to_all,
                      const std::function<void(std::vector<DesignResult>&)>& sink,
                      RankLoad* load, RankSplit split) {
  block = std::max<size_t>(1, block);
  const auto ranks = static_cast<size_t>(group.size());
  RankLoad unused;
  RankLoad& stats = load ? *load : unused;
  if (ranks == 1) {
    const auto t0 = std::chrono::steady_clock::now();
    const Seconds cpu0 = process_cpu();
    const Seconds thread0 = thread_cpu();
    const Seconds sys0 = thread_system_cpu();
    Seconds in_sink{0};
    Seconds sink_cpu{0};
    evaluate_designs(evaluator, indices, threads, block, [&](std::vector<DesignResult>& r) {
      const auto s0 = std::chrono::steady_clock::now();
      const ThreadCpuTimer timer(sink_cpu);
      sink(r);
      in_sink += since(s0);
    });
    stats.thread_cpu.total += thread_cpu() - thread0;
    stats.thread_cpu.system += thread_system_cpu() - sys0;
    stats.thread_cpu.merging += sink_cpu;
    stats.thread_cpu.evaluating += thread_cpu() - thread0 - sink_cpu;
    stats.designs += indices.size();
    stats.rounds += 1;
    stats.evaluating += since(t0) - in_sink;
    stats.evaluating_cpu += process_cpu() - cpu0;
    stats.merging += in_sink;
    return;
  }
  if (split == RankSplit::kDynamic)
    return evaluate_dynamic(evaluator, indices, group, threads, block, to_all, sink, stats);
  const auto rank = static_cast<size_t>(group.rank());
  // Static splits: designs per second each rank reached in the last round it had work: the next
  // round is split in proportion (split_by_rate), so that ranks on slower cores (a busy node, a slower
  // processor, a virtual CPU that gets less of its core) finish their shares together and no rank
  // waits at the round's gather. The first round is split equally.
  std::vector<double> rates(ranks, 1.0);
  for (size_t first = 0; first < indices.size(); first += ranks * block) {
    const size_t round = std::min(ranks * block, indices.size() - first);
    const std::vector<size_t> shares = split_by_rate(round, rates);
    // This rank's run of the round: the shares laid out in rank order.
    size_t begin = first;
    for (size_t r = 0; r < rank; ++r) begin += shares[r];
    ++stats.rounds;
    const auto t0 = std::chrono::steady_clock::now();
    const Seconds cpu0 = process_cpu();
    const std::vector<uint64_t> part(indices.begin() + static_cast<ptrdiff_t>(begin),
                                     indices.begin() + static_cast<ptrdiff_t>(begin + shares[rank]));
    std::vector<DesignResult> mine;
    if (!part.empty()) {
      const ThreadCpuTimer timer(stats.thread_cpu.evaluating);
      evaluate_designs(evaluator, part, threads, part.size(),
                       [&](std::vector<DesignResult>& r) { mine = std::move(r); });
    }
    const Seconds took = since(t0);
    const double seconds = mine.empty() ? 0.0 : took.value();
    stats.designs += mine.size();
    stats.evaluating += took;
    stats.evaluating_cpu += process_cpu() - cpu0;
    // Every rank learns every rank's time (the same bytes everywhere, so the same next split).
    const auto w0 = std::chrono::steady_clock::now();
    std::string timing;
    put(timing, seconds);
    const std::vector<std::string> times = group.gather(timing, true);
    double slowest = 0;
    for (size_t r = 0; r < ranks; ++r) {
      const double t = Reader(times[r]).get<double>();
      if (shares[r] > 0 && t > 0) rates[r] = static_cast<double>(shares[r]) / t;
      slowest = std::max(slowest, t);
    }
    stats.behind += Seconds(slowest - seconds);
    const std::vector<std::string> parts = group.gather(encode_results(mine), to_all);
    stats.waiting += since(w0);
    if (parts.empty()) continue;  // not rank 0, and the results go to rank 0 only
    const auto m0 = std::chrono::steady_clock::now();
    std::vector<std::vector<DesignResult>> by_rank;
    for (const std::string& part_bytes : parts) by_rank.push_back(decode_results(part_bytes));
    for (auto& results : by_rank)  // rank order is the order of `indices`
      if (!results.empty()) sink(results);
    stats.merging += since(m0);
  }
}

}  // namespace xpusim
