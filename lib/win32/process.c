// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwinsync-win32: processes.  The pseudo-handles, the ids, OpenProcess()
 * (a pidfd is a process handle) and what the rest of the layer asks of
 * process handles: is this one, which process is it, wait for its end.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* pidfd syscalls */
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* ------------------------------------------------------- process handles */

/* Is fd a pidfd (a process handle from OpenProcess())? */
bool ws32_is_pidfd(int fd)
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

/*
 * The process a process handle stands for: the calling process (*other
 * false), another one (*other true, *pidfd set), or ERROR_INVALID_HANDLE.
 */
DWORD ws32_which_process(HANDLE h, int *pidfd, bool *other)
{
	int fd;

	*other = false;
	if (h == PSEUDO_PROCESS)
		return 0;
	fd = winsync_handle_to_fd(h);
	if (fd < 0 || fcntl(fd, F_GETFD) < 0 || !ws32_is_pidfd(fd))
		return ERROR_INVALID_HANDLE;
	if (pidfd_pid(fd) == getpid())
		return 0;
	*pidfd = fd;
	*other = true;
	return 0;
}

/* WaitForSingleObject on a process handle: until the process has exited. */
DWORD ws32_wait_process(int pidfd, DWORD ms, BOOL alertable, DWORD *result)
{
	uint64_t deadline = ws32_deadline(ms);
	struct ws32_thread *self = NULL;
	struct pollfd pfd[2];
	int err;

	if (alertable) {
		self = ws32_self(&err);
		if (!self)
			return ws32_map_errno(err);
	}
	for (;;) {
		int timeout = -1, n;

		if (deadline != WINSYNC_TIMEOUT_INFINITE) {
			uint64_t now = ws32_now_ns(CLOCK_MONOTONIC);
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
		if (n < 0)
			return ws32_map_errno(errno);
		/* The object first, then the alert, as the kernel does. */
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			*result = WAIT_OBJECT_0;
			return 0;
		}
		if (pfd[0].revents & (POLLERR | POLLNVAL))
			return ERROR_INVALID_HANDLE;
		if (self && (pfd[1].revents & POLLIN)) {
			/* Consume the alert (a poll-only wait) and run APCs. */
			DWORD r = WAIT_FAILED;

			if (!ws32_kernel_wait(NULL, 0, false, 0, TRUE, -1, &r) &&
			    r == WAIT_IO_COMPLETION) {
				*result = r;
				return 0;
			}
		}
		if (n == 0 && timeout >= 0 &&
		    ws32_now_ns(CLOCK_MONOTONIC) >= deadline) {
			*result = WAIT_TIMEOUT;
			return 0;
		}
	}
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

static DWORD open_process(BOOL inherit, DWORD pid, int *fd)
{
	int ret;

	if (pid == 0 || pid > INT_MAX)
		return ERROR_INVALID_PARAMETER;
	*fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (*fd < 0)
		return errno == ESRCH ? ERROR_INVALID_PARAMETER :
		       ws32_map_errno(errno);
	if (inherit) {
		ret = ws32_set_inherit(*fd, TRUE);
		if (ret < 0) {
			close(*fd);
			return ws32_map_errno(ret);
		}
	}
	return 0;
}

WS32_EXPORT HANDLE WINAPI OpenProcess(DWORD access, BOOL inherit, DWORD pid)
{
	DWORD err;
	int fd = -1;

	(void)access;
	err = open_process(inherit, pid, &fd);
	return ws32_handle(err, fd);
}
