// SPDX-License-Identifier: GPL-2.0
/*
 * winsync: list, inspect and drive winsync objects from a shell.
 *
 * One subcommand per operation (see winsync(1) and usage() below).  A named
 * object lives only while a handle to it is open, so the commands that make
 * or take one can keep their handles: --hold [DURATION] holds them until the
 * time is up or a SIGTERM/SIGINT/SIGHUP arrives, and prints the holder's pid
 * on a line once it holds them; --background moves the holder into a child
 * and returns as soon as the child holds them.
 *
 * Exit status: 0 success, 1 a wait timed out, 2 error, 3 no object has that
 * name, 4 create --excl found the name taken, 5 a wait acquired an abandoned
 * mutex.
 *
 * With WINSYNC_CLI_NO_MAIN defined, main() is left out and the CLI is
 * reached through winsync_cli_main() (the selftest links it that way).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <winsync/winsync.h>

#ifndef WINSYNC_VERSION
#define WINSYNC_VERSION "unknown"
#endif

enum {
	EXIT_TIMEOUT = 1,
	EXIT_ERROR = 2,
	EXIT_NOT_FOUND = 3,
	EXIT_EXISTS = 4,
	EXIT_ABANDONED = 5,
};

#define NS_PER_SEC	1000000000ULL
/* A duration of "forever". */
#define FOREVER		UINT64_MAX

#define MUTEX_ACCESS	(WINSYNC_ACCESS_ALL & ~WINSYNC_ACCESS_MODIFY_STATE)

static const char *prog = "winsync";

/* ---- messages ----------------------------------------------------------- */

static void __attribute__((format(printf, 1, 2))) msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A usage error: the message, a pointer to --help, status 2. */
static int __attribute__((format(printf, 2, 3)))
usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s %s--help'.\n", prog, cmd ? cmd : "");
	return EXIT_ERROR;
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case WINSYNC_TYPE_SEM:		return "semaphore";
	case WINSYNC_TYPE_MUTEX:	return "mutex";
	case WINSYNC_TYPE_EVENT:	return "event";
	case WINSYNC_TYPE_TIMER:	return "timer";
	}
	return "unknown";
}

/* "an event", "a mutex", ... */
static const char *a_type(uint32_t type)
{
	switch (type) {
	case WINSYNC_TYPE_SEM:		return "a semaphore";
	case WINSYNC_TYPE_MUTEX:	return "a mutex";
	case WINSYNC_TYPE_EVENT:	return "an event";
	case WINSYNC_TYPE_TIMER:	return "a timer";
	}
	return "an unknown object";
}

static uint32_t parse_type(const char *s)
{
	if (!strcmp(s, "sem") || !strcmp(s, "semaphore"))
		return WINSYNC_TYPE_SEM;
	if (!strcmp(s, "mutex"))
		return WINSYNC_TYPE_MUTEX;
	if (!strcmp(s, "event"))
		return WINSYNC_TYPE_EVENT;
	if (!strcmp(s, "timer"))
		return WINSYNC_TYPE_TIMER;
	return 0;
}

/*
 * Report a failed operation on the object @name (NULL: the device) with a
 * hint on what to do, and return the exit status for it.
 */
static int fail(int err, const char *what, const char *name)
{
	const char *hint = NULL;
	int status = EXIT_ERROR;

	switch (err) {
	case ENOENT:
		if (!name)
			break;
		msg("%s: no object named '%s' in this IPC namespace%s", what,
		    name, strncmp(name, "Global\\", 7) ?
		    " and session (a Local\\ name is private to its user)" : "");
		hint = "a named object exists only while a handle to it is open: "
		       "keep one open with 'winsync create ... --hold'";
		status = EXIT_NOT_FOUND;
		goto hint;
	case EACCES:
		hint = name ? "the object's mode does not grant this to you; "
			      "'winsync list' shows owner and mode (reading needs r, "
			      "changing needs w)"
			    : "the permissions of " WINSYNC_DEVICE_PATH " do not let you in: "
			      "install the udev rule 60-winsync.rules (mode 0666) or "
			      "ask your administrator";
		break;
	case EMEDIUMTYPE:
		hint = "the name belongs to an object of another type; "
		       "'winsync list' shows it";
		break;
	case EINVAL:
		if (name)
			hint = "a name is 'Global\\NAME', 'Local\\NAME' or 'NAME', where "
			       "NAME is not empty and has no backslash";
		break;
	case ENAMETOOLONG:
		hint = "a name has at most 1024 bytes, prefix included";
		break;
	case ENOSPC:
		hint = "you reached the per-user object limit "
		       "(/sys/module/winsync/parameters/max_user_objects)";
		break;
	case ENOTTY:
		hint = "the loaded winsync module does not know this request: "
		       "it is older than this tool ('winsync info' shows its version)";
		break;
	}
	if (name)
		msg("%s '%s': %s", what, name, strerror(err));
	else
		msg("%s: %s", what, strerror(err));
hint:
	if (hint)
		fprintf(stderr, "%s: hint: %s\n", prog, hint);
	return status;
}

/* Open /dev/winsync, or say why not: the descriptor or -1. */
static int open_device(void)
{
	int dev = winsync_open_device();

	if (dev >= 0)
		return dev;
	if (dev == -ENOENT || dev == -ENXIO || dev == -ENODEV) {
		msg("cannot open %s: %s", WINSYNC_DEVICE_PATH, strerror(-dev));
		fprintf(stderr, "%s: hint: the winsync module is not loaded: "
			"'sudo modprobe winsync' (installed by winsync-dkms or "
			"'make install-module')\n", prog);
	} else {
		fail(-dev, "cannot open " WINSYNC_DEVICE_PATH, NULL);
	}
	return -1;
}

/* ---- durations and numbers ---------------------------------------------- */

/*
 * "1.5s", "100ms", "250us", "10ns", "2m", "1h", "1d"; a plain number is in
 * seconds; "forever", "infinite" and "inf" are FOREVER.  Returns false on
 * a malformed or too large value.
 */
