// SPDX-License-Identifier: GPL-2.0
/*
 * Win32 layer conformance: events, mutexes, semaphores and waitable timers
 * (creation, state, names, access rights, error codes).  spec = the
 * reference semantics, shared/spec/win32-semantics.md.
 */
#include "win32_test.h"

/* ------------------------------------------------------------ events */

TEST(event_create_unnamed)
{
	HANDLE e;

	SetLastError(DEADBEEF);
	e = CreateEventA(NULL, FALSE, FALSE, NULL);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(ERROR_SUCCESS, GetLastError());
	/* Handle values are multiples of 4, and map to an open fd. */
	EXPECT_EQ(0, (uintptr_t)e & 3);
	EXPECT_TRUE(w32_is_open(e));
	EXPECT_EQ(EVENT_ALL_ACCESS, w32_access(e));
	/* Not inheritable without an SA. */
	EXPECT_TRUE(ws_is_cloexec(w32_fd(e)));
	EXPECT_EQ(0, w32_signaled(e));
	EXPECT_TRUE(CloseHandle(e));
	EXPECT_FALSE(w32_is_open(e));
}

TEST(event_auto_reset)
{
	HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);

	ASSERT_NE(NULL, e);
	SetLastError(DEADBEEF);
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(e, 0));
	EXPECT_EQ(DEADBEEF, GetLastError());
	EXPECT_TRUE(SetEvent(e));
	EXPECT_TRUE(SetEvent(e));	/* no effect on a set event */
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(e, 0));
	EXPECT_EQ(DEADBEEF, GetLastError());
	/* One wait consumed it. */
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(e, 0));
	EXPECT_TRUE(ResetEvent(e));	/* no effect on a reset event */
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(e, 10));
	CloseHandle(e);
}

TEST(event_manual_reset_and_initial_state)
{
	HANDLE e = CreateEventA(NULL, TRUE, TRUE, NULL);

	ASSERT_NE(NULL, e);
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(e, 0));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(e, 0));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(e, INFINITE));
	EXPECT_TRUE(ResetEvent(e));
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(e, 0));
	EXPECT_TRUE(SetEvent(e));
	EXPECT_EQ(1, w32_signaled(e));
	CloseHandle(e);
}

struct waiter {
	HANDLE h;
	DWORD ms;
	atomic_int started;
	DWORD result;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	atomic_store(&w->started, 1);
	w->result = WaitForSingleObject(w->h, w->ms);
	return NULL;
}

TEST(pulse_event)
{
	struct waiter w[2];
	pthread_t t[2];
	int i, released = 0;
	HANDLE e;

	/* No waiter: just resets, on both kinds. */
	e = CreateEventA(NULL, TRUE, TRUE, NULL);
	ASSERT_NE(NULL, e);
	EXPECT_TRUE(PulseEvent(e));
	EXPECT_EQ(0, w32_signaled(e));
	EXPECT_TRUE(PulseEvent(e));
	EXPECT_EQ(0, w32_signaled(e));

	/* Manual: releases every waiter, ends unsignaled. */
	for (i = 0; i < 2; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].h = e;
		w[i].ms = WS_LONG_MS;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, wait_thread, &w[i]));
	}
	ASSERT_TRUE(ws_await_waiters(w32_fd(e), 2));
	EXPECT_TRUE(PulseEvent(e));
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(WAIT_OBJECT_0, w[i].result);
	}
	EXPECT_EQ(0, w32_signaled(e));
	CloseHandle(e);

	/* Auto: releases exactly one of two waiters. */
	e = CreateEventA(NULL, FALSE, FALSE, NULL);
	ASSERT_NE(NULL, e);
	for (i = 0; i < 2; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].h = e;
		w[i].ms = 1000;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, wait_thread, &w[i]));
	}
	ASSERT_TRUE(ws_await_waiters(w32_fd(e), 2));
	EXPECT_TRUE(PulseEvent(e));
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		released += w[i].result == WAIT_OBJECT_0;
		EXPECT_TRUE(w[i].result == WAIT_OBJECT_0 ||
			    w[i].result == WAIT_TIMEOUT);
	}
	EXPECT_EQ(1, released);
	EXPECT_EQ(0, w32_signaled(e));
	CloseHandle(e);
}

