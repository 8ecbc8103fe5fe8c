// SPDX-License-Identifier: GPL-2.0
/*
 * Win32 layer conformance: handles and processes.  CloseHandle,
 * Get/SetHandleInformation, DuplicateHandle (within the process and from
 * another one), inheritance by handle value across fork+exec, abandonment
 * across processes, OpenProcess, the SCM_RIGHTS helpers, the last error per
 * thread, fork.  spec = shared/spec/win32-semantics.md.
 */
#include "win32_test.h"

#include <dirent.h>
#include <sys/socket.h>

/* ------------------------------------------------------ child programs */

/*
 * "--w32-child MODE ARGS...": what the exec tests run.  Handle values come
 * in hexadecimal; the exit status says what the child saw (0 = as
 * expected).
 */
static int child_main(int argc, char **argv)
{
	const char *mode = argv[2];
	HANDLE a = argc > 3 ? (HANDLE)(uintptr_t)strtoull(argv[3], NULL, 16) : NULL;
	HANDLE b = argc > 4 ? (HANDLE)(uintptr_t)strtoull(argv[4], NULL, 16) : NULL;
	DWORD flags = 99;

	if (!strcmp(mode, "inherit")) {
		/* a: inheritable (and PROTECT_FROM_CLOSE in the parent),
		 * b: not inheritable. */
		if (!GetHandleInformation(a, &flags) || flags != HANDLE_FLAG_INHERIT)
			return 10;
		if (!SetEvent(a))
			return 11;
		if (SetEvent(b) || GetLastError() != ERROR_INVALID_HANDLE)
			return 12;
		if (!CloseHandle(a))
			return 13;
		return 0;
	}
	if (!strcmp(mode, "abandon")) {
		/* Take the inherited mutex a and exit without releasing it. */
		if (WaitForSingleObject(a, WS_LONG_MS) != WAIT_OBJECT_0)
			return 20;
		return 0;
	}
	return 99;
}

/* Fork and exec this program as "--w32-child MODE a b"; the pid. */
static pid_t spawn_child(const char *mode, HANDLE a, HANDLE b)
{
	char ha[32], hb[32];
	pid_t pid;

	snprintf(ha, sizeof(ha), "%lx", (unsigned long)(uintptr_t)a);
	snprintf(hb, sizeof(hb), "%lx", (unsigned long)(uintptr_t)b);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", ws_argv0, "--w32-child", mode, ha, hb,
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* ----------------------------------------------------------- CloseHandle */

TEST(close_handle)
{
	HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);

	ASSERT_NE(NULL, e);
	SetLastError(DEADBEEF);
	EXPECT_TRUE(CloseHandle(e));
	EXPECT_EQ(DEADBEEF, GetLastError());
	EXPECT_FALSE(CloseHandle(e));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	/* Pseudo-handles: closing them has no effect. */
	EXPECT_TRUE(CloseHandle(GetCurrentProcess()));
	EXPECT_TRUE(CloseHandle(GetCurrentThread()));
	SetLastError(0);
	EXPECT_FALSE(CloseHandle(NULL));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	SetLastError(0);
	EXPECT_FALSE(CloseHandle((HANDLE)3));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	SetLastError(0);
	EXPECT_FALSE(CloseHandle((HANDLE)0x12345678));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	SetLastError(0);
	EXPECT_FALSE(CloseHandle((HANDLE)(intptr_t)-3));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
}

/* The library's own descriptors are not handles: CloseHandle refuses. */
TEST(library_descriptors_protected)
{
	HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
	int checked = 0;
	struct dirent *d;
	DIR *dir;

	ASSERT_NE(NULL, e);
	/* Make a thread record too (alert event). */
	EXPECT_EQ(0, SleepEx(0, TRUE));
	dir = opendir("/proc/self/fd");
	ASSERT_NE(NULL, dir);
	while ((d = readdir(dir))) {
		int fd = atoi(d->d_name);

		if (d->d_name[0] == '.' || fd < 256 || fd == dirfd(dir))
			continue;
		SetLastError(0);
		EXPECT_FALSE(CloseHandle(winsync_fd_to_handle(fd)));
		EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
		EXPECT_LE(0, fcntl(fd, F_GETFD));
		checked++;
	}
	closedir(dir);
	/* At least the device and the alert event. */
	EXPECT_LE(2, checked);
	CloseHandle(e);
}

