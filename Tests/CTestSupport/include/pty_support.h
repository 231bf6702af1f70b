#ifndef TWVOICE_PTY_SUPPORT_H
#define TWVOICE_PTY_SUPPORT_H
#include <stddef.h>

/// Opens a pseudo-terminal pair for the REPL tests: returns the master descriptor and writes the
/// slave's path into `name`, or returns -1.
int tw_open_pty(char *name, size_t name_size);

#endif
