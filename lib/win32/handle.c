// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwinsync-win32: handles.  The library's flags of each descriptor
 * (HANDLE_FLAG_PROTECT_FROM_CLOSE, and a mark on its own descriptors so
 * that CloseHandle() cannot close them), CloseHandle(), the handle
 * information, DuplicateHandle() and handles over UNIX sockets.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* F_DUPFD_CLOEXEC, MSG_CMSG_CLOEXEC */
#endif

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

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

/* A handle's descriptor in *fd if it is open, else ERROR_INVALID_HANDLE. */
DWORD ws32_handle_fd(HANDLE h, int *fd)
{
	*fd = winsync_handle_to_fd(h);
	if (*fd < 0 || fcntl(*fd, F_GETFD) < 0)
		return ERROR_INVALID_HANDLE;
	return 0;
}

/* 0 or -errno. */
int ws32_set_inherit(int fd, BOOL inherit)
{
	int fdf = fcntl(fd, F_GETFD);

	if (fdf < 0)
		return -errno;
	fdf = inherit ? fdf & ~FD_CLOEXEC : fdf | FD_CLOEXEC;
	return fcntl(fd, F_SETFD, fdf) < 0 ? -errno : 0;
}

/* -------------------------------------------------------------- closing */

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

static DWORD close_handle(HANDLE h)
{
	DWORD err;
	int fd;

	/* Closing a pseudo-handle has no effect. */
	if (h == PSEUDO_PROCESS || h == PSEUDO_THREAD)
		return 0;
	err = ws32_handle_fd(h, &fd);
	if (err)
		return err;
	if (ws32_fdflags_get(fd) & (WS32_FD_PROTECT | WS32_FD_INTERNAL))
		return ERROR_INVALID_HANDLE;
	if (close_fd(fd) < 0)
		return ERROR_INVALID_HANDLE;
	return 0;
}

WS32_EXPORT BOOL WINAPI CloseHandle(HANDLE h)
{
	return ws32_bool(close_handle(h));
}

/* --------------------------------------------------- handle information */

static DWORD get_info(HANDLE h, LPDWORD flags)
{
	unsigned int f;
	int fd, fdf;
	DWORD err;

	err = ws32_handle_fd(h, &fd);
	if (err)
		return err;
	f = ws32_fdflags_get(fd);
	if (f & WS32_FD_INTERNAL)
		return ERROR_INVALID_HANDLE;
	if (!flags)
		return ERROR_INVALID_PARAMETER;
	fdf = fcntl(fd, F_GETFD);
	if (fdf < 0)
		return ERROR_INVALID_HANDLE;
	*flags = (fdf & FD_CLOEXEC ? 0 : HANDLE_FLAG_INHERIT) |
		 (f & WS32_FD_PROTECT ? HANDLE_FLAG_PROTECT_FROM_CLOSE : 0);
	return 0;
}

WS32_EXPORT BOOL WINAPI GetHandleInformation(HANDLE h, LPDWORD flags)
{
	return ws32_bool(get_info(h, flags));
}

static DWORD set_info(HANDLE h, DWORD mask, DWORD flags)
{
	unsigned int f;
	int fd, fdf;
	DWORD err;

	err = ws32_handle_fd(h, &fd);
	if (err)
		return err;
	f = ws32_fdflags_get(fd);
	if (f & WS32_FD_INTERNAL)
		return ERROR_INVALID_HANDLE;
	if (mask & HANDLE_FLAG_INHERIT) {
		fdf = fcntl(fd, F_GETFD);
		if (fdf < 0)
			return ERROR_INVALID_HANDLE;
		fdf = flags & HANDLE_FLAG_INHERIT ? fdf & ~FD_CLOEXEC :
			fdf | FD_CLOEXEC;
		if (fcntl(fd, F_SETFD, fdf) < 0)
			return ws32_map_errno(errno);
	}
	if (mask & HANDLE_FLAG_PROTECT_FROM_CLOSE) {
		f = flags & HANDLE_FLAG_PROTECT_FROM_CLOSE ?
		    f | WS32_FD_PROTECT : f & ~WS32_FD_PROTECT;
		ws32_fdflags_set(fd, f);
	}
	return 0;
}

WS32_EXPORT BOOL WINAPI SetHandleInformation(HANDLE h, DWORD mask, DWORD flags)
{
	return ws32_bool(set_info(h, mask, flags));
}

/* ------------------------------------------------------ DuplicateHandle */

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
		err = ws32_map_access(type, desired, &access, &maximum);
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

/* The Win32 error of dup_access()'s -errno. */
static DWORD dup_error(int ret, DWORD desired)
{
	if (ret == -EPERM && (desired & ACCESS_SYSTEM_SECURITY))
		return ERROR_PRIVILEGE_NOT_HELD;
	return ws32_map_errno(ret);
}

