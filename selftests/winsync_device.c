// SPDX-License-Identifier: GPL-2.0
/*
 * winsync selftest: the device, GET_INFO, CREATE argument checking, REOPEN,
 * handle access rights and ioctls that do not apply.
 */
#include <grp.h>
#include <sys/stat.h>

#include "winsync_test.h"

#define REQUIRED_FEATURES (WINSYNC_FEATURE_SEM | WINSYNC_FEATURE_MUTEX | \
			   WINSYNC_FEATURE_EVENT | WINSYNC_FEATURE_WAIT | \
			   WINSYNC_FEATURE_OWNER_DEATH | WINSYNC_FEATURE_POLL)

#define MUTEX_ACCESS_ALL (WINSYNC_ACCESS_ALL & ~WINSYNC_ACCESS_MODIFY_STATE)

static const __u32 all_types[] = {
	WINSYNC_TYPE_SEM, WINSYNC_TYPE_MUTEX, WINSYNC_TYPE_EVENT,
};

/* A valid argument block for an unnamed object of @type. */
static void valid_args(struct winsync_create_args *a, __u32 type)
{
	ws_create_init(a, type, 0, WINSYNC_ACCESS_ALL);
	if (type == WINSYNC_TYPE_SEM) {
		a->sem_count = 1;
		a->sem_max = 2;
	}
}

TEST(open_close)
{
	int a = ws_open_dev(), b = ws_open_dev();

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	EXPECT_NE(a, b);
	EXPECT_EQ(0, close(a));
	EXPECT_EQ(0, close(b));
}

TEST(get_info)
{
	struct winsync_info info;
	int dev, i;

	WS_OPEN_DEV(dev);
	/* Poison the block: pad and reserved must come back as zero. */
	memset(&info, 0xff, sizeof(info));
	ASSERT_EQ(0, ws_ioctl(dev, WINSYNC_IOC_GET_INFO, &info));
	EXPECT_EQ(WINSYNC_ABI_VERSION, info.abi_version);
	EXPECT_EQ(WS_VERSION_MAJOR, info.version_major);
	EXPECT_EQ(WS_VERSION_MINOR, info.version_minor);
	EXPECT_EQ(WS_VERSION_PATCH, info.version_patch);
	EXPECT_EQ(REQUIRED_FEATURES, info.features & REQUIRED_FEATURES);
	EXPECT_EQ(WINSYNC_MAX_WAIT_OBJECTS, info.max_wait_objects);
	EXPECT_EQ(64, info.max_wait_objects);
	EXPECT_EQ(WINSYNC_NAME_MAX, info.max_name_len);
	EXPECT_EQ(1024, info.max_name_len);
	EXPECT_EQ(0, info.pad);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, info.reserved[i]);
	close(dev);
}

TEST(get_info_live_objects)
{
	struct winsync_info before, after;
	int dev, fds[3], i;

	WS_OPEN_DEV(dev);
	ASSERT_EQ(0, ws_get_info(dev, &before));
	fds[0] = ws_sem(dev, 0, 1);
	fds[1] = ws_mutex(dev, false);
	fds[2] = ws_event(dev, false, false);
	for (i = 0; i < 3; i++)
		ASSERT_LE(0, fds[i]);
	ASSERT_EQ(0, ws_get_info(dev, &after));
	EXPECT_LE(before.live_objects + 3, after.live_objects);
	EXPECT_LE(3, after.live_objects);
	/* A second handle is not a second object. */
	i = ws_reopen(fds[0], WINSYNC_ACCESS_ALL, 0);
	ASSERT_LE(0, i);
	ASSERT_EQ(0, ws_get_info(dev, &before));
	EXPECT_EQ(after.live_objects, before.live_objects);
	close(i);
	for (i = 0; i < 3; i++)
		close(fds[i]);
	close(dev);
}

#define LIVE_OBJECTS_PARAM "/sys/module/winsync/parameters/live_objects"