static bool parse_duration(const char *s, uint64_t *ns)
{
	static const struct { const char *unit; long double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3L }, { "ms", 1e6L }, { "s", 1e9L },
		{ "", 1e9L }, { "m", 60e9L }, { "min", 60e9L },
		{ "h", 3600e9L }, { "d", 86400e9L },
	};
	const char *p = s;
	long double v;
	char *end;
	bool digits = false;

	if (!strcmp(s, "forever") || !strcmp(s, "infinite") || !strcmp(s, "inf")) {
		*ns = FOREVER;
		return true;
	}
	/* Only digits and one dot: strtold alone would take "1e3" or "0x1". */
	while (isdigit((unsigned char)*p))
		p++, digits = true;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p))
			p++, digits = true;
	}
	if (!digits)
		return false;
	v = strtold(s, &end);
	if (end != p)
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit))
			continue;
		v *= units[i].ns;
		if (v >= (long double)INT64_MAX)
			return false;
		*ns = (uint64_t)(v + 0.5L);
		return true;
	}
	return false;
}

static bool parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* 0644 or 644: octal permission bits. */
static bool parse_mode(const char *s, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (!*s || strspn(s, "01234567") != strlen(s))
		return false;
	v = strtoul(s, &end, 8);
	if (*end || v > 0777)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* ---- option parsing ----------------------------------------------------- */

enum opt_kind {
	OPT_FLAG,	/* --x */
	OPT_VALUE,	/* --x VALUE or --x=VALUE */
	OPT_DURATION,	/* --x [DURATION]: takes the next argument if it is one */
};

struct opt {
	const char *name;	/* long name, without "--" */
	char short_name;	/* 0: none */
	enum opt_kind kind;
	bool seen;
	const char *value;
};

#define OPT(n, s, k)	{ .name = (n), .short_name = (s), .kind = (k) }
#define OPT_END		{ .name = NULL }

#define MAX_POS 72

struct args {
	const char *cmd;
	struct opt *opts;
	const char *pos[MAX_POS];
	int npos;
};

static struct opt *find_opt(struct opt *opts, const char *name, size_t len,
			    char short_name)
{
	for (struct opt *o = opts; o->name; o++) {
		if (short_name ? o->short_name == short_name :
		    strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	}
	return NULL;
}

/* Split argv into options and positional arguments; 0 or an exit status. */
static int parse_args(struct args *a, int argc, char **argv)
{
	bool only_pos = false;

	a->npos = 0;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		const char *eq = NULL;
		struct opt *o;

		if (only_pos || arg[0] != '-' || !arg[1]) {
			if (a->npos == MAX_POS)
				return usage_error(a->cmd, "too many arguments");
			a->pos[a->npos++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_pos = true;
			continue;
		}
		if (arg[1] == '-') {
			eq = strchr(arg + 2, '=');
			o = find_opt(a->opts, arg + 2,
				     eq ? (size_t)(eq - arg - 2) : strlen(arg + 2), 0);
		} else {
			if (arg[2])
				return usage_error(a->cmd, "unknown option '%s'", arg);
			o = find_opt(a->opts, "", 0, arg[1]);
		}
		if (!o)
			return usage_error(a->cmd, "unknown option '%s'", arg);
		o->seen = true;
		switch (o->kind) {
		case OPT_FLAG:
			if (eq)
				return usage_error(a->cmd, "option '--%s' takes no value",
						   o->name);
			break;
		case OPT_VALUE:
			if (eq)
				o->value = eq + 1;
			else if (i + 1 < argc)
				o->value = argv[++i];
			else
				return usage_error(a->cmd, "option '%s' needs a value", arg);
			break;
		case OPT_DURATION: {
			uint64_t ns;

			if (eq)
				o->value = eq + 1;
			else if (i + 1 < argc && parse_duration(argv[i + 1], &ns))
				o->value = argv[++i];
			break;
		}
		}
	}
	return 0;
}

static struct opt *opt(struct args *a, const char *name)
{
	struct opt *o = find_opt(a->opts, name, strlen(name), 0);

	return o && o->seen ? o : NULL;
}

static int duration_opt(struct args *a, const char *name, uint64_t *ns)
{
	struct opt *o = opt(a, name);

	if (!o || !o->value)
		return 0;
	if (!parse_duration(o->value, ns))
		return usage_error(a->cmd, "invalid duration '%s' for --%s "
				   "(examples: 5s, 100ms, 1.5, forever)",
				   o->value, name);
	return 0;
}

/* ---- holding handles ---------------------------------------------------- */

struct handle {
	const char *name;
	int fd;
	uint32_t type;
	uint32_t owned;		/* acquisitions of a mutex by this thread */
};

/* Write end of the pipe to the parent of a --background holder, or -1. */
static int ready_fd = -1;

/*
 * --background: fork; the child goes on (and calls hold()), the parent
 * waits until the child holds its handles, prints the child's pid and
 * exits.  The parent returns only in the child; on failure it returns an
 * exit status in *status and false.
 */
static bool background_start(int *status)
{
	int pfd[2];
	pid_t pid;
	char c;
	ssize_t r;
	int ws;

	fflush(NULL);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		*status = fail(errno, "pipe", NULL);
		return false;
	}
	pid = fork();
	if (pid < 0) {
		*status = fail(errno, "fork", NULL);
		return false;
	}
	if (pid == 0) {
		close(pfd[0]);
		ready_fd = pfd[1];
		return true;
	}
	close(pfd[1]);
	do
		r = read(pfd[0], &c, 1);
	while (r < 0 && errno == EINTR);
	if (r == 1) {
		printf("%d\n", (int)pid);
		exit(fflush(stdout) ? EXIT_ERROR : c == 'A' ? EXIT_ABANDONED : 0);
	}
	/* The child failed before holding: it said why; pass its status on. */
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	exit(WIFEXITED(ws) ? WEXITSTATUS(ws) : EXIT_ERROR);
}

/*
 * Keep the handles open until @ns passed (FOREVER: no limit) or SIGTERM,
 * SIGINT or SIGHUP arrives; then release the mutexes this thread holds and
 * close everything.  Announces readiness first: the pid on stdout, or
 * through the pipe to a --background parent.  Returns @status, or an error.
 */
static int hold(struct handle *h, int n, uint64_t ns, int status)
{
	struct timespec ts;
	sigset_t set;
	uint64_t end = 0;
	int ret = status;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);

	if (ready_fd >= 0) {
		char c = status == EXIT_ABANDONED ? 'A' : 'R';
		int null = open("/dev/null", O_RDWR);

		/* Detach from the caller's stdio: $(...) must see EOF. */
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			if (null > 2)
				close(null);
		}
		if (write(ready_fd, &c, 1) != 1)
			return EXIT_ERROR;
		close(ready_fd);
		ready_fd = -1;
	} else {
		printf("%d\n", (int)getpid());
		if (fflush(stdout))
			return EXIT_ERROR;
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "%s: holding %d handle%s; Ctrl-C or SIGTERM "
				"releases\n", prog, n, n == 1 ? "" : "s");
	}

	if (ns != FOREVER) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		end = (uint64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec + ns;
	}
	for (;;) {
		uint64_t now, left;
		int sig;

		if (ns == FOREVER) {
			sig = sigwaitinfo(&set, NULL);
		} else {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			now = (uint64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
			if (now >= end)
				break;
			left = end - now;
			ts.tv_sec = left / NS_PER_SEC;
			ts.tv_nsec = left % NS_PER_SEC;
			sig = sigtimedwait(&set, NULL, &ts);
		}
		if (sig > 0)
			break;
		if (errno != EINTR && errno != EAGAIN)
			break;
	}

	for (int i = 0; i < n; i++) {
		while (h[i].owned) {
			int err = winsync_mutex_release(h[i].fd, NULL);

			if (err < 0) {
				ret = fail(-err, "release mutex", h[i].name);
				break;
			}
			h[i].owned--;
		}
		close(h[i].fd);
	}
	return ret;
}

