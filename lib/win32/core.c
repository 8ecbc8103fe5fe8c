// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwinsync-win32: the last error, the errno mapping, the device, time.
 *
 * Every Win32 handle is a file descriptor (see winsync_fd_to_handle() in
 * <winsync/win32.h>): the kernel objects behind winsync descriptors carry
 * the state, the access masks and the names, so the layer mostly converts
 * arguments, calls one function of libwinsync and converts the errno into a
 * Win32 error.  The state it keeps itself is small: the device descriptor,
 * the per-thread last error, a table of descriptor flags (handle.c) and the
 * thread records (thread.c).  internal.h lists the files.
 */
#include <errno.h>
#include <stdatomic.h>
#include <time.h>

#include "internal.h"

/* ------------------------------------------------------------ last error */

/*
 * The one error path.  Internal functions return 0 or a Win32 error and
 * never set the last error; an exported entry point turns the error into
 * its return value with one of these helpers:
 *
 *   return ws32_bool(err);                 BOOL: TRUE, or FALSE + error
 *   return ws32_handle(err, fd);           HANDLE: the handle, or NULL + error
 *   return ws32_created(status, fd);       Create*: the handle and
 *                                          ERROR_SUCCESS/ERROR_ALREADY_EXISTS,
 *                                          or NULL + error
 *   return ws32_wait_result(err, result);  DWORD: WAIT_*, or WAIT_FAILED + error
 *   return ws32_fail(err);                 FALSE + error (argument checks)
 *
 * On success the last error is left alone, as Windows leaves it, except
 * where Windows documents a value: Create* (ws32_created()), and
 * SetWaitableTimer with fResume (ERROR_NOT_SUPPORTED, ws32_set_error()).
 * Call the function that computes fd in a statement of its own: the order
 * in which a call's arguments are evaluated is unspecified.
 *
 * Error precedence.  When several arguments are wrong, Windows reports one
 * error, in this order; the entry points check in the same order:
 *
 *   Create*, Create*Ex (object.c, create_typed()):
 *     1. dwFlags bits the type does not define, a semaphore's counts
 *        (lMaximumCount <= 0, lInitialCount < 0 or > lMaximumCount)
 *                                        ERROR_INVALID_PARAMETER
 *     2. dwDesiredAccess: ACCESS_SYSTEM_SECURITY ERROR_PRIVILEGE_NOT_HELD,
 *        bits the type does not define   ERROR_ACCESS_DENIED
 *     3. the name: over MAX_PATH units   ERROR_FILENAME_EXCED_RANGE,
 *        W name with a lone surrogate    ERROR_INVALID_NAME
 *     4. no /dev/winsync                 ERROR_NOT_SUPPORTED
 *     5. the kernel: a name's syntax     ERROR_INVALID_NAME or
 *                                        ERROR_PATH_NOT_FOUND,
 *        then the errno mapping below
 *   Open* (object.c, open_typed()):
 *     1. lpName NULL                     ERROR_INVALID_PARAMETER
 *     2. the name, as Create* 3
 *     3. lpName ""                       ERROR_INVALID_NAME
 *     4. no /dev/winsync                 ERROR_NOT_SUPPORTED
 *     5. the name is looked up before the access is checked: a missing
 *        name is ERROR_FILE_NOT_FOUND (or its syntax error) even when
 *        dwDesiredAccess is wrong or empty (ERROR_ACCESS_DENIED,
 *        ERROR_PRIVILEGE_NOT_HELD)
 *     6. the kernel, as Create* 5
 *   Functions on a handle: their argument checks come where Windows has
 *   them (ReleaseSemaphore: lReleaseCount <= 0 before the handle;
 *   WaitForMultipleObjects: nCount and lpHandles before the handles;
 *   SetWaitableTimer: the handle before lpDueTime), then the handle
 *   (ERROR_INVALID_HANDLE), then the kernel.
 *   DuplicateHandle (handle.c): dwOptions, the source process, then the
 *   source handle, the target process, lpTargetHandle.
 */

static _Thread_local DWORD last_error;

