// SPDX-License-Identifier: GPL-2.0
/*
 * winsync selftest: WINSYNC_IOC_LIST.  The fields of each type's entry, the
 * size protocol (capacity 0, total, a short array), the argument checks, and
 * what a caller may see: its IPC namespace only, Global\ names and its own
 * session's Local\ names, read permission (the owner, group and other bits
 * of the mode) unless it has CAP_IPC_OWNER.
 *
 * Visibility tests run a child as uid 1000 (the guest's "winsync" user) or
 * as root without CAP_IPC_OWNER, while the parent holds its objects; they
 * need root and are skipped otherwise.  Names carry the pid, so objects of
 * other programs never match.
 */
#include <grp.h>
#include <linux/capability.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "winsync_test.h"

#define USER_UID	1000
#define USER_GID	1000

#define NEED_ROOT() do {						\
	if (geteuid() != 0)						\
		SKIP(return, "needs root (runs children as uid %d)", USER_UID); \
} while (0)

/* ---- helpers ---- */

/* PREFIX "ws-list-PID-" TAG. */
static const char *mkname(char *buf, size_t len, const char *prefix,
			  const char *tag)
{
	snprintf(buf, len, "%sws-list-%d-%s", prefix, (int)getpid(), tag);
	return buf;
}

/* Create a named object of @len name bytes: the fd or -errno. */
static int mk_len(int dev, __u32 type, __u32 flags, __u32 mode,
		  const void *name, __u32 len)
{
	struct winsync_create_args a;
	int err;

	ws_create_init(&a, type, flags,
		       type == WINSYNC_TYPE_MUTEX ?
		       WINSYNC_ACCESS_ALL & ~WINSYNC_ACCESS_MODIFY_STATE :
		       WINSYNC_ACCESS_ALL);
	a.mode = mode;
	a.name = (uintptr_t)name;
	a.name_len = len;
	if (type == WINSYNC_TYPE_SEM) {
		a.sem_count = 2;
		a.sem_max = 5;
	}
	err = ws_create(dev, &a);
	return err ? -err : a.fd;
}

static int mk(int dev, __u32 type, __u32 flags, __u32 mode, const char *name)
{
	return mk_len(dev, type, flags, mode, name, strlen(name));
}

/* LIST into @e (capacity @cap): 0 or errno; count and total out. */
static int list(int dev, struct winsync_list_entry *e, __u32 cap,
		__u32 *count, __u32 *total)
{
	struct winsync_list_args a;
	int err;

	memset(&a, 0, sizeof(a));
	a.entries = (uintptr_t)e;
	a.capacity = cap;
	/* Output fields are ignored on input: poison them. */
	a.count = 0xdeadbeef;
	a.total = 0xdeadbeef;
	err = ws_ioctl(dev, WINSYNC_IOC_LIST, &a);
	if (count)
		*count = a.count;
	if (total)
		*total = a.total;
	return err;
}

/* Every visible entry, in a malloc'd array (poisoned first); NULL on error. */
static struct winsync_list_entry *list_all(int dev, __u32 *n)
{
	struct winsync_list_entry *e = NULL;
	__u32 total, count;

	for (int tries = 0; tries < 10; tries++) {
		if (list(dev, NULL, 0, NULL, &total))
			return NULL;
		free(e);
		e = malloc((total + 8) * sizeof(*e));
		if (!e)
			return NULL;
		memset(e, 0xa5, (total + 8) * sizeof(*e));
		if (list(dev, e, total + 8, &count, &total)) {
			free(e);
			return NULL;
		}
		if (count == total) {
			*n = count;
			return e;
		}
	}
	free(e);
	return NULL;
}

/*
 * The entry for the full name @full ("Global\x", "Local\x" or "x") in @e,
 * or NULL.
 */
static const struct winsync_list_entry *
find(const struct winsync_list_entry *e, __u32 n, const char *full)
{
	bool global = !strncmp(full, "Global\\", 7);
	const char *rest = full;
	size_t len;

	if (global)
		rest += 7;
	else if (!strncmp(full, "Local\\", 6))
		rest += 6;
	len = strlen(rest);
	for (__u32 i = 0; i < n; i++)
		if (!!(e[i].flags & WINSYNC_INFO_GLOBAL) == global &&
		    e[i].name_len == len && !memcmp(e[i].name, rest, len))
			return &e[i];
	return NULL;
}

/* Is @full listed for the caller of @dev?  1, 0, or -1 on error. */
static int visible(int dev, const char *full)
{
	struct winsync_list_entry *e;
	__u32 n;
	int r;

	e = list_all(dev, &n);
	if (!e)
		return -1;
	r = find(e, n, full) != NULL;
	free(e);
	return r;
}

static bool all_zero(const void *p, size_t len)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < len; i++)
		if (c[i])
			return false;
	return true;
}

static __u64 obj_id(int fd)
{
	return (__u64)WS_QUERY_FIELD(fd, id);
}

/* ---- feature, arguments ---- */

TEST(feature_bit)
{
	int dev;

	WS_OPEN_DEV(dev);
	EXPECT_TRUE(ws_features(dev) & WINSYNC_FEATURE_LIST);
	close(dev);
}