/* --hold and --background of a command: 0, or an exit status. */
struct hold_opts {
	bool hold;
	bool background;
	uint64_t ns;
};

static int hold_opts_get(struct args *a, struct hold_opts *ho)
{
	int ret;

	ho->hold = opt(a, "hold") != NULL;
	ho->background = opt(a, "background") != NULL;
	ho->ns = FOREVER;
	ret = duration_opt(a, "hold", &ho->ns);
	if (ret)
		return ret;
	if (ho->background && !ho->hold)
		return usage_error(a->cmd, "--background goes with --hold");
	return 0;
}

/* ---- opening objects by name ------------------------------------------ */

/*
 * Open @name with @access, as @type or, if @type is 0, as whatever type it
 * has.  Returns the handle or -errno, and the type through *typep (also on
 * EACCES: the type was found, the access refused).
 */
static int open_named(int dev, const char *name, uint32_t type, uint32_t access,
		      uint32_t *typep)
{
	static const uint32_t order[] = {
		WINSYNC_TYPE_EVENT, WINSYNC_TYPE_SEM, WINSYNC_TYPE_MUTEX,
		WINSYNC_TYPE_TIMER,
	};
	int fd = -EMEDIUMTYPE;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		uint32_t t = type ? type : order[i];

		/* A mutex handle never has MODIFY_STATE. */
		fd = winsync_open(dev, t, name,
				  t == WINSYNC_TYPE_MUTEX ? access & MUTEX_ACCESS : access,
				  0);
		if (fd >= 0 || fd == -EACCES) {
			*typep = t;
			return fd;
		}
		if (type || fd != -EMEDIUMTYPE)
			break;
	}
	return fd;
}

/*
 * The type of the object named @name: 0 or -errno.  It asks for no right,
 * which the module refuses with EACCES once it has found the name and its
 * type (modules before issue 13 gave a handle).
 */
static int probe_type(int dev, const char *name, uint32_t *typep)
{
	int fd = open_named(dev, name, 0, 0, typep);

	if (fd >= 0)
		close(fd);
	return fd == -EACCES ? 0 : fd < 0 ? fd : 0;
}

/* Like open_named(), with the message on failure: the handle or -status. */
static int open_or_fail(int dev, const char *name, uint32_t type,
			uint32_t access, uint32_t *typep)
{
	uint32_t t = 0;
	int fd = open_named(dev, name, type, access, &t);

	if (fd >= 0) {
		if (typep)
			*typep = t;
		return fd;
	}
	if (fd == -EMEDIUMTYPE && type) {
		uint32_t actual;

		if (!probe_type(dev, name, &actual)) {
			msg("'%s' is %s, not %s", name, a_type(actual), a_type(type));
			return -EXIT_ERROR;
		}
	}
	return -fail(-fd, "open", name);
}

/* ---- create, open ------------------------------------------------------- */

static int cmd_create(int argc, char **argv)
{
	struct opt opts[] = {
		OPT("manual", 0, OPT_FLAG), OPT("signaled", 0, OPT_FLAG),
		OPT("owned", 0, OPT_FLAG), OPT("count", 0, OPT_VALUE),
		OPT("max", 0, OPT_VALUE), OPT("mode", 0, OPT_VALUE),
		OPT("excl", 0, OPT_FLAG), OPT("hold", 0, OPT_DURATION),
		OPT("background", 'b', OPT_FLAG), OPT_END,
	};
	struct args a = { .cmd = "create ", .opts = opts };
	struct winsync_create_args c;
	struct hold_opts ho;
	struct handle h;
	uint32_t type, mode = 0600, count = 0, max = INT32_MAX;
	const char *name;
	int dev, fd, ret;

	ret = parse_args(&a, argc, argv);
	if (ret)
		return ret;
	if (a.npos != 2)
		return usage_error(a.cmd, "create needs a TYPE and a NAME");
	type = parse_type(a.pos[0]);
	if (!type)
		return usage_error(a.cmd, "unknown type '%s' (event, mutex, sem, timer)",
				   a.pos[0]);
	name = a.pos[1];
	ret = hold_opts_get(&a, &ho);
	if (ret)
		return ret;
	if (opt(&a, "mode") && !parse_mode(opt(&a, "mode")->value, &mode))
		return usage_error(a.cmd, "invalid mode '%s' (octal, e.g. 0644)",
				   opt(&a, "mode")->value);
	if (opt(&a, "manual") && type != WINSYNC_TYPE_EVENT && type != WINSYNC_TYPE_TIMER)
		return usage_error(a.cmd, "--manual is for events and timers");
	if (opt(&a, "signaled") && type != WINSYNC_TYPE_EVENT)
		return usage_error(a.cmd, "--signaled is for events");
	if (opt(&a, "owned") && type != WINSYNC_TYPE_MUTEX)
		return usage_error(a.cmd, "--owned is for mutexes");
	if (opt(&a, "owned") && !ho.hold)
		return usage_error(a.cmd, "--owned needs --hold: a mutex is owned "
				   "by a thread, and this process exits");
	if ((opt(&a, "count") || opt(&a, "max")) && type != WINSYNC_TYPE_SEM)
		return usage_error(a.cmd, "--count and --max are for semaphores");
	if (opt(&a, "count") && !parse_u32(opt(&a, "count")->value, &count))
		return usage_error(a.cmd, "invalid count '%s'", opt(&a, "count")->value);
	if (opt(&a, "max") && (!parse_u32(opt(&a, "max")->value, &max) || !max))
		return usage_error(a.cmd, "invalid maximum '%s' (1 or more)",
				   opt(&a, "max")->value);
	if (count > max)
		return usage_error(a.cmd, "--count %" PRIu32 " is above --max %" PRIu32,
				   count, max);
	if (strlen(name) > WINSYNC_NAME_MAX)
		return fail(ENAMETOOLONG, "create", name);

	if (ho.background && !background_start(&ret))
		return ret;
	dev = open_device();
	if (dev < 0)
		return EXIT_ERROR;

	memset(&c, 0, sizeof(c));
	c.type = type;
	c.access = WINSYNC_ACCESS_ALL;
	c.mode = mode;
	c.name = (uintptr_t)name;
	c.name_len = strlen(name);
	if (opt(&a, "manual"))
		c.flags |= WINSYNC_CREATE_MANUAL_RESET;
	if (opt(&a, "signaled"))
		c.flags |= WINSYNC_CREATE_SIGNALED;
	if (opt(&a, "owned"))
		c.flags |= WINSYNC_CREATE_OWNED;
	if (type == WINSYNC_TYPE_SEM) {
		c.sem_count = count;
		c.sem_max = max;
	}
	fd = winsync_create(dev, &c);
	close(dev);
	if (fd < 0)
		return fail(-fd, "create", name);
	if (c.status == WINSYNC_OPENED_EXISTING && opt(&a, "excl")) {
		close(fd);
		msg("'%s' already exists", name);
		return EXIT_EXISTS;
	}
	if (!ho.hold) {
		if (c.status == WINSYNC_CREATED)
			fprintf(stderr, "%s: note: '%s' is destroyed again as this "
				"command exits (its only handle closes); --hold keeps it\n",
				prog, name);
		close(fd);
		return 0;
	}
	h.name = name;
	h.fd = fd;
	h.type = type;
	/* Created owned: ours.  An existing mutex is not taken by create. */
	h.owned = opt(&a, "owned") && c.status == WINSYNC_CREATED;
	return hold(&h, 1, ho.ns, 0);
}

