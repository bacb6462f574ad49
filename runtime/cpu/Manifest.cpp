//===- Manifest.cpp - the manifest of a compiled sdpa artifact ------------===//
//
// The parser is strict about content (every record known, every value valid,
// singletons given once) because the launcher trusts the manifest when it
// builds descriptors for the kernel; it is lenient only about whitespace and
// CRLF line ends, which editors introduce without meaning anything.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/Manifest.h"

#include <limits>
#include <map>

namespace sdpa {
namespace rt {

static constexpr int kVersion = 1;

bool TensorSpec::operator==(const TensorSpec &other) const {
  return dtype == other.dtype && shape == other.shape &&
         anyStrides == other.anyStrides;
}

bool Manifest::operator==(const Manifest &other) const {
  return target == other.target && entry == other.entry &&
         library == other.library && symbol == other.symbol &&
         inputs == other.inputs && outputs == other.outputs;
}

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

static std::vector<std::string> splitTokens(const std::string &line) {
  std::vector<std::string> tokens;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t begin = line.find_first_not_of(" \t", pos);
    if (begin == std::string::npos)
      break;
    size_t end = line.find_first_of(" \t", begin);
    if (end == std::string::npos)
      end = line.size();
    tokens.push_back(line.substr(begin, end - begin));
    pos = end;
  }
  return tokens;
}

static bool parseDType(const std::string &text, npy::DType &dtype) {
  for (npy::DType candidate :
       {npy::DType::Bool, npy::DType::F16, npy::DType::BF16, npy::DType::F32,
        npy::DType::F64, npy::DType::I32, npy::DType::I64}) {
    if (text == npy::dtypeName(candidate)) {
      dtype = candidate;
      return true;
    }
  }
  return false;
}

/// A decimal dim without sign; on failure `error` says what is wrong.
static bool parseDim(const std::string &text, int64_t &dim,
                     std::string &error) {
  if (text.empty()) {
    error = "empty dim";
    return false;
  }
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      error = "bad dim '" + text + "'";
      return false;
    }
    int digit = c - '0';
    if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) {
      error = "dim '" + text + "' is too large";
      return false;
    }
    value = value * 10 + digit;
  }
  dim = value;
  return true;
}

static bool parseShape(const std::string &text, std::vector<int64_t> &shape,
                       std::string &error) {
  shape.clear();
  if (text == "scalar")
    return true;
  size_t pos = 0;
  while (true) {
    size_t end = text.find('x', pos);
    std::string dimText =
        text.substr(pos, end == std::string::npos ? end : end - pos);
    int64_t dim;
    if (!parseDim(dimText, dim, error)) {
      error += " in shape '" + text + "'";
      return false;
    }
    shape.push_back(dim);
    if (end == std::string::npos)
      break;
    pos = end + 1;
  }
  // The launcher multiplies dims to count elements and bytes; refuse shapes
  // whose product cannot be represented rather than let that overflow.
  int64_t count = 1;
  bool empty = false;
  for (int64_t dim : shape)
    empty |= dim == 0;
  if (!empty) {
    for (int64_t dim : shape) {
      if (count > std::numeric_limits<int64_t>::max() / dim) {
        error = "shape '" + text + "' has too many elements";
        return false;
      }
      count *= dim;
    }
  }
  return true;
}

static bool parseTensorSpec(const std::vector<std::string> &tokens,
                            TensorSpec &spec, std::string &error) {
  if (!parseDType(tokens[1], spec.dtype)) {
    error = "bad dtype '" + tokens[1] +
            "' (expected one of bool f16 bf16 f32 f64 i32 i64)";
    return false;
  }
  if (!parseShape(tokens[2], spec.shape, error))
    return false;
  if (tokens[3] == "strided") {
    spec.anyStrides = true;
  } else if (tokens[3] == "contiguous") {
    spec.anyStrides = false;
  } else {
    error = "bad layout '" + tokens[3] + "' (expected strided or contiguous)";
    return false;
  }
  return true;
}

