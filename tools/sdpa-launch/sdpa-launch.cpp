//===- sdpa-launch.cpp - run a compiled artifact without MLIR -------------===//
//
// Runs an artifact directory (CPU shared object or GPU PTX/cubin) on .npy or
// random inputs, with nothing but the runtime: it builds with
// SDPA_ENABLE_COMPILER=OFF, so a machine with a GPU but no LLVM/MLIR runs
// kernels compiled elsewhere. The manifest says what the inputs and outputs
// are; `sdpa-run` is the tool for .mlir files and for checking results.
//
//   sdpa-launch DIR [--input=FILE.npy]... [--output=FILE.npy]...
//               [--random=SEED] [--bench=N] [--flops=F] [--threads=N]
//
// Every failure is a message `sdpa-launch: error: ...` and exit status 1.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/Manifest.h"
#include "runtime/npy/Npy.h"
#include "runtime/npy/RandomArray.h"
#include "tools/common/BenchLine.h"
#include "tools/common/RunArtifact.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace sdpa;

namespace {

int fail(const std::string &message) {
  std::fprintf(stderr, "sdpa-launch: error: %s\n", message.c_str());
  return 1;
}

const char *kUsage =
    "usage: sdpa-launch DIR [--input=FILE.npy]... [--output=FILE.npy]...\n"
    "                   [--random=SEED [--shape=DIMS]...] [--bench=N] "
    "[--flops=F] [--threads=N]\n"
    "Runs the compiled artifact in DIR (see sdpa-compile) on the inputs, in\n"
    "argument order, or on random ones (--shape=2x8x100x64 gives the shape\n"
    "of each, in order, where the artifact has dynamic dims); writes the\n"
    "results in order; --bench=N times N runs of the kernels (--flops=F adds\n"
    "GFLOP/s).\n";

struct Options {
  std::string directory;
  std::vector<std::string> inputs, outputs;
  std::vector<std::vector<int64_t>> shapes;
  bool random = false;
  uint64_t seed = 0;
  unsigned bench = 0, threads = 0;
  double flops = 0.0;
};

/// Parses a non-negative decimal integer; false for anything else.
bool parseUnsigned(const char *text, uint64_t &value) {
  if (!*text)
    return false;
  char *end = nullptr;
  errno = 0;
  unsigned long long parsed = std::strtoull(text, &end, 10);
  if (errno || *end || text[0] == '-')
    return false;
  value = parsed;
  return true;
}

bool parseOptions(int argc, char **argv, Options &o, std::string &error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *name, std::string &out) {
      std::string prefix = std::string("--") + name + "=";
      if (arg.compare(0, prefix.size(), prefix) != 0)
        return false;
      out = arg.substr(prefix.size());
      return true;
    };
    std::string text;
    uint64_t number = 0;
    if (value("input", text)) {
      o.inputs.push_back(text);
    } else if (value("output", text)) {
      o.outputs.push_back(text);
    } else if (value("shape", text)) {
      std::vector<int64_t> shape;
      if (!rt::parseShape(text, shape, /*allowDynamic=*/false, error)) {
        error = "--shape: " + error;
        return false;
      }
      o.shapes.push_back(shape);
    } else if (value("random", text)) {
      if (!parseUnsigned(text.c_str(), o.seed)) {
        error = "--random wants a seed, got '" + text + "'";
        return false;
      }
      o.random = true;
    } else if (value("bench", text) || value("threads", text)) {
      bool bench = arg.compare(0, 8, "--bench=") == 0;
      if (!parseUnsigned(text.c_str(), number) || number == 0 ||
          number > 1000000) {
        error = std::string(bench ? "--bench" : "--threads") +
                " wants a positive number, got '" + text + "'";
        return false;
      }
      (bench ? o.bench : o.threads) = static_cast<unsigned>(number);
    } else if (value("flops", text)) {
      char *end = nullptr;
      o.flops = std::strtod(text.c_str(), &end);
      if (text.empty() || *end || o.flops < 0) {
        error = "--flops wants a non-negative number, got '" + text + "'";
        return false;
      }
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (!arg.empty() && arg[0] == '-') {
      error = "unknown option '" + arg + "'\n" + kUsage;
      return false;
    } else if (o.directory.empty()) {
      o.directory = arg;
    } else {
      error =
          "one artifact directory, got '" + o.directory + "' and '" + arg + "'";
      return false;
    }
  }
  if (o.directory.empty()) {
    error = std::string("no artifact directory\n") + kUsage;
    return false;
  }
  if (o.random == !o.inputs.empty()) {
    error = o.random ? "give either --input files or --random, not both"
                     : "no inputs: give one --input=FILE.npy per argument, "
                       "or --random=SEED";
    return false;
  }
  if (!o.shapes.empty() && !o.random) {
    error = "--shape sizes random inputs; it goes with --random";
    return false;
  }
  return true;
}

