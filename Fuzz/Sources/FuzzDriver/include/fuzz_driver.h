#ifndef TWVOICE_FUZZ_DRIVER_H
#define TWVOICE_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// The per-input function libFuzzer calls (LLVMFuzzerTestOneInput's shape).
typedef int (*twvoice_fuzz_callback)(const uint8_t *data, size_t size);

/// Runs libFuzzer's driver (flags, corpus directories, reproducer files) on `callback`.
///
/// SwiftPM links an executable with `main` aliased to `<module>_main` (the module's top-level
/// code), so libFuzzer's own `main` never runs; main.swift calls this instead.
int twvoice_fuzz_run(int argc, char **argv, twvoice_fuzz_callback callback);

#endif