TEST(create_event_ex)
{
	HANDLE e;

	e = CreateEventExA(NULL, NULL, CREATE_EVENT_MANUAL_RESET |
			   CREATE_EVENT_INITIAL_SET, EVENT_ALL_ACCESS);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(e, 0));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(e, 0));
	CloseHandle(e);

	SetLastError(DEADBEEF);
	EXPECT_EQ(NULL, CreateEventExA(NULL, NULL, 4, EVENT_ALL_ACCESS));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());

	/* The handle has the access asked for. */
	e = CreateEventExA(NULL, NULL, 0, SYNCHRONIZE);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(SYNCHRONIZE, w32_access(e));
	EXPECT_FALSE(SetEvent(e));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_FALSE(ResetEvent(e));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_FALSE(PulseEvent(e));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(e, 0));
	CloseHandle(e);

	e = CreateEventExW(NULL, NULL, 0, EVENT_MODIFY_STATE);
	ASSERT_NE(NULL, e);
	EXPECT_TRUE(SetEvent(e));
	SetLastError(DEADBEEF);
	EXPECT_EQ(WAIT_FAILED, WaitForSingleObject(e, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	CloseHandle(e);

	/* Generic rights are mapped. */
	e = CreateEventExA(NULL, NULL, 0, GENERIC_WRITE);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(READ_CONTROL | EVENT_MODIFY_STATE, w32_access(e));
	CloseHandle(e);

	SetLastError(DEADBEEF);
	EXPECT_EQ(NULL, CreateEventExA(NULL, NULL, 0, ACCESS_SYSTEM_SECURITY));
	EXPECT_EQ(ERROR_PRIVILEGE_NOT_HELD, GetLastError());
}

/* Every state call on a handle of another type: ERROR_INVALID_HANDLE. */
TEST(wrong_type_and_invalid_handles)
{
	HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
	HANDLE mx = CreateMutexA(NULL, FALSE, NULL);
	HANDLE sem = CreateSemaphoreA(NULL, 0, 1, NULL);
	HANDLE tm = CreateWaitableTimerA(NULL, FALSE, NULL);
	HANDLE bad[] = { NULL, (HANDLE)3, (HANDLE)0x12345678,
			 (HANDLE)(intptr_t)-3, INVALID_HANDLE_VALUE,
			 winsync_fd_to_handle(4000) };
	LARGE_INTEGER due;
	LONG prev = 77;
	unsigned int i;

	ASSERT_NE(NULL, ev);
	ASSERT_NE(NULL, mx);
	ASSERT_NE(NULL, sem);
	ASSERT_NE(NULL, tm);
	due.QuadPart = -10000;

	EXPECT_FALSE(SetEvent(mx));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_FALSE(ResetEvent(sem));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_FALSE(PulseEvent(tm));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_FALSE(ReleaseMutex(ev));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_FALSE(ReleaseSemaphore(mx, 1, &prev));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_EQ(77, prev);
	EXPECT_FALSE(SetWaitableTimer(ev, &due, 0, NULL, NULL, FALSE));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_FALSE(CancelWaitableTimer(sem));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	/* stdin is a descriptor, but not a winsync object. */
	EXPECT_FALSE(SetEvent(winsync_fd_to_handle(0)));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		SetLastError(0);
		EXPECT_FALSE(SetEvent(bad[i]));
		EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
		EXPECT_FALSE(ReleaseMutex(bad[i]));
		EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
		EXPECT_FALSE(ReleaseSemaphore(bad[i], 1, NULL));
		EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
		EXPECT_FALSE(CancelWaitableTimer(bad[i]));
		EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
		EXPECT_EQ(WAIT_FAILED, WaitForSingleObject(bad[i] == INVALID_HANDLE_VALUE ?
							   NULL : bad[i], 0));
		EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
		EXPECT_FALSE(CloseHandle(bad[i] == INVALID_HANDLE_VALUE ?
					 NULL : bad[i]));
		EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	}
	CloseHandle(ev);
	CloseHandle(mx);
	CloseHandle(sem);
	CloseHandle(tm);
}

/* --------------------------------------------------------------- names */

/* One create function per type, for loops over types. */
static HANDLE create_type(int type, const char *name)
{
	switch (type) {
	case 0: return CreateEventA(NULL, FALSE, FALSE, name);
	case 1: return CreateMutexA(NULL, FALSE, name);
	case 2: return CreateSemaphoreA(NULL, 0, 5, name);
	default: return CreateWaitableTimerA(NULL, FALSE, name);
	}
}

static HANDLE open_type(int type, DWORD access, const char *name)
{
	switch (type) {
	case 0: return OpenEventA(access, FALSE, name);
	case 1: return OpenMutexA(access, FALSE, name);
	case 2: return OpenSemaphoreA(access, FALSE, name);
	default: return OpenWaitableTimerA(access, FALSE, name);
	}
}

static HANDLE open_type_w(int type, DWORD access, const WCHAR *name)
{
	switch (type) {
	case 0: return OpenEventW(access, FALSE, name);
	case 1: return OpenMutexW(access, FALSE, name);
	case 2: return OpenSemaphoreW(access, FALSE, name);
	default: return OpenWaitableTimerW(access, FALSE, name);
	}
}

TEST(names_create_open_collide)
{
	int type, other;

	for (type = 0; type < 4; type++) {
		const char *name = w32_name("coll");
		HANDLE h, h2, o;

		SetLastError(DEADBEEF);
		h = create_type(type, name);
		ASSERT_NE(NULL, h);
		EXPECT_EQ(ERROR_SUCCESS, GetLastError());

		/* Same type: the existing object, ERROR_ALREADY_EXISTS. */
		h2 = create_type(type, name);
		ASSERT_NE(NULL, h2) TH_LOG("type %d", type);
		EXPECT_EQ(ERROR_ALREADY_EXISTS, GetLastError());
		EXPECT_NE(h, h2);

		/* Open: found; unchanged last error on success. */
		SetLastError(DEADBEEF);
		o = open_type(type, SYNCHRONIZE, name);
		ASSERT_NE(NULL, o);
		EXPECT_EQ(DEADBEEF, GetLastError());
		CloseHandle(o);

		/* Another type: NULL, ERROR_INVALID_HANDLE, create and open. */
		for (other = 0; other < 4; other++) {
			if (other == type)
				continue;
			SetLastError(0);
			EXPECT_EQ(NULL, create_type(other, name));
			EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError())
				TH_LOG("create type %d over %d", other, type);
			SetLastError(0);
			EXPECT_EQ(NULL, open_type(other, SYNCHRONIZE, name));
			EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
		}

		/* NULL name on Open: ERROR_INVALID_PARAMETER, A and W. */
		SetLastError(0);
		EXPECT_EQ(NULL, open_type(type, SYNCHRONIZE, NULL));
		EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
		SetLastError(0);
		EXPECT_EQ(NULL, open_type_w(type, SYNCHRONIZE, NULL));
		EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());

		/* Missing name: ERROR_FILE_NOT_FOUND. */
		SetLastError(0);
		EXPECT_EQ(NULL, open_type(type, SYNCHRONIZE, w32_name("none")));
		EXPECT_EQ(ERROR_FILE_NOT_FOUND, GetLastError());

		CloseHandle(h);
		CloseHandle(h2);
		/* Gone with its last handle (spec §2.2). */
		SetLastError(0);
		EXPECT_EQ(NULL, open_type(type, SYNCHRONIZE, name));
		EXPECT_EQ(ERROR_FILE_NOT_FOUND, GetLastError());
	}
}

