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

/// Spawns `argv[0]` (looked up in PATH unless it contains a slash) with `argv` and `envp` (NULL = inherit)
/// in `cwd` (NULL = this process's), in a new process group led by a small supervisor process (a fork of this
/// one that runs no Swift code). The program gets standard input from /dev/null, standard output and error
/// into two new pipes, no other descriptor, an empty signal mask and default dispositions. The supervisor
/// blocks every signal it can, reaps what the program leaves behind (it is a child subreaper), exits with the
/// program's status (or is killed by the same signal) when the program exits, and kills the whole group at
/// once when this process dies, however it dies: it holds the read end of a pipe whose only write end this
/// process keeps open (the chosen equivalent of PR_SET_PDEATHSIG, which fires when the forking *thread* exits).
/// Returns the supervisor's pid, which is the group's id, and stores the pipes' read ends (close-on-exec) in
/// `out_fd` and `err_fd`; returns -1 with errno set when the program cannot be started (e.g. ENOENT), having
/// reaped the supervisor and opened nothing.
pid_t ashb_spawn_supervised(char *const argv[], char *const envp[], const char *cwd, int *out_fd, int *err_fd);
#endif
