// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * winsync-demo: a narrated tour of /dev/winsync.
 *
 * Each step prints what it does and what came back.  A section runs only if
 * the loaded module reports the features it needs, so the tour works with
 * any build of the module.  Exit status: 0 if every result was the expected
 * one, 1 (with a message) otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <winsync/winsync.h>

/* A wait that should end at once gets this long before it counts as hung. */
#define PATIENCE_MS	5000

static int dev = -1;
static uint64_t features;

/* ---- Narration ---------------------------------------------------------- */

static const char *errname(int err)
{
	static const struct { int err; const char *name; } names[] = {
		{ EACCES, "EACCES" }, { EBADF, "EBADF" }, { EFAULT, "EFAULT" },
		{ EINTR, "EINTR" }, { EINVAL, "EINVAL" }, { EMEDIUMTYPE, "EMEDIUMTYPE" },
		{ EMFILE, "EMFILE" }, { ENAMETOOLONG, "ENAMETOOLONG" },
		{ ENODEV, "ENODEV" }, { ENOENT, "ENOENT" }, { ENOMEM, "ENOMEM" },
		{ ENOSPC, "ENOSPC" }, { ENOTTY, "ENOTTY" }, { ENXIO, "ENXIO" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { EOVERFLOW, "EOVERFLOW" },
		{ EPERM, "EPERM" }, { ETIMEDOUT, "ETIMEDOUT" },
	};
	static char buf[64];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(buf, sizeof(buf), "errno %d (%s)", err, strerror(err));
	return buf;
}

static const char *statusname(int status)
{
	switch (status) {
	case WINSYNC_WAIT_STATUS_OBJECT:	return "signaled";
	case WINSYNC_WAIT_STATUS_ABANDONED:	return "abandoned";
	case WINSYNC_WAIT_STATUS_ALERTED:	return "alerted";
	}
	return "unknown status";
}

/* Describes a return value: a wait status, or an error. */
static const char *outcome(int ret)
{
	static char buf[96];

	if (ret < 0)
		snprintf(buf, sizeof(buf), "error %s", errname(-ret));
	else
		snprintf(buf, sizeof(buf), "status %d (%s)", ret,
			 statusname(ret));
	return buf;
}

static void section(const char *title)
{
	printf("\n%s\n", title);
}

/* Starts a step: "  Do this: "; the result follows on the same line. */
static void step(const char *fmt, ...)
{
	va_list ap;

	printf("  ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(": ");
	fflush(stdout);
}

static void result(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void note(const char *fmt, ...)
{
	va_list ap;

	printf("    (");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(")\n");
}

static void __attribute__((noreturn)) fail(const char *fmt, ...)
{
	va_list ap;

	printf("UNEXPECTED: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	fprintf(stderr, "winsync-demo: failed, see the step above\n");
	exit(1);
}

/* The step's call must have succeeded. */
static int must(int ret)
{
	if (ret < 0)
		fail("%s", outcome(ret));
	return ret;
}

/* The step's call must have failed with this error. */
static void must_fail(int ret, int err)
{
	if (ret != -err)
		fail("expected error %s, got %s", errname(err),
		     ret < 0 ? outcome(ret) : "success");
}

/* The step's wait must have ended with this status. */
static void must_status(int ret, int status)
{
	if (ret != status)
		fail("expected wait status %d (%s), got %s", status,
		     statusname(status), outcome(ret));
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct winsync_obj_info query(int obj)
{
	struct winsync_obj_info info;

	must(winsync_query(obj, &info));
	return info;
}

/*
 * Waits until n threads wait on obj, so that the narration shows a sleeping
 * waiter being woken.  Correctness does not hang on it: a signal given
 * before the waiter sleeps stays until it comes.  Returns whether it saw them.
 */
static bool await_waiters(int obj, uint32_t n)
{
	const struct timespec tick = { .tv_nsec = 1000000 };

	for (int i = 0; i < 2000; i++) {
		struct winsync_obj_info info;

		if (winsync_query(obj, &info) == 0 && info.waiters >= n)
			return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

static const struct { uint64_t bit; const char *name; } feature_names[] = {
	{ WINSYNC_FEATURE_SEM, "semaphores" },
	{ WINSYNC_FEATURE_MUTEX, "mutexes" },
	{ WINSYNC_FEATURE_EVENT, "events" },
	{ WINSYNC_FEATURE_TIMER, "waitable timers" },
	{ WINSYNC_FEATURE_WAIT, "waits" },
	{ WINSYNC_FEATURE_NAMES, "named objects" },
	{ WINSYNC_FEATURE_OWNER_DEATH, "abandoned mutexes on thread exit" },
	{ WINSYNC_FEATURE_POLL, "poll/epoll on handles" },
	{ WINSYNC_FEATURE_LIST, "listing named objects" },
	{ WINSYNC_FEATURE_TRACE, "trace events" },
};
#define N_FEATURES (sizeof(feature_names) / sizeof(feature_names[0]))

/* Whether the module has every feature in @wanted; if not, say so. */
static bool need(uint64_t wanted)
{
	uint64_t missing = wanted & ~features;

	if (!missing)
		return true;
	printf("  Skipped: this module build lacks");
	for (size_t i = 0; i < N_FEATURES; i++)
		if (missing & feature_names[i].bit)
			printf(" [%s]", feature_names[i].name);
	printf(".\n");
	return false;
}

/* ---- The device --------------------------------------------------------- */

static void show_device(void)
{
	struct winsync_info info;
	uint64_t known = 0;

	section("The device");
	step("Open %s", WINSYNC_DEVICE_PATH);
	dev = winsync_open_device();
	if (dev < 0)
		fail("cannot open %s: %s (is the winsync module loaded?)",
		     WINSYNC_DEVICE_PATH, errname(-dev));
	result("descriptor %d", dev);

	step("Ask the module what it is (GET_INFO)");
	must(winsync_get_info(dev, &info));
	result("winsync %" PRIu32 ".%" PRIu32 ".%" PRIu32 ", ABI version %" PRIu32,
	       info.version_major, info.version_minor, info.version_patch,
	       info.abi_version);
	if (info.abi_version < WINSYNC_ABI_VERSION)
		note("this program was built for ABI %d; newer calls may fail",
		     WINSYNC_ABI_VERSION);
	features = info.features;

	printf("  It supports:");
	for (size_t i = 0; i < N_FEATURES; i++) {
		known |= feature_names[i].bit;
		if (features & feature_names[i].bit)
			printf(" [%s]", feature_names[i].name);
	}
	if ((features & known) != known) {
		printf("\n  It does not support:");
		for (size_t i = 0; i < N_FEATURES; i++)
			if (!(features & feature_names[i].bit))
				printf(" [%s]", feature_names[i].name);
	}
	printf("\n");
	if (features & ~known)
		note("and features this program does not know: 0x%" PRIx64,
		     features & ~known);
	printf("  Limits: a wait takes up to %" PRIu32 " handles; names have up to %"
	       PRIu32 " bytes; ", info.max_wait_objects, info.max_name_len);
	if (info.max_user_objects)
		printf("a user may have %" PRIu32 " objects alive.\n",
		       info.max_user_objects);
	else
		printf("no per-user object limit is reported.\n");
	printf("  Objects alive in the system right now: %" PRIu64 ".\n",
	       (uint64_t)info.live_objects);
}

/* ---- Semaphore ---------------------------------------------------------- */

static void demo_semaphore(void)
{
	struct winsync_obj_info info;
	uint32_t prev;
	int sem;

	section("A semaphore counts: each wait takes one, a release gives some back");
	if (!need(WINSYNC_FEATURE_SEM | WINSYNC_FEATURE_WAIT))
		return;

	step("Create a semaphore with count 0 and maximum 2");
	sem = must(winsync_sem_create(dev, 0, 2, 0));
	result("handle %d", sem);

	step("Wait on it without blocking (the deadline is now)");
	must_fail(winsync_wait_one(dev, sem, winsync_deadline_after_ns(0)),
		  ETIMEDOUT);
	result("ETIMEDOUT, the count is 0");

	step("Release 1");
	must(winsync_sem_release(sem, 1, &prev));
	result("done, the count was %" PRIu32, prev);

	step("Wait on it");
	must_status(winsync_wait_one(dev, sem, winsync_deadline_after_ms(PATIENCE_MS)),
		    WINSYNC_WAIT_STATUS_OBJECT);
	info = query(sem);
	result("acquired at once; the count is now %" PRIu32, info.count);

	step("Release 2");
	must(winsync_sem_release(sem, 2, &prev));
	info = query(sem);
	result("done, the count went from %" PRIu32 " to %" PRIu32, prev,
	       info.count);

	step("Release 1 more");
	must_fail(winsync_sem_release(sem, 1, &prev), EOVERFLOW);
	info = query(sem);
	result("EOVERFLOW: 2 is the maximum, and the count stays %" PRIu32,
	       info.count);
	if (info.count != 2)
		fail("the count changed to %" PRIu32, info.count);

	step("Release 0");
	must_fail(winsync_sem_release(sem, 0, NULL), EINVAL);
	result("EINVAL: a release must add at least 1");

	step("Set it as if it were an event");
	must_fail(winsync_event_set(sem, NULL), ENOTTY);
	result("ENOTTY: a handle only takes its own type's operations");

	close(sem);
}

/* ---- Auto-reset event with a sleeping waiter ---------------------------- */

struct waiter {
	int obj;
	int status;
};

static void *waiter_thread(void *arg)
{
	struct waiter *w = arg;

	w->status = winsync_wait_one(dev, w->obj, WINSYNC_TIMEOUT_INFINITE);
	return NULL;
}

static void demo_event(void)
{
	struct waiter w = { .status = -1 };
	struct winsync_obj_info info;
	pthread_t thread;
	uint32_t prev;

	section("An auto-reset event wakes one waiter and resets itself");
	if (!need(WINSYNC_FEATURE_EVENT | WINSYNC_FEATURE_WAIT))
		return;

	step("Create an auto-reset event, not signaled");
	w.obj = must(winsync_event_create(dev, 0));
	result("handle %d", w.obj);

	step("Start a thread that waits on it with no timeout");
	if (pthread_create(&thread, NULL, waiter_thread, &w))
		fail("pthread_create failed");
	if (await_waiters(w.obj, 1))
		result("the thread is asleep in the wait");
	else
		result("started (not seen asleep yet; the event will wait for it)");

	step("Set the event");
	must(winsync_event_set(w.obj, &prev));
	result("done, it was %s", prev ? "signaled" : "not signaled");

	step("Join the thread");
	pthread_join(thread, NULL);
	must_status(w.status, WINSYNC_WAIT_STATUS_OBJECT);
	result("its wait returned %s", outcome(w.status));

	step("Look at the event");
	info = query(w.obj);
	if (info.signaled)
		fail("the event is still signaled");
	result("not signaled again: the wake consumed it");

	close(w.obj);
}

/* ---- Recursive mutex ---------------------------------------------------- */

static void *release_thread(void *arg)
{
	struct waiter *w = arg;

	w->status = winsync_mutex_release(w->obj, NULL);
	return NULL;
}

static void demo_mutex(void)
{
	struct waiter other = { .status = 1 };
	struct winsync_obj_info info;
	pthread_t thread;
	uint32_t prev;
	int mutex;

	section("A mutex belongs to a thread, which may take it again and again");
	if (!need(WINSYNC_FEATURE_MUTEX | WINSYNC_FEATURE_WAIT))
		return;

	step("Create a mutex that nobody owns");
	mutex = must(winsync_mutex_create(dev, 0));
	result("handle %d", mutex);

	for (int i = 1; i <= 2; i++) {
		step("Wait on it (time %d)", i);
		must_status(winsync_wait_one(dev, mutex,
					     winsync_deadline_after_ms(PATIENCE_MS)),
			    WINSYNC_WAIT_STATUS_OBJECT);
		info = query(mutex);
		result("acquired; owner thread %" PRIu32 " (this is %d), recursion %" PRIu32,
		       info.owner_tid, (int)gettid(), info.count);
		if (info.count != (uint32_t)i)
			fail("the recursion count is %" PRIu32 ", not %d",
			     info.count, i);
	}

	step("Let another thread try to release it");
	other.obj = mutex;
	if (pthread_create(&thread, NULL, release_thread, &other))
		fail("pthread_create failed");
	pthread_join(thread, NULL);
	must_fail(other.status, EPERM);
	result("EPERM: only the owner may release it");

	for (int i = 1; i <= 2; i++) {
		step("Release it (time %d)", i);
		must(winsync_mutex_release(mutex, &prev));
		result("done, the recursion count was %" PRIu32, prev);
	}

	info = query(mutex);
	step("Look at it");
	if (!info.signaled || info.count != 0)
		fail("still owned, recursion %" PRIu32, info.count);
	result("free (signaled) again");

	step("Release it once more");
	must_fail(winsync_mutex_release(mutex, NULL), EPERM);
	result("EPERM: this thread no longer owns it");

	close(mutex);
}

/* ---- Abandoned mutex ---------------------------------------------------- */

struct grabber {
	int mutex;
	int status;
	pid_t tid;
};

static void *grab_and_exit(void *arg)
{
	struct grabber *g = arg;

	g->tid = gettid();
	g->status = winsync_wait_one(dev, g->mutex,
				     winsync_deadline_after_ms(PATIENCE_MS));
	return NULL;	/* exits owning the mutex */
}

static void demo_abandoned(void)
{
	struct grabber g = { .status = -1 };
	struct winsync_obj_info info;
	pthread_t thread;
	uint64_t start;
	uint32_t prev;
	int ret;

	section("A mutex whose owner dies is \"abandoned\"; the next owner is told");
	if (!need(WINSYNC_FEATURE_MUTEX | WINSYNC_FEATURE_WAIT |
		  WINSYNC_FEATURE_OWNER_DEATH))
		return;

	step("Create a mutex");
	g.mutex = must(winsync_mutex_create(dev, 0));
	result("handle %d", g.mutex);

	step("Start a thread that takes it and exits without releasing it");
	if (pthread_create(&thread, NULL, grab_and_exit, &g))
		fail("pthread_create failed");
	pthread_join(thread, NULL);
	must_status(g.status, WINSYNC_WAIT_STATUS_OBJECT);
	result("thread %d took it and is gone", (int)g.tid);

	/* The kernel may notice the exit a moment after pthread_join returns:
	 * the wait blocks until then. */
	step("Wait on the mutex");
	start = now_ns();
	ret = winsync_wait_one(dev, g.mutex, winsync_deadline_after_ms(PATIENCE_MS));
	must_status(ret, WINSYNC_WAIT_STATUS_ABANDONED);
	result("acquired, %s, after %.1f ms", outcome(ret),
	       (now_ns() - start) / 1e6);

	step("Look at it");
	info = query(g.mutex);
	if (!(info.flags & WINSYNC_INFO_OWNED_BY_CALLER) || info.count != 1)
		fail("flags 0x%" PRIx32 ", recursion %" PRIu32, info.flags,
		     info.count);
	result("owned by this thread, recursion 1%s",
	       info.flags & WINSYNC_INFO_ABANDONED ?
	       ", still flagged abandoned" : ", no longer abandoned");

	step("Release it, then wait again");
	must(winsync_mutex_release(g.mutex, &prev));
	ret = winsync_wait_one(dev, g.mutex, winsync_deadline_after_ms(PATIENCE_MS));
	must_status(ret, WINSYNC_WAIT_STATUS_OBJECT);
	result("%s: the abandonment was reported once", outcome(ret));
	must(winsync_mutex_release(g.mutex, NULL));

	close(g.mutex);
}

/* ---- Wait-any ----------------------------------------------------------- */

static void demo_wait_any(void)
{
	enum { N = 4 };
	int events[N];
	uint32_t index;
	int ret;

	section("A wait on several objects returns the lowest signaled index");
	if (!need(WINSYNC_FEATURE_EVENT | WINSYNC_FEATURE_WAIT))
		return;

	step("Create %d auto-reset events", N);
	for (int i = 0; i < N; i++)
		events[i] = must(winsync_event_create(dev, 0));
	result("handles %d, %d, %d, %d", events[0], events[1], events[2],
	       events[3]);

	step("Set events 3 and 1");
	must(winsync_event_set(events[3], NULL));
	must(winsync_event_set(events[1], NULL));
	result("done");

	for (int want = 1; want <= 3; want += 2) {
		step("Wait for any of the %d", N);
		ret = winsync_wait_any(dev, events, N,
				       winsync_deadline_after_ms(PATIENCE_MS),
				       &index);
		must_status(ret, WINSYNC_WAIT_STATUS_OBJECT);
		if (index != (uint32_t)want)
			fail("index %" PRIu32 ", expected %d", index, want);
		result("index %" PRIu32 "%s", index,
		       want == 1 ? " (the lowest; only that event was reset)" :
		       " (the other one)");
	}

	step("Wait for any once more, without blocking");
	must_fail(winsync_wait_any(dev, events, N, winsync_deadline_after_ns(0),
				   &index), ETIMEDOUT);
	result("ETIMEDOUT: nothing is signaled any more");

	for (int i = 0; i < N; i++)
		close(events[i]);
}

/* ---- A child process ---------------------------------------------------- */

static void demo_child(void)
{
	int event, status, flags;
	pid_t child;

	section("Handles are file descriptors: a child process inherits them");
	if (!need(WINSYNC_FEATURE_EVENT | WINSYNC_FEATURE_WAIT))
		return;

	step("Create a manual-reset event that survives exec (INHERIT)");
	event = must(winsync_event_create(dev, WINSYNC_CREATE_MANUAL_RESET |
					  WINSYNC_CREATE_INHERIT));
	flags = fcntl(event, F_GETFD);
	if (flags < 0 || (flags & FD_CLOEXEC))
		fail("the handle is close-on-exec (F_GETFD 0x%x)", flags);
	result("handle %d, without FD_CLOEXEC", event);

	step("Fork a child that waits on it");
	fflush(stdout);
	child = fork();
	if (child < 0)
		fail("fork: %s", strerror(errno));
	if (child == 0) {
		int ret = winsync_wait_one(dev, event,
					   winsync_deadline_after_ms(10 * PATIENCE_MS));

		_exit(ret == WINSYNC_WAIT_STATUS_OBJECT ? 0 : 100 + (ret < 0 ? -ret : ret));
	}
	if (await_waiters(event, 1))
		result("child %d is asleep in the wait", (int)child);
	else
		result("child %d started (not seen asleep yet)", (int)child);

	step("Set the event from the parent");
	must(winsync_event_set(event, NULL));
	result("done");

	step("Reap the child");
	if (waitpid(child, &status, 0) != child)
		fail("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("the child's wait failed (status 0x%x)", status);
	result("it woke up and exited 0");

	close(event);
}

/* ---- Signal-and-wait ---------------------------------------------------- */

static void demo_signal_and_wait(void)
{
	struct winsync_obj_info info;
	int s0, s1, ret;

	section("Signal one object and wait for another in one call");
	if (!need(WINSYNC_FEATURE_SEM | WINSYNC_FEATURE_WAIT))
		return;

	step("Create semaphores S0 (count 0, max 1) and S1 (count 1, max 1)");
	s0 = must(winsync_sem_create(dev, 0, 1, 0));
	s1 = must(winsync_sem_create(dev, 1, 1, 0));
	result("handles %d and %d", s0, s1);

	step("Release S0 and wait on S1");
	ret = winsync_signal_and_wait(dev, s0, s1,
				      winsync_deadline_after_ms(PATIENCE_MS));
	must_status(ret, WINSYNC_WAIT_STATUS_OBJECT);
	info = query(s0);
	result("%s; S0's count is now %" PRIu32, outcome(ret), info.count);

	step("Do it again");
	ret = winsync_signal_and_wait(dev, s0, s1, winsync_deadline_after_ns(0));
	must_fail(ret, EOVERFLOW);
	info = query(s1);
	result("EOVERFLOW: S0 is full, so nothing was waited (S1's count stays %"
	       PRIu32 ")", info.count);

	close(s0);
	close(s1);
}

/* ---- Waitable timer ----------------------------------------------------- */

static void demo_timer(void)
{
	struct winsync_timer_args args = { .due = 20 * 1000000 };
	struct winsync_obj_info info;
	uint64_t start;
	int timer, ret;
	uint32_t was_active;

	section("A waitable timer becomes signaled when it expires");
	if (!need(WINSYNC_FEATURE_TIMER | WINSYNC_FEATURE_WAIT))
		return;

	step("Create an auto-reset timer");
	timer = must(winsync_timer_create(dev, 0));
	result("handle %d", timer);

	step("Arm it to expire in 20 ms and wait on it");
	start = now_ns();
	must(winsync_timer_set(timer, &args));
	ret = winsync_wait_one(dev, timer, winsync_deadline_after_ms(PATIENCE_MS));
	must_status(ret, WINSYNC_WAIT_STATUS_OBJECT);
	result("signaled after %.1f ms", (now_ns() - start) / 1e6);

	step("Look at it");
	info = query(timer);
	result("%" PRIu64 " expiration(s), %s", (uint64_t)info.timer_expirations,
	       info.flags & WINSYNC_INFO_ACTIVE ? "still active" : "inactive now");

	step("Arm it for an hour, then cancel it");
	args.due = 3600 * 1000000000LL;
	must(winsync_timer_set(timer, &args));
	must(winsync_timer_cancel(timer, &was_active));
	if (!was_active)
		fail("the timer was not active");
	result("it was active; now it is not");

	close(timer);
}

/* ---- Names and access rights -------------------------------------------- */

static void demo_names(void)
{
	struct winsync_create_args args = {
		.type = WINSYNC_TYPE_EVENT,
		.access = WINSYNC_ACCESS_ALL,
		.mode = 0600,
	};
	char name[64];
	int first, second, opened;

	section("Named objects are found by name, like files");
	if (!need(WINSYNC_FEATURE_EVENT | WINSYNC_FEATURE_NAMES))
		return;

	snprintf(name, sizeof(name), "winsync-demo-%d", (int)getpid());
	args.name = (uintptr_t)name;
	args.name_len = strlen(name);

	step("Create an event named \"%s\" (mode 0600)", name);
	first = must(winsync_create(dev, &args));
	if (args.status != WINSYNC_CREATED)
		fail("status %" PRIu32 ", expected WINSYNC_CREATED", args.status);
	result("handle %d, a new object", first);

	step("Create it again under the same name");
	second = must(winsync_create(dev, &args));
	if (args.status != WINSYNC_OPENED_EXISTING)
		fail("status %" PRIu32 ", expected WINSYNC_OPENED_EXISTING",
		     args.status);
	result("handle %d to the existing object", second);

	step("Open it by name as an event, with SYNCHRONIZE only");
	opened = must(winsync_open(dev, WINSYNC_TYPE_EVENT, name,
				   WINSYNC_ACCESS_SYNCHRONIZE, 0));
	result("handle %d", opened);

	step("Set it through that handle");
	must_fail(winsync_event_set(opened, NULL), EACCES);
	result("EACCES: the handle may wait, not modify");

	step("Open the same name as a semaphore");
	must_fail(winsync_open(dev, WINSYNC_TYPE_SEM, name,
			       WINSYNC_ACCESS_SYNCHRONIZE, 0), EMEDIUMTYPE);
	result("EMEDIUMTYPE: the name belongs to an event");

	close(first);
	close(second);
	close(opened);

	step("Close every handle, then open the name again");
	must_fail(winsync_open(dev, WINSYNC_TYPE_EVENT, name,
			       WINSYNC_ACCESS_SYNCHRONIZE, 0), ENOENT);
	result("ENOENT: the object went away with its last handle");
}

static void demo_access(void)
{
	int event, weak;

	section("Each handle carries its own access rights");
	if (!need(WINSYNC_FEATURE_EVENT | WINSYNC_FEATURE_WAIT))
		return;

	step("Create a manual-reset event, signaled");
	event = must(winsync_event_create(dev, WINSYNC_CREATE_MANUAL_RESET |
					  WINSYNC_CREATE_SIGNALED));
	result("handle %d with every right", event);

	step("Reopen it with SYNCHRONIZE only");
	weak = must(winsync_reopen(event, WINSYNC_ACCESS_SYNCHRONIZE, 0));
	result("handle %d", weak);

	step("Wait through the weak handle");
	must_status(winsync_wait_one(dev, weak, winsync_deadline_after_ns(0)),
		    WINSYNC_WAIT_STATUS_OBJECT);
	result("signaled: SYNCHRONIZE is the right to wait");

	step("Reset it through the weak handle");
	must_fail(winsync_event_reset(weak, NULL), EACCES);
	result("EACCES: resetting needs MODIFY_STATE");

	step("Reopen the weak handle asking for every right");
	must_fail(winsync_reopen(weak, WINSYNC_ACCESS_ALL, 0), EACCES);
	result("EACCES: a new handle never has more rights than the old one");

	close(weak);
	close(event);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("winsync demo: Windows-style synchronization objects "
	       "as file descriptors\n");

	show_device();
	demo_semaphore();
	demo_event();
	demo_mutex();
	demo_abandoned();
	demo_wait_any();
	demo_child();
	demo_signal_and_wait();
	demo_timer();
	demo_names();
	demo_access();

	printf("\nEvery step gave the expected result.\n");
	close(dev);
	return 0;
}
