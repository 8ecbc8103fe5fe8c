// SPDX-License-Identifier: GPL-2.0
/*
 * winsync selftest: named objects.  Create-or-open, OPEN, the name rules and
 * prefixes, scope (IPC namespace, per-uid "Local\" sessions), lifetime,
 * owner/mode permissions and per-handle rights, the per-user object limit,
 * and a bounded race of create/open/close on a few shared names.
 *
 * Tests that change credentials fork a child that drops to uid 1000 (the
 * guest's "winsync" user), opens /dev/winsync itself and stores its results
 * in a MAP_SHARED block; the parent asserts on them.  They need root; as
 * another user they are skipped.
 */
#include <grp.h>
#include <sched.h>
#include <sys/mman.h>

#include "winsync_test.h"

#define USER_UID	1000
#define USER_GID	1000

#define MUTEX_ACCESS_ALL (WINSYNC_ACCESS_ALL & ~WINSYNC_ACCESS_MODIFY_STATE)
/* Rights granted by read permission, and by write permission. */
#define READ_RIGHTS	(WINSYNC_ACCESS_SYNCHRONIZE | WINSYNC_ACCESS_QUERY_STATE | \
			 WINSYNC_ACCESS_READ_CONTROL)
#define WRITE_RIGHTS	(WINSYNC_ACCESS_MODIFY_STATE | WINSYNC_ACCESS_DELETE | \
			 WINSYNC_ACCESS_WRITE_DAC | WINSYNC_ACCESS_WRITE_OWNER)

#define MAX_USER_OBJECTS_PARAM "/sys/module/winsync/parameters/max_user_objects"

static const __u32 all_types[] = {
	WINSYNC_TYPE_SEM, WINSYNC_TYPE_MUTEX, WINSYNC_TYPE_EVENT, WINSYNC_TYPE_TIMER,
};

/* ---- helpers ---- */

/* A name unique to this test process: PREFIX "ws-names-PID-" TAG. */
static const char *mkname(char *buf, size_t len, const char *prefix,
			  const char *tag)
{
	snprintf(buf, len, "%sws-names-%d-%s", prefix, (int)getpid(), tag);
	return buf;
}

/* CREATE with a name of @len bytes: the fd or -errno; @status if given. */
static int nc_len(int dev, __u32 type, __u32 flags, __u32 access, __u32 mode,
		  const void *name, __u32 len, __u32 *status)
{
	struct winsync_create_args a;
	int err;

	ws_create_init(&a, type, flags, access);
	a.mode = mode;
	a.name = (uintptr_t)name;
	a.name_len = len;
	if (type == WINSYNC_TYPE_SEM) {
		a.sem_count = 0;
		a.sem_max = 1;
	}
	err = ws_create(dev, &a);
	if (status)
		*status = err ? ~0U : a.status;
	return err ? -err : a.fd;
}

static int nc(int dev, __u32 type, __u32 flags, __u32 access, __u32 mode,
	      const char *name, __u32 *status)
{
	return nc_len(dev, type, flags, access, mode, name, strlen(name), status);
}

/* A named semaphore with @count/@max: the fd or -errno. */
static int nc_sem(int dev, const char *name, __u32 count, __u32 max,
		  __u32 *status)
{
	struct winsync_create_args a;
	int err;

	ws_create_init(&a, WINSYNC_TYPE_SEM, 0, WINSYNC_ACCESS_ALL);
	a.mode = 0600;
	a.name = (uintptr_t)name;
	a.name_len = strlen(name);
	a.sem_count = count;
	a.sem_max = max;
	err = ws_create(dev, &a);
	if (status)
		*status = err ? ~0U : a.status;
	return err ? -err : a.fd;
}

/* Named event, all access, mode 0600. */
static int nc_ev(int dev, const char *name, bool manual, bool signaled,
		 __u32 *status)
{
	__u32 flags = (manual ? WINSYNC_CREATE_MANUAL_RESET : 0) |
		      (signaled ? WINSYNC_CREATE_SIGNALED : 0);

	return nc(dev, WINSYNC_TYPE_EVENT, flags, WINSYNC_ACCESS_ALL, 0600,
		  name, status);
}

static void open_init(struct winsync_open_args *a, __u32 type, __u32 flags,
		      __u32 access, const void *name, __u32 len)
{
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->flags = flags;
	a->access = access;
	a->name = (uintptr_t)name;
	a->name_len = len;
}

/* OPEN with a prepared block: the fd or -errno. */
static int no_args(int dev, struct winsync_open_args *a)
{
	int err = ws_ioctl(dev, WINSYNC_IOC_OPEN, a);

	return err ? -err : a->fd;
}

static int no_len(int dev, __u32 type, __u32 flags, __u32 access,
		  const void *name, __u32 len)
{
	struct winsync_open_args a;

	open_init(&a, type, flags, access, name, len);
	return no_args(dev, &a);
}

static int no(int dev, __u32 type, __u32 access, const char *name)
{
	return no_len(dev, type, 0, access, name, strlen(name));
}

/* Close @fd if it is one; keep the error code otherwise. */
static int fd_result(int fd)
{
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return fd;
}

static long long live_objects(int dev)
{
	struct winsync_info info;

	return ws_get_info(dev, &info) ? -1 : (long long)info.live_objects;
}

/*
 * True if events @a and @b are one object: a change through one is seen
 * through the other, both ways.  Leaves the event non-signaled.  Both
 * handles need MODIFY_STATE and QUERY_STATE.
 */
static bool same_event(int a, int b)
{
	bool same;

	if (ws_event_reset(a, NULL) || ws_event_set(b, NULL))
		return false;
	same = WS_QUERY_FIELD(a, signaled) == 1;
	if (ws_event_reset(a, NULL))
		return false;
	return same && WS_QUERY_FIELD(b, signaled) == 0;
}

/* How many lines of /proc/self/fdinfo/@fd start with @prefix. */
static int fdinfo_count(int fd, const char *prefix)
{
	char path[64], line[2048];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, prefix, strlen(prefix)))
			n++;
	fclose(f);
	return n;
}

/* ---- running code as another user ---- */

#define NRES		64
#define RES_UNSET	(-99999)

/* Results a child stores for the parent; MAP_SHARED. */
struct ures {
	int r[NRES];
	char text[256];
};

static struct ures *ures_new(void)
{
	struct ures *u = mmap(NULL, sizeof(*u), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int i;

	if (u == MAP_FAILED)
		return NULL;
	for (i = 0; i < NRES; i++)
		u->r[i] = RES_UNSET;
	u->text[0] = 0;
	return u;
}

static void ures_free(struct ures *u)
{
	munmap(u, sizeof(*u));
}

typedef void (*user_fn)(int dev, void *arg, struct ures *res);

/*
 * Run @fn in a child with real, effective and saved uid @uid and gid @gid
 * (supplementary groups @groups, @ngroups of them) and a /dev/winsync
 * descriptor opened as that user.  Returns the child's exit code: 0 when
 * @fn returned, 100-102 when the set-up failed, -1 if it died.
 */
static int run_as(uid_t uid, gid_t gid, const gid_t *groups, int ngroups,
		  user_fn fn, void *arg, struct ures *res)
{
	pid_t pid = fork();
	int dev;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(ngroups, groups))
			_exit(100);
		if (setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
			_exit(101);
		dev = ws_open_dev();
		if (dev < 0)
			_exit(102);
		fn(dev, arg, res);
		close(dev);
		_exit(0);
	}
	return ws_reap(pid, 2 * WS_LONG_MS);
}

static int run_as_user(user_fn fn, void *arg, struct ures *res)
{
	return run_as(USER_UID, USER_GID, NULL, 0, fn, arg, res);
}

#define NEED_ROOT() do {						\
	if (geteuid() != 0)						\
		SKIP(return, "needs root (runs children as uid %d)", USER_UID); \
} while (0)

/* ---- create-or-open ---- */

TEST(create_or_open_shares_object)
{
	struct winsync_obj_info info;
	char name[96];
	int dev, a, b, c;
	__u32 st;

	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "", "shared");
	a = nc_ev(dev, name, true, false, &st);
	ASSERT_LE(0, a);
	EXPECT_EQ(WINSYNC_CREATED, st);
	b = nc_ev(dev, name, true, false, &st);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, st);
	EXPECT_NE(a, b);
	c = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name);
	ASSERT_LE(0, c);

	/* State set through one handle is seen through the others. */
	EXPECT_EQ(0, ws_event_set(b, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(a, signaled));
	EXPECT_EQ(1, WS_QUERY_FIELD(c, signaled));
	EXPECT_EQ(0, ws_event_reset(c, NULL));
	EXPECT_EQ(0, WS_QUERY_FIELD(a, signaled));
	EXPECT_EQ(0, WS_QUERY_FIELD(b, signaled));
	EXPECT_TRUE(same_event(a, b));
	EXPECT_TRUE(same_event(c, a));

	ASSERT_EQ(0, ws_query(b, &info));
	EXPECT_EQ(WINSYNC_TYPE_EVENT, info.type);
	EXPECT_EQ(WINSYNC_INFO_NAMED | WINSYNC_INFO_MANUAL_RESET, info.flags);
	close(a);
	close(b);
	close(c);
	close(dev);
}

TEST(create_existing_ignores_event_params)
{
	char name[96];
	int dev, a, b;
	__u32 st;

	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "", "evparams");
	a = nc_ev(dev, name, true, true, &st);
	ASSERT_LE(0, a);
	EXPECT_EQ(WINSYNC_CREATED, st);
	/* Asks for auto-reset and non-signaled: both ignored. */
	b = nc_ev(dev, name, false, false, &st);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, st);
	EXPECT_EQ(1, WS_QUERY_FIELD(b, signaled));
	EXPECT_EQ(WINSYNC_INFO_NAMED | WINSYNC_INFO_MANUAL_RESET,
		  WS_QUERY_FIELD(b, flags));
	/* Still manual-reset: waits do not consume it. */
	EXPECT_EQ(0, ws_wait1(dev, b, 0, NULL));
	EXPECT_EQ(0, ws_wait1(dev, b, 0, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(a, signaled));
	close(a);

	/* The other way round: created auto-reset non-signaled. */
	EXPECT_EQ(0, ws_event_reset(b, NULL));
	close(b);
	mkname(name, sizeof(name), "", "evparams2");
	a = nc_ev(dev, name, false, false, &st);
	ASSERT_LE(0, a);
	EXPECT_EQ(WINSYNC_CREATED, st);
	b = nc_ev(dev, name, true, true, &st);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, st);
	EXPECT_EQ(0, WS_QUERY_FIELD(a, signaled));
	EXPECT_EQ(WINSYNC_INFO_NAMED, WS_QUERY_FIELD(a, flags));
	close(a);
	close(b);
	close(dev);
}

TEST(create_existing_ignores_sem_counts)
{
	char name[96];
	int dev, a, b;
	__u32 st, prev;

	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "", "sem");
	a = nc_sem(dev, name, 2, 5, &st);
	ASSERT_LE(0, a);
	EXPECT_EQ(WINSYNC_CREATED, st);
	b = nc_sem(dev, name, 0, 1, &st);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, st);
	EXPECT_EQ(2, WS_QUERY_FIELD(b, count));
	EXPECT_EQ(5, WS_QUERY_FIELD(b, max));
	EXPECT_EQ(0, ws_sem_release(b, 3, &prev));
	EXPECT_EQ(2, prev);
	EXPECT_EQ(5, WS_QUERY_FIELD(a, count));
	EXPECT_EQ(EOVERFLOW, ws_sem_release(a, 1, NULL));
	/* Even counts that would be invalid for the existing one are ignored. */
	close(b);
	b = nc_sem(dev, name, 1, 1, &st);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, st);
	EXPECT_EQ(5, WS_QUERY_FIELD(b, max));
	close(a);
	close(b);
	close(dev);
}

