/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwinsync's Win32 layer: what win32.c (objects, waits, handles) and
 * win32_apc.c (threads, APCs, timer completion routines) share.
 */
#ifndef WINSYNC_WIN32_INTERNAL_H
#define WINSYNC_WIN32_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <winsync/winsync.h>
#include <winsync/win32.h>

#define WS32_EXPORT __attribute__((visibility("default")))

/* Library-side flags of a descriptor (see ws32_fdflags_*). */
#define WS32_FD_PROTECT		0x01	/* HANDLE_FLAG_PROTECT_FROM_CLOSE */
#define WS32_FD_INTERNAL	0x80	/* the library's own: not a handle */

/* win32.c */
void ws32_set_error(DWORD err);
DWORD ws32_map_errno(int err);
int ws32_dev(void);
unsigned int ws32_fdflags_get(int fd);
void ws32_fdflags_set(int fd, unsigned int flags);
int ws32_internal_fd(int fd);
void ws32_internal_close(int fd);
uint64_t ws32_deadline(DWORD ms);
void ws32_unix_to_filetime(int64_t ns, DWORD *lo, DWORD *hi);

/* win32_apc.c: per-thread records. */
struct ws32_thread;
struct ws32_thread *ws32_self(int *err);
int ws32_thread_alert_fd(const struct ws32_thread *t);
int ws32_run_apcs(struct ws32_thread *t);

/* Thread handles (DuplicateHandle of GetCurrentThread()). */
int ws32_thread_handle_new(bool inherit);
bool ws32_thread_handle_dup(int src, int dst);
void ws32_thread_handle_closed(int fd);

/* Timer completion routines. */
int ws32_timer_bind(int fd, const struct winsync_timer_args *args,
		    PTIMERAPCROUTINE routine, void *arg);
void ws32_timer_unbind(int fd);

#endif /* WINSYNC_WIN32_INTERNAL_H */