static long long read_live_objects_param(void)
{
	char buf[32] = "";
	long long v = -1;
	int fd = open(LIVE_OBJECTS_PARAM, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		v = strtoll(buf, NULL, 10);
	close(fd);
	return v;
}

/*
 * The whole system's count, read-only and for root only, in sysfs: the
 * same count GET_INFO gives root (CAP_SYS_ADMIN).
 */
TEST(live_objects_parameter)
{
	struct winsync_info info;
	struct stat st;
	int dev, ev, fd;

	ASSERT_EQ(0, stat(LIVE_OBJECTS_PARAM, &st));
	EXPECT_EQ(0400, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	if (geteuid() != 0) {
		EXPECT_GT(0, open(LIVE_OBJECTS_PARAM, O_RDONLY));
		EXPECT_EQ(EACCES, errno);
		SKIP(return, "the rest needs root");
	}
	WS_OPEN_DEV(dev);
	ASSERT_EQ(0, ws_get_info(dev, &info));
	EXPECT_EQ((long long)info.live_objects, read_live_objects_param());
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	EXPECT_EQ((long long)info.live_objects + 1, read_live_objects_param());
	/* Not even root can set it. */
	fd = open(LIVE_OBJECTS_PARAM, O_WRONLY);
	if (fd >= 0) {
		EXPECT_GT(0, write(fd, "0\n", 2));
		close(fd);
	}
	EXPECT_EQ((long long)info.live_objects + 1, read_live_objects_param());
	close(ev);
	EXPECT_EQ((long long)info.live_objects, read_live_objects_param());
	close(dev);
}

/*
 * Issue 13: a user does not see others' activity.  GET_INFO.live_objects
 * is the count charged to the caller's user unless it has CAP_SYS_ADMIN in
 * the initial user namespace, and the sysfs count is root's only.
 */
TEST(live_objects_per_user)
{
	struct winsync_info info;
	int dev, fds[3], i, status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root (runs a child as uid 1000)");
	WS_OPEN_DEV(dev);
	for (i = 0; i < 3; i++) {
		fds[i] = ws_event(dev, false, false);
		ASSERT_LE(0, fds[i]);
	}
	ASSERT_EQ(0, ws_get_info(dev, &info));
	EXPECT_LE(3, info.live_objects);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct winsync_info ui;
		int a, b;

		for (i = 0; i < 3; i++)
			close(fds[i]);
		if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
		    setresuid(1000, 1000, 1000))
			_exit(10);
		/* Root's objects are not ours to count. */
		if (ws_get_info(dev, &ui) || ui.live_objects != 0)
			_exit(11);
		a = ws_event(dev, false, false);
		b = ws_sem(dev, 0, 1);
		if (a < 0 || b < 0 || ws_get_info(dev, &ui) || ui.live_objects != 2)
			_exit(12);
		close(a);
		if (ws_get_info(dev, &ui) || ui.live_objects != 1)
			_exit(13);
		if (open(LIVE_OBJECTS_PARAM, O_RDONLY) >= 0 || errno != EACCES)
			_exit(14);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	for (i = 0; i < 3; i++)
		close(fds[i]);
	close(dev);
}

TEST(get_info_fault)
{
	int dev;

	WS_OPEN_DEV(dev);
	EXPECT_EQ(EFAULT, ws_ioctl(dev, WINSYNC_IOC_GET_INFO, NULL));
	EXPECT_EQ(EFAULT, ws_ioctl(dev, WINSYNC_IOC_CREATE, NULL));
	EXPECT_EQ(EFAULT, ws_ioctl(dev, WINSYNC_IOC_WAIT, NULL));
	close(dev);
}

TEST(unknown_ioctl_device)
{
	struct winsync_info info;
	char buf[256];
	int dev;

	WS_OPEN_DEV(dev);
	EXPECT_EQ(ENOTTY, ws_ioctl(dev, _IO(WINSYNC_IOC_MAGIC, 0x7f), NULL));
	EXPECT_EQ(ENOTTY, ws_ioctl(dev, _IOR(WINSYNC_IOC_MAGIC, 0x04, __u32), buf));
	/* The right number with the wrong size is another command. */
	EXPECT_EQ(ENOTTY, ws_ioctl(dev, _IOR(WINSYNC_IOC_MAGIC, 0x00, __u32), buf));
	EXPECT_EQ(ENOTTY, ws_ioctl(dev, _IOR('x', 0x00, struct winsync_info), &info));
	EXPECT_EQ(ENOTTY, ws_ioctl(dev, TCGETS, buf));
	/* Object ioctls do not apply to the device. */
	EXPECT_EQ(ENOTTY, ws_ioctl(dev, WINSYNC_IOC_QUERY, buf));
	EXPECT_EQ(ENOTTY, ws_ioctl(dev, WINSYNC_IOC_EVENT_SET, buf));
	EXPECT_EQ(ENOTTY, ws_ioctl(dev, WINSYNC_IOC_SEM_RELEASE, buf));
	close(dev);
}

TEST(unknown_ioctl_object)
{
	struct winsync_create_args args;
	char buf[256];
	int dev, i;

	WS_OPEN_DEV(dev);
	for (i = 0; i < 3; i++) {
		int fd;

		valid_args(&args, all_types[i]);
		ASSERT_EQ(0, ws_create(dev, &args));
		fd = args.fd;
		EXPECT_EQ(ENOTTY, ws_ioctl(fd, _IO(WINSYNC_IOC_MAGIC, 0x7f), NULL));
		EXPECT_EQ(ENOTTY, ws_ioctl(fd, _IOR(WINSYNC_IOC_MAGIC, 0x27, __u32), buf));
		EXPECT_EQ(ENOTTY, ws_ioctl(fd, _IOR(WINSYNC_IOC_MAGIC, 0x10, __u32), buf));
		EXPECT_EQ(ENOTTY, ws_ioctl(fd, TCGETS, buf));
		/* Device ioctls do not apply to an object. */
		EXPECT_EQ(ENOTTY, ws_ioctl(fd, WINSYNC_IOC_GET_INFO, buf));
		valid_args(&args, WINSYNC_TYPE_EVENT);
		EXPECT_EQ(ENOTTY, ws_ioctl(fd, WINSYNC_IOC_CREATE, &args));
		EXPECT_EQ(ENOTTY, ws_ioctl(fd, WINSYNC_IOC_WAIT, buf));
		close(fd);
	}
	close(dev);
}

TEST(create_each_type)
{
	struct winsync_create_args args;
	struct winsync_obj_info info;
	int dev, i;

	WS_OPEN_DEV(dev);
	for (i = 0; i < 3; i++) {
		__u32 type = all_types[i];

		valid_args(&args, type);
		ASSERT_EQ(0, ws_ioctl(dev, WINSYNC_IOC_CREATE, &args));
		EXPECT_LE(0, args.fd);
		EXPECT_NE(dev, args.fd);
		EXPECT_EQ(WINSYNC_CREATED, args.status);
		EXPECT_TRUE(ws_is_cloexec(args.fd));
		ASSERT_EQ(0, ws_query(args.fd, &info));
		EXPECT_EQ(type, info.type);
		EXPECT_EQ(type == WINSYNC_TYPE_MUTEX ? MUTEX_ACCESS_ALL :
			  WINSYNC_ACCESS_ALL, info.access);
		EXPECT_EQ(0, info.flags & WINSYNC_INFO_NAMED);
		EXPECT_EQ(0, info.owner_tid);
		EXPECT_EQ(0, info.waiters);
		EXPECT_EQ(0, info.pad);
		close(args.fd);
	}
	close(dev);
}

TEST(create_sem_query)
{
	struct winsync_obj_info info;
	int dev, fd;

	WS_OPEN_DEV(dev);
	fd = ws_sem(dev, 1, 3);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ws_query(fd, &info));
	EXPECT_EQ(WINSYNC_TYPE_SEM, info.type);
	EXPECT_EQ(1, info.count);
	EXPECT_EQ(3, info.max);
	EXPECT_EQ(1, info.signaled);
	EXPECT_EQ(0, info.flags);
	close(fd);

	fd = ws_sem(dev, 0, 3);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ws_query(fd, &info));
	EXPECT_EQ(0, info.count);
	EXPECT_EQ(0, info.signaled);
	close(fd);
	close(dev);
}

