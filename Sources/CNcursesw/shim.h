#ifndef ASHB_CNCURSESW_SHIM_H
#define ASHB_CNCURSESW_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
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
#endif
