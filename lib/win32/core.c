// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwinsync's Win32 layer: objects, waits and handles.
 *
 * Every Win32 handle is a file descriptor (see winsync_fd_to_handle() in
 * <winsync/win32.h>): the kernel objects behind winsync descriptors carry
 * the state, the access masks and the names, so this file mostly converts
 * arguments, calls one ioctl and converts the errno into a Win32 error.
 * The state the library keeps itself is small: the device descriptor, the
 * per-thread last error, and a table of descriptor flags
 * (HANDLE_FLAG_PROTECT_FROM_CLOSE, and a mark on the library's own
 * descriptors so that CloseHandle() cannot close them).  Threads, APCs and
 * timer completion routines live in win32_apc.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* F_DUPFD_CLOEXEC, pidfd syscalls, MSG_CMSG_CLOEXEC */
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

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

/* Permission bits of new named objects: owner only, like Windows' default. */
#define NAMED_MODE	0600

/* Rights by type, in the kernel's (Windows') bits. */
#define STD_RIGHTS	(DELETE | READ_CONTROL | WRITE_DAC | WRITE_OWNER | \
			 SYNCHRONIZE)
#define READ_RIGHTS	(SYNCHRONIZE | READ_CONTROL | WINSYNC_ACCESS_QUERY_STATE)
#define WRITE_RIGHTS	(DELETE | WRITE_DAC | WRITE_OWNER | \
			 WINSYNC_ACCESS_MODIFY_STATE)

/* 100 ns units between 1601-01-01 and 1970-01-01. */
#define FILETIME_UNIX_EPOCH	116444736000000000LL

static _Thread_local DWORD last_error;

/* ------------------------------------------------------------ last error */

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

static BOOL fail(DWORD err)
{
	last_error = err;
	return FALSE;
}

static BOOL fail_errno(int err)
{
	return fail(ws32_map_errno(err));
}

/* ------------------------------------------------------ descriptor flags */

/*
 * fd -> flags, for HANDLE_FLAG_PROTECT_FROM_CLOSE and the library's own
 * descriptors.  Written rarely; read by CloseHandle() and friends, which
 * make a system call anyway, so a mutex is cheap enough.
 */
static pthread_mutex_t fdt_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *fdt;
static size_t fdt_len;

static void fdt_prepare(void)
{
	pthread_mutex_lock(&fdt_lock);
}

static void fdt_release(void)
{
	pthread_mutex_unlock(&fdt_lock);
}

static pthread_once_t fdt_once = PTHREAD_ONCE_INIT;

static void fdt_init(void)
{
	pthread_atfork(fdt_prepare, fdt_release, fdt_release);
}

unsigned int ws32_fdflags_get(int fd)
{
	unsigned int v = 0;

	if (fd < 0)
		return 0;
	pthread_mutex_lock(&fdt_lock);
	if ((size_t)fd < fdt_len)
		v = fdt[fd];
	pthread_mutex_unlock(&fdt_lock);
	return v;
}

void ws32_fdflags_set(int fd, unsigned int flags)
{
	if (fd < 0)
		return;
	pthread_once(&fdt_once, fdt_init);
	pthread_mutex_lock(&fdt_lock);
	if ((size_t)fd >= fdt_len && flags) {
		size_t len = fdt_len ? fdt_len : 64;
		unsigned char *p;

		while (len <= (size_t)fd)
			len *= 2;
		p = realloc(fdt, len);
		if (p) {
			memset(p + fdt_len, 0, len - fdt_len);
			fdt = p;
			fdt_len = len;
		}
	}
	if ((size_t)fd < fdt_len)
		fdt[fd] = (unsigned char)flags;
	pthread_mutex_unlock(&fdt_lock);
}

/*
 * Move one of the library's own descriptors out of the way of the handles
 * the application sees (so that, as on Windows, its handles take the lowest
 * free values), and mark it so CloseHandle() refuses it.
 */
static int internal_fd_min(void)
{
	static int min = -1;
	struct rlimit rl;
	rlim_t cur;

	if (min >= 0)
		return min;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	cur = rl.rlim_cur;
	if (cur == RLIM_INFINITY || cur > 1024)
		cur = 1024;
	min = cur >= 256 ? (int)cur / 2 : 0;
	return min;
}

int ws32_internal_fd(int fd)
{
	int min = internal_fd_min();

	if (fd >= 0 && fd < min) {
		int high = fcntl(fd, F_DUPFD_CLOEXEC, min);

		if (high >= 0) {
			close(fd);
			fd = high;
		}
	}
	if (fd >= 0)
		ws32_fdflags_set(fd, WS32_FD_INTERNAL);
	return fd;
}

void ws32_internal_close(int fd)
{
	if (fd < 0)
		return;
	ws32_fdflags_set(fd, 0);
	close(fd);
}

/* ------------------------------------------------------------ the device */

static atomic_int dev_fd = -1;

/* The /dev/winsync descriptor, opened once; -errno if it cannot be. */
int ws32_dev(void)
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

/* The device, or FALSE/NULL with the error set. */
static int dev_or_fail(void)
{
	int dev = ws32_dev();

	if (dev < 0) {
		/* No module: the whole API is unsupported here. */
		fail(dev == -ENOENT || dev == -ENODEV || dev == -ENXIO ?
		     ERROR_NOT_SUPPORTED : ws32_map_errno(dev));
	}
	return dev;
}

/* --------------------------------------------------------------- helpers */

uint64_t ws32_deadline(DWORD ms)
{
	if (ms == INFINITE)
		return WINSYNC_TIMEOUT_INFINITE;
	return winsync_deadline_after_ms(ms);
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void ws32_unix_to_filetime(int64_t ns, DWORD *lo, DWORD *hi)
{
	uint64_t ft = (uint64_t)(ns / 100 + FILETIME_UNIX_EPOCH);

	*lo = (DWORD)ft;
	*hi = (DWORD)(ft >> 32);
}

/* A handle's descriptor if it is open, else -1 with ERROR_INVALID_HANDLE. */
static int handle_fd_checked(HANDLE h)
{
	int fd = winsync_handle_to_fd(h);

	if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
		last_error = ERROR_INVALID_HANDLE;
		return -1;
	}
	return fd;
}

static HANDLE to_handle(int fd)
{
	return winsync_fd_to_handle(fd);
}

/* ----------------------------------------------------------------- names */

struct name {
	char buf[MAX_PATH * 3 + 1];	/* UTF-8 of at most MAX_PATH units */
	const char *str;		/* NULL: unnamed */
};

