/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the Win32-layer selftests (win32_*.c), which test
 * libwinsync's <winsync/win32.h> against the reference semantics in
 * shared/spec/win32-semantics.md (cited as "spec §N").
 *
 * Conventions: every call is followed by a check of its return value and,
 * where Windows defines it, of GetLastError().  SetLastError(0xdeadbeef)
 * before a call whose success must leave the last error alone.
 */
#ifndef WIN32_TEST_H
#define WIN32_TEST_H

#include "winsync_test.h"

#include <winsync/win32.h>

#define DEADBEEF	0xdeadbeefu

/* A name unique to this process and test: "<tag>-<pid>-<counter>". */
static inline const char *w32_name(const char *tag)
{
	static __thread char buf[8][96];
	static __thread unsigned int slot;
	static atomic_uint counter;
	char *p = buf[slot++ % 8];

	snprintf(p, 96, "ws32-%s-%d-%u", tag, (int)getpid(),
		 atomic_fetch_add(&counter, 1));
	return p;
}

/* ASCII to a static WCHAR string (tests only). */
static inline const WCHAR *w32_wide(const char *s)
{
	static __thread WCHAR buf[4][600];
	static __thread unsigned int slot;
	WCHAR *p = buf[slot++ % 4];
	size_t i;

	for (i = 0; i < 599 && s[i]; i++)
		p[i] = (unsigned char)s[i];
	p[i] = 0;
	return p;
}

static inline int w32_fd(HANDLE h)
{
	return winsync_handle_to_fd(h);
}

/* Signaled state through the kernel (QUERY), -1 if it cannot be read. */
static inline int w32_signaled(HANDLE h)
{
	return (int)WS_QUERY_FIELD(w32_fd(h), signaled);
}

/*
 * The kernel access mask of a handle, or -1: from /proc/self/fdinfo, which
 * (unlike QUERY) needs no right on the handle.
 */
static inline long long w32_access(HANDLE h)
{
	char path[64], line[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", w32_fd(h));
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "winsync-access:", 15))
			v = strtoll(line + 15, NULL, 16);
	fclose(f);
	return v;
}

static inline long long w32_count(HANDLE h)
{
	return WS_QUERY_FIELD(w32_fd(h), count);
}

static inline bool w32_is_open(HANDLE h)
{
	int fd = w32_fd(h);

	return fd >= 0 && fcntl(fd, F_GETFD) >= 0;
}

/* Run fn(arg) in a new thread and join it; for "another thread does X". */
static inline void w32_in_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;

	if (!pthread_create(&t, NULL, fn, arg))
		pthread_join(t, NULL);
}

#endif /* WIN32_TEST_H */