bool parseManifest(const std::string &text, Manifest &m, std::string &error) {
  m = Manifest();
  // The string-valued singletons, and the line each was first seen on.
  const std::pair<const char *, std::string Manifest::*> singletons[] = {
      {"target", &Manifest::target},
      {"entry", &Manifest::entry},
      {"library", &Manifest::library},
      {"symbol", &Manifest::symbol}};
  std::map<std::string, int> seenOn;
  bool sawHeader = false;

  int lineNo = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos)
      end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++lineNo;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();

    std::vector<std::string> tokens = splitTokens(line);
    if (tokens.empty() || tokens[0][0] == '#')
      continue;
    const std::string &record = tokens[0];
    std::string where = "line " + std::to_string(lineNo) + ": ";

    auto checkArity = [&](size_t arguments) {
      if (tokens.size() == arguments + 1)
        return true;
      error = where + "'" + record + "' takes " + std::to_string(arguments) +
              (arguments == 1 ? " argument" : " arguments") + ", got " +
              std::to_string(tokens.size() - 1);
      return false;
    };
    auto checkFirst = [&]() {
      auto it = seenOn.find(record);
      if (it == seenOn.end()) {
        seenOn[record] = lineNo;
        return true;
      }
      error = where + "duplicate record '" + record + "' (first on line " +
              std::to_string(it->second) + ")";
      return false;
    };

    if (record == "sdpa-artifact") {
      if (!checkFirst() || !checkArity(1))
        return false;
      if (tokens[1] != std::to_string(kVersion)) {
        error = where + "unsupported artifact version '" + tokens[1] +
                "' (this runtime reads version " + std::to_string(kVersion) +
                ")";
        return false;
      }
      sawHeader = true;
      continue;
    }
    // Without the header first, this may be some other file altogether.
    if (!sawHeader) {
      error = where + "expected 'sdpa-artifact " + std::to_string(kVersion) +
              "' before '" + record + "'";
      return false;
    }
    if (record == "input" || record == "output") {
      if (!checkArity(3))
        return false;
      TensorSpec spec;
      std::string specError;
      if (!parseTensorSpec(tokens, spec, specError)) {
        error = where + record + ": " + specError;
        return false;
      }
      (record == "input" ? m.inputs : m.outputs).push_back(std::move(spec));
      continue;
    }
    bool known = false;
    for (const auto &singleton : singletons) {
      if (record != singleton.first)
        continue;
      if (!checkFirst() || !checkArity(1))
        return false;
      m.*singleton.second = tokens[1];
      known = true;
    }
    if (!known) {
      error = where + "unknown record '" + record + "'";
      return false;
    }
  }

  if (!sawHeader) {
    error = "missing required record 'sdpa-artifact'";
    return false;
  }
  for (const auto &singleton : singletons) {
    if (!seenOn.count(singleton.first)) {
      error = std::string("missing required record '") + singleton.first + "'";
      return false;
    }
  }
  // A kernel without outputs computes nothing: the manifest lost its tail.
  if (m.outputs.empty()) {
    error = "missing required record 'output'";
    return false;
  }
  return true;
}

static std::string serializeSpec(const TensorSpec &spec) {
  std::string shape;
  if (spec.shape.empty())
    shape = "scalar";
  for (size_t i = 0; i < spec.shape.size(); ++i) {
    if (i)
      shape += "x";
    shape += std::to_string(spec.shape[i]);
  }
  return std::string(npy::dtypeName(spec.dtype)) + " " + shape + " " +
         (spec.anyStrides ? "strided" : "contiguous");
}

std::string serializeManifest(const Manifest &m) {
  std::string text = "sdpa-artifact " + std::to_string(kVersion) + "\n";
  text += "target " + m.target + "\n";
  text += "entry " + m.entry + "\n";
  text += "library " + m.library + "\n";
  text += "symbol " + m.symbol + "\n";
  for (const TensorSpec &spec : m.inputs)
    text += "input " + serializeSpec(spec) + "\n";
  for (const TensorSpec &spec : m.outputs)
    text += "output " + serializeSpec(spec) + "\n";
  return text;
}

} // namespace rt
} // namespace sdpa
