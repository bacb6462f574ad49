//===- Reference.cpp - float64 reference of attn.sdpa semantics -----------===//
//
// A direct evaluation of design.md section 2, one score row at a time. It is
// the ground truth kernels are checked against, so clarity wins over speed:
// no tiling, no online softmax, every rule applied where the spec states it.
//
//===----------------------------------------------------------------------===//

#include "runtime/reference/Reference.h"

#include "runtime/reference/Philox.h"

#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <utility>

namespace sdpa {
namespace ref {

Tensor Tensor::filled(std::vector<int64_t> shape, double fill) {
  Tensor tensor;
  tensor.shape = std::move(shape);
  tensor.data.assign(static_cast<size_t>(tensor.numElements()), fill);
  return tensor;
}

int64_t Tensor::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

static std::string formatDims(const std::vector<int64_t> &dims) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < dims.size(); ++i)
    os << (i ? ", " : "") << dims[i];
  os << ']';
  return os.str();
}

static std::string formatDouble(double value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

/// Checks that `tensor` has at least `minRank` dims, no negative dim, and
/// exactly as many elements as its shape says. Returns a message or "".
static std::string checkTensor(const Tensor &tensor, const char *name,
                               size_t minRank, const char *layout) {
  if (tensor.shape.size() < minRank) {
    std::ostringstream os;
    os << name << " must have rank >= " << minRank << " (" << layout
       << "), got rank " << tensor.shape.size() << " with shape "
       << formatDims(tensor.shape);
    return os.str();
  }
  bool hasZeroDim = false;
  for (size_t i = 0; i < tensor.shape.size(); ++i) {
    if (tensor.shape[i] < 0) {
      std::ostringstream os;
      os << name << " dim " << i << " is negative (" << tensor.shape[i]
         << ") in shape " << formatDims(tensor.shape);
      return os.str();
    }
    hasZeroDim |= tensor.shape[i] == 0;
  }
  // The product is computed with an overflow check so that an absurd shape is
  // an error message rather than undefined behaviour.
  int64_t count = 1;
  bool overflow = false;
  if (hasZeroDim) {
    count = 0;
  } else {
    for (int64_t dim : tensor.shape) {
      if (count > std::numeric_limits<int64_t>::max() / dim) {
        overflow = true;
        break;
      }
      count *= dim;
    }
  }
  if (overflow || static_cast<uint64_t>(count) != tensor.data.size()) {
    std::ostringstream os;
    os << name << " has " << tensor.data.size() << " elements but its shape "
       << formatDims(tensor.shape) << " needs "
       << (overflow ? std::string("more than 2^63") : std::to_string(count));
    return os.str();
  }
  return "";
}

/// Names dim `index` of the score shape [N..., Hq, L, S] for messages.
static std::string scoreDimName(size_t index, size_t numBatchDims) {
  if (index < numBatchDims)
    return "batch dim " + std::to_string(index);
  static const char *const names[] = {"Hq", "L", "S"};
  return names[index - numBatchDims];
}

/// Everything evaluateSdpa derives from the operand shapes.
struct Dims {
  std::vector<int64_t> batchDims;
  int64_t batchCount = 1;
  int64_t hq = 0, hkv = 0, l = 0, s = 0, e = 0, ev = 0;
  /// For each dim of the score shape [N..., Hq, L, S], the stride of the
  /// mask element that it addresses: 0 where the mask broadcasts.
  std::vector<int64_t> maskStrides;
};

static std::string checkMask(const Mask &mask,
                             const std::vector<int64_t> &scoreShape,
                             size_t numBatchDims, Dims &dims) {
  dims.maskStrides.assign(scoreShape.size(), 0);
  if (mask.kind == Mask::Kind::None)
    return "";
  const Tensor &values = mask.values;
  if (std::string error = checkTensor(values, "mask", 0, "any rank");
      !error.empty())
    return error;
  size_t rank = values.shape.size();
  if (rank > scoreShape.size()) {
    // broadcast_to never adds dims to the target, not even leading 1s.
    std::ostringstream os;
    os << "mask rank (" << rank << ") exceeds the rank (" << scoreShape.size()
       << ") of the scores [N..., Hq, L, S] = " << formatDims(scoreShape)
       << "; mask shape is " << formatDims(values.shape);
    return os.str();
  }
  // Trailing dims line up (numpy rules); a mask dim broadcasts iff it is 1.
  size_t offset = scoreShape.size() - rank;
  int64_t stride = 1;
  for (size_t m = rank; m-- > 0;) {
    size_t t = m + offset;
    int64_t maskDim = values.shape[m];
    if (maskDim != 1 && maskDim != scoreShape[t]) {
      std::ostringstream os;
      os << "mask dim " << m << " (" << maskDim << ") is not broadcastable to "
         << scoreDimName(t, numBatchDims) << " (" << scoreShape[t]
         << ") of the scores [N..., Hq, L, S] = " << formatDims(scoreShape)
         << "; mask shape is " << formatDims(values.shape);
      return os.str();
    }
    dims.maskStrides[t] = maskDim == 1 ? 0 : stride;
    stride *= maskDim;
  }
  return "";
}

static std::string checkOperands(const Tensor &query, const Tensor &key,
                                 const Tensor &value, const Mask &mask,
                                 const Attributes &attrs, Dims &dims) {
  if (std::string error = checkTensor(query, "query", 3, "[N..., Hq, L, E]");
      !error.empty())
    return error;
  if (std::string error = checkTensor(key, "key", 3, "[N..., Hkv, S, E]");
      !error.empty())
    return error;
  if (std::string error = checkTensor(value, "value", 3, "[N..., Hkv, S, Ev]");
      !error.empty())
    return error;

  size_t numBatchDims = query.shape.size() - 3;
  dims.batchDims.assign(query.shape.begin(), query.shape.end() - 3);
  auto batchDimsOf = [](const Tensor &t) {
    return std::vector<int64_t>(t.shape.begin(), t.shape.end() - 3);
  };
  const std::pair<const Tensor *, const char *> kvOperands[] = {
      {&key, "key"}, {&value, "value"}};
  for (const auto &[tensor, name] : kvOperands) {
    std::vector<int64_t> batch = batchDimsOf(*tensor);
    if (batch != dims.batchDims)
      return std::string(name) + " batch dims " + formatDims(batch) +
             " do not match query batch dims " + formatDims(dims.batchDims);
  }

  const std::vector<int64_t> &q = query.shape, &k = key.shape, &v = value.shape;
  size_t n = numBatchDims;
  dims.hq = q[n];
  dims.l = q[n + 1];
  dims.e = q[n + 2];
  dims.hkv = k[n];
  dims.s = k[n + 1];
  dims.ev = v[n + 2];
  for (int64_t dim : dims.batchDims)
    dims.batchCount *= dim;

  std::ostringstream os;
  if (dims.hkv == 0) {
    os << "key heads (0) must be positive; query heads (" << dims.hq
       << ") must be a multiple of key heads";
    return os.str();
  }
  if (dims.hq % dims.hkv != 0) {
    os << "query heads (" << dims.hq << ") must be a multiple of key heads ("
       << dims.hkv << ")";
    return os.str();
  }
  if (v[n] != dims.hkv) {
    os << "value heads (" << v[n] << ") must equal key heads (" << dims.hkv
       << ")";
    return os.str();
  }
  if (k[n + 2] != dims.e) {
    os << "key head dim E (" << k[n + 2] << ") must equal query head dim E ("
       << dims.e << ")";
    return os.str();
  }
  if (v[n + 1] != dims.s) {
    os << "value sequence length S (" << v[n + 1]
       << ") must equal key sequence length S (" << dims.s << ")";
    return os.str();
  }

  std::vector<int64_t> scoreShape = dims.batchDims;
  scoreShape.insert(scoreShape.end(), {dims.hq, dims.l, dims.s});
  if (std::string error = checkMask(mask, scoreShape, numBatchDims, dims);
      !error.empty())
    return error;

  if (attrs.window && ((*attrs.window)[0] < 0 || (*attrs.window)[1] < 0)) {
    os << "window sides must be non-negative, got (" << (*attrs.window)[0]
       << ", " << (*attrs.window)[1] << ")";
    return os.str();
  }
  // Written as a negated range check so that NaN is rejected too.
  if (!(attrs.dropoutP >= 0.0 && attrs.dropoutP < 1.0)) {
    os << "dropout probability (" << formatDouble(attrs.dropoutP)
       << ") must be in [0, 1)";
    return os.str();
  }
  if (attrs.softcap && !(std::isfinite(*attrs.softcap) && *attrs.softcap > 0)) {
    os << "softcap (" << formatDouble(*attrs.softcap)
       << ") must be positive and finite";
    return os.str();
  }
  if (attrs.scale && !std::isfinite(*attrs.scale)) {
    os << "scale (" << formatDouble(*attrs.scale) << ") must be finite";
    return os.str();
  }
  // 1/sqrt(0) is infinite and 0 * inf is NaN: there is no sensible default.
  if (!attrs.scale && dims.e == 0)
    return "the default scale 1/sqrt(E) is undefined for query head dim E (0); "
           "set scale explicitly";
  return "";
}

/// Whether causal and window both allow column j for row i. Written as
/// differences of in-range indices so that huge window sides cannot overflow.
static bool positionAllowed(const Attributes &attrs, int64_t l, int64_t s,
                            int64_t i, int64_t j) {
  int64_t alignedRow =
      attrs.alignment == Alignment::BottomRight ? i + s - l : i;
  if (attrs.causal && j > alignedRow)
    return false;
  if (attrs.window) {
    if (alignedRow - j > (*attrs.window)[0])
      return false;
    if (j - alignedRow > (*attrs.window)[1])
      return false;
  }
  return true;
}

std::string evaluateSdpa(const Tensor &query, const Tensor &key,
                         const Tensor &value, const Mask &mask,
                         const Attributes &attrs, Result &result) {
  Dims dims;
  if (std::string error = checkOperands(query, key, value, mask, attrs, dims);
      !error.empty())
    return error;

  const int64_t hq = dims.hq, hkv = dims.hkv, l = dims.l, s = dims.s,
                e = dims.e, ev = dims.ev;
  const double scale =
      attrs.scale ? *attrs.scale : 1.0 / std::sqrt(static_cast<double>(e));
  const double negInf = -std::numeric_limits<double>::infinity();
  const int64_t groupSize = hq / hkv;
  const size_t numBatchDims = dims.batchDims.size();

  std::vector<int64_t> outShape = dims.batchDims, lseShape = dims.batchDims;
  outShape.insert(outShape.end(), {hq, l, ev});
  lseShape.insert(lseShape.end(), {hq, l});
  Tensor out = Tensor::filled(outShape, 0.0);
  Tensor lse = Tensor::filled(lseShape, negInf);

  std::vector<double> scores(static_cast<size_t>(s));
  std::vector<int64_t> batchIndex(numBatchDims, 0);
  for (int64_t b = 0; b < dims.batchCount; ++b) {
    // Unflatten b (row-major) to find the mask's batch offset.
    int64_t rest = b;
    int64_t maskBatchOffset = 0;
    for (size_t d = numBatchDims; d-- > 0;) {
      batchIndex[d] = rest % dims.batchDims[d];
      rest /= dims.batchDims[d];
      maskBatchOffset += batchIndex[d] * dims.maskStrides[d];
    }
    for (int64_t h = 0; h < hq; ++h) {
      const int64_t kvHead = h / groupSize;
      const double *qHead = query.data.data() + (b * hq + h) * l * e;
      const double *kHead = key.data.data() + (b * hkv + kvHead) * s * e;
      const double *vHead = value.data.data() + (b * hkv + kvHead) * s * ev;
      double *outHead = out.data.data() + (b * hq + h) * l * ev;
      double *lseHead = lse.data.data() + (b * hq + h) * l;
      for (int64_t i = 0; i < l; ++i) {
        const double *qRow = qHead + i * e;
        const int64_t maskRowOffset = maskBatchOffset +
                                      h * dims.maskStrides[numBatchDims] +
                                      i * dims.maskStrides[numBatchDims + 1];
        double rowMax = negInf;
        for (int64_t j = 0; j < s; ++j) {
          double maskValue = 0.0;
          if (mask.kind != Mask::Kind::None)
            maskValue =
                mask.values.data[maskRowOffset +
                                 j * dims.maskStrides[numBatchDims + 2]];
          // Excluded positions skip the dot product so that an excluded
          // score is exactly -inf whatever the inputs hold.
          if (!positionAllowed(attrs, l, s, i, j) ||
              (mask.kind == Mask::Kind::Bool && maskValue == 0.0)) {
            scores[j] = negInf;
            continue;
          }
          const double *kRow = kHead + j * e;
          double dot = 0.0;
          for (int64_t c = 0; c < e; ++c)
            dot += qRow[c] * kRow[c];
          double score = dot * scale;
          if (attrs.softcap)
            score = *attrs.softcap * std::tanh(score / *attrs.softcap);
          if (mask.kind == Mask::Kind::Additive)
            score += maskValue;
          scores[j] = score;
          if (score > rowMax)
            rowMax = score;
        }
        // A fully masked row (or S = 0) keeps out = 0 and lse = -inf;
        // subtracting a -inf max would turn it into NaN.
        if (rowMax == negInf)
          continue;
        double sum = 0.0;
        for (int64_t j = 0; j < s; ++j)
          sum += std::exp(scores[j] - rowMax);
        lseHead[i] = rowMax + std::log(sum);

        double *outRow = outHead + i * ev;
        for (int64_t j = 0; j < s; ++j) {
          if (scores[j] == negInf)
            continue;
          double p = std::exp(scores[j] - rowMax) / sum;
          // Dropout acts on the probabilities only; lse stays as computed.
          if (attrs.dropoutP > 0.0) {
            if (!dropoutKeeps(
                    attrs.seed, attrs.dropoutP, static_cast<uint64_t>(b),
                    static_cast<uint64_t>(h), static_cast<uint64_t>(i),
                    static_cast<uint64_t>(j)))
              continue;
            p /= 1.0 - attrs.dropoutP;
          }
          const double *vRow = vHead + j * ev;
          for (int64_t c = 0; c < ev; ++c)
            outRow[c] += p * vRow[c];
        }
      }
    }
  }

  result.out = std::move(out);
  result.lse = std::move(lse);
  return "";
}

} // namespace ref
} // namespace sdpa
