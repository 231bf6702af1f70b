#ifndef TWVOICE_CREADLINE_SHIM_H
#define TWVOICE_CREADLINE_SHIM_H
#include <stdio.h>  // older readline.h uses FILE without including it
#include <readline/readline.h>
#include <readline/history.h>

/// readline's version as a C string ("8.2"). A function, so Swift 6 never reads the global.
static inline const char *twvoice_rl_library_version(void) { return rl_library_version; }

/// Installs the attempted-completion hook. Swift 6 refuses writes to readline's mutable globals.
static inline void twvoice_rl_set_completer(rl_completion_func_t *fn) {
  rl_attempted_completion_function = fn;
}
#endif
