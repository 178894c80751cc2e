// SPDX-License-Identifier: Apache-2.0
// The Python module `xpusim` (pybind11): every command of the command line as a function whose
// keywords are its flags (underscored) and whose answer is the dict its `--format json` prints;
// xpusim.hardware() and xpusim.model() resolve a spec as `show` does. Built by `make python`
// into build/python/ (README "Python"). This file: the module, xpusim.InputError, the keyword
// conversions and JSON -> Python.
#include <algorithm>
#include <climits>

#include <fmt/format.h>
#include <pybind11/eval.h>

#include "python/binding.h"
#include "xpusim/api/specs.h"
#include "xpusim/base/text.h"

namespace xpusim::python {
namespace {

// xpusim.InputError, created when the module loads; the module holds the reference.
py::handle g_input_error;

constexpr const char* kInputErrorCode = R"py(
class InputError(ValueError):
    """Bad input to an xpusim function: the message lists every problem, one per line
    ("<arguments>: batch: 0 is out of range; allowed 1 .. 1048576 (...)"), and `diagnostics`
    holds them as dicts with the keys file, line, column, path and message."""

    def __init__(self, message, diagnostics):
        super().__init__(message)
        self.diagnostics = diagnostics
)py";

std::string type_name(py::handle v) { return py::str(py::type::handle_of(v).attr("__name__")); }

// "expected an int, got '12' (str)": the value as Python shows it, bounded.
std::string expected(const char* what, py::handle v) {
  return fmt::format("expected {}, got {} ({})", what, printable(std::string(py::repr(v)), 60),
                     type_name(v));
}

bool is_integer(py::handle v) { return !PyBool_Check(v.ptr()) && PyIndex_Check(v.ptr()); }

// The text a scalar stands for on a command line: str as is, bool true/false, numbers as Python
// writes them (repr: the shortest text that reads back as the same float).
std::optional<std::string> scalar_text(py::handle v, std::string& out) {
  if (PyUnicode_Check(v.ptr())) {
    out = v.cast<std::string>();
  } else if (PyBool_Check(v.ptr())) {
    out = v.ptr() == Py_True ? "true" : "false";
  } else if (is_integer(v) || PyFloat_Check(v.ptr())) {
    out = py::str(v);
  } else {
    return expected("a str or a number", v);
  }
  return std::nullopt;
}

}  // namespace

void raise_input_error(const Diagnostics& diags) {
  py::list list;
  for (const auto& d : diags) {
    py::dict e;
    e["file"] = d.file;
    e["line"] = d.line;
    e["column"] = d.column;
    e["path"] = d.path;
    e["message"] = d.message;
    list.append(e);
  }
  std::string message = to_string(diags);
  if (!message.empty() && message.back() == '\n') message.pop_back();
  py::object error = py::reinterpret_borrow<py::object>(g_input_error)(message, list);
  PyErr_SetObject(g_input_error.ptr(), error.ptr());
  throw py::error_already_set();
}

Diagnostics as_keywords(Diagnostics diags) {
  for (auto& d : diags) {
    if (d.file != "<command line>") continue;
    d.file = "<arguments>";
    if (d.path == "--set") {
      d.path = "overrides";
    } else if (d.path.starts_with("--") && d.path.find(' ') == std::string::npos) {
      d.path = d.path.substr(2);
      std::replace(d.path.begin(), d.path.end(), '-', '_');
    }
  }
  return diags;
}

py::object to_python(const Json& j) {
  switch (j.type()) {
    case Json::value_t::boolean: return py::bool_(j.get<bool>());
    case Json::value_t::number_integer: return py::int_(j.get<int64_t>());
    case Json::value_t::number_unsigned: return py::int_(j.get<uint64_t>());
    case Json::value_t::number_float: return py::float_(j.get<double>());
    case Json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      // Text from files (ids, paths) may hold bytes that are not UTF-8: replaced, never raised.
      return py::reinterpret_steal<py::object>(
          PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace"));
    }
    case Json::value_t::array: {
      py::list list;
      for (const auto& e : j) list.append(to_python(e));
      return list;
    }
    case Json::value_t::object: {
      py::dict dict;
      for (auto it = j.begin(); it != j.end(); ++it) dict[py::str(it.key())] = to_python(it.value());
      return dict;
    }
    default: return py::none();  // null (binary and discarded values never occur)
  }
}

std::optional<std::string> read(py::handle v, std::string& out) {
  if (PyUnicode_Check(v.ptr())) {
    out = v.cast<std::string>();
    return std::nullopt;
  }
  if (PyObject_HasAttrString(v.ptr(), "__fspath__")) {  // pathlib.Path and other os.PathLike
    py::object path = py::module_::import("os").attr("fspath")(v);
    if (PyUnicode_Check(path.ptr())) {
      out = path.cast<std::string>();
      return std::nullopt;
    }
  }
  return expected("a str", v);
}

std::optional<std::string> read(py::handle v, int64_t& out) {
  if (!is_integer(v)) return expected("an int", v);
  py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(v.ptr()));
  if (!index) throw py::error_already_set();
  int overflow = 0;
  const long long value = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
  if (overflow != 0)
    return fmt::format("{} is out of range; allowed a 64-bit integer",
                       std::string(py::str(index)));
  if (value == -1 && PyErr_Occurred()) throw py::error_already_set();
  out = value;
  return std::nullopt;
}

std::optional<std::string> read(py::handle v, int& out) {
  int64_t value = 0;
  if (auto e = read(v, value)) return e;
  if (value < INT_MIN || value > INT_MAX)
    return fmt::format("{} is out of range; allowed a 32-bit integer", value);
  out = static_cast<int>(value);
  return std::nullopt;
}

