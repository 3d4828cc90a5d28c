#ifndef ASHB_CNCURSESW_SHIM_H
#define ASHB_CNCURSESW_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#if __has_include(<ncursesw/ncurses.h>)
#include <ncursesw/ncurses.h>
#else
#include <ncurses.h>
#endif

// Swift imports none of ncurses' macros or its global variables under strict concurrency:
// these static inline wrappers are the whole surface the Terminal target uses.
static inline WINDOW *ashb_stdscr(void) { return stdscr; }
static inline int ashb_lines(void) { return LINES; }
static inline int ashb_cols(void) { return COLS; }
static inline int ashb_colors(void) { return COLORS; }
static inline int ashb_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t ashb_a_normal(void) { return A_NORMAL; }
static inline attr_t ashb_a_bold(void) { return A_BOLD; }
static inline attr_t ashb_a_reverse(void) { return A_REVERSE; }
static inline attr_t ashb_a_dim(void) { return A_DIM; }
static inline attr_t ashb_a_underline(void) { return A_UNDERLINE; }
static inline attr_t ashb_color_pair(int n) { return COLOR_PAIR(n); }
static inline int ashb_key_f(int n) { return KEY_F(n); }
static inline int ashb_true(void) { return TRUE; }
static inline int ashb_false(void) { return FALSE; }
// Screen set-up that must not exit the process: newterm returns NULL where initscr would exit.
static inline SCREEN *ashb_newterm(const char *term) { return newterm(term, stdout, stdin); }
static inline int ashb_codeset_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}
static inline int ashb_keypad(int on) { return keypad(stdscr, on ? TRUE : FALSE); }
static inline void ashb_timeout(int ms) { wtimeout(stdscr, ms); }
static inline int ashb_attrset(attr_t a) { return wattrset(stdscr, a); }
static inline int ashb_mvaddstr(int y, int x, const char *s) { return mvwaddstr(stdscr, y, x, s); }
static inline int ashb_erase(void) { return werase(stdscr); }
static inline int ashb_refresh(void) { return wrefresh(stdscr); }
static inline int ashb_leaveok(int on) { return leaveok(stdscr, on ? TRUE : FALSE); }
/// Reads a key or a character: returns ERR on timeout; else sets *code and *is_key
/// (1: a KEY_* code, 0: a character).
static inline int ashb_get_wch(int *code, int *is_key) {
    wint_t ch = 0;
    int r = wget_wch(stdscr, &ch);
    if (r == ERR) return ERR;
    *code = (int)ch;
    *is_key = (r == KEY_CODE_YES) ? 1 : 0;
    return OK;
}
// Crash safety: while the screen is up, a fault (SIGSEGV, SIGILL from a Swift trap, SIGBUS, SIGFPE,
// SIGTRAP) or SIGABRT on any thread first gives the terminal back (endwin), then goes on to the
// handler that was there before (the Swift backtracer, or the default action). endwin is not
// async-signal-safe; on a path that ends the process anyway, a usable terminal is worth the risk.
// (Storage lives in a function-local static: Swift does not emit a header's file-scope statics.
// Install and remove are called from one Swift file, so they share one copy.)
static inline struct sigaction *ashb_saved_actions(void) {
    static struct sigaction saved[NSIG];
    return saved;
}
static const int ashb_crash_signals[] = {SIGSEGV, SIGILL, SIGBUS, SIGFPE, SIGTRAP, SIGABRT};
static void ashb_crash_handler(int sig, siginfo_t *info, void *context) {
    (void)info;
    (void)context;
    endwin();
    sigaction(sig, &ashb_saved_actions()[sig], NULL);
    // A fault re-executes the faulting instruction on return and reaches the previous handler;
    // an abort is re-raised (blocked until this handler returns).
    if (sig == SIGABRT) raise(sig);
}
static inline void ashb_install_crash_handlers(void) {
    for (unsigned i = 0; i < sizeof ashb_crash_signals / sizeof ashb_crash_signals[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = ashb_crash_handler;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        sigaction(ashb_crash_signals[i], &sa, &ashb_saved_actions()[ashb_crash_signals[i]]);
    }
}
static inline void ashb_remove_crash_handlers(void) {
    for (unsigned i = 0; i < sizeof ashb_crash_signals / sizeof ashb_crash_signals[0]; i++) {
        sigaction(ashb_crash_signals[i], &ashb_saved_actions()[ashb_crash_signals[i]], NULL);
    }
}
// terminfo's own header last: it defines many lower-case macros (lines, columns, ...).
#if __has_include(<ncursesw/term.h>)
#include <ncursesw/term.h>
#else
#include <term.h>
#endif
// Whether terminfo knows `term` (nothing is drawn, nothing printed).
static inline int ashb_term_known(const char *term) {
    int err = 0;
    if (setupterm(term, 1, &err) != OK) return 0;
    TERMINAL *loaded = set_curterm(NULL);
    if (loaded != NULL) del_curterm(loaded);
    return 1;
}
#endif
