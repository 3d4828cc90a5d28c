#ifndef ASHB_CSPAWN_H
#define ASHB_CSPAWN_H
#include <sys/types.h>

/// Spawns `argv[0]` (looked up in PATH) with `argv` and `envp` (NULL = inherit), with every descriptor above
/// 2 closed in the child, the signal mask emptied and every signal at its default disposition.
/// Standard input, output and error go to /dev/null when `quiet` is non-zero.
/// Returns the child's pid, or -1 with errno set.
pid_t ashb_spawn(char *const argv[], char *const envp[], int quiet);

/// Waits for `pid`; returns its exit status (128 + signal when killed), or -1 on error.
int ashb_wait(pid_t pid);
#endif