TEST(create_existing_mutex_owned_flag_ignored)
{
	struct winsync_obj_info info;
	char name[96];
	int dev, a, b, p[2];
	__u32 st, prev;
	pid_t pid;

	WS_OPEN_DEV(dev);
	/* Created unowned; the second create asks to own it: it does not. */
	mkname(name, sizeof(name), "", "mutex");
	a = nc(dev, WINSYNC_TYPE_MUTEX, 0, WINSYNC_ACCESS_ALL, 0600, name, &st);
	ASSERT_LE(0, a);
	EXPECT_EQ(WINSYNC_CREATED, st);
	b = nc(dev, WINSYNC_TYPE_MUTEX, WINSYNC_CREATE_OWNED,
	       WINSYNC_ACCESS_ALL, 0600, name, &st);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, st);
	ASSERT_EQ(0, ws_query(b, &info));
	EXPECT_EQ(0, info.count);
	EXPECT_EQ(0, info.owner_tid);
	EXPECT_EQ(1, info.signaled);
	EXPECT_EQ(0, info.flags & WINSYNC_INFO_OWNED_BY_CALLER);
	EXPECT_EQ(EPERM, ws_mutex_release(b, NULL));
	close(a);
	close(b);

	/* Created owned by this thread: a second OWNED create adds nothing. */
	mkname(name, sizeof(name), "", "mutex2");
	a = nc(dev, WINSYNC_TYPE_MUTEX, WINSYNC_CREATE_OWNED,
	       WINSYNC_ACCESS_ALL, 0600, name, &st);
	ASSERT_LE(0, a);
	EXPECT_EQ(WINSYNC_CREATED, st);
	b = nc(dev, WINSYNC_TYPE_MUTEX, WINSYNC_CREATE_OWNED,
	       WINSYNC_ACCESS_ALL, 0600, name, &st);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, st);
	EXPECT_EQ(1, WS_QUERY_FIELD(b, count));
	EXPECT_EQ(0, ws_mutex_release(b, &prev));
	EXPECT_EQ(1, prev);
	EXPECT_EQ(EPERM, ws_mutex_release(a, NULL));
	close(a);
	close(b);

	/* Owned by another process: create-or-open does not steal it. */
	mkname(name, sizeof(name), "", "mutex3");
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int m = nc(dev, WINSYNC_TYPE_MUTEX, WINSYNC_CREATE_OWNED,
			   WINSYNC_ACCESS_ALL, 0600, name, NULL);

		close(p[0]);
		if (m < 0)
			_exit(1);
		ws_write_byte(p[1]);
		for (;;)
			pause();
	}
	close(p[1]);
	ASSERT_TRUE(ws_read_byte(p[0], WS_LONG_MS));
	b = nc(dev, WINSYNC_TYPE_MUTEX, WINSYNC_CREATE_OWNED,
	       WINSYNC_ACCESS_ALL, 0600, name, &st);
	EXPECT_LE(0, b);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, st);
	if (b >= 0) {
		ASSERT_EQ(0, ws_query(b, &info));
		EXPECT_EQ(pid, (pid_t)info.owner_tid);
		EXPECT_EQ(1, info.count);
		EXPECT_EQ(0, info.flags & WINSYNC_INFO_OWNED_BY_CALLER);
		EXPECT_EQ(ETIMEDOUT, ws_wait1(dev, b, 0, NULL));
		EXPECT_EQ(EPERM, ws_mutex_release(b, NULL));
	}
	kill(pid, SIGKILL);
	ws_reap(pid, WS_LONG_MS);
	if (b >= 0)
		close(b);
	close(p[0]);
	close(dev);
}

TEST(create_existing_ignores_timer_type)
{
	char name[96];
	int dev, a, b;
	__u32 st;

	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "", "timer");
	a = nc(dev, WINSYNC_TYPE_TIMER, WINSYNC_CREATE_MANUAL_RESET,
	       WINSYNC_ACCESS_ALL, 0600, name, &st);
	ASSERT_LE(0, a);
	EXPECT_EQ(WINSYNC_CREATED, st);
	b = nc(dev, WINSYNC_TYPE_TIMER, 0, WINSYNC_ACCESS_ALL, 0600, name, &st);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, st);
	EXPECT_EQ(WINSYNC_INFO_NAMED | WINSYNC_INFO_MANUAL_RESET,
		  WS_QUERY_FIELD(b, flags));
	close(a);
	close(b);
	close(dev);
}

TEST(create_existing_gets_requested_access_and_flags)
{
	struct winsync_create_args args;
	char name[96];
	int dev, a, b;
	__u32 st;

	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "", "access");
	a = nc_ev(dev, name, true, false, &st);
	ASSERT_LE(0, a);
	EXPECT_TRUE(ws_is_cloexec(a));
	b = nc(dev, WINSYNC_TYPE_EVENT, 0,
	       WINSYNC_ACCESS_QUERY_STATE | WINSYNC_ACCESS_SYNCHRONIZE, 0600,
	       name, &st);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, st);
	EXPECT_EQ(WINSYNC_ACCESS_QUERY_STATE | WINSYNC_ACCESS_SYNCHRONIZE,
		  WS_QUERY_FIELD(b, access));
	EXPECT_EQ(EACCES, ws_event_set(b, NULL));
	EXPECT_TRUE(ws_is_cloexec(b));
	close(b);
	/* WINSYNC_CREATE_INHERIT applies to the opened handle. */
	b = nc(dev, WINSYNC_TYPE_EVENT, WINSYNC_CREATE_INHERIT,
	       WINSYNC_ACCESS_ALL, 0600, name, &st);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, st);
	EXPECT_FALSE(ws_is_cloexec(b));
	close(b);
	/* Argument checks still apply when the name exists. */
	ws_create_init(&args, WINSYNC_TYPE_EVENT, WINSYNC_CREATE_OWNED,
		       WINSYNC_ACCESS_ALL);
	args.name = (uintptr_t)name;
	args.name_len = strlen(name);
	EXPECT_EQ(EINVAL, ws_create(dev, &args));
	ws_create_init(&args, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL);
	args.name = (uintptr_t)name;
	args.name_len = strlen(name);
	args.mode = 01000;
	EXPECT_EQ(EINVAL, ws_create(dev, &args));
	close(a);
	close(dev);
}

TEST(type_mismatch)
{
	char name[96], tag[16];
	int dev, i, j, fd, other;
	long long before;
	__u32 st;

	WS_OPEN_DEV(dev);
	for (i = 0; i < 4; i++) {
		snprintf(tag, sizeof(tag), "type%d", i);
		mkname(name, sizeof(name), "", tag);
		fd = nc(dev, all_types[i], 0, WINSYNC_ACCESS_ALL, 0600, name, &st);
		ASSERT_LE(0, fd);
		EXPECT_EQ(WINSYNC_CREATED, st);
		before = live_objects(dev);
		for (j = 0; j < 4; j++) {
			if (j == i)
				continue;
			other = nc(dev, all_types[j], 0, WINSYNC_ACCESS_ALL,
				   0600, name, &st);
			EXPECT_EQ(-EMEDIUMTYPE, other)
				TH_LOG("create type %u over %u", all_types[j],
				       all_types[i]);
			if (other >= 0)
				close(other);
			other = no(dev, all_types[j], WINSYNC_ACCESS_ALL, name);
			EXPECT_EQ(-EMEDIUMTYPE, other)
				TH_LOG("open type %u as %u", all_types[i],
				       all_types[j]);
			if (other >= 0)
				close(other);
		}
		/* The failed attempts left nothing behind. */
		EXPECT_EQ(before, live_objects(dev));
		EXPECT_EQ(all_types[i], WS_QUERY_FIELD(fd, type));
		other = no(dev, all_types[i], WINSYNC_ACCESS_ALL, name);
		EXPECT_LE(0, other);
		if (other >= 0)
			close(other);
		close(fd);
	}
	close(dev);
}

/* ---- OPEN ---- */

TEST(open_argument_errors)
{
	struct winsync_open_args a;
	char name[96], missing[96];
	int dev, ev;

	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "", "openargs");
	mkname(missing, sizeof(missing), "", "missing");
	ev = nc_ev(dev, name, true, false, NULL);
	ASSERT_LE(0, ev);

	EXPECT_EQ(-ENOENT, no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, missing));
	EXPECT_EQ(-ENOENT, no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL,
			      "Global\\ws-names-never-created"));

#define OPEN_EINVAL(field, value) do {					\
	open_init(&a, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, name,	\
		  strlen(name));					\
	a.field = (value);						\
	EXPECT_EQ(-EINVAL, no_args(dev, &a)) TH_LOG(#field " = " #value); \
} while (0)
	OPEN_EINVAL(type, 0);
	OPEN_EINVAL(type, 5);
	OPEN_EINVAL(type, ~0U);
	OPEN_EINVAL(flags, WINSYNC_CREATE_MANUAL_RESET);
	OPEN_EINVAL(flags, WINSYNC_CREATE_SIGNALED);
	OPEN_EINVAL(flags, WINSYNC_CREATE_OWNED);
	OPEN_EINVAL(flags, 0x80000000);
	OPEN_EINVAL(access, 0x4);
	OPEN_EINVAL(access, 0x00200000);
	OPEN_EINVAL(access, 0x80000000);
	OPEN_EINVAL(access, WINSYNC_ACCESS_ALL | 0x8000);
	OPEN_EINVAL(pad, 1);
	OPEN_EINVAL(reserved[0], 1);
	OPEN_EINVAL(reserved[1], 1ULL << 63);
	OPEN_EINVAL(name, 0);
	OPEN_EINVAL(name_len, 0);
#undef OPEN_EINVAL
	/* A NULL name is invalid even with a length of 0. */
	open_init(&a, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, NULL, 0);
	EXPECT_EQ(-EINVAL, no_args(dev, &a));
	/* Invalid arguments win over a missing name. */
	open_init(&a, 0, 0, WINSYNC_ACCESS_ALL, missing, strlen(missing));
	EXPECT_EQ(-EINVAL, no_args(dev, &a));
	/* An unreadable name. */
	EXPECT_EQ(-EFAULT, no_len(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL,
				  (void *)8, 5));
	/* An unwritable argument block. */
	EXPECT_EQ(EFAULT, ws_ioctl(dev, WINSYNC_IOC_OPEN, NULL));
	close(ev);
	close(dev);
}

/* The uapi rule: output fields ("out:") are ignored on input. */
TEST(output_fields_ignored_on_input)
{
	struct winsync_create_args c;
	struct winsync_open_args o;
	char name[96];
	int dev, fd;

	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "", "outfields");
	ws_create_init(&c, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL);
	c.name = (uintptr_t)name;
	c.name_len = strlen(name);
	c.mode = 0600;
	c.fd = -1;
	c.status = 77;
	ASSERT_EQ(0, ws_create(dev, &c));
	EXPECT_EQ(WINSYNC_CREATED, c.status);
	fd = c.fd;
	ASSERT_LE(0, fd);
	c.fd = 12345;
	c.status = WINSYNC_CREATED;
	ASSERT_EQ(0, ws_create(dev, &c));
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, c.status);
	EXPECT_NE(12345, c.fd);
	EXPECT_TRUE(same_event(fd, c.fd));
	close(c.fd);
	open_init(&o, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, name,
		  strlen(name));
	o.fd = -1;
	ASSERT_LE(0, no_args(dev, &o));
	EXPECT_TRUE(same_event(fd, o.fd));
	close(o.fd);
	o.fd = fd;
	ASSERT_LE(0, no_args(dev, &o));
	EXPECT_NE(fd, o.fd);
	close(o.fd);
	close(fd);
	close(dev);
}

