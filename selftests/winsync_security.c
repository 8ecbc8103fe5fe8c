// SPDX-License-Identifier: GPL-2.0
/*
 * winsync selftest: security.  An unprivileged user (uid 1000, the test
 * VM's "winsync" user) cannot open, signal, wait on or list another user's
 * named objects unless the mode bits let it; a handle with reduced access
 * cannot regain rights, not by REOPEN, dup, SCM_RIGHTS, pidfd_getfd or
 * reopening /proc/self/fd; no handle asks for no right, and fdinfo shows
 * state only through a handle that may query it; ownership cannot be taken
 * over.
 *
 * Each test creates objects as root and forks a child that drops to uid
 * 1000; the child checks its results and exits with the line number of the
 * first wrong one (0: all right).  Without root the tests skip.  IPC
 * namespace isolation is covered by winsync_names, winsync_list and, under
 * load, by winsync-fuzz (see Documentation/reliability.rst).
 */
#include <grp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "winsync_test.h"

#define USER_UID	1000
#define USER_GID	1000

#define READ_RIGHTS	(WINSYNC_ACCESS_SYNCHRONIZE | WINSYNC_ACCESS_QUERY_STATE | \
			 WINSYNC_ACCESS_READ_CONTROL)

#define NEED_ROOT() do {						\
	if (geteuid() != 0)						\
		SKIP(return, "needs root (runs children as uid %d)", USER_UID); \
} while (0)

/* In a child: report the first wrong result and exit 1. */
#define CHK(cond) do {							\
	if (!(cond)) {							\
		fprintf(stderr, "# child uid %d: line %d: %s (errno %s)\n",	\
			(int)getuid(), __LINE__, #cond, strerror(errno));	\
		_exit(1);						\
	}								\
} while (0)

static const char *mkname(char *buf, size_t len, const char *prefix, const char *tag)
{
	snprintf(buf, len, "%sws-sec-%d-%s", prefix, (int)getpid(), tag);
	return buf;
}

/* CREATE a named object: fd or -errno. */
static int nc(int dev, __u32 type, __u32 flags, __u32 access, __u32 mode,
	      const char *name, __u32 *status)
{
	struct winsync_create_args a;
	int err;

	ws_create_init(&a, type, flags, access);
	a.mode = mode;
	a.name = (uintptr_t)name;
	a.name_len = (__u32)strlen(name);
	if (type == WINSYNC_TYPE_SEM)
		a.sem_max = 10;
	err = ws_create(dev, &a);
	if (status)
		*status = a.status;
	return err ? -err : a.fd;
}

/* Is a name in the caller's LIST? */
static bool listed(int dev, const char *name)
{
	static struct winsync_list_entry e[64];
	struct winsync_list_args a;
	const char *bare = strchr(name, '\\') ? strchr(name, '\\') + 1 : name;
	__u32 i;

	memset(&a, 0, sizeof(a));
	a.entries = (uintptr_t)e;
	a.capacity = 64;
	if (ws_ioctl(dev, WINSYNC_IOC_LIST, &a))
		return false;
	for (i = 0; i < a.count; i++)
		if (e[i].name_len == strlen(bare) && !memcmp(e[i].name, bare, e[i].name_len))
			return true;
	return false;
}

static pid_t fork_as_user(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(USER_GID, USER_GID, USER_GID) ||
		    setresuid(USER_UID, USER_UID, USER_UID))
			_exit(250);
	}
	return pid;
}

static int reap(pid_t pid)
{
	return ws_reap(pid, 3 * WS_LONG_MS);
}