/* UTF-16 units that a UTF-8 (or any byte) string stands for. */
static size_t utf16_units(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c & 0xC0) != 0x80)
			n += c >= 0xF0 ? 2 : 1;
	}
	return n;
}

/* An A name: bytes, assumed UTF-8.  0 or a Win32 error. */
static DWORD name_a(struct name *n, LPCSTR s)
{
	n->str = NULL;
	if (!s || !*s)
		return 0;
	if (utf16_units(s) > MAX_PATH)
		return ERROR_FILENAME_EXCED_RANGE;
	n->str = s;
	return 0;
}

/* A W name: UTF-16, converted to UTF-8.  0 or a Win32 error. */
static DWORD name_w(struct name *n, LPCWSTR s)
{
	size_t len = 0, i, o = 0;

	n->str = NULL;
	if (!s || !*s)
		return 0;
	while (s[len]) {
		if (++len > MAX_PATH)
			return ERROR_FILENAME_EXCED_RANGE;
	}
	for (i = 0; i < len; i++) {
		uint32_t c = s[i];

		if (c >= 0xD800 && c <= 0xDBFF) {
			if (i + 1 >= len || s[i + 1] < 0xDC00 || s[i + 1] > 0xDFFF)
				return ERROR_INVALID_NAME;
			c = 0x10000 + ((c - 0xD800) << 10) + (s[++i] - 0xDC00);
		} else if (c >= 0xDC00 && c <= 0xDFFF) {
			return ERROR_INVALID_NAME;
		}
		if (c < 0x80) {
			n->buf[o++] = (char)c;
		} else if (c < 0x800) {
			n->buf[o++] = (char)(0xC0 | (c >> 6));
			n->buf[o++] = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			n->buf[o++] = (char)(0xE0 | (c >> 12));
			n->buf[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			n->buf[o++] = (char)(0x80 | (c & 0x3F));
		} else {
			n->buf[o++] = (char)(0xF0 | (c >> 18));
			n->buf[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
			n->buf[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			n->buf[o++] = (char)(0x80 | (c & 0x3F));
		}
	}
	n->buf[o] = 0;
	n->str = n->buf;
	return 0;
}

/*
 * The kernel refused a name's syntax (EINVAL).  Windows' errors for the NT
 * paths these names would be: an empty name or an empty path component is
 * ERROR_INVALID_NAME, a backslash names a missing directory,
 * ERROR_PATH_NOT_FOUND.
 */
static DWORD name_syntax_error(const char *s)
{
	if (!strncmp(s, "Global\\", 7))
		s += 7;
	else if (!strncmp(s, "Local\\", 6))
		s += 6;
	if (!*s || strstr(s, "\\\\"))
		return ERROR_INVALID_NAME;
	if (strchr(s, '\\'))
		return ERROR_PATH_NOT_FOUND;
	return ERROR_INVALID_NAME;
}

/* ---------------------------------------------------------------- access */

static uint32_t type_all(uint32_t type)
{
	return type == WINSYNC_TYPE_MUTEX ? MUTEX_ALL_ACCESS : EVENT_ALL_ACCESS;
}

/*
 * Windows access mask -> kernel mask: generic rights mapped as Windows maps
 * them for these types, bits a type does not define refused
 * (ERROR_ACCESS_DENIED), ACCESS_SYSTEM_SECURITY refused
 * (ERROR_PRIVILEGE_NOT_HELD).  *maximum is set for MAXIMUM_ALLOWED.
 */
static DWORD map_access(uint32_t type, DWORD in, uint32_t *out, bool *maximum)
{
	uint32_t specific = type == WINSYNC_TYPE_MUTEX ? 0x1 : 0x3;
	uint32_t known = specific | STD_RIGHTS | MAXIMUM_ALLOWED | GENERIC_ALL |
			 GENERIC_EXECUTE | GENERIC_WRITE | GENERIC_READ;
	uint32_t a;

	if (in & ACCESS_SYSTEM_SECURITY)
		return ERROR_PRIVILEGE_NOT_HELD;
	if (in & ~known)
		return ERROR_ACCESS_DENIED;
	a = in & (specific | STD_RIGHTS);
	if (in & GENERIC_READ)
		a |= READ_CONTROL | WINSYNC_ACCESS_QUERY_STATE;
	if (in & GENERIC_WRITE)
		a |= READ_CONTROL |
		     (type == WINSYNC_TYPE_MUTEX ? 0 : WINSYNC_ACCESS_MODIFY_STATE);
	if (in & GENERIC_EXECUTE)
		a |= READ_CONTROL | SYNCHRONIZE;
	if (in & GENERIC_ALL)
		a |= type_all(type);
	*out = a;
	*maximum = in & MAXIMUM_ALLOWED;
	return 0;
}

/* ------------------------------------------------------ create and open */

static HANDLE create_obj(uint32_t type, LPSECURITY_ATTRIBUTES sa,
			 DWORD name_err, const struct name *n, uint32_t kflags,
			 uint32_t access, uint32_t count, uint32_t max)
{
	struct winsync_create_args args;
	int dev, fd;

	if (name_err) {
		last_error = name_err;
		return NULL;
	}
	dev = dev_or_fail();
	if (dev < 0)
		return NULL;
	memset(&args, 0, sizeof(args));
	args.type = type;
	args.flags = kflags | (sa && sa->bInheritHandle ? WINSYNC_CREATE_INHERIT : 0);
	args.access = access;
	args.sem_count = count;
	args.sem_max = max;
	if (n->str) {
		args.name = (uintptr_t)n->str;
		args.name_len = (uint32_t)strlen(n->str);
		args.mode = NAMED_MODE;
	}
	fd = winsync_create(dev, &args);
	if (fd < 0) {
		if (fd == -EINVAL && n->str)
			last_error = name_syntax_error(n->str);
		else
			last_error = ws32_map_errno(fd);
		return NULL;
	}
	last_error = args.status == WINSYNC_OPENED_EXISTING ?
		     ERROR_ALREADY_EXISTS : ERROR_SUCCESS;
	return to_handle(fd);
}

/* Create*Ex's dwDesiredAccess.  0 or a Win32 error. */
static DWORD create_access(uint32_t type, DWORD desired, uint32_t *access)
{
	bool maximum;
	DWORD err = map_access(type, desired, access, &maximum);

	if (!err && maximum)
		*access = type_all(type);
	return err;
}

static int kernel_open(int dev, uint32_t type, const char *name,
		       uint32_t access, BOOL inherit)
{
	return winsync_open(dev, type, name, access,
			    inherit ? WINSYNC_CREATE_INHERIT : 0);
}

static HANDLE open_obj(uint32_t type, DWORD desired, BOOL inherit,
		       DWORD name_err, const struct name *n, bool name_null)
{
	static const uint32_t read_set = READ_RIGHTS, write_set = WRITE_RIGHTS;
	uint32_t access = 0;
	bool maximum = false;
	DWORD access_err;
	int dev, fd;

	if (name_null) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	if (name_err) {
		last_error = name_err;
		return NULL;
	}
	if (!n->str) {
		/* "": no such name can exist. */
		last_error = ERROR_INVALID_NAME;
		return NULL;
	}
	dev = dev_or_fail();
	if (dev < 0)
		return NULL;

	access_err = map_access(type, desired, &access, &maximum);
	if (!access_err && !access && !maximum)
		access_err = ERROR_ACCESS_DENIED;
	if (access_err) {
		/* The name is looked up first: a missing one is reported. */
		fd = kernel_open(dev, type, n->str, 0, FALSE);
		if (fd >= 0) {
			close(fd);
			last_error = access_err;
		} else {
			last_error = fd == -EINVAL ? name_syntax_error(n->str) :
				     ws32_map_errno(fd);
		}
		return NULL;
	}

	if (maximum) {
		uint32_t mutex_mask = type == WINSYNC_TYPE_MUTEX ?
				      ~(uint32_t)WINSYNC_ACCESS_MODIFY_STATE : ~0u;
		uint32_t tries[4] = {
			type_all(type),
			(access | read_set) & mutex_mask,
			(access | write_set) & mutex_mask,
			access,
		};
		int i;

		fd = -EACCES;
		for (i = 0; i < 4 && fd == -EACCES; i++) {
			if (!tries[i])
				continue;
			fd = kernel_open(dev, type, n->str, tries[i], inherit);
		}
	} else {
		fd = kernel_open(dev, type, n->str, access, inherit);
	}
	if (fd < 0) {
		last_error = fd == -EINVAL ? name_syntax_error(n->str) :
			     ws32_map_errno(fd);
		return NULL;
	}
	return to_handle(fd);
}

/* ---------------------------------------------------------------- events */

static uint32_t event_kflags(DWORD flags)
{
	return (flags & CREATE_EVENT_MANUAL_RESET ? WINSYNC_CREATE_MANUAL_RESET : 0) |
	       (flags & CREATE_EVENT_INITIAL_SET ? WINSYNC_CREATE_SIGNALED : 0);
}

static HANDLE event_create(LPSECURITY_ATTRIBUTES sa, DWORD name_err,
			   const struct name *n, DWORD flags, DWORD desired)
{
	uint32_t access;
	DWORD err;

	if (flags & ~(CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET)) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	err = create_access(WINSYNC_TYPE_EVENT, desired, &access);
	if (err) {
		last_error = err;
		return NULL;
	}
	return create_obj(WINSYNC_TYPE_EVENT, sa, name_err, n,
			  event_kflags(flags), access, 0, 0);
}

static DWORD bools_to_event_flags(BOOL manual, BOOL initial)
{
	return (manual ? CREATE_EVENT_MANUAL_RESET : 0) |
	       (initial ? CREATE_EVENT_INITIAL_SET : 0);
}

WS32_EXPORT HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES sa, BOOL manual,
				       BOOL initial, LPCSTR name)
{
	struct name n;
	DWORD err = name_a(&n, name);

	return event_create(sa, err, &n, bools_to_event_flags(manual, initial),
			    EVENT_ALL_ACCESS);
}

WS32_EXPORT HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES sa, BOOL manual,
				       BOOL initial, LPCWSTR name)
{
	struct name n;
	DWORD err = name_w(&n, name);

	return event_create(sa, err, &n, bools_to_event_flags(manual, initial),
			    EVENT_ALL_ACCESS);
}

WS32_EXPORT HANDLE WINAPI CreateEventExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name,
					 DWORD flags, DWORD access)
{
	struct name n;
	DWORD err = name_a(&n, name);

	return event_create(sa, err, &n, flags, access);
}