static int cmd_open(int argc, char **argv)
{
	struct opt opts[] = {
		OPT("hold", 0, OPT_DURATION), OPT("background", 'b', OPT_FLAG),
		OPT_END,
	};
	struct args a = { .cmd = "open ", .opts = opts };
	struct hold_opts ho;
	struct handle h;
	uint32_t type = 0;
	const char *name;
	int dev, fd, ret;

	ret = parse_args(&a, argc, argv);
	if (ret)
		return ret;
	if (a.npos == 2) {
		type = parse_type(a.pos[0]);
		if (!type)
			return usage_error(a.cmd, "unknown type '%s' (event, mutex, sem, timer)",
					   a.pos[0]);
	} else if (a.npos != 1) {
		return usage_error(a.cmd, "open needs a NAME (and may have a TYPE before it)");
	}
	name = a.pos[a.npos - 1];
	ret = hold_opts_get(&a, &ho);
	if (ret)
		return ret;
	if (ho.background && !background_start(&ret))
		return ret;
	dev = open_device();
	if (dev < 0)
		return EXIT_ERROR;
	/*
	 * The least right that keeps the object: SYNCHRONIZE needs read
	 * permission, DELETE write permission.  No right at all is refused.
	 */
	fd = open_named(dev, name, type, WINSYNC_ACCESS_SYNCHRONIZE, &type);
	if (fd == -EACCES)
		fd = open_named(dev, name, type, WINSYNC_ACCESS_DELETE, &type);
	if (fd < 0)
		fd = open_or_fail(dev, name, type, WINSYNC_ACCESS_SYNCHRONIZE, &type);
	close(dev);
	if (fd < 0)
		return -fd;
	if (!ho.hold) {
		close(fd);
		return 0;
	}
	h.name = name;
	h.fd = fd;
	h.type = type;
	h.owned = 0;
	return hold(&h, 1, ho.ns, 0);
}

/* ---- set, reset, pulse, release, timer-set, cancel ---------------------- */

/* Open the one NAME of a command with @access: the handle or -status. */
static int open_one(struct args *a, uint32_t type, uint32_t access)
{
	int dev, fd;

	dev = open_device();
	if (dev < 0)
		return -EXIT_ERROR;
	fd = open_or_fail(dev, a->pos[0], type, access, NULL);
	close(dev);
	return fd;
}

static int cmd_event_op(int argc, char **argv, const char *cmd)
{
	struct opt opts[] = { OPT_END };
	struct args a = { .cmd = cmd, .opts = opts };
	char what[32];
	int fd, ret;

	ret = parse_args(&a, argc, argv);
	if (ret)
		return ret;
	if (a.npos != 1)
		return usage_error(a.cmd, "%sneeds one NAME (an event)", cmd);
	fd = open_one(&a, WINSYNC_TYPE_EVENT, WINSYNC_ACCESS_MODIFY_STATE);
	if (fd < 0)
		return -fd;
	if (!strcmp(cmd, "set "))
		ret = winsync_event_set(fd, NULL);
	else if (!strcmp(cmd, "reset "))
		ret = winsync_event_reset(fd, NULL);
	else
		ret = winsync_event_pulse(fd, NULL);
	close(fd);
	snprintf(what, sizeof(what), "%.*s", (int)strlen(cmd) - 1, cmd);
	return ret < 0 ? fail(-ret, what, a.pos[0]) : 0;
}

static int cmd_set(int argc, char **argv)
{
	return cmd_event_op(argc, argv, "set ");
}

static int cmd_reset(int argc, char **argv)
{
	return cmd_event_op(argc, argv, "reset ");
}

static int cmd_pulse(int argc, char **argv)
{
	return cmd_event_op(argc, argv, "pulse ");
}