/* Root's Local\ (session) names do not exist for another user. */
TEST(other_users_local_names_invisible)
{
	char name[96], lname[96];
	int dev, fd, fd2;
	pid_t pid;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "", "local");
	mkname(lname, sizeof(lname), "Local\\", "local");
	fd = nc(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0666, name, NULL);
	ASSERT_LE(0, fd);
	ASSERT_TRUE(listed(dev, name));
	pid = fork_as_user();
	ASSERT_LE(0, pid);
	if (!pid) {
		int d = ws_open_dev(), f;
		__u32 st;

		CHK(d >= 0);
		CHK(ws_open_name(d, WINSYNC_TYPE_EVENT, 0, name) == -ENOENT);
		CHK(ws_open_name(d, WINSYNC_TYPE_EVENT, 0, lname) == -ENOENT);
		CHK(!listed(d, name));
		/* Its own object of that name is another one. */
		f = nc(d, WINSYNC_TYPE_SEM, 0, WINSYNC_ACCESS_ALL, 0666, name, &st);
		CHK(f >= 0 && st == WINSYNC_CREATED);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	/* Root's event is untouched, and is still an event. */
	fd2 = ws_open_name(dev, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_ALL, name);
	EXPECT_LE(0, fd2);
	close(fd2);
	close(fd);
	close(dev);
}

/* Mode 0600: another user can neither open for rights, nor create-or-open,
 * nor see it listed, nor get a handle that asks for no right. */