TEST(create_event_query)
{
	struct winsync_obj_info info;
	int dev, fd, manual, signaled;

	WS_OPEN_DEV(dev);
	for (manual = 0; manual < 2; manual++) {
		for (signaled = 0; signaled < 2; signaled++) {
			fd = ws_event(dev, manual, signaled);
			ASSERT_LE(0, fd);
			ASSERT_EQ(0, ws_query(fd, &info));
			EXPECT_EQ(WINSYNC_TYPE_EVENT, info.type);
			EXPECT_EQ(signaled, info.signaled);
			EXPECT_EQ(manual ? WINSYNC_INFO_MANUAL_RESET : 0,
				  info.flags);
			close(fd);
		}
	}
	close(dev);
}

TEST(create_mutex_query)
{
	struct winsync_obj_info info;
	int dev, fd;

	WS_OPEN_DEV(dev);
	fd = ws_mutex(dev, false);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ws_query(fd, &info));
	EXPECT_EQ(WINSYNC_TYPE_MUTEX, info.type);
	EXPECT_EQ(MUTEX_ACCESS_ALL, info.access);
	EXPECT_EQ(1, info.signaled);
	EXPECT_EQ(0, info.count);
	EXPECT_EQ(0, info.owner_tid);
	EXPECT_EQ(0, info.flags);
	close(fd);

	fd = ws_mutex(dev, true);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ws_query(fd, &info));
	EXPECT_EQ(0, info.signaled);
	EXPECT_EQ(1, info.count);
	EXPECT_EQ(ws_gettid(), (pid_t)info.owner_tid);
	EXPECT_EQ(WINSYNC_INFO_OWNED_BY_CALLER, info.flags);
	close(fd);
	close(dev);
}

