/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the winsync selftests.
 *
 * The tests talk to /dev/winsync with raw ioctl()s on purpose: they check
 * the kernel contract (uapi/linux/winsync.h), not the library.  Wrappers
 * return 0 or a positive errno so that a test reads
 * EXPECT_EQ(EINVAL, ws_sem_release(sem, 0, NULL)).
 *
 * Timing: the test VM may run under software emulation, so no test measures
 * speed.  A wait that must complete gets WS_LONG_MS; a waiter that must stay
 * blocked is checked after WS_BLOCK_MS.
 */
#ifndef WINSYNC_TEST_H
#define WINSYNC_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/winsync.h>

#include "kselftest_harness.h"

#define WS_DEV_PATH	"/dev/winsync"
/* Bound for anything that must happen (a wake-up, an exit). */
#define WS_LONG_MS	10000
/* How long a waiter that must stay blocked is watched. */
#define WS_BLOCK_MS	100

#define WS_NS_PER_MS	1000000ULL
#define WS_NS_PER_SEC	1000000000ULL

/* An ioctl that returned a positive value where 0 was due. */
#define WS_EPOSITIVE	10000

/* The program's argv[0], for re-executing it (see ws_main()). */
static const char *ws_argv0 __attribute__((unused));

static inline pid_t ws_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* 0 on success, else errno; WS_EPOSITIVE + n if the ioctl returned n > 0. */
static inline int ws_ioctl(int fd, unsigned long req, void *arg)
{
	int ret = ioctl(fd, req, arg);

	if (ret < 0)
		return errno;
	return ret ? WS_EPOSITIVE + ret : 0;
}

static inline int ws_open_dev(void)
{
	return open(WS_DEV_PATH, O_RDWR | O_CLOEXEC);
}

static inline int ws_get_info(int dev, struct winsync_info *info)
{
	memset(info, 0, sizeof(*info));
	return ws_ioctl(dev, WINSYNC_IOC_GET_INFO, info);
}

static inline __u64 ws_features(int dev)
{
	struct winsync_info info;

	return ws_get_info(dev, &info) ? 0 : info.features;
}

static inline void ws_create_init(struct winsync_create_args *a, __u32 type,
				  __u32 flags, __u32 access)
{
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->flags = flags;
	a->access = access;
	/* Output fields are ignored on input: poison them. */
	a->fd = -1;
	a->status = ~0U;
}

/* Create with a prepared argument block: 0 or errno. */
static inline int ws_create(int dev, struct winsync_create_args *a)
{
	return ws_ioctl(dev, WINSYNC_IOC_CREATE, a);
}

/* Create an unnamed object: the new fd, or -errno. */
static inline int ws_new(int dev, __u32 type, __u32 flags, __u32 access,
			 __u32 count, __u32 max)
{
	struct winsync_create_args a;
	int err;

	ws_create_init(&a, type, flags, access);
	a.sem_count = count;
	a.sem_max = max;
	err = ws_create(dev, &a);
	if (err)
		return -err;
	return a.fd;
}

/* OPEN a named object with @access: the new fd, or -errno. */
static inline int ws_open_name(int dev, __u32 type, __u32 access, const char *name)
{
	struct winsync_open_args a;
	int err;

	memset(&a, 0, sizeof(a));
	a.type = type;
	a.access = access;
	a.name = (uintptr_t)name;
	a.name_len = (__u32)strlen(name);
	err = ws_ioctl(dev, WINSYNC_IOC_OPEN, &a);
	return err ? -err : a.fd;
}

static inline int ws_sem(int dev, __u32 count, __u32 max)
{
	return ws_new(dev, WINSYNC_TYPE_SEM, 0, WINSYNC_ACCESS_ALL, count, max);
}

static inline int ws_mutex(int dev, bool owned)
{
	return ws_new(dev, WINSYNC_TYPE_MUTEX, owned ? WINSYNC_CREATE_OWNED : 0,
		      WINSYNC_ACCESS_ALL, 0, 0);
}

