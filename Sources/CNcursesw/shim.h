// ncursesw with the wide-character API. SwiftPM drops pkg-config's -D flags, so the feature macros are set
// here, before the header, and every macro Swift needs is wrapped in a static-inline function.
#ifndef VNET_CNCURSESW_SHIM_H
#define VNET_CNCURSESW_SHIM_H
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 600
#endif
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *vnet_stdscr(void) { return stdscr; }
static inline int vnet_lines(void) { return LINES; }
static inline int vnet_cols(void) { return COLS; }
static inline int vnet_colors(void) { return COLORS; }
static inline int vnet_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t vnet_a_normal(void) { return A_NORMAL; }
static inline attr_t vnet_a_bold(void) { return A_BOLD; }
static inline attr_t vnet_a_dim(void) { return A_DIM; }
static inline attr_t vnet_a_reverse(void) { return A_REVERSE; }
static inline attr_t vnet_a_underline(void) { return A_UNDERLINE; }
static inline int vnet_key_f(int n) { return KEY_F(n); }
static inline int vnet_key_resize(void) { return KEY_RESIZE; }
static inline int vnet_key_up(void) { return KEY_UP; }
static inline int vnet_key_down(void) { return KEY_DOWN; }
static inline int vnet_key_left(void) { return KEY_LEFT; }
static inline int vnet_key_right(void) { return KEY_RIGHT; }
static inline int vnet_key_enter(void) { return KEY_ENTER; }
static inline int vnet_key_backspace(void) { return KEY_BACKSPACE; }
static inline int vnet_key_npage(void) { return KEY_NPAGE; }
static inline int vnet_key_ppage(void) { return KEY_PPAGE; }
static inline int vnet_key_home(void) { return KEY_HOME; }
static inline int vnet_key_end(void) { return KEY_END; }
static inline int vnet_key_btab(void) { return KEY_BTAB; }
static inline int vnet_key_dc(void) { return KEY_DC; }
static inline int vnet_ok(void) { return OK; }
static inline int vnet_err(void) { return ERR; }
static inline int vnet_key_code_yes(void) { return KEY_CODE_YES; }
static inline int vnet_lc_all(void) { return LC_ALL; }
/* --- console additions: locale, poll, pty and window-size helpers (macros and variadics Swift cannot use) --- */
#include <langinfo.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <string.h>

/* True when the current LC_CTYPE encodes UTF-8 (after setlocale), so box drawing can be used. */
static inline int vnet_locale_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0 || strcmp(cs, "UTF8") == 0);
}
static inline short vnet_pollin(void) { return POLLIN; }
static inline short vnet_pollhup(void) { return POLLHUP; }
static inline short vnet_pollerr(void) { return POLLERR; }
static inline short vnet_pollnval(void) { return POLLNVAL; }
static inline int vnet_key_mouse(void) { return KEY_MOUSE; }
/* Mouse reports: clicks, double clicks and the wheel (buttons 4 and 5); 0 turns reporting off. The click
   interval is ncurses' default (1/6 s) made explicit. */
static inline int vnet_mouse_enable(int on) {
    mmask_t wanted = on ? (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
                           | BUTTON5_PRESSED
#endif
                           ) : 0;
    mmask_t old = 0;
    mouseinterval(on ? 170 : 0);
    return mousemask(wanted, &old) == 0 && on ? 0 : 1;
}
/* The pending mouse report: 1 click, 2 double click, 3 wheel up, 4 wheel down, 0 anything else; -1 none. */
static inline int vnet_mouse_read(int *x, int *y) {
    MEVENT event;
    if (getmouse(&event) != OK) return -1;
    *x = event.x;
    *y = event.y;
    if (event.bstate & BUTTON1_DOUBLE_CLICKED) return 2;
    if (event.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) return 1;
    if (event.bstate & BUTTON4_PRESSED) return 3;
#ifdef BUTTON5_PRESSED
    if (event.bstate & BUTTON5_PRESSED) return 4;
#endif
    return 0;
}
static inline int vnet_key_ic(void) { return KEY_IC; }
static inline WINDOW *vnet_curscr(void) { return curscr; }

/* The terminal size of fd (rows, cols); 0 on success. */
static inline int vnet_get_winsize(int fd, int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}
/* Sets the terminal size of fd (a pty), as a terminal emulator does on resize; 0 on success. */
static inline int vnet_set_winsize(int fd, int rows, int cols) {
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    ws.ws_row = (unsigned short)rows;
    ws.ws_col = (unsigned short)cols;
    return ioctl(fd, TIOCSWINSZ, &ws);
}
/* A pseudo-terminal pair of the given size (tests drive curses through it); 0 on success. */
static inline int vnet_openpty(int *master, int *slave, int rows, int cols) {
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    ws.ws_row = (unsigned short)rows;
    ws.ws_col = (unsigned short)cols;
    return openpty(master, slave, NULL, NULL, &ws);
}
#endif