/* Output fields are ignored on input, and written on success. */
TEST(output_fields_ignored_on_input)
{
	struct winsync_create_args args;
	struct winsync_reopen_args rargs;
	struct winsync_wait_args wargs;
	int dev, sem;

	WS_OPEN_DEV(dev);
	valid_args(&args, WINSYNC_TYPE_SEM);
	args.fd = 0x7fffffff;
	args.status = 0x12345678;
	ASSERT_EQ(0, ws_create(dev, &args));
	EXPECT_EQ(WINSYNC_CREATED, args.status);
	EXPECT_NE(0x7fffffff, args.fd);
	sem = args.fd;
	EXPECT_EQ(WINSYNC_TYPE_SEM, WS_QUERY_FIELD(sem, type));

	memset(&rargs, 0, sizeof(rargs));
	rargs.access = WINSYNC_ACCESS_ALL;
	rargs.fd = 0x7fffffff;
	ASSERT_EQ(0, ws_ioctl(sem, WINSYNC_IOC_REOPEN, &rargs));
	EXPECT_NE(0x7fffffff, rargs.fd);
	EXPECT_EQ(WINSYNC_TYPE_SEM, WS_QUERY_FIELD(rargs.fd, type));
	close(rargs.fd);

	memset(&wargs, 0, sizeof(wargs));
	wargs.objs = (uintptr_t)&sem;
	wargs.count = 1;
	wargs.index = 77;
	wargs.status = 77;
	ASSERT_EQ(0, ws_ioctl(dev, WINSYNC_IOC_WAIT, &wargs));
	EXPECT_EQ(0, wargs.index);
	EXPECT_EQ(WINSYNC_WAIT_STATUS_OBJECT, wargs.status);
	close(sem);
	close(dev);
}

TEST(create_inherit)
{
	struct winsync_create_args args;
	int dev, i;

	WS_OPEN_DEV(dev);
	for (i = 0; i < 3; i++) {
		valid_args(&args, all_types[i]);
		args.flags = WINSYNC_CREATE_INHERIT;
		ASSERT_EQ(0, ws_create(dev, &args));
		EXPECT_FALSE(ws_is_cloexec(args.fd));
		close(args.fd);
	}
	close(dev);
}