TEST(capacity_zero_reports_total)
{
	char name[64];
	__u32 count, total, total2;
	int dev, fd;

	WS_OPEN_DEV(dev);
	ASSERT_EQ(0, list(dev, NULL, 0, &count, &total));
	EXPECT_EQ(0, count);
	fd = mk(dev, WINSYNC_TYPE_EVENT, 0, 0600, mkname(name, sizeof(name), "Global\\", "cap0"));
	ASSERT_LE(0, fd);
	/* A bad pointer with capacity 0 is never written. */
	ASSERT_EQ(0, list(dev, (void *)8, 0, &count, &total2));
	EXPECT_EQ(0, count);
	EXPECT_EQ(total + 1, total2);
	close(fd);
	ASSERT_EQ(0, list(dev, NULL, 0, &count, &total2));
	EXPECT_EQ(total, total2);
	close(dev);
}

TEST(short_array)
{
	struct winsync_list_entry *e;
	struct winsync_list_entry poison;
	char name[64], tag[8];
	__u32 count, total, all;
	int dev, fds[5];

	WS_OPEN_DEV(dev);
	for (int i = 0; i < 5; i++) {
		snprintf(tag, sizeof(tag), "s%d", i);
		fds[i] = mk(dev, WINSYNC_TYPE_EVENT, 0, 0600,
			    mkname(name, sizeof(name), "Global\\", tag));
		ASSERT_LE(0, fds[i]);
	}
	ASSERT_EQ(0, list(dev, NULL, 0, NULL, &all));
	ASSERT_LE(5, all);

	e = malloc((all + 2) * sizeof(*e));
	ASSERT_NE(NULL, e);
	memset(e, 0xa5, (all + 2) * sizeof(*e));
	memset(&poison, 0xa5, sizeof(poison));

	/* Two entries fit: two are written, total says how many there are. */
	ASSERT_EQ(0, list(dev, e, 2, &count, &total));
	EXPECT_EQ(2, count);
	EXPECT_EQ(all, total);
	EXPECT_EQ(0, memcmp(&e[2], &poison, sizeof(poison)));

	/* Room to spare: all of them, the rest untouched. */
	ASSERT_EQ(0, list(dev, e, all + 2, &count, &total));
	EXPECT_EQ(all, count);
	EXPECT_EQ(all, total);
	EXPECT_EQ(0, memcmp(&e[all], &poison, sizeof(poison)));
	for (int i = 0; i < 5; i++) {
		snprintf(tag, sizeof(tag), "s%d", i);
		EXPECT_NE(NULL, find(e, count, mkname(name, sizeof(name), "Global\\", tag)));
	}
	free(e);
	for (int i = 0; i < 5; i++)
		close(fds[i]);
	close(dev);
}

TEST(einval_flags_reserved)
{
	struct winsync_list_args a;
	int dev;

	WS_OPEN_DEV(dev);
	memset(&a, 0, sizeof(a));
	a.flags = 1;
	EXPECT_EQ(EINVAL, ws_ioctl(dev, WINSYNC_IOC_LIST, &a));
	memset(&a, 0, sizeof(a));
	a.flags = 0x80000000;
	EXPECT_EQ(EINVAL, ws_ioctl(dev, WINSYNC_IOC_LIST, &a));
	memset(&a, 0, sizeof(a));
	a.reserved[0] = 1;
	EXPECT_EQ(EINVAL, ws_ioctl(dev, WINSYNC_IOC_LIST, &a));
	memset(&a, 0, sizeof(a));
	a.reserved[1] = 1ULL << 63;
	EXPECT_EQ(EINVAL, ws_ioctl(dev, WINSYNC_IOC_LIST, &a));
	memset(&a, 0, sizeof(a));
	EXPECT_EQ(0, ws_ioctl(dev, WINSYNC_IOC_LIST, &a));
	close(dev);
}

TEST(efault)
{
	char name[64];
	__u32 count = 0, total = 0;
	int dev, fd;

	WS_OPEN_DEV(dev);
	EXPECT_EQ(EFAULT, ws_ioctl(dev, WINSYNC_IOC_LIST, NULL));
	EXPECT_EQ(EFAULT, ws_ioctl(dev, WINSYNC_IOC_LIST, (void *)16));
	/* An entry to write, to a bad address. */
	fd = mk(dev, WINSYNC_TYPE_EVENT, 0, 0600, mkname(name, sizeof(name), "Global\\", "fault"));
	ASSERT_LE(0, fd);
	EXPECT_EQ(EFAULT, list(dev, (void *)16, 1, &count, &total));
	EXPECT_EQ(EFAULT, list(dev, (void *)-4096L, 4, &count, &total));
	close(fd);
	close(dev);
}

TEST(handle_is_not_the_device)
{
	struct winsync_list_args a;
	int dev, fd;

	WS_OPEN_DEV(dev);
	fd = ws_event(dev, false, false);
	ASSERT_LE(0, fd);
	memset(&a, 0, sizeof(a));
	EXPECT_EQ(ENOTTY, ws_ioctl(fd, WINSYNC_IOC_LIST, &a));
	close(fd);
	close(dev);
}

