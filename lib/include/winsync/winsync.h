/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwinsync: a thin C interface to /dev/winsync.
 *
 * One function per operation of the kernel interface, plus a few wait
 * helpers.  Handles are file descriptors: close them with close(2), pass them
 * on with dup(2), fork(2) or SCM_RIGHTS.  Every function returns a
 * non-negative value on success and a negative errno value on failure; errno
 * itself is unspecified afterwards.  See winsync(7).
 */
#ifndef WINSYNC_WINSYNC_H
#define WINSYNC_WINSYNC_H

#include <stdint.h>

/*
 * The kernel interface.  Quoted on purpose: an installed copy of this file
 * sits next to the library's own copy of the uapi header (winsync/linux/),
 * which therefore wins over any other linux/winsync.h on the system.
 */
#include "linux/winsync.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The device node that winsync_open_device() opens. */
#define WINSYNC_DEVICE_PATH	"/dev/winsync"

/* The device. */
int winsync_open_device(void);
int winsync_get_info(int dev, struct winsync_info *info);

/* Creating and opening objects; each returns a new handle. */
int winsync_create(int dev, struct winsync_create_args *args);
int winsync_sem_create(int dev, uint32_t count, uint32_t max, uint32_t flags);
int winsync_mutex_create(int dev, uint32_t flags);
int winsync_event_create(int dev, uint32_t flags);
int winsync_timer_create(int dev, uint32_t flags);
int winsync_open(int dev, uint32_t type, const char *name, uint32_t access,
		 uint32_t flags);
int winsync_reopen(int obj, uint32_t access, uint32_t flags);

/* Operations on one object. */
int winsync_query(int obj, struct winsync_obj_info *info);
int winsync_sem_release(int obj, uint32_t n, uint32_t *prev);
int winsync_mutex_release(int obj, uint32_t *prev);
int winsync_event_set(int obj, uint32_t *prev);
int winsync_event_reset(int obj, uint32_t *prev);
int winsync_event_pulse(int obj, uint32_t *prev);
int winsync_timer_set(int obj, const struct winsync_timer_args *args);
int winsync_timer_cancel(int obj, uint32_t *was_active);

/*
 * Waits.  deadline_ns is an absolute CLOCK_MONOTONIC time in nanoseconds
 * (see winsync_deadline_after_ns()) or WINSYNC_TIMEOUT_INFINITE.  The helpers
 * return a WINSYNC_WAIT_STATUS_* value, -ETIMEDOUT when the deadline passed.
 */
int winsync_wait(int dev, struct winsync_wait_args *args);
int winsync_wait_one(int dev, int obj, uint64_t deadline_ns);
int winsync_wait_any(int dev, const int *objs, uint32_t count,
		     uint64_t deadline_ns, uint32_t *index);
int winsync_wait_all(int dev, const int *objs, uint32_t count,
		     uint64_t deadline_ns);
int winsync_signal_and_wait(int dev, int signal_obj, int wait_obj,
			    uint64_t deadline_ns);

/* Deadlines: now plus a delay on CLOCK_MONOTONIC; a negative delay is now. */
uint64_t winsync_deadline_after_ns(int64_t ns);
uint64_t winsync_deadline_after_ms(int64_t ms);

#ifdef __cplusplus
}
#endif

#endif /* WINSYNC_WINSYNC_H */