TEST(open_handle_has_requested_access)
{
	static const __u32 ev_access[] = {
		WINSYNC_ACCESS_QUERY_STATE,
		WINSYNC_ACCESS_QUERY_STATE | WINSYNC_ACCESS_SYNCHRONIZE,
		WINSYNC_ACCESS_QUERY_STATE | WINSYNC_ACCESS_MODIFY_STATE,
		WINSYNC_ACCESS_QUERY_STATE | WINSYNC_ACCESS_READ_CONTROL |
			WINSYNC_ACCESS_DELETE,
		WINSYNC_ACCESS_ALL,
	};
	char name[96], mname[96], val[32];
	int dev, ev, m, fd;
	unsigned int i;

	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "", "acc-ev");
	mkname(mname, sizeof(mname), "", "acc-mutex");
	ev = nc_ev(dev, name, true, false, NULL);
	ASSERT_LE(0, ev);
	m = nc(dev, WINSYNC_TYPE_MUTEX, 0, WINSYNC_ACCESS_ALL, 0600, mname, NULL);
	ASSERT_LE(0, m);
	EXPECT_EQ(MUTEX_ACCESS_ALL, WS_QUERY_FIELD(m, access));

	for (i = 0; i < sizeof(ev_access) / sizeof(ev_access[0]); i++) {
		fd = no(dev, WINSYNC_TYPE_EVENT, ev_access[i], name);
		ASSERT_LE(0, fd);
		EXPECT_EQ(ev_access[i], WS_QUERY_FIELD(fd, access));
		close(fd);
	}
	/* Without QUERY_STATE the access shows in fdinfo. */
	fd = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_SYNCHRONIZE, name);
	ASSERT_LE(0, fd);
	EXPECT_FDINFO(fd, "winsync-access", "0x00100000");
	close(fd);

	/* A mutex handle never carries MODIFY_STATE. */
	fd = no(dev, WINSYNC_TYPE_MUTEX, WINSYNC_ACCESS_ALL, mname);
	ASSERT_LE(0, fd);
	EXPECT_EQ(MUTEX_ACCESS_ALL, WS_QUERY_FIELD(fd, access));
	close(fd);
	fd = no(dev, WINSYNC_TYPE_MUTEX,
		WINSYNC_ACCESS_QUERY_STATE | WINSYNC_ACCESS_MODIFY_STATE, mname);
	ASSERT_LE(0, fd);
	EXPECT_EQ(WINSYNC_ACCESS_QUERY_STATE, WS_QUERY_FIELD(fd, access));
	close(fd);

	/* INHERIT decides close-on-exec. */
	fd = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(ws_is_cloexec(fd));
	close(fd);
	fd = no_len(dev, WINSYNC_TYPE_EVENT, WINSYNC_CREATE_INHERIT,
		    WINSYNC_ACCESS_ALL, name, strlen(name));
	ASSERT_LE(0, fd);
	EXPECT_FALSE(ws_is_cloexec(fd));
	EXPECT_TRUE(ws_fdinfo_get(fd, "winsync-type", val, sizeof(val)));
	EXPECT_STREQ("event", val);
	close(fd);
	close(m);
	close(ev);
	close(dev);
}

TEST(handle_rights_are_enforced)
{
	char ename[96], sname[96], tname[96], mname[96];
	struct winsync_timer_args ta;
	int dev, ev, sem, tm, m, fd, fd2;
	__u32 prev, st;

	WS_OPEN_DEV(dev);
	mkname(ename, sizeof(ename), "", "r-ev");
	mkname(sname, sizeof(sname), "", "r-sem");
	mkname(tname, sizeof(tname), "", "r-timer");
	mkname(mname, sizeof(mname), "", "r-mutex");
	ev = nc_ev(dev, ename, true, true, NULL);
	ASSERT_LE(0, ev);
	sem = nc_sem(dev, sname, 1, 5, NULL);
	ASSERT_LE(0, sem);
	tm = nc(dev, WINSYNC_TYPE_TIMER, 0, WINSYNC_ACCESS_ALL, 0600, tname, NULL);
	ASSERT_LE(0, tm);
	m = nc(dev, WINSYNC_TYPE_MUTEX, WINSYNC_CREATE_OWNED, WINSYNC_ACCESS_ALL,
	       0600, mname, NULL);
	ASSERT_LE(0, m);

	/* QUERY_STATE only: no wait, no change. */
	fd = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_QUERY_STATE, ename);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, ws_wait1(dev, fd, 0, NULL));
	EXPECT_EQ(EACCES, ws_event_set(fd, NULL));
	EXPECT_EQ(EACCES, ws_event_reset(fd, NULL));
	EXPECT_EQ(EACCES, ws_event_pulse(fd, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(fd, signaled));
	/* REOPEN cannot add rights. */
	EXPECT_EQ(-EACCES, ws_reopen(fd, WINSYNC_ACCESS_QUERY_STATE |
				     WINSYNC_ACCESS_SYNCHRONIZE, 0));
	EXPECT_EQ(-EACCES, ws_reopen(fd, WINSYNC_ACCESS_ALL, 0));
	fd2 = ws_reopen(fd, WINSYNC_ACCESS_QUERY_STATE, 0);
	EXPECT_LE(0, fd2);
	if (fd2 >= 0) {
		EXPECT_EQ(WINSYNC_INFO_NAMED | WINSYNC_INFO_MANUAL_RESET,
			  WS_QUERY_FIELD(fd2, flags));
		close(fd2);
	}
	close(fd);

	/* SYNCHRONIZE only: may wait, may not query or change. */
	fd = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_SYNCHRONIZE, ename);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ws_wait1(dev, fd, 0, NULL));
	EXPECT_EQ(EACCES, ws_query(fd, &(struct winsync_obj_info){}));
	EXPECT_EQ(EACCES, ws_event_reset(fd, NULL));
	close(fd);

	/* MODIFY_STATE only: may change. */
	fd = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_MODIFY_STATE, ename);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ws_event_reset(fd, &prev));
	EXPECT_EQ(1, prev);
	EXPECT_EQ(0, WS_QUERY_FIELD(ev, signaled));
	EXPECT_EQ(EACCES, ws_wait1(dev, fd, 0, NULL));
	close(fd);

	/* Semaphore release needs MODIFY_STATE. */
	fd = no(dev, WINSYNC_TYPE_SEM, WINSYNC_ACCESS_ALL &
		~WINSYNC_ACCESS_MODIFY_STATE, sname);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, ws_sem_release(fd, 1, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(fd, count));
	close(fd);
	fd = no(dev, WINSYNC_TYPE_SEM, WINSYNC_ACCESS_MODIFY_STATE, sname);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ws_sem_release(fd, 1, &prev));
	EXPECT_EQ(1, prev);
	close(fd);

	/* Timer set and cancel need MODIFY_STATE. */
	memset(&ta, 0, sizeof(ta));
	ta.due = 10 * WS_NS_PER_SEC;
	fd = no(dev, WINSYNC_TYPE_TIMER, WINSYNC_ACCESS_ALL &
		~WINSYNC_ACCESS_MODIFY_STATE, tname);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, ws_ioctl(fd, WINSYNC_IOC_TIMER_SET, &ta));
	EXPECT_EQ(EACCES, ws_u32_ioctl(fd, WINSYNC_IOC_TIMER_CANCEL, 0, NULL));
	EXPECT_EQ(0, WS_QUERY_FIELD(fd, flags) & WINSYNC_INFO_ACTIVE);
	close(fd);
	fd = no(dev, WINSYNC_TYPE_TIMER, WINSYNC_ACCESS_MODIFY_STATE, tname);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ws_ioctl(fd, WINSYNC_IOC_TIMER_SET, &ta));
	EXPECT_EQ(WINSYNC_INFO_ACTIVE, WS_QUERY_FIELD(tm, flags) & WINSYNC_INFO_ACTIVE);
	EXPECT_EQ(0, ws_u32_ioctl(fd, WINSYNC_IOC_TIMER_CANCEL, 0, &prev));
	EXPECT_EQ(1, prev);
	close(fd);

	/* Mutex release needs no right at all; waiting needs SYNCHRONIZE. */
	fd = no(dev, WINSYNC_TYPE_MUTEX, WINSYNC_ACCESS_READ_CONTROL, mname);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, ws_wait1(dev, fd, 0, NULL));
	EXPECT_EQ(0, ws_mutex_release(fd, &prev));
	EXPECT_EQ(1, prev);
	close(fd);
	fd = no(dev, WINSYNC_TYPE_MUTEX, WINSYNC_ACCESS_SYNCHRONIZE, mname);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ws_wait1(dev, fd, 0, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(m, count));
	EXPECT_EQ(0, ws_mutex_release(fd, &prev));
	EXPECT_EQ(1, prev);
	close(fd);
	/* A create-or-open for no right is refused ... */
	EXPECT_EQ(-EACCES, nc(dev, WINSYNC_TYPE_MUTEX, 0, 0, 0600, mname, &st));
	/* ... and through one that may not wait, releasing still works. */
	fd = nc(dev, WINSYNC_TYPE_MUTEX, 0, WINSYNC_ACCESS_READ_CONTROL, 0600, mname, &st);
	ASSERT_LE(0, fd);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, st);
	EXPECT_EQ(EACCES, ws_wait1(dev, fd, 0, NULL));
	EXPECT_EQ(0, ws_wait1(dev, m, 0, NULL));
	EXPECT_EQ(0, ws_mutex_release(fd, NULL));
	close(fd);

	close(m);
	close(tm);
	close(sem);
	close(ev);
	close(dev);
}

/* ---- name rules ---- */

TEST(names_are_case_sensitive)
{
	char upper[96], lower[96], mixed[96];
	int dev, a, b;
	__u32 st;

	WS_OPEN_DEV(dev);
	mkname(upper, sizeof(upper), "", "Ev");
	mkname(lower, sizeof(lower), "", "ev");
	mkname(mixed, sizeof(mixed), "", "EV");
	a = nc_ev(dev, upper, true, false, &st);
	ASSERT_LE(0, a);
	EXPECT_EQ(WINSYNC_CREATED, st);
	b = nc_ev(dev, lower, true, false, &st);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_CREATED, st);
	EXPECT_FALSE(same_event(a, b));
	EXPECT_EQ(-ENOENT, no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, mixed));
	close(a);
	close(b);

	/* The prefixes are case-sensitive too: "global\x" has a backslash. */
	EXPECT_EQ(-EINVAL, nc_ev(dev, "global\\ws-names-x", true, false, NULL));
	EXPECT_EQ(-EINVAL, nc_ev(dev, "LOCAL\\ws-names-x", true, false, NULL));
	EXPECT_EQ(-EINVAL, no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL,
			      "GLOBAL\\ws-names-x"));
	close(dev);
}

TEST(local_is_the_default_prefix)
{
	char plain[96], local[96], global[96];
	int dev, a, b, c, d;
	__u32 st;

	WS_OPEN_DEV(dev);
	mkname(plain, sizeof(plain), "", "pfx");
	mkname(local, sizeof(local), "Local\\", "pfx");
	mkname(global, sizeof(global), "Global\\", "pfx");
	a = nc_ev(dev, plain, true, false, &st);
	ASSERT_LE(0, a);
	EXPECT_EQ(WINSYNC_CREATED, st);
	b = nc_ev(dev, local, true, false, &st);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, st);
	EXPECT_TRUE(same_event(a, b));
	c = nc_ev(dev, global, true, false, &st);
	ASSERT_LE(0, c);
	EXPECT_EQ(WINSYNC_CREATED, st);
	EXPECT_FALSE(same_event(a, c));
	d = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, local);
	ASSERT_LE(0, d);
	EXPECT_TRUE(same_event(a, d));
	close(d);
	close(a);
	close(b);
	/* Only the global one is left. */
	EXPECT_EQ(-ENOENT, no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, plain));
	EXPECT_EQ(-ENOENT, no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, local));
	d = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, global);
	ASSERT_LE(0, d);
	EXPECT_TRUE(same_event(c, d));
	close(d);
	close(c);
	close(dev);
}

/* @prefix, a unique stem and 'n's: @len bytes in all, no NUL. */
static void long_name(char *buf, const char *prefix, size_t len)
{
	int n = snprintf(buf, len + 1, "%sws-names-%d-", prefix, (int)getpid());

	memset(buf + n, 'n', len - n);
}