TEST(names_case_sensitive)
{
	char upper[96];
	const char *name = w32_name("case");
	HANDLE h, h2;
	size_t i;

	snprintf(upper, sizeof(upper), "%s", name);
	for (i = 0; upper[i]; i++)
		if (upper[i] >= 'a' && upper[i] <= 'z')
			upper[i] -= 32;
	h = CreateEventA(NULL, TRUE, FALSE, name);
	ASSERT_NE(NULL, h);
	SetLastError(0);
	EXPECT_EQ(NULL, OpenEventA(EVENT_ALL_ACCESS, FALSE, upper));
	EXPECT_EQ(ERROR_FILE_NOT_FOUND, GetLastError());
	SetLastError(DEADBEEF);
	h2 = CreateEventA(NULL, TRUE, FALSE, upper);
	ASSERT_NE(NULL, h2);
	EXPECT_EQ(ERROR_SUCCESS, GetLastError());
	EXPECT_TRUE(SetEvent(h2));
	EXPECT_EQ(0, w32_signaled(h));
	CloseHandle(h);
	CloseHandle(h2);
}

TEST(names_existing_ignores_parameters)
{
	const char *name = w32_name("params");
	HANDLE e1, e2, s1, s2, m1, m2;
	LONG prev = -5;

	/* Event: bManualReset/bInitialState of the second create ignored. */
	e1 = CreateEventA(NULL, FALSE, FALSE, name);
	ASSERT_NE(NULL, e1);
	e2 = CreateEventA(NULL, TRUE, TRUE, name);
	ASSERT_NE(NULL, e2);
	EXPECT_EQ(ERROR_ALREADY_EXISTS, GetLastError());
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(e2, 0));
	EXPECT_TRUE(SetEvent(e2));	/* same object, auto-reset */
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(e1, 0));
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(e2, 0));
	/* The handle of an existing object has full access too. */
	EXPECT_EQ(EVENT_ALL_ACCESS, w32_access(e2));
	CloseHandle(e1);
	CloseHandle(e2);

	/* Semaphore: the counts of the second create ignored. */
	name = w32_name("params");
	s1 = CreateSemaphoreA(NULL, 1, 3, name);
	ASSERT_NE(NULL, s1);
	s2 = CreateSemaphoreA(NULL, 7, 9, name);
	ASSERT_NE(NULL, s2);
	EXPECT_EQ(ERROR_ALREADY_EXISTS, GetLastError());
	EXPECT_TRUE(ReleaseSemaphore(s2, 1, &prev));
	EXPECT_EQ(1, prev);
	EXPECT_FALSE(ReleaseSemaphore(s2, 2, NULL));
	EXPECT_EQ(ERROR_TOO_MANY_POSTS, GetLastError());
	CloseHandle(s1);
	CloseHandle(s2);

	/* Mutex: bInitialOwner ignored, no ownership granted. */
	name = w32_name("params");
	m1 = CreateMutexA(NULL, TRUE, name);
	ASSERT_NE(NULL, m1);
	EXPECT_EQ(ERROR_SUCCESS, GetLastError());
	m2 = CreateMutexA(NULL, TRUE, name);
	ASSERT_NE(NULL, m2);
	EXPECT_EQ(ERROR_ALREADY_EXISTS, GetLastError());
	EXPECT_TRUE(ReleaseMutex(m2));	/* the first create's ownership */
	EXPECT_FALSE(ReleaseMutex(m1));
	EXPECT_EQ(ERROR_NOT_OWNER, GetLastError());
	CloseHandle(m1);
	CloseHandle(m2);
}

TEST(names_wide_and_utf8)
{
	/* "é中😀" + pid-unique ASCII suffix, in UTF-16 and UTF-8. */
	char utf8[128], suffix[64];
	WCHAR wide[128];
	HANDLE w, a;
	size_t i, n = 0;

	snprintf(suffix, sizeof(suffix), "-%s", w32_name("wide"));
	wide[n++] = 0x00E9;
	wide[n++] = 0x4E2D;
	wide[n++] = 0xD83D;
	wide[n++] = 0xDE00;
	for (i = 0; suffix[i]; i++)
		wide[n++] = (WCHAR)suffix[i];
	wide[n] = 0;
	snprintf(utf8, sizeof(utf8), "\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80%s",
		 suffix);

	SetLastError(DEADBEEF);
	w = CreateEventW(NULL, TRUE, FALSE, wide);
	ASSERT_NE(NULL, w);
	EXPECT_EQ(ERROR_SUCCESS, GetLastError());
	a = OpenEventA(EVENT_ALL_ACCESS, FALSE, utf8);
	ASSERT_NE(NULL, a);
	EXPECT_TRUE(SetEvent(a));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(w, 0));
	CloseHandle(a);
	a = CreateEventA(NULL, TRUE, FALSE, utf8);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(ERROR_ALREADY_EXISTS, GetLastError());
	CloseHandle(a);
	CloseHandle(w);

	/* Unpaired surrogates: ERROR_INVALID_NAME. */
	wide[0] = 0xD83D;
	wide[1] = 'x';
	wide[2] = 0;
	SetLastError(0);
	EXPECT_EQ(NULL, CreateEventW(NULL, TRUE, FALSE, wide));
	EXPECT_EQ(ERROR_INVALID_NAME, GetLastError());
	wide[0] = 0xDE00;
	SetLastError(0);
	EXPECT_EQ(NULL, CreateMutexW(NULL, FALSE, wide));
	EXPECT_EQ(ERROR_INVALID_NAME, GetLastError());
	wide[0] = 'x';
	wide[1] = 0xD83D;
	SetLastError(0);
	EXPECT_EQ(NULL, OpenSemaphoreW(SYNCHRONIZE, FALSE, wide));
	EXPECT_EQ(ERROR_INVALID_NAME, GetLastError());
}

