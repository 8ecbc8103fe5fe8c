/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwinsync-win32: what the files of the Win32 layer share.
 *
 *   core.c     the last error and its helpers, the errno mapping and the
 *              error precedence, the device descriptor, time
 *   handle.c   descriptor flags, the library's own descriptors,
 *              CloseHandle, Get/SetHandleInformation, DuplicateHandle,
 *              handles over sockets
 *   object.c   names, access masks, the one Create/Open path of every type,
 *              events, mutexes, semaphores
 *   timer.c    SetWaitableTimer, CancelWaitableTimer, completion routines
 *   wait.c     WaitFor*, SignalObjectAndWait, Sleep*
 *   process.c  pseudo-handles, ids, OpenProcess, process handles (pidfds)
 *   thread.c   thread records, APC queues, QueueUserAPC, thread handles,
 *              thread exit, fork
 *
 * Error convention: an internal function returns 0 or a Win32 error
 * (DWORD) and hands its results back through out-parameters; it never
 * touches the thread's last error.  Only the exported entry points do,
 * through ws32_fail() and the ws32_bool()/ws32_handle() helpers of core.c.
 * The few helpers below that return -errno say so.
 */
#ifndef WINSYNC_WIN32_INTERNAL_H
#define WINSYNC_WIN32_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>

#include <winsync/winsync.h>
#include <winsync/win32.h>

#define WS32_EXPORT __attribute__((visibility("default")))

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

#define PSEUDO_PROCESS	((HANDLE)(intptr_t)-1)
#define PSEUDO_THREAD	((HANDLE)(intptr_t)-2)

/* Library-side flags of a descriptor (see ws32_fdflags_*). */
#define WS32_FD_PROTECT		0x01	/* HANDLE_FLAG_PROTECT_FROM_CLOSE */
#define WS32_FD_INTERNAL	0x80	/* the library's own: not a handle */

/* 100 ns units between 1601-01-01 and 1970-01-01. */
#define FILETIME_UNIX_EPOCH	116444736000000000LL

/* core.c: the last error (entry points only). */
void ws32_set_error(DWORD err);
BOOL ws32_fail(DWORD err);
BOOL ws32_bool(DWORD err);
HANDLE ws32_handle(DWORD err, int fd);
HANDLE ws32_created(DWORD status, int fd);
DWORD ws32_wait_result(DWORD err, DWORD result);

/* core.c: errors, the device, time. */
DWORD ws32_map_errno(int err);
DWORD ws32_dev(int *dev);
int ws32_dev_fd(void);		/* the descriptor, or -errno */
uint64_t ws32_deadline(DWORD ms);
uint64_t ws32_now_ns(int clk);
void ws32_unix_to_filetime(int64_t ns, DWORD *lo, DWORD *hi);

/* handle.c */
unsigned int ws32_fdflags_get(int fd);
void ws32_fdflags_set(int fd, unsigned int flags);
int ws32_internal_fd(int fd);
void ws32_internal_close(int fd);
DWORD ws32_handle_fd(HANDLE h, int *fd);
int ws32_set_inherit(int fd, BOOL inherit);	/* 0 or -errno */

/* object.c: Windows access mask -> kernel mask. */
DWORD ws32_map_access(uint32_t type, DWORD in, uint32_t *out, bool *maximum);

/* process.c */
bool ws32_is_pidfd(int fd);
DWORD ws32_which_process(HANDLE h, int *pidfd, bool *other);
DWORD ws32_wait_process(int pidfd, DWORD ms, BOOL alertable, DWORD *result);

/* wait.c: one wait through the kernel; signal >= 0: SignalObjectAndWait. */
DWORD ws32_kernel_wait(const int *fds, uint32_t count, bool all, DWORD ms,
		       BOOL alertable, int signal, DWORD *result);

/* thread.c: per-thread records and their APC queues. */
struct ws32_thread;
struct ws32_binding;
struct ws32_thread *ws32_self(int *err);	/* NULL with -errno */
int ws32_thread_alert_fd(const struct ws32_thread *t);
int ws32_run_apcs(struct ws32_thread *t);
void ws32_thread_ref(struct ws32_thread *t);
void ws32_thread_unref(struct ws32_thread *t);
int ws32_post_timer_apc(struct ws32_thread *t, struct ws32_binding *b,
			DWORD lo, DWORD hi);	/* 0 or -ENOMEM */

/* Thread handles (DuplicateHandle of GetCurrentThread()). */
DWORD ws32_thread_handle_new(bool inherit, int *fd);
bool ws32_thread_handle_dup(int src, int dst);
void ws32_thread_handle_closed(int fd);

/* timer.c: timer completion routines (-errno returns). */
int ws32_timer_bind(int fd, const struct winsync_timer_args *args,
		    PTIMERAPCROUTINE routine, void *arg);
void ws32_timer_unbind(int fd);
bool ws32_binding_run(struct ws32_binding *b, DWORD lo, DWORD hi);
void ws32_binding_unref(struct ws32_binding *b);
void ws32_timers_thread_exit(struct ws32_thread *t);
void ws32_timers_lock(void);
void ws32_timers_unlock(void);
void ws32_timers_fork_child(void);

#endif /* WINSYNC_WIN32_INTERNAL_H */
