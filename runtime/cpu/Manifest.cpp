//===- Manifest.cpp - the manifest of a compiled sdpa artifact ------------===//
//
// The parser is strict about content (every record known, every value valid,
// singletons given once) because the launcher trusts the manifest when it
// builds descriptors for the kernel; it is lenient only about whitespace and
// CRLF line ends, which editors introduce without meaning anything.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/Manifest.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <sys/stat.h>

namespace sdpa {
namespace rt {

static constexpr int kVersion = 2;
/// cuLaunchKernel takes grid and block dims and shared memory sizes as
/// unsigned int; larger values would be truncated into a different launch.
static constexpr int64_t kMaxLaunchValue = std::numeric_limits<int32_t>::max();

bool TensorSpec::operator==(const TensorSpec &other) const {
  return dtype == other.dtype && shape == other.shape && layout == other.layout;
}

bool LaunchSpec::operator==(const LaunchSpec &o) const {
  return kernel == o.kernel && grid == o.grid && block == o.block &&
         sharedBytes == o.sharedBytes && args == o.args;
}

bool Manifest::operator==(const Manifest &other) const {
  return target == other.target && entry == other.entry &&
         library == other.library && symbol == other.symbol &&
         inputs == other.inputs && outputs == other.outputs &&
         shapes == other.shapes && checks == other.checks &&
         chip == other.chip && cubin == other.cubin && host == other.host &&
         emulated == other.emulated && buffers == other.buffers &&
         launches == other.launches;
}

static constexpr TensorSpec::Layout kLayouts[] = {
    TensorSpec::Layout::Contiguous, TensorSpec::Layout::Rows,
    TensorSpec::Layout::Strided};

const char *layoutName(TensorSpec::Layout layout) {
  switch (layout) {
  case TensorSpec::Layout::Contiguous:
    return "contiguous";
  case TensorSpec::Layout::Rows:
    return "rows";
  case TensorSpec::Layout::Strided:
    return "strided";
  }
  return "?";
}

/// `[a, b, c]` with each value rendered by `render`.
template <typename Render>
static std::string formatList(const std::vector<int64_t> &values,
                              Render render) {
  std::string text = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i)
      text += ", ";
    text += render(values[i]);
  }
  return text + "]";
}

std::string formatShape(const std::vector<int64_t> &shape) {
  return formatList(shape, [](int64_t dim) {
    return dim == kDynamicDim ? std::string("?") : std::to_string(dim);
  });
}

