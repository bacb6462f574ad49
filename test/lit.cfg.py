# lit configuration for sdpa's FileCheck and integration tests.
import ctypes
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "sdpa"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.sdpa_obj_root, "test")
# Unit tests form their own suite (GoogleTest format) under unit/.
config.excludes = ["unit", "lib", "consumer", "lit.cfg.py", "CMakeLists.txt"]

llvm_config.with_system_environment(["HOME", "TMPDIR"])
llvm_config.use_default_substitutions()

config.substitutions.append(("%sdpa_src_root", config.sdpa_src_root))
config.substitutions.append(("%sdpa_obj_root", config.sdpa_obj_root))
# Test helpers use Debian's python3 with python3-numpy, not whatever else
# happens to be first on PATH.
config.substitutions.append(("%python", "/usr/bin/python3"))

tool_dirs = [config.sdpa_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["sdpa-opt", "sdpa-run"], tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.sdpa_tools_dir, append_path=True)

if config.sdpa_has_compiler:
    config.available_features.add("compiler")
else:
    # A runtime-only build (-DSDPA_ENABLE_COMPILER=OFF) has no tools to test.
    config.excludes += ["dialects", "passes", "tools", "examples", "docs", "cmake",
                        "compiler", "integration"]


def cuda_device_present():
    """True when libcuda.so.1 loads and reports at least one device."""
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False
    if cuda.cuInit(0) != 0:
        return False
    count = ctypes.c_int(0)
    return cuda.cuDeviceGetCount(ctypes.byref(count)) == 0 and count.value > 0


if cuda_device_present():
    config.available_features.add("cuda")


def cuda_toolkit_present():
    """True when the CUDA toolkit the compiler uses (CUDA_HOME, else
    /usr/local/cuda) has ptxas and libdevice."""
    root = os.environ.get("CUDA_HOME") or "/usr/local/cuda"
    return os.access(os.path.join(root, "bin", "ptxas"), os.X_OK) and \
        os.path.exists(os.path.join(root, "nvvm", "libdevice",
                                    "libdevice.10.bc"))


if cuda_toolkit_present():
    config.available_features.add("cuda-toolkit")
llvm_config.with_system_environment(["CUDA_HOME"])