/// Reads input `k` and checks it against its spec; bf16 inputs come as f32
/// files (numpy has no bfloat16) and are rounded.
bool readInput(const std::string &path, const rt::TensorSpec &spec, size_t k,
               npy::Array &array, std::string &error) {
  if (!npy::readNpy(path, array, error))
    return false;
  std::string what = "input " + std::to_string(k) + " (" + path + ")";
  if (!rt::shapeMatches(spec.shape, array.shape)) {
    error = what + " has shape " + rt::formatShape(array.shape) +
            ", the artifact takes " + rt::formatShape(spec.shape);
    return false;
  }
  if (array.dtype == spec.dtype)
    return true;
  if (spec.dtype == npy::DType::BF16 && array.dtype == npy::DType::F32) {
    array = array.convertedTo(npy::DType::BF16);
    return true;
  }
  error = what + " has dtype " + npy::dtypeName(array.dtype) +
          ", the artifact takes " + npy::dtypeName(spec.dtype);
  return false;
}

/// The shapes of random inputs: the manifest's, or `given` (one per input)
/// where it has dynamic dims.
bool randomInputShapes(const rt::Manifest &manifest,
                       const std::vector<std::vector<int64_t>> &given,
                       std::vector<std::vector<int64_t>> &shapes,
                       std::string &error) {
  shapes.clear();
  if (given.empty()) {
    for (size_t k = 0; k < manifest.inputs.size(); ++k) {
      const std::vector<int64_t> &shape = manifest.inputs[k].shape;
      if (std::count(shape.begin(), shape.end(), rt::kDynamicDim)) {
        error = "input " + std::to_string(k) + " has shape " +
                rt::formatShape(shape) +
                " with dynamic dims; give every input's shape with --shape";
        return false;
      }
      shapes.push_back(shape);
    }
    return true;
  }
  if (given.size() != manifest.inputs.size()) {
    error = "@" + manifest.entry + " takes " +
            std::to_string(manifest.inputs.size()) + " inputs but " +
            std::to_string(given.size()) + " --shape options were given";
    return false;
  }
  for (size_t k = 0; k < given.size(); ++k) {
    if (!rt::shapeMatches(manifest.inputs[k].shape, given[k])) {
      error = "--shape " + rt::formatShape(given[k]) + " of input " +
              std::to_string(k) + " does not match the artifact's " +
              rt::formatShape(manifest.inputs[k].shape);
      return false;
    }
    shapes.push_back(given[k]);
  }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  std::string error;
  if (!parseOptions(argc, argv, o, error))
    return fail(error);

  std::string text;
  rt::Manifest manifest;
  std::string manifestPath = o.directory + "/manifest.txt";
  if (!rt::readFile(manifestPath, text, error))
    return fail(error);
  if (!rt::parseManifest(text, manifest, error))
    return fail(manifestPath + ": " + error);
  if (manifest.target != "cpu" && manifest.target != "nvptx")
    return fail(manifestPath + ": unknown target '" + manifest.target + "'");

  std::vector<npy::Array> inputs;
  if (o.random) {
    std::vector<std::vector<int64_t>> shapes;
    if (!randomInputShapes(manifest, o.shapes, shapes, error))
      return fail(error);
    std::mt19937_64 rng(o.seed);
    for (size_t k = 0; k < shapes.size(); ++k)
      inputs.push_back(
          npy::randomArray(manifest.inputs[k].dtype, shapes[k], rng));
  } else {
    if (o.inputs.size() != manifest.inputs.size())
      return fail("@" + manifest.entry + " takes " +
                  std::to_string(manifest.inputs.size()) + " inputs but " +
                  std::to_string(o.inputs.size()) +
                  " --input files were given");
    for (size_t k = 0; k < o.inputs.size(); ++k) {
      npy::Array array;
      if (!readInput(o.inputs[k], manifest.inputs[k], k, array, error))
        return fail(error);
      inputs.push_back(std::move(array));
    }
  }
  if (!o.outputs.empty() && o.outputs.size() != manifest.outputs.size())
    return fail("@" + manifest.entry + " returns " +
                std::to_string(manifest.outputs.size()) + " results but " +
                std::to_string(o.outputs.size()) +
                " --output files were given");
  ArtifactRun run;
  if (!runArtifact(o.directory, manifest.target, std::move(inputs), o.bench,
                   o.threads, run, error))
    return fail(error);
  if (!run.device.empty())
    std::printf("device: %s\n", run.device.c_str());

  std::printf("@%s on %s: %zu results\n", manifest.entry.c_str(),
              manifest.target.c_str(), run.results.size());
  for (size_t k = 0; k < o.outputs.size(); ++k)
    if (!npy::writeNpy(o.outputs[k], run.results[k], error))
      return fail(error);
  if (!run.times.empty())
    std::fputs(formatBenchLine(run.times, o.flops > 0
                                              ? std::optional<double>(o.flops)
                                              : std::nullopt)
                   .c_str(),
               stdout);
  return 0;
}