/* ---------------------------------------------- Get/SetHandleInformation */

TEST(handle_information)
{
	HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
	HANDLE bad[] = { NULL, (HANDLE)3, (HANDLE)0x12345678,
			 (HANDLE)(intptr_t)-3, GetCurrentProcess(),
			 GetCurrentThread() };
	DWORD flags = 99;
	unsigned int i;

	ASSERT_NE(NULL, e);
	SetLastError(DEADBEEF);
	EXPECT_TRUE(GetHandleInformation(e, &flags));
	EXPECT_EQ(0, flags);
	EXPECT_TRUE(SetHandleInformation(e, HANDLE_FLAG_INHERIT,
					 HANDLE_FLAG_INHERIT));
	EXPECT_EQ(DEADBEEF, GetLastError());
	EXPECT_FALSE(ws_is_cloexec(w32_fd(e)));
	EXPECT_TRUE(GetHandleInformation(e, &flags));
	EXPECT_EQ(HANDLE_FLAG_INHERIT, flags);
	/* Only the bits in the mask change. */
	EXPECT_TRUE(SetHandleInformation(e, HANDLE_FLAG_PROTECT_FROM_CLOSE,
					 HANDLE_FLAG_PROTECT_FROM_CLOSE));
	EXPECT_TRUE(GetHandleInformation(e, &flags));
	EXPECT_EQ(HANDLE_FLAG_INHERIT | HANDLE_FLAG_PROTECT_FROM_CLOSE, flags);
	EXPECT_TRUE(SetHandleInformation(e, HANDLE_FLAG_INHERIT, 0));
	EXPECT_TRUE(GetHandleInformation(e, &flags));
	EXPECT_EQ(HANDLE_FLAG_PROTECT_FROM_CLOSE, flags);
	EXPECT_TRUE(ws_is_cloexec(w32_fd(e)));
	/* Protected: CloseHandle fails, the handle stays open. */
	SetLastError(0);
	EXPECT_FALSE(CloseHandle(e));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_TRUE(w32_is_open(e));
	EXPECT_TRUE(SetEvent(e));
	EXPECT_TRUE(SetHandleInformation(e, HANDLE_FLAG_PROTECT_FROM_CLOSE, 0));
	EXPECT_TRUE(CloseHandle(e));
	EXPECT_FALSE(w32_is_open(e));

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		SetLastError(0);
		EXPECT_FALSE(GetHandleInformation(bad[i], &flags));
		EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
		SetLastError(0);
		EXPECT_FALSE(SetHandleInformation(bad[i], HANDLE_FLAG_INHERIT,
						  HANDLE_FLAG_INHERIT));
		EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	}
	e = CreateEventA(NULL, FALSE, FALSE, NULL);
	SetLastError(0);
	EXPECT_FALSE(GetHandleInformation(e, NULL));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	CloseHandle(e);
}

/* ------------------------------------------------------ DuplicateHandle */

TEST(duplicate_same_access)
{
	SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
	HANDLE e = CreateEventA(&sa, TRUE, FALSE, NULL);
	HANDLE hole = CreateEventA(NULL, TRUE, FALSE, NULL);
	HANDLE d = NULL;
	DWORD flags;

	ASSERT_NE(NULL, e);
	ASSERT_NE(NULL, hole);
	EXPECT_TRUE(SetHandleInformation(e, HANDLE_FLAG_PROTECT_FROM_CLOSE,
					 HANDLE_FLAG_PROTECT_FROM_CLOSE));
	/* New handles take the lowest free slot. */
	EXPECT_TRUE(CloseHandle(hole));
	SetLastError(DEADBEEF);
	EXPECT_TRUE(DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(),
				    &d, 0, FALSE, DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(DEADBEEF, GetLastError());
	EXPECT_EQ(hole, d);
	/* The same object. */
	EXPECT_TRUE(SetEvent(d));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(e, 0));
	EXPECT_EQ(EVENT_ALL_ACCESS, w32_access(d));
	/* Inherit only from bInheritHandle; PROTECT_FROM_CLOSE not copied. */
	EXPECT_TRUE(GetHandleInformation(d, &flags));
	EXPECT_EQ(0, flags);
	EXPECT_TRUE(CloseHandle(d));
	EXPECT_TRUE(DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(),
				    &d, 0, TRUE, DUPLICATE_SAME_ACCESS));
	EXPECT_TRUE(GetHandleInformation(d, &flags));
	EXPECT_EQ(HANDLE_FLAG_INHERIT, flags);
	EXPECT_TRUE(CloseHandle(d));
	EXPECT_TRUE(SetHandleInformation(e, HANDLE_FLAG_PROTECT_FROM_CLOSE, 0));
	CloseHandle(e);
}