WS32_EXPORT HANDLE WINAPI CreateEventExW(LPSECURITY_ATTRIBUTES sa,
					 LPCWSTR name, DWORD flags,
					 DWORD access)
{
	struct name n;
	DWORD err = name_w(&n, name);

	return event_create(sa, err, &n, flags, access);
}

WS32_EXPORT HANDLE WINAPI OpenEventA(DWORD access, BOOL inherit, LPCSTR name)
{
	struct name n;
	DWORD err = name_a(&n, name);

	return open_obj(WINSYNC_TYPE_EVENT, access, inherit, err, &n, !name);
}

WS32_EXPORT HANDLE WINAPI OpenEventW(DWORD access, BOOL inherit, LPCWSTR name)
{
	struct name n;
	DWORD err = name_w(&n, name);

	return open_obj(WINSYNC_TYPE_EVENT, access, inherit, err, &n, !name);
}

static BOOL event_op(HANDLE h, int (*op)(int, uint32_t *))
{
	int fd = winsync_handle_to_fd(h);
	int ret;

	if (fd < 0)
		return fail(ERROR_INVALID_HANDLE);
	ret = op(fd, NULL);
	if (ret < 0)
		return fail_errno(ret);
	return TRUE;
}

WS32_EXPORT BOOL WINAPI SetEvent(HANDLE h)
{
	return event_op(h, winsync_event_set);
}

WS32_EXPORT BOOL WINAPI ResetEvent(HANDLE h)
{
	return event_op(h, winsync_event_reset);
}

WS32_EXPORT BOOL WINAPI PulseEvent(HANDLE h)
{
	return event_op(h, winsync_event_pulse);
}

/* --------------------------------------------------------------- mutexes */

static HANDLE mutex_create(LPSECURITY_ATTRIBUTES sa, DWORD name_err,
			   const struct name *n, DWORD flags, DWORD desired)
{
	uint32_t access;
	DWORD err;

	if (flags & ~CREATE_MUTEX_INITIAL_OWNER) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	err = create_access(WINSYNC_TYPE_MUTEX, desired, &access);
	if (err) {
		last_error = err;
		return NULL;
	}
	return create_obj(WINSYNC_TYPE_MUTEX, sa, name_err, n,
			  flags & CREATE_MUTEX_INITIAL_OWNER ?
			  WINSYNC_CREATE_OWNED : 0, access, 0, 0);
}

