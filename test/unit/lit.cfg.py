# lit configuration that runs the GoogleTest unit-test executables.
import os

import lit.formats

config.name = "sdpa-unit"
config.suffixes = []
config.test_source_root = os.path.join(config.sdpa_obj_root, "test", "unit")
config.test_exec_root = config.test_source_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
