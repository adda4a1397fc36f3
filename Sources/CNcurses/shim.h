#ifndef JOBFLOW_CNCURSES_SHIM_H
#define JOBFLOW_CNCURSES_SHIM_H
// Wide-character ncurses. NCURSES_WIDECHAR must be set before the header so the
// cchar_t / wide functions are declared.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// Macros and variadic functions Swift cannot import, as typed functions.
static inline int jf_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int jf_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline int jf_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int jf_key_resize(void) { return KEY_RESIZE; }
static inline WINDOW *jf_stdscr(void) { return stdscr; }
static inline int jf_colors(void) { return COLORS; }
static inline int jf_lines(void) { return LINES; }
static inline int jf_cols(void) { return COLS; }
static inline int jf_addstr(WINDOW *w, int y, int x, const char *s, int n) { return mvwaddnstr(w, y, x, s, n); }
#endif