TEST(names_too_long)
{
	char name[400];
	WCHAR wname[400];
	HANDLE h;
	int type, len;

	for (type = 0; type < 4; type++) {
		for (len = MAX_PATH; len <= MAX_PATH + 1; len++) {
			int p = snprintf(name, sizeof(name), "%s-", w32_name("long"));

			memset(name + p, 'x', (size_t)(len - p));
			name[len] = 0;
			SetLastError(0);
			h = create_type(type, name);
			if (len <= MAX_PATH) {
				EXPECT_NE(NULL, h) TH_LOG("len %d", len);
				CloseHandle(h);
			} else {
				EXPECT_EQ(NULL, h);
				EXPECT_EQ(ERROR_FILENAME_EXCED_RANGE, GetLastError());
				SetLastError(0);
				EXPECT_EQ(NULL, open_type(type, SYNCHRONIZE, name));
				EXPECT_EQ(ERROR_FILENAME_EXCED_RANGE, GetLastError());
			}
		}
	}
	/* W names: the same limit, in UTF-16 units. */
	for (len = 0; len < MAX_PATH + 1; len++)
		wname[len] = 'w';
	wname[len] = 0;
	SetLastError(0);
	EXPECT_EQ(NULL, CreateEventW(NULL, FALSE, FALSE, wname));
	EXPECT_EQ(ERROR_FILENAME_EXCED_RANGE, GetLastError());
	SetLastError(0);
	EXPECT_EQ(NULL, OpenWaitableTimerW(SYNCHRONIZE, FALSE, wname));
	EXPECT_EQ(ERROR_FILENAME_EXCED_RANGE, GetLastError());
}

TEST(names_prefixes_and_syntax)
{
	char local[128], global[128], bad[128];
	const char *base = w32_name("pfx");
	HANDLE plain, loc, glob;

	snprintf(local, sizeof(local), "Local\\%s", base);
	snprintf(global, sizeof(global), "Global\\%s", base);
	plain = CreateEventA(NULL, TRUE, FALSE, base);
	ASSERT_NE(NULL, plain);
	/* Local\ is the session namespace, where plain names live. */
	loc = CreateEventA(NULL, TRUE, FALSE, local);
	ASSERT_NE(NULL, loc);
	EXPECT_EQ(ERROR_ALREADY_EXISTS, GetLastError());
	/* Global\ is another namespace. */
	glob = CreateEventA(NULL, TRUE, FALSE, global);
	ASSERT_NE(NULL, glob);
	EXPECT_EQ(ERROR_SUCCESS, GetLastError());
	EXPECT_TRUE(SetEvent(glob));
	EXPECT_EQ(0, w32_signaled(plain));
	CloseHandle(plain);
	CloseHandle(loc);
	CloseHandle(glob);

	/* A backslash after the prefix names a missing directory. */
	snprintf(bad, sizeof(bad), "%s\\sub", base);
	SetLastError(0);
	EXPECT_EQ(NULL, CreateEventA(NULL, FALSE, FALSE, bad));
	EXPECT_EQ(ERROR_PATH_NOT_FOUND, GetLastError());
	SetLastError(0);
	EXPECT_EQ(NULL, OpenEventA(SYNCHRONIZE, FALSE, bad));
	EXPECT_EQ(ERROR_PATH_NOT_FOUND, GetLastError());
	/* Empty after the prefix, or an empty component. */
	SetLastError(0);
	EXPECT_EQ(NULL, CreateMutexA(NULL, FALSE, "Global\\"));
	EXPECT_EQ(ERROR_INVALID_NAME, GetLastError());
	snprintf(bad, sizeof(bad), "%s\\\\x", base);
	SetLastError(0);
	EXPECT_EQ(NULL, CreateMutexA(NULL, FALSE, bad));
	EXPECT_EQ(ERROR_INVALID_NAME, GetLastError());
	/* "": an unnamed object on create, nothing to open. */
	glob = CreateEventA(NULL, FALSE, FALSE, "");
	EXPECT_NE(NULL, glob);
	EXPECT_EQ(0, WS_QUERY_FIELD(w32_fd(glob), flags) & WINSYNC_INFO_NAMED);
	CloseHandle(glob);
	SetLastError(0);
	EXPECT_EQ(NULL, OpenEventA(SYNCHRONIZE, FALSE, ""));
	EXPECT_EQ(ERROR_INVALID_NAME, GetLastError());
}

