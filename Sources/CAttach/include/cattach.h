#ifndef ASHB_CATTACH_H
#define ASHB_CATTACH_H
#include <stddef.h>
#include <sys/types.h>

/// The credentials of the process at the other end of a connected Unix socket (SO_PEERCRED).
/// Returns 0 and stores the peer's effective uid and pid, or -1 with errno set.
int ashb_peer_cred(int fd, uid_t *uid, pid_t *pid);

/// Spawns `path` with `argv` and `envp` in a new session (so with no controlling terminal), with
/// `in_fd`, `out_fd` and `err_fd` as its standard input, output and error, `pass_fd` (if >= 0) as
/// descriptor 3, every other descriptor closed, the signal mask emptied and every signal at its
/// default disposition. Returns the child's pid, or -1 with errno set.
pid_t ashb_spawn_session(const char *path, char *const argv[], char *const envp[], int in_fd, int out_fd,
                         int err_fd, int pass_fd);

/// The foreground half of a dashboard run in its own session: forwards SIGINT, SIGTERM, SIGHUP,
/// SIGQUIT, SIGWINCH and SIGCONT to `child`, ignores the job-control stops, and reads `msg_fd`.
/// Returns 1 when the child wrote a whole line (it detached; the line, without its newline, is in
/// `buf`, NUL-terminated), or 0 when the child exited (its status in `status`: the exit code, or 128 +
/// the signal that killed it). Returns -1 with errno set on an error.
int ashb_session_forward(pid_t child, int msg_fd, char *buf, size_t cap, int *status);

/// Asks the kernel to send `sig` to this process when its parent exits (0 clears it).
int ashb_set_parent_death_signal(int sig);

/// pipe2 with O_CLOEXEC, and O_NONBLOCK when `nonblock` is non-zero (glibc's pipe2 is not imported).
int ashb_pipe(int fds[2], int nonblock);

/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC; -1 with errno set when nothing is waiting or on error.
int ashb_accept(int fd);

/// Opens a directory with O_PATH (to reach a long socket path through /proc/self/fd/N/).
int ashb_open_directory_path(const char *path);
#endif