std::string formatStrides(const std::vector<int64_t> &strides) {
  return formatList(strides,
                    [](int64_t stride) { return std::to_string(stride); });
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

/// A decimal dim without sign, or `?` (kDynamicDim); on failure `error`
/// says what is wrong.
static bool parseDim(const std::string &text, int64_t &dim,
                     std::string &error) {
  if (text == "?") {
    dim = kDynamicDim;
    return true;
  }
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

bool shapeMatches(const std::vector<int64_t> &spec,
                  const std::vector<int64_t> &shape) {
  if (spec.size() != shape.size())
    return false;
  for (size_t d = 0; d < spec.size(); ++d)
    if (spec[d] != kDynamicDim && spec[d] != shape[d])
      return false;
  return true;
}

bool parseShape(const std::string &text, std::vector<int64_t> &shape,
                bool allowDynamic, std::string &error) {
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
    if (dim == kDynamicDim && !allowDynamic) {
      error = "dynamic dim '?' in shape '" + text + "'; sizes must be given";
      return false;
    }
    shape.push_back(dim);
    if (end == std::string::npos)
      break;
    pos = end + 1;
  }
  // The launcher multiplies dims to count elements and bytes; refuse shapes
  // whose product cannot be represented rather than let that overflow.
  // Dynamic dims are checked when the runtime learns them.
  int64_t count = 1;
  bool empty = false;
  for (int64_t dim : shape)
    empty |= dim == 0 || dim == kDynamicDim;
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
  if (!parseShape(tokens[2], spec.shape, /*allowDynamic=*/true, error))
    return false;
  for (TensorSpec::Layout layout : kLayouts) {
    if (tokens[3] == layoutName(layout)) {
      spec.layout = layout;
      return true;
    }
  }
  error =
      "bad layout '" + tokens[3] + "' (expected contiguous, rows or strided)";
  return false;
}

/// `sm_` followed by major and minor digits and an optional feature suffix
/// letter (`sm_90a`).
static bool isChipName(const std::string &text) {
  if (text.compare(0, 3, "sm_") != 0)
    return false;
  size_t digits = 0;
  while (3 + digits < text.size() && text[3 + digits] >= '0' &&
         text[3 + digits] <= '9')
    ++digits;
  size_t rest = text.size() - 3 - digits;
  return digits >= 2 &&
         (rest == 0 || (rest == 1 && text.back() >= 'a' && text.back() <= 'z'));
}

/// A grid or block size `<X>x<Y>x<Z>`; `what` names it in the error.
static bool parseLaunchDims(const std::string &what, const std::string &text,
                            std::array<int64_t, 3> &dims, std::string &error) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (true) {
    size_t end = text.find('x', pos);
    parts.push_back(
        text.substr(pos, end == std::string::npos ? end : end - pos));
    if (end == std::string::npos)
      break;
    pos = end + 1;
  }
  if (parts.size() != 3) {
    error = what + " '" + text + "' must be <X>x<Y>x<Z>";
    return false;
  }
  for (size_t i = 0; i < 3; ++i) {
    std::string dimError;
    if (!parseDim(parts[i], dims[i], dimError)) {
      error = what + " '" + text + "': " + dimError;
      return false;
    }
    if (dims[i] < 1 || dims[i] > kMaxLaunchValue) {
      error = what + " '" + text + "': dims must be in [1, " +
              std::to_string(kMaxLaunchValue) + "]";
      return false;
    }
  }
  return true;
}

static const std::pair<const char *, LaunchArg::Kind> kArgPrefixes[] = {
    {"in", LaunchArg::Kind::Input},
    {"val", LaunchArg::Kind::Value},
    {"out", LaunchArg::Kind::Output},
    {"buf", LaunchArg::Kind::Buffer}};

static std::string argName(const LaunchArg &arg) {
  for (const auto &prefix : kArgPrefixes)
    if (prefix.second == arg.kind)
      return prefix.first + std::to_string(arg.index);
  return "?";
}

static bool parseLaunchArg(const std::string &text, LaunchArg &arg) {
  for (const auto &prefix : kArgPrefixes) {
    size_t length = std::strlen(prefix.first);
    if (text.compare(0, length, prefix.first) != 0)
      continue;
    std::string ignored;
    arg.kind = prefix.second;
    return parseDim(text.substr(length), arg.index, ignored);
  }
  return false;
}

/// The tokens of a `launch` record, the record name included.
static bool parseLaunch(const std::vector<std::string> &tokens,
                        LaunchSpec &launch, std::string &error) {
  if (tokens.size() < 9 || tokens[2] != "grid" || tokens[4] != "block" ||
      tokens[6] != "smem" || tokens[8] != "args") {
    error = "expected 'launch <kernel> grid <X>x<Y>x<Z> block <X>x<Y>x<Z> "
            "smem <bytes> args <ref>...'";
    return false;
  }
  launch.kernel = tokens[1];
  if (!parseLaunchDims("grid", tokens[3], launch.grid, error) ||
      !parseLaunchDims("block", tokens[5], launch.block, error))
    return false;
  std::string smemError;
  if (!parseDim(tokens[7], launch.sharedBytes, smemError) ||
      launch.sharedBytes > kMaxLaunchValue) {
    error = "bad smem '" + tokens[7] + "' (expected bytes in [0, " +
            std::to_string(kMaxLaunchValue) + "])";
    return false;
  }
  for (size_t i = 9; i < tokens.size(); ++i) {
    LaunchArg arg;
    if (!parseLaunchArg(tokens[i], arg)) {
      error = "bad argument '" + tokens[i] +
              "' (expected in<k>, val<k>, out<k> or buf<k>)";
      return false;
    }
    launch.args.push_back(arg);
  }
  return true;
}