TEST(duplicate_access)
{
	HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
	HANDLE m = CreateMutexA(NULL, FALSE, NULL);
	HANDLE d, d2;

	ASSERT_NE(NULL, e);
	ASSERT_NE(NULL, m);
	/* Reduced access. */
	EXPECT_TRUE(DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(),
				    &d, SYNCHRONIZE, FALSE, 0));
	EXPECT_EQ(SYNCHRONIZE, w32_access(d));
	EXPECT_FALSE(SetEvent(d));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_TRUE(SetEvent(e));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(d, 0));
	/* More than the source has: refused. */
	SetLastError(0);
	d2 = NULL;
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), d, GetCurrentProcess(),
				     &d2, EVENT_ALL_ACCESS, FALSE, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_EQ(NULL, d2);
	/* MAXIMUM_ALLOWED: what the source has. */
	EXPECT_TRUE(DuplicateHandle(GetCurrentProcess(), d, GetCurrentProcess(),
				    &d2, MAXIMUM_ALLOWED, FALSE, 0));
	EXPECT_EQ(SYNCHRONIZE, w32_access(d2));
	CloseHandle(d2);
	CloseHandle(d);
	/* Generic rights, per type. */
	EXPECT_TRUE(DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(),
				    &d, GENERIC_READ | GENERIC_EXECUTE, FALSE, 0));
	EXPECT_EQ(READ_CONTROL | SYNCHRONIZE | EVENT_QUERY_STATE, w32_access(d));
	CloseHandle(d);
	EXPECT_TRUE(DuplicateHandle(GetCurrentProcess(), m, GetCurrentProcess(),
				    &d, GENERIC_WRITE | GENERIC_EXECUTE, FALSE, 0));
	EXPECT_EQ(READ_CONTROL | SYNCHRONIZE, w32_access(d));
	CloseHandle(d);
	SetLastError(0);
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), m, GetCurrentProcess(),
				     &d, ACCESS_SYSTEM_SECURITY, FALSE, 0));
	EXPECT_EQ(ERROR_PRIVILEGE_NOT_HELD, GetLastError());
	CloseHandle(e);
	CloseHandle(m);
}

TEST(duplicate_close_source)
{
	HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
	HANDLE d, d2;
	DWORD flags;

	ASSERT_NE(NULL, e);
	/* SAME_ACCESS|CLOSE_SOURCE: the same handle value. */
	EXPECT_TRUE(DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(),
				    &d, 0, TRUE,
				    DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
	EXPECT_EQ(e, d);
	EXPECT_TRUE(GetHandleInformation(d, &flags));
	EXPECT_EQ(HANDLE_FLAG_INHERIT, flags);
	EXPECT_TRUE(SetEvent(d));
	/* A protected source stays open; the copy is a new value. */
	EXPECT_TRUE(SetHandleInformation(d, HANDLE_FLAG_PROTECT_FROM_CLOSE,
					 HANDLE_FLAG_PROTECT_FROM_CLOSE));
	EXPECT_TRUE(DuplicateHandle(GetCurrentProcess(), d, GetCurrentProcess(),
				    &d2, 0, FALSE,
				    DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
	EXPECT_NE(d, d2);
	EXPECT_TRUE(w32_is_open(d));
	EXPECT_TRUE(GetHandleInformation(d2, &flags));
	EXPECT_EQ(0, flags);
	EXPECT_TRUE(SetHandleInformation(d, HANDLE_FLAG_PROTECT_FROM_CLOSE, 0));
	/* Reduced access with CLOSE_SOURCE: new value, source closed. */
	EXPECT_TRUE(DuplicateHandle(GetCurrentProcess(), d2, GetCurrentProcess(),
				    &e, SYNCHRONIZE, FALSE, DUPLICATE_CLOSE_SOURCE));
	EXPECT_FALSE(w32_is_open(d2));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(e, 0));
	CloseHandle(e);
	/* The source is closed whatever happens: here a refused access. */
	EXPECT_TRUE(DuplicateHandle(GetCurrentProcess(), d, GetCurrentProcess(),
				    &d2, SYNCHRONIZE, FALSE, 0));
	SetLastError(0);
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), d2, GetCurrentProcess(),
				     &e, EVENT_ALL_ACCESS, FALSE,
				     DUPLICATE_CLOSE_SOURCE));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_FALSE(w32_is_open(d2));
	/* No target process: just closes the source. */
	EXPECT_TRUE(DuplicateHandle(GetCurrentProcess(), d, NULL, NULL, 0, FALSE,
				    DUPLICATE_CLOSE_SOURCE));
	EXPECT_FALSE(w32_is_open(d));
}