std::optional<std::string> read(py::handle v, double& out) {
  if (PyBool_Check(v.ptr()) || !(PyFloat_Check(v.ptr()) || PyIndex_Check(v.ptr())))
    return expected("a number", v);
  const double value = PyFloat_AsDouble(v.ptr());  // an int beyond a double is OverflowError
  if (value == -1.0 && PyErr_Occurred()) {
    PyErr_Clear();
    return fmt::format("{} is out of range of a double", std::string(py::str(v)));
  }
  out = value;  // nan and inf reach the api, whose bounds refuse them
  return std::nullopt;
}

std::optional<std::string> read(py::handle v, bool& out) {
  if (!PyBool_Check(v.ptr())) return expected("True or False", v);
  out = v.ptr() == Py_True;
  return std::nullopt;
}

std::optional<std::string> read(py::handle v, std::vector<std::string>& out) {
  out.clear();
  if (PyUnicode_Check(v.ptr())) {
    const std::string text = v.cast<std::string>();
    for (size_t start = 0; start <= text.size();) {
      const size_t comma = std::min(text.find(',', start), text.size());
      if (comma > start) out.push_back(text.substr(start, comma - start));
      start = comma + 1;
    }
    return std::nullopt;
  }
  if (PyDict_Check(v.ptr())) {
    for (const auto& [key, value] : py::reinterpret_borrow<py::dict>(v)) {
      std::string name, text;
      if (auto e = read(key, name)) return "a key: " + *e;
      if (auto e = scalar_text(value, text)) return fmt::format("the value of {}: {}", name, *e);
      out.push_back(name + "=" + text);
    }
    return std::nullopt;
  }
  if (PyList_Check(v.ptr()) || PyTuple_Check(v.ptr())) {
    for (const auto& item : py::reinterpret_borrow<py::sequence>(v)) {
      std::string text;
      if (auto e = read(item, text)) return "an item: " + *e;
      out.push_back(text);
    }
    return std::nullopt;
  }
  return expected("a list of str or a dict", v);
}

std::optional<std::string> read_on_off(py::handle v, std::string& out) {
  if (PyBool_Check(v.ptr())) {
    out = v.ptr() == Py_True ? "on" : "off";
    return std::nullopt;
  }
  if (!PyUnicode_Check(v.ptr())) return expected("True, False, \"on\" or \"off\"", v);
  out = v.cast<std::string>();  // the api checks on|off
  return std::nullopt;
}

std::optional<std::string> read_text(py::handle v, std::string& out) {
  if (PyBool_Check(v.ptr())) return expected("a number or a str", v);
  return scalar_text(v, out);
}

void KeywordErrors::unknown(const std::string& name, const std::vector<FieldInfo>& fields) {
  std::vector<std::string> names;
  for (const auto& f : fields) names.push_back(f.name);
  std::string message = "unknown keyword argument; allowed: " + join(names);
  if (auto m = closest_match(name, names)) message += fmt::format(" (did you mean \"{}\"?)", *m);
  diags_.push_back({.file = "<arguments>", .path = name, .message = message});
}

void KeywordErrors::missing(const std::string& name) {
  diags_.push_back({.file = "<arguments>", .path = name, .message = "is required"});
}

void KeywordErrors::bad_value(const std::string& name, const std::string& message) {
  diags_.push_back({.file = "<arguments>", .path = name, .message = message});
}

void KeywordErrors::raise_if_any() const {
  if (!diags_.empty()) raise_input_error(diags_);
}

namespace {

// hardware(id_or_path, overrides=...) and model(...): `show ... --format json`.
py::object show(Result<Json> (*fn)(const api::SpecRequest&), py::handle id_or_path,
                py::handle overrides) {
  api::SpecRequest request;
  KeywordErrors errors;
  if (auto e = read(id_or_path, request.spec)) errors.bad_value("id_or_path", *e);
  if (!overrides.is_none())
    if (auto e = read(overrides, request.overrides)) errors.bad_value("overrides", *e);
  errors.raise_if_any();
  return call(request, fn);
}

}  // namespace

}  // namespace xpusim::python

PYBIND11_MODULE(xpusim, m) {
  namespace py = pybind11;
  using namespace xpusim::python;  // NOLINT
  m.doc() =
      "xpusim: performance, area and cost of AI accelerators for LLM inference.\n\n"
      "Every command is a function whose keywords are its flags (underscored: --input-len is "
      "input_len, --set is overrides={path: value}) and whose answer is the dict its "
      "`--format json` prints. Bad input raises xpusim.InputError (a ValueError) with the "
      "diagnostics; the models run with the GIL released.";
  m.attr("__version__") = XPUSIM_VERSION;
  py::exec(kInputErrorCode, m.attr("__dict__"));
  g_input_error = m.attr("InputError");

  m.def(
      "hardware",
      [](py::handle id_or_path, py::handle overrides) {
        return show(&xpusim::api::hardware, id_or_path, overrides);
      },
      py::arg("id_or_path"), py::kw_only(), py::arg("overrides") = py::none(),
      "A hardware preset id or a hardware/v1 YAML/JSON file, with overrides={path: value} (as "
      "--set), resolved with its derived figures: the dict of `xpusim show hardware --format "
      "json`.");
  m.def(
      "model",
      [](py::handle id_or_path, py::handle overrides) {
        return show(&xpusim::api::model, id_or_path, overrides);
      },
      py::arg("id_or_path"), py::kw_only(), py::arg("overrides") = py::none(),
      "A model preset id, a model/v1 YAML file or a Hugging Face config.json, with "
      "overrides={path: value}: the dict of `xpusim show model --format json`.");
  bind_perf(m);
  bind_serve(m);
  bind_economics(m);
  bind_validate(m);
  bind_dse(m);
}