TEST(inheritable_sa)
{
	SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
	HANDLE h, o;
	const char *name = w32_name("sa");

	h = CreateEventA(&sa, FALSE, FALSE, name);
	ASSERT_NE(NULL, h);
	EXPECT_FALSE(ws_is_cloexec(w32_fd(h)));
	o = OpenEventA(SYNCHRONIZE, TRUE, name);
	ASSERT_NE(NULL, o);
	EXPECT_FALSE(ws_is_cloexec(w32_fd(o)));
	CloseHandle(o);
	o = OpenEventA(SYNCHRONIZE, FALSE, name);
	ASSERT_NE(NULL, o);
	EXPECT_TRUE(ws_is_cloexec(w32_fd(o)));
	CloseHandle(o);
	sa.bInheritHandle = FALSE;
	o = CreateEventA(&sa, FALSE, FALSE, name);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(ERROR_ALREADY_EXISTS, GetLastError());
	EXPECT_TRUE(ws_is_cloexec(w32_fd(o)));
	CloseHandle(o);
	CloseHandle(h);
}

/* Named objects get mode 0600: another user cannot open them. */
TEST(named_mode_owner_only)
{
	const char *name = w32_name("mode");
	HANDLE h = CreateEventA(NULL, FALSE, FALSE, name);
	pid_t pid;

	ASSERT_NE(NULL, h);
	EXPECT_EQ(0600, WS_QUERY_FIELD(w32_fd(h), mode));
	if (geteuid() != 0)
		SKIP(CloseHandle(h); return, "needs root to switch users");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		HANDLE o;

		/* Unprefixed names are per user (session): not found. */
		if (setgid(1000) || setuid(1000))
			_exit(2);
		o = OpenEventA(SYNCHRONIZE, FALSE, name);
		if (o || GetLastError() != ERROR_FILE_NOT_FOUND)
			_exit(3);
		_exit(0);
	}
	EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
	CloseHandle(h);

	/* Global\ with 0600: the other user is refused. */
	{
		char g[128];
		HANDLE gh;

		snprintf(g, sizeof(g), "Global\\%s", w32_name("mode"));
		gh = CreateMutexA(NULL, FALSE, g);
		ASSERT_NE(NULL, gh);
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			HANDLE o;

			if (setgid(1000) || setuid(1000))
				_exit(2);
			o = OpenMutexA(SYNCHRONIZE, FALSE, g);
			if (o || GetLastError() != ERROR_ACCESS_DENIED)
				_exit(3);
			o = CreateMutexA(NULL, FALSE, g);
			if (o || GetLastError() != ERROR_ACCESS_DENIED)
				_exit(4);
			_exit(0);
		}
		EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
		CloseHandle(gh);
	}
}

/* --------------------------------------------------------------- mutexes */

TEST(mutex_owner_and_recursion)
{
	HANDLE m;
	int i;

	SetLastError(DEADBEEF);
	m = CreateMutexA(NULL, FALSE, NULL);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(ERROR_SUCCESS, GetLastError());
	EXPECT_EQ(MUTEX_ALL_ACCESS, w32_access(m));
	EXPECT_FALSE(ReleaseMutex(m));
	EXPECT_EQ(ERROR_NOT_OWNER, GetLastError());

	/* 32 acquisitions need 32 releases; the 33rd fails (spec §3). */
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(m, 0));
	for (i = 0; i < 31; i++)
		EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(m, 0));
	EXPECT_EQ(32, w32_count(m));
	for (i = 0; i < 32; i++)
		EXPECT_TRUE(ReleaseMutex(m)) TH_LOG("release %d", i);
	SetLastError(0);
	EXPECT_FALSE(ReleaseMutex(m));
	EXPECT_EQ(ERROR_NOT_OWNER, GetLastError());
	CloseHandle(m);

	/* Initial owner: owned once. */
	m = CreateMutexA(NULL, TRUE, NULL);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(1, w32_count(m));
	EXPECT_TRUE(ReleaseMutex(m));
	EXPECT_FALSE(ReleaseMutex(m));
	EXPECT_EQ(ERROR_NOT_OWNER, GetLastError());
	CloseHandle(m);
}

static void *release_other(void *arg)
{
	HANDLE m = arg;
	DWORD *res = malloc(2 * sizeof(DWORD));

	res[0] = ReleaseMutex(m);
	res[1] = GetLastError();
	/* And a wait times out while the main thread owns it. */
	if (WaitForSingleObject(m, 20) != WAIT_TIMEOUT)
		res[0] = 99;
	return res;
}

TEST(mutex_other_thread)
{
	HANDLE m = CreateMutexA(NULL, TRUE, NULL);
	pthread_t t;
	DWORD *res;

	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, pthread_create(&t, NULL, release_other, m));
	pthread_join(t, (void **)&res);
	EXPECT_EQ(FALSE, res[0]);
	EXPECT_EQ(ERROR_NOT_OWNER, res[1]);
	free(res);
	EXPECT_TRUE(ReleaseMutex(m));
	CloseHandle(m);
}

static void *take_and_exit(void *arg)
{
	WaitForSingleObject((HANDLE)arg, INFINITE);
	return NULL;
}