static std::string countOf(size_t count, const std::string &noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

/// The checks of an nvptx manifest that need the whole file: `lines` holds
/// the line of each input, output and launch, in that order.
static bool checkGpuManifest(const Manifest &m, const std::vector<int> &lines,
                             std::string &error) {
  size_t line = 0;
  auto where = [&]() { return "line " + std::to_string(lines[line]) + ": "; };
  for (const auto *tensors : {&m.inputs, &m.outputs}) {
    const char *record = tensors == &m.inputs ? "input" : "output";
    for (const TensorSpec &spec : *tensors) {
      if (spec.layout != TensorSpec::Layout::Contiguous) {
        error = where() + record +
                ": target nvptx needs contiguous tensors (its kernels take "
                "bare pointers)";
        return false;
      }
      ++line;
    }
  }
  for (const LaunchSpec &launch : m.launches) {
    for (const LaunchArg &arg : launch.args) {
      bool isInput = arg.kind == LaunchArg::Kind::Input ||
                     arg.kind == LaunchArg::Kind::Value;
      const std::vector<TensorSpec> &specs =
          isInput                               ? m.inputs
          : arg.kind == LaunchArg::Kind::Output ? m.outputs
                                                : m.buffers;
      const char *noun = isInput                               ? "input"
                         : arg.kind == LaunchArg::Kind::Output ? "output"
                                                               : "buffer";
      std::string prefix =
          where() + "launch '" + launch.kernel + "': '" + argName(arg) + "' ";
      if (arg.index >= static_cast<int64_t>(specs.size())) {
        error = prefix + "refers to " + noun + " " + std::to_string(arg.index) +
                ", but the manifest has " + countOf(specs.size(), noun);
        return false;
      }
      // Only a one-element input can be passed by value.
      if (arg.kind == LaunchArg::Kind::Value &&
          !specs[arg.index].shape.empty()) {
        error = prefix + "passes input " + std::to_string(arg.index) +
                " of shape " + formatShape(specs[arg.index].shape) +
                " by value; only scalars can be (use 'in" +
                std::to_string(arg.index) + "' for its device pointer)";
        return false;
      }
    }
    ++line;
  }
  return true;
}

bool parseManifest(const std::string &text, Manifest &m, std::string &error) {
  m = Manifest();
  // The string-valued singletons, and the line each was first seen on.
  const std::pair<const char *, std::string Manifest::*> singletons[] = {
      {"target", &Manifest::target},   {"entry", &Manifest::entry},
      {"library", &Manifest::library}, {"symbol", &Manifest::symbol},
      {"chip", &Manifest::chip},       {"cubin", &Manifest::cubin},
      {"shapes", &Manifest::shapes},   {"host", &Manifest::host}};
  std::map<std::string, int> seenOn;
  bool sawHeader = false;
  // Lines of the inputs, outputs and launches, for the checks at the end.
  std::vector<int> inputLines, outputLines, launchLines;
  // The first record that only nvptx manifests may have.
  std::string gpuRecord;
  int gpuRecordLine = 0;

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
    if (gpuRecord.empty() &&
        (record == "chip" || record == "cubin" || record == "emulated" ||
         record == "buffer" || record == "launch" || record == "host")) {
      gpuRecord = record;
      gpuRecordLine = lineNo;
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
      (record == "input" ? inputLines : outputLines).push_back(lineNo);
      continue;
    }
    if (record == "emulated") {
      if (!checkFirst() || !checkArity(0))
        return false;
      m.emulated = true;
      continue;
    }
    if (record == "check") {
      // The message is the rest of the line, spaces included.
      size_t start = line.find("check") + 5;
      size_t begin = line.find_first_not_of(" \t", start);
      if (begin == std::string::npos) {
        error = where + "'check' needs a message";
        return false;
      }
      m.checks.push_back(line.substr(begin));
      continue;
    }
    if (record == "buffer") {
      if (!checkArity(2))
        return false;
      // A buffer is device scratch in C order: the layout is implied.
      std::vector<std::string> specTokens = tokens;
      specTokens.push_back("contiguous");
      TensorSpec spec;
      std::string specError;
      if (!parseTensorSpec(specTokens, spec, specError)) {
        error = where + record + ": " + specError;
        return false;
      }
      m.buffers.push_back(std::move(spec));
      continue;
    }
    if (record == "launch") {
      LaunchSpec launch;
      std::string launchError;
      if (!parseLaunch(tokens, launch, launchError)) {
        error = where + record + ": " + launchError;
        return false;
      }
      m.launches.push_back(std::move(launch));
      launchLines.push_back(lineNo);
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
    if (record == "chip" && !isChipName(m.chip)) {
      error = where + "bad chip '" + m.chip +
              "' (expected sm_<major><minor>, e.g. sm_90)";
      return false;
    }
  }

  if (!sawHeader) {
    error = "missing required record 'sdpa-artifact'";
    return false;
  }
  bool gpu = m.target == "nvptx";
  for (const char *required : {"target", "entry", "library", "symbol"}) {
    // GPU kernels are named by their launches instead.
    if (gpu && std::string(required) == "symbol")
      continue;
    if (!seenOn.count(required)) {
      error = std::string("missing required record '") + required + "'";
      return false;
    }
  }
  // A kernel without outputs computes nothing: the manifest lost its tail.
  if (m.outputs.empty()) {
    error = "missing required record 'output'";
    return false;
  }
  auto isDynamic = [](const TensorSpec &spec) {
    for (int64_t dim : spec.shape)
      if (dim == kDynamicDim)
        return true;
    return false;
  };
  bool dynamic = false;
  for (const auto *tensors : {&m.inputs, &m.outputs, &m.buffers})
    for (const TensorSpec &spec : *tensors)
      dynamic |= isDynamic(spec);
  if (dynamic && gpu) {
    error = "target nvptx needs static shapes; the manifest has a dynamic "
            "dim ('?')";
    return false;
  }
  if (dynamic && m.shapes.empty()) {
    error = "missing record 'shapes', required with dynamic dims ('?')";
    return false;
  }
  if (!gpu) {
    if (!gpuRecord.empty()) {
      error = "line " + std::to_string(gpuRecordLine) + ": '" + gpuRecord +
              "' is only for target nvptx, not '" + m.target + "'";
      return false;
    }
    return true;
  }
  if (m.chip.empty()) {
    error = "missing required record 'chip'";
    return false;
  }
  if (m.launches.empty()) {
    error = "missing required record 'launch'";
    return false;
  }
  // The shape function of a GPU artifact runs on the host, from `host`.
  if (m.shapes.empty() != m.host.empty()) {
    error = m.host.empty() ? "record 'shapes' needs record 'host', the "
                             "library that defines it"
                           : "record 'host' needs record 'shapes', the "
                             "function it defines";
    return false;
  }
  std::vector<int> lines = inputLines;
  lines.insert(lines.end(), outputLines.begin(), outputLines.end());
  lines.insert(lines.end(), launchLines.begin(), launchLines.end());
  return checkGpuManifest(m, lines, error);
}

static std::string serializeShape(const std::vector<int64_t> &shape) {
  if (shape.empty())
    return "scalar";
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += "x";
    text += shape[i] == kDynamicDim ? "?" : std::to_string(shape[i]);
  }
  return text;
}