static inline int ws_event(int dev, bool manual, bool signaled)
{
	__u32 flags = (manual ? WINSYNC_CREATE_MANUAL_RESET : 0) |
		      (signaled ? WINSYNC_CREATE_SIGNALED : 0);

	return ws_new(dev, WINSYNC_TYPE_EVENT, flags, WINSYNC_ACCESS_ALL, 0, 0);
}

/* A new handle to fd's object with @access: the fd, or -errno. */
static inline int ws_reopen(int fd, __u32 access, __u32 flags)
{
	struct winsync_reopen_args a;
	int err;

	memset(&a, 0, sizeof(a));
	a.access = access;
	a.flags = flags;
	a.fd = -1;
	err = ws_ioctl(fd, WINSYNC_IOC_REOPEN, &a);
	if (err)
		return -err;
	return a.fd;
}

static inline int ws_query(int fd, struct winsync_obj_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	return ws_ioctl(fd, WINSYNC_IOC_QUERY, info);
}

/* One QUERY field, or -1 if QUERY fails. */
#define WS_QUERY_FIELD(fd, field) ({				\
	struct winsync_obj_info __qi;				\
	ws_query((fd), &__qi) ? -1LL : (long long)__qi.field;	\
})

static inline int ws_u32_ioctl(int fd, unsigned long req, __u32 in, __u32 *out)
{
	__u32 v = in;
	int err = ws_ioctl(fd, req, &v);

	if (out)
		*out = v;
	return err;
}

static inline int ws_sem_release(int fd, __u32 n, __u32 *prev)
{
	return ws_u32_ioctl(fd, WINSYNC_IOC_SEM_RELEASE, n, prev);
}

static inline int ws_mutex_release(int fd, __u32 *prev)
{
	return ws_u32_ioctl(fd, WINSYNC_IOC_MUTEX_RELEASE, 0xdeadbeef, prev);
}

static inline int ws_event_set(int fd, __u32 *prev)
{
	return ws_u32_ioctl(fd, WINSYNC_IOC_EVENT_SET, 0xdeadbeef, prev);
}

static inline int ws_event_reset(int fd, __u32 *prev)
{
	return ws_u32_ioctl(fd, WINSYNC_IOC_EVENT_RESET, 0xdeadbeef, prev);
}

static inline int ws_event_pulse(int fd, __u32 *prev)
{
	return ws_u32_ioctl(fd, WINSYNC_IOC_EVENT_PULSE, 0xdeadbeef, prev);
}

/*
 * The value of "key:\t" in /proc/self/fdinfo/@fd, into @val; false if the
 * line is missing.
 */
static inline bool ws_fdinfo_get(int fd, const char *key, char *val, size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key), n;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':' ||
		    line[klen + 1] != '\t')
			continue;
		line[strcspn(line, "\n")] = 0;
		n = strlen(line + klen + 2);
		if (n >= len)
			n = len - 1;
		memcpy(val, line + klen + 2, n);
		val[n] = 0;
		found = true;
		break;
	}
	fclose(f);
	return found;
}

#define EXPECT_FDINFO(fd, key, want) do {				\
	char __v[128] = "";						\
	EXPECT_TRUE(ws_fdinfo_get((fd), (key), __v, sizeof(__v)))	\
		TH_LOG("no %s line", (key));				\
	EXPECT_STREQ((want), __v) TH_LOG("%s", (key));			\
} while (0)

static inline __u64 ws_now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (__u64)ts.tv_sec * WS_NS_PER_SEC + (__u64)ts.tv_nsec;
}

/* Absolute CLOCK_MONOTONIC timeout @ms from now. */
static inline __u64 ws_deadline_ms(unsigned int ms)
{
	return ws_now(CLOCK_MONOTONIC) + ms * WS_NS_PER_MS;
}

static inline void ws_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Full wait: 0 or errno.  @out (optional) receives the argument block after
 * the call (index, status).
 */
