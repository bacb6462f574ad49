// Shapes that cannot be given to the entry are refused, naming the argument
// and its type; shapes that contradict each other once static are named by
// the verifier of the op they meet at.

// RUN: not sdpa-opt %s --attn-specialize-shapes="entry=gqa shapes=2x8x37x64,2x2x45x64" 2>&1 | FileCheck %s --check-prefix=COUNT
// COUNT: error: @gqa takes 3 arguments but 2 shapes were given

// RUN: not sdpa-opt %s --attn-specialize-shapes="entry=gqa shapes=2x8x37x32,2x2x45x64,2x2x45x64" 2>&1 | FileCheck %s --check-prefix=STATIC
// STATIC: error: shape 2x8x37x32 given for argument #0 does not fit its type 'tensor<?x8x?x64xf32>'

// RUN: not sdpa-opt %s --attn-specialize-shapes="entry=gqa shapes=2x8x37x64,2x2x45x64,2x45x64" 2>&1 | FileCheck %s --check-prefix=RANK
// RANK: error: shape 2x45x64 given for argument #2 does not fit its type 'tensor<?x2x?x64xf32>'

// RUN: not sdpa-opt %s --attn-specialize-shapes="entry=gqa shapes=2x8x37x64,2x2x-1x64,2x2x45x64" 2>&1 | FileCheck %s --check-prefix=TEXT
// TEXT: error: --attn-specialize-shapes: shape '2x2x-1x64' of argument #1 is not sizes joined by 'x' (2x8x100x64) or 'scalar'

// RUN: not sdpa-opt %s --attn-specialize-shapes="entry=gqa shapes=2x8x37x64,3x2x45x64,3x2x45x64" 2>&1 | FileCheck %s --check-prefix=APART
// APART: error: 'attn.sdpa' op key batch dim 0 (3) does not match query batch dim 0 (2)
// APART: error: the shapes given for @gqa do not fit together (see above)

// RUN: not sdpa-opt %s --attn-specialize-shapes="entry=scaled shapes=2x4x8x16,2x4x8x16,2x4x8x16,2x4" 2>&1 | FileCheck %s --check-prefix=SCALAR
// SCALAR: error: shape 2x4 given for argument #3 does not fit its type 'f32'

// RUN: not sdpa-opt %s --attn-specialize-shapes="entry=missing shapes=scalar" 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: --attn-specialize-shapes: no function @missing with a body

// RUN: not sdpa-opt %s --attn-specialize-shapes="shapes=scalar" 2>&1 | FileCheck %s --check-prefix=WHICH
// WHICH: error: --attn-specialize-shapes: several public functions with a body; name the entry with entry=NAME

func.func @gqa(%q: tensor<?x8x?x64xf32>, %k: tensor<?x2x?x64xf32>, %v: tensor<?x2x?x64xf32>) -> tensor<?x8x?x64xf32> {
  %o = attn.sdpa %q, %k, %v causal align bottom_right : tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32> -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}

func.func @scaled(%q: tensor<?x4x?x16xf32>, %k: tensor<?x4x?x16xf32>, %v: tensor<?x4x?x16xf32>, %s: f32) -> tensor<?x4x?x16xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32> -> tensor<?x4x?x16xf32>
  return %o : tensor<?x4x?x16xf32>
}