TEST(mutex_abandoned_by_thread)
{
	HANDLE m = CreateMutexA(NULL, FALSE, NULL);

	ASSERT_NE(NULL, m);
	w32_in_thread(take_and_exit, m);
	SetLastError(DEADBEEF);
	EXPECT_EQ(WAIT_ABANDONED, WaitForSingleObject(m, WS_LONG_MS));
	/* The caller owns it, once; no longer abandoned. */
	EXPECT_EQ(1, w32_count(m));
	EXPECT_TRUE(ReleaseMutex(m));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(m, 0));
	EXPECT_TRUE(ReleaseMutex(m));

	/* In a wait-any, WAIT_ABANDONED_0 + index. */
	{
		HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
		HANDLE hs[2] = { e, m };

		ASSERT_NE(NULL, e);
		w32_in_thread(take_and_exit, m);
		EXPECT_EQ(WAIT_ABANDONED_0 + 1,
			  WaitForMultipleObjects(2, hs, FALSE, WS_LONG_MS));
		EXPECT_TRUE(ReleaseMutex(m));
		/* Wait-all: WAIT_ABANDONED_0. */
		w32_in_thread(take_and_exit, m);
		EXPECT_TRUE(SetEvent(e));
		EXPECT_EQ(WAIT_ABANDONED_0,
			  WaitForMultipleObjects(2, hs, TRUE, WS_LONG_MS));
		EXPECT_TRUE(ReleaseMutex(m));
		CloseHandle(e);
	}
	CloseHandle(m);
}

TEST(create_mutex_ex)
{
	HANDLE m;

	m = CreateMutexExA(NULL, NULL, CREATE_MUTEX_INITIAL_OWNER,
			   MUTEX_ALL_ACCESS);
	ASSERT_NE(NULL, m);
	EXPECT_TRUE(ReleaseMutex(m));
	CloseHandle(m);
	m = CreateMutexExW(NULL, NULL, 0, SYNCHRONIZE);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(SYNCHRONIZE, w32_access(m));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(m, 0));
	EXPECT_TRUE(ReleaseMutex(m));
	CloseHandle(m);
	SetLastError(0);
	EXPECT_EQ(NULL, CreateMutexExA(NULL, NULL, 2, MUTEX_ALL_ACCESS));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	/* MUTEX_ALL_ACCESS has no bit 1: asking for it is refused. */
	SetLastError(0);
	EXPECT_EQ(NULL, CreateMutexExA(NULL, NULL, 0, 0x2));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
}

/* spec §2.4: the OpenMutex access matrix observed on Windows. */
TEST(open_mutex_access_matrix)
{
	const char *name = w32_name("matrix");
	HANDLE m = CreateMutexA(NULL, FALSE, name), o;
	DWORD failed = 0;
	int bit;

	ASSERT_NE(NULL, m);
	for (bit = 0; bit < 32; bit++) {
		DWORD access = 1u << bit;

		SetLastError(DEADBEEF);
		o = OpenMutexA(access, FALSE, name);
		if (!o) {
			failed |= access;
			if (access == ACCESS_SYSTEM_SECURITY) {
				EXPECT_EQ(ERROR_PRIVILEGE_NOT_HELD, GetLastError());
			} else {
				EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError())
					TH_LOG("bit %d", bit);
			}
		} else {
			EXPECT_EQ(DEADBEEF, GetLastError());
			CloseHandle(o);
		}
	}
	EXPECT_EQ(0x0de0fffeu, failed);

	/* 0: denied if the name exists, not found otherwise. */
	SetLastError(0);
	EXPECT_EQ(NULL, OpenMutexA(0, FALSE, name));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	SetLastError(0);
	EXPECT_EQ(NULL, OpenMutexA(0, FALSE, w32_name("nomatrix")));
	EXPECT_EQ(ERROR_FILE_NOT_FOUND, GetLastError());
	SetLastError(0);
	EXPECT_EQ(NULL, OpenMutexA(0x2, FALSE, w32_name("nomatrix")));
	EXPECT_EQ(ERROR_FILE_NOT_FOUND, GetLastError());

	/* GENERIC_EXECUTE can wait; GENERIC_READ|GENERIC_WRITE cannot. */
	o = OpenMutexA(GENERIC_EXECUTE, FALSE, name);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(o, 0));
	EXPECT_TRUE(ReleaseMutex(o));
	CloseHandle(o);
	o = OpenMutexA(GENERIC_READ | GENERIC_WRITE, FALSE, name);
	ASSERT_NE(NULL, o);
	SetLastError(0);
	EXPECT_EQ(WAIT_FAILED, WaitForSingleObject(o, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	CloseHandle(o);

	/* ReleaseMutex needs no right: a READ_CONTROL handle releases. */
	o = OpenMutexA(READ_CONTROL, FALSE, name);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(m, 0));
	EXPECT_TRUE(ReleaseMutex(o));
	EXPECT_FALSE(ReleaseMutex(o));
	EXPECT_EQ(ERROR_NOT_OWNER, GetLastError());
	CloseHandle(o);

	/* MAXIMUM_ALLOWED: everything the creator may have. */
	o = OpenMutexA(MAXIMUM_ALLOWED, FALSE, name);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(MUTEX_ALL_ACCESS, w32_access(o));
	CloseHandle(o);
	o = OpenMutexW(SYNCHRONIZE, FALSE, w32_wide(name));
	ASSERT_NE(NULL, o);
	EXPECT_EQ(SYNCHRONIZE, w32_access(o));
	CloseHandle(o);
	CloseHandle(m);
}

