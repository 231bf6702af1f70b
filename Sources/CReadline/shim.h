#ifndef TWVOICE_CREADLINE_SHIM_H
#define TWVOICE_CREADLINE_SHIM_H
#include <stdio.h>  // older readline.h uses FILE without including it
#include <readline/readline.h>
#include <readline/history.h>

// Swift 6 refuses to touch readline's mutable globals directly, so each one it needs goes
// through a small function here.

/// readline's version as a C string ("8.2").
static inline const char *twvoice_rl_library_version(void) { return rl_library_version; }

/// Installs the attempted-completion hook.
static inline void twvoice_rl_set_completer(rl_completion_func_t *fn) {
  rl_attempted_completion_function = fn;
}

/// The whole line being edited (for context-aware completion).
static inline const char *twvoice_rl_line_buffer(void) { return rl_line_buffer; }

/// 1: no filename completion when the hook found nothing; 0: fall back to file names.
static inline void twvoice_rl_set_attempted_completion_over(int over) { rl_attempted_completion_over = over; }

/* What follows a unique completion: a space after a word, nothing after a folder's "/". */
static inline void twvoice_rl_set_append_character(int c) { rl_completion_append_character = c; }

/// The name readline uses for ~/.inputrc conditionals ($if twvoice).
static inline void twvoice_rl_set_name(const char *name) { rl_readline_name = name; }

/// Ctrl-C while typing: drop the line and show a fresh prompt.
static inline void twvoice_rl_reset_line(void) {
  rl_replace_line("", 0);
  rl_crlf();
  rl_on_new_line();
  rl_redisplay();
}

/// Hooks readline calls while it waits for input (about ten times a second) and after a signal
/// interrupts its read: where a Ctrl-C noted by the signal handler is acted on, outside the
/// handler (readline's functions are not async-signal-safe).
static inline void twvoice_rl_set_event_hooks(rl_hook_func_t *hook) {
  rl_event_hook = hook;
  rl_signal_event_hook = hook;
}

/// readline installs its own signal handlers by default; twvoice handles SIGINT itself.
static inline void twvoice_rl_set_catch_signals(int catch_signals) { rl_catch_signals = catch_signals; }
#endif