/* ---- entries ---- */

/* The checks every entry of ours passes. */
static void check_common(struct __test_metadata *_metadata,
			 const struct winsync_list_entry *e, int fd, __u32 type,
			 bool global, __u32 mode)
{
	ASSERT_NE(NULL, e);
	EXPECT_EQ(obj_id(fd), e->id);
	EXPECT_EQ(type, e->type);
	EXPECT_EQ(WINSYNC_INFO_NAMED, e->flags & WINSYNC_INFO_NAMED);
	EXPECT_EQ(global, !!(e->flags & WINSYNC_INFO_GLOBAL));
	EXPECT_EQ(geteuid(), e->uid);
	EXPECT_EQ(getegid(), e->gid);
	EXPECT_EQ(mode, e->mode);
	EXPECT_EQ(1, e->refs);
	EXPECT_EQ(0, e->waiters);
	EXPECT_TRUE(all_zero(e->reserved, sizeof(e->reserved)));
	/* The kernel clears the whole entry: nothing after the name. */
	EXPECT_TRUE(all_zero(e->name + e->name_len, sizeof(e->name) - e->name_len));
}

TEST(entry_fields)
{
	struct winsync_list_entry *e;
	char gsem[64], gmutex[64], gev[64], ltimer[64], bare[64];
	struct winsync_timer_args ta;
	int dev, sem, mutex, ev, timer, plain;
	const struct winsync_list_entry *x;
	__u32 n;

	WS_OPEN_DEV(dev);
	sem = mk(dev, WINSYNC_TYPE_SEM, 0, 0640, mkname(gsem, sizeof(gsem), "Global\\", "sem"));
	mutex = mk(dev, WINSYNC_TYPE_MUTEX, WINSYNC_CREATE_OWNED, 0600,
		   mkname(gmutex, sizeof(gmutex), "Global\\", "mutex"));
	ev = mk(dev, WINSYNC_TYPE_EVENT, WINSYNC_CREATE_MANUAL_RESET | WINSYNC_CREATE_SIGNALED,
		0604, mkname(gev, sizeof(gev), "Global\\", "event"));
	timer = mk(dev, WINSYNC_TYPE_TIMER, 0, 0666, mkname(ltimer, sizeof(ltimer), "Local\\", "timer"));
	plain = mk(dev, WINSYNC_TYPE_EVENT, 0, 0600, mkname(bare, sizeof(bare), "", "bare"));
	ASSERT_LE(0, sem);
	ASSERT_LE(0, mutex);
	ASSERT_LE(0, ev);
	ASSERT_LE(0, timer);
	ASSERT_LE(0, plain);

	/* Mutex recursion 2; a periodic timer that expired and was waited. */
	ASSERT_EQ(0, ws_wait1(dev, mutex, ws_deadline_ms(WS_LONG_MS), NULL));
	memset(&ta, 0, sizeof(ta));
	ta.due = 1000000;
	ta.period_ns = 1000000000;
	ASSERT_EQ(0, ws_ioctl(timer, WINSYNC_IOC_TIMER_SET, &ta));
	ASSERT_EQ(0, ws_wait1(dev, timer, ws_deadline_ms(WS_LONG_MS), NULL));

	e = list_all(dev, &n);
	ASSERT_NE(NULL, e);

	x = find(e, n, gsem);
	check_common(_metadata, x, sem, WINSYNC_TYPE_SEM, true, 0640);
	EXPECT_EQ(1, x->signaled);
	EXPECT_EQ(2, x->count);
	EXPECT_EQ(5, x->max);
	EXPECT_EQ(strlen(gsem) - 7, x->name_len);

	x = find(e, n, gmutex);
	check_common(_metadata, x, mutex, WINSYNC_TYPE_MUTEX, true, 0600);
	EXPECT_EQ(0, x->signaled);
	EXPECT_EQ(2, x->count);
	EXPECT_EQ(ws_gettid(), (pid_t)x->owner_tid);
	EXPECT_EQ(0, x->flags & WINSYNC_INFO_ABANDONED);

	x = find(e, n, gev);
	check_common(_metadata, x, ev, WINSYNC_TYPE_EVENT, true, 0604);
	EXPECT_EQ(1, x->signaled);
	EXPECT_EQ(WINSYNC_INFO_MANUAL_RESET, x->flags & WINSYNC_INFO_MANUAL_RESET);

	x = find(e, n, ltimer);
	check_common(_metadata, x, timer, WINSYNC_TYPE_TIMER, false, 0666);
	EXPECT_EQ(0, x->signaled);
	EXPECT_EQ(WINSYNC_INFO_ACTIVE, x->flags & WINSYNC_INFO_ACTIVE);
	EXPECT_EQ(0, x->flags & WINSYNC_INFO_MANUAL_RESET);
	EXPECT_LE(1, x->timer_expirations);

	/* No prefix is Local\: the same entry either way. */
	x = find(e, n, bare);
	check_common(_metadata, x, plain, WINSYNC_TYPE_EVENT, false, 0600);
	EXPECT_EQ(x, find(e, n, strcat(strcpy(gsem, "Local\\"), bare)));
	free(e);

	ASSERT_EQ(0, ws_mutex_release(mutex, NULL));
	ASSERT_EQ(0, ws_mutex_release(mutex, NULL));
	close(sem);
	close(mutex);
	close(ev);
	close(timer);
	close(plain);
	close(dev);
}

