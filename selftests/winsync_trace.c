// SPDX-License-Identifier: GPL-2.0
/*
 * winsync selftest: trace events.  Every event of events/winsync/ exists
 * with the documented fields, and operations on objects record the events
 * they should, with the object ids that QUERY reports, in order.
 *
 * Each test records into a tracefs instance of its own
 * (instances/winsync-selftest-PID), so the global buffer and other tracers
 * are left alone.  tracefs is mounted on /sys/kernel/tracing if it is not
 * there yet.  Needs root; skipped otherwise, and when the kernel has no
 * tracefs.
 */
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "winsync_test.h"

static const char *const tracefs_dirs[] = {
	"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
};

/* The tracefs directory with events/winsync, or NULL. */
static const char *tracefs(void)
{
	static char found[64];
	char path[128];
	struct stat st;

	if (found[0])
		return found;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sizeof(tracefs_dirs) / sizeof(tracefs_dirs[0]); i++) {
			snprintf(path, sizeof(path), "%s/events/winsync", tracefs_dirs[i]);
			if (!stat(path, &st)) {
				snprintf(found, sizeof(found), "%s", tracefs_dirs[i]);
				return found;
			}
		}
		if (pass == 0 &&
		    mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) &&
		    errno != EBUSY)
			break;
	}
	return NULL;
}

static bool write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text);
}

/* The whole file in a malloc'd, NUL-terminated buffer, or NULL. */
static char *read_file(const char *path)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096) {
			char *p = realloc(buf, cap *= 2);

			if (!p)
				break;
			buf = p;
		}
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

/* A tracefs instance recording the winsync events. */
struct tracer {
	char dir[128];
};

/* Set up @t: NULL, or the reason it cannot be done. */
static const char *tracer_start(struct tracer *t)
{
	const char *fs;
	char path[192];

	if (geteuid() != 0)
		return "needs root (tracefs)";
	fs = tracefs();
	if (!fs)
		return "no tracefs with events/winsync (kernel without tracing?)";
	snprintf(t->dir, sizeof(t->dir), "%s/instances/winsync-selftest-%d",
		 fs, (int)getpid());
	if (mkdir(t->dir, 0700) && errno != EEXIST)
		return "cannot create a tracefs instance";
	snprintf(path, sizeof(path), "%s/events/winsync/enable", t->dir);
	if (!write_file(path, "1"))
		return "cannot enable events/winsync in the instance";
	return NULL;
}

static char *tracer_read(struct tracer *t)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/trace", t->dir);
	return read_file(path);
}

static void tracer_stop(struct tracer *t)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/events/winsync/enable", t->dir);
	write_file(path, "0");
	rmdir(t->dir);
}

#define TRACER_START(t) do {						\
	const char *__why = tracer_start(t);				\
	if (__why)							\
		SKIP(return, "%s", __why);				\
} while (0)

/*
 * Find the lines in @want, in that order, in the trace @text (each as a
 * substring of some line, after the previous match).  Returns the index of
 * the first line not found, or -1 if all were.
 */
static int match_in_order(const char *text, const char *const *want, int n)
{
	const char *p = text;

	for (int i = 0; i < n; i++) {
		const char *hit = strstr(p, want[i]);

		if (!hit)
			return i;
		p = hit + strlen(want[i]);
	}
	return -1;
}

/* Check the lines of @want (printf'd into @lines) against the trace. */
#define EXPECT_TRACE(text, lines, n) do {				\
	int __miss = match_in_order((text), (const char *const *)(lines), (n)); \
	EXPECT_EQ(-1, __miss) {						\
		TH_LOG("missing (in this order): %s", (lines)[__miss]);	\
		TH_LOG("trace:\n%s", (text));				\
	}								\
} while (0)

static __u64 obj_id(int fd)
{
	return (__u64)WS_QUERY_FIELD(fd, id);
}

/* ---- the events and their fields ---- */

static const struct {
	const char *event;
	const char *fields[5];
} formats[] = {
	{ "winsync_create", { "id", "type", "named", "existed" } },
	{ "winsync_open", { "id", "type", "access" } },
	{ "winsync_close", { "id", "type", "access" } },
	{ "winsync_destroy", { "id", "type" } },
	{ "winsync_wait_begin", { "count", "flags", "timeout" } },
	{ "winsync_wait_end", { "ret", "index", "status" } },
	{ "winsync_wake", { "id", "tid", "index" } },
	{ "winsync_abandon", { "id", "owner_tid" } },
	{ "winsync_timer_expire", { "id", "expirations" } },
};

/* Does a "field:TYPE NAME;" line of @format name @field? */
static bool has_field(const char *format, const char *field)
{
	char pat[64];

	snprintf(pat, sizeof(pat), " %s;", field);
	for (const char *l = format; (l = strstr(l, "field:")); l++) {
		const char *eol = strchr(l, ';');
		const char *hit = strstr(l, pat);

		if (eol && hit && hit + strlen(pat) - 1 == eol)
			return true;
	}
	return false;
}