TEST(create_access_mask)
{
	static const __u32 masks[] = {
		WINSYNC_ACCESS_SYNCHRONIZE | WINSYNC_ACCESS_QUERY_STATE,
		WINSYNC_ACCESS_QUERY_STATE,
		WINSYNC_ACCESS_QUERY_STATE | WINSYNC_ACCESS_MODIFY_STATE,
		WINSYNC_ACCESS_QUERY_STATE | WINSYNC_ACCESS_READ_CONTROL |
			WINSYNC_ACCESS_DELETE,
		WINSYNC_ACCESS_ALL,
	};
	struct winsync_create_args args;
	struct winsync_obj_info info;
	unsigned int i, t;
	int dev;

	WS_OPEN_DEV(dev);
	for (t = 0; t < 3; t++) {
		for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
			__u32 expect = masks[i];

			if (all_types[t] == WINSYNC_TYPE_MUTEX)
				expect &= ~WINSYNC_ACCESS_MODIFY_STATE;
			valid_args(&args, all_types[t]);
			args.access = masks[i];
			ASSERT_EQ(0, ws_create(dev, &args));
			ASSERT_EQ(0, ws_query(args.fd, &info));
			EXPECT_EQ(expect, info.access)
				TH_LOG("type %u mask 0x%x", all_types[t], masks[i]);
			close(args.fd);
		}
	}
	close(dev);
}

static int create_err(int dev, const struct winsync_create_args *in)
{
	struct winsync_create_args a = *in;
	int err = ws_create(dev, &a);

	if (!err)
		close(a.fd);
	return err;
}

TEST(create_bad_type)
{
	struct winsync_create_args args;
	static const __u32 bad[] = { 0, 5, 6, 0x100, 0x80000000, 0xffffffff };
	unsigned int i;
	int dev;

	WS_OPEN_DEV(dev);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		valid_args(&args, WINSYNC_TYPE_EVENT);
		args.type = bad[i];
		EXPECT_EQ(EINVAL, create_err(dev, &args)) TH_LOG("type %u", bad[i]);
	}
	close(dev);
}

TEST(create_bad_flags)
{
	static const struct { __u32 type, flags; } bad[] = {
		{ WINSYNC_TYPE_SEM, WINSYNC_CREATE_MANUAL_RESET },
		{ WINSYNC_TYPE_SEM, WINSYNC_CREATE_SIGNALED },
		{ WINSYNC_TYPE_SEM, WINSYNC_CREATE_OWNED },
		{ WINSYNC_TYPE_MUTEX, WINSYNC_CREATE_MANUAL_RESET },
		{ WINSYNC_TYPE_MUTEX, WINSYNC_CREATE_SIGNALED },
		{ WINSYNC_TYPE_EVENT, WINSYNC_CREATE_OWNED },
		{ WINSYNC_TYPE_EVENT, WINSYNC_CREATE_OWNED | WINSYNC_CREATE_SIGNALED },
		{ WINSYNC_TYPE_SEM, 0x10 },
		{ WINSYNC_TYPE_MUTEX, 0x100 },
		{ WINSYNC_TYPE_EVENT, 0x100 },
		{ WINSYNC_TYPE_EVENT, 0x80000000 },
		{ WINSYNC_TYPE_MUTEX, WINSYNC_CREATE_OWNED | 0x100 },
	};
	struct winsync_create_args args;
	unsigned int i;
	int dev;

	WS_OPEN_DEV(dev);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		valid_args(&args, bad[i].type);
		args.flags = bad[i].flags;
		EXPECT_EQ(EINVAL, create_err(dev, &args))
			TH_LOG("type %u flags 0x%x", bad[i].type, bad[i].flags);
	}
	close(dev);
}

TEST(create_bad_pad_reserved)
{
	struct winsync_create_args args;
	int dev, t, i;

	WS_OPEN_DEV(dev);
	for (t = 0; t < 3; t++) {
		valid_args(&args, all_types[t]);
		args.pad = 1;
		EXPECT_EQ(EINVAL, create_err(dev, &args));
		for (i = 0; i < 4; i++) {
			valid_args(&args, all_types[t]);
			args.reserved[i] = 1ULL << 63;
			EXPECT_EQ(EINVAL, create_err(dev, &args)) TH_LOG("reserved[%d]", i);
		}
	}
	close(dev);
}