TEST(name_bytes_exact)
{
	/* Any byte but NUL and backslash: control bytes, quotes, not UTF-8. */
	static const char tail[] = "q\"t\tn\nx\x01\x7f\xff\xc3\xa9 end";
	char name[128];
	struct winsync_list_entry *e;
	const struct winsync_list_entry *x = NULL;
	size_t len;
	__u32 n;
	int dev, fd;

	WS_OPEN_DEV(dev);
	len = snprintf(name, sizeof(name), "Global\\ws-list-%d-", (int)getpid());
	memcpy(name + len, tail, sizeof(tail) - 1);
	len += sizeof(tail) - 1;
	fd = mk_len(dev, WINSYNC_TYPE_EVENT, 0, 0600, name, len);
	ASSERT_LE(0, fd);
	e = list_all(dev, &n);
	ASSERT_NE(NULL, e);
	for (__u32 i = 0; i < n; i++)
		if (e[i].id == obj_id(fd))
			x = &e[i];
	ASSERT_NE(NULL, x);
	EXPECT_EQ(len - 7, x->name_len);
	EXPECT_EQ(0, memcmp(x->name, name + 7, len - 7));
	free(e);
	close(fd);
	close(dev);
}

TEST(refs_waiters_and_lifetime)
{
	char name[64];
	struct winsync_list_entry *e;
	const struct winsync_list_entry *x;
	struct ws_waiter w;
	int dev, fd, fd2, fd3;
	__u32 n;

	WS_OPEN_DEV(dev);
	fd = mk(dev, WINSYNC_TYPE_EVENT, 0, 0600, mkname(name, sizeof(name), "Global\\", "refs"));
	ASSERT_LE(0, fd);
	fd2 = ws_reopen(fd, WINSYNC_ACCESS_SYNCHRONIZE, 0);
	ASSERT_LE(0, fd2);
	/* A dup shares the open file: no new handle. */
	fd3 = dup(fd);
	ASSERT_LE(0, fd3);

	ws_waiter_init(&w, dev, &fd2, 1, 0, ws_deadline_ms(WS_LONG_MS));
	ASSERT_EQ(0, ws_waiter_start(&w));
	ASSERT_TRUE(ws_await_waiters(fd, 1));

	e = list_all(dev, &n);
	ASSERT_NE(NULL, e);
	x = find(e, n, name);
	ASSERT_NE(NULL, x);
	/* Two handles; a wait in progress may add a transient reference. */
	EXPECT_LE(2, x->refs);
	EXPECT_GE(3, x->refs);
	EXPECT_EQ(1, x->waiters);
	free(e);

	ASSERT_EQ(0, ws_event_set(fd, NULL));
	ASSERT_TRUE(ws_waiter_finish(&w, WS_LONG_MS));
	EXPECT_EQ(0, w.ret);
	close(fd2);
	close(fd3);

	e = list_all(dev, &n);
	ASSERT_NE(NULL, e);
	x = find(e, n, name);
	ASSERT_NE(NULL, x);
	EXPECT_EQ(1, x->refs);
	EXPECT_EQ(0, x->waiters);
	free(e);

	/* The last handle goes: so does the entry. */
	close(fd);
	EXPECT_EQ(0, visible(dev, name));
	close(dev);
}

/* ---- visibility ---- */

/*
 * The names of the visibility test.  The parent (root) makes the first
 * ones, the user child the rest; each column says who sees the name.
 */
enum {
	V_ROOT_0600,	/* Global, root, 0600: root only */
	V_ROOT_0644,	/* Global, root, 0644: everyone */
	V_ROOT_0622,	/* Global, root, 0622: others may write, not read */
	V_ROOT_0640_G,	/* Global, root:1000, 0640: the group reads */
	V_ROOT_LOCAL,	/* Local, root, 0666: root's session only */
	V_USER_LOCAL,	/* Local, 1000, 0600: the user's session only */
	V_USER_0600,	/* Global, 1000, 0600: the user and CAP_IPC_OWNER */
	V_USER_0000,	/* Global, 1000, 0000: CAP_IPC_OWNER only */
	V_USER_0044,	/* Global, 1000, 0044: not its owner, others do */
	V_COUNT,
	V_FIRST_USER = V_USER_LOCAL,
};