WS32_EXPORT DWORD WINAPI GetLastError(void)
{
	return last_error;
}

WS32_EXPORT VOID WINAPI SetLastError(DWORD dwErrCode)
{
	last_error = dwErrCode;
}

void ws32_set_error(DWORD err)
{
	last_error = err;
}

BOOL ws32_fail(DWORD err)
{
	last_error = err;
	return FALSE;
}

BOOL ws32_bool(DWORD err)
{
	if (err)
		return ws32_fail(err);
	return TRUE;
}

HANDLE ws32_handle(DWORD err, int fd)
{
	if (err) {
		last_error = err;
		return NULL;
	}
	return winsync_fd_to_handle(fd);
}

/* status: ERROR_SUCCESS or ERROR_ALREADY_EXISTS with fd >= 0, else an
 * error.  The last error is set either way. */
HANDLE ws32_created(DWORD status, int fd)
{
	last_error = status;
	return fd < 0 ? NULL : winsync_fd_to_handle(fd);
}

DWORD ws32_wait_result(DWORD err, DWORD result)
{
	if (err) {
		last_error = err;
		return WAIT_FAILED;
	}
	return result;
}

/* The errno to Win32 error mapping that applies when nothing more precise
 * does (see winsync-win32(7)). */
DWORD ws32_map_errno(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case EBADF:
	case ENOTTY:
	case EMEDIUMTYPE:
		return ERROR_INVALID_HANDLE;
	case EACCES:
	case EPERM:
		return ERROR_ACCESS_DENIED;
	case EINVAL:
		return ERROR_INVALID_PARAMETER;
	case ENOENT:
		return ERROR_FILE_NOT_FOUND;
	case ENAMETOOLONG:
		return ERROR_FILENAME_EXCED_RANGE;
	case ENOMEM:
		return ERROR_NOT_ENOUGH_MEMORY;
	case EMFILE:
	case ENFILE:
		return ERROR_TOO_MANY_OPEN_FILES;
	case ENOSPC:
		return ERROR_NO_SYSTEM_RESOURCES;
	case EOVERFLOW:
		return ERROR_TOO_MANY_POSTS;
	case EFAULT:
		return ERROR_NOACCESS;
	case ENOSYS:
	case EOPNOTSUPP:
	case ENODEV:
	case ENXIO:
		return ERROR_NOT_SUPPORTED;
	default:
		return ERROR_GEN_FAILURE;
	}
}

/* ------------------------------------------------------------ the device */

static atomic_int dev_fd = -1;

/* The /dev/winsync descriptor, opened once; -errno if it cannot be. */
int ws32_dev_fd(void)
{
	int fd = atomic_load(&dev_fd);
	int expected = -1;

	if (fd >= 0)
		return fd;
	fd = winsync_open_device();
	if (fd < 0)
		return fd;
	fd = ws32_internal_fd(fd);
	if (!atomic_compare_exchange_strong(&dev_fd, &expected, fd)) {
		ws32_internal_close(fd);
		return expected;
	}
	return fd;
}

/* The device in *dev, or a Win32 error. */
DWORD ws32_dev(int *dev)
{
	*dev = ws32_dev_fd();
	if (*dev >= 0)
		return 0;
	/* No module: the whole API is unsupported here. */
	if (*dev == -ENOENT || *dev == -ENODEV || *dev == -ENXIO)
		return ERROR_NOT_SUPPORTED;
	return ws32_map_errno(*dev);
}

/* ------------------------------------------------------------------ time */

uint64_t ws32_deadline(DWORD ms)
{
	if (ms == INFINITE)
		return WINSYNC_TIMEOUT_INFINITE;
	return winsync_deadline_after_ms(ms);
}

uint64_t ws32_now_ns(int clk)
{
	struct timespec ts;

	clock_gettime((clockid_t)clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void ws32_unix_to_filetime(int64_t ns, DWORD *lo, DWORD *hi)
{
	uint64_t ft = (uint64_t)(ns / 100 + FILETIME_UNIX_EPOCH);

	*lo = (DWORD)ft;
	*hi = (DWORD)(ft >> 32);
}