TEST(mode_0600_denies_other_user)
{
	static const __u32 types[] = { WINSYNC_TYPE_SEM, WINSYNC_TYPE_MUTEX,
				       WINSYNC_TYPE_EVENT, WINSYNC_TYPE_TIMER };
	char name[96];
	int dev, fds[4], t;
	pid_t pid;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	for (t = 0; t < 4; t++) {
		char tag[8];

		snprintf(tag, sizeof(tag), "p%d", t);
		mkname(name, sizeof(name), "Global\\", tag);
		fds[t] = nc(dev, types[t], 0, WINSYNC_ACCESS_ALL, 0600, name, NULL);
		ASSERT_LE(0, fds[t]);
	}
	pid = fork_as_user();
	ASSERT_LE(0, pid);
	if (!pid) {
		int d = ws_open_dev();

		CHK(d >= 0);
		for (t = 0; t < 4; t++) {
			char tag[8];
			struct winsync_obj_info info;
			struct pollfd pf;
			__u32 v;
			int h;

			snprintf(tag, sizeof(tag), "p%d", t);
			/* The parent's name (mkname would use our pid). */
			snprintf(name, sizeof(name), "Global\\ws-sec-%d-%s", (int)getppid(), tag);
			CHK(ws_open_name(d, types[t], WINSYNC_ACCESS_SYNCHRONIZE, name) == -EACCES);
			CHK(ws_open_name(d, types[t], WINSYNC_ACCESS_QUERY_STATE, name) == -EACCES);
			CHK(ws_open_name(d, types[t], WINSYNC_ACCESS_ALL, name) == -EACCES);
			CHK(ws_open_name(d, types[t], WINSYNC_ACCESS_DELETE, name) == -EACCES);
			CHK(nc(d, types[t], 0, WINSYNC_ACCESS_SYNCHRONIZE, 0666, name, NULL) == -EACCES);
			CHK(!listed(d, name));
			/* A request for no right is refused too. */
			CHK(ws_open_name(d, types[t], 0, name) == -EACCES);
			CHK(nc(d, types[t], 0, 0, 0666, name, NULL) == -EACCES);
			/* A right-less handle (to a new object of its own) is useless. */
			h = types[t] == WINSYNC_TYPE_SEM ? ws_new(d, types[t], 0, 0, 0, 1) :
			    ws_new(d, types[t], 0, 0, 0, 0);
			CHK(h >= 0);
			CHK(ws_query(h, &info) == EACCES);
			CHK(ws_wait1(d, h, 0, NULL) == EACCES);
			CHK(ws_reopen(h, WINSYNC_ACCESS_SYNCHRONIZE, 0) == -EACCES);
			CHK(ws_reopen(h, WINSYNC_ACCESS_QUERY_STATE, 0) == -EACCES);
			CHK(ws_reopen(h, 0, 0) == -EACCES);
			pf.fd = h;
			pf.events = POLLIN;
			CHK(poll(&pf, 1, 0) == 1 && pf.revents == POLLERR);
			switch (types[t]) {
			case WINSYNC_TYPE_SEM:
				CHK(ws_sem_release(h, 1, &v) == EACCES);
				break;
			case WINSYNC_TYPE_MUTEX:
				CHK(ws_mutex_release(h, &v) == EPERM);
				break;
			case WINSYNC_TYPE_EVENT:
				CHK(ws_event_set(h, &v) == EACCES);
				CHK(ws_event_pulse(h, &v) == EACCES);
				CHK(ws_event_reset(h, &v) == EACCES);
				break;
			default:
				CHK(ws_u32_ioctl(h, WINSYNC_IOC_TIMER_CANCEL, 0, &v) == EACCES);
				break;
			}
			/* Nor as the signal or alert of a wait. */
			{
				int ev = ws_event(d, true, true);

				CHK(ev >= 0);
				CHK(ws_wait_ex(d, &ev, 1, WINSYNC_WAIT_SIGNAL, 0, 0, h, NULL) ==
				    (types[t] == WINSYNC_TYPE_MUTEX ? EPERM :
				     types[t] == WINSYNC_TYPE_TIMER ? EINVAL : EACCES));
				CHK(ws_wait_ex(d, &ev, 1, WINSYNC_WAIT_ALERT, 0, h, 0, NULL) == EACCES);
				close(ev);
			}
			close(h);
		}
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	/* Nothing changed: the semaphore still has no count, the mutex is
	 * unowned, the event unset. */
	EXPECT_EQ(0, WS_QUERY_FIELD(fds[0], count));
	EXPECT_EQ(0, WS_QUERY_FIELD(fds[1], count));
	EXPECT_EQ(0, WS_QUERY_FIELD(fds[2], signaled));
	for (t = 0; t < 4; t++)
		close(fds[t]);
	close(dev);
}

/*
 * Issue 13: an open that asks for no right gave another user a handle to
 * root's mode-0600 object, whose fdinfo showed what LIST and QUERY hide and
 * which kept the object (charged to root) alive.  Now the open is EACCES,
 * and when root's handle goes, so does the object.
 */
TEST(empty_access_open_refused)
{
	char name[96];
	int dev, fd, up[2], down[2];
	__u32 st;
	pid_t pid;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "Global\\", "empty");
	fd = nc(dev, WINSYNC_TYPE_SEM, 0, WINSYNC_ACCESS_ALL, 0600, name, &st);
	ASSERT_LE(0, fd);
	ASSERT_EQ(WINSYNC_CREATED, st);
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork_as_user();
	ASSERT_LE(0, pid);
	if (!pid) {
		int d = ws_open_dev(), h;
		char path[64], buf[512];
		ssize_t len;
		int pf;

		/* fork gave us root's handle: only what we open may count. */
		close(fd);
		CHK(d >= 0);
		h = ws_open_name(d, WINSYNC_TYPE_SEM, 0, name);
		if (h >= 0) {
			/* The old hole: show what the handle reveals. */
			snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", h);
			pf = open(path, O_RDONLY | O_CLOEXEC);
			len = pf >= 0 ? read(pf, buf, sizeof(buf) - 1) : -1;
			if (len > 0) {
				buf[len] = 0;
				fprintf(stderr, "# right-less handle's fdinfo:\n%s", buf);
			}
		}
		CHK(h == -EACCES);
		CHK(nc(d, WINSYNC_TYPE_SEM, 0, 0, 0666, name, NULL) == -EACCES);
		/* A missing name is still reported as missing. */
		CHK(ws_open_name(d, WINSYNC_TYPE_SEM, 0, "Global\\ws-sec-none") == -ENOENT);
		/* Hold whatever we got while root closes and creates again. */
		CHK(ws_write_byte(up[1]));
		CHK(ws_read_byte(down[0], 3 * WS_LONG_MS));
		_exit(0);
	}
	ASSERT_TRUE(ws_read_byte(up[0], 3 * WS_LONG_MS));
	close(fd);
	fd = nc(dev, WINSYNC_TYPE_SEM, 0, WINSYNC_ACCESS_ALL, 0600, name, &st);
	EXPECT_LE(0, fd);
	EXPECT_EQ(WINSYNC_CREATED, st);
	ws_write_byte(down[1]);
	EXPECT_EQ(0, reap(pid));
	close(fd);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	close(dev);
}