static const struct vis {
	const char *prefix;
	__u32 mode;
	bool user_sees, root_sees, nocap_root_sees;
} vis[V_COUNT] = {
	[V_ROOT_0600]	= { "Global\\", 0600, false, true, true },
	[V_ROOT_0644]	= { "Global\\", 0644, true, true, true },
	[V_ROOT_0622]	= { "Global\\", 0622, false, true, true },
	[V_ROOT_0640_G]	= { "Global\\", 0640, true, true, true },
	[V_ROOT_LOCAL]	= { "Local\\", 0666, false, true, true },
	[V_USER_LOCAL]	= { "Local\\", 0600, true, false, false },
	[V_USER_0600]	= { "Global\\", 0600, true, true, false },
	[V_USER_0000]	= { "Global\\", 0000, false, true, false },
	[V_USER_0044]	= { "Global\\", 0044, false, true, true },
};

static void vis_name(char *buf, size_t len, int i, pid_t pid)
{
	snprintf(buf, len, "%sws-list-%d-vis%d", vis[i].prefix, (int)pid, i);
}

/* Shared with the children. */
struct vis_res {
	int created[V_COUNT];
	int user_sees[V_COUNT];
	int nocap_sees[V_COUNT];
	__u32 user_uid, user_gid;
	int user_total_ok;
};

static bool drop_cap_ipc_owner(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return false;
	data[CAP_IPC_OWNER / 32].effective &= ~(1U << (CAP_IPC_OWNER % 32));
	return !syscall(SYS_capset, &hdr, data);
}

TEST(visibility)
{
	struct vis_res *r;
	char name[64];
	int dev, fds[V_COUNT], go[2], done[2];
	pid_t parent = getpid(), child;
	struct winsync_list_entry *e;
	__u32 n;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	memset(r, 0xff, sizeof(*r));

	for (int i = 0; i < V_FIRST_USER; i++) {
		vis_name(name, sizeof(name), i, parent);
		if (i == V_ROOT_0640_G)
			ASSERT_EQ(0, setegid(USER_GID));
		fds[i] = mk(dev, WINSYNC_TYPE_EVENT, 0, vis[i].mode, name);
		if (i == V_ROOT_0640_G)
			ASSERT_EQ(0, setegid(0));
		ASSERT_LE(0, fds[i]) TH_LOG("create %s: %s", name, strerror(-fds[i]));
	}

	/* The user child makes its objects, lists, and keeps them until told. */
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		int udev, ufds[V_COUNT];

		close(go[0]);
		close(done[1]);
		if (setgroups(0, NULL) || setresgid(USER_GID, USER_GID, USER_GID) ||
		    setresuid(USER_UID, USER_UID, USER_UID))
			_exit(100);
		udev = ws_open_dev();
		if (udev < 0)
			_exit(101);
		for (int i = V_FIRST_USER; i < V_COUNT; i++) {
			vis_name(name, sizeof(name), i, parent);
			ufds[i] = mk(udev, WINSYNC_TYPE_EVENT, 0, vis[i].mode, name);
			r->created[i] = ufds[i] < 0 ? -ufds[i] : 0;
		}
		e = list_all(udev, &n);
		if (!e)
			_exit(102);
		/* Whatever else there is, everything counted was written. */
		r->user_total_ok = 1;
		for (int i = 0; i < V_COUNT; i++) {
			const struct winsync_list_entry *x;

			vis_name(name, sizeof(name), i, parent);
			x = find(e, n, name);
			r->user_sees[i] = x != NULL;
			if (x && i == V_USER_LOCAL) {
				r->user_uid = x->uid;
				r->user_gid = x->gid;
			}
		}
		free(e);
		ws_write_byte(go[1]);
		ws_read_byte(done[0], 2 * WS_LONG_MS);
		_exit(0);
	}
	close(go[1]);
	close(done[0]);
	ASSERT_TRUE(ws_read_byte(go[0], 2 * WS_LONG_MS));

	for (int i = V_FIRST_USER; i < V_COUNT; i++) {
		EXPECT_EQ(0, r->created[i]) TH_LOG("user could not create name %d", i);
	}
	for (int i = 0; i < V_COUNT; i++) {
		EXPECT_EQ(vis[i].user_sees, r->user_sees[i])
			TH_LOG("uid %d, name %d (mode %04o)", USER_UID, i, vis[i].mode);
	}
	EXPECT_EQ(USER_UID, r->user_uid);
	EXPECT_EQ(USER_GID, r->user_gid);

	/* Root, with CAP_IPC_OWNER. */
	e = list_all(dev, &n);
	ASSERT_NE(NULL, e);
	for (int i = 0; i < V_COUNT; i++) {
		vis_name(name, sizeof(name), i, parent);
		EXPECT_EQ(vis[i].root_sees, find(e, n, name) != NULL)
			TH_LOG("root, name %d (mode %04o)", i, vis[i].mode);
	}
	free(e);

	/* Root without CAP_IPC_OWNER: the mode bits, as for anyone. */
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		if (!drop_cap_ipc_owner())
			_exit(100);
		e = list_all(dev, &n);
		if (!e)
			_exit(101);
		for (int i = 0; i < V_COUNT; i++) {
			vis_name(name, sizeof(name), i, parent);
			r->nocap_sees[i] = find(e, n, name) != NULL;
		}
		_exit(0);
	}
	ASSERT_EQ(0, ws_reap(child, 2 * WS_LONG_MS));
	for (int i = 0; i < V_COUNT; i++) {
		EXPECT_EQ(vis[i].nocap_root_sees, r->nocap_sees[i])
			TH_LOG("root without CAP_IPC_OWNER, name %d (mode %04o)",
			       i, vis[i].mode);
	}

	ws_write_byte(done[1]);
	close(done[1]);
	close(go[0]);
	for (int i = 0; i < V_FIRST_USER; i++)
		close(fds[i]);
	munmap(r, sizeof(*r));
	close(dev);
}