TEST(duplicate_errors_and_pseudo)
{
	HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL), d, p;

	ASSERT_NE(NULL, e);
	SetLastError(0);
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), NULL, GetCurrentProcess(),
				     &d, 0, FALSE, DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	SetLastError(0);
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), (HANDLE)0x12345678,
				     GetCurrentProcess(), &d, 0, FALSE,
				     DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	SetLastError(0);
	EXPECT_FALSE(DuplicateHandle(e, e, GetCurrentProcess(), &d, 0, FALSE,
				     DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	SetLastError(0);
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), e, NULL, &d, 0, FALSE,
				     DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	SetLastError(0);
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(),
				     &d, 0, FALSE, 0x10));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	SetLastError(0);
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(),
				     NULL, 0, FALSE, DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());

	/* The current process pseudo-handle becomes a real one. */
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), GetCurrentProcess(),
				    GetCurrentProcess(), &p, 0, FALSE,
				    DUPLICATE_SAME_ACCESS));
	EXPECT_NE(GetCurrentProcess(), p);
	EXPECT_EQ(0, (uintptr_t)p & 3);
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(p, 0));
	/* A real handle to this process works as a process argument. */
	EXPECT_TRUE(DuplicateHandle(p, e, p, &d, 0, FALSE, DUPLICATE_SAME_ACCESS));
	EXPECT_TRUE(SetEvent(d));
	EXPECT_EQ(1, w32_signaled(e));
	CloseHandle(d);
	CloseHandle(p);

	/* Into another process: not possible on Linux. */
	{
		pid_t pid = fork();
		HANDLE child;

		ASSERT_LE(0, pid);
		if (pid == 0) {
			pause();
			_exit(0);
		}
		child = OpenProcess(PROCESS_DUP_HANDLE, FALSE, (DWORD)pid);
		ASSERT_NE(NULL, child);
		SetLastError(0);
		EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), e, child, &d, 0,
					     FALSE, DUPLICATE_SAME_ACCESS));
		EXPECT_EQ(ERROR_NOT_SUPPORTED, GetLastError());
		EXPECT_TRUE(w32_is_open(e));
		/* From it, with DUPLICATE_CLOSE_SOURCE: not possible either. */
		SetLastError(0);
		EXPECT_FALSE(DuplicateHandle(child, e, GetCurrentProcess(), &d, 0,
					     FALSE, DUPLICATE_SAME_ACCESS |
					     DUPLICATE_CLOSE_SOURCE));
		EXPECT_EQ(ERROR_NOT_SUPPORTED, GetLastError());
		kill(pid, SIGKILL);
		EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(child, WS_LONG_MS));
		waitpid(pid, NULL, 0);
		CloseHandle(child);
	}
	CloseHandle(e);
}

/* ------------------------------------------------- inheritance and exec */