TEST(name_length_limit)
{
	char *buf;
	int dev, a, b;
	long long before;
	__u32 st;

	WS_OPEN_DEV(dev);
	buf = malloc(WINSYNC_NAME_MAX + 64);
	ASSERT_NE(NULL, buf);
	before = live_objects(dev);

	/* Unprefixed: 1024 bytes are fine, 1025 are not. */
	long_name(buf, "", WINSYNC_NAME_MAX + 1);
	a = nc_len(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0600, buf,
		   WINSYNC_NAME_MAX, &st);
	ASSERT_LE(0, a);
	EXPECT_EQ(WINSYNC_CREATED, st);
	b = no_len(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, buf,
		   WINSYNC_NAME_MAX);
	EXPECT_LE(0, b);
	if (b >= 0) {
		EXPECT_TRUE(same_event(a, b));
		close(b);
	}
	EXPECT_EQ(-ENAMETOOLONG, nc_len(dev, WINSYNC_TYPE_EVENT, 0,
					WINSYNC_ACCESS_ALL, 0600, buf,
					WINSYNC_NAME_MAX + 1, NULL));
	EXPECT_EQ(-ENAMETOOLONG, no_len(dev, WINSYNC_TYPE_EVENT, 0,
					WINSYNC_ACCESS_ALL, buf,
					WINSYNC_NAME_MAX + 1));
	EXPECT_EQ(-ENAMETOOLONG, nc_len(dev, WINSYNC_TYPE_EVENT, 0,
					WINSYNC_ACCESS_ALL, 0600, buf,
					UINT32_MAX, NULL));
	EXPECT_EQ(before + 1, live_objects(dev));
	close(a);

	/* The prefix counts: "Global\" + 1017 bytes is the longest. */
	long_name(buf, "Global\\", WINSYNC_NAME_MAX + 1);
	a = nc_len(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0600, buf,
		   WINSYNC_NAME_MAX, &st);
	ASSERT_LE(0, a);
	EXPECT_EQ(WINSYNC_CREATED, st);
	EXPECT_EQ(-ENAMETOOLONG, nc_len(dev, WINSYNC_TYPE_EVENT, 0,
					WINSYNC_ACCESS_ALL, 0600, buf,
					WINSYNC_NAME_MAX + 1, NULL));
	close(a);

	/*
	 * "Local\" + 1018 bytes (1024 in all) is the same object as the
	 * 1018 bytes alone; "Local\" + 1019 bytes is too long although the
	 * 1019 bytes alone are fine.
	 */
	long_name(buf, "Local\\", WINSYNC_NAME_MAX + 1);
	a = nc_len(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0600, buf + 6,
		   WINSYNC_NAME_MAX - 6, &st);
	ASSERT_LE(0, a);
	EXPECT_EQ(WINSYNC_CREATED, st);
	b = nc_len(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0600, buf,
		   WINSYNC_NAME_MAX, &st);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, st);
	EXPECT_TRUE(same_event(a, b));
	close(b);
	EXPECT_EQ(-ENAMETOOLONG, nc_len(dev, WINSYNC_TYPE_EVENT, 0,
					WINSYNC_ACCESS_ALL, 0600, buf,
					WINSYNC_NAME_MAX + 1, NULL));
	b = nc_len(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0600, buf + 6,
		   WINSYNC_NAME_MAX - 5, &st);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_CREATED, st);
	close(b);
	close(a);
	free(buf);
	EXPECT_EQ(before, live_objects(dev));
	close(dev);
}

TEST(invalid_names)
{
	static const struct {
		const char *bytes;
		__u32 len;
	} bad[] = {
		{ "Global\\", 7 },
		{ "Local\\", 6 },
		{ "\\", 1 },
		{ "\\x", 2 },
		{ "x\\", 2 },
		{ "a\\b", 3 },
		{ "Global\\a\\b", 10 },
		{ "Local\\a\\b", 9 },
		{ "Global\\\\", 8 },
		{ "Global\\Local\\x", 14 },
		{ "Local\\Global\\x", 14 },
		{ "global\\x", 8 },
		{ "Session\\1\\x", 11 },
		{ "a\0b", 3 },
		{ "\0", 1 },
		{ "ab\0", 3 },
		{ "Global\\\0x", 9 },
	};
	char buf[64];
	int dev, fd;
	unsigned int i, t;
	long long before;

	WS_OPEN_DEV(dev);
	before = live_objects(dev);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (t = 0; t < 4; t++) {
			fd = nc_len(dev, all_types[t], 0, WINSYNC_ACCESS_ALL,
				    0600, bad[i].bytes, bad[i].len, NULL);
			EXPECT_EQ(-EINVAL, fd) TH_LOG("create bad name #%u", i);
			if (fd >= 0)
				close(fd);
		}
		fd = no_len(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL,
			    bad[i].bytes, bad[i].len);
		EXPECT_EQ(-EINVAL, fd) TH_LOG("open bad name #%u", i);
		if (fd >= 0)
			close(fd);
	}
	/* Empty: a pointer with length 0. */
	fd = nc_len(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0600, "x", 0,
		    NULL);
	EXPECT_EQ(-EINVAL, fd);
	fd = no_len(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, "x", 0);
	EXPECT_EQ(-EINVAL, fd);
	/* A name the kernel cannot read. */
	fd = nc_len(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0600,
		    (void *)8, 4, NULL);
	EXPECT_EQ(-EFAULT, fd);
	/* The NUL is not a terminator: "abc\0" is not "abc". */
	mkname(buf, sizeof(buf), "", "nul");
	fd = nc_len(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0600, buf,
		    strlen(buf) + 1, NULL);
	EXPECT_EQ(-EINVAL, fd);
	EXPECT_EQ(-ENOENT, no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, buf));
	EXPECT_EQ(before, live_objects(dev));
	close(dev);
}

TEST(odd_bytes_are_fine)
{
	static const char *const tails[] = {
		"\xc3\xa9v\xc3\xa9nement-\xc3\x9f-\xe6\x97\xa5\xe6\x9c\xac",
		"\xff\xfe\x01\x7f",
		" spaces  inside ",
		"tab\there",
		"new\nline",
		"..",
		"/slash/",
		"Global",
		"Local",
		"GlobalX",
		"%s%n",
	};
	enum { N = sizeof(tails) / sizeof(tails[0]) };
	char names[N][96];
	int dev, fd[N], again, i, j;
	__u32 st;

	WS_OPEN_DEV(dev);
	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "ws-names-%d-%s",
			 (int)getpid(), tails[i]);
		fd[i] = nc_ev(dev, names[i], true, false, &st);
		ASSERT_LE(0, fd[i]) TH_LOG("name #%d", i);
		EXPECT_EQ(WINSYNC_CREATED, st) TH_LOG("name #%d", i);
	}
	/* A bare "Global" or "Local" without backslash is an ordinary name. */
	again = nc_ev(dev, "Global", true, false, &st);
	ASSERT_LE(0, again);
	EXPECT_EQ(WINSYNC_CREATED, st);
	close(again);
	for (i = 0; i < N; i++) {
		again = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, names[i]);
		ASSERT_LE(0, again) TH_LOG("name #%d", i);
		EXPECT_TRUE(same_event(fd[i], again)) TH_LOG("name #%d", i);
		close(again);
		/* All are distinct objects. */
		EXPECT_EQ(0, ws_event_set(fd[i], NULL));
		for (j = 0; j < N; j++)
			EXPECT_EQ(i == j, WS_QUERY_FIELD(fd[j], signaled))
				TH_LOG("names #%d, #%d", i, j);
		EXPECT_EQ(0, ws_event_reset(fd[i], NULL));
	}
	for (i = 0; i < N; i++)
		close(fd[i]);
	close(dev);
}

/* ---- lifetime ---- */

TEST(name_goes_with_last_handle)
{
	struct ws_waiter w;
	char name[96];
	int dev, a, b, c;
	long long before;
	__u32 st;

	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "", "life");
	before = live_objects(dev);
	a = nc_ev(dev, name, true, true, &st);
	ASSERT_LE(0, a);
	b = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name);
	ASSERT_LE(0, b);
	EXPECT_EQ(before + 1, live_objects(dev));
	close(a);
	/* One handle left: still there, still signaled. */
	a = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name);
	ASSERT_LE(0, a);
	EXPECT_EQ(1, WS_QUERY_FIELD(a, signaled));
	close(a);
	close(b);
	EXPECT_EQ(before, live_objects(dev));
	EXPECT_EQ(-ENOENT, no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name));
	/* Created anew: fresh state, whatever the old object was. */
	a = nc_ev(dev, name, false, false, &st);
	ASSERT_LE(0, a);
	EXPECT_EQ(WINSYNC_CREATED, st);
	EXPECT_EQ(0, WS_QUERY_FIELD(a, signaled));
	EXPECT_EQ(WINSYNC_INFO_NAMED, WS_QUERY_FIELD(a, flags));
	close(a);
	/* After a type's last close, the name is free for another type. */
	a = nc(dev, WINSYNC_TYPE_MUTEX, 0, WINSYNC_ACCESS_ALL, 0600, name, &st);
	ASSERT_LE(0, a);
	EXPECT_EQ(WINSYNC_CREATED, st);
	close(a);

	/* dup() and REOPEN handles hold the object, hence the name. */
	a = nc_ev(dev, name, true, false, &st);
	ASSERT_LE(0, a);
	b = dup(a);
	ASSERT_LE(0, b);
	c = ws_reopen(a, WINSYNC_ACCESS_SYNCHRONIZE, 0);
	ASSERT_LE(0, c);
	close(a);
	a = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name);
	ASSERT_LE(0, a);
	close(a);
	close(b);
	a = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name);
	ASSERT_LE(0, a);
	close(a);
	close(c);
	EXPECT_EQ(-ENOENT, no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name));
	EXPECT_EQ(before, live_objects(dev));

	/* A wait in progress holds the object, hence the name. */
	a = nc_ev(dev, name, false, false, &st);
	ASSERT_LE(0, a);
	EXPECT_EQ(WINSYNC_CREATED, st);
	ws_waiter_init(&w, dev, &a, 1, 0, ws_deadline_ms(WS_LONG_MS));
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(a, 1));
	close(a);
	b = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name);
	ASSERT_LE(0, b);
	EXPECT_EQ(1, WS_QUERY_FIELD(b, waiters));
	EXPECT_EQ(0, ws_event_set(b, NULL));
	close(b);
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(-ENOENT, no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name));
	EXPECT_EQ(before, live_objects(dev));
	close(dev);
}

TEST(forked_handle_keeps_name)
{
	char name[96];
	int dev, ev, fd, p[2], q[2];
	long long before;
	__u32 st;
	pid_t pid;

	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "", "fork");
	before = live_objects(dev);
	ev = nc_ev(dev, name, true, false, &st);
	ASSERT_LE(0, ev);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(q));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Keep the inherited handle until told to go. */
		close(p[1]);
		close(q[0]);
		ws_write_byte(q[1]);
		ws_read_byte(p[0], 3 * WS_LONG_MS);
		_exit(ws_event_set(ev, NULL) ? 1 : 0);
	}
	close(p[0]);
	close(q[1]);
	ASSERT_TRUE(ws_read_byte(q[0], WS_LONG_MS));
	close(ev);
	/* The child's copy keeps the object and its name. */
	fd = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name);
	ASSERT_LE(0, fd);
	ASSERT_TRUE(ws_write_byte(p[1]));
	EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
	EXPECT_EQ(1, WS_QUERY_FIELD(fd, signaled));
	close(fd);
	EXPECT_EQ(-ENOENT, no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name));

	/* And once the child alone held it, its exit removed the name. */
	ev = nc_ev(dev, name, true, false, &st);
	ASSERT_LE(0, ev);
	EXPECT_EQ(WINSYNC_CREATED, st);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ws_sleep_ms(WS_BLOCK_MS);
		_exit(0);
	}
	close(ev);
	fd = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
	EXPECT_EQ(-ENOENT, no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name));
	EXPECT_EQ(before, live_objects(dev));
	close(p[1]);
	close(q[0]);
	close(dev);
}

/* ---- scope ---- */