TEST(user_total_counts_only_visible)
{
	char name[64], hidden[64];
	int dev, fd, fd2;
	pid_t child;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	fd = mk(dev, WINSYNC_TYPE_EVENT, 0, 0600, mkname(hidden, sizeof(hidden), "Global\\", "hidden"));
	ASSERT_LE(0, fd);
	fd2 = mk(dev, WINSYNC_TYPE_EVENT, 0, 0644, mkname(name, sizeof(name), "Global\\", "shown"));
	ASSERT_LE(0, fd2);
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		struct winsync_list_entry *e;
		__u32 n, count, total;
		int udev;

		if (setgroups(0, NULL) || setresgid(USER_GID, USER_GID, USER_GID) ||
		    setresuid(USER_UID, USER_UID, USER_UID))
			_exit(100);
		udev = ws_open_dev();
		if (udev < 0)
			_exit(101);
		e = list_all(udev, &n);
		if (!e)
			_exit(102);
		if (list(udev, NULL, 0, &count, &total) || total != n)
			_exit(103);
		/* (The names carry the parent's pid.) */
		if (!find(e, n, name))
			_exit(104);
		if (find(e, n, hidden))
			_exit(105);
		/* Every entry it got is one it may open for waiting. */
		for (__u32 i = 0; i < n; i++)
			if (!(e[i].mode & 0004) && e[i].uid != USER_UID &&
			    e[i].gid != USER_GID)
				_exit(106);
		_exit(0);
	}
	EXPECT_EQ(0, ws_reap(child, 2 * WS_LONG_MS));
	close(fd);
	close(fd2);
	close(dev);
}

TEST(ipc_namespace)
{
	char name[64], inner[64];
	int dev, fd;
	pid_t child;
	int pfd[2];

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	fd = mk(dev, WINSYNC_TYPE_EVENT, 0, 0644, mkname(name, sizeof(name), "Global\\", "outer"));
	ASSERT_LE(0, fd);
	mkname(inner, sizeof(inner), "Global\\", "inner");
	ASSERT_EQ(0, pipe(pfd));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		__u32 count, total;
		int cfd;

		close(pfd[0]);
		if (unshare(CLONE_NEWIPC))
			_exit(100);
		/* A new namespace starts empty: nothing of the old one shows. */
		if (list(dev, NULL, 0, &count, &total) || total != 0)
			_exit(101);
		cfd = mk(dev, WINSYNC_TYPE_EVENT, 0, 0644, inner);
		if (cfd < 0)
			_exit(102);
		if (list(dev, NULL, 0, &count, &total) || total != 1)
			_exit(103);
		if (visible(dev, inner) != 1 || visible(dev, name) != 0)
			_exit(104);
		ws_write_byte(pfd[1]);
		/* Hold it while the parent looks. */
		ws_sleep_ms(500);
		_exit(0);
	}
	close(pfd[1]);
	ASSERT_TRUE(ws_read_byte(pfd[0], 2 * WS_LONG_MS));
	EXPECT_EQ(0, visible(dev, inner));
	EXPECT_EQ(1, visible(dev, name));
	EXPECT_EQ(0, ws_reap(child, 2 * WS_LONG_MS));
	close(pfd[0]);
	close(fd);
	close(dev);
}

/*
 * Issue 13: names are kept per IPC namespace.  Namespace A holds many names
 * and loops LIST; namespace B sees only its own names, exactly, and its
 * named create, open and last close go on.  The walk of A's names holds only
 * A's lock, so B is not slowed; how much B's operations slow down is logged
 * (a figure, not a verdict: the old global lock made it a timing matter).
 */
#define MANY_NAMES	4096

struct ns_storm {
	int dev;
	atomic_int stop;
	atomic_int lists;
	atomic_int churns;
};

/* LIST in a loop: the count only, or every entry (every 8th time). */
static void *ns_storm_fn(void *arg)
{
	struct ns_storm *st = arg;
	struct winsync_list_entry *e = malloc((MANY_NAMES + 8) * sizeof(*e));
	__u32 count, total;
	int n = 0;

	if (!e)
		return (void *)1;
	while (!atomic_load(&st->stop)) {
		bool full = ++n % 8 == 0;

		/*
		 * The churner's name may be there or not, and may count twice
		 * (closed behind the walk, created again ahead of it).
		 */
		if (list(st->dev, full ? e : NULL, full ? MANY_NAMES + 8 : 0, &count, &total) ||
		    total < MANY_NAMES || total > MANY_NAMES + 2 ||
		    (full && (count > total || count < MANY_NAMES))) {
			free(e);
			return (void *)2;
		}
		for (__u32 i = 0; full && i < count; i++) {
			if (e[i].name_len < 10 || memcmp(e[i].name, "ws-list-", 8)) {
				free(e);
				return (void *)3;
			}
		}
		atomic_fetch_add(&st->lists, 1);
	}
	free(e);
	return NULL;
}

