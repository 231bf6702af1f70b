#include "fuzz_driver.h"

// From libFuzzer (compiler-rt), linked in by -sanitize=fuzzer.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int twvoice_fuzz_run(int argc, char **argv, twvoice_fuzz_callback callback) {
  return LLVMFuzzerRunDriver(&argc, &argv, callback);
}