TEST(inherit_by_handle_value_across_exec)
{
	SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
	HANDLE a = CreateEventA(&sa, TRUE, FALSE, NULL);
	HANDLE b = CreateEventA(NULL, TRUE, FALSE, NULL);
	HANDLE c, d;
	const char *name = w32_name("inh");
	pid_t pid;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	/* Protected here; the flag does not cross exec. */
	EXPECT_TRUE(SetHandleInformation(a, HANDLE_FLAG_PROTECT_FROM_CLOSE,
					 HANDLE_FLAG_PROTECT_FROM_CLOSE));
	pid = spawn_child("inherit", a, b);
	ASSERT_LE(0, pid);
	EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(a, 0));
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(b, 0));
	EXPECT_TRUE(SetHandleInformation(a, HANDLE_FLAG_PROTECT_FROM_CLOSE, 0));

	/* Made inheritable by SetHandleInformation, DuplicateHandle, Open*. */
	EXPECT_TRUE(ResetEvent(a));
	EXPECT_TRUE(SetHandleInformation(b, HANDLE_FLAG_INHERIT,
					 HANDLE_FLAG_INHERIT));
	EXPECT_TRUE(SetHandleInformation(a, HANDLE_FLAG_INHERIT, 0));
	pid = spawn_child("inherit", b, a);
	EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
	EXPECT_EQ(1, w32_signaled(b));
	EXPECT_EQ(0, w32_signaled(a));

	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), a, GetCurrentProcess(),
				    &c, 0, TRUE, DUPLICATE_SAME_ACCESS));
	pid = spawn_child("inherit", c, a);
	EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
	EXPECT_EQ(1, w32_signaled(a));
	CloseHandle(c);

	c = CreateEventA(NULL, TRUE, FALSE, name);
	ASSERT_NE(NULL, c);
	d = OpenEventA(EVENT_ALL_ACCESS, TRUE, name);
	ASSERT_NE(NULL, d);
	pid = spawn_child("inherit", d, c);
	EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
	EXPECT_EQ(1, w32_signaled(c));
	CloseHandle(c);
	CloseHandle(d);
	CloseHandle(a);
	CloseHandle(b);
}

TEST(abandoned_across_processes)
{
	SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
	const char *name = w32_name("abandon");
	HANDLE m = CreateMutexA(&sa, FALSE, name);
	pid_t pid;

	ASSERT_NE(NULL, m);
	/* An exec'd child inherits the handle, takes the mutex and exits. */
	pid = spawn_child("abandon", m, NULL);
	ASSERT_LE(0, pid);
	EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
	SetLastError(DEADBEEF);
	EXPECT_EQ(WAIT_ABANDONED, WaitForSingleObject(m, WS_LONG_MS));
	EXPECT_EQ(DEADBEEF, GetLastError());
	EXPECT_TRUE(ReleaseMutex(m));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(m, 0));
	EXPECT_TRUE(ReleaseMutex(m));

	/* A forked child opens it by name, takes it, and is killed. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		HANDLE o = OpenMutexA(SYNCHRONIZE, FALSE, name);

		if (!o || WaitForSingleObject(o, WS_LONG_MS) != WAIT_OBJECT_0)
			_exit(1);
		for (;;)
			pause();
	}
	for (int i = 0; i < 1000 && WS_QUERY_FIELD(w32_fd(m), signaled); i++)
		ws_sleep_ms(5);
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(m, 0));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	EXPECT_EQ(WAIT_ABANDONED, WaitForSingleObject(m, WS_LONG_MS));
	EXPECT_TRUE(ReleaseMutex(m));
	CloseHandle(m);
}

/* ------------------------------------------------------------ processes */

static VOID CALLBACK count_apc(ULONG_PTR p)
{
	(*(int *)p)++;
}