static int cmd_release(int argc, char **argv)
{
	struct opt opts[] = { OPT_END };
	struct args a = { .cmd = "release ", .opts = opts };
	uint32_t type = 0, n = 1;
	int fd, ret, first = 0;

	ret = parse_args(&a, argc, argv);
	if (ret)
		return ret;
	if (a.npos >= 2 && parse_type(a.pos[0])) {
		type = parse_type(a.pos[0]);
		first = 1;
	}
	if (a.npos - first < 1 || a.npos - first > 2)
		return usage_error(a.cmd, "release needs [sem|mutex] NAME [COUNT]");
	if (type && type != WINSYNC_TYPE_SEM && type != WINSYNC_TYPE_MUTEX)
		return usage_error(a.cmd, "only semaphores and mutexes are released");
	if (a.npos - first == 2 && (!parse_u32(a.pos[first + 1], &n) || !n))
		return usage_error(a.cmd, "invalid count '%s' (1 or more)",
				   a.pos[first + 1]);
	a.pos[0] = a.pos[first];
	if (!type) {
		int dev = open_device();

		if (dev < 0)
			return EXIT_ERROR;
		fd = probe_type(dev, a.pos[0], &type);
		close(dev);
		if (fd < 0)
			return fail(-fd, "open", a.pos[0]);
	}
	if (type == WINSYNC_TYPE_MUTEX) {
		msg("cannot release mutex '%s' from here: a mutex is owned by a "
		    "thread, and only that thread may release it", a.pos[0]);
		fprintf(stderr, "%s: hint: take it with 'winsync wait NAME --hold' "
			"(or create it with --owned --hold); ending that command "
			"(kill PID, Ctrl-C) releases it\n", prog);
		return EXIT_ERROR;
	}
	if (type != WINSYNC_TYPE_SEM) {
		msg("'%s' is %s: only semaphores and mutexes are released",
		    a.pos[0], a_type(type));
		return EXIT_ERROR;
	}
	fd = open_one(&a, WINSYNC_TYPE_SEM, WINSYNC_ACCESS_MODIFY_STATE);
	if (fd < 0)
		return -fd;
	ret = winsync_sem_release(fd, n, NULL);
	close(fd);
	if (ret == -EOVERFLOW) {
		msg("release '%s': the count would pass the semaphore's maximum; "
		    "nothing changed ('winsync list' shows count/max)", a.pos[0]);
		return EXIT_ERROR;
	}
	return ret < 0 ? fail(-ret, "release", a.pos[0]) : 0;
}

static int cmd_timer_set(int argc, char **argv)
{
	struct opt opts[] = {
		OPT("due", 0, OPT_VALUE), OPT("period", 0, OPT_VALUE),
		OPT("slack", 0, OPT_VALUE), OPT_END,
	};
	struct args a = { .cmd = "timer-set ", .opts = opts };
	struct winsync_timer_args t;
	uint64_t due = 0, period = 0, slack = 0;
	int fd, ret;

	ret = parse_args(&a, argc, argv);
	if (ret)
		return ret;
	if (a.npos != 1)
		return usage_error(a.cmd, "timer-set needs one NAME (a timer)");
	if (!opt(&a, "due"))
		return usage_error(a.cmd, "timer-set needs --due DURATION");
	if (!parse_duration(opt(&a, "due")->value, &due) || due == FOREVER)
		return usage_error(a.cmd, "invalid --due '%s'", opt(&a, "due")->value);
	if (opt(&a, "period") &&
	    (!parse_duration(opt(&a, "period")->value, &period) || period == FOREVER))
		return usage_error(a.cmd, "invalid --period '%s'",
				   opt(&a, "period")->value);
	if (period && period < WINSYNC_TIMER_MIN_PERIOD_NS)
		return usage_error(a.cmd, "a period is 0 or at least 1ms");
	if (opt(&a, "slack") &&
	    (!parse_duration(opt(&a, "slack")->value, &slack) || slack == FOREVER))
		return usage_error(a.cmd, "invalid --slack '%s'", opt(&a, "slack")->value);

	fd = open_one(&a, WINSYNC_TYPE_TIMER, WINSYNC_ACCESS_MODIFY_STATE);
	if (fd < 0)
		return -fd;
	memset(&t, 0, sizeof(t));
	t.due = (int64_t)due;
	t.period_ns = (int64_t)period;
	t.slack_ns = (int64_t)slack;
	ret = winsync_timer_set(fd, &t);
	close(fd);
	return ret < 0 ? fail(-ret, "timer-set", a.pos[0]) : 0;
}

static int cmd_cancel(int argc, char **argv)
{
	struct opt opts[] = { OPT_END };
	struct args a = { .cmd = "cancel ", .opts = opts };
	int fd, ret;

	ret = parse_args(&a, argc, argv);
	if (ret)
		return ret;
	if (a.npos != 1)
		return usage_error(a.cmd, "cancel needs one NAME (a timer)");
	fd = open_one(&a, WINSYNC_TYPE_TIMER, WINSYNC_ACCESS_MODIFY_STATE);
	if (fd < 0)
		return -fd;
	ret = winsync_timer_cancel(fd, NULL);
	close(fd);
	return ret < 0 ? fail(-ret, "cancel", a.pos[0]) : 0;
}

/* ---- wait --------------------------------------------------------------- */

