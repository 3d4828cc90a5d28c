#define _GNU_SOURCE
#include "cspawn.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The supervisor is made with `_Fork`, which runs no fork handlers (Dispatch's and the runtime's):
   the child makes only system calls until it execs, so it needs no lock another thread might hold.
   ThreadSanitizer is the exception: it intercepts those calls with locks of its own, which only its
   `fork` interceptor makes safe in the child (with `_Fork` a child hung in one). So a TSan build (the
   CI's tuner tests) forks with `fork`. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ASHB_FORK fork
#endif
#endif
#ifndef ASHB_FORK
#define ASHB_FORK _Fork
#endif

/* Closes end `end` (0 read, 1 write) of the first `count` pipes. */
static void close_ends(int pipes[][2], int count, int end) {
    for (int i = 0; i < count; i++) close(pipes[i][end]);
}

/* Opens `count` close-on-exec pipes; when one fails, closes those already open and returns -1 with
   errno set. */
static int open_pipes(int pipes[][2], int count) {
    for (int i = 0; i < count; i++) {
        if (pipe2(pipes[i], O_CLOEXEC) != 0) {
            int saved = errno;
            close_ends(pipes, i, 0);
            close_ends(pipes, i, 1);
            errno = saved;
            return -1;
        }
    }
    return 0;
}

/* In the parent after a spawn or fork of `pid`: closes the pipes' write ends (the child has its own
   copies); when the spawn failed (pid < 0), closes the read ends too. Returns pid, errno kept. */
static pid_t parent_side(pid_t pid, int pipes[][2], int count) {
    int saved = errno;
    close_ends(pipes, count, 1);
    if (pid < 0) close_ends(pipes, count, 0);
    errno = saved;
    return pid;
}

/* Spawns argv with `actions` (descriptors from 3 up closed too) and `attr` (signals unblocked and at
   their defaults in the child, plus `flags`), then destroys both. Returns the pid, or -1 with errno set. */
static pid_t spawn_with(posix_spawn_file_actions_t *actions, posix_spawnattr_t *attr, short flags,
                        char *const argv[], char *const envp[]) {
#ifdef __GLIBC__
    posix_spawn_file_actions_addclosefrom_np(actions, 3);
#endif
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    posix_spawnattr_setsigmask(attr, &empty);
    posix_spawnattr_setsigdefault(attr, &all);
    posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | flags);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, argv[0], actions, attr, argv, envp ? envp : environ);
    posix_spawn_file_actions_destroy(actions);
    posix_spawnattr_destroy(attr);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return pid;
}

pid_t ashb_spawn(char *const argv[], char *const envp[], int quiet) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    if (quiet) {
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    }
    return spawn_with(&actions, &attr, 0, argv, envp);
}

int ashb_wait(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

pid_t ashb_spawn_piped(char *const argv[], char *const envp[], int *out_fd, int *err_fd) {
    int pipes[2][2];
    if (open_pipes(pipes, 2) != 0) return -1;
    int *out = pipes[0], *err = pipes[1];
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = parent_side(spawn_with(&actions, &attr, POSIX_SPAWN_SETPGROUP, argv, envp), pipes, 2);
    if (pid < 0) return -1;
    *out_fd = out[0];
    *err_fd = err[0];
    return pid;
}

int ashb_has_exited(pid_t pid) {
    siginfo_t info;
    info.si_pid = 0;
    while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0) {
        if (errno != EINTR) return -1;
    }
    return info.si_pid == pid ? 1 : 0;
}

int ashb_try_reap(pid_t pid, int *status) {
    int raw = 0;
    pid_t r;
    while ((r = waitpid(pid, &raw, WNOHANG)) < 0) {
        if (errno != EINTR) return -1;
    }
    if (r == 0) return 0;
    if (WIFEXITED(raw)) *status = WEXITSTATUS(raw);
    else if (WIFSIGNALED(raw)) *status = -WTERMSIG(raw);
    else *status = -256;
    return 1;
}

/* ---- Supervised spawn: the program's process group is led by a small supervisor ------------------ */

#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>

/* ashb-top holds the write end for its whole life; every supervisor holds only the read end, which
   reads end-of-file when ashb-top is gone, however it died (kill -9 included). */
static int death_pipe[2] = {-1, -1};
static pthread_once_t death_once = PTHREAD_ONCE_INIT;

static void make_death_pipe(void) {
    if (pipe2(death_pipe, O_CLOEXEC) != 0) {
        death_pipe[0] = -1;
        death_pipe[1] = -1;
    }
}

static void close_from(int lowest) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)lowest, ~0U, 0) == 0) return;
#endif
    for (int fd = lowest; fd < 4096; fd++) close(fd);
}

/* Moves `fd` to a descriptor >= 10 (so that later dup2 calls onto 0..4 cannot clobber it). */
static int lift(int fd) {
    int high = fcntl(fd, F_DUPFD, 10);
    return high < 0 ? fd : high;
}