/* From another process (src_pidfd) into this one: pidfd_getfd(2). */
static DWORD dup_from_process(int src_pidfd, HANDLE src, HANDLE dst_proc,
			      LPHANDLE dst, DWORD desired, BOOL inherit,
			      DWORD options)
{
	int dst_pidfd = -1, rfd, fd, ret;
	bool other;
	DWORD err;

	if (options & DUPLICATE_CLOSE_SOURCE)
		return ERROR_NOT_SUPPORTED;
	if (!dst_proc)
		return ERROR_INVALID_HANDLE;
	err = ws32_which_process(dst_proc, &dst_pidfd, &other);
	if (err)
		return err;
	if (other)
		return ERROR_NOT_SUPPORTED;
	if (!dst)
		return ERROR_INVALID_PARAMETER;
	if (src == PSEUDO_PROCESS) {
		/* The other process itself: a copy of its pidfd. */
		fd = fcntl(src_pidfd, inherit ? F_DUPFD : F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return ws32_map_errno(errno);
		*dst = winsync_fd_to_handle(fd);
		return 0;
	}
	rfd = winsync_handle_to_fd(src);
	if (rfd < 0)
		return ERROR_INVALID_HANDLE;
	fd = (int)syscall(SYS_pidfd_getfd, src_pidfd, rfd, 0);
	if (fd < 0) {
		int e = errno;

		if (e == ESRCH || e == EBADF)
			return ERROR_INVALID_HANDLE;
		return ws32_map_errno(e);	/* EPERM: ERROR_ACCESS_DENIED */
	}
	if (options & DUPLICATE_SAME_ACCESS) {
		ret = ws32_set_inherit(fd, inherit);
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
	*dst = winsync_fd_to_handle(fd);
	return 0;
}

/* GetCurrentProcess() or GetCurrentThread(): a real handle to it. */
static DWORD dup_pseudo(HANDLE src, BOOL inherit, int *fd)
{
	int ret;

	if (src == PSEUDO_THREAD)
		return ws32_thread_handle_new(inherit, fd);
	*fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (*fd < 0)
		return ws32_map_errno(errno);
	if (inherit) {
		ret = ws32_set_inherit(*fd, TRUE);
		if (ret < 0) {
			close(*fd);
			return ws32_map_errno(ret);
		}
	}
	return 0;
}

/* A handle of this process, sfd, duplicated in this process. */
static DWORD dup_local(HANDLE src, int sfd, LPHANDLE dst, DWORD desired,
		       BOOL inherit, bool same, bool close_src)
{
	int fd, ret;

	if (same && close_src) {
		/* The same slot: the handle value does not change. */
		ret = ws32_set_inherit(sfd, inherit);
		if (ret < 0)
			return ws32_map_errno(ret);
		*dst = src;
		return 0;
	}
	fd = dup_access(sfd, desired, inherit, same);
	if (close_src)
		close_fd(sfd);
	if (fd < 0)
		return dup_error(fd, desired);
	*dst = winsync_fd_to_handle(fd);
	return 0;
}

/* From this process: a real handle, or a pseudo-handle. */
static DWORD dup_in_process(HANDLE src, HANDLE dst_proc, LPHANDLE dst,
			    DWORD desired, BOOL inherit, DWORD options)
{
	bool pseudo = src == PSEUDO_PROCESS || src == PSEUDO_THREAD;
	/* DUPLICATE_CLOSE_SOURCE asked (a pseudo-handle has nothing to
	 * close), and done (a protected handle is not closed). */
	bool close_asked = (options & DUPLICATE_CLOSE_SOURCE) && !pseudo;
	bool close_src = false, other;
	unsigned int sflags;
	int sfd = -1, dst_pidfd = -1, fd;
	DWORD err;

	if (!pseudo) {
		err = ws32_handle_fd(src, &sfd);
		if (err)
			return err;
		sflags = ws32_fdflags_get(sfd);
		if (sflags & WS32_FD_INTERNAL)
			return ERROR_INVALID_HANDLE;
		close_src = close_asked && !(sflags & WS32_FD_PROTECT);
	}

	if (!dst_proc) {
		/* Only DUPLICATE_CLOSE_SOURCE makes sense: close the source. */
		if (close_src)
			close_fd(sfd);
		return close_asked ? 0 : ERROR_INVALID_HANDLE;
	}
	err = ws32_which_process(dst_proc, &dst_pidfd, &other);
	if (!err && other)
		err = ERROR_NOT_SUPPORTED;
	if (!err && !dst)
		err = ERROR_INVALID_PARAMETER;
	if (err) {
		/* The source is closed even so. */
		if (close_src)
			close_fd(sfd);
		return err;
	}

	if (pseudo) {
		err = dup_pseudo(src, inherit, &fd);
		if (!err)
			*dst = winsync_fd_to_handle(fd);
		return err;
	}
	return dup_local(src, sfd, dst, desired, inherit,
			 options & DUPLICATE_SAME_ACCESS, close_src);
}

/*
 * Three cases: from another process (pidfd_getfd), of a pseudo-handle
 * (a new process or thread handle), and of a handle of this process.
 */
WS32_EXPORT BOOL WINAPI DuplicateHandle(HANDLE src_proc, HANDLE src,
					HANDLE dst_proc, LPHANDLE dst,
					DWORD desired, BOOL inherit,
					DWORD options)
{
	int src_pidfd = -1;
	bool other;
	DWORD err;

	if (options & ~(DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE))
		return ws32_fail(ERROR_INVALID_PARAMETER);
	err = ws32_which_process(src_proc, &src_pidfd, &other);
	if (err)
		return ws32_fail(err);
	if (other)
		return ws32_bool(dup_from_process(src_pidfd, src, dst_proc, dst,
						  desired, inherit, options));
	return ws32_bool(dup_in_process(src, dst_proc, dst, desired, inherit,
					options));
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
	DWORD err;
	int fd;

	err = ws32_handle_fd(h, &fd);
	if (err)
		return ws32_fail(err);
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
			return ws32_fail(ERROR_BROKEN_PIPE);
		return ws32_fail(n < 0 && errno == EBADF ? ERROR_INVALID_PARAMETER :
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
		return ws32_fail(ERROR_INVALID_PARAMETER);
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
		return ws32_fail(errno == EBADF || errno == ENOTSOCK ?
			    ERROR_INVALID_PARAMETER : ws32_map_errno(errno));
	if (n == 0)
		return ws32_fail(ERROR_BROKEN_PIPE);
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
		return ws32_fail(ERROR_INVALID_DATA);
	*h = winsync_fd_to_handle(fd);
	return TRUE;
}