TEST(events_and_fields)
{
	const char *fs;
	char path[192];

	if (geteuid() != 0)
		SKIP(return, "needs root (tracefs)");
	fs = tracefs();
	if (!fs)
		SKIP(return, "no tracefs with events/winsync (kernel without tracing?)");

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char *format;

		snprintf(path, sizeof(path), "%s/events/winsync/%s/format", fs,
			 formats[i].event);
		format = read_file(path);
		EXPECT_NE(NULL, format) TH_LOG("%s missing", path);
		if (!format)
			continue;
		for (int f = 0; formats[i].fields[f]; f++) {
			EXPECT_TRUE(has_field(format, formats[i].fields[f]))
				TH_LOG("%s: no field %s", formats[i].event,
				       formats[i].fields[f]);
		}
		free(format);
	}
}

TEST(feature_bit)
{
	int dev;

	WS_OPEN_DEV(dev);
	EXPECT_TRUE(ws_features(dev) & WINSYNC_FEATURE_TRACE);
	close(dev);
}

/* ---- what operations record ---- */

TEST(handle_lifecycle)
{
	struct tracer t;
	char name[64], l[8][160], *text;
	const char *lines[8];
	int dev, ev, ev2, ev3, ev4;
	unsigned long long id;
	__u32 status;

	TRACER_START(&t);
	WS_OPEN_DEV(dev);
	snprintf(name, sizeof(name), "Global\\ws-trace-%d", (int)getpid());

	{
		struct winsync_create_args a;
		struct winsync_open_args o;

		ws_create_init(&a, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL);
		a.mode = 0600;
		a.name = (uintptr_t)name;
		a.name_len = strlen(name);
		ASSERT_EQ(0, ws_create(dev, &a));
		ev = a.fd;
		ws_create_init(&a, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_SYNCHRONIZE);
		a.mode = 0600;
		a.name = (uintptr_t)name;
		a.name_len = strlen(name);
		ASSERT_EQ(0, ws_create(dev, &a));
		ASSERT_EQ(WINSYNC_OPENED_EXISTING, a.status);
		ev2 = a.fd;
		memset(&o, 0, sizeof(o));
		o.type = WINSYNC_TYPE_EVENT;
		o.access = WINSYNC_ACCESS_QUERY_STATE;
		o.name = (uintptr_t)name;
		o.name_len = strlen(name);
		ASSERT_EQ(0, ws_ioctl(dev, WINSYNC_IOC_OPEN, &o));
		ev3 = o.fd;
	}
	ev4 = ws_reopen(ev, WINSYNC_ACCESS_SYNCHRONIZE, 0);
	ASSERT_LE(0, ev4);
	id = obj_id(ev);
	close(ev4);
	close(ev3);
	close(ev2);
	close(ev);

	text = tracer_read(&t);
	ASSERT_NE(NULL, text);
	snprintf(l[0], 160, "winsync_create: id=%llu type=event named=1 existed=0", id);
	snprintf(l[1], 160, "winsync_create: id=%llu type=event named=1 existed=1", id);
	snprintf(l[2], 160, "winsync_open: id=%llu type=event access=0x%x", id,
		 WINSYNC_ACCESS_QUERY_STATE);
	snprintf(l[3], 160, "winsync_open: id=%llu type=event access=0x%x", id,
		 WINSYNC_ACCESS_SYNCHRONIZE);
	snprintf(l[4], 160, "winsync_close: id=%llu type=event access=0x%x", id,
		 WINSYNC_ACCESS_SYNCHRONIZE);
	snprintf(l[5], 160, "winsync_close: id=%llu type=event access=0x%x", id,
		 WINSYNC_ACCESS_QUERY_STATE);
	snprintf(l[6], 160, "winsync_close: id=%llu type=event access=0x%x", id,
		 WINSYNC_ACCESS_ALL);
	snprintf(l[7], 160, "winsync_destroy: id=%llu type=event", id);
	for (int i = 0; i < 8; i++)
		lines[i] = l[i];
	EXPECT_TRACE(text, lines, 8);
	free(text);

	/* An unnamed object: named=0. */
	ev = ws_sem(dev, 0, 1);
	ASSERT_LE(0, ev);
	id = obj_id(ev);
	close(ev);
	text = tracer_read(&t);
	ASSERT_NE(NULL, text);
	snprintf(l[0], 160, "winsync_create: id=%llu type=semaphore named=0 existed=0", id);
	snprintf(l[1], 160, "winsync_destroy: id=%llu type=semaphore", id);
	EXPECT_TRACE(text, lines, 2);
	free(text);

	(void)status;
	tracer_stop(&t);
	close(dev);
}