static std::string serializeSpec(const TensorSpec &spec) {
  return std::string(npy::dtypeName(spec.dtype)) + " " +
         serializeShape(spec.shape) + " " + layoutName(spec.layout);
}

static std::string serializeDims(const std::array<int64_t, 3> &dims) {
  return std::to_string(dims[0]) + "x" + std::to_string(dims[1]) + "x" +
         std::to_string(dims[2]);
}

std::string serializeManifest(const Manifest &m) {
  std::string text = "sdpa-artifact " + std::to_string(kVersion) + "\n";
  text += "target " + m.target + "\n";
  text += "entry " + m.entry + "\n";
  text += "library " + m.library + "\n";
  // Optional for nvptx, where an empty field means the record was absent.
  if (!m.symbol.empty())
    text += "symbol " + m.symbol + "\n";
  if (!m.chip.empty())
    text += "chip " + m.chip + "\n";
  if (!m.cubin.empty())
    text += "cubin " + m.cubin + "\n";
  if (m.emulated)
    text += "emulated\n";
  if (!m.host.empty())
    text += "host " + m.host + "\n";
  if (!m.shapes.empty())
    text += "shapes " + m.shapes + "\n";
  for (std::string check : m.checks) {
    // One line each: a line break would end the record.
    for (char &c : check)
      if (c == '\n' || c == '\r')
        c = ' ';
    text += "check " + check + "\n";
  }
  for (const TensorSpec &spec : m.inputs)
    text += "input " + serializeSpec(spec) + "\n";
  for (const TensorSpec &spec : m.outputs)
    text += "output " + serializeSpec(spec) + "\n";
  for (const TensorSpec &spec : m.buffers)
    text += std::string("buffer ") + npy::dtypeName(spec.dtype) + " " +
            serializeShape(spec.shape) + "\n";
  for (const LaunchSpec &launch : m.launches) {
    text += "launch " + launch.kernel + " grid " + serializeDims(launch.grid) +
            " block " + serializeDims(launch.block) + " smem " +
            std::to_string(launch.sharedBytes) + " args";
    for (const LaunchArg &arg : launch.args)
      text += " " + argName(arg);
    text += "\n";
  }
  return text;
}

