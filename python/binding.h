// SPDX-License-Identifier: Apache-2.0
// What the bindings of the Python module `xpusim` share: keyword arguments turned into an api/
// request through a table of fields (each keyword is the command's flag, underscored: --input-len
// is input_len), bad input raised as xpusim.InputError with its diagnostics, and one call into the
// library with the GIL released whose JSON answer becomes dicts, lists and numbers. Nothing a
// caller passes aborts the interpreter: conversions report what they expected, the api returns
// diagnostics, and any C++ exception becomes RuntimeError.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "xpusim/api/perf.h"
#include "xpusim/base/diagnostic.h"

namespace xpusim::python {

namespace py = pybind11;
using api::Json;

// Raises xpusim.InputError(message, diagnostics): the message is every diagnostic, one per line;
// `diagnostics` a list of dicts {file, line, column, path, message}.
[[noreturn]] void raise_input_error(const Diagnostics& diags);

// The api names the command line and its flags ("<command line>: --input-len: ..."); a Python
// caller reads "<arguments>: input_len: ...".
Diagnostics as_keywords(Diagnostics diags);

// JSON to Python: objects to dicts (in the document's key order), arrays to lists, integers to
// int, reals to float, null to None.
py::object to_python(const Json& j);

// ---- Keyword values -------------------------------------------------------------------------
// Each returns nullopt, or what was expected when `v` does not convert.
std::optional<std::string> read(py::handle v, std::string& out);  // str or os.PathLike
std::optional<std::string> read(py::handle v, int64_t& out);      // int (not bool)
std::optional<std::string> read(py::handle v, int& out);
std::optional<std::string> read(py::handle v, double& out);       // int or float (not bool)
std::optional<std::string> read(py::handle v, bool& out);         // bool
// A list or tuple of str; a dict {name: value} as "name=value" (as --set path=value and
// --assume NAME=VALUE take them); one str as a comma-separated list.
std::optional<std::string> read(py::handle v, std::vector<std::string>& out);
template <class T>
std::optional<std::string> read(py::handle v, std::optional<T>& out) {
  if (v.is_none()) {
    out.reset();
    return std::nullopt;
  }
  T value{};
  if (auto e = read(v, value)) return e;
  out = std::move(value);
  return std::nullopt;
}
// Flags given as text on the command line: an on|off flag (True / False, or "on" / "off"), and
// an engine field the engine schema checks (a number or a str: 256, 0.9, "256").
std::optional<std::string> read_on_off(py::handle v, std::string& out);
std::optional<std::string> read_text(py::handle v, std::string& out);
template <class T>
std::optional<std::string> read_as(py::handle v, std::optional<T>& out,
                                   std::optional<std::string> (*reader)(py::handle, T&)) {
  if (v.is_none()) {
    out.reset();
    return std::nullopt;
  }
  T value{};
  if (auto e = reader(v, value)) return e;
  out = std::move(value);
  return std::nullopt;
}
template <class T>
std::optional<std::string> read_as(py::handle v, T& out,
                                   std::optional<std::string> (*reader)(py::handle, T&)) {
  return reader(v, out);
}

// ---- Requests from keyword arguments --------------------------------------------------------
struct FieldInfo {
  std::string name;
  bool required = false;
};

// Builds the keyword table's diagnostics: an unknown keyword (with "did you mean"), a required
// one missing, a value of the wrong kind; raises InputError with all of them.
class KeywordErrors {
 public:
  void unknown(const std::string& name, const std::vector<FieldInfo>& fields);
  void missing(const std::string& name);
  void bad_value(const std::string& name, const std::string& message);
  void raise_if_any() const;

 private:
  Diagnostics diags_;
};

// The keywords of one function: name (the flag, underscored), the request member it sets, and
// whether it is required.
template <class Request>
class Binder {
 public:
  using Setter = std::function<std::optional<std::string>(Request&, py::handle)>;

  template <class Base, class T>
  Binder& add(const char* name, T Base::*member, bool required = false) {
    return field(name, required, [member](Request& r, py::handle v) {
      return read(v, static_cast<Base&>(r).*member);
    });
  }
  template <class Base, class T>
  Binder& on_off(const char* name, T Base::*member) {
    return field(name, false, [member](Request& r, py::handle v) {
      return read_as(v, static_cast<Base&>(r).*member, &read_on_off);
    });
  }
  template <class Base, class T>
  Binder& text(const char* name, T Base::*member) {
    return field(name, false, [member](Request& r, py::handle v) {
      return read_as(v, static_cast<Base&>(r).*member, &read_text);
    });
  }

  // The request: defaults as the command's, then every keyword given (None = not given).
  [[nodiscard]] Request build(const py::kwargs& kwargs) const {
    Request request;
    KeywordErrors errors;
    std::vector<bool> given(info_.size(), false);
    for (const auto& [key, value] : kwargs) {
      const std::string name = py::str(key);
      size_t i = 0;
      while (i < info_.size() && info_[i].name != name) ++i;
      if (i == info_.size()) {
        errors.unknown(name, info_);
        continue;
      }
      if (value.is_none()) continue;  // None: the default, as a flag not given
      given[i] = true;
      if (auto e = setters_[i](request, value)) errors.bad_value(name, *e);
    }
    for (size_t i = 0; i < info_.size(); ++i)
      if (info_[i].required && !given[i]) errors.missing(info_[i].name);
    errors.raise_if_any();
    return request;
  }

  // "Keywords: hardware (required), model (required), batch, ..." for the docstring.
  [[nodiscard]] std::string keywords() const {
    std::string out;
    for (const auto& f : info_)
      out += (out.empty() ? "" : ", ") + f.name + (f.required ? " (required)" : "");
    return out;
  }

 private:
  Binder& field(const char* name, bool required, Setter set) {
    info_.push_back({name, required});
    setters_.push_back(std::move(set));
    return *this;
  }
  std::vector<FieldInfo> info_;
  std::vector<Setter> setters_;
};

// Calls `fn(request)` with the GIL released (other Python threads run meanwhile) and returns its
// answer as Python objects; diagnostics raise InputError, a C++ exception RuntimeError.
template <class Request>
py::object call(const Request& request, Result<Json> (*fn)(const Request&)) {
  std::optional<Result<Json>> answer;
  std::string internal;
  {
    py::gil_scoped_release release;
    try {
      answer = fn(request);
    } catch (const std::exception& e) {
      internal = e.what();
    } catch (...) {
      internal = "unknown exception";
    }
  }
  if (!answer) {
    PyErr_SetString(PyExc_RuntimeError, ("xpusim internal error: " + internal).c_str());
    throw py::error_already_set();
  }
  if (!*answer) raise_input_error(as_keywords(std::move(answer->error())));
  return to_python(**answer);
}

// Defines `name(**kwargs)` on the module: the keywords of `binder`, the call `fn`.
template <class Request>
void def(py::module_& m, const char* name, const Binder<Request>& binder,
         Result<Json> (*fn)(const Request&), const std::string& summary) {
  const std::string doc = summary + "\n\nKeywords (the command's flags, underscored): " +
                          binder.keywords() + ".\nReturns the dict of `xpusim " + name +
                          " --format json`; bad input raises xpusim.InputError.";
  // pybind11 copies the docstring.
  m.def(
      name, [&binder, fn](const py::kwargs& kwargs) { return call(binder.build(kwargs), fn); },
      doc.c_str());
}

// The commands, one group per file (bind_*.cc).
void bind_perf(py::module_& m);
void bind_serve(py::module_& m);
void bind_economics(py::module_& m);
void bind_validate(py::module_& m);
void bind_dse(py::module_& m);

}  // namespace xpusim::python