/* The supervisor: runs in the forked child, async-signal-safe calls only. Never returns. */
static void supervise(char *const argv[], char *const envp[], const char *cwd, int out_w, int err_w, int death_r,
                      int status_w) {
    setpgid(0, 0);
    sigset_t all, empty;
    sigfillset(&all);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &all, NULL);
    int devnull = open("/dev/null", O_RDWR);
    out_w = lift(out_w);
    err_w = lift(err_w);
    death_r = lift(death_r);
    status_w = lift(status_w);
    if (devnull >= 0) devnull = lift(devnull);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(out_w, 1);
    dup2(err_w, 2);
    dup2(death_r, 3);
    dup2(status_w, 4);
    if (devnull >= 0) dup2(devnull, 5);
    close_from(devnull >= 0 ? 6 : 5);
    fcntl(4, F_SETFD, FD_CLOEXEC);
    /* Descendants the program leaves behind are reparented here, so they are reaped and killed with
       the group. */
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

    pid_t program = ASHB_FORK();
    if (program < 0) {
        int e = errno;
        (void)!write(4, &e, sizeof e);
        _exit(127);
    }
    if (program == 0) {
        close(3);
        if (devnull >= 0) close(5);
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        for (int s = 1; s < NSIG; s++) sigaction(s, &dfl, NULL);
        sigprocmask(SIG_SETMASK, &empty, NULL);
        if (cwd && chdir(cwd) != 0) {
            int e = errno;
            (void)!write(4, &e, sizeof e);
            _exit(127);
        }
        execvpe(argv[0], argv, envp);
        int e = errno;
        (void)!write(4, &e, sizeof e);
        _exit(127);
    }
    close(4);
    /* The supervisor keeps neither output pipe open: end-of-file there means the program (and what
       it started) closed them. */
    if (devnull >= 0) {
        dup2(5, 1);
        dup2(5, 2);
        close(5);
    } else {
        close(1);
        close(2);
    }
    sigset_t watched;
    sigemptyset(&watched);
    sigaddset(&watched, SIGCHLD);
    int sfd = signalfd(-1, &watched, SFD_CLOEXEC);
    int program_status = 0, program_done = 0;
    for (;;) {
        struct pollfd fds[2] = {{3, POLLIN, 0}, {sfd, POLLIN, 0}};
        int n = poll(fds, sfd >= 0 ? 2 : 1, sfd >= 0 ? -1 : 100);
        if (n < 0 && errno != EINTR) break;
        if (n > 0 && fds[0].revents != 0) {
            /* ashb-top is gone: end the whole group, this supervisor included. */
            kill(0, SIGKILL);
            _exit(137);
        }
        if (sfd >= 0 && n > 0 && fds[1].revents != 0) {
            struct signalfd_siginfo info;
            (void)!read(sfd, &info, sizeof info);
        }
        int raw;
        pid_t r;
        while ((r = waitpid(-1, &raw, WNOHANG)) > 0) {
            if (r == program) {
                program_status = raw;
                program_done = 1;
            }
        }
        if (program_done) break;
    }
    /* The program has exited: leave with its status (stragglers in the group are killed by the
       parent before it reaps this supervisor). */
    if (WIFEXITED(program_status)) _exit(WEXITSTATUS(program_status));
    if (WIFSIGNALED(program_status)) {
        int s = WTERMSIG(program_status);
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
        if (s == SIGKILL) kill(getpid(), SIGKILL);
        struct sigaction act;
        memset(&act, 0, sizeof act);
        for (int i = 1; i < NSIG; i++) {
            act.sa_handler = i == s ? SIG_DFL : SIG_IGN;
            sigaction(i, &act, NULL);
        }
        sigset_t only;
        sigemptyset(&only);
        sigaddset(&only, s);
        sigprocmask(SIG_UNBLOCK, &only, NULL);
        raise(s);
        kill(getpid(), SIGKILL);
    }
    _exit(127);
}

pid_t ashb_spawn_supervised(char *const argv[], char *const envp[], const char *cwd, int *out_fd, int *err_fd) {
    pthread_once(&death_once, make_death_pipe);
    if (death_pipe[0] < 0) return -1;
    int pipes[3][2];
    if (open_pipes(pipes, 3) != 0) return -1;
    int *out = pipes[0], *err = pipes[1], *status = pipes[2];
    pid_t pid = ASHB_FORK();
    if (pid == 0) supervise(argv, envp ? envp : environ, cwd, out[1], err[1], death_pipe[0], status[1]);
    if (parent_side(pid, pipes, 3) < 0) return -1;
    /* Also set the group from this side, so that signals to the group work as soon as we return. */
    setpgid(pid, pid);
    int e = 0;
    ssize_t n;
    while ((n = read(status[0], &e, sizeof e)) < 0 && errno == EINTR) {}
    close(status[0]);
    if (n == (ssize_t)sizeof e) {
        /* The program could not be started: the supervisor exits at once; reap it. */
        kill(-pid, SIGKILL);
        int raw;
        while (waitpid(pid, &raw, 0) < 0 && errno == EINTR) {}
        close_ends(pipes, 2, 0);
        errno = e;
        return -1;
    }
    *out_fd = out[0];
    *err_fd = err[0];
    return pid;
}