TEST(open_access_other_types)
{
	const char *name = w32_name("acc");
	HANDLE s = CreateSemaphoreA(NULL, 0, 2, name), o;

	ASSERT_NE(NULL, s);
	o = OpenSemaphoreA(SYNCHRONIZE, FALSE, name);
	ASSERT_NE(NULL, o);
	EXPECT_FALSE(ReleaseSemaphore(o, 1, NULL));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	CloseHandle(o);
	o = OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, FALSE, name);
	ASSERT_NE(NULL, o);
	EXPECT_TRUE(ReleaseSemaphore(o, 1, NULL));
	SetLastError(0);
	EXPECT_EQ(WAIT_FAILED, WaitForSingleObject(o, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	CloseHandle(o);
	o = OpenSemaphoreA(GENERIC_READ, FALSE, name);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(READ_CONTROL | SEMAPHORE_QUERY_STATE, w32_access(o));
	CloseHandle(o);
	o = OpenSemaphoreA(GENERIC_ALL, FALSE, name);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(SEMAPHORE_ALL_ACCESS, w32_access(o));
	CloseHandle(o);
	SetLastError(0);
	EXPECT_EQ(NULL, OpenSemaphoreA(0x4, FALSE, name));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	SetLastError(0);
	EXPECT_EQ(NULL, OpenSemaphoreA(0, FALSE, name));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	CloseHandle(s);

	name = w32_name("acc");
	s = CreateWaitableTimerA(NULL, FALSE, name);
	ASSERT_NE(NULL, s);
	o = OpenWaitableTimerA(SYNCHRONIZE, FALSE, name);
	ASSERT_NE(NULL, o);
	{
		LARGE_INTEGER due;

		due.QuadPart = -1;
		EXPECT_FALSE(SetWaitableTimer(o, &due, 0, NULL, NULL, FALSE));
		EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
		EXPECT_FALSE(CancelWaitableTimer(o));
		EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	}
	CloseHandle(o);
	o = OpenWaitableTimerW(TIMER_MODIFY_STATE, FALSE, w32_wide(name));
	ASSERT_NE(NULL, o);
	EXPECT_TRUE(CancelWaitableTimer(o));
	CloseHandle(o);
	CloseHandle(s);
}

/* ------------------------------------------------------------ semaphores */

TEST(semaphore_create_params)
{
	static const LONG bad[][2] = { { -1, 1 }, { 1, -1 }, { -1, -1 },
				       { 2, 1 }, { 0, 0 } };
	static const LONG good[][2] = { { 1, 2 }, { 0, 10 },
					{ INT_MAX - 1, INT_MAX },
					{ INT_MAX, INT_MAX } };
	unsigned int i;
	HANDLE s;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		SetLastError(0);
		EXPECT_EQ(NULL, CreateSemaphoreA(NULL, bad[i][0], bad[i][1], NULL));
		EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
		SetLastError(0);
		EXPECT_EQ(NULL, CreateSemaphoreW(NULL, bad[i][0], bad[i][1], NULL));
		EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		SetLastError(DEADBEEF);
		s = CreateSemaphoreA(NULL, good[i][0], good[i][1], NULL);
		ASSERT_NE(NULL, s);
		EXPECT_EQ(ERROR_SUCCESS, GetLastError());
		EXPECT_EQ(good[i][0], w32_count(s));
		EXPECT_EQ(good[i][0] ? WAIT_OBJECT_0 : WAIT_TIMEOUT,
			  WaitForSingleObject(s, 0));
		CloseHandle(s);
	}
	SetLastError(0);
	EXPECT_EQ(NULL, CreateSemaphoreExA(NULL, 0, 1, NULL, 1,
					   SEMAPHORE_ALL_ACCESS));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	s = CreateSemaphoreExW(NULL, 1, 1, NULL, 0, SYNCHRONIZE);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(SYNCHRONIZE, w32_access(s));
	EXPECT_FALSE(ReleaseSemaphore(s, 1, NULL));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	CloseHandle(s);
}

TEST(semaphore_release)
{
	HANDLE s = CreateSemaphoreA(NULL, 0, 3, NULL);
	LONG prev = 12345;

	ASSERT_NE(NULL, s);
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(s, 0));
	SetLastError(0);
	EXPECT_FALSE(ReleaseSemaphore(s, 0, &prev));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	EXPECT_FALSE(ReleaseSemaphore(s, -1, &prev));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	EXPECT_EQ(12345, prev);
	EXPECT_TRUE(ReleaseSemaphore(s, 2, &prev));
	EXPECT_EQ(0, prev);
	EXPECT_TRUE(ReleaseSemaphore(s, 1, NULL));
	/* Past the maximum: FALSE, count unchanged, prev not written. */
	prev = (LONG)DEADBEEF;
	EXPECT_FALSE(ReleaseSemaphore(s, 1, &prev));
	EXPECT_EQ(ERROR_TOO_MANY_POSTS, GetLastError());
	EXPECT_EQ((LONG)DEADBEEF, prev);
	EXPECT_EQ(3, w32_count(s));
	/* Each wait takes one, the same thread may take several. */
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(s, 0));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(s, 0));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(s, 0));
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(s, 0));
	EXPECT_TRUE(ReleaseSemaphore(s, 3, &prev));
	EXPECT_EQ(0, prev);
	EXPECT_FALSE(ReleaseSemaphore(s, INT_MAX, &prev));
	EXPECT_EQ(ERROR_TOO_MANY_POSTS, GetLastError());
	/* Closing a handle does not change the count. */
	{
		HANDLE d;

		ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), s,
					    GetCurrentProcess(), &d, 0, FALSE,
					    DUPLICATE_SAME_ACCESS));
		EXPECT_TRUE(CloseHandle(s));
		EXPECT_EQ(3, w32_count(d));
		CloseHandle(d);
	}
}

