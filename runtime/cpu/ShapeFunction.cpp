//===- ShapeFunction.cpp - calling an artifact's shape function -----------===//

#include "runtime/cpu/ShapeFunction.h"

#include <dlfcn.h>

namespace sdpa {
namespace rt {

// Descriptors are built as arrays of int64 words, pointers included.
static_assert(sizeof(void *) == sizeof(int64_t),
              "the descriptor layout assumes 64-bit pointers");

void *openLibrary(const std::string &path, std::string &error) {
  void *handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = ::dlerror();
    error = "cannot load '" + path + "': " + (why ? why : "unknown");
  }
  return handle;
}

PackedFunction findPacked(void *handle, const std::string &path,
                          const std::string &symbol, const char *what,
                          std::string &error) {
  ::dlerror();
  void *address = ::dlsym(handle, symbol.c_str());
  if (!address)
    error = "'" + path + "' does not export the " + what + " '" + symbol +
            "' named by the manifest";
  return reinterpret_cast<PackedFunction>(address);
}

/// The words of the memref descriptor for `tensor`, already checked.
static std::vector<int64_t> makeDescriptor(const TensorRef &tensor) {
  size_t rank = tensor.shape.size();
  std::vector<int64_t> words(3 + 2 * rank);
  int64_t pointer =
      static_cast<int64_t>(reinterpret_cast<intptr_t>(tensor.data));
  words[0] = pointer; // allocated
  words[1] = pointer; // aligned
  words[2] = 0;       // offset
  std::vector<int64_t> strides =
      tensor.strides.empty() ? contiguousStrides(tensor.shape) : tensor.strides;
  for (size_t i = 0; i < rank; ++i) {
    words[3 + i] = tensor.shape[i];
    words[3 + rank + i] = strides[i];
  }
  return words;
}

void callPacked(PackedFunction function, const std::vector<TensorRef> &first,
                const std::vector<TensorRef> &second) {
  std::vector<std::vector<int64_t>> descriptors;
  descriptors.reserve(first.size() + second.size());
  for (const auto *tensors : {&first, &second})
    for (const TensorRef &tensor : *tensors)
      descriptors.push_back(makeDescriptor(tensor));
  std::vector<void *> args;
  args.reserve(descriptors.size());
  for (std::vector<int64_t> &words : descriptors)
    args.push_back(words.data());
  function(args.data());
}

/// `message` with `{lhs}` and `{rhs}` replaced by the values.
static std::string substituteSides(std::string message, int64_t lhs,
                                   int64_t rhs) {
  for (auto [token, value] : {std::make_pair(std::string("{lhs}"), lhs),
                              std::make_pair(std::string("{rhs}"), rhs)}) {
    std::string text = std::to_string(value);
    for (size_t pos = message.find(token); pos != std::string::npos;
         pos = message.find(token, pos + text.size()))
      message.replace(pos, token.size(), text);
  }
  return message;
}

bool evaluateShapeFunction(PackedFunction function, const Manifest &m,
                           const std::vector<TensorRef> &inputs,
                           std::vector<std::vector<int64_t>> &shapes,
                           std::string &error) {
  shapes.clear();
  size_t dynamicDims = 0;
  for (const TensorSpec &spec : m.outputs) {
    shapes.push_back(spec.shape);
    for (int64_t dim : spec.shape)
      dynamicDims += dim == kDynamicDim;
  }
  // [status, lhs, rhs, dynamic dims...] through a rank-1 descriptor.
  std::vector<int64_t> result(3 + dynamicDims, 0);
  TensorRef resultRef{npy::DType::I64,
                      {static_cast<int64_t>(result.size())},
                      {},
                      result.data()};
  callPacked(function, inputs, {resultRef});

  if (int64_t status = result[0]) {
    size_t rule = static_cast<size_t>(status - 1);
    error = "the input shapes do not fit the kernel: " +
            (status > 0 && rule < m.checks.size()
                 ? substituteSides(m.checks[rule], result[1], result[2])
                 : "shape rule " + std::to_string(status) +
                       " failed (the manifest does not describe it)");
    return false;
  }
  size_t next = 3;
  for (size_t k = 0; k < shapes.size(); ++k) {
    for (int64_t &dim : shapes[k]) {
      if (dim != kDynamicDim)
        continue;
      dim = result[next++];
      if (dim < 0) {
        error = "the shape function computed output " + std::to_string(k) +
                " as " + formatShape(shapes[k]) +
                ", with a negative dim, from these inputs";
        return false;
      }
    }
  }
  return true;
}

} // namespace rt
} // namespace sdpa