static int cmd_wait(int argc, char **argv)
{
	struct opt opts[] = {
		OPT("timeout", 't', OPT_VALUE), OPT("all", 0, OPT_FLAG),
		OPT("hold", 0, OPT_DURATION), OPT("background", 'b', OPT_FLAG),
		OPT_END,
	};
	struct args a = { .cmd = "wait ", .opts = opts };
	struct handle h[WINSYNC_MAX_WAIT_OBJECTS];
	int fds[WINSYNC_MAX_WAIT_OBJECTS];
	uint64_t timeout = FOREVER, deadline;
	struct hold_opts ho;
	uint32_t index = 0;
	bool all;
	int dev, ret, status, n = 0;

	ret = parse_args(&a, argc, argv);
	if (ret)
		return ret;
	if (a.npos < 1)
		return usage_error(a.cmd, "wait needs a NAME");
	if (a.npos > WINSYNC_MAX_WAIT_OBJECTS)
		return usage_error(a.cmd, "at most %d names", WINSYNC_MAX_WAIT_OBJECTS);
	all = opt(&a, "all") != NULL;
	if (opt(&a, "timeout") &&
	    !parse_duration(opt(&a, "timeout")->value, &timeout))
		return usage_error(a.cmd, "invalid --timeout '%s' (examples: 5s, "
				   "100ms, 0, forever)", opt(&a, "timeout")->value);
	ret = hold_opts_get(&a, &ho);
	if (ret)
		return ret;

	if (ho.background && !background_start(&ret))
		return ret;
	dev = open_device();
	if (dev < 0)
		return EXIT_ERROR;
	for (n = 0; n < a.npos; n++) {
		int fd = open_or_fail(dev, a.pos[n], 0, WINSYNC_ACCESS_SYNCHRONIZE,
				      &h[n].type);

		if (fd < 0) {
			while (n--)
				close(h[n].fd);
			close(dev);
			return -fd;
		}
		h[n].name = a.pos[n];
		h[n].fd = fds[n] = fd;
		h[n].owned = 0;
	}

	deadline = timeout == FOREVER ? WINSYNC_TIMEOUT_INFINITE :
		   winsync_deadline_after_ns((int64_t)timeout);
	if (all)
		status = winsync_wait_all(dev, fds, n, deadline);
	else
		status = winsync_wait_any(dev, fds, n, deadline, &index);
	close(dev);
	if (status < 0) {
		for (int i = 0; i < n; i++)
			close(h[i].fd);
		if (status == -ETIMEDOUT)
			return EXIT_TIMEOUT;
		if (status == -EINVAL && all)
			msg("wait --all: an object may appear only once (two names "
			    "for one object?)");
		return fail(-status, "wait", NULL);
	}

	/* What was acquired: the object at index, or all of them. */
	for (int i = 0; i < n; i++)
		if ((all || (uint32_t)i == index) && h[i].type == WINSYNC_TYPE_MUTEX)
			h[i].owned = 1;
	ret = 0;
	if (status == WINSYNC_WAIT_STATUS_ABANDONED) {
		msg("'%s' was an abandoned mutex: its previous owner died holding "
		    "it, what it protects may be inconsistent", h[index].name);
		ret = EXIT_ABANDONED;
	}
	if (!all && n > 1 && !ho.background)
		printf("%s\n", h[index].name);
	if (ho.hold)
		return hold(h, n, ho.ns, ret);

	/* Not holding: what was taken goes back at once. */
	for (int i = 0; i < n; i++) {
		if (h[i].owned) {
			int err = winsync_mutex_release(h[i].fd, NULL);

			if (err < 0)
				ret = fail(-err, "release mutex", h[i].name);
		}
		close(h[i].fd);
	}
	return ret;
}

/* ---- text and JSON output ----------------------------------------------- */

/* Length of the valid UTF-8 sequence at @s (at most @len bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/*
 * A name for a terminal: control bytes and invalid UTF-8 as octal escapes
 * (\ooo), as /proc/PID/fdinfo shows them.
 */
static void put_name_text(FILE *f, const char *prefix, const char *name,
			  size_t len)
{
	const unsigned char *s = (const unsigned char *)name;

	fputs(prefix, f);
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(s + i, len - i);

		if (n == 0 || s[i] < 0x20 || s[i] == 0x7f) {
			fprintf(f, "\\%03o", s[i]);
			i++;
			continue;
		}
		fwrite(s + i, 1, n, f);
		i += n;
	}
}

/*
 * A JSON string (RFC 8259): quotes, backslashes and control characters
 * escaped; bytes that are not valid UTF-8 become U+FFFD (json_hex() gives
 * the exact bytes).
 */
static void json_string(FILE *f, const char *prefix, const char *name,
			size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t plen = strlen(prefix);

	fputc('"', f);
	for (size_t i = 0; i < plen + len;) {
		const unsigned char *p = i < plen ? (const unsigned char *)prefix + i
						  : s + (i - plen);
		size_t left = i < plen ? plen - i : plen + len - i;
		size_t n = utf8_seq(p, left);

		if (n == 0) {
			fputs("\\ufffd", f);
			i++;
		} else if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p);
			i++;
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
			i++;
		} else {
			fwrite(p, 1, n, f);
			i += n;
		}
	}
	fputc('"', f);
}

static void json_hex(FILE *f, const char *prefix, const char *name, size_t len)
{
	fputc('"', f);
	for (const char *p = prefix; *p; p++)
		fprintf(f, "%02x", (unsigned char)*p);
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", (unsigned char)name[i]);
	fputc('"', f);
}

static const char *json_bool(bool b)
{
	return b ? "true" : "false";
}

/* Finish writing stdout: 0, or the status for a write error. */
static int flush_stdout(void)
{
	if (fflush(stdout) || ferror(stdout)) {
		msg("write error on standard output: %s", strerror(errno));
		return EXIT_ERROR;
	}
	return 0;
}

/* ---- info --------------------------------------------------------------- */

static const char *const feature_names[] = {
	"semaphore", "mutex", "event", "timer", "wait", "names",
	"owner-death", "poll", "list", "trace",
};
#define NFEATURES (sizeof(feature_names) / sizeof(feature_names[0]))

static int cmd_info(int argc, char **argv)
{
	struct opt opts[] = { OPT("json", 'j', OPT_FLAG), OPT_END };
	struct args a = { .cmd = "info ", .opts = opts };
	struct winsync_info info;
	bool json, first = true;
	int dev, ret;

	ret = parse_args(&a, argc, argv);
	if (ret)
		return ret;
	if (a.npos)
		return usage_error(a.cmd, "info takes no argument");
	json = opt(&a, "json") != NULL;
	dev = open_device();
	if (dev < 0)
		return EXIT_ERROR;
	memset(&info, 0, sizeof(info));
	ret = winsync_get_info(dev, &info);
	close(dev);
	if (ret < 0)
		return fail(-ret, "get info", NULL);

	if (json) {
		printf("{\n  \"device\": \"%s\",\n", WINSYNC_DEVICE_PATH);
		printf("  \"version\": \"%u.%u.%u\",\n", info.version_major,
		       info.version_minor, info.version_patch);
		printf("  \"abi_version\": %u,\n", info.abi_version);
		printf("  \"features\": [");
	} else {
		printf("device:            %s\n", WINSYNC_DEVICE_PATH);
		printf("module version:    %u.%u.%u\n", info.version_major,
		       info.version_minor, info.version_patch);
		printf("ABI version:       %u\n", info.abi_version);
		printf("features:         ");
	}
	for (unsigned int bit = 0; bit < 64; bit++) {
		char other[24];
		const char *fname = other;

		if (!(info.features & (1ULL << bit)))
			continue;
		if (bit < NFEATURES)
			fname = feature_names[bit];
		else
			snprintf(other, sizeof(other), "bit%u", bit);
		if (json)
			printf("%s\"%s\"", first ? "" : ", ", fname);
		else
			printf(" %s", fname);
		first = false;
	}
	if (json) {
		printf("],\n  \"features_mask\": %llu,\n",
		       (unsigned long long)info.features);
		printf("  \"max_wait_objects\": %u,\n", info.max_wait_objects);
		printf("  \"max_name_len\": %u,\n", info.max_name_len);
		printf("  \"live_objects\": %llu,\n",
		       (unsigned long long)info.live_objects);
		printf("  \"max_user_objects\": %u,\n", info.max_user_objects);
		printf("  \"tool_version\": \"%s\"\n}\n", WINSYNC_VERSION);
	} else {
		printf("\nmax wait objects:  %u\n", info.max_wait_objects);
		printf("max name length:   %u bytes\n", info.max_name_len);
		printf("live objects:      %llu (all users' with CAP_SYS_ADMIN, else your user's)\n",
		       (unsigned long long)info.live_objects);
		if (info.max_user_objects)
			printf("max user objects:  %u (per user)\n",
			       info.max_user_objects);
		else
			printf("max user objects:  no limit\n");
		printf("tool version:      %s\n", WINSYNC_VERSION);
	}
	return flush_stdout();
}

