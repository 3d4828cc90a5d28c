#ifndef ASHB_CSPAWN_H
#define ASHB_CSPAWN_H
#include <sys/types.h>

/// Spawns `argv[0]` (looked up in PATH) with `argv` and `envp` (NULL = inherit), with every descriptor above
/// 2 closed in the child, the signal mask emptied and every signal at its default disposition.
/// Standard input, output and error go to /dev/null when `quiet` is non-zero.
/// Returns the child's pid, or -1 with errno set.
pid_t ashb_spawn(char *const argv[], char *const envp[], int quiet);

/// Spawns `argv[0]` (looked up in PATH unless it contains a slash) with `argv` and `envp` in a new
/// process group whose id is the child's pid, with standard input from /dev/null, standard output and
/// error into two new pipes, every other descriptor closed, the signal mask emptied and every signal at
/// its default disposition. On success stores the read ends (close-on-exec) in `out_fd` and `err_fd` and
/// returns the child's pid; on failure returns -1 with errno set and opens nothing.
pid_t ashb_spawn_piped(char *const argv[], char *const envp[], int *out_fd, int *err_fd);

/// Waits for `pid`; returns its exit status (128 + signal when killed), or -1 on error.
int ashb_wait(pid_t pid);

/// Whether `pid` (a child) has exited, without reaping it: 1 yes, 0 not yet, -1 error.
int ashb_has_exited(pid_t pid);

/// Reaps `pid` if it has exited: returns 1 and stores in `status` its exit code (0...255), or minus the
/// number of the signal that killed it; returns 0 if it still runs, -1 on error.
int ashb_try_reap(pid_t pid, int *status);
#endif