static inline int ws_wait_ex(int dev, const int *objs, __u32 count,
			     __u32 flags, __u64 timeout, int alert, int signal,
			     struct winsync_wait_args *out)
{
	struct winsync_wait_args a;
	int err;

	memset(&a, 0, sizeof(a));
	a.objs = (uintptr_t)objs;
	a.count = count;
	a.flags = flags;
	a.timeout = timeout;
	a.alert = alert;
	a.signal = signal;
	/* Output fields are ignored on input: poison them. */
	a.index = ~0U;
	a.status = ~0U;
	err = ws_ioctl(dev, WINSYNC_IOC_WAIT, &a);
	if (out)
		*out = a;
	return err;
}

static inline int ws_wait(int dev, const int *objs, __u32 count, __u32 flags,
			  __u64 timeout, struct winsync_wait_args *out)
{
	return ws_wait_ex(dev, objs, count, flags, timeout, 0, 0, out);
}

/* Wait for one object; @status (optional) gets the status. */
static inline int ws_wait1(int dev, int fd, __u64 timeout, __u32 *status)
{
	struct winsync_wait_args a;
	int err = ws_wait(dev, &fd, 1, 0, timeout, &a);

	if (status)
		*status = a.status;
	return err;
}

/* Poll QUERY until at least @n threads wait on @fd; false after WS_LONG_MS. */
static inline bool ws_await_waiters(int fd, unsigned int n)
{
	__u64 end = ws_deadline_ms(WS_LONG_MS);

	do {
		if (WS_QUERY_FIELD(fd, waiters) >= (long long)n)
			return true;
		ws_sleep_ms(1);
	} while (ws_now(CLOCK_MONOTONIC) < end);
	return false;
}

/* Poll until an atomic reaches @n; false after @ms. */
static inline bool ws_await_atomic(atomic_int *v, int n, unsigned int ms)
{
	__u64 end = ws_deadline_ms(ms);

	do {
		if (atomic_load(v) >= n)
			return true;
		ws_sleep_ms(1);
	} while (ws_now(CLOCK_MONOTONIC) < end);
	return atomic_load(v) >= n;
}

/* A thread that performs one wait. */
struct ws_waiter {
	pthread_t thread;
	int dev;
	int objs[WINSYNC_MAX_WAIT_OBJECTS];
	__u32 count;
	__u32 flags;
	__u64 timeout;
	int alert;
	int signal;
	/* Results. */
	pid_t tid;
	int ret;
	struct winsync_wait_args args;
	atomic_int started;
	atomic_int done;
	bool joined;
	/*
	 * Set before starting to keep the thread alive after its wait (a
	 * mutex it took stays owned, not abandoned) until ws_waiter_let_go().
	 */
	bool hold;
	atomic_int let_go;
};

static inline void ws_waiter_init(struct ws_waiter *w, int dev,
				  const int *objs, __u32 count, __u32 flags,
				  __u64 timeout)
{
	memset(w, 0, sizeof(*w));
	w->dev = dev;
	memcpy(w->objs, objs, count * sizeof(*objs));
	w->count = count;
	w->flags = flags;
	w->timeout = timeout;
	w->ret = -1;
	atomic_init(&w->started, 0);
	atomic_init(&w->done, 0);
	atomic_init(&w->let_go, 0);
}

static inline void *ws_waiter_fn(void *arg)
{
	struct ws_waiter *w = arg;

	w->tid = ws_gettid();
	atomic_store(&w->started, 1);
	w->ret = ws_wait_ex(w->dev, w->objs, w->count, w->flags, w->timeout,
			    w->alert, w->signal, &w->args);
	atomic_store(&w->done, 1);
	while (w->hold && !atomic_load(&w->let_go))
		ws_sleep_ms(1);
	return NULL;
}

/* 0 or the pthread_create error. */
static inline int ws_waiter_start(struct ws_waiter *w)
{
	int err = pthread_create(&w->thread, NULL, ws_waiter_fn, w);

	if (!err)
		ws_await_atomic(&w->started, 1, WS_LONG_MS);
	return err;
}

