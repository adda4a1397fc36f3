#ifndef JOBFLOW_CNCURSES_SHIM_H
#define JOBFLOW_CNCURSES_SHIM_H
// Wide-character ncurses. NCURSES_WIDECHAR must be set before the header so the
// cchar_t / wide functions are declared.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
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
// Attributes (macros built from NCURSES_BITS) and wide-character cells for the terminal adapter.
static inline attr_t jf_a_normal(void) { return A_NORMAL; }
static inline attr_t jf_a_bold(void) { return A_BOLD; }
static inline attr_t jf_a_reverse(void) { return A_REVERSE; }
static inline attr_t jf_a_dim(void) { return A_DIM; }
static inline attr_t jf_a_underline(void) { return A_UNDERLINE; }
static inline int jf_err(void) { return ERR; }
static inline int jf_key_code_yes(void) { return KEY_CODE_YES; }
// Draws one cell: a NUL-terminated base character and its combining marks (at most CCHARW_MAX).
static inline int jf_put_cell(WINDOW *w, int y, int x, const wchar_t *wcs, attr_t attr, short pair) {
    cchar_t cc;
    if (setcchar(&cc, wcs, attr, pair, NULL) != OK) return ERR;
    return mvwadd_wch(w, y, x, &cc);
}
// The terminal's size from the kernel (after SIGWINCH); 0 on success.
static inline int jf_winsize(int fd, int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
    *rows = ws.ws_row; *cols = ws.ws_col;
    return 0;
}
#endif