/* Root, too, gets no handle without a right, by OPEN, CREATE or REOPEN. */
TEST(empty_access_refused_for_everyone)
{
	char name[96], mname[96];
	int dev, fd, m, h;
	__u32 st;

	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "Global\\", "empty-all");
	mkname(mname, sizeof(mname), "Global\\", "empty-mtx");
	fd = nc(dev, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL, 0600, name, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EACCES, ws_open_name(dev, WINSYNC_TYPE_EVENT, 0, name));
	EXPECT_EQ(-EACCES, nc(dev, WINSYNC_TYPE_EVENT, 0, 0, 0600, name, &st));
	EXPECT_EQ(-EACCES, ws_reopen(fd, 0, 0));
	/* The type is checked first. */
	EXPECT_EQ(-EMEDIUMTYPE, ws_open_name(dev, WINSYNC_TYPE_SEM, 0, name));
	/* A mutex has no MODIFY_STATE: asking only for it asks for nothing. */
	m = nc(dev, WINSYNC_TYPE_MUTEX, 0, WINSYNC_ACCESS_ALL, 0600, mname, NULL);
	ASSERT_LE(0, m);
	EXPECT_EQ(-EACCES, ws_open_name(dev, WINSYNC_TYPE_MUTEX,
					WINSYNC_ACCESS_MODIFY_STATE, mname));
	EXPECT_EQ(-EACCES, ws_reopen(m, WINSYNC_ACCESS_MODIFY_STATE, 0));
	h = ws_open_name(dev, WINSYNC_TYPE_MUTEX, WINSYNC_ACCESS_SYNCHRONIZE, mname);
	EXPECT_LE(0, h);
	close(h);
	/* The creator of a new object may still ask for nothing. */
	h = ws_new(dev, WINSYNC_TYPE_EVENT, 0, 0, 0, 0);
	EXPECT_LE(0, h);
	close(h);
	close(m);
	close(fd);
	close(dev);
}

/* Lines of @fd's fdinfo that start with "winsync-". */
static int fdinfo_keys(int fd, char *keys, size_t len)
{
	char path[64], line[256];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	keys[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "winsync-", 8) || !colon)
			continue;
		*colon = 0;
		if (strlen(keys) + strlen(line) + 2 < len) {
			strcat(keys, line);
			strcat(keys, " ");
		}
		n++;
	}
	fclose(f);
	return n;
}

/*
 * fdinfo shows an object's state, name and owner only through a handle with
 * QUERY_STATE; else only the type, the access mask and the id.
 */
TEST(fdinfo_needs_query_right)
{
	char name[96], keys[512];
	int dev, fd;
	pid_t pid;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "Global\\", "fdi");
	/* Others may read: wait, or query. */
	fd = nc(dev, WINSYNC_TYPE_SEM, 0, WINSYNC_ACCESS_ALL, 0604, name, NULL);
	ASSERT_LE(0, fd);
	EXPECT_LE(9, fdinfo_keys(fd, keys, sizeof(keys)));
	pid = fork_as_user();
	ASSERT_LE(0, pid);
	if (!pid) {
		int d = ws_open_dev(), h;
		char val[128];

		CHK(d >= 0);
		h = ws_open_name(d, WINSYNC_TYPE_SEM, WINSYNC_ACCESS_SYNCHRONIZE, name);
		CHK(h >= 0);
		CHK(fdinfo_keys(h, keys, sizeof(keys)) == 3);
		CHK(!strcmp(keys, "winsync-type winsync-access winsync-id "));
		CHK(!ws_fdinfo_get(h, "winsync-name", val, sizeof(val)));
		CHK(!ws_fdinfo_get(h, "winsync-count", val, sizeof(val)));
		CHK(ws_fdinfo_get(h, "winsync-access", val, sizeof(val)) &&
		    !strcmp(val, "0x00100000"));
		close(h);
		h = ws_open_name(d, WINSYNC_TYPE_SEM, WINSYNC_ACCESS_QUERY_STATE, name);
		CHK(h >= 0);
		CHK(ws_fdinfo_get(h, "winsync-name", val, sizeof(val)) && !strcmp(val, name));
		CHK(ws_fdinfo_get(h, "winsync-max", val, sizeof(val)) && !strcmp(val, "10"));
		close(h);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	close(fd);
	close(dev);
}