WS32_EXPORT HANDLE WINAPI CreateMutexA(LPSECURITY_ATTRIBUTES sa, BOOL owner,
				       LPCSTR name)
{
	struct name n;
	DWORD err = name_a(&n, name);

	return mutex_create(sa, err, &n, owner ? CREATE_MUTEX_INITIAL_OWNER : 0,
			    MUTEX_ALL_ACCESS);
}

WS32_EXPORT HANDLE WINAPI CreateMutexW(LPSECURITY_ATTRIBUTES sa, BOOL owner,
				       LPCWSTR name)
{
	struct name n;
	DWORD err = name_w(&n, name);

	return mutex_create(sa, err, &n, owner ? CREATE_MUTEX_INITIAL_OWNER : 0,
			    MUTEX_ALL_ACCESS);
}

WS32_EXPORT HANDLE WINAPI CreateMutexExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name,
					 DWORD flags, DWORD access)
{
	struct name n;
	DWORD err = name_a(&n, name);

	return mutex_create(sa, err, &n, flags, access);
}

WS32_EXPORT HANDLE WINAPI CreateMutexExW(LPSECURITY_ATTRIBUTES sa,
					 LPCWSTR name, DWORD flags,
					 DWORD access)
{
	struct name n;
	DWORD err = name_w(&n, name);

	return mutex_create(sa, err, &n, flags, access);
}

WS32_EXPORT HANDLE WINAPI OpenMutexA(DWORD access, BOOL inherit, LPCSTR name)
{
	struct name n;
	DWORD err = name_a(&n, name);

	return open_obj(WINSYNC_TYPE_MUTEX, access, inherit, err, &n, !name);
}

WS32_EXPORT HANDLE WINAPI OpenMutexW(DWORD access, BOOL inherit, LPCWSTR name)
{
	struct name n;
	DWORD err = name_w(&n, name);

	return open_obj(WINSYNC_TYPE_MUTEX, access, inherit, err, &n, !name);
}

WS32_EXPORT BOOL WINAPI ReleaseMutex(HANDLE h)
{
	int fd = winsync_handle_to_fd(h);
	int ret;

	if (fd < 0)
		return fail(ERROR_INVALID_HANDLE);
	ret = winsync_mutex_release(fd, NULL);
	if (ret == -EPERM)
		return fail(ERROR_NOT_OWNER);
	if (ret < 0)
		return fail_errno(ret);
	return TRUE;
}

/* ------------------------------------------------------------ semaphores */

static HANDLE sem_create(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG max,
			 DWORD name_err, const struct name *n, DWORD flags,
			 DWORD desired)
{
	uint32_t access;
	DWORD err;

	if (flags || max <= 0 || initial < 0 || initial > max) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	err = create_access(WINSYNC_TYPE_SEM, desired, &access);
	if (err) {
		last_error = err;
		return NULL;
	}
	return create_obj(WINSYNC_TYPE_SEM, sa, name_err, n, 0, access,
			  (uint32_t)initial, (uint32_t)max);
}

WS32_EXPORT HANDLE WINAPI CreateSemaphoreA(LPSECURITY_ATTRIBUTES sa,
					   LONG initial, LONG max, LPCSTR name)
{
	struct name n;
	DWORD err = name_a(&n, name);

	return sem_create(sa, initial, max, err, &n, 0, SEMAPHORE_ALL_ACCESS);
}

WS32_EXPORT HANDLE WINAPI CreateSemaphoreW(LPSECURITY_ATTRIBUTES sa,
					   LONG initial, LONG max,
					   LPCWSTR name)
{
	struct name n;
	DWORD err = name_w(&n, name);

	return sem_create(sa, initial, max, err, &n, 0, SEMAPHORE_ALL_ACCESS);
}

WS32_EXPORT HANDLE WINAPI CreateSemaphoreExA(LPSECURITY_ATTRIBUTES sa,
					     LONG initial, LONG max,
					     LPCSTR name, DWORD flags,
					     DWORD access)
{
	struct name n;
	DWORD err = name_a(&n, name);

	return sem_create(sa, initial, max, err, &n, flags, access);
}

WS32_EXPORT HANDLE WINAPI CreateSemaphoreExW(LPSECURITY_ATTRIBUTES sa,
					     LONG initial, LONG max,
					     LPCWSTR name, DWORD flags,
					     DWORD access)
{
	struct name n;
	DWORD err = name_w(&n, name);

	return sem_create(sa, initial, max, err, &n, flags, access);
}

WS32_EXPORT HANDLE WINAPI OpenSemaphoreA(DWORD access, BOOL inherit,
					 LPCSTR name)
{
	struct name n;
	DWORD err = name_a(&n, name);

	return open_obj(WINSYNC_TYPE_SEM, access, inherit, err, &n, !name);
}

WS32_EXPORT HANDLE WINAPI OpenSemaphoreW(DWORD access, BOOL inherit,
					 LPCWSTR name)
{
	struct name n;
	DWORD err = name_w(&n, name);

	return open_obj(WINSYNC_TYPE_SEM, access, inherit, err, &n, !name);
}

WS32_EXPORT BOOL WINAPI ReleaseSemaphore(HANDLE h, LONG count, LPLONG prev)
{
	int fd = winsync_handle_to_fd(h);
	uint32_t p;
	int ret;

	if (count <= 0)
		return fail(ERROR_INVALID_PARAMETER);
	if (fd < 0)
		return fail(ERROR_INVALID_HANDLE);
	ret = winsync_sem_release(fd, (uint32_t)count, &p);
	if (ret < 0)
		return fail_errno(ret);	/* EOVERFLOW: ERROR_TOO_MANY_POSTS */
	if (prev)
		*prev = (LONG)p;
	return TRUE;
}

/* ---------------------------------------------------------------- timers */

static HANDLE wtimer_create(LPSECURITY_ATTRIBUTES sa, DWORD name_err,
			   const struct name *n, DWORD flags, DWORD desired)
{
	uint32_t access;
	DWORD err;

	if (flags & ~(CREATE_WAITABLE_TIMER_MANUAL_RESET |
		      CREATE_WAITABLE_TIMER_HIGH_RESOLUTION)) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	err = create_access(WINSYNC_TYPE_TIMER, desired, &access);
	if (err) {
		last_error = err;
		return NULL;
	}
	return create_obj(WINSYNC_TYPE_TIMER, sa, name_err, n,
			  flags & CREATE_WAITABLE_TIMER_MANUAL_RESET ?
			  WINSYNC_CREATE_MANUAL_RESET : 0, access, 0, 0);
}