bool readFile(const std::string &path, std::string &bytes, std::string &error) {
  FILE *file = std::fopen(path.c_str(), "rb");
  if (!file) {
    error = "cannot read '" + path + "': " + std::strerror(errno);
    return false;
  }
  bytes.clear();
  char buffer[4096];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), file)) > 0)
    bytes.append(buffer, got);
  bool failed = std::ferror(file);
  std::fclose(file);
  if (failed) {
    error = "cannot read '" + path + "'";
    return false;
  }
  return true;
}

bool loadManifest(const std::string &dir, const std::string &target,
                  Manifest &m, std::string &error) {
  struct stat info;
  if (::stat(dir.c_str(), &info) != 0) {
    error =
        "cannot open artifact directory '" + dir + "': " + std::strerror(errno);
    return false;
  }
  if (!S_ISDIR(info.st_mode)) {
    error = "artifact '" + dir + "' is not a directory";
    return false;
  }

  std::string manifestPath = dir + "/manifest.txt";
  std::string text;
  if (!readFile(manifestPath, text, error))
    return false;
  if (!parseManifest(text, m, error)) {
    error = manifestPath + ": " + error;
    return false;
  }
  if (m.target != target) {
    error = manifestPath + ": the artifact is for target '" + m.target +
            "', not '" + target + "'";
    return false;
  }
  // The loaders join these to `dir`; an absolute path would load a file from
  // elsewhere, which a copied artifact directory does not carry along.
  for (const std::pair<const char *, const std::string *> file :
       {std::make_pair("library", &m.library),
        std::make_pair("cubin", &m.cubin), std::make_pair("host", &m.host)}) {
    if (!file.second->empty() && (*file.second)[0] == '/') {
      error = manifestPath + ": " + file.first + " '" + *file.second +
              "' must be relative to the artifact directory";
      return false;
    }
  }
  return true;
}

} // namespace rt
} // namespace sdpa