TEST(ipc_namespace_scope)
{
	char local[96], global[96];
	int dev, lo, gl, fd;
	struct ures *res;
	pid_t pid;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	res = ures_new();
	ASSERT_NE(NULL, res);
	mkname(local, sizeof(local), "", "ipcns");
	mkname(global, sizeof(global), "Global\\", "ipcns");
	lo = nc_ev(dev, local, true, false, NULL);
	ASSERT_LE(0, lo);
	gl = nc(dev, WINSYNC_TYPE_EVENT, WINSYNC_CREATE_MANUAL_RESET,
		WINSYNC_ACCESS_ALL, 0666, global, NULL);
	ASSERT_LE(0, gl);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int a, b, c;
		__u32 st;

		if (unshare(CLONE_NEWIPC))
			_exit(2);
		res->r[0] = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, local);
		res->r[1] = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, global);
		a = nc_ev(dev, local, true, false, &st);
		res->r[2] = a < 0 ? a : (int)st;
		b = nc(dev, WINSYNC_TYPE_EVENT, WINSYNC_CREATE_MANUAL_RESET,
		       WINSYNC_ACCESS_ALL, 0666, global, &st);
		res->r[3] = b < 0 ? b : (int)st;
		if (a >= 0)
			res->r[4] = ws_event_set(a, NULL);
		if (b >= 0)
			res->r[5] = ws_event_set(b, NULL);
		/* Within the new namespace the names work as usual. */
		c = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, local);
		res->r[6] = c < 0 ? c : (int)WS_QUERY_FIELD(c, signaled);
		if (c >= 0)
			close(c);
		c = nc_ev(dev, global, true, false, &st);
		res->r[7] = c < 0 ? c : (int)st;
		_exit(0);
	}
	EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
	EXPECT_EQ(-ENOENT, res->r[0]);
	EXPECT_EQ(-ENOENT, res->r[1]);
	EXPECT_EQ(WINSYNC_CREATED, res->r[2]);
	EXPECT_EQ(WINSYNC_CREATED, res->r[3]);
	EXPECT_EQ(0, res->r[4]);
	EXPECT_EQ(0, res->r[5]);
	EXPECT_EQ(1, res->r[6]);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, res->r[7]);

	/* The parent's objects were not touched and are still found. */
	EXPECT_EQ(0, WS_QUERY_FIELD(lo, signaled));
	EXPECT_EQ(0, WS_QUERY_FIELD(gl, signaled));
	fd = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, local);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(same_event(lo, fd));
	close(fd);
	fd = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, global);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(same_event(gl, fd));
	close(fd);
	close(lo);
	close(gl);
	ures_free(res);
	close(dev);
}

struct names2 {
	char local[96];
	char plain[96];
	char global[96];
};

static void local_user_fn(int dev, void *arg, struct ures *res)
{
	struct names2 *n = arg;
	int fd;
	__u32 st;

	res->r[0] = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_SYNCHRONIZE,
		       n->local);
	res->r[1] = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_SYNCHRONIZE,
		       n->plain);
	fd = nc_ev(dev, n->local, true, false, &st);
	res->r[2] = fd < 0 ? fd : (int)st;
	if (fd >= 0) {
		res->r[3] = ws_event_set(fd, NULL);
		/* The user's own object: its uid, found again by name. */
		res->r[4] = (int)WS_QUERY_FIELD(fd, uid);
		res->r[5] = fd_result(no(dev, WINSYNC_TYPE_EVENT,
					 WINSYNC_ACCESS_ALL, n->plain));
		close(fd);
	}
	/* Global names are shared (this one is 0666). */
	fd = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, n->global);
	res->r[6] = fd < 0 ? fd : 0;
	if (fd >= 0) {
		res->r[7] = ws_event_set(fd, NULL);
		close(fd);
	}
	fd = nc_ev(dev, n->global, true, false, &st);
	res->r[8] = fd < 0 ? fd : (int)st;
	if (fd >= 0)
		close(fd);
}

TEST(local_names_are_per_user)
{
	struct names2 n;
	struct ures *res;
	int dev, lo, gl, fd;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	res = ures_new();
	ASSERT_NE(NULL, res);
	mkname(n.local, sizeof(n.local), "Local\\", "peruser");
	mkname(n.plain, sizeof(n.plain), "", "peruser");
	mkname(n.global, sizeof(n.global), "Global\\", "peruser");
	/* Root's "Local\" object is open to everybody: permission is not why. */
	lo = nc(dev, WINSYNC_TYPE_EVENT, WINSYNC_CREATE_MANUAL_RESET,
		WINSYNC_ACCESS_ALL, 0666, n.local, NULL);
	ASSERT_LE(0, lo);
	gl = nc(dev, WINSYNC_TYPE_EVENT, WINSYNC_CREATE_MANUAL_RESET,
		WINSYNC_ACCESS_ALL, 0666, n.global, NULL);
	ASSERT_LE(0, gl);

	ASSERT_EQ(0, run_as_user(local_user_fn, &n, res));
	EXPECT_EQ(-ENOENT, res->r[0]);
	EXPECT_EQ(-ENOENT, res->r[1]);
	EXPECT_EQ(WINSYNC_CREATED, res->r[2]);
	EXPECT_EQ(0, res->r[3]);
	EXPECT_EQ(USER_UID, res->r[4]);
	EXPECT_EQ(0, res->r[5]);
	EXPECT_EQ(0, res->r[6]);
	EXPECT_EQ(0, res->r[7]);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, res->r[8]);

	/* Root's local object is untouched; the global one was set. */
	EXPECT_EQ(0, WS_QUERY_FIELD(lo, signaled));
	EXPECT_EQ(1, WS_QUERY_FIELD(gl, signaled));
	fd = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, n.plain);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(same_event(lo, fd));
	EXPECT_EQ(0, WS_QUERY_FIELD(fd, uid));
	close(fd);
	close(lo);
	close(gl);
	ures_free(res);
	close(dev);
}

/* ---- owner, mode, permissions ---- */

struct owner_arg {
	char global[96];
	int up, down;
};

static void create_global_fn(int dev, void *arg, struct ures *res)
{
	struct owner_arg *n = arg;
	int fd;
	__u32 st;

	/* Mode 0066: the owner itself has no permission. */
	fd = nc(dev, WINSYNC_TYPE_EVENT, WINSYNC_CREATE_MANUAL_RESET,
		WINSYNC_ACCESS_ALL, 0066, n->global, &st);
	res->r[0] = fd < 0 ? fd : (int)st;
	if (fd < 0)
		return;
	res->r[1] = (int)WS_QUERY_FIELD(fd, uid);
	res->r[2] = (int)WS_QUERY_FIELD(fd, gid);
	res->r[3] = (int)WS_QUERY_FIELD(fd, mode);
	/* The creator's own handle has every right. */
	res->r[4] = ws_event_set(fd, NULL);
	res->r[5] = fd_result(no(dev, WINSYNC_TYPE_EVENT,
				 WINSYNC_ACCESS_SYNCHRONIZE, n->global));
	res->r[6] = fd_result(no(dev, WINSYNC_TYPE_EVENT,
				 WINSYNC_ACCESS_MODIFY_STATE, n->global));
	res->r[7] = fd_result(nc(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL,
				 0666, n->global, NULL));
	/* Tell the parent, then keep the object until it has looked. */
	ws_write_byte(n->up);
	ws_read_byte(n->down, 3 * WS_LONG_MS);
	close(fd);
}

TEST(owner_uid_gid_mode)
{
	struct winsync_obj_info info;
	char name[96], val[64];
	struct owner_arg n;
	struct ures *res;
	int dev, a, b, up[2], down[2];
	__u32 st;
	pid_t pid;

	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "Global\\", "owner");
	a = nc(dev, WINSYNC_TYPE_SEM, 0, WINSYNC_ACCESS_ALL, 0640, name, &st);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, ws_query(a, &info));
	EXPECT_EQ(WINSYNC_INFO_NAMED | WINSYNC_INFO_GLOBAL, info.flags);
	EXPECT_EQ(geteuid(), info.uid);
	EXPECT_EQ(getegid(), info.gid);
	EXPECT_EQ(0640, info.mode);
	/* A second create with another mode does not change it. */
	b = nc(dev, WINSYNC_TYPE_SEM, 0, WINSYNC_ACCESS_ALL, 0666, name, &st);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, st);
	EXPECT_EQ(0640, WS_QUERY_FIELD(b, mode));
	close(b);
	close(a);
	/* Unnamed objects have no owner or mode. */
	a = ws_event(dev, true, false);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, ws_query(a, &info));
	EXPECT_EQ(0, info.flags & WINSYNC_INFO_NAMED);
	EXPECT_EQ(0, info.uid);
	EXPECT_EQ(0, info.gid);
	EXPECT_EQ(0, info.mode);
	EXPECT_FALSE(ws_fdinfo_get(a, "winsync-name", val, sizeof(val)));
	EXPECT_FALSE(ws_fdinfo_get(a, "winsync-mode", val, sizeof(val)));
	close(a);

	if (geteuid() != 0) {
		close(dev);
		SKIP(return, "needs root for the uid %d part", USER_UID);
	}
	/* Created by uid 1000: the owner is 1000:1000 and root sees that. */
	res = ures_new();
	ASSERT_NE(NULL, res);
	mkname(n.global, sizeof(n.global), "Global\\", "owner1000");
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	n.up = up[1];
	n.down = down[0];
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(run_as_user(create_global_fn, &n, res));
	ASSERT_TRUE(ws_read_byte(up[0], WS_LONG_MS));
	EXPECT_EQ(WINSYNC_CREATED, res->r[0]);
	EXPECT_EQ(USER_UID, res->r[1]);
	EXPECT_EQ(USER_GID, res->r[2]);
	EXPECT_EQ(0066, res->r[3]);
	EXPECT_EQ(0, res->r[4]);
	/* Owner class applies to the owner even when others may. */
	EXPECT_EQ(-EACCES, res->r[5]);
	EXPECT_EQ(-EACCES, res->r[6]);
	EXPECT_EQ(-EACCES, res->r[7]);
	/* Root (CAP_IPC_OWNER) opens it whatever the mode. */
	a = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, n.global);
	EXPECT_LE(0, a);
	if (a >= 0) {
		ASSERT_EQ(0, ws_query(a, &info));
		EXPECT_EQ(USER_UID, info.uid);
		EXPECT_EQ(USER_GID, info.gid);
		EXPECT_EQ(0066, info.mode);
		EXPECT_EQ(1, info.signaled);
		EXPECT_EQ(WINSYNC_ACCESS_ALL, info.access);
		EXPECT_FDINFO(a, "winsync-owner-uid", "1000");
		EXPECT_FDINFO(a, "winsync-owner-gid", "1000");
		EXPECT_FDINFO(a, "winsync-mode", "0066");
		close(a);
	}
	ws_write_byte(down[1]);
	EXPECT_EQ(0, ws_reap(pid, WS_LONG_MS));
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	ures_free(res);
	close(dev);
}

TEST(root_opens_mode_0000)
{
	char name[96];
	int dev, a, b;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "Global\\", "mode0");
	a = nc(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0, name, NULL);
	ASSERT_LE(0, a);
	b = no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name);
	ASSERT_LE(0, b);
	EXPECT_EQ(WINSYNC_ACCESS_ALL, WS_QUERY_FIELD(b, access));
	close(b);
	close(a);
	close(dev);
}