TEST(create_sem_counts)
{
	static const struct { __u32 count, max; } good[] = {
		{ 0, 1 }, { 1, 1 }, { 1, 2 }, { 0, 10 },
		{ INT32_MAX - 1, INT32_MAX }, { INT32_MAX, INT32_MAX },
		{ UINT32_MAX, UINT32_MAX }, { 0, UINT32_MAX },
	}, bad[] = {
		{ 0, 0 }, { 1, 0 }, { 2, 1 }, { UINT32_MAX, 0 },
		{ UINT32_MAX, UINT32_MAX - 1 }, { INT32_MAX + 1U, INT32_MAX },
	};
	struct winsync_create_args args;
	struct winsync_obj_info info;
	unsigned int i;
	int dev;

	WS_OPEN_DEV(dev);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		valid_args(&args, WINSYNC_TYPE_SEM);
		args.sem_count = good[i].count;
		args.sem_max = good[i].max;
		ASSERT_EQ(0, ws_create(dev, &args))
			TH_LOG("(%u, %u)", good[i].count, good[i].max);
		ASSERT_EQ(0, ws_query(args.fd, &info));
		EXPECT_EQ(good[i].count, info.count);
		EXPECT_EQ(good[i].max, info.max);
		EXPECT_EQ(good[i].count > 0, info.signaled);
		close(args.fd);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		valid_args(&args, WINSYNC_TYPE_SEM);
		args.sem_count = bad[i].count;
		args.sem_max = bad[i].max;
		EXPECT_EQ(EINVAL, create_err(dev, &args))
			TH_LOG("(%u, %u)", bad[i].count, bad[i].max);
	}
	close(dev);
}

TEST(create_counts_on_non_sem)
{
	struct winsync_create_args args;
	int dev, t;

	WS_OPEN_DEV(dev);
	for (t = 1; t < 3; t++) {
		valid_args(&args, all_types[t]);
		args.sem_count = 1;
		EXPECT_EQ(EINVAL, create_err(dev, &args));
		valid_args(&args, all_types[t]);
		args.sem_max = 1;
		EXPECT_EQ(EINVAL, create_err(dev, &args));
		valid_args(&args, all_types[t]);
		args.sem_count = 1;
		args.sem_max = 1;
		EXPECT_EQ(EINVAL, create_err(dev, &args));
	}
	close(dev);
}

TEST(create_bad_access)
{
	static const __u32 bad[] = {
		0x4, 0x8000, 0x00200000, 0x01000000, 0x02000000, 0x10000000,
		0x80000000, WINSYNC_ACCESS_ALL | 0x4, 0xffffffff,
	};
	struct winsync_create_args args;
	unsigned int i;
	int dev, t;

	WS_OPEN_DEV(dev);
	for (t = 0; t < 3; t++) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			valid_args(&args, all_types[t]);
			args.access = bad[i];
			EXPECT_EQ(EINVAL, create_err(dev, &args))
				TH_LOG("type %u access 0x%x", all_types[t], bad[i]);
		}
	}
	close(dev);
}

TEST(create_mode)
{
	static const __u32 bad[] = { 01000, 02000, 04000, 0x10000, 0xffffffff };
	struct winsync_create_args args;
	unsigned int i;
	int dev;

	WS_OPEN_DEV(dev);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		valid_args(&args, WINSYNC_TYPE_EVENT);
		args.mode = bad[i];
		EXPECT_EQ(EINVAL, create_err(dev, &args)) TH_LOG("mode 0%o", bad[i]);
	}
	/* Any mode within 0777 is accepted. */
	valid_args(&args, WINSYNC_TYPE_EVENT);
	args.mode = 0777;
	EXPECT_EQ(0, create_err(dev, &args));
	args.mode = 0640;
	EXPECT_EQ(0, create_err(dev, &args));
	close(dev);
}

TEST(create_name_len_without_name)
{
	struct winsync_create_args args;
	int dev;

	WS_OPEN_DEV(dev);
	valid_args(&args, WINSYNC_TYPE_EVENT);
	args.name_len = 5;
	EXPECT_EQ(EINVAL, create_err(dev, &args));
	close(dev);
}

TEST(create_fd_is_usable_after_device_close)
{
	int dev, fd;

	WS_OPEN_DEV(dev);
	fd = ws_sem(dev, 1, 2);
	ASSERT_LE(0, fd);
	close(dev);
	EXPECT_EQ(1, WS_QUERY_FIELD(fd, count));
	EXPECT_EQ(0, ws_sem_release(fd, 1, NULL));
	EXPECT_EQ(2, WS_QUERY_FIELD(fd, count));
	/* And waits still work through a new device descriptor. */
	WS_OPEN_DEV(dev);
	EXPECT_EQ(0, ws_wait1(dev, fd, 0, NULL));
	EXPECT_EQ(1, WS_QUERY_FIELD(fd, count));
	close(fd);
	close(dev);
}

