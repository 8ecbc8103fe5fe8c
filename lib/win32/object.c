// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwinsync-win32: objects.  Names (UTF-16 -> UTF-8), access masks, the
 * one creation path and the one open path that every Create* and Open* of
 * every type goes through (a table of per-type facts, create_typed() and
 * open_typed()), and the operations of events, mutexes and semaphores.
 * Timers' operations are in timer.c.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Permission bits of new named objects: owner only, like Windows' default. */
#define NAMED_MODE	0600

/* Rights by type, in the kernel's (Windows') bits. */
#define STD_RIGHTS	(DELETE | READ_CONTROL | WRITE_DAC | WRITE_OWNER | \
			 SYNCHRONIZE)
#define READ_RIGHTS	(SYNCHRONIZE | READ_CONTROL | WINSYNC_ACCESS_QUERY_STATE)
#define WRITE_RIGHTS	(DELETE | WRITE_DAC | WRITE_OWNER | \
			 WINSYNC_ACCESS_MODIFY_STATE)

/* ----------------------------------------------------------------- names */

/*
 * An object name as the kernel takes it, with what converting the caller's
 * went wrong (the error comes after the flags' and the access's, see
 * core.c), and whether the caller passed NULL (which Open* refuses).
 */
struct name {
	char buf[MAX_PATH * 3 + 1];	/* UTF-8 of at most MAX_PATH units */
	const char *str;		/* NULL: unnamed */
	DWORD err;			/* 0 or a Win32 error */
	bool null;			/* the caller's pointer was NULL */
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
static DWORD name_a_str(struct name *n, LPCSTR s)
{
	if (!s || !*s)
		return 0;
	if (utf16_units(s) > MAX_PATH)
		return ERROR_FILENAME_EXCED_RANGE;
	n->str = s;
	return 0;
}

/* A W name: UTF-16, converted to UTF-8.  0 or a Win32 error. */
static DWORD name_w_str(struct name *n, LPCWSTR s)
{
	size_t len = 0, i, o = 0;

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

static void name_a(struct name *n, LPCSTR s)
{
	n->str = NULL;
	n->null = !s;
	n->err = name_a_str(n, s);
}

static void name_w(struct name *n, LPCWSTR s)
{
	n->str = NULL;
	n->null = !s;
	n->err = name_w_str(n, s);
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
DWORD ws32_map_access(uint32_t type, DWORD in, uint32_t *out, bool *maximum)
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

/* -------------------------------------------------- the per-type table */

/*
 * What Create* and Open* need to know of a type: its kernel type, the
 * dwFlags of Create*Ex and their kernel flags, and whether it has counts
 * (a semaphore).
 */
struct obj_type {
	uint32_t type;			/* WINSYNC_TYPE_* */
	DWORD valid_flags;		/* Create*Ex's dwFlags */
	struct {
		DWORD flag;		/* a CREATE_* flag */
		uint32_t kflag;		/* its WINSYNC_CREATE_* flag */
	} map[2];
	bool counts;			/* lInitialCount, lMaximumCount */
};

static const struct obj_type EVENT = {
	.type = WINSYNC_TYPE_EVENT,
	.valid_flags = CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET,
	.map = {
		{ CREATE_EVENT_MANUAL_RESET, WINSYNC_CREATE_MANUAL_RESET },
		{ CREATE_EVENT_INITIAL_SET, WINSYNC_CREATE_SIGNALED },
	},
};

static const struct obj_type MUTEX = {
	.type = WINSYNC_TYPE_MUTEX,
	.valid_flags = CREATE_MUTEX_INITIAL_OWNER,
	.map = { { CREATE_MUTEX_INITIAL_OWNER, WINSYNC_CREATE_OWNED } },
};

static const struct obj_type SEMAPHORE = {
	.type = WINSYNC_TYPE_SEM,
	.counts = true,
};

/* CREATE_WAITABLE_TIMER_HIGH_RESOLUTION: accepted; every timer is. */
static const struct obj_type TIMER = {
	.type = WINSYNC_TYPE_TIMER,
	.valid_flags = CREATE_WAITABLE_TIMER_MANUAL_RESET |
		       CREATE_WAITABLE_TIMER_HIGH_RESOLUTION,
	.map = {
		{ CREATE_WAITABLE_TIMER_MANUAL_RESET,
		  WINSYNC_CREATE_MANUAL_RESET },
	},
};

/* ------------------------------------------------------ create and open */

/* The kernel's error for name n, as Windows reports it. */
static DWORD kernel_error(int ret, const struct name *n)
{
	return ret == -EINVAL && n->str ? name_syntax_error(n->str) :
	       ws32_map_errno(ret);
}

/*
 * Every Create* and Create*Ex: a new object of type ot, or the existing one
 * of that name.  Returns ERROR_SUCCESS or ERROR_ALREADY_EXISTS with *fd
 * set, or an error with *fd = -1 (see ws32_created()).  The checks come in
 * Windows' order (core.c).
 */
static DWORD create_typed(const struct obj_type *ot, LPSECURITY_ATTRIBUTES sa,
			  const struct name *n, DWORD flags, DWORD desired,
			  LONG initial, LONG max, int *fd)
{
	struct winsync_create_args args;
	uint32_t access;
	bool maximum;
	DWORD err;
	int dev, i;

	*fd = -1;
	if (flags & ~ot->valid_flags)
		return ERROR_INVALID_PARAMETER;
	if (ot->counts && (max <= 0 || initial < 0 || initial > max))
		return ERROR_INVALID_PARAMETER;
	err = ws32_map_access(ot->type, desired, &access, &maximum);
	if (err)
		return err;
	if (maximum)
		access = type_all(ot->type);
	if (n->err)
		return n->err;
	err = ws32_dev(&dev);
	if (err)
		return err;

	memset(&args, 0, sizeof(args));
	args.type = ot->type;
	for (i = 0; i < 2; i++) {
		if (ot->map[i].flag && (flags & ot->map[i].flag))
			args.flags |= ot->map[i].kflag;
	}
	if (sa && sa->bInheritHandle)
		args.flags |= WINSYNC_CREATE_INHERIT;
	args.access = access;
	if (ot->counts) {
		args.sem_count = (uint32_t)initial;
		args.sem_max = (uint32_t)max;
	}
	if (n->str) {
		args.name = (uintptr_t)n->str;
		args.name_len = (uint32_t)strlen(n->str);
		args.mode = NAMED_MODE;
	}
	i = winsync_create(dev, &args);
	if (i < 0)
		return kernel_error(i, n);
	*fd = i;
	return args.status == WINSYNC_OPENED_EXISTING ? ERROR_ALREADY_EXISTS :
	       ERROR_SUCCESS;
}

static int kernel_open(int dev, uint32_t type, const char *name,
		       uint32_t access, BOOL inherit)
{
	return winsync_open(dev, type, name, access,
			    inherit ? WINSYNC_CREATE_INHERIT : 0);
}

/*
 * MAXIMUM_ALLOWED: the most of these that the object grants, in this
 * order.  Returns the descriptor or -errno.
 */
static int open_maximum(int dev, uint32_t type, const char *name,
			uint32_t access, BOOL inherit)
{
	uint32_t mutex_mask = type == WINSYNC_TYPE_MUTEX ?
			      ~(uint32_t)WINSYNC_ACCESS_MODIFY_STATE : ~0u;
	uint32_t tries[4] = {
		type_all(type),
		(access | READ_RIGHTS) & mutex_mask,
		(access | WRITE_RIGHTS) & mutex_mask,
		access,
	};
	int i, fd = -EACCES;

	for (i = 0; i < 4 && fd == -EACCES; i++) {
		if (!tries[i])
			continue;
		fd = kernel_open(dev, type, name, tries[i], inherit);
	}
	return fd;
}

/* Every Open*: the object of type ot named n.  0 with *fd set, or an error. */
static DWORD open_typed(const struct obj_type *ot, DWORD desired, BOOL inherit,
			const struct name *n, int *fd)
{
	uint32_t access = 0;
	bool maximum = false;
	DWORD err;
	int dev;

	*fd = -1;
	if (n->null)
		return ERROR_INVALID_PARAMETER;
	if (n->err)
		return n->err;
	if (!n->str)
		return ERROR_INVALID_NAME;	/* "": no such name can exist */
	err = ws32_dev(&dev);
	if (err)
		return err;

	err = ws32_map_access(ot->type, desired, &access, &maximum);
	if (!err && !access && !maximum)
		err = ERROR_ACCESS_DENIED;
	if (err) {
		/*
		 * The name is looked up first: a missing one is reported.
		 * The kernel refuses a request for no right with EACCES
		 * once it has found the name (older modules opened it).
		 */
		int ret = kernel_open(dev, ot->type, n->str, 0, FALSE);

		if (ret < 0 && ret != -EACCES)
			return kernel_error(ret, n);
		if (ret >= 0)
			close(ret);
		return err;
	}

	if (maximum)
		*fd = open_maximum(dev, ot->type, n->str, access, inherit);
	else
		*fd = kernel_open(dev, ot->type, n->str, access, inherit);
	if (*fd < 0) {
		err = kernel_error(*fd, n);
		*fd = -1;
	}
	return err;
}

/*
 * The entry points: convert the name, call create_typed() or open_typed(),
 * set the last error.  Real functions, one per symbol, so that the
 * symbols, the man pages and grep line up.
 */

/* ---------------------------------------------------------------- events */

static DWORD event_flags(BOOL manual, BOOL initial)
{
	return (manual ? CREATE_EVENT_MANUAL_RESET : 0) |
	       (initial ? CREATE_EVENT_INITIAL_SET : 0);
}

WS32_EXPORT HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES sa, BOOL manual,
				       BOOL initial, LPCSTR name)
{
	struct name n;
	DWORD st;
	int fd;

	name_a(&n, name);
	st = create_typed(&EVENT, sa, &n, event_flags(manual, initial),
			  EVENT_ALL_ACCESS, 0, 0, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES sa, BOOL manual,
				       BOOL initial, LPCWSTR name)
{
	struct name n;
	DWORD st;
	int fd;

	name_w(&n, name);
	st = create_typed(&EVENT, sa, &n, event_flags(manual, initial),
			  EVENT_ALL_ACCESS, 0, 0, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI CreateEventExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name,
					 DWORD flags, DWORD access)
{
	struct name n;
	DWORD st;
	int fd;

	name_a(&n, name);
	st = create_typed(&EVENT, sa, &n, flags, access, 0, 0, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI CreateEventExW(LPSECURITY_ATTRIBUTES sa,
					 LPCWSTR name, DWORD flags,
					 DWORD access)
{
	struct name n;
	DWORD st;
	int fd;

	name_w(&n, name);
	st = create_typed(&EVENT, sa, &n, flags, access, 0, 0, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI OpenEventA(DWORD access, BOOL inherit, LPCSTR name)
{
	struct name n;
	DWORD err;
	int fd;

	name_a(&n, name);
	err = open_typed(&EVENT, access, inherit, &n, &fd);
	return ws32_handle(err, fd);
}

WS32_EXPORT HANDLE WINAPI OpenEventW(DWORD access, BOOL inherit, LPCWSTR name)
{
	struct name n;
	DWORD err;
	int fd;

	name_w(&n, name);
	err = open_typed(&EVENT, access, inherit, &n, &fd);
	return ws32_handle(err, fd);
}

static DWORD event_op(HANDLE h, int (*op)(int, uint32_t *))
{
	int fd = winsync_handle_to_fd(h);
	int ret;

	if (fd < 0)
		return ERROR_INVALID_HANDLE;
	ret = op(fd, NULL);
	return ret < 0 ? ws32_map_errno(ret) : 0;
}

WS32_EXPORT BOOL WINAPI SetEvent(HANDLE h)
{
	return ws32_bool(event_op(h, winsync_event_set));
}

WS32_EXPORT BOOL WINAPI ResetEvent(HANDLE h)
{
	return ws32_bool(event_op(h, winsync_event_reset));
}

WS32_EXPORT BOOL WINAPI PulseEvent(HANDLE h)
{
	return ws32_bool(event_op(h, winsync_event_pulse));
}

/* --------------------------------------------------------------- mutexes */

WS32_EXPORT HANDLE WINAPI CreateMutexA(LPSECURITY_ATTRIBUTES sa, BOOL owner,
				       LPCSTR name)
{
	struct name n;
	DWORD st;
	int fd;

	name_a(&n, name);
	st = create_typed(&MUTEX, sa, &n,
			  owner ? CREATE_MUTEX_INITIAL_OWNER : 0,
			  MUTEX_ALL_ACCESS, 0, 0, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI CreateMutexW(LPSECURITY_ATTRIBUTES sa, BOOL owner,
				       LPCWSTR name)
{
	struct name n;
	DWORD st;
	int fd;

	name_w(&n, name);
	st = create_typed(&MUTEX, sa, &n,
			  owner ? CREATE_MUTEX_INITIAL_OWNER : 0,
			  MUTEX_ALL_ACCESS, 0, 0, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI CreateMutexExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name,
					 DWORD flags, DWORD access)
{
	struct name n;
	DWORD st;
	int fd;

	name_a(&n, name);
	st = create_typed(&MUTEX, sa, &n, flags, access, 0, 0, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI CreateMutexExW(LPSECURITY_ATTRIBUTES sa,
					 LPCWSTR name, DWORD flags,
					 DWORD access)
{
	struct name n;
	DWORD st;
	int fd;

	name_w(&n, name);
	st = create_typed(&MUTEX, sa, &n, flags, access, 0, 0, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI OpenMutexA(DWORD access, BOOL inherit, LPCSTR name)
{
	struct name n;
	DWORD err;
	int fd;

	name_a(&n, name);
	err = open_typed(&MUTEX, access, inherit, &n, &fd);
	return ws32_handle(err, fd);
}

WS32_EXPORT HANDLE WINAPI OpenMutexW(DWORD access, BOOL inherit, LPCWSTR name)
{
	struct name n;
	DWORD err;
	int fd;

	name_w(&n, name);
	err = open_typed(&MUTEX, access, inherit, &n, &fd);
	return ws32_handle(err, fd);
}

static DWORD mutex_release(HANDLE h)
{
	int fd = winsync_handle_to_fd(h);
	int ret;

	if (fd < 0)
		return ERROR_INVALID_HANDLE;
	ret = winsync_mutex_release(fd, NULL);
	if (ret == -EPERM)
		return ERROR_NOT_OWNER;
	return ret < 0 ? ws32_map_errno(ret) : 0;
}

WS32_EXPORT BOOL WINAPI ReleaseMutex(HANDLE h)
{
	return ws32_bool(mutex_release(h));
}

/* ------------------------------------------------------------ semaphores */

WS32_EXPORT HANDLE WINAPI CreateSemaphoreA(LPSECURITY_ATTRIBUTES sa,
					   LONG initial, LONG max, LPCSTR name)
{
	struct name n;
	DWORD st;
	int fd;

	name_a(&n, name);
	st = create_typed(&SEMAPHORE, sa, &n, 0, SEMAPHORE_ALL_ACCESS,
			  initial, max, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI CreateSemaphoreW(LPSECURITY_ATTRIBUTES sa,
					   LONG initial, LONG max,
					   LPCWSTR name)
{
	struct name n;
	DWORD st;
	int fd;

	name_w(&n, name);
	st = create_typed(&SEMAPHORE, sa, &n, 0, SEMAPHORE_ALL_ACCESS,
			  initial, max, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI CreateSemaphoreExA(LPSECURITY_ATTRIBUTES sa,
					     LONG initial, LONG max,
					     LPCSTR name, DWORD flags,
					     DWORD access)
{
	struct name n;
	DWORD st;
	int fd;

	name_a(&n, name);
	st = create_typed(&SEMAPHORE, sa, &n, flags, access, initial, max, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI CreateSemaphoreExW(LPSECURITY_ATTRIBUTES sa,
					     LONG initial, LONG max,
					     LPCWSTR name, DWORD flags,
					     DWORD access)
{
	struct name n;
	DWORD st;
	int fd;

	name_w(&n, name);
	st = create_typed(&SEMAPHORE, sa, &n, flags, access, initial, max, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI OpenSemaphoreA(DWORD access, BOOL inherit,
					 LPCSTR name)
{
	struct name n;
	DWORD err;
	int fd;

	name_a(&n, name);
	err = open_typed(&SEMAPHORE, access, inherit, &n, &fd);
	return ws32_handle(err, fd);
}

WS32_EXPORT HANDLE WINAPI OpenSemaphoreW(DWORD access, BOOL inherit,
					 LPCWSTR name)
{
	struct name n;
	DWORD err;
	int fd;

	name_w(&n, name);
	err = open_typed(&SEMAPHORE, access, inherit, &n, &fd);
	return ws32_handle(err, fd);
}

static DWORD sem_release(HANDLE h, LONG count, LPLONG prev)
{
	int fd = winsync_handle_to_fd(h);
	uint32_t p;
	int ret;

	if (count <= 0)
		return ERROR_INVALID_PARAMETER;
	if (fd < 0)
		return ERROR_INVALID_HANDLE;
	ret = winsync_sem_release(fd, (uint32_t)count, &p);
	if (ret < 0)
		return ws32_map_errno(ret);	/* EOVERFLOW: ERROR_TOO_MANY_POSTS */
	if (prev)
		*prev = (LONG)p;
	return 0;
}

WS32_EXPORT BOOL WINAPI ReleaseSemaphore(HANDLE h, LONG count, LPLONG prev)
{
	return ws32_bool(sem_release(h, count, prev));
}

/* ---------------------------------------------------------------- timers */

WS32_EXPORT HANDLE WINAPI CreateWaitableTimerA(LPSECURITY_ATTRIBUTES sa,
					       BOOL manual, LPCSTR name)
{
	struct name n;
	DWORD st;
	int fd;

	name_a(&n, name);
	st = create_typed(&TIMER, sa, &n,
			  manual ? CREATE_WAITABLE_TIMER_MANUAL_RESET : 0,
			  TIMER_ALL_ACCESS, 0, 0, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI CreateWaitableTimerW(LPSECURITY_ATTRIBUTES sa,
					       BOOL manual, LPCWSTR name)
{
	struct name n;
	DWORD st;
	int fd;

	name_w(&n, name);
	st = create_typed(&TIMER, sa, &n,
			  manual ? CREATE_WAITABLE_TIMER_MANUAL_RESET : 0,
			  TIMER_ALL_ACCESS, 0, 0, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI CreateWaitableTimerExA(LPSECURITY_ATTRIBUTES sa,
						 LPCSTR name, DWORD flags,
						 DWORD access)
{
	struct name n;
	DWORD st;
	int fd;

	name_a(&n, name);
	st = create_typed(&TIMER, sa, &n, flags, access, 0, 0, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI CreateWaitableTimerExW(LPSECURITY_ATTRIBUTES sa,
						 LPCWSTR name, DWORD flags,
						 DWORD access)
{
	struct name n;
	DWORD st;
	int fd;

	name_w(&n, name);
	st = create_typed(&TIMER, sa, &n, flags, access, 0, 0, &fd);
	return ws32_created(st, fd);
}

WS32_EXPORT HANDLE WINAPI OpenWaitableTimerA(DWORD access, BOOL inherit,
					     LPCSTR name)
{
	struct name n;
	DWORD err;
	int fd;

	name_a(&n, name);
	err = open_typed(&TIMER, access, inherit, &n, &fd);
	return ws32_handle(err, fd);
}

WS32_EXPORT HANDLE WINAPI OpenWaitableTimerW(DWORD access, BOOL inherit,
					     LPCWSTR name)
{
	struct name n;
	DWORD err;
	int fd;

	name_w(&n, name);
	err = open_typed(&TIMER, access, inherit, &n, &fd);
	return ws32_handle(err, fd);
}