TEST(waits_and_wakes)
{
	struct tracer t;
	char l[8][160], *text;
	const char *lines[8];
	struct ws_waiter w;
	int dev, ev, sem;
	unsigned long long ev_id, sem_id;

	TRACER_START(&t);
	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, true);
	sem = ws_sem(dev, 0, 1);
	ASSERT_LE(0, ev);
	ASSERT_LE(0, sem);
	ev_id = obj_id(ev);
	sem_id = obj_id(sem);

	/* Satisfied at once: begin, wake for this thread, end ret=0. */
	ASSERT_EQ(0, ws_wait1(dev, ev, WINSYNC_TIMEOUT_INFINITE, NULL));
	/* Timed out: ret=-ETIMEDOUT. */
	EXPECT_EQ(ETIMEDOUT, ws_wait1(dev, ev, ws_deadline_ms(10), NULL));
	/* A wait-any on two, woken by a release: index 1. */
	{
		int objs[2] = { ev, sem };

		ws_waiter_init(&w, dev, objs, 2, 0, ws_deadline_ms(WS_LONG_MS));
		ASSERT_EQ(0, ws_waiter_start(&w));
		ASSERT_TRUE(ws_await_waiters(sem, 1));
		ASSERT_EQ(0, ws_sem_release(sem, 1, NULL));
		ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
		EXPECT_EQ(0, w.ret);
	}

	text = tracer_read(&t);
	ASSERT_NE(NULL, text);
	snprintf(l[0], 160, "winsync_wait_begin: count=1 flags=0x0 timeout=%llu",
		 (unsigned long long)WINSYNC_TIMEOUT_INFINITE);
	snprintf(l[1], 160, "winsync_wake: id=%llu tid=%d index=0", ev_id, ws_gettid());
	snprintf(l[2], 160, "winsync_wait_end: ret=0 index=0 status=0");
	snprintf(l[3], 160, "winsync_wait_begin: count=1 flags=0x0 timeout=");
	snprintf(l[4], 160, "winsync_wait_end: ret=%d ", -ETIMEDOUT);
	snprintf(l[5], 160, "winsync_wait_begin: count=2 flags=0x0 timeout=");
	snprintf(l[6], 160, "winsync_wake: id=%llu tid=%d index=1", sem_id, w.tid);
	snprintf(l[7], 160, "winsync_wait_end: ret=0 index=1 status=0");
	for (int i = 0; i < 8; i++)
		lines[i] = l[i];
	EXPECT_TRACE(text, lines, 8);
	free(text);

	close(ev);
	close(sem);
	tracer_stop(&t);
	close(dev);
}

TEST(abandon_and_timer_expire)
{
	struct tracer t;
	char l[4][160], *text;
	const char *lines[4];
	struct winsync_timer_args ta;
	struct ws_waiter w;
	int dev, mutex, timer;
	unsigned long long mutex_id, timer_id;
	__u32 status;

	TRACER_START(&t);
	WS_OPEN_DEV(dev);
	mutex = ws_mutex(dev, false);
	timer = ws_new(dev, WINSYNC_TYPE_TIMER, 0, WINSYNC_ACCESS_ALL, 0, 0);
	ASSERT_LE(0, mutex);
	ASSERT_LE(0, timer);
	mutex_id = obj_id(mutex);
	timer_id = obj_id(timer);

	/* A thread takes the mutex and exits owning it. */
	ws_waiter_init(&w, dev, &mutex, 1, 0, ws_deadline_ms(WS_LONG_MS));
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	ASSERT_EQ(0, w.ret);
	ASSERT_EQ(0, ws_wait1(dev, mutex, ws_deadline_ms(WS_LONG_MS), &status));
	EXPECT_EQ(WINSYNC_WAIT_STATUS_ABANDONED, status);
	ASSERT_EQ(0, ws_mutex_release(mutex, NULL));

	memset(&ta, 0, sizeof(ta));
	ta.due = 1000000;
	ASSERT_EQ(0, ws_ioctl(timer, WINSYNC_IOC_TIMER_SET, &ta));
	ASSERT_EQ(0, ws_wait1(dev, timer, ws_deadline_ms(WS_LONG_MS), NULL));

	text = tracer_read(&t);
	ASSERT_NE(NULL, text);
	snprintf(l[0], 160, "winsync_wake: id=%llu tid=%d index=0", mutex_id, w.tid);
	snprintf(l[1], 160, "winsync_abandon: id=%llu owner_tid=%d", mutex_id, w.tid);
	snprintf(l[2], 160, "winsync_wait_end: ret=0 index=0 status=%d",
		 WINSYNC_WAIT_STATUS_ABANDONED);
	snprintf(l[3], 160, "winsync_timer_expire: id=%llu expirations=1", timer_id);
	for (int i = 0; i < 4; i++)
		lines[i] = l[i];
	EXPECT_TRACE(text, lines, 4);
	free(text);

	close(mutex);
	close(timer);
	tracer_stop(&t);
	close(dev);
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main
WS_MAIN