WS32_EXPORT HANDLE WINAPI CreateWaitableTimerA(LPSECURITY_ATTRIBUTES sa,
					       BOOL manual, LPCSTR name)
{
	struct name n;
	DWORD err = name_a(&n, name);

	return wtimer_create(sa, err, &n,
			    manual ? CREATE_WAITABLE_TIMER_MANUAL_RESET : 0,
			    TIMER_ALL_ACCESS);
}

WS32_EXPORT HANDLE WINAPI CreateWaitableTimerW(LPSECURITY_ATTRIBUTES sa,
					       BOOL manual, LPCWSTR name)
{
	struct name n;
	DWORD err = name_w(&n, name);

	return wtimer_create(sa, err, &n,
			    manual ? CREATE_WAITABLE_TIMER_MANUAL_RESET : 0,
			    TIMER_ALL_ACCESS);
}

WS32_EXPORT HANDLE WINAPI CreateWaitableTimerExA(LPSECURITY_ATTRIBUTES sa,
						 LPCSTR name, DWORD flags,
						 DWORD access)
{
	struct name n;
	DWORD err = name_a(&n, name);

	return wtimer_create(sa, err, &n, flags, access);
}

WS32_EXPORT HANDLE WINAPI CreateWaitableTimerExW(LPSECURITY_ATTRIBUTES sa,
						 LPCWSTR name, DWORD flags,
						 DWORD access)
{
	struct name n;
	DWORD err = name_w(&n, name);

	return wtimer_create(sa, err, &n, flags, access);
}

WS32_EXPORT HANDLE WINAPI OpenWaitableTimerA(DWORD access, BOOL inherit,
					     LPCSTR name)
{
	struct name n;
	DWORD err = name_a(&n, name);

	return open_obj(WINSYNC_TYPE_TIMER, access, inherit, err, &n, !name);
}

WS32_EXPORT HANDLE WINAPI OpenWaitableTimerW(DWORD access, BOOL inherit,
					     LPCWSTR name)
{
	struct name n;
	DWORD err = name_w(&n, name);

	return open_obj(WINSYNC_TYPE_TIMER, access, inherit, err, &n, !name);
}

static int64_t sat_mul100(int64_t v)
{
	if (v > INT64_MAX / 100)
		return INT64_MAX;
	return v * 100;
}

static BOOL timer_set(HANDLE h, const LARGE_INTEGER *due, LONG period,
		      PTIMERAPCROUTINE routine, LPVOID arg, ULONG delay_ms)
{
	struct winsync_timer_args args;
	int fd = winsync_handle_to_fd(h);
	int64_t d;
	int ret;

	if (fd < 0)
		return fail(ERROR_INVALID_HANDLE);
	if (!due || period < 0)
		return fail(ERROR_INVALID_PARAMETER);
	memset(&args, 0, sizeof(args));
	d = due->QuadPart;
	if (d >= 0) {
		/* Absolute FILETIME (UTC, 1601) -> CLOCK_REALTIME ns. */
		args.flags = WINSYNC_TIMER_ABSOLUTE;
		args.due = d < FILETIME_UNIX_EPOCH ? 0 :
			   sat_mul100(d - FILETIME_UNIX_EPOCH);
	} else {
		args.due = d == INT64_MIN ? INT64_MAX : sat_mul100(-d);
	}
	args.period_ns = (int64_t)period * 1000000;
	args.slack_ns = (int64_t)delay_ms * 1000000;

	if (routine) {
		ret = ws32_timer_bind(fd, &args, routine, arg);
	} else {
		ret = winsync_timer_set(fd, &args);
		if (!ret)
			ws32_timer_unbind(fd);
	}
	if (ret < 0)
		return fail_errno(ret);
	return TRUE;
}

WS32_EXPORT BOOL WINAPI SetWaitableTimer(HANDLE h, const LARGE_INTEGER *due,
					 LONG period, PTIMERAPCROUTINE routine,
					 LPVOID arg, BOOL resume)
{
	if (!timer_set(h, due, period, routine, arg, 0))
		return FALSE;
	/* No power management: resuming the system is not supported. */
	if (resume)
		last_error = ERROR_NOT_SUPPORTED;
	return TRUE;
}

WS32_EXPORT BOOL WINAPI SetWaitableTimerEx(HANDLE h, const LARGE_INTEGER *due,
					   LONG period,
					   PTIMERAPCROUTINE routine,
					   LPVOID arg, PREASON_CONTEXT context,
					   ULONG delay)
{
	(void)context;
	return timer_set(h, due, period, routine, arg, delay);
}

WS32_EXPORT BOOL WINAPI CancelWaitableTimer(HANDLE h)
{
	int fd = winsync_handle_to_fd(h);
	int ret;

	if (fd < 0)
		return fail(ERROR_INVALID_HANDLE);
	ret = winsync_timer_cancel(fd, NULL);
	if (ret < 0)
		return fail_errno(ret);
	ws32_timer_unbind(fd);
	return TRUE;
}

/* ----------------------------------------------------------------- waits */

/*
 * One wait through the kernel, with the deadline computed once: EINTR
 * retries keep it, and so do wake-ups by the alert event that find no APC
 * to run.  signal >= 0: SignalObjectAndWait, whose signal step happens only
 * on the first try.  Returns a WAIT_* value, with the error set for
 * WAIT_FAILED.
 */
static DWORD kernel_wait(const int *fds, uint32_t count, bool all,
			 DWORD ms, BOOL alertable, int signal)
{
	struct winsync_wait_args args;
	struct ws32_thread *self = NULL;
	int dev, ret, err;

	dev = dev_or_fail();
	if (dev < 0)
		return WAIT_FAILED;
	if (alertable) {
		self = ws32_self(&err);
		if (!self) {
			last_error = ws32_map_errno(err);
			return WAIT_FAILED;
		}
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
			if (ws32_run_apcs(self) > 0)
				return WAIT_IO_COMPLETION;
			continue;
		}
		break;
	}
	if (ret == -ETIMEDOUT)
		return WAIT_TIMEOUT;
	if (ret < 0) {
		if (signal >= 0 && (args.flags & WINSYNC_WAIT_SIGNAL)) {
			/* Errors of the signal step. */
			if (ret == -EPERM)
				last_error = ERROR_NOT_OWNER;
			else if (ret == -EINVAL)
				last_error = ERROR_INVALID_HANDLE;	/* a timer */
			else
				last_error = ws32_map_errno(ret);
		} else {
			last_error = ws32_map_errno(ret);
		}
		return WAIT_FAILED;
	}
	if (args.status == WINSYNC_WAIT_STATUS_ABANDONED)
		return WAIT_ABANDONED_0 + (all ? 0 : args.index);
	return WAIT_OBJECT_0 + (all ? 0 : args.index);
}

