// RUN: sdpa-opt %s -split-input-file -verify-diagnostics --attn-emulate-gpu-kernels

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @wide(%out: memref<4xf64>) kernel {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : i32
      %c32 = arith.constant 32 : i32
      %x = memref.load %out[%c0] : memref<4xf64>
      // expected-error @below {{'gpu.shuffle' op shuffles 'f64'; the GPU emulator shuffles 32-bit scalars only}}
      %y, %valid = gpu.shuffle xor %x, %c1, %c32 : f64
      memref.store %y, %out[%c0] : memref<4xf64>
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @lanes(%out: memref<32xindex>) kernel {
      // expected-error @below {{'gpu.lane_id' op is not supported by the GPU emulator}}
      %lane = gpu.lane_id
      memref.store %lane, %out[%lane] : memref<32xindex>
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kernels {
    // expected-error @below {{'gpu.func' op has workgroup or private attributions, which the GPU emulator does not support}}
    gpu.func @attributed(%out: memref<32xf32>) workgroup(%tile: memref<32xf32, #gpu.address_space<workgroup>>) kernel {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  func.func @host(%out: memref<32xf32>, %bytes: i32) {
    %c1 = arith.constant 1 : index
    // expected-error @below {{'gpu.launch_func' op has a dynamic shared memory size that is not a constant; the GPU emulator needs it at compile time}}
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1)
        threads in (%c1, %c1, %c1) dynamic_shared_memory_size %bytes
        args(%out : memref<32xf32>)
    return
  }
  gpu.module @kernels {
    gpu.func @k(%out: memref<32xf32>) kernel {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @small_mma(%a: vector<2x2xf16>, %b: vector<1x2xf16>, %c: vector<2x2xf16>, %out: memref<2x2xf16>) kernel {
      %c0 = arith.constant 0 : index
      // expected-error @below {{'nvgpu.mma.sync' op is emulated for m16n8k16 with 16-bit float A and B and f32 C fragments only}}
      %d = nvgpu.mma.sync(%a, %b, %c) {mmaShape = [16, 8, 8]} : (vector<2x2xf16>, vector<1x2xf16>, vector<2x2xf16>) -> vector<2x2xf16>
      vector.store %d, %out[%c0, %c0] : memref<2x2xf16>, vector<2x2xf16>
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @ldmatrix(%tile: memref<16x16xi8, #gpu.address_space<workgroup>>, %out: memref<32x1x4xi8>) kernel {
      %c0 = arith.constant 0 : index
      // expected-error @below {{'nvgpu.ldmatrix' op is emulated for 16-bit elements, one row of 2 per matrix, only}}
      %f = nvgpu.ldmatrix %tile[%c0, %c0] {numTiles = 1 : i32, transpose = false} : memref<16x16xi8, #gpu.address_space<workgroup>> -> vector<1x4xi8>
      vector.store %f, %out[%c0, %c0, %c0] : memref<32x1x4xi8>, vector<1x4xi8>
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @mbarrier() kernel {
      // expected-error @below {{'nvgpu.mbarrier.create' op is not supported by the GPU emulator}}
      %barrier = nvgpu.mbarrier.create -> !nvgpu.mbarrier.group<memorySpace = #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}