/* Mode 0604: others may read (wait, query), not write (signal). */
TEST(mode_read_only_for_others)
{
	char name[96];
	int dev, fd;
	pid_t pid;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "Global\\", "ro");
	fd = nc(dev, WINSYNC_TYPE_EVENT, WINSYNC_CREATE_MANUAL_RESET | WINSYNC_CREATE_SIGNALED,
		WINSYNC_ACCESS_ALL, 0604, name, NULL);
	ASSERT_LE(0, fd);
	pid = fork_as_user();
	ASSERT_LE(0, pid);
	if (!pid) {
		int d = ws_open_dev(), h;
		__u32 v;

		CHK(d >= 0);
		CHK(ws_open_name(d, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_MODIFY_STATE, name) == -EACCES);
		CHK(ws_open_name(d, WINSYNC_TYPE_EVENT, READ_RIGHTS | WINSYNC_ACCESS_WRITE_DAC, name) == -EACCES);
		CHK(listed(d, name));
		h = ws_open_name(d, WINSYNC_TYPE_EVENT, READ_RIGHTS, name);
		CHK(h >= 0);
		CHK(WS_QUERY_FIELD(h, access) == READ_RIGHTS);
		CHK(ws_wait1(d, h, 0, NULL) == 0);
		CHK(ws_event_set(h, &v) == EACCES);
		CHK(ws_event_reset(h, &v) == EACCES);
		CHK(ws_reopen(h, READ_RIGHTS | WINSYNC_ACCESS_MODIFY_STATE, 0) == -EACCES);
		CHK(ws_wait_ex(d, &h, 1, WINSYNC_WAIT_SIGNAL, 0, 0, h, NULL) == EACCES);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(1, WS_QUERY_FIELD(fd, signaled));
	close(fd);
	close(dev);
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char b = 'x';
	struct iovec iov = { &b, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char b;
	struct iovec iov = { &b, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&m);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * A reduced handle stays reduced: REOPEN asks for a subset only; dup,
 * SCM_RIGHTS (to another user's process) and pidfd_getfd share the same
 * open file; reopening /proc/self/fd/N gives no winsync handle.
 */
TEST(reduced_handle_cannot_regain_rights)
{
	const __u32 reduced = WINSYNC_ACCESS_SYNCHRONIZE | WINSYNC_ACCESS_QUERY_STATE;
	int dev, full, red, d, sv[2], pfd, got, path_fd;
	char path[64];
	pid_t pid;

	WS_OPEN_DEV(dev);
	full = ws_sem(dev, 0, 5);
	ASSERT_LE(0, full);
	red = ws_reopen(full, reduced, 0);
	ASSERT_LE(0, red);
	EXPECT_EQ(reduced, WS_QUERY_FIELD(red, access));
	/* REOPEN: a superset or any extra bit is refused. */
	EXPECT_EQ(-EACCES, ws_reopen(red, WINSYNC_ACCESS_ALL, 0));
	EXPECT_EQ(-EACCES, ws_reopen(red, reduced | WINSYNC_ACCESS_MODIFY_STATE, 0));
	EXPECT_EQ(-EACCES, ws_reopen(red, WINSYNC_ACCESS_DELETE, 0));
	d = ws_reopen(red, WINSYNC_ACCESS_SYNCHRONIZE, 0);
	ASSERT_LE(0, d);
	EXPECT_EQ(-EACCES, ws_reopen(d, reduced, 0));
	close(d);
	/* dup: the same open file, the same mask. */
	d = dup(red);
	ASSERT_LE(0, d);
	EXPECT_EQ(reduced, WS_QUERY_FIELD(d, access));
	EXPECT_EQ(EACCES, ws_sem_release(d, 1, NULL));
	close(d);
	/* /proc/self/fd: no new winsync handle, whatever the open mode. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", red);
	path_fd = open(path, O_RDWR | O_CLOEXEC);
	if (path_fd >= 0) {
		__u32 v = 1;

		EXPECT_EQ(ENOTTY, ws_sem_release(path_fd, 1, &v));
		EXPECT_EQ(ENOTTY, ws_ioctl(path_fd, WINSYNC_IOC_QUERY, &(struct winsync_obj_info){ 0 }));
		close(path_fd);
	}
	/* SCM_RIGHTS to a process of another user (when root), and back. */
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = geteuid() == 0 ? fork_as_user() : fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int h = recv_fd(sv[1]);
		__u32 v;

		CHK(h >= 0);
		CHK(WS_QUERY_FIELD(h, access) == reduced);
		CHK(ws_sem_release(h, 1, &v) == EACCES);
		CHK(ws_reopen(h, WINSYNC_ACCESS_ALL, 0) == -EACCES);
		CHK(send_fd(sv[1], h) == 0);
		_exit(0);
	}
	ASSERT_EQ(0, send_fd(sv[0], red));
	got = recv_fd(sv[0]);
	ASSERT_LE(0, got);
	EXPECT_EQ(reduced, WS_QUERY_FIELD(got, access));
	EXPECT_EQ(0, reap(pid));
	close(got);
	/* pidfd_getfd: the same open file again. */
	pfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pfd >= 0) {
		got = (int)syscall(SYS_pidfd_getfd, pfd, red, 0);
		if (got >= 0) {
			EXPECT_EQ(reduced, WS_QUERY_FIELD(got, access));
			EXPECT_EQ(EACCES, ws_sem_release(got, 1, NULL));
			close(got);
		}
		close(pfd);
	}
	EXPECT_EQ(0, WS_QUERY_FIELD(full, count));
	close(sv[0]);
	close(sv[1]);
	close(red);
	close(full);
	close(dev);
}

/* Another user's process cannot release, or abandon, a mutex it does not
 * own; owning needs a wait with SYNCHRONIZE, which the mode may deny. */
TEST(other_user_cannot_take_over_mutex)
{
	char name[96];
	int dev, m;
	pid_t pid;

	NEED_ROOT();
	WS_OPEN_DEV(dev);
	mkname(name, sizeof(name), "Global\\", "mtx");
	m = nc(dev, WINSYNC_TYPE_MUTEX, WINSYNC_CREATE_OWNED, WINSYNC_ACCESS_ALL, 0666, name, NULL);
	ASSERT_LE(0, m);
	pid = fork_as_user();
	ASSERT_LE(0, pid);
	if (!pid) {
		int d = ws_open_dev(), h;
		__u32 v, st;

		CHK(d >= 0);
		/* The inherited handle (fork) and one opened by name. */
		CHK(ws_mutex_release(m, &v) == EPERM);
		h = ws_open_name(d, WINSYNC_TYPE_MUTEX, WINSYNC_ACCESS_SYNCHRONIZE, name);
		CHK(h >= 0);
		CHK(ws_mutex_release(h, &v) == EPERM);
		CHK(ws_wait1(d, h, 0, &st) == ETIMEDOUT);
		CHK(ws_wait_ex(d, &h, 1, WINSYNC_WAIT_SIGNAL, 0, 0, h, NULL) == EPERM);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(1, WS_QUERY_FIELD(m, count));
	EXPECT_EQ(ws_gettid(), WS_QUERY_FIELD(m, owner_tid));
	EXPECT_EQ(0, ws_mutex_release(m, NULL));
	close(m);
	close(dev);
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main
WS_MAIN