TEST(fdinfo_named)
{
	char name[96], want[128], val[64];
	int dev, a, b;

	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "Global\\", "fdinfo");
	a = nc(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0600, name, NULL);
	ASSERT_LE(0, a);
	EXPECT_FDINFO(a, "winsync-name", name);
	snprintf(val, sizeof(val), "%u", (unsigned int)geteuid());
	EXPECT_FDINFO(a, "winsync-owner-uid", val);
	snprintf(val, sizeof(val), "%u", (unsigned int)getegid());
	EXPECT_FDINFO(a, "winsync-owner-gid", val);
	EXPECT_FDINFO(a, "winsync-mode", "0600");
	EXPECT_FDINFO(a, "winsync-type", "event");
	close(a);

	/* A local name shows with the "Local\" prefix, given or not. */
	mkname(name, sizeof(name), "", "fdinfo");
	a = nc(dev, WINSYNC_TYPE_SEM, 0, WINSYNC_ACCESS_ALL, 0644, name, NULL);
	ASSERT_LE(0, a);
	snprintf(want, sizeof(want), "Local\\%s", name);
	EXPECT_FDINFO(a, "winsync-name", want);
	EXPECT_FDINFO(a, "winsync-mode", "0644");
	b = no(dev, WINSYNC_TYPE_SEM, WINSYNC_ACCESS_QUERY_STATE, want);
	ASSERT_LE(0, b);
	EXPECT_FDINFO(b, "winsync-name", want);
	close(b);
	/* Without QUERY_STATE: neither the name nor the state. */
	b = no(dev, WINSYNC_TYPE_SEM, WINSYNC_ACCESS_SYNCHRONIZE, want);
	ASSERT_LE(0, b);
	EXPECT_FALSE(ws_fdinfo_get(b, "winsync-name", val, sizeof(val)));
	EXPECT_FALSE(ws_fdinfo_get(b, "winsync-count", val, sizeof(val)));
	EXPECT_FDINFO(b, "winsync-type", "semaphore");
	close(b);
	close(a);

	/* A name cannot forge fdinfo lines. */
	mkname(name, sizeof(name), "", "x\nwinsync-mode:\t0777");
	a = nc(dev, WINSYNC_TYPE_MUTEX, 0, WINSYNC_ACCESS_ALL, 0600, name, NULL);
	ASSERT_LE(0, a);
	EXPECT_EQ(1, fdinfo_count(a, "winsync-mode:"));
	EXPECT_FDINFO(a, "winsync-mode", "0600");
	EXPECT_EQ(1, fdinfo_count(a, "winsync-name:"));
	close(a);
	close(dev);
}

struct perm_case {
	char name[96];
	__u32 type;
	__u32 access;
};

#define MAX_PERM_CASES 32

struct perm_cases {
	int n;
	struct perm_case c[MAX_PERM_CASES];
};

/* Try each case with OPEN and, with r[32 + i], with CREATE. */
static void perm_fn(int dev, void *arg, struct ures *res)
{
	struct perm_cases *pc = arg;
	int i;

	for (i = 0; i < pc->n; i++) {
		res->r[i] = fd_result(no(dev, pc->c[i].type, pc->c[i].access,
					 pc->c[i].name));
		res->r[32 + i] = fd_result(nc(dev, pc->c[i].type, 0,
					      pc->c[i].access, 0666,
					      pc->c[i].name, NULL));
	}
}

static void perm_add(struct perm_cases *pc, const char *name, __u32 type,
		     __u32 access)
{
	struct perm_case *c = &pc->c[pc->n++];
	size_t len = strnlen(name, sizeof(c->name) - 1);

	memcpy(c->name, name, len);
	c->name[len] = 0;
	c->type = type;
	c->access = access;
}

TEST(permissions_other_class)
{
	static const struct {
		__u32 access;
		/* Expected result for modes 0600, 0644, 0666, 0602. */
		int want[4];
	} rows[] = {
		{ WINSYNC_ACCESS_SYNCHRONIZE, { -EACCES, 0, 0, -EACCES } },
		{ WINSYNC_ACCESS_QUERY_STATE, { -EACCES, 0, 0, -EACCES } },
		{ WINSYNC_ACCESS_READ_CONTROL, { -EACCES, 0, 0, -EACCES } },
		{ WINSYNC_ACCESS_MODIFY_STATE, { -EACCES, -EACCES, 0, 0 } },
		{ WINSYNC_ACCESS_DELETE, { -EACCES, -EACCES, 0, 0 } },
		{ WINSYNC_ACCESS_WRITE_DAC, { -EACCES, -EACCES, 0, 0 } },
		{ WINSYNC_ACCESS_WRITE_OWNER, { -EACCES, -EACCES, 0, 0 } },
		{ READ_RIGHTS, { -EACCES, 0, 0, -EACCES } },
		{ WINSYNC_ACCESS_ALL, { -EACCES, -EACCES, 0, -EACCES } },
	};
	static const __u32 modes[] = { 0600, 0644, 0666, 0602 };
	enum { NROWS = sizeof(rows) / sizeof(rows[0]) };
	struct perm_cases *pc;
	struct ures *res;
	char name[4][96], tag[16];
	int dev, fd[4], m, r;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	res = ures_new();
	ASSERT_NE(NULL, res);
	pc = calloc(1, sizeof(*pc));
	ASSERT_NE(NULL, pc);
	for (m = 0; m < 4; m++) {
		snprintf(tag, sizeof(tag), "perm%o", modes[m]);
		mkname(name[m], sizeof(name[m]), "Global\\", tag);
		fd[m] = nc(dev, WINSYNC_TYPE_EVENT, WINSYNC_CREATE_MANUAL_RESET,
			   WINSYNC_ACCESS_ALL, modes[m], name[m], NULL);
		ASSERT_LE(0, fd[m]);
	}
	/* Only 32 cases per run: split by mode pairs. */
	for (m = 0; m < 4; m += 2) {
		pc->n = 0;
		for (r = 0; r < NROWS; r++) {
			perm_add(pc, name[m], WINSYNC_TYPE_EVENT, rows[r].access);
			perm_add(pc, name[m + 1], WINSYNC_TYPE_EVENT,
				 rows[r].access);
		}
		memset(res->r, 0x7f, sizeof(res->r));
		ASSERT_EQ(0, run_as_user(perm_fn, pc, res));
		for (r = 0; r < NROWS; r++) {
			EXPECT_EQ(rows[r].want[m], res->r[2 * r])
				TH_LOG("mode %04o access 0x%x (open)", modes[m],
				       rows[r].access);
			EXPECT_EQ(rows[r].want[m], res->r[32 + 2 * r])
				TH_LOG("mode %04o access 0x%x (create)",
				       modes[m], rows[r].access);
			EXPECT_EQ(rows[r].want[m + 1], res->r[2 * r + 1])
				TH_LOG("mode %04o access 0x%x (open)",
				       modes[m + 1], rows[r].access);
			EXPECT_EQ(rows[r].want[m + 1], res->r[32 + 2 * r + 1])
				TH_LOG("mode %04o access 0x%x (create)",
				       modes[m + 1], rows[r].access);
		}
	}
	for (m = 0; m < 4; m++)
		close(fd[m]);
	free(pc);
	ures_free(res);
	close(dev);
}

/* uid 1000 with group @gid (and supplementary @groups) against @names. */
static void group_case(struct __test_metadata *_metadata, gid_t gid,
		       const gid_t *groups, int ngroups,
		       char names[2][96], const int want[4])
{
	struct perm_cases pc = { 0 };
	struct ures *res = ures_new();

	ASSERT_NE(NULL, res);
	perm_add(&pc, names[0], WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_SYNCHRONIZE);
	perm_add(&pc, names[0], WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_MODIFY_STATE);
	perm_add(&pc, names[1], WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_SYNCHRONIZE);
	perm_add(&pc, names[1], WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_MODIFY_STATE);
	ASSERT_EQ(0, run_as(USER_UID, gid, groups, ngroups, perm_fn, &pc, res));
	EXPECT_EQ(want[0], res->r[0]) TH_LOG("gid %d: 0640 SYNCHRONIZE", gid);
	EXPECT_EQ(want[1], res->r[1]) TH_LOG("gid %d: 0640 MODIFY_STATE", gid);
	EXPECT_EQ(want[2], res->r[2]) TH_LOG("gid %d: 0604 SYNCHRONIZE", gid);
	EXPECT_EQ(want[3], res->r[3]) TH_LOG("gid %d: 0604 MODIFY_STATE", gid);
	ures_free(res);
}

TEST(permissions_group_class)
{
	static const int in_group[4] = { 0, -EACCES, -EACCES, -EACCES };
	static const int other[4] = { -EACCES, -EACCES, 0, -EACCES };
	static const gid_t supp[1] = { 4242 };
	char names[2][96];
	int dev, a, b;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	mkname(names[0], sizeof(names[0]), "Global\\", "grp0640");
	mkname(names[1], sizeof(names[1]), "Global\\", "grp0604");
	/* Owned by root, group 4242 (created with that egid). */
	ASSERT_EQ(0, setresgid(4242, 4242, -1));
	a = nc(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0640, names[0], NULL);
	b = nc(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0604, names[1], NULL);
	ASSERT_EQ(0, setresgid(0, 0, -1));
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	EXPECT_EQ(4242, WS_QUERY_FIELD(a, gid));

	/* Primary group: group class (r- for 0640, --- for 0604). */
	group_case(_metadata, 4242, NULL, 0, names, in_group);
	/* Supplementary group: the same. */
	group_case(_metadata, USER_GID, supp, 1, names, in_group);
	/* Not in the group: other class (--- for 0640, r-- for 0604). */
	group_case(_metadata, USER_GID, NULL, 0, names, other);
	close(a);
	close(b);
	close(dev);
}

static void order_fn(int dev, void *arg, struct ures *res)
{
	struct names2 *n = arg;

	/* Missing, wrong type, no permission: in that order. */
	res->r[0] = fd_result(no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL,
				 n->plain));
	res->r[1] = fd_result(no(dev, WINSYNC_TYPE_MUTEX, WINSYNC_ACCESS_ALL,
				 n->global));
	res->r[2] = fd_result(no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL,
				 n->global));
	res->r[3] = fd_result(nc(dev, WINSYNC_TYPE_MUTEX, 0, WINSYNC_ACCESS_ALL,
				 0600, n->global, NULL));
	res->r[4] = fd_result(nc(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL,
				 0600, n->global, NULL));
}

TEST(open_error_order)
{
	struct names2 n;
	struct ures *res;
	long long before;
	int dev, a;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	res = ures_new();
	ASSERT_NE(NULL, res);
	mkname(n.plain, sizeof(n.plain), "Global\\", "order-missing");
	mkname(n.global, sizeof(n.global), "Global\\", "order");
	a = nc(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0600, n.global, NULL);
	ASSERT_LE(0, a);
	before = live_objects(dev);
	ASSERT_EQ(0, run_as_user(order_fn, &n, res));
	EXPECT_EQ(-ENOENT, res->r[0]);
	EXPECT_EQ(-EMEDIUMTYPE, res->r[1]);
	EXPECT_EQ(-EACCES, res->r[2]);
	EXPECT_EQ(-EMEDIUMTYPE, res->r[3]);
	EXPECT_EQ(-EACCES, res->r[4]);
	EXPECT_EQ(before, live_objects(dev));
	close(a);
	close(dev);
	ures_free(res);
}

/* ---- per-user object limit ---- */