TEST(open_process_and_wait)
{
	HANDLE self, child, p;
	DWORD flags;
	int apcs = 0;
	pid_t pid;

	EXPECT_EQ((DWORD)getpid(), GetCurrentProcessId());
	EXPECT_EQ((DWORD)ws_gettid(), GetCurrentThreadId());
	self = OpenProcess(SYNCHRONIZE, TRUE, GetCurrentProcessId());
	ASSERT_NE(NULL, self);
	EXPECT_TRUE(GetHandleInformation(self, &flags));
	EXPECT_EQ(HANDLE_FLAG_INHERIT, flags);
	SetLastError(DEADBEEF);
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(self, 20));
	EXPECT_EQ(DEADBEEF, GetLastError());
	/* Process handles are not accepted by WaitForMultipleObjects. */
	EXPECT_EQ(WAIT_FAILED, WaitForMultipleObjects(1, &self, FALSE, 0));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	CloseHandle(self);

	SetLastError(0);
	EXPECT_EQ(NULL, OpenProcess(SYNCHRONIZE, FALSE, 0));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	SetLastError(0);
	EXPECT_EQ(NULL, OpenProcess(SYNCHRONIZE, FALSE, 0x7ffffff0));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(100000);
		_exit(7);
	}
	child = OpenProcess(SYNCHRONIZE, FALSE, (DWORD)pid);
	ASSERT_NE(NULL, child);
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(child, 0));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(child, WS_LONG_MS));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(child, 0));
	EXPECT_EQ(7, ws_reap(pid, WS_LONG_MS));
	/* Still signaled after the child is reaped. */
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObjectEx(child, 0, TRUE));
	EXPECT_TRUE(CloseHandle(child));

	/* An alertable wait on a process handle runs APCs. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	p = OpenProcess(SYNCHRONIZE, FALSE, (DWORD)pid);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(1, QueueUserAPC(count_apc, GetCurrentThread(),
				  (ULONG_PTR)&apcs));
	EXPECT_EQ(WAIT_IO_COMPLETION, WaitForSingleObjectEx(p, INFINITE, TRUE));
	EXPECT_EQ(1, apcs);
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObjectEx(p, 20, TRUE));
	kill(pid, SIGKILL);
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObjectEx(p, WS_LONG_MS, TRUE));
	waitpid(pid, NULL, 0);
	CloseHandle(p);
}

/* DuplicateHandle from another process (pidfd_getfd). */
TEST(duplicate_from_another_process)
{
	int pfd[2];
	HANDLE child, remote, local, ro;
	DWORD code = 0;
	pid_t pid;

	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* A semaphore only this process has; wait for a release. */
		HANDLE s = CreateSemaphoreA(NULL, 0, 5, NULL);

		close(pfd[0]);
		if (write(pfd[1], &s, sizeof(s)) != sizeof(s))
			_exit(1);
		_exit(WaitForSingleObject(s, WS_LONG_MS) == WAIT_OBJECT_0 ? 0 : 2);
	}
	close(pfd[1]);
	ASSERT_EQ(sizeof(remote), read(pfd[0], &remote, sizeof(remote)));
	close(pfd[0]);
	child = OpenProcess(PROCESS_DUP_HANDLE | SYNCHRONIZE, FALSE, (DWORD)pid);
	ASSERT_NE(NULL, child);

	/* Reduced access from the other process. */
	ASSERT_TRUE(DuplicateHandle(child, remote, GetCurrentProcess(), &ro,
				    SYNCHRONIZE, FALSE, 0));
	EXPECT_EQ(SYNCHRONIZE, w32_access(ro));
	EXPECT_FALSE(ReleaseSemaphore(ro, 1, NULL));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	CloseHandle(ro);
	/* A handle value the other process does not have. */
	SetLastError(0);
	EXPECT_FALSE(DuplicateHandle(child, winsync_fd_to_handle(999),
				     GetCurrentProcess(), &ro, 0, FALSE,
				     DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	/* The same object: releasing it here wakes the child. */
	ASSERT_TRUE(DuplicateHandle(child, remote, GetCurrentProcess(), &local,
				    0, TRUE, DUPLICATE_SAME_ACCESS));
	EXPECT_FALSE(ws_is_cloexec(w32_fd(local)));
	EXPECT_EQ(SEMAPHORE_ALL_ACCESS, w32_access(local));
	EXPECT_TRUE(ReleaseSemaphore(local, 1, NULL));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(child, WS_LONG_MS));
	code = (DWORD)ws_reap(pid, WS_LONG_MS);
	EXPECT_EQ(0, code);
	CloseHandle(local);

	/* A process it may not ptrace: ERROR_ACCESS_DENIED. */
	if (geteuid() == 0) {
		HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);

		ASSERT_NE(NULL, e);
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			HANDLE parent, h;

			if (setgid(1000) || setuid(1000))
				_exit(2);
			parent = OpenProcess(PROCESS_DUP_HANDLE, FALSE,
					     (DWORD)getppid());
			if (!parent)
				_exit(3);
			if (DuplicateHandle(parent, e, GetCurrentProcess(), &h, 0,
					    FALSE, DUPLICATE_SAME_ACCESS))
				_exit(4);
			_exit(GetLastError() == ERROR_ACCESS_DENIED ? 0 : 5);
		}
		EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
		CloseHandle(e);
	}
	CloseHandle(child);
}