/* ---- list --------------------------------------------------------------- */

/*
 * The named objects visible to the caller; *countp entries, NULL on
 * failure (after a message, status in *status).  The set may change between
 * the call that sizes the array and the one that fills it: a few tries.
 */
static struct winsync_list_entry *list_objects(int dev, uint32_t *countp,
					       int *status)
{
	struct winsync_list_entry *e = NULL;
	struct winsync_list_args la;

	for (int tries = 0; tries < 8; tries++) {
		uint32_t cap;

		memset(&la, 0, sizeof(la));
		if (ioctl(dev, WINSYNC_IOC_LIST, &la) < 0)
			goto fail;
		cap = la.total + 16;
		free(e);
		e = calloc(cap, sizeof(*e));
		if (!e) {
			*status = fail(ENOMEM, "list", NULL);
			return NULL;
		}
		memset(&la, 0, sizeof(la));
		la.entries = (uintptr_t)e;
		la.capacity = cap;
		if (ioctl(dev, WINSYNC_IOC_LIST, &la) < 0)
			goto fail;
		if (la.count == la.total)
			break;
	}
	if (la.count < la.total)
		msg("warning: objects come and go too fast: %u of %u listed",
		    la.count, la.total);
	*countp = la.count;
	return e;
fail:
	*status = fail(errno, "list", NULL);
	free(e);
	return NULL;
}

/* The name of uid/gid @id in /etc/passwd or /etc/group, else its number. */
static const char *id_name(const char *file, uint32_t id, char *buf, size_t len)
{
	char line[1024];
	FILE *f = fopen(file, "re");

	snprintf(buf, len, "%" PRIu32, id);
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f)) {
		char *name = strtok(line, ":"), *pw, *num, *end;

		pw = name ? strtok(NULL, ":") : NULL;
		num = pw ? strtok(NULL, ":") : NULL;
		if (!num || !*num)
			continue;
		if (strtoul(num, &end, 10) == id && *end == 0) {
			snprintf(buf, len, "%s", name);
			break;
		}
	}
	fclose(f);
	return buf;
}

static void state_text(const struct winsync_list_entry *e, char *buf, size_t len)
{
	const char *reset = e->flags & WINSYNC_INFO_MANUAL_RESET ?
			    "manual-reset" : "auto-reset";
	const char *sig = e->signaled ? "signaled" : "nonsignaled";

	switch (e->type) {
	case WINSYNC_TYPE_SEM:
		snprintf(buf, len, "count %u/%u", e->count, e->max);
		break;
	case WINSYNC_TYPE_MUTEX:
		if (e->signaled)
			snprintf(buf, len, "free%s", e->flags & WINSYNC_INFO_ABANDONED ?
				 ", abandoned" : "");
		else if (e->owner_tid)
			snprintf(buf, len, "owner %u, recursion %u", e->owner_tid,
				 e->count);
		else
			snprintf(buf, len, "owned (by a thread out of sight), "
				 "recursion %u", e->count);
		break;
	case WINSYNC_TYPE_EVENT:
		snprintf(buf, len, "%s, %s", sig, reset);
		break;
	case WINSYNC_TYPE_TIMER:
		snprintf(buf, len, "%s, %s, %s, %llu expirations", sig, reset,
			 e->flags & WINSYNC_INFO_ACTIVE ? "active" : "inactive",
			 (unsigned long long)e->timer_expirations);
		break;
	default:
		snprintf(buf, len, "?");
	}
}

static const char *short_type(uint32_t type)
{
	return type == WINSYNC_TYPE_SEM ? "sem" : type_name(type);
}

static void list_json(const struct winsync_list_entry *e, uint32_t n)
{
	printf("{\n  \"total\": %u,\n  \"objects\": [", n);
	for (uint32_t i = 0; i < n; i++, e++) {
		const char *prefix = e->flags & WINSYNC_INFO_GLOBAL ? "Global\\" : "Local\\";
		uint32_t len = e->name_len > WINSYNC_NAME_MAX ? WINSYNC_NAME_MAX : e->name_len;

		printf("%s\n    {\"id\": %llu, \"type\": \"%s\", \"name\": ",
		       i ? "," : "", (unsigned long long)e->id, type_name(e->type));
		json_string(stdout, prefix, e->name, len);
		printf(", \"name_hex\": ");
		json_hex(stdout, prefix, e->name, len);
		printf(", \"global\": %s, \"signaled\": %s",
		       json_bool(e->flags & WINSYNC_INFO_GLOBAL), json_bool(e->signaled));
		switch (e->type) {
		case WINSYNC_TYPE_SEM:
			printf(", \"count\": %u, \"max\": %u", e->count, e->max);
			break;
		case WINSYNC_TYPE_MUTEX:
			printf(", \"owner_tid\": %u, \"recursion\": %u, \"abandoned\": %s",
			       e->owner_tid, e->count,
			       json_bool(e->flags & WINSYNC_INFO_ABANDONED));
			break;
		case WINSYNC_TYPE_EVENT:
			printf(", \"manual_reset\": %s",
			       json_bool(e->flags & WINSYNC_INFO_MANUAL_RESET));
			break;
		case WINSYNC_TYPE_TIMER:
			printf(", \"manual_reset\": %s, \"active\": %s, \"expirations\": %llu",
			       json_bool(e->flags & WINSYNC_INFO_MANUAL_RESET),
			       json_bool(e->flags & WINSYNC_INFO_ACTIVE),
			       (unsigned long long)e->timer_expirations);
			break;
		}
		printf(", \"uid\": %u, \"gid\": %u, \"mode\": \"%04o\", "
		       "\"handles\": %u, \"waiters\": %u}",
		       e->uid, e->gid, e->mode, e->refs, e->waiters);
	}
	printf("%s]\n}\n", n ? "\n  " : "");
}