static inline bool ws_waiter_done(struct ws_waiter *w)
{
	return atomic_load(&w->done);
}

/*
 * True if the waiter's wait finishes within @ms; the thread is joined then,
 * unless it holds (see ws_waiter_let_go()).
 */
static inline bool ws_waiter_finish(struct ws_waiter *w, unsigned int ms)
{
	if (w->joined)
		return true;
	if (!ws_await_atomic(&w->done, 1, ms))
		return false;
	if (!w->hold) {
		pthread_join(w->thread, NULL);
		w->joined = true;
	}
	return true;
}

/* Let a holding waiter's thread exit once its wait is over, and join it. */
static inline void ws_waiter_let_go(struct ws_waiter *w)
{
	if (w->joined || !ws_await_atomic(&w->done, 1, WS_LONG_MS))
		return;
	atomic_store(&w->let_go, 1);
	pthread_join(w->thread, NULL);
	w->joined = true;
}

/* Wait for a child process; its exit code, or -1 (signal, timeout). */
static inline int ws_reap(pid_t pid, unsigned int ms)
{
	__u64 end = ws_deadline_ms(ms);
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 || ws_now(CLOCK_MONOTONIC) >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		ws_sleep_ms(1);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Read one byte from @fd within @ms; true if one came. */
static inline bool ws_read_byte(int fd, unsigned int ms)
{
	__u64 end = ws_deadline_ms(ms);
	char c;

	for (;;) {
		ssize_t r = read(fd, &c, 1);

		if (r == 1)
			return true;
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			return false;
		if (ws_now(CLOCK_MONOTONIC) >= end)
			return false;
		ws_sleep_ms(1);
	}
}

static inline bool ws_write_byte(int fd)
{
	char c = 'x';

	return write(fd, &c, 1) == 1;
}

static inline bool ws_is_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags >= 0 && (flags & FD_CLOEXEC);
}

/*
 * Program entry, shared by every test program.
 *
 * "--ws-exec-helper FD" is the image an exec test runs: it writes one byte
 * to FD and sleeps until killed.  Otherwise, check for /dev/winsync before
 * the harness runs (the 6.1 harness does not honour SKIP() in a fixture
 * setup) and skip the whole program when the device is missing.
 */
static inline int ws_main(int argc, char **argv,
			  int (*harness_main)(int, char **))
{
	int fd;

	ws_argv0 = argv[0];
	if (argc == 3 && !strcmp(argv[1], "--ws-exec-helper")) {
		ws_write_byte(atoi(argv[2]));
		for (;;)
			pause();
	}

	fd = ws_open_dev();
	if (fd < 0) {
		int err = errno;

		ksft_print_header();
		if (err == ENOENT || err == ENODEV || err == ENXIO ||
		    err == EACCES || err == EPERM)
			ksft_exit_skip("cannot open %s: %s (winsync module not loaded?)\n",
				       WS_DEV_PATH, strerror(err));
		ksft_exit_fail_msg("cannot open %s: %s\n", WS_DEV_PATH,
				   strerror(err));
	}
	close(fd);
	return harness_main(argc, argv);
}

/*
 * The harness's own main() is renamed and called from ws_main(), so each
 * program gets the harness's registration logic whatever its version:
 *
 *	#define main ws_harness_main
 *	TEST_HARNESS_MAIN
 *	#undef main
 *	WS_MAIN
 */
int ws_harness_main(int argc, char **argv);
#define WS_MAIN							\
	int main(int argc, char **argv)				\
	{							\
		return ws_main(argc, argv, ws_harness_main);	\
	}

/* Open the device inside a test, or fail it. */
#define WS_OPEN_DEV(dev) do {					\
	(dev) = ws_open_dev();					\
	ASSERT_LE(0, (dev)) TH_LOG("open %s: %s", WS_DEV_PATH,	\
				   strerror(errno));		\
} while (0)

#endif /* WINSYNC_TEST_H */