TEST(send_and_receive_handles)
{
	HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL), r = NULL;
	int sv[2];

	ASSERT_NE(NULL, e);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	SetLastError(DEADBEEF);
	EXPECT_TRUE(winsync_send_handle(sv[0], e));
	EXPECT_TRUE(winsync_recv_handle(sv[1], &r));
	EXPECT_EQ(DEADBEEF, GetLastError());
	ASSERT_NE(NULL, r);
	EXPECT_NE(e, r);
	EXPECT_TRUE(ws_is_cloexec(w32_fd(r)));
	EXPECT_TRUE(SetEvent(r));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(e, 0));
	CloseHandle(r);

	SetLastError(0);
	EXPECT_FALSE(winsync_send_handle(sv[0], NULL));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	SetLastError(0);
	EXPECT_FALSE(winsync_send_handle(-1, e));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	/* A byte without a handle. */
	EXPECT_EQ(1, write(sv[0], "x", 1));
	SetLastError(0);
	EXPECT_FALSE(winsync_recv_handle(sv[1], &r));
	EXPECT_EQ(ERROR_INVALID_DATA, GetLastError());
	close(sv[0]);
	SetLastError(0);
	EXPECT_FALSE(winsync_recv_handle(sv[1], &r));
	EXPECT_EQ(ERROR_BROKEN_PIPE, GetLastError());
	close(sv[1]);
	CloseHandle(e);
}

static void *other_last_error(void *arg)
{
	DWORD *out = arg;

	out[0] = GetLastError();
	SetLastError(1234);
	out[1] = GetLastError();
	return NULL;
}

TEST(last_error_per_thread)
{
	DWORD seen[2] = { 99, 99 };

	SetLastError(42);
	w32_in_thread(other_last_error, seen);
	EXPECT_EQ(0, seen[0]);
	EXPECT_EQ(1234, seen[1]);
	EXPECT_EQ(42, GetLastError());
}

static VOID CALLBACK count_tick(LPVOID p, DWORD lo, DWORD hi)
{
	(void)lo;
	(void)hi;
	(*(int *)p)++;
}

/* After fork(), the child has no APCs or routines of the parent's, and
 * its own work; the parent's go on. */
TEST(fork_resets_apc_state)
{
	HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
	LARGE_INTEGER due;
	int n = 0, ticks = 0;
	pid_t pid;

	ASSERT_NE(NULL, t);
	EXPECT_EQ(1, QueueUserAPC(count_apc, GetCurrentThread(), (ULONG_PTR)&n));
	due.QuadPart = -1;
	EXPECT_TRUE(SetWaitableTimer(t, &due, 30, count_tick, &ticks, FALSE));
	Sleep(50);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		HANDLE ct = CreateWaitableTimerA(NULL, FALSE, NULL);
		int cn = 0, cticks = 0;

		if (SleepEx(100, TRUE) != 0 || n || ticks)
			_exit(1);
		if (!QueueUserAPC(count_apc, GetCurrentThread(), (ULONG_PTR)&cn) ||
		    SleepEx(0, TRUE) != WAIT_IO_COMPLETION || cn != 1)
			_exit(2);
		due.QuadPart = -10 * 10000;
		if (!ct || !SetWaitableTimer(ct, &due, 0, count_tick, &cticks,
					     FALSE) ||
		    SleepEx(WS_LONG_MS, TRUE) != WAIT_IO_COMPLETION || cticks != 1)
			_exit(3);
		_exit(0);
	}
	EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
	EXPECT_EQ(WAIT_IO_COMPLETION, SleepEx(0, TRUE));
	EXPECT_EQ(1, n);
	EXPECT_LE(1, ticks);
	ticks = 0;
	EXPECT_EQ(WAIT_IO_COMPLETION, SleepEx(WS_LONG_MS, TRUE));
	EXPECT_EQ(1, ticks);
	EXPECT_TRUE(CancelWaitableTimer(t));
	CloseHandle(t);
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "--w32-child"))
		return child_main(argc, argv);
	return ws_main(argc, argv, ws_harness_main);
}
