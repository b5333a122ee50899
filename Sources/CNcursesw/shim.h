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
#endif
