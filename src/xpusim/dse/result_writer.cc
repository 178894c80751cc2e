// SPDX-License-Identifier: Apache-2.0
#include "xpusim/dse/result_writer.h"

#include <algorithm>

namespace xpusim {

ResultWriter::ResultWriter(ResultDb& db, const SpaceSpec& space, size_t limit)
    : db_(db), space_(space), limit_(std::max<size_t>(1, limit)), thread_([this] { run(); }) {}

ResultWriter::~ResultWriter() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void ResultWriter::rethrow_locked() {
  if (error_) std::rethrow_exception(error_);  // sticky: nothing is written after a failure
}

void ResultWriter::push(std::vector<DesignResult> block) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.size() < limit_ || error_; });
  rethrow_locked();
  queue_.push_back(std::move(block));
  changed_.notify_all();
}

void ResultWriter::finish() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return (queue_.empty() && !writing_) || error_; });
  rethrow_locked();
}

void ResultWriter::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return !queue_.empty() || stop_; });
    if (queue_.empty()) return;  // stopped with nothing left
    std::vector<DesignResult> block = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    std::exception_ptr error;
    try {
      db_.write(space_, block);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    writing_ = false;
    if (error) {
      error_ = error;
      queue_.clear();  // later blocks are not written after a failed one
    }
    changed_.notify_all();
  }
}

}  // namespace xpusim