/* A wait that nothing can satisfy: a process or thread waiting for itself. */
static DWORD wait_nothing(DWORD ms, BOOL alertable)
{
	struct timespec ts;
	uint64_t deadline;

	if (alertable)
		return kernel_wait(NULL, 0, false, ms, TRUE, -1);
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
		if (!clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL))
			return WAIT_TIMEOUT;
	}
}

/* Is fd a pidfd (a process handle from OpenProcess())? */
static bool is_pidfd(int fd)
{
	if (syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) == 0)
		return true;
	return errno == ESRCH || errno == EPERM;
}

/* The pid a pidfd refers to, from /proc/self/fdinfo; -1 if unknown. */
static pid_t pidfd_pid(int fd)
{
	char path[64], line[128];
	pid_t pid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Pid:", 4)) {
			pid = (pid_t)strtol(line + 4, NULL, 10);
			break;
		}
	}
	fclose(f);
	return pid;
}

/* WaitForSingleObject on a process handle: until the process has exited. */
static DWORD wait_process(int pidfd, DWORD ms, BOOL alertable)
{
	uint64_t deadline = ws32_deadline(ms);
	struct ws32_thread *self = NULL;
	struct pollfd pfd[2];
	int err;

	if (alertable) {
		self = ws32_self(&err);
		if (!self) {
			last_error = ws32_map_errno(err);
			return WAIT_FAILED;
		}
	}
	for (;;) {
		int timeout = -1, n;

		if (deadline != WINSYNC_TIMEOUT_INFINITE) {
			uint64_t now = now_ns(CLOCK_MONOTONIC);
			uint64_t left = deadline > now ? deadline - now : 0;

			timeout = (int)((left + 999999) / 1000000);
			if (left > (uint64_t)INT_MAX * 1000000)
				timeout = INT_MAX;
		}
		pfd[0].fd = pidfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = self ? ws32_thread_alert_fd(self) : -1;
		pfd[1].events = POLLIN;
		n = poll(pfd, self ? 2 : 1, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			last_error = ws32_map_errno(errno);
			return WAIT_FAILED;
		}
		/* The object first, then the alert, as the kernel does. */
		if (pfd[0].revents & (POLLIN | POLLHUP))
			return WAIT_OBJECT_0;
		if (pfd[0].revents & (POLLERR | POLLNVAL)) {
			last_error = ERROR_INVALID_HANDLE;
			return WAIT_FAILED;
		}
		if (self && (pfd[1].revents & POLLIN)) {
			/* Consume the alert (a poll-only wait) and run APCs. */
			DWORD r = kernel_wait(NULL, 0, false, 0, TRUE, -1);

			if (r == WAIT_IO_COMPLETION)
				return r;
		}
		if (n == 0 && timeout >= 0 &&
		    now_ns(CLOCK_MONOTONIC) >= deadline)
			return WAIT_TIMEOUT;
	}
}

WS32_EXPORT DWORD WINAPI WaitForSingleObjectEx(HANDLE h, DWORD ms,
					       BOOL alertable)
{
	int fd;
	DWORD r;

	if (h == PSEUDO_PROCESS || h == PSEUDO_THREAD)
		return wait_nothing(ms, alertable);
	fd = winsync_handle_to_fd(h);
	if (fd < 0) {
		last_error = ERROR_INVALID_HANDLE;
		return WAIT_FAILED;
	}
	{
		DWORD saved = last_error;

		r = kernel_wait(&fd, 1, false, ms, alertable, -1);
		if (r == WAIT_FAILED && last_error == ERROR_INVALID_HANDLE &&
		    is_pidfd(fd)) {
			last_error = saved;
			r = wait_process(fd, ms, alertable);
		}
	}
	return r;
}

WS32_EXPORT DWORD WINAPI WaitForSingleObject(HANDLE h, DWORD ms)
{
	return WaitForSingleObjectEx(h, ms, FALSE);
}

WS32_EXPORT DWORD WINAPI WaitForMultipleObjectsEx(DWORD count,
						  const HANDLE *handles,
						  BOOL all, DWORD ms,
						  BOOL alertable)
{
	int fds[MAXIMUM_WAIT_OBJECTS];
	DWORD i;

	if (count == 0 || count > MAXIMUM_WAIT_OBJECTS || !handles) {
		last_error = ERROR_INVALID_PARAMETER;
		return WAIT_FAILED;
	}
	for (i = 0; i < count; i++) {
		fds[i] = winsync_handle_to_fd(handles[i]);
		if (fds[i] < 0) {
			last_error = ERROR_INVALID_HANDLE;
			return WAIT_FAILED;
		}
	}
	return kernel_wait(fds, count, all, ms, alertable, -1);
}

WS32_EXPORT DWORD WINAPI WaitForMultipleObjects(DWORD count,
						const HANDLE *handles,
						BOOL all, DWORD ms)
{
	return WaitForMultipleObjectsEx(count, handles, all, ms, FALSE);
}

WS32_EXPORT DWORD WINAPI SignalObjectAndWait(HANDLE sig, HANDLE wait,
					     DWORD ms, BOOL alertable)
{
	int sfd = winsync_handle_to_fd(sig);
	int wfd = winsync_handle_to_fd(wait);

	if (sfd < 0 || wfd < 0) {
		last_error = ERROR_INVALID_HANDLE;
		return WAIT_FAILED;
	}
	return kernel_wait(&wfd, 1, false, ms, alertable, sfd);
}

WS32_EXPORT DWORD WINAPI SleepEx(DWORD ms, BOOL alertable)
{
	DWORD r = wait_nothing(ms, alertable);

	return r == WAIT_IO_COMPLETION ? WAIT_IO_COMPLETION : 0;
}

WS32_EXPORT VOID WINAPI Sleep(DWORD ms)
{
	wait_nothing(ms, FALSE);
}