#define NCOLS 9

static void list_text(const struct winsync_list_entry *e, uint32_t n,
		      bool numeric)
{
	static const char *const head[NCOLS - 1] = {
		"ID", "TYPE", "OWNER", "GROUP", "MODE", "HANDLES", "WAITERS", "STATE",
	};
	int width[NCOLS - 1];
	char (*cells)[NCOLS - 1][80] = calloc(n ? n : 1, sizeof(*cells));

	if (!cells) {
		msg("out of memory");
		return;
	}
	for (int c = 0; c < NCOLS - 1; c++)
		width[c] = strlen(head[c]);
	for (uint32_t i = 0; i < n; i++) {
		char (*r)[80] = cells[i];

		snprintf(r[0], 80, "%llu", (unsigned long long)e[i].id);
		snprintf(r[1], 80, "%s", short_type(e[i].type));
		if (numeric) {
			snprintf(r[2], 80, "%u", e[i].uid);
			snprintf(r[3], 80, "%u", e[i].gid);
		} else {
			id_name("/etc/passwd", e[i].uid, r[2], 80);
			id_name("/etc/group", e[i].gid, r[3], 80);
		}
		snprintf(r[4], 80, "%04o", e[i].mode);
		snprintf(r[5], 80, "%u", e[i].refs);
		snprintf(r[6], 80, "%u", e[i].waiters);
		state_text(&e[i], r[7], 80);
		for (int c = 0; c < NCOLS - 1; c++)
			if ((int)strlen(r[c]) > width[c])
				width[c] = strlen(r[c]);
	}
	for (int c = 0; c < NCOLS - 1; c++)
		printf("%-*s  ", width[c], head[c]);
	printf("NAME\n");
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = e[i].name_len > WINSYNC_NAME_MAX ? WINSYNC_NAME_MAX
								 : e[i].name_len;

		for (int c = 0; c < NCOLS - 1; c++)
			printf("%-*s  ", width[c], cells[i][c]);
		put_name_text(stdout, e[i].flags & WINSYNC_INFO_GLOBAL ?
			      "Global\\" : "Local\\", e[i].name, len);
		putchar('\n');
	}
	free(cells);
}

static int cmd_list(int argc, char **argv)
{
	struct opt opts[] = {
		OPT("json", 'j', OPT_FLAG), OPT("numeric", 'n', OPT_FLAG), OPT_END,
	};
	struct args a = { .cmd = "list ", .opts = opts };
	struct winsync_list_entry *e;
	uint32_t n = 0;
	int dev, ret;

	ret = parse_args(&a, argc, argv);
	if (ret)
		return ret;
	if (a.npos)
		return usage_error(a.cmd, "list takes no argument");
	dev = open_device();
	if (dev < 0)
		return EXIT_ERROR;
	e = list_objects(dev, &n, &ret);
	close(dev);
	if (!e)
		return ret;
	if (opt(&a, "json"))
		list_json(e, n);
	else
		list_text(e, n, opt(&a, "numeric") != NULL);
	free(e);
	return flush_stdout();
}

/* ---- main --------------------------------------------------------------- */

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *synopsis;
} commands[] = {
	{ "list", cmd_list, "list [--json] [-n|--numeric]" },
	{ "info", cmd_info, "info [--json]" },
	{ "create", cmd_create, "create TYPE NAME [--manual] [--signaled] [--owned]\n"
	  "                  [--count N] [--max N] [--mode MODE] [--excl] [HOLD]" },
	{ "open", cmd_open, "open [TYPE] NAME [HOLD]" },
	{ "wait", cmd_wait, "wait NAME... [--all] [--timeout DURATION] [HOLD]" },
	{ "set", cmd_set, "set NAME" },
	{ "reset", cmd_reset, "reset NAME" },
	{ "pulse", cmd_pulse, "pulse NAME" },
	{ "release", cmd_release, "release [sem] NAME [COUNT]" },
	{ "timer-set", cmd_timer_set, "timer-set NAME --due DURATION [--period DURATION]\n"
	  "                  [--slack DURATION]" },
	{ "cancel", cmd_cancel, "cancel NAME" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s COMMAND [ARGS]\n\n"
		"List, inspect and drive winsync synchronization objects "
		"(" WINSYNC_DEVICE_PATH ").\n\nCommands:\n", prog);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s %s\n", prog, commands[i].synopsis);
	fprintf(f, "\n"
		"TYPE is event, mutex, sem (semaphore) or timer.  NAME is Global\\NAME,\n"
		"Local\\NAME or NAME (= Local\\NAME); quote the backslash in a shell.\n"
		"HOLD is --hold [DURATION] [--background]: keep the handles open (a\n"
		"mutex taken by wait stays owned) until DURATION passed (default:\n"
		"forever) or SIGTERM/SIGINT/SIGHUP; the holder's pid is printed on a\n"
		"line once it holds them.  --background returns at that point and\n"
		"leaves the holder running.  DURATION: 5s, 100ms, 250us, 1.5, 2m,\n"
		"forever.\n\n"
		"Exit status: 0 success, 1 wait timed out, 2 error, 3 no such name,\n"
		"4 name exists (create --excl), 5 acquired an abandoned mutex.\n"
		"See winsync(1).\n");
}

int winsync_cli_main(int argc, char **argv);

int winsync_cli_main(int argc, char **argv)
{
	const char *cmd;
	int status;

	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return flush_stdout();
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("winsync %s\n", WINSYNC_VERSION);
		return flush_stdout();
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(cmd, commands[i].name))
			continue;
		for (int j = 2; j < argc && strcmp(argv[j], "--"); j++) {
			if (!strcmp(argv[j], "--help") || !strcmp(argv[j], "-h")) {
				printf("Usage: %s %s\n", prog, commands[i].synopsis);
				printf("See '%s --help' and winsync(1).\n", prog);
				return flush_stdout();
			}
		}
		status = commands[i].fn(argc - 2, argv + 2);
		/* A --background parent never gets here; a holder child may. */
		fflush(NULL);
		return status;
	}
	return usage_error(NULL, "unknown command '%s'", cmd);
}

#ifndef WINSYNC_CLI_NO_MAIN
int main(int argc, char **argv)
{
	return winsync_cli_main(argc, argv);
}
#endif
