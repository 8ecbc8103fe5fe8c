// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwinsync-win32: waits.  WaitForSingleObject(Ex),
 * WaitForMultipleObjects(Ex), SignalObjectAndWait and Sleep(Ex) go through
 * one kernel wait (ws32_kernel_wait()); an alertable wait also waits for
 * the thread's alert event and runs its APCs (thread.c).  Waits on process
 * handles (pidfds) are process.c's.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/*
 * One wait through the kernel, with the deadline computed once: EINTR
 * retries keep it, and so do wake-ups by the alert event that find no APC
 * to run.  signal >= 0: SignalObjectAndWait, whose signal step happens only
 * on the first try.  0 with a WAIT_* value in *result, or a Win32 error.
 */
DWORD ws32_kernel_wait(const int *fds, uint32_t count, bool all, DWORD ms,
		       BOOL alertable, int signal, DWORD *result)
{
	struct winsync_wait_args args;
	struct ws32_thread *self = NULL;
	int dev, ret, err;
	DWORD werr;

	werr = ws32_dev(&dev);
	if (werr)
		return werr;
	if (alertable) {
		self = ws32_self(&err);
		if (!self)
			return ws32_map_errno(err);
	}
	memset(&args, 0, sizeof(args));
	args.objs = (uintptr_t)fds;
	args.count = count;
	args.flags = all ? WINSYNC_WAIT_ALL : 0;
	args.timeout = ws32_deadline(ms);
	if (self) {
		args.flags |= WINSYNC_WAIT_ALERT;
		args.alert = ws32_thread_alert_fd(self);
	}
	if (signal >= 0) {
		args.flags |= WINSYNC_WAIT_SIGNAL;
		args.signal = signal;
	}
	for (;;) {
		ret = winsync_wait(dev, &args);
		if (ret == -EINTR || (!ret && args.status ==
				      WINSYNC_WAIT_STATUS_ALERTED)) {
			/* The signal step is done: from now on, only wait. */
			args.flags &= ~WINSYNC_WAIT_SIGNAL;
			args.signal = 0;
			if (ret == -EINTR)
				continue;
			if (ws32_run_apcs(self) > 0) {
				*result = WAIT_IO_COMPLETION;
				return 0;
			}
			continue;
		}
		break;
	}
	if (ret == -ETIMEDOUT) {
		*result = WAIT_TIMEOUT;
		return 0;
	}
	if (ret < 0) {
		if (signal >= 0 && (args.flags & WINSYNC_WAIT_SIGNAL)) {
			/* Errors of the signal step. */
			if (ret == -EPERM)
				return ERROR_NOT_OWNER;
			if (ret == -EINVAL)
				return ERROR_INVALID_HANDLE;	/* a timer */
		}
		return ws32_map_errno(ret);
	}
	if (args.status == WINSYNC_WAIT_STATUS_ABANDONED)
		*result = WAIT_ABANDONED_0 + (all ? 0 : args.index);
	else
		*result = WAIT_OBJECT_0 + (all ? 0 : args.index);
	return 0;
}

/* A wait that nothing can satisfy: a process or thread waiting for itself. */
static DWORD wait_nothing(DWORD ms, BOOL alertable, DWORD *result)
{
	struct timespec ts;
	uint64_t deadline;

	if (alertable)
		return ws32_kernel_wait(NULL, 0, false, ms, TRUE, -1, result);
	deadline = ws32_deadline(ms);
	for (;;) {
		if (deadline == WINSYNC_TIMEOUT_INFINITE) {
			ts.tv_sec = 1000000;
			ts.tv_nsec = 0;
			clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
			continue;
		}
		ts.tv_sec = (time_t)(deadline / 1000000000u);
		ts.tv_nsec = (long)(deadline % 1000000000u);
		if (!clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)) {
			*result = WAIT_TIMEOUT;
			return 0;
		}
	}
}

static DWORD wait_one(HANDLE h, DWORD ms, BOOL alertable, DWORD *result)
{
	DWORD err;
	int fd;

	if (h == PSEUDO_PROCESS || h == PSEUDO_THREAD)
		return wait_nothing(ms, alertable, result);
	fd = winsync_handle_to_fd(h);
	if (fd < 0)
		return ERROR_INVALID_HANDLE;
	err = ws32_kernel_wait(&fd, 1, false, ms, alertable, -1, result);
	/* Not a winsync handle: a process handle? */
	if (err == ERROR_INVALID_HANDLE && ws32_is_pidfd(fd))
		err = ws32_wait_process(fd, ms, alertable, result);
	return err;
}

WS32_EXPORT DWORD WINAPI WaitForSingleObjectEx(HANDLE h, DWORD ms,
					       BOOL alertable)
{
	DWORD r = WAIT_FAILED, err = wait_one(h, ms, alertable, &r);

	return ws32_wait_result(err, r);
}

WS32_EXPORT DWORD WINAPI WaitForSingleObject(HANDLE h, DWORD ms)
{
	return WaitForSingleObjectEx(h, ms, FALSE);
}

static DWORD wait_multiple(DWORD count, const HANDLE *handles, BOOL all,
			   DWORD ms, BOOL alertable, DWORD *result)
{
	int fds[MAXIMUM_WAIT_OBJECTS];
	DWORD i;

	if (count == 0 || count > MAXIMUM_WAIT_OBJECTS || !handles)
		return ERROR_INVALID_PARAMETER;
	for (i = 0; i < count; i++) {
		fds[i] = winsync_handle_to_fd(handles[i]);
		if (fds[i] < 0)
			return ERROR_INVALID_HANDLE;
	}
	return ws32_kernel_wait(fds, count, all, ms, alertable, -1, result);
}

WS32_EXPORT DWORD WINAPI WaitForMultipleObjectsEx(DWORD count,
						  const HANDLE *handles,
						  BOOL all, DWORD ms,
						  BOOL alertable)
{
	DWORD r = WAIT_FAILED;
	DWORD err = wait_multiple(count, handles, all, ms, alertable, &r);

	return ws32_wait_result(err, r);
}

WS32_EXPORT DWORD WINAPI WaitForMultipleObjects(DWORD count,
						const HANDLE *handles,
						BOOL all, DWORD ms)
{
	return WaitForMultipleObjectsEx(count, handles, all, ms, FALSE);
}

static DWORD signal_and_wait(HANDLE sig, HANDLE wait, DWORD ms,
			     BOOL alertable, DWORD *result)
{
	int sfd = winsync_handle_to_fd(sig);
	int wfd = winsync_handle_to_fd(wait);

	if (sfd < 0 || wfd < 0)
		return ERROR_INVALID_HANDLE;
	return ws32_kernel_wait(&wfd, 1, false, ms, alertable, sfd, result);
}

WS32_EXPORT DWORD WINAPI SignalObjectAndWait(HANDLE sig, HANDLE wait,
					     DWORD ms, BOOL alertable)
{
	DWORD r = WAIT_FAILED;
	DWORD err = signal_and_wait(sig, wait, ms, alertable, &r);

	return ws32_wait_result(err, r);
}

WS32_EXPORT DWORD WINAPI SleepEx(DWORD ms, BOOL alertable)
{
	DWORD r = WAIT_FAILED, err = wait_nothing(ms, alertable, &r);

	/* SleepEx() has no failure to report: 0, with the error kept. */
	if (err)
		ws32_set_error(err);
	return !err && r == WAIT_IO_COMPLETION ? WAIT_IO_COMPLETION : 0;
}

WS32_EXPORT VOID WINAPI Sleep(DWORD ms)
{
	DWORD r;

	wait_nothing(ms, FALSE, &r);
}