/* --------------------------------------------------------------- handles */

/* Close a descriptor the application owns, forgetting what we know of it. */
static int close_fd(int fd)
{
	ws32_timer_unbind(fd);
	ws32_thread_handle_closed(fd);
	ws32_fdflags_set(fd, 0);
	if (close(fd) < 0 && errno == EBADF)
		return -EBADF;
	return 0;
}

WS32_EXPORT BOOL WINAPI CloseHandle(HANDLE h)
{
	int fd;

	/* Closing a pseudo-handle has no effect. */
	if (h == PSEUDO_PROCESS || h == PSEUDO_THREAD)
		return TRUE;
	fd = handle_fd_checked(h);
	if (fd < 0)
		return FALSE;
	if (ws32_fdflags_get(fd) & (WS32_FD_PROTECT | WS32_FD_INTERNAL))
		return fail(ERROR_INVALID_HANDLE);
	if (close_fd(fd) < 0)
		return fail(ERROR_INVALID_HANDLE);
	return TRUE;
}

WS32_EXPORT BOOL WINAPI GetHandleInformation(HANDLE h, LPDWORD flags)
{
	unsigned int f;
	int fd, fdf;

	fd = handle_fd_checked(h);
	if (fd < 0)
		return FALSE;
	f = ws32_fdflags_get(fd);
	if (f & WS32_FD_INTERNAL)
		return fail(ERROR_INVALID_HANDLE);
	if (!flags)
		return fail(ERROR_INVALID_PARAMETER);
	fdf = fcntl(fd, F_GETFD);
	if (fdf < 0)
		return fail(ERROR_INVALID_HANDLE);
	*flags = (fdf & FD_CLOEXEC ? 0 : HANDLE_FLAG_INHERIT) |
		 (f & WS32_FD_PROTECT ? HANDLE_FLAG_PROTECT_FROM_CLOSE : 0);
	return TRUE;
}

WS32_EXPORT BOOL WINAPI SetHandleInformation(HANDLE h, DWORD mask, DWORD flags)
{
	unsigned int f;
	int fd, fdf;

	fd = handle_fd_checked(h);
	if (fd < 0)
		return FALSE;
	f = ws32_fdflags_get(fd);
	if (f & WS32_FD_INTERNAL)
		return fail(ERROR_INVALID_HANDLE);
	if (mask & HANDLE_FLAG_INHERIT) {
		fdf = fcntl(fd, F_GETFD);
		if (fdf < 0)
			return fail(ERROR_INVALID_HANDLE);
		fdf = flags & HANDLE_FLAG_INHERIT ? fdf & ~FD_CLOEXEC :
			fdf | FD_CLOEXEC;
		if (fcntl(fd, F_SETFD, fdf) < 0)
			return fail_errno(errno);
	}
	if (mask & HANDLE_FLAG_PROTECT_FROM_CLOSE) {
		f = flags & HANDLE_FLAG_PROTECT_FROM_CLOSE ?
		    f | WS32_FD_PROTECT : f & ~WS32_FD_PROTECT;
		ws32_fdflags_set(fd, f);
	}
	return TRUE;
}

static int set_inherit(int fd, BOOL inherit)
{
	int fdf = fcntl(fd, F_GETFD);

	if (fdf < 0)
		return -errno;
	fdf = inherit ? fdf & ~FD_CLOEXEC : fdf | FD_CLOEXEC;
	return fcntl(fd, F_SETFD, fdf) < 0 ? -errno : 0;
}

/*
 * The process a process handle stands for: 0 for the calling process, 1 for
 * another one (*pidfd set), -1 with the error set for anything else.
 */
static int which_process(HANDLE h, int *pidfd)
{
	int fd;

	if (h == PSEUDO_PROCESS)
		return 0;
	fd = winsync_handle_to_fd(h);
	if (fd < 0 || fcntl(fd, F_GETFD) < 0 || !is_pidfd(fd)) {
		last_error = ERROR_INVALID_HANDLE;
		return -1;
	}
	if (pidfd_pid(fd) == getpid())
		return 0;
	*pidfd = fd;
	return 1;
}

/*
 * A new descriptor for the object of src: the same access (DUPLICATE_SAME_
 * ACCESS, or a descriptor that is not a winsync handle), or the access
 * asked for, never more than src has.  The new descriptor is the lowest
 * free one.  Returns it, or -errno.
 */
