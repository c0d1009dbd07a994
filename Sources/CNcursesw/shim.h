#ifndef TINYTALK_CNCURSESW_SHIM_H
#define TINYTALK_CNCURSESW_SHIM_H
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

/* 1 when the wide-character API (get_wch, setcchar, mvaddnwstr) is available. */
static inline int tinytalk_has_wide_characters(void) {
#if defined(NCURSES_WIDECHAR) && NCURSES_WIDECHAR
    return 1;
#else
    return 0;
#endif
}


/* Macros Swift cannot import, as functions. */
static inline int tinytalk_key_f(int n) { return KEY_F(n); }
static inline void tinytalk_getmaxyx(WINDOW *window, int *rows, int *columns) {
    int y, x;
    getmaxyx(window, y, x);
    *rows = y;
    *columns = x;
}
static inline mmask_t tinytalk_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t tinytalk_button5_pressed(void) { return BUTTON5_PRESSED; }

/* The calling thread's id (gettid, which glibc declares only under _GNU_SOURCE). */
static inline int tinytalk_thread_id(void) { return (int)syscall(SYS_gettid); }

/* The C library's standard streams, which Swift sees as shared mutable state. */
static inline FILE *tinytalk_stdin(void) { return stdin; }
static inline FILE *tinytalk_stdout(void) { return stdout; }

/* Mutable curses globals, read through functions so Swift sees no shared mutable state. */
static inline WINDOW *tinytalk_stdscr(void) { return stdscr; }
static inline int tinytalk_colors(void) { return COLORS; }

/* Terminfo capabilities by name (term.h, which defines macros named like every capability, is
   left out). A string capability is there when tigetstr gives neither NULL nor (char *)-1. */
extern char *tigetstr(const char *name);
extern int tigetflag(const char *name);
static inline int tinytalk_has_string(const char *name) {
    char *value = tigetstr(name);
    return value != NULL && value != (char *)-1;
}
static inline int tinytalk_has_flag(const char *name) { return tigetflag(name) > 0; }

#endif