static int read_param(unsigned int *val)
{
	FILE *f = fopen(MAX_USER_OBJECTS_PARAM, "re");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%u", val) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

static int write_param(unsigned int val)
{
	FILE *f = fopen(MAX_USER_OBJECTS_PARAM, "we");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%u\n", val) > 0;
	ok &= fclose(f) == 0;
	return ok ? 0 : -1;
}

#define LIMIT 10

struct limit_arg {
	char global[96];	/* root's, mode 0666 */
	char mine[96];		/* the user's own, created first */
};

static void limit_fn(int dev, void *arg, struct ures *res)
{
	struct limit_arg *la = arg;
	struct winsync_info info;
	int fd[LIMIT + 1], i, extra;
	__u32 st;

	res->r[40] = ws_get_info(dev, &info) ? -1 : (int)info.max_user_objects;
	/* LIMIT objects, named and unnamed and of every type, succeed... */
	fd[0] = nc(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0600, la->mine,
		   NULL);
	for (i = 1; i < LIMIT; i++) {
		if (all_types[i % 4] == WINSYNC_TYPE_SEM)
			fd[i] = ws_sem(dev, 0, 1);
		else
			fd[i] = ws_new(dev, all_types[i % 4], 0,
				       WINSYNC_ACCESS_ALL, 0, 0);
	}
	for (i = 0; i < LIMIT; i++)
		res->r[i] = fd[i] < 0 ? fd[i] : 0;
	/* ... the next one, of any kind, does not. */
	res->r[10] = fd_result(ws_event(dev, true, false));
	res->r[11] = fd_result(ws_sem(dev, 0, 1));
	res->r[12] = fd_result(nc(dev, WINSYNC_TYPE_TIMER, 0, WINSYNC_ACCESS_ALL,
				  0600, "ws-names-limit-new", NULL));
	/* Opening an existing object creates none: not limited. */
	res->r[13] = fd_result(no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL,
				  la->global));
	res->r[14] = fd_result(no(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL,
				  la->mine));
	res->r[15] = fd_result(ws_reopen(fd[0], WINSYNC_ACCESS_ALL, 0));
	/* Closing one makes room for exactly one more. */
	close(fd[LIMIT - 1]);
	fd[LIMIT - 1] = ws_event(dev, false, false);
	res->r[16] = fd[LIMIT - 1] < 0 ? fd[LIMIT - 1] : 0;
	res->r[17] = fd_result(ws_event(dev, false, false));
	close(fd[LIMIT - 1]);
	fd[LIMIT - 1] = nc(dev, WINSYNC_TYPE_MUTEX, 0, WINSYNC_ACCESS_ALL, 0600,
			   "ws-names-limit-named", &st);
	res->r[18] = fd[LIMIT - 1] < 0 ? fd[LIMIT - 1] : (int)st;
	extra = ws_event(dev, false, false);
	res->r[19] = fd_result(extra);
	for (i = 0; i < LIMIT; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	/* All closed: the full quota is back. */
	for (i = 0; i < LIMIT; i++)
		fd[i] = ws_event(dev, false, false);
	res->r[20] = 0;
	for (i = 0; i < LIMIT; i++)
		if (fd[i] < 0)
			res->r[20] = fd[i];
	res->r[21] = fd_result(ws_event(dev, false, false));
	for (i = 0; i < LIMIT; i++)
		if (fd[i] >= 0)
			close(fd[i]);
}

TEST(per_user_limit)
{
	struct winsync_info info;
	struct limit_arg la;
	struct ures *res;
	unsigned int saved, now;
	long long before;
	int dev, gl, i, rc, root_fd[LIMIT + 5], root_ok = 0;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	ASSERT_EQ(0, ws_get_info(dev, &info));
	ASSERT_EQ(0, read_param(&saved)) TH_LOG("no %s", MAX_USER_OBJECTS_PARAM);
	EXPECT_EQ(saved, info.max_user_objects);
	res = ures_new();
	ASSERT_NE(NULL, res);
	mkname(la.global, sizeof(la.global), "Global\\", "limit");
	mkname(la.mine, sizeof(la.mine), "", "limit-mine");
	gl = nc(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0666, la.global,
		NULL);
	ASSERT_LE(0, gl);
	before = live_objects(dev);

	/* From here on, restore the parameter before asserting anything. */
	if (write_param(LIMIT)) {
		close(gl);
		ASSERT_TRUE(false) TH_LOG("cannot write %s", MAX_USER_OBJECTS_PARAM);
	}
	rc = run_as_user(limit_fn, &la, res);
	/* Root has CAP_SYS_RESOURCE: not limited. */
	for (i = 0; i < LIMIT + 5; i++) {
		root_fd[i] = ws_event(dev, false, false);
		root_ok += root_fd[i] >= 0;
	}
	for (i = 0; i < LIMIT + 5; i++)
		if (root_fd[i] >= 0)
			close(root_fd[i]);
	memset(&info, 0, sizeof(info));
	ws_get_info(dev, &info);
	write_param(saved);

	ASSERT_EQ(0, rc);
	EXPECT_EQ(LIMIT, info.max_user_objects);
	EXPECT_EQ(LIMIT, res->r[40]);
	for (i = 0; i < LIMIT; i++)
		EXPECT_EQ(0, res->r[i]) TH_LOG("object %d", i + 1);
	EXPECT_EQ(-ENOSPC, res->r[10]);
	EXPECT_EQ(-ENOSPC, res->r[11]);
	EXPECT_EQ(-ENOSPC, res->r[12]);
	EXPECT_EQ(0, res->r[13]);
	EXPECT_EQ(0, res->r[14]);
	EXPECT_EQ(0, res->r[15]);
	EXPECT_EQ(0, res->r[16]);
	EXPECT_EQ(-ENOSPC, res->r[17]);
	EXPECT_EQ(WINSYNC_CREATED, res->r[18]);
	EXPECT_EQ(-ENOSPC, res->r[19]);
	EXPECT_EQ(0, res->r[20]);
	EXPECT_EQ(-ENOSPC, res->r[21]);
	EXPECT_EQ(LIMIT + 5, root_ok);
	EXPECT_EQ(0, read_param(&now));
	EXPECT_EQ(saved, now);
	EXPECT_EQ(before, live_objects(dev));
	close(gl);
	ures_free(res);
	close(dev);
}

static void limit_existing_fn(int dev, void *arg, struct ures *res)
{
	struct limit_arg *la = arg;
	int fd[LIMIT], i;
	__u32 st;

	for (i = 0; i < LIMIT; i++)
		fd[i] = ws_event(dev, false, false);
	res->r[0] = 0;
	for (i = 0; i < LIMIT; i++)
		if (fd[i] < 0)
			res->r[0] = fd[i];
	res->r[1] = fd_result(ws_event(dev, false, false));
	/* Create-or-open of an existing name creates no object. */
	i = nc(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0600, la->global,
	       &st);
	res->r[2] = i < 0 ? i : (int)st;
	if (i >= 0)
		close(i);
	for (i = 0; i < LIMIT; i++)
		if (fd[i] >= 0)
			close(fd[i]);
}

TEST(per_user_limit_create_existing)
{
	struct limit_arg la;
	struct ures *res;
	unsigned int saved;
	int dev, gl, rc;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	ASSERT_EQ(0, read_param(&saved));
	res = ures_new();
	ASSERT_NE(NULL, res);
	mkname(la.global, sizeof(la.global), "Global\\", "limit-existing");
	gl = nc(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0666, la.global,
		NULL);
	ASSERT_LE(0, gl);
	if (write_param(LIMIT)) {
		close(gl);
		ASSERT_TRUE(false) TH_LOG("cannot write %s", MAX_USER_OBJECTS_PARAM);
	}
	rc = run_as_user(limit_existing_fn, &la, res);
	write_param(saved);
	ASSERT_EQ(0, rc);
	EXPECT_EQ(0, res->r[0]);
	EXPECT_EQ(-ENOSPC, res->r[1]);
	EXPECT_EQ(WINSYNC_OPENED_EXISTING, res->r[2]);
	close(gl);
	ures_free(res);
	close(dev);
}

/* ---- race: create-or-open, open and close of a few shared names ---- */

#define RACE_NAMES	3
#define RACE_THREADS	3	/* in the parent and in each child */
#define RACE_PROCS	2
#define RACE_MS		2000

struct race_shared {
	atomic_uint next_token;
	atomic_int stop;
	atomic_long created, existing, opened, enoent, checks, errors;
	atomic_int violations;
	atomic_int have_msg;
	char msg[256];
};

struct race_worker {
	struct race_shared *sh;
	int dev;
	const char (*names)[96];
	uint64_t rng;
};

static unsigned int race_rnd(struct race_worker *w, unsigned int n)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return (unsigned int)(w->rng % n);
}

static void race_problem(struct race_shared *sh, bool violation,
			 const char *what, int name, long long a, long long b)
{
	if (violation)
		atomic_fetch_add(&sh->violations, 1);
	else
		atomic_fetch_add(&sh->errors, 1);
	if (!atomic_exchange(&sh->have_msg, 1))
		snprintf(sh->msg, sizeof(sh->msg), "%s (name %d): %lld vs %lld",
			 what, name, a, b);
}

/*
 * Every object is a semaphore that is never released or waited on, created
 * with a count no other create uses: its count names it.  While a worker
 * holds a handle to object T under name N, N must resolve to T.
 */
static int race_create(struct race_worker *w, int i, long long *id)
{
	unsigned int token = atomic_fetch_add(&w->sh->next_token, 1);
	__u32 st;
	int fd;

	fd = nc_sem(w->dev, w->names[i], token, UINT32_MAX, &st);
	if (fd < 0) {
		race_problem(w->sh, false, "create failed", i, fd, 0);
		return -1;
	}
	*id = WS_QUERY_FIELD(fd, count);
	if (st == WINSYNC_CREATED) {
		atomic_fetch_add(&w->sh->created, 1);
		if (*id != token)
			race_problem(w->sh, true, "CREATED but not new", i,
				     *id, token);
	} else {
		atomic_fetch_add(&w->sh->existing, 1);
		if (*id == token)
			race_problem(w->sh, true, "OPENED_EXISTING but new", i,
				     *id, token);
	}
	return fd;
}

/* While @id is held under name @i, OPEN and CREATE must both reach it. */
static void race_verify(struct race_worker *w, int i, long long id)
{
	struct race_shared *sh = w->sh;
	long long other;
	__u32 st;
	int fd;

	fd = no(w->dev, WINSYNC_TYPE_SEM, WINSYNC_ACCESS_QUERY_STATE,
		w->names[i]);
	if (fd < 0) {
		race_problem(sh, true, "open of a held name", i, fd, id);
	} else {
		other = WS_QUERY_FIELD(fd, count);
		if (other != id)
			race_problem(sh, true, "open found another object", i,
				     other, id);
		close(fd);
	}
	fd = nc_sem(w->dev, w->names[i], 0, 1, &st);
	if (fd < 0 || st != WINSYNC_OPENED_EXISTING) {
		race_problem(sh, true, "create of a held name", i, fd, st);
	} else {
		other = WS_QUERY_FIELD(fd, count);
		if (other != id)
			race_problem(sh, true, "create found another object", i,
				     other, id);
	}
	if (fd >= 0)
		close(fd);
	atomic_fetch_add(&sh->checks, 1);
}

static void *race_fn(void *arg)
{
	struct race_worker *w = arg;
	struct race_shared *sh = w->sh;
	int held[RACE_NAMES], fd, i, k;
	long long id[RACE_NAMES];

	for (i = 0; i < RACE_NAMES; i++)
		held[i] = -1;
	while (!atomic_load(&sh->stop)) {
		i = race_rnd(w, RACE_NAMES);
		if (held[i] < 0) {
			if (race_rnd(w, 2)) {
				held[i] = race_create(w, i, &id[i]);
			} else {
				fd = no(w->dev, WINSYNC_TYPE_SEM,
					WINSYNC_ACCESS_ALL, w->names[i]);
				if (fd == -ENOENT) {
					atomic_fetch_add(&sh->enoent, 1);
				} else if (fd < 0) {
					race_problem(sh, false, "open failed",
						     i, fd, 0);
				} else {
					atomic_fetch_add(&sh->opened, 1);
					held[i] = fd;
					id[i] = WS_QUERY_FIELD(fd, count);
				}
			}
		}
		if (held[i] >= 0) {
			if (race_rnd(w, 2))
				race_verify(w, i, id[i]);
			/* Mostly short-lived handles: names come and go. */
			if (race_rnd(w, 4)) {
				close(held[i]);
				held[i] = -1;
			}
		}
		for (k = race_rnd(w, 64); k > 0; k--)
			__asm__ __volatile__("" ::: "memory");
	}
	for (i = 0; i < RACE_NAMES; i++)
		if (held[i] >= 0)
			close(held[i]);
	return NULL;
}

struct race_group {
	struct race_worker w[RACE_THREADS];
	pthread_t t[RACE_THREADS];
	int n;
};

static void race_start(struct race_group *g, const struct race_worker *proto,
		       uint64_t seed)
{
	int i;

	g->n = 0;
	for (i = 0; i < RACE_THREADS; i++) {
		g->w[i] = *proto;
		g->w[i].rng = seed * 0x9e3779b97f4a7c15ULL + i + 1;
		if (pthread_create(&g->t[i], NULL, race_fn, &g->w[i]))
			break;
		g->n++;
	}
}

/* 0 if all RACE_THREADS ran. */
static int race_join(struct race_group *g)
{
	int i;

	for (i = 0; i < g->n; i++)
		pthread_join(g->t[i], NULL);
	return g->n == RACE_THREADS ? 0 : 1;
}