/* Create and close one more name in a loop, while LIST walks. */
static void *ns_churn_fn(void *arg)
{
	struct ns_storm *st = arg;

	while (!atomic_load(&st->stop)) {
		int fd = mk(st->dev, WINSYNC_TYPE_EVENT, 0, 0644, "Global\\ws-list-tmp");

		if (fd < 0)
			return (void *)4;
		close(fd);
		atomic_fetch_add(&st->churns, 1);
	}
	return NULL;
}

/* Named create + open + close cycles in the caller's namespace for @ms. */
static long name_cycles(int dev, unsigned int ms)
{
	__u64 end = ws_now(CLOCK_MONOTONIC) + ms * WS_NS_PER_MS;
	char name[64];
	long n = 0;

	while (ws_now(CLOCK_MONOTONIC) < end) {
		int a, b;

		snprintf(name, sizeof(name), "Global\\ws-list-b-%ld", n);
		a = mk(dev, WINSYNC_TYPE_EVENT, 0, 0600, name);
		if (a < 0)
			return -1;
		b = ws_open_name(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_SYNCHRONIZE, name);
		close(a);
		if (b < 0)
			return -1;
		close(b);
		n++;
	}
	return n;
}

TEST(ipc_namespaces_have_their_own_names)
{
	int dev, up[2], down[2], res[2];
	pid_t a;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	ASSERT_EQ(0, pipe(res));
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		/* Namespace A: many names, LIST in a loop. */
		struct rlimit rl = { MANY_NAMES + 64, MANY_NAMES + 64 };
		struct ns_storm st = { .dev = dev };
		pthread_t t[3];
		void *r1 = NULL, *r2 = NULL, *r3 = NULL;
		char name[64];
		__u32 count, total;

		if (setrlimit(RLIMIT_NOFILE, &rl) || unshare(CLONE_NEWIPC))
			_exit(100);
		for (int i = 0; i < MANY_NAMES; i++) {
			snprintf(name, sizeof(name), "Global\\ws-list-a-%d", i);
			if (mk(dev, WINSYNC_TYPE_SEM, 0, 0644, name) < 0)
				_exit(101);
		}
		if (list(dev, NULL, 0, &count, &total) || total != MANY_NAMES)
			_exit(102);
		if (pthread_create(&t[0], NULL, ns_storm_fn, &st) ||
		    pthread_create(&t[1], NULL, ns_storm_fn, &st) ||
		    pthread_create(&t[2], NULL, ns_churn_fn, &st))
			_exit(103);
		ws_write_byte(up[1]);
		ws_read_byte(down[0], 6 * WS_LONG_MS);
		atomic_store(&st.stop, 1);
		pthread_join(t[0], &r1);
		pthread_join(t[1], &r2);
		pthread_join(t[2], &r3);
		if (r1 || r2 || r3) {
			fprintf(stderr, "# namespace A: LIST %ld %ld, churn %ld\n",
				(long)r1, (long)r2, (long)r3);
			_exit(104);
		}
		fprintf(stderr, "# namespace A: %d LISTs of %d names, %d creates+closes beside\n",
			atomic_load(&st.lists), MANY_NAMES, atomic_load(&st.churns));
		_exit(0);
	}
	ASSERT_TRUE(ws_read_byte(up[0], 6 * WS_LONG_MS));
	{
		pid_t b = fork();

		ASSERT_LE(0, b);
		if (b == 0) {
			/* Namespace B: exactly its own names. */
			struct winsync_list_entry e[8];
			__u32 count, total;
			long n;
			int f1, f2;

			if (unshare(CLONE_NEWIPC))
				_exit(110);
			if (list(dev, NULL, 0, &count, &total) || total != 0)
				_exit(111);
			f1 = mk(dev, WINSYNC_TYPE_EVENT, 0, 0644, "Global\\ws-list-b1");
			f2 = mk(dev, WINSYNC_TYPE_MUTEX, 0, 0600, "ws-list-b2");
			if (f1 < 0 || f2 < 0)
				_exit(112);
			if (list(dev, e, 8, &count, &total) || count != 2 || total != 2)
				_exit(113);
			if (!find(e, count, "Global\\ws-list-b1") || !find(e, count, "ws-list-b2"))
				_exit(114);
			/* A's names do not exist here. */
			if (ws_open_name(dev, WINSYNC_TYPE_SEM, WINSYNC_ACCESS_SYNCHRONIZE,
					 "Global\\ws-list-a-0") != -ENOENT)
				_exit(115);
			close(f1);
			close(f2);
			n = name_cycles(dev, 2000);
			if (n <= 0)
				_exit(116);
			if (write(res[1], &n, sizeof(n)) != sizeof(n))
				_exit(117);
			_exit(0);
		}
		EXPECT_EQ(0, ws_reap(b, 6 * WS_LONG_MS));
	}
	ws_write_byte(down[1]);
	EXPECT_EQ(0, ws_reap(a, 6 * WS_LONG_MS));
	{
		/* The same cycles in a quiet namespace, for comparison. */
		long busy = 0, quiet = -1;
		pid_t c;

		EXPECT_EQ((ssize_t)sizeof(busy), read(res[0], &busy, sizeof(busy)));
		c = fork();
		ASSERT_LE(0, c);
		if (c == 0) {
			long n;

			if (unshare(CLONE_NEWIPC))
				_exit(120);
			n = name_cycles(dev, 2000);
			_exit(write(res[1], &n, sizeof(n)) == sizeof(n) ? 0 : 121);
		}
		EXPECT_EQ(0, ws_reap(c, 6 * WS_LONG_MS));
		EXPECT_EQ((ssize_t)sizeof(quiet), read(res[0], &quiet, sizeof(quiet)));
		TH_LOG("named create+open+close in 2 s: %ld while another namespace LISTs %d names, %ld in quiet",
		       busy, MANY_NAMES, quiet);
	}
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	close(res[0]);
	close(res[1]);
	close(dev);
}