static int dup_access(int src, DWORD desired, BOOL inherit, bool same)
{
	struct winsync_obj_info info;
	uint32_t type = WINSYNC_TYPE_EVENT, access;
	bool maximum;
	DWORD err;
	int fd;

	if (!same) {
		/* A mutex maps GENERIC_WRITE differently: learn the type. */
		if (!winsync_query(src, &info))
			type = info.type;
		err = map_access(type, desired, &access, &maximum);
		if (err)
			return err == ERROR_PRIVILEGE_NOT_HELD ? -EPERM : -EACCES;
		if (maximum)
			same = true;
	}
	if (!same) {
		fd = winsync_reopen(src, access,
				    inherit ? WINSYNC_CREATE_INHERIT : 0);
		if (fd != -ENOTTY)
			return fd;
		/* Not a winsync handle (a process handle): no access to set. */
	}
	fd = fcntl(src, inherit ? F_DUPFD : F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (same)
		ws32_thread_handle_dup(src, fd);
	return fd;
}

static BOOL dup_error(int ret, DWORD desired)
{
	if (ret == -EPERM && (desired & ACCESS_SYSTEM_SECURITY))
		return fail(ERROR_PRIVILEGE_NOT_HELD);
	return fail_errno(ret);
}

WS32_EXPORT BOOL WINAPI DuplicateHandle(HANDLE src_proc, HANDLE src,
					HANDLE dst_proc, LPHANDLE dst,
					DWORD desired, BOOL inherit,
					DWORD options)
{
	bool same = options & DUPLICATE_SAME_ACCESS;
	bool close_src = options & DUPLICATE_CLOSE_SOURCE;
	int src_pidfd = -1, dst_pidfd = -1, where, sfd = -1, fd, ret;
	unsigned int sflags = 0;

	if (options & ~(DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE))
		return fail(ERROR_INVALID_PARAMETER);
	where = which_process(src_proc, &src_pidfd);
	if (where < 0)
		return FALSE;

	if (where == 1) {
		/* From another process: pidfd_getfd(2). */
		int rfd;

		if (close_src)
			return fail(ERROR_NOT_SUPPORTED);
		if (!dst_proc)
			return fail(ERROR_INVALID_HANDLE);
		where = which_process(dst_proc, &dst_pidfd);
		if (where < 0)
			return FALSE;
		if (where > 0)
			return fail(ERROR_NOT_SUPPORTED);
		if (!dst)
			return fail(ERROR_INVALID_PARAMETER);
		if (src == PSEUDO_PROCESS) {
			fd = fcntl(src_pidfd, inherit ? F_DUPFD : F_DUPFD_CLOEXEC, 0);
			if (fd < 0)
				return fail_errno(errno);
			*dst = to_handle(fd);
			return TRUE;
		}
		rfd = winsync_handle_to_fd(src);
		if (rfd < 0)
			return fail(ERROR_INVALID_HANDLE);
		fd = (int)syscall(SYS_pidfd_getfd, src_pidfd, rfd, 0);
		if (fd < 0) {
			int e = errno;

			if (e == ESRCH || e == EBADF)
				return fail(ERROR_INVALID_HANDLE);
			return fail_errno(e);	/* EPERM: ERROR_ACCESS_DENIED */
		}
		if (same) {
			ret = set_inherit(fd, inherit);
		} else {
			ret = dup_access(fd, desired, inherit, false);
			close(fd);
			fd = ret;
		}
		if (ret < 0) {
			if (fd >= 0)
				close(fd);
			return dup_error(ret, desired);
		}
		*dst = to_handle(fd);
		return TRUE;
	}

	/* From this process. */
	if (src == PSEUDO_PROCESS || src == PSEUDO_THREAD) {
		close_src = false;	/* nothing to close */
	} else {
		sfd = handle_fd_checked(src);
		if (sfd < 0)
			return FALSE;
		sflags = ws32_fdflags_get(sfd);
		if (sflags & WS32_FD_INTERNAL)
			return fail(ERROR_INVALID_HANDLE);
	}

	if (!dst_proc) {
		/* Only DUPLICATE_CLOSE_SOURCE makes sense: close the source. */
		if (close_src && !(sflags & WS32_FD_PROTECT))
			close_fd(sfd);
		if (close_src)
			return TRUE;
		return fail(ERROR_INVALID_HANDLE);
	}
	where = which_process(dst_proc, &dst_pidfd);
	if (where != 0 || !dst) {
		DWORD err = where < 0 ? ERROR_INVALID_HANDLE :
			    where > 0 ? ERROR_NOT_SUPPORTED :
			    ERROR_INVALID_PARAMETER;

		if (close_src && !(sflags & WS32_FD_PROTECT))
			close_fd(sfd);
		return fail(err);
	}

	if (src == PSEUDO_PROCESS) {
		fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
		if (fd < 0)
			return fail_errno(errno);
		if (inherit && set_inherit(fd, TRUE) < 0) {
			close(fd);
			return fail_errno(errno);
		}
		*dst = to_handle(fd);
		return TRUE;
	}
	if (src == PSEUDO_THREAD) {
		fd = ws32_thread_handle_new(inherit);
		if (fd < 0)
			return fail_errno(fd);
		*dst = to_handle(fd);
		return TRUE;
	}

	if (same && close_src && !(sflags & WS32_FD_PROTECT)) {
		/* The same slot: the handle value does not change. */
		ret = set_inherit(sfd, inherit);
		if (ret < 0)
			return fail_errno(ret);
		*dst = src;
		return TRUE;
	}
	fd = dup_access(sfd, desired, inherit, same);
	if (close_src && !(sflags & WS32_FD_PROTECT))
		close_fd(sfd);
	if (fd < 0)
		return dup_error(fd, desired);
	*dst = to_handle(fd);
	return TRUE;
}

/* ------------------------------------------------- processes and threads */

WS32_EXPORT HANDLE WINAPI GetCurrentProcess(void)
{
	return PSEUDO_PROCESS;
}

WS32_EXPORT HANDLE WINAPI GetCurrentThread(void)
{
	return PSEUDO_THREAD;
}

WS32_EXPORT DWORD WINAPI GetCurrentProcessId(void)
{
	return (DWORD)getpid();
}

WS32_EXPORT DWORD WINAPI GetCurrentThreadId(void)
{
	return (DWORD)syscall(SYS_gettid);
}

WS32_EXPORT HANDLE WINAPI OpenProcess(DWORD access, BOOL inherit, DWORD pid)
{
	int fd;

	(void)access;
	if (pid == 0 || pid > INT_MAX) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (fd < 0) {
		last_error = errno == ESRCH ? ERROR_INVALID_PARAMETER :
			     ws32_map_errno(errno);
		return NULL;
	}
	if (inherit && set_inherit(fd, TRUE) < 0) {
		last_error = ws32_map_errno(errno);
		close(fd);
		return NULL;
	}
	return to_handle(fd);
}

/* ------------------------------------------------- handles over sockets */

WS32_EXPORT BOOL winsync_send_handle(int sock, HANDLE h)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg;
	struct cmsghdr *cmsg;
	struct iovec iov;
	char byte = 'H';
	int fd = handle_fd_checked(h);

	if (fd < 0)
		return FALSE;
	memset(&msg, 0, sizeof(msg));
	memset(&u, 0, sizeof(u));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	for (;;) {
		ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);

		if (n == 1)
			return TRUE;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE)
			return fail(ERROR_BROKEN_PIPE);
		return fail(n < 0 && errno == EBADF ? ERROR_INVALID_PARAMETER :
			    n < 0 ? ws32_map_errno(errno) : ERROR_GEN_FAILURE);
	}
}

WS32_EXPORT BOOL winsync_recv_handle(int sock, HANDLE *h)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} u;
	struct msghdr msg;
	struct cmsghdr *cmsg;
	struct iovec iov;
	char byte;
	ssize_t n;
	int fd = -1;

	if (!h)
		return fail(ERROR_INVALID_PARAMETER);
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return fail(errno == EBADF || errno == ENOTSOCK ?
			    ERROR_INVALID_PARAMETER : ws32_map_errno(errno));
	if (n == 0)
		return fail(ERROR_BROKEN_PIPE);
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		size_t i, nfd;

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			int f;

			memcpy(&f, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
			if (fd < 0)
				fd = f;
			else
				close(f);
		}
	}
	if (fd < 0)
		return fail(ERROR_INVALID_DATA);
	*h = to_handle(fd);
	return TRUE;
}