TEST(reopen_shares_state)
{
	struct winsync_obj_info info;
	int dev, sem, sem2;
	__u32 prev;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 0, 5);
	ASSERT_LE(0, sem);
	sem2 = ws_reopen(sem, WINSYNC_ACCESS_ALL, 0);
	ASSERT_LE(0, sem2);
	EXPECT_NE(sem, sem2);
	EXPECT_TRUE(ws_is_cloexec(sem2));
	ASSERT_EQ(0, ws_query(sem2, &info));
	EXPECT_EQ(WINSYNC_TYPE_SEM, info.type);
	EXPECT_EQ(WINSYNC_ACCESS_ALL, info.access);
	EXPECT_EQ(5, info.max);

	EXPECT_EQ(0, ws_sem_release(sem, 2, &prev));
	EXPECT_EQ(0, prev);
	EXPECT_EQ(2, WS_QUERY_FIELD(sem2, count));
	EXPECT_EQ(0, ws_sem_release(sem2, 1, &prev));
	EXPECT_EQ(2, prev);
	EXPECT_EQ(3, WS_QUERY_FIELD(sem, count));
	/* Closing one handle changes nothing. */
	close(sem);
	EXPECT_EQ(3, WS_QUERY_FIELD(sem2, count));
	EXPECT_EQ(0, ws_wait1(dev, sem2, 0, NULL));
	EXPECT_EQ(2, WS_QUERY_FIELD(sem2, count));
	close(sem2);
	close(dev);
}

TEST(reopen_flags)
{
	int dev, ev, fd;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	fd = ws_reopen(ev, WINSYNC_ACCESS_ALL, WINSYNC_CREATE_INHERIT);
	ASSERT_LE(0, fd);
	EXPECT_FALSE(ws_is_cloexec(fd));
	close(fd);
	EXPECT_EQ(-EINVAL, ws_reopen(ev, WINSYNC_ACCESS_ALL, WINSYNC_CREATE_MANUAL_RESET));
	EXPECT_EQ(-EINVAL, ws_reopen(ev, WINSYNC_ACCESS_ALL, 0x100));
	close(ev);
	close(dev);
}