/*
 * A LIST stalled in a user fault (userfaultfd) in namespace A holds nothing
 * that namespace B's named create, open and close need.  The fault is
 * resolved only once B is done, so the order decides, not a time bound: a
 * B that waited for A's LIST would wait for the fallback (20 s) and fail.
 */
struct uffd_lister {
	int dev;
	void *page;
	int ret;
	__u32 count;
	atomic_int done;
};

static void *uffd_list_fn(void *arg)
{
	struct uffd_lister *l = arg;
	struct winsync_list_args a;

	memset(&a, 0, sizeof(a));
	a.entries = (uintptr_t)l->page;
	a.capacity = 1;
	l->ret = ws_ioctl(l->dev, WINSYNC_IOC_LIST, &a);
	l->count = a.count;
	atomic_store(&l->done, 1);
	return NULL;
}

TEST(list_fault_in_one_namespace_blocks_no_other)
{
	int dev, blocked[2], bdone[2], ok = 0;
	pid_t a, b;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	ASSERT_EQ(0, pipe(blocked));
	ASSERT_EQ(0, pipe(bdone));
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		struct uffdio_api api = { .api = UFFD_API };
		struct uffdio_register reg;
		struct uffdio_zeropage zp;
		struct uffd_lister l = { .dev = dev };
		pthread_t t;
		int uffd, fd, still;

		if (unshare(CLONE_NEWIPC))
			_exit(100);
		uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
		if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
			_exit(99);	/* no userfaultfd: reported as a skip */
		fd = mk(dev, WINSYNC_TYPE_EVENT, 0, 0644, "Global\\ws-list-uffd-a");
		l.page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (fd < 0 || l.page == MAP_FAILED)
			_exit(101);
		reg.range.start = (uintptr_t)l.page;
		reg.range.len = 4096;
		reg.mode = UFFDIO_REGISTER_MODE_MISSING;
		if (ioctl(uffd, UFFDIO_REGISTER, &reg) ||
		    pthread_create(&t, NULL, uffd_list_fn, &l))
			_exit(102);
		ws_sleep_ms(500);	/* the lister sleeps in the fault now */
		if (atomic_load(&l.done))
			_exit(103);
		ws_write_byte(blocked[1]);
		/* Resolve only when B is done (or, failing that, after 20 s). */
		ws_read_byte(bdone[0], 20000);
		still = !atomic_load(&l.done);
		zp.range.start = (uintptr_t)l.page;
		zp.range.len = 4096;
		zp.mode = 0;
		ioctl(uffd, UFFDIO_ZEROPAGE, &zp);
		pthread_join(t, NULL);
		if (!still)
			_exit(104);
		if (l.ret || l.count != 1)
			_exit(105);
		_exit(0);
	}
	ASSERT_TRUE(ws_read_byte(blocked[0], 2 * WS_LONG_MS));
	b = fork();
	ASSERT_LE(0, b);
	if (b == 0) {
		int i;

		if (unshare(CLONE_NEWIPC))
			_exit(110);
		for (i = 0; i < 100; i++) {
			int x = mk(dev, WINSYNC_TYPE_SEM, 0, 0600, "Global\\ws-list-uffd-b"), y;

			y = ws_open_name(dev, WINSYNC_TYPE_SEM, WINSYNC_ACCESS_SYNCHRONIZE,
					 "Global\\ws-list-uffd-b");
			if (x < 0 || y < 0)
				_exit(111);
			close(y);
			close(x);
		}
		_exit(0);
	}
	EXPECT_EQ(0, ws_reap(b, 3 * WS_LONG_MS));
	ws_write_byte(bdone[1]);
	ok = ws_reap(a, 3 * WS_LONG_MS);
	if (ok == 99) {
		close(dev);
		SKIP(return, "no userfaultfd");
	}
	EXPECT_EQ(0, ok);
	close(blocked[0]);
	close(blocked[1]);
	close(bdone[0]);
	close(bdone[1]);
	close(dev);
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main
WS_MAIN