/*
 * Issue 13: the per-user limit counts a user as the initial user namespace
 * sees it.  uid 1000 makes a user namespace in which root maps 8 ids onto
 * 100000..100007 (kuids of their own).  Each id inside creates until ENOSPC
 * and holds its objects: together they get LIMIT objects, the limit of
 * their namespace's owner, not 8 * LIMIT; and uid 1000 outside, whose
 * objects these are, is at its limit too.
 */
#define USERNS_IDS	8
#define USERNS_BASE	100000

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* In the user namespace: id @id creates until refused, reports, holds. */
static void userns_holder(int dev, int id, int report, int release)
{
	int n = 0, err = 0;

	if (setresgid(id, id, id) || setresuid(id, id, id))
		_exit(90);
	while (n < 2 * LIMIT) {
		int fd = ws_event(dev, false, false);

		if (fd < 0) {
			err = -fd;
			break;
		}
		n++;
	}
	if (write(report, &n, sizeof(n)) != sizeof(n) ||
	    write(report, &err, sizeof(err)) != sizeof(err))
		_exit(91);
	ws_read_byte(release, 3 * WS_LONG_MS);
	_exit(0);
}

TEST(per_user_limit_user_namespace)
{
	int dev, go[2], report[2], release[2], ready[2], rc, i;
	int got[USERNS_IDS], err[USERNS_IDS], total = 0, outside = 0;
	unsigned int saved;
	char path[64], map[64];
	pid_t c, u;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	ASSERT_EQ(0, read_param(&saved));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(report));
	ASSERT_EQ(0, pipe(release));
	ASSERT_EQ(0, pipe(ready));
	c = fork();
	ASSERT_LE(0, c);
	if (c == 0) {
		/* uid 1000 makes the namespace, root (outside) maps it. */
		if (setgroups(0, NULL) || setresgid(USER_GID, USER_GID, USER_GID) ||
		    setresuid(USER_UID, USER_UID, USER_UID))
			_exit(80);
		if (unshare(CLONE_NEWUSER)) {
			ws_write_byte(ready[1]);
			_exit(81);
		}
		ws_write_byte(ready[1]);
		if (!ws_read_byte(go[0], 3 * WS_LONG_MS))
			_exit(82);
		for (i = 0; i < USERNS_IDS; i++) {
			pid_t h = fork();

			if (h < 0)
				_exit(83);
			if (h == 0)
				userns_holder(dev, i, report[1], release[0]);
			/* One at a time: each sees what the ones before took. */
			if (read(report[0], &got[i], sizeof(got[i])) != sizeof(got[i]) ||
			    read(report[0], &err[i], sizeof(err[i])) != sizeof(err[i]))
				_exit(84);
		}
		/* Results for the test process, through the same pipe. */
		for (i = 0; i < USERNS_IDS; i++)
			if (write(ready[1], &got[i], sizeof(got[i])) != sizeof(got[i]) ||
			    write(ready[1], &err[i], sizeof(err[i])) != sizeof(err[i]))
				_exit(86);
		/* Hold until released, then let the holders go. */
		ws_read_byte(go[0], 3 * WS_LONG_MS);
		for (i = 0; i < USERNS_IDS; i++)
			ws_write_byte(release[1]);
		while (wait(NULL) > 0)
			;
		_exit(0);
	}
	ASSERT_TRUE(ws_read_byte(ready[0], 3 * WS_LONG_MS));
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)c);
	snprintf(map, sizeof(map), "0 %d %d\n", USERNS_BASE, USERNS_IDS);
	rc = write_file(path, map);
	if (rc == 0) {
		snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)c);
		rc = write_file(path, map);
	}
	if (rc) {
		kill(c, SIGKILL);
		ws_reap(c, WS_LONG_MS);
		SKIP(return, "no user namespace with a mapped range (%d)", rc);
	}
	/* From here on, restore the parameter before asserting anything. */
	ASSERT_EQ(0, write_param(LIMIT));
	ws_write_byte(go[1]);
	for (i = 0; i < USERNS_IDS; i++) {
		if (read(ready[0], &got[i], sizeof(got[i])) != sizeof(got[i]) ||
		    read(ready[0], &err[i], sizeof(err[i])) != sizeof(err[i])) {
			got[i] = -1;
			err[i] = -1;
		}
		total += got[i];
	}
	/* uid 1000 outside, while the holders hold: at its limit too. */
	u = fork();
	if (u == 0) {
		int fd;

		if (setgroups(0, NULL) || setresgid(USER_GID, USER_GID, USER_GID) ||
		    setresuid(USER_UID, USER_UID, USER_UID))
			_exit(1);
		fd = ws_event(dev, false, false);
		_exit(fd == -ENOSPC ? 0 : 2);
	}
	if (u > 0)
		outside = ws_reap(u, 3 * WS_LONG_MS);
	ws_write_byte(go[1]);
	rc = ws_reap(c, 3 * WS_LONG_MS);
	write_param(saved);

	EXPECT_EQ(0, rc);
	EXPECT_EQ(LIMIT, total);
	for (i = 0; i < USERNS_IDS; i++) {
		TH_LOG("id %d (kuid %d): %d objects, then %s", i, USERNS_BASE + i,
		       got[i], err[i] > 0 ? strerror(err[i]) : "-");
		EXPECT_EQ(i == 0 ? LIMIT : 0, got[i]);
		EXPECT_EQ(ENOSPC, err[i]);
	}
	EXPECT_EQ(0, outside);
	close(go[0]);
	close(go[1]);
	close(report[0]);
	close(report[1]);
	close(release[0]);
	close(release[1]);
	close(ready[0]);
	close(ready[1]);
	close(dev);
}

TEST(race_create_open_close)
{
	char names[RACE_NAMES][96], tag[16];
	struct race_worker proto;
	struct race_group group;
	struct race_shared *sh;
	pid_t pid[RACE_PROCS];
	long long before;
	int dev, i, bad = 0;

	WS_OPEN_DEV(dev);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	atomic_store(&sh->next_token, 1);
	for (i = 0; i < RACE_NAMES; i++) {
		snprintf(tag, sizeof(tag), "race%d", i);
		mkname(names[i], sizeof(names[i]), "", tag);
	}
	before = live_objects(dev);
	proto.sh = sh;
	proto.dev = dev;
	proto.names = (const char (*)[96])names;
	proto.rng = 0;

	for (i = 0; i < RACE_PROCS; i++) {
		pid[i] = fork();
		if (pid[i] < 0) {
			atomic_store(&sh->stop, 1);
			ASSERT_LE(0, pid[i]);
		}
		if (pid[i] == 0) {
			race_start(&group, &proto, 1000 + i);
			_exit(race_join(&group));
		}
	}
	race_start(&group, &proto, 7);
	ws_sleep_ms(RACE_MS);
	atomic_store(&sh->stop, 1);
	bad += race_join(&group);
	for (i = 0; i < RACE_PROCS; i++)
		if (ws_reap(pid[i], WS_LONG_MS))
			bad++;

	TH_LOG("created %ld, opened existing %ld, opened %ld, ENOENT %ld, held checks %ld",
	       atomic_load(&sh->created), atomic_load(&sh->existing),
	       atomic_load(&sh->opened), atomic_load(&sh->enoent),
	       atomic_load(&sh->checks));
	if (atomic_load(&sh->have_msg))
		TH_LOG("first problem: %s", sh->msg);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, atomic_load(&sh->violations));
	EXPECT_EQ(0, atomic_load(&sh->errors));
	/* Every path was taken. */
	EXPECT_LT(0, atomic_load(&sh->created));
	EXPECT_LT(0, atomic_load(&sh->existing));
	EXPECT_LT(0, atomic_load(&sh->opened));
	EXPECT_LT(0, atomic_load(&sh->enoent));
	EXPECT_LT(0, atomic_load(&sh->checks));
	/* Everything is gone: no names, no objects. */
	for (i = 0; i < RACE_NAMES; i++)
		EXPECT_EQ(-ENOENT, no(dev, WINSYNC_TYPE_SEM, WINSYNC_ACCESS_ALL,
				      names[i]));
	EXPECT_EQ(before, live_objects(dev));
	munmap(sh, sizeof(*sh));
	close(dev);
}

/*
 * A namespace's names are built by its first name, idle for a second after
 * its last one goes, are revived by a create meanwhile and freed after.
 * Threads of fresh IPC namespaces create, open, list and close the same few
 * names, pausing now and then for about that second, so that revival races
 * the reaper; every result must stay consistent.
 */
#define CHURN_THREADS	3
#define CHURN_NS	2

struct churn {
	int dev;
	int id;
	unsigned int seed;
	int ops;
	int err;
};

static void *churn_fn(void *arg)
{
	struct churn *c = arg;
	__u64 end = ws_now(CLOCK_MONOTONIC) + 4000 * WS_NS_PER_MS;
	char name[48];

	while (ws_now(CLOCK_MONOTONIC) < end && !c->err) {
		struct winsync_list_args la;
		int a, b, r = rand_r(&c->seed);
		__u32 st;

		snprintf(name, sizeof(name), "Global\\ws-churn-%d", r % 2);
		a = nc(c->dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0600, name, &st);
		if (a < 0 || (st != WINSYNC_CREATED && st != WINSYNC_OPENED_EXISTING)) {
			fprintf(stderr, "# churn %d: create %d status %u\n", c->id, a, st);
			c->err = 1;
			break;
		}
		b = no(c->dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_SYNCHRONIZE, name);
		memset(&la, 0, sizeof(la));
		if (b < 0 || ws_ioctl(c->dev, WINSYNC_IOC_LIST, &la) || la.total > 2) {
			fprintf(stderr, "# churn %d: open %d, list total %u\n", c->id, b, la.total);
			c->err = 2;
		}
		close(b);
		close(a);
		b = ws_open_name(c->dev, WINSYNC_TYPE_SEM, WINSYNC_ACCESS_SYNCHRONIZE, name);
		if (b != -ENOENT && b != -EMEDIUMTYPE) {
			fprintf(stderr, "# churn %d: open as a semaphore: %d\n", c->id, b);
			c->err = 3;
		}
		c->ops++;
		/* Now and then let the namespace idle for about a second. */
		if (r % 16 == 0)
			ws_sleep_ms(900 + (r >> 8) % 250);
	}
	return NULL;
}

TEST(namespace_names_idle_and_revive)
{
	int dev, i, ok = 0;
	pid_t pid[CHURN_NS];

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	for (i = 0; i < CHURN_NS; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			struct churn c[CHURN_THREADS];
			pthread_t t[CHURN_THREADS];
			int j, ops = 0, fd;
			__u32 st;

			if (unshare(CLONE_NEWIPC))
				_exit(10);
			for (j = 0; j < CHURN_THREADS; j++) {
				c[j] = (struct churn){ .dev = dev, .id = j,
						       .seed = (unsigned int)(getpid() * 31 + j) };
				if (pthread_create(&t[j], NULL, churn_fn, &c[j]))
					_exit(11);
			}
			for (j = 0; j < CHURN_THREADS; j++) {
				pthread_join(t[j], NULL);
				if (c[j].err)
					_exit(20 + c[j].err);
				ops += c[j].ops;
			}
			/* Idle past the reaper: a create builds the names anew. */
			ws_sleep_ms(1500);
			fd = nc(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0600,
				"Global\\ws-churn-0", &st);
			if (fd < 0 || st != WINSYNC_CREATED) {
				fprintf(stderr, "# namespace %d: create after idling: %d status %u\n",
					i, fd, st);
				_exit(30);
			}
			close(fd);
			fprintf(stderr, "# namespace %d: %d create/open/list/close rounds\n", i, ops);
			_exit(0);
		}
	}
	for (i = 0; i < CHURN_NS; i++) {
		int rc = ws_reap(pid[i], 3 * WS_LONG_MS);

		if (rc)
			TH_LOG("namespace %d: exit %d", i, rc);
		ok += rc == 0;
	}
	EXPECT_EQ(CHURN_NS, ok);
	close(dev);
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main
WS_MAIN