/* ---------------------------------------------------------------- timers */

static LARGE_INTEGER rel_ms(LONGLONG ms)
{
	LARGE_INTEGER li;

	li.QuadPart = -ms * 10000;
	return li;
}

static LARGE_INTEGER abs_ms_from_now(LONGLONG ms)
{
	struct timespec ts;
	LARGE_INTEGER li;

	clock_gettime(CLOCK_REALTIME, &ts);
	li.QuadPart = 116444736000000000LL + (LONGLONG)ts.tv_sec * 10000000 +
		      ts.tv_nsec / 100 + ms * 10000;
	return li;
}

TEST(timer_one_shot)
{
	HANDLE t;
	LARGE_INTEGER due;

	SetLastError(DEADBEEF);
	t = CreateWaitableTimerA(NULL, FALSE, NULL);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(ERROR_SUCCESS, GetLastError());
	EXPECT_EQ(TIMER_ALL_ACCESS, w32_access(t));
	/* Created inactive and nonsignaled. */
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(t, 20));
	due = rel_ms(30);
	SetLastError(DEADBEEF);
	EXPECT_TRUE(SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
	EXPECT_EQ(DEADBEEF, GetLastError());
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(t, 0));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(t, WS_LONG_MS));
	/* Synchronization timer: one wait consumed it. */
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(t, 50));

	/* An absolute time in the past (10000) is accepted: fires at once. */
	due.QuadPart = 10000;
	EXPECT_TRUE(SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(t, WS_LONG_MS));
	/* Absolute, in the future. */
	due = abs_ms_from_now(50);
	EXPECT_TRUE(SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(t, 0));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(t, WS_LONG_MS));

	/* lPeriod < 0, NULL due time: ERROR_INVALID_PARAMETER. */
	SetLastError(0);
	due = rel_ms(10);
	EXPECT_FALSE(SetWaitableTimer(t, &due, -1, NULL, NULL, FALSE));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	EXPECT_FALSE(SetWaitableTimer(t, NULL, 0, NULL, NULL, FALSE));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	/* fResume: succeeds with ERROR_NOT_SUPPORTED. */
	SetLastError(0);
	EXPECT_TRUE(SetWaitableTimer(t, &due, 0, NULL, NULL, TRUE));
	EXPECT_EQ(ERROR_NOT_SUPPORTED, GetLastError());
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(t, WS_LONG_MS));
	CloseHandle(t);
}

TEST(timer_manual_reset_and_set_resets)
{
	HANDLE t = CreateWaitableTimerW(NULL, TRUE, NULL);
	LARGE_INTEGER due = rel_ms(1);

	ASSERT_NE(NULL, t);
	EXPECT_TRUE(SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(t, WS_LONG_MS));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(t, 0));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(t, 0));
	/* Setting makes it nonsignaled. */
	due = rel_ms(60000);
	EXPECT_TRUE(SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(t, 0));
	/* Cancelling does not change the signaled state (nonsignaled). */
	EXPECT_TRUE(CancelWaitableTimer(t));
	EXPECT_EQ(0, WS_QUERY_FIELD(w32_fd(t), flags) & WINSYNC_INFO_ACTIVE);
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(t, 20));
	/* ... nor a signaled one. */
	due = rel_ms(1);
	EXPECT_TRUE(SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(t, WS_LONG_MS));
	EXPECT_TRUE(CancelWaitableTimer(t));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(t, 0));
	EXPECT_TRUE(CancelWaitableTimer(t));	/* inactive: still TRUE */
	CloseHandle(t);
}

TEST(timer_periodic)
{
	HANDLE t = CreateWaitableTimerExA(NULL, NULL,
					  CREATE_WAITABLE_TIMER_HIGH_RESOLUTION,
					  TIMER_ALL_ACCESS);
	LARGE_INTEGER due = rel_ms(0);
	uint64_t t0, t1;

	ASSERT_NE(NULL, t);
	due.QuadPart = -1;
	EXPECT_TRUE(SetWaitableTimer(t, &due, 200, NULL, NULL, FALSE));
	/* The first wait returns at once, the next after about a period. */
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(t, WS_LONG_MS));
	t0 = ws_now(CLOCK_MONOTONIC);
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(t, WS_LONG_MS));
	t1 = ws_now(CLOCK_MONOTONIC);
	EXPECT_LE(100 * WS_NS_PER_MS, t1 - t0);
	EXPECT_EQ(200 * WS_NS_PER_MS, WS_QUERY_FIELD(w32_fd(t), timer_period_ns));
	EXPECT_TRUE(CancelWaitableTimer(t));
	CloseHandle(t);

	SetLastError(0);
	EXPECT_EQ(NULL, CreateWaitableTimerExA(NULL, NULL, 4, TIMER_ALL_ACCESS));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	t = CreateWaitableTimerExW(NULL, NULL, CREATE_WAITABLE_TIMER_MANUAL_RESET,
				   TIMER_ALL_ACCESS);
	ASSERT_NE(NULL, t);
	EXPECT_NE(0, WS_QUERY_FIELD(w32_fd(t), flags) & WINSYNC_INFO_MANUAL_RESET);
	/* SetWaitableTimerEx: a tolerable delay becomes the slack. */
	due = rel_ms(10);
	EXPECT_TRUE(SetWaitableTimerEx(t, &due, 0, NULL, NULL, NULL, 5));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(t, WS_LONG_MS));
	CloseHandle(t);
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main
WS_MAIN