TEST(reopen_access)
{
	struct winsync_reopen_args a;
	int dev, ev, reduced, fd;

	WS_OPEN_DEV(dev);
	ev = ws_event(dev, false, false);
	ASSERT_LE(0, ev);
	reduced = ws_reopen(ev, WINSYNC_ACCESS_SYNCHRONIZE | WINSYNC_ACCESS_QUERY_STATE, 0);
	ASSERT_LE(0, reduced);
	EXPECT_EQ(WINSYNC_ACCESS_SYNCHRONIZE | WINSYNC_ACCESS_QUERY_STATE,
		  WS_QUERY_FIELD(reduced, access));

	/* A subset of a reduced handle is fine, a superset is not. */
	fd = ws_reopen(reduced, WINSYNC_ACCESS_QUERY_STATE, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(WINSYNC_ACCESS_QUERY_STATE, WS_QUERY_FIELD(fd, access));
	EXPECT_EQ(-EACCES, ws_reopen(fd, WINSYNC_ACCESS_QUERY_STATE |
					  WINSYNC_ACCESS_SYNCHRONIZE, 0));
	close(fd);
	EXPECT_EQ(-EACCES, ws_reopen(reduced, WINSYNC_ACCESS_MODIFY_STATE, 0));
	EXPECT_EQ(-EACCES, ws_reopen(reduced, WINSYNC_ACCESS_ALL, 0));
	EXPECT_EQ(-EACCES, ws_reopen(reduced, WINSYNC_ACCESS_QUERY_STATE |
					       WINSYNC_ACCESS_DELETE, 0));

	/* Unknown bits are invalid whatever the old access. */
	EXPECT_EQ(-EINVAL, ws_reopen(ev, 0x4, 0));
	EXPECT_EQ(-EINVAL, ws_reopen(ev, WINSYNC_ACCESS_ALL | 0x80000000, 0));

	/* Pad and reserved must be zero. */
	memset(&a, 0, sizeof(a));
	a.access = WINSYNC_ACCESS_ALL;
	a.pad = 1;
	EXPECT_EQ(EINVAL, ws_ioctl(ev, WINSYNC_IOC_REOPEN, &a));
	memset(&a, 0, sizeof(a));
	a.access = WINSYNC_ACCESS_ALL;
	a.reserved[1] = 1;
	EXPECT_EQ(EINVAL, ws_ioctl(ev, WINSYNC_IOC_REOPEN, &a));
	close(reduced);
	close(ev);
	close(dev);
}

TEST(reopen_mutex_keeps_owner)
{
	int dev, m, m2;
	__u32 prev;

	WS_OPEN_DEV(dev);
	m = ws_mutex(dev, true);
	ASSERT_LE(0, m);
	m2 = ws_reopen(m, MUTEX_ACCESS_ALL, 0);
	ASSERT_LE(0, m2);
	EXPECT_EQ(ws_gettid(), WS_QUERY_FIELD(m2, owner_tid));
	EXPECT_EQ(0, ws_mutex_release(m2, &prev));
	EXPECT_EQ(1, prev);
	EXPECT_EQ(1, WS_QUERY_FIELD(m, signaled));
	close(m2);
	close(m);
	close(dev);
}

TEST(object_ioctl_wrong_type)
{
	struct winsync_timer_args targs;
	int dev, sem, mutex, event;
	__u32 v;

	WS_OPEN_DEV(dev);
	sem = ws_sem(dev, 1, 2);
	mutex = ws_mutex(dev, true);
	event = ws_event(dev, true, true);
	ASSERT_LE(0, sem);
	ASSERT_LE(0, mutex);
	ASSERT_LE(0, event);

	EXPECT_EQ(ENOTTY, ws_sem_release(event, 1, NULL));
	EXPECT_EQ(ENOTTY, ws_sem_release(mutex, 1, NULL));
	EXPECT_EQ(ENOTTY, ws_mutex_release(sem, NULL));
	EXPECT_EQ(ENOTTY, ws_mutex_release(event, NULL));
	EXPECT_EQ(ENOTTY, ws_event_set(sem, NULL));
	EXPECT_EQ(ENOTTY, ws_event_reset(sem, NULL));
	EXPECT_EQ(ENOTTY, ws_event_pulse(sem, NULL));
	EXPECT_EQ(ENOTTY, ws_event_set(mutex, NULL));
	EXPECT_EQ(ENOTTY, ws_event_reset(mutex, NULL));
	EXPECT_EQ(ENOTTY, ws_event_pulse(mutex, NULL));
	memset(&targs, 0, sizeof(targs));
	EXPECT_EQ(ENOTTY, ws_ioctl(sem, WINSYNC_IOC_TIMER_SET, &targs));
	EXPECT_EQ(ENOTTY, ws_ioctl(event, WINSYNC_IOC_TIMER_SET, &targs));
	EXPECT_EQ(ENOTTY, ws_ioctl(mutex, WINSYNC_IOC_TIMER_CANCEL, &v));

	/* Nothing changed. */
	EXPECT_EQ(1, WS_QUERY_FIELD(sem, count));
	EXPECT_EQ(1, WS_QUERY_FIELD(mutex, count));
	EXPECT_EQ(ws_gettid(), WS_QUERY_FIELD(mutex, owner_tid));
	EXPECT_EQ(1, WS_QUERY_FIELD(event, signaled));
	close(sem);
	close(mutex);
	close(event);
	close(dev);
}

TEST(query_needs_query_state)
{
	int dev, t;

	WS_OPEN_DEV(dev);
	for (t = 0; t < 3; t++) {
		struct winsync_create_args args;
		struct winsync_obj_info info;

		valid_args(&args, all_types[t]);
		args.access = WINSYNC_ACCESS_ALL & ~WINSYNC_ACCESS_QUERY_STATE;
		ASSERT_EQ(0, ws_create(dev, &args));
		EXPECT_EQ(EACCES, ws_query(args.fd, &info));
		close(args.fd);
	}
	close(dev);
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main
WS_MAIN
