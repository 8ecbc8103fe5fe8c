// SPDX-License-Identifier: GPL-2.0
/*
 * winsync selftest: the winsync command-line tool (tools/cli/winsync.c).
 *
 * This program is the tool as well: it is linked with tools/cli/winsync.c
 * and runs as the CLI when called as "winsync" (busybox style), so the test
 * VM needs no second file.  Each test runs shell commands (sh -c) with a
 * directory first in PATH whose "winsync" is a symlink to this program (or
 * to $WS_CLI, to test another build of the tool), as root or as uid 1000,
 * and checks exit statuses, messages and output; --json output goes through
 * a small strict JSON parser (RFC 8259), whose own rejections are tested
 * too.
 *
 * Holders that --background leaves running would be orphans; each test is
 * a child subreaper, so they become its children, and it ends and reaps
 * them.  Names carry the pid of the test.  Tests that switch to uid 1000
 * need root; the rest run as any user.
 */
#include <ctype.h>
#include <grp.h>
#include <libgen.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "winsync_test.h"

#define USER_UID	1000
#define USER_GID	1000
/* Bound of one shell command (the machine may be emulated). */
#define RUN_MS		(3 * WS_LONG_MS)

#define NEED_ROOT() do {						\
	if (geteuid() != 0)						\
		SKIP(return, "needs root (runs commands as uid %d)", USER_UID); \
} while (0)

int winsync_cli_main(int argc, char **argv);

/* The directory with the "winsync" link, first in the commands' PATH. */
static char bindir[64];

/* ---- a strict JSON parser ---- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype t;
	bool b;
	double num;
	char *s;		/* J_STR: UTF-8, NUL-terminated (no NUL inside) */
	size_t n;		/* J_ARR, J_OBJ: members */
	struct jval **items;
	char **keys;		/* J_OBJ */
};

struct jparser {
	const char *p, *end;
	int depth;
};

static void jfree(struct jval *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		jfree(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
	free(v);
}

static void jskip_ws(struct jparser *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' ||
				   *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static int jhex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t jput_utf8(char *out, unsigned int cp)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | (cp >> 12 & 0x3f);
	out[2] = 0x80 | (cp >> 6 & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* Length of a valid UTF-8 sequence at @s, or 0. */
static size_t jutf8_len(const unsigned char *s, size_t left)
{
	unsigned int cp;
	size_t n;

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
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* A string after its opening quote: malloc'd UTF-8, or NULL if invalid. */
static char *jstring(struct jparser *jp)
{
	char *out = malloc(jp->end - jp->p + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	while (jp->p < jp->end) {
		unsigned char c = *jp->p;

		if (c == '"') {
			jp->p++;
			out[o] = 0;
			return out;
		}
		if (c < 0x20)
			break;
		if (c == '\\') {
			int cp;

			if (jp->end - jp->p < 2)
				break;
			c = jp->p[1];
			jp->p += 2;
			switch (c) {
			case '"': case '\\': case '/':
				out[o++] = c;
				continue;
			case 'b': out[o++] = '\b'; continue;
			case 'f': out[o++] = '\f'; continue;
			case 'n': out[o++] = '\n'; continue;
			case 'r': out[o++] = '\r'; continue;
			case 't': out[o++] = '\t'; continue;
			case 'u':
				break;
			default:
				goto bad;
			}
			if (jp->end - jp->p < 4 || (cp = jhex4(jp->p)) < 0)
				goto bad;
			jp->p += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				goto bad;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				int lo;

				if (jp->end - jp->p < 6 || jp->p[0] != '\\' ||
				    jp->p[1] != 'u' || (lo = jhex4(jp->p + 2)) < 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				jp->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			/* A NUL would end the C string: not in our output. */
			if (!cp)
				goto bad;
			o += jput_utf8(out + o, cp);
			continue;
		}
		{
			size_t n = jutf8_len((const unsigned char *)jp->p,
					     jp->end - jp->p);

			if (!n)
				goto bad;
			memcpy(out + o, jp->p, n);
			o += n;
			jp->p += n;
		}
	}
bad:
	free(out);
	return NULL;
}

static bool jnumber(struct jparser *jp, double *num)
{
	const char *s = jp->p, *p = s;
	char buf[64];

	if (p < jp->end && *p == '-')
		p++;
	if (p < jp->end && *p == '0')
		p++;
	else if (p < jp->end && *p >= '1' && *p <= '9')
		while (p < jp->end && isdigit((unsigned char)*p))
			p++;
	else
		return false;
	if (p < jp->end && *p == '.') {
		p++;
		if (p >= jp->end || !isdigit((unsigned char)*p))
			return false;
		while (p < jp->end && isdigit((unsigned char)*p))
			p++;
	}
	if (p < jp->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < jp->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= jp->end || !isdigit((unsigned char)*p))
			return false;
		while (p < jp->end && isdigit((unsigned char)*p))
			p++;
	}
	if ((size_t)(p - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, p - s);
	buf[p - s] = 0;
	*num = strtod(buf, NULL);
	jp->p = p;
	return true;
}

static struct jval *jvalue(struct jparser *jp);

static bool jappend(struct jval *v, char *key, struct jval *item)
{
	struct jval **items = realloc(v->items, (v->n + 1) * sizeof(*items));

	if (!items)
		return false;
	v->items = items;
	if (v->t == J_OBJ) {
		char **keys = realloc(v->keys, (v->n + 1) * sizeof(*keys));

		if (!keys)
			return false;
		v->keys = keys;
		v->keys[v->n] = key;
	}
	v->items[v->n++] = item;
	return true;
}

/* An array or object after its opening bracket. */
static struct jval *jcontainer(struct jparser *jp, struct jval *v, char close)
{
	jskip_ws(jp);
	if (jp->p < jp->end && *jp->p == close) {
		jp->p++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct jval *item;

		jskip_ws(jp);
		if (v->t == J_OBJ) {
			if (jp->p >= jp->end || *jp->p != '"')
				goto bad;
			jp->p++;
			key = jstring(jp);
			if (!key)
				goto bad;
			for (size_t i = 0; i < v->n; i++)
				if (!strcmp(v->keys[i], key)) {
					free(key);
					goto bad;	/* duplicate key */
				}
			jskip_ws(jp);
			if (jp->p >= jp->end || *jp->p != ':') {
				free(key);
				goto bad;
			}
			jp->p++;
		}
		item = jvalue(jp);
		if (!item || !jappend(v, key, item)) {
			free(key);
			jfree(item);
			goto bad;
		}
		jskip_ws(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			continue;
		}
		if (jp->p < jp->end && *jp->p == close) {
			jp->p++;
			return v;
		}
		goto bad;
	}
bad:
	jfree(v);
	return NULL;
}

static struct jval *jvalue(struct jparser *jp)
{
	struct jval *v;

	jskip_ws(jp);
	if (jp->p >= jp->end || ++jp->depth > 32)
		return NULL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	switch (*jp->p) {
	case '{':
		jp->p++;
		v->t = J_OBJ;
		v = jcontainer(jp, v, '}');
		break;
	case '[':
		jp->p++;
		v->t = J_ARR;
		v = jcontainer(jp, v, ']');
		break;
	case '"':
		jp->p++;
		v->t = J_STR;
		v->s = jstring(jp);
		if (!v->s) {
			jfree(v);
			v = NULL;
		}
		break;
	default:
		if (jp->end - jp->p >= 4 && !memcmp(jp->p, "true", 4)) {
			v->t = J_BOOL;
			v->b = true;
			jp->p += 4;
		} else if (jp->end - jp->p >= 5 && !memcmp(jp->p, "false", 5)) {
			v->t = J_BOOL;
			jp->p += 5;
		} else if (jp->end - jp->p >= 4 && !memcmp(jp->p, "null", 4)) {
			v->t = J_NULL;
			jp->p += 4;
		} else if (jnumber(jp, &v->num)) {
			v->t = J_NUM;
		} else {
			jfree(v);
			v = NULL;
		}
	}
	jp->depth--;
	return v;
}

/* Parse a whole JSON text: the value, or NULL if it is not valid JSON. */
static struct jval *jparse(const char *text)
{
	struct jparser jp = { .p = text, .end = text + strlen(text) };
	struct jval *v = jvalue(&jp);

	jskip_ws(&jp);
	if (v && jp.p != jp.end) {
		jfree(v);
		return NULL;
	}
	return v;
}

static const struct jval *jget(const struct jval *o, const char *key)
{
	if (!o || o->t != J_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return o->items[i];
	return NULL;
}

static double jnum(const struct jval *o, const char *key)
{
	const struct jval *v = jget(o, key);

	return v && v->t == J_NUM ? v->num : -1;
}

/* 1 true, 0 false, -1 missing or not a boolean. */
static int jbool(const struct jval *o, const char *key)
{
	const struct jval *v = jget(o, key);

	return v && v->t == J_BOOL ? v->b : -1;
}

static const char *jstr(const struct jval *o, const char *key)
{
	const struct jval *v = jget(o, key);

	return v && v->t == J_STR ? v->s : NULL;
}

/* The member of list --json's "objects" named @name, or NULL. */
static const struct jval *jobject_named(const struct jval *list, const char *name)
{
	const struct jval *objs = jget(list, "objects");

	if (!objs || objs->t != J_ARR)
		return NULL;
	for (size_t i = 0; i < objs->n; i++) {
		const char *s = jstr(objs->items[i], "name");

		if (s && !strcmp(s, name))
			return objs->items[i];
	}
	return NULL;
}

/* ---- running commands ---- */

struct out {
	int status;		/* exit status, -1 if killed or timed out */
	char out[65536];
	char err[16384];
};

static void become_user(void)
{
	if (setgroups(0, NULL) || setresgid(USER_GID, USER_GID, USER_GID) ||
	    setresuid(USER_UID, USER_UID, USER_UID))
		_exit(126);
}

static void exec_sh(const char *cmd, bool as_user)
{
	char path[256];

	if (as_user)
		become_user();
	snprintf(path, sizeof(path), "%s:/usr/sbin:/usr/bin:/sbin:/bin", bindir);
	setenv("PATH", path, 1);
	setenv("LC_ALL", "C", 1);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* Run `sh -c CMD`, as uid 1000 if @as_user; fills @o, returns the status. */
static int __attribute__((format(printf, 3, 4)))
run(struct out *o, bool as_user, const char *fmt, ...)
{
	char cmd[4096];
	int pout[2], perr[2];
	size_t lo = 0, le = 0;
	__u64 end = ws_deadline_ms(RUN_MS);
	va_list ap;
	pid_t pid;
	int open_fds = 2;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	o->status = -1;
	o->out[0] = o->err[0] = 0;
	if (pipe2(pout, O_CLOEXEC) || pipe2(perr, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		exec_sh(cmd, as_user);
	}
	close(pout[1]);
	close(perr[1]);
	while (open_fds && ws_now(CLOCK_MONOTONIC) < end) {
		struct pollfd pfd[2] = {
			{ .fd = pout[0], .events = POLLIN },
			{ .fd = perr[0], .events = POLLIN },
		};

		if (poll(pfd, 2, 100) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			char *buf = i ? o->err : o->out;
			size_t cap = i ? sizeof(o->err) : sizeof(o->out);
			size_t *len = i ? &le : &lo;
			ssize_t r;

			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP)))
				continue;
			r = read(pfd[i].fd, buf + *len, cap - 1 - *len);
			if (r > 0) {
				*len += r;
				buf[*len] = 0;
			} else if (r == 0 || cap - 1 == *len) {
				close(i ? perr[0] : pout[0]);
				if (i)
					perr[0] = -1;
				else
					pout[0] = -1;
				open_fds--;
			}
		}
	}
	if (pout[0] >= 0)
		close(pout[0]);
	if (perr[0] >= 0)
		close(perr[0]);
	o->status = ws_reap(pid, open_fds ? 0 : RUN_MS);
	return o->status;
}

/* Start `sh -c CMD` without waiting; stdout+stderr go to @log. */
static pid_t __attribute__((format(printf, 3, 4)))
spawn(const char *log, bool as_user, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);

		if (fd < 0)
			_exit(125);
		fchmod(fd, 0666);
		dup2(fd, 1);
		dup2(fd, 2);
		exec_sh(cmd, as_user);
	}
	return pid;
}

static char *slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

/* Holders started by the current test, ended by stop_holders(). */
static pid_t holders[32];
static int nholders;

/*
 * Run a command that prints a --background holder's pid; remember it.
 * Returns the pid, or -1 (@o tells why).
 */
static pid_t __attribute__((format(printf, 3, 4)))
holder(struct out *o, bool as_user, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	long pid;
	char *end;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (run(o, as_user, "%s", cmd) != 0)
		return -1;
	pid = strtol(o->out, &end, 10);
	if (pid <= 0 || *end != '\n' || end[1])
		return -1;
	if (nholders < (int)(sizeof(holders) / sizeof(holders[0])))
		holders[nholders++] = pid;
	return pid;
}

/* End a holder with @sig and reap it (we are its subreaper): its status. */
static int stop_holder(pid_t pid, int sig)
{
	int status;

	kill(pid, sig);
	for (int i = 0; i < nholders; i++)
		if (holders[i] == pid)
			holders[i] = 0;
	status = ws_reap(pid, WS_LONG_MS);
	return status;
}

static void stop_holders(void)
{
	for (int i = 0; i < nholders; i++)
		if (holders[i] > 0)
			stop_holder(holders[i], SIGTERM);
	nholders = 0;
	/* Any other orphan that came to us. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void test_start(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	nholders = 0;
}

/* Quoted for sh: 'PREFIX' "ws-cli-PID-" TAG (no quote in any of them). */
static const char *nm(char *buf, size_t len, const char *prefix, const char *tag)
{
	snprintf(buf, len, "%sws-cli-%d-%s", prefix, (int)getpid(), tag);
	return buf;
}

/* list --json as root (or the user): parsed, or NULL. */
static struct jval *list_json(struct out *o, bool as_user)
{
	if (run(o, as_user, "winsync list --json") != 0)
		return NULL;
	return jparse(o->out);
}

/* The line of a `winsync list` table that ends with "  NAME": true if found. */
static bool line_of(const char *table, const char *name, char *line, size_t len)
{
	size_t nlen = strlen(name);

	for (const char *l = table; *l; ) {
		const char *eol = strchr(l, '\n');
		size_t llen = eol ? (size_t)(eol - l) : strlen(l);

		if (llen > nlen + 2 && !memcmp(l + llen - nlen - 2, "  ", 2) &&
		    !memcmp(l + llen - nlen, name, nlen) && llen < len) {
			memcpy(line, l, llen);
			line[llen] = 0;
			return true;
		}
		if (!eol)
			break;
		l = eol + 1;
	}
	return false;
}

/* ---- the checker itself ---- */

TEST(json_parser_is_strict)
{
	static const char *const good[] = {
		"{}", "[]", "0", "-0.5e+3", "\"a\\u00e9\\ud83d\\ude00\\\"\\\\\\/\"",
		"{\"a\": [1, true, false, null, {\"b\": \"\xc3\xa9\"}]}",
		" \t\r\n{\"x\":1} \n",
	};
	static const char *const bad[] = {
		"", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{a:1}", "01", "1.",
		".5", "+1", "\"\t\"", "\"\x01\"", "\"\xff\"", "\"\xc0\xaf\"",
		"\"\xed\xa0\x80\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\x41\"",
		"\"abc", "tru", "{\"a\":1}{}", "{\"a\":1,\"a\":2}", "[1 2]", "nul",
		"\"\\u0000\"",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct jval *v = jparse(good[i]);

		EXPECT_NE(NULL, v) TH_LOG("rejected: %s", good[i]);
		jfree(v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct jval *v = jparse(bad[i]);

		EXPECT_EQ(NULL, v) TH_LOG("accepted: %s", bad[i]);
		jfree(v);
	}
	{
		struct jval *v = jparse("\"\\u00e9\\ud83d\\ude00\"");

		ASSERT_NE(NULL, v);
		EXPECT_STREQ("\xc3\xa9\xf0\x9f\x98\x80", v->s);
		jfree(v);
	}
}

/* ---- usage, help, info ---- */

TEST(help_version_usage)
{
	static const char *const cmds[] = {
		"list", "info", "create", "open", "wait", "set", "reset", "pulse",
		"release", "timer-set", "cancel",
	};
	struct out *o = malloc(sizeof(*o));
	char want[64];

	ASSERT_NE(NULL, o);
	test_start();
	EXPECT_EQ(0, run(o, false, "winsync --help"));
	EXPECT_NE(NULL, strstr(o->out, "Usage: winsync COMMAND"));
	EXPECT_NE(NULL, strstr(o->out, "Exit status"));
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(want, sizeof(want), "  winsync %s ", cmds[i]);
		EXPECT_NE(NULL, strstr(o->out, want)) TH_LOG("--help lacks %s", cmds[i]);
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(0, run(o, false, "winsync %s --help", cmds[i]));
		snprintf(want, sizeof(want), "Usage: winsync %s", cmds[i]);
		EXPECT_NE(NULL, strstr(o->out, want)) TH_LOG("%s --help: %s", cmds[i], o->out);
	}
	EXPECT_EQ(0, run(o, false, "winsync --version"));
	snprintf(want, sizeof(want), "winsync %d.%d.%d\n", WS_VERSION_MAJOR,
		 WS_VERSION_MINOR, WS_VERSION_PATCH);
	EXPECT_STREQ(want, o->out);

	/* Usage errors: status 2, a message, nothing on stdout. */
	EXPECT_EQ(2, run(o, false, "winsync"));
	EXPECT_NE(NULL, strstr(o->err, "Usage:"));
	EXPECT_EQ(2, run(o, false, "winsync frobnicate"));
	EXPECT_NE(NULL, strstr(o->err, "unknown command 'frobnicate'"));
	EXPECT_EQ(2, run(o, false, "winsync list --bogus"));
	EXPECT_NE(NULL, strstr(o->err, "unknown option '--bogus'"));
	EXPECT_EQ(2, run(o, false, "winsync create event"));
	EXPECT_EQ(2, run(o, false, "winsync create thing x"));
	EXPECT_NE(NULL, strstr(o->err, "unknown type 'thing'"));
	EXPECT_EQ(2, run(o, false, "winsync wait x --timeout 5parsecs"));
	EXPECT_NE(NULL, strstr(o->err, "invalid --timeout"));
	EXPECT_EQ(2, run(o, false, "winsync create sem x --count 5 --max 2"));
	EXPECT_EQ(2, run(o, false, "winsync create event x --mode 0999"));
	EXPECT_EQ(2, run(o, false, "winsync create event x --owned"));
	EXPECT_EQ(2, run(o, false, "winsync create mutex x --owned"));
	EXPECT_NE(NULL, strstr(o->err, "--owned needs --hold"));
	EXPECT_EQ(2, run(o, false, "winsync create event x --background"));
	EXPECT_EQ(2, run(o, false, "winsync timer-set x"));
	EXPECT_NE(NULL, strstr(o->err, "--due"));
	EXPECT_EQ(2, run(o, false, "winsync timer-set x --due 1ms --period 10us"));
	EXPECT_EQ(2, run(o, false, "winsync release x 0"));
	EXPECT_EQ(2, run(o, false, "winsync info extra"));
	EXPECT_STREQ("", o->out);
	stop_holders();
	free(o);
}

TEST(info_text_and_json)
{
	struct out *o = malloc(sizeof(*o));
	struct winsync_info info;
	struct jval *j;
	const struct jval *feat;
	char want[64];
	int dev;
	bool has_list = false, has_trace = false;

	ASSERT_NE(NULL, o);
	test_start();
	WS_OPEN_DEV(dev);
	ASSERT_EQ(0, ws_get_info(dev, &info));
	close(dev);

	ASSERT_EQ(0, run(o, false, "winsync info"));
	snprintf(want, sizeof(want), "module version:    %u.%u.%u\n",
		 info.version_major, info.version_minor, info.version_patch);
	EXPECT_NE(NULL, strstr(o->out, want)) TH_LOG("%s", o->out);
	EXPECT_NE(NULL, strstr(o->out, "ABI version:       1\n"));
	EXPECT_NE(NULL, strstr(o->out, " list trace"));
	EXPECT_NE(NULL, strstr(o->out, "max wait objects:  64\n"));

	ASSERT_EQ(0, run(o, false, "winsync info --json"));
	j = jparse(o->out);
	ASSERT_NE(NULL, j) TH_LOG("not JSON: %s", o->out);
	snprintf(want, sizeof(want), "%u.%u.%u", info.version_major,
		 info.version_minor, info.version_patch);
	EXPECT_STREQ(want, jstr(j, "version"));
	EXPECT_STREQ("/dev/winsync", jstr(j, "device"));
	EXPECT_EQ(info.abi_version, jnum(j, "abi_version"));
	EXPECT_EQ(info.features, (__u64)jnum(j, "features_mask"));
	EXPECT_EQ(info.max_wait_objects, jnum(j, "max_wait_objects"));
	EXPECT_EQ(info.max_name_len, jnum(j, "max_name_len"));
	EXPECT_EQ(info.max_user_objects, jnum(j, "max_user_objects"));
	EXPECT_LE(0, jnum(j, "live_objects"));
	EXPECT_NE(NULL, jstr(j, "tool_version"));
	feat = jget(j, "features");
	ASSERT_NE(NULL, feat);
	ASSERT_EQ(J_ARR, feat->t);
	for (size_t i = 0; i < feat->n; i++) {
		ASSERT_EQ(J_STR, feat->items[i]->t);
		has_list |= !strcmp(feat->items[i]->s, "list");
		has_trace |= !strcmp(feat->items[i]->s, "trace");
	}
	EXPECT_EQ(!!(info.features & WINSYNC_FEATURE_LIST), has_list);
	EXPECT_EQ(!!(info.features & WINSYNC_FEATURE_TRACE), has_trace);
	EXPECT_EQ(__builtin_popcountll(info.features), (int)feat->n);
	jfree(j);
	free(o);
}

/* ---- create, open, hold, list ---- */

TEST(create_hold_list)
{
	struct out *o = malloc(sizeof(*o));
	char ev[64], sem[64], mutex[64], timer[64], local[64];
	const struct jval *e;
	struct jval *l;
	pid_t h[5];

	ASSERT_NE(NULL, o);
	test_start();
	nm(ev, sizeof(ev), "Global\\", "ev");
	nm(sem, sizeof(sem), "Global\\", "sem");
	nm(mutex, sizeof(mutex), "Global\\", "mutex");
	nm(timer, sizeof(timer), "Global\\", "timer");
	nm(local, sizeof(local), "", "local");

	h[0] = holder(o, false, "winsync create event '%s' --manual --signaled "
		      "--mode 0640 --hold=60s --background", ev);
	ASSERT_LT(0, h[0]) TH_LOG("%d: %s%s", o->status, o->out, o->err);
	h[1] = holder(o, false, "winsync create sem '%s' --count 2 --max 7 "
		      "--hold 60s -b", sem);
	ASSERT_LT(0, h[1]) TH_LOG("%d: %s%s", o->status, o->out, o->err);
	h[2] = holder(o, false, "winsync create mutex '%s' --owned --hold=60s -b", mutex);
	ASSERT_LT(0, h[2]) TH_LOG("%d: %s%s", o->status, o->out, o->err);
	h[3] = holder(o, false, "winsync create timer '%s' --manual --mode 0604 "
		      "--hold=60s -b", timer);
	ASSERT_LT(0, h[3]) TH_LOG("%d: %s%s", o->status, o->out, o->err);
	h[4] = holder(o, false, "winsync create event '%s' --hold=60s -b", local);
	ASSERT_LT(0, h[4]) TH_LOG("%d: %s%s", o->status, o->out, o->err);

	/* They exist now, with the given types. */
	EXPECT_EQ(0, run(o, false, "winsync open '%s'", ev));
	EXPECT_EQ(0, run(o, false, "winsync open event '%s'", ev));
	EXPECT_EQ(0, run(o, false, "winsync open sem '%s'", sem));
	EXPECT_EQ(0, run(o, false, "winsync open 'Local\\%s'", local));
	EXPECT_EQ(2, run(o, false, "winsync open mutex '%s'", ev));
	EXPECT_NE(NULL, strstr(o->err, "is an event, not a mutex")) TH_LOG("%s", o->err);
	/* The same name, --excl: status 4; without: opens it (status 0). */
	EXPECT_EQ(4, run(o, false, "winsync create event '%s' --excl", ev));
	EXPECT_NE(NULL, strstr(o->err, "already exists"));
	EXPECT_EQ(0, run(o, false, "winsync create event '%s'", ev));
	EXPECT_EQ(NULL, strstr(o->err, "note:"));
	EXPECT_EQ(2, run(o, false, "winsync create sem '%s'", ev));

	l = list_json(o, false);
	ASSERT_NE(NULL, l) TH_LOG("list --json is not JSON: %s", o->out);
	EXPECT_LE(5, jnum(l, "total"));
	EXPECT_EQ(jnum(l, "total"), (double)jget(l, "objects")->n);

	e = jobject_named(l, ev);
	ASSERT_NE(NULL, e) TH_LOG("%s not listed: %s", ev, o->out);
	EXPECT_STREQ("event", jstr(e, "type"));
	EXPECT_EQ(1, jbool(e, "global"));
	EXPECT_EQ(1, jbool(e, "signaled"));
	EXPECT_EQ(1, jbool(e, "manual_reset"));
	EXPECT_STREQ("0640", jstr(e, "mode"));
	EXPECT_EQ(geteuid(), jnum(e, "uid"));
	EXPECT_EQ(getegid(), jnum(e, "gid"));
	EXPECT_EQ(1, jnum(e, "handles"));
	EXPECT_EQ(0, jnum(e, "waiters"));
	EXPECT_LT(0, jnum(e, "id"));

	e = jobject_named(l, sem);
	ASSERT_NE(NULL, e);
	EXPECT_STREQ("semaphore", jstr(e, "type"));
	EXPECT_EQ(2, jnum(e, "count"));
	EXPECT_EQ(7, jnum(e, "max"));
	EXPECT_STREQ("0600", jstr(e, "mode"));

	e = jobject_named(l, mutex);
	ASSERT_NE(NULL, e);
	EXPECT_STREQ("mutex", jstr(e, "type"));
	EXPECT_EQ(0, jbool(e, "signaled"));
	EXPECT_EQ(h[2], jnum(e, "owner_tid"));
	EXPECT_EQ(1, jnum(e, "recursion"));
	EXPECT_EQ(0, jbool(e, "abandoned"));

	e = jobject_named(l, timer);
	ASSERT_NE(NULL, e);
	EXPECT_STREQ("timer", jstr(e, "type"));
	EXPECT_EQ(0, jbool(e, "active"));
	EXPECT_EQ(1, jbool(e, "manual_reset"));
	EXPECT_EQ(0, jnum(e, "expirations"));
	EXPECT_STREQ("0604", jstr(e, "mode"));

	{
		char full[80];

		snprintf(full, sizeof(full), "Local\\%s", local);
		e = jobject_named(l, full);
		ASSERT_NE(NULL, e);
		EXPECT_EQ(0, jbool(e, "global"));
	}
	jfree(l);

	/* The table: a header, and each object on a line ending in its name. */
	ASSERT_EQ(0, run(o, false, "winsync list"));
	EXPECT_EQ(0, strncmp(o->out, "ID  ", 4));
	EXPECT_NE(NULL, strstr(o->out, "HANDLES  WAITERS  STATE"));
	{
		char line[512], state[64];

		EXPECT_TRUE(line_of(o->out, sem, line, sizeof(line)));
		EXPECT_NE(NULL, strstr(line, "  count 2/7  ")) TH_LOG("%s", line);
		EXPECT_NE(NULL, strstr(line, "  sem  ")) TH_LOG("%s", line);
		EXPECT_TRUE(line_of(o->out, mutex, line, sizeof(line)));
		snprintf(state, sizeof(state), "  owner %d, recursion 1  ", h[2]);
		EXPECT_NE(NULL, strstr(line, state)) TH_LOG("%s", line);
		EXPECT_TRUE(line_of(o->out, ev, line, sizeof(line)));
		EXPECT_NE(NULL, strstr(line, "  signaled, manual-reset  ")) TH_LOG("%s", line);
		EXPECT_NE(NULL, strstr(line, "  0640  ")) TH_LOG("%s", line);
		EXPECT_TRUE(line_of(o->out, timer, line, sizeof(line)));
		EXPECT_NE(NULL, strstr(line, "  nonsignaled, manual-reset, inactive, "
				       "0 expirations  ")) TH_LOG("%s", line);
	}
	ASSERT_EQ(0, run(o, false, "winsync list -n"));
	EXPECT_EQ(0, strncmp(o->out, "ID  ", 4));

	/* A holder ends on SIGTERM with status 0, and its object goes. */
	EXPECT_EQ(0, stop_holder(h[0], SIGTERM));
	EXPECT_EQ(3, run(o, false, "winsync open '%s'", ev));
	EXPECT_NE(NULL, strstr(o->err, "no object named"));
	/* ... on SIGINT and SIGHUP too. */
	EXPECT_EQ(0, stop_holder(h[1], SIGINT));
	EXPECT_EQ(0, stop_holder(h[3], SIGHUP));
	EXPECT_EQ(3, run(o, false, "winsync open '%s'", sem));
	stop_holders();
	free(o);
}

TEST(create_without_hold_and_timed_hold)
{
	struct out *o = malloc(sizeof(*o));
	char name[64];

	ASSERT_NE(NULL, o);
	test_start();
	nm(name, sizeof(name), "Global\\", "gone");
	EXPECT_EQ(0, run(o, false, "winsync create event '%s'", name));
	EXPECT_NE(NULL, strstr(o->err, "note:"));
	EXPECT_EQ(3, run(o, false, "winsync open '%s'", name));
	EXPECT_EQ(3, run(o, false, "winsync set '%s'", name));
	EXPECT_EQ(3, run(o, false, "winsync wait '%s' --timeout 0", name));

	/* A foreground holder prints its pid, and ends after its time. */
	EXPECT_EQ(0, run(o, false, "winsync create event '%s' --hold 2s > %s/pid & "
			 "w=$!; i=0; until [ -s %s/pid ]; do sleep 0.01; "
			 "i=$((i + 1)); [ $i -lt 1000 ] || exit 9; done; "
			 "winsync open '%s' || exit 10; "
			 "wait $w || exit 11; [ \"$(cat %s/pid)\" = \"$w\" ] || exit 12; "
			 "winsync open '%s'; [ $? = 3 ] || exit 13",
			 name, bindir, bindir, name, bindir, name)) TH_LOG("%s", o->err);
	/* Bad names. */
	EXPECT_EQ(2, run(o, false, "winsync create event 'Global\\'"));
	EXPECT_NE(NULL, strstr(o->err, "hint: a name is"));
	EXPECT_EQ(2, run(o, false, "winsync create event 'Global\\a\\b'"));
	free(o);
}

/* ---- events, semaphores, mutexes, timers ---- */

TEST(event_set_reset_pulse)
{
	struct out *o = malloc(sizeof(*o));
	char man[64], aut[64], log[96], buf[256];
	int dev, fd;
	pid_t w;

	ASSERT_NE(NULL, o);
	test_start();
	WS_OPEN_DEV(dev);
	nm(man, sizeof(man), "Global\\", "manual");
	nm(aut, sizeof(aut), "Global\\", "auto");
	ASSERT_LT(0, holder(o, false, "winsync create event '%s' --manual --hold=60s -b", man));
	ASSERT_LT(0, holder(o, false, "winsync create event '%s' --hold=60s -b", aut));

	EXPECT_EQ(1, run(o, false, "winsync wait '%s' --timeout 0", man));
	EXPECT_STREQ("", o->err);
	EXPECT_EQ(0, run(o, false, "winsync set '%s'", man));
	EXPECT_EQ(0, run(o, false, "winsync wait '%s' --timeout 0", man));
	EXPECT_EQ(0, run(o, false, "winsync wait '%s' -t 1s", man));
	EXPECT_EQ(0, run(o, false, "winsync reset '%s'", man));
	EXPECT_EQ(1, run(o, false, "winsync wait '%s' --timeout 10ms", man));

	/* Auto-reset: one wait takes the signal. */
	EXPECT_EQ(0, run(o, false, "winsync set '%s'", aut));
	EXPECT_EQ(0, run(o, false, "winsync wait '%s' --timeout 0", aut));
	EXPECT_EQ(1, run(o, false, "winsync wait '%s' --timeout 0", aut));

	/* Pulse releases the waiter there is, and leaves it nonsignaled. */
	fd = ws_open_name(dev, WINSYNC_TYPE_EVENT,
			  WINSYNC_ACCESS_QUERY_STATE | WINSYNC_ACCESS_SYNCHRONIZE, man);
	ASSERT_LE(0, fd);
	snprintf(log, sizeof(log), "%s/pulse.log", bindir);
	w = spawn(log, false, "winsync wait '%s' --timeout 20s; echo status=$?", man);
	ASSERT_LT(0, w);
	ASSERT_TRUE(ws_await_waiters(fd, 1));
	EXPECT_EQ(0, run(o, false, "winsync pulse '%s'", man));
	EXPECT_EQ(0, ws_reap(w, RUN_MS));
	EXPECT_STREQ("status=0\n", slurp(log, buf, sizeof(buf)));
	EXPECT_EQ(0, WS_QUERY_FIELD(fd, signaled));
	EXPECT_EQ(1, run(o, false, "winsync wait '%s' --timeout 0", man));
	close(fd);

	/* Event commands on something else. */
	EXPECT_EQ(3, run(o, false, "winsync reset '%s-nothing'", man));
	stop_holders();
	close(dev);
	free(o);
}

TEST(semaphore)
{
	struct out *o = malloc(sizeof(*o));
	char sem[64];
	const struct jval *e;
	struct jval *l;

	ASSERT_NE(NULL, o);
	test_start();
	nm(sem, sizeof(sem), "Global\\", "sem");
	ASSERT_LT(0, holder(o, false, "winsync create semaphore '%s' --max 3 --hold=60s -b", sem));
	EXPECT_EQ(1, run(o, false, "winsync wait '%s' --timeout 0", sem));
	EXPECT_EQ(0, run(o, false, "winsync release '%s' 2", sem));
	l = list_json(o, false);
	ASSERT_NE(NULL, l);
	e = jobject_named(l, sem);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(2, jnum(e, "count"));
	EXPECT_EQ(3, jnum(e, "max"));
	EXPECT_EQ(1, jbool(e, "signaled"));
	jfree(l);

	/* Past the maximum: an error, nothing changes. */
	EXPECT_EQ(2, run(o, false, "winsync release sem '%s' 5", sem));
	EXPECT_NE(NULL, strstr(o->err, "maximum")) TH_LOG("%s", o->err);
	EXPECT_EQ(0, run(o, false, "winsync release sem '%s'", sem));
	EXPECT_EQ(0, run(o, false, "winsync wait '%s' --timeout 0", sem));
	EXPECT_EQ(0, run(o, false, "winsync wait '%s' --timeout 0", sem));
	EXPECT_EQ(0, run(o, false, "winsync wait '%s' --timeout 0", sem));
	EXPECT_EQ(1, run(o, false, "winsync wait '%s' --timeout 0", sem));
	/* Wrong types. */
	EXPECT_EQ(2, run(o, false, "winsync set '%s'", sem));
	EXPECT_NE(NULL, strstr(o->err, "is a semaphore, not an event"));
	EXPECT_EQ(2, run(o, false, "winsync cancel '%s'", sem));
	EXPECT_EQ(2, run(o, false, "winsync release event '%s'", sem));
	stop_holders();
	free(o);
}

TEST(mutex_held_by_wait)
{
	struct out *o = malloc(sizeof(*o));
	char mutex[64];
	const struct jval *e;
	struct jval *l;
	pid_t p;

	ASSERT_NE(NULL, o);
	test_start();
	nm(mutex, sizeof(mutex), "Global\\", "mutex");
	/* A keeper: the mutex outlives the ones that take it. */
	ASSERT_LT(0, holder(o, false, "winsync create mutex '%s' --hold=60s -b", mutex));
	p = holder(o, false, "winsync wait '%s' --hold=60s --background --timeout 5s", mutex);
	ASSERT_LT(0, p) TH_LOG("%d %s", o->status, o->err);

	l = list_json(o, false);
	ASSERT_NE(NULL, l);
	e = jobject_named(l, mutex);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(p, jnum(e, "owner_tid"));
	EXPECT_EQ(1, jnum(e, "recursion"));
	EXPECT_EQ(2, jnum(e, "handles"));
	jfree(l);

	EXPECT_EQ(1, run(o, false, "winsync wait '%s' --timeout 0", mutex));
	/* No release from another process; the message says what to do. */
	EXPECT_EQ(2, run(o, false, "winsync release mutex '%s'", mutex));
	EXPECT_NE(NULL, strstr(o->err, "--hold")) TH_LOG("%s", o->err);
	EXPECT_EQ(2, run(o, false, "winsync release '%s'", mutex));
	EXPECT_NE(NULL, strstr(o->err, "owned by a thread"));

	/* SIGTERM: released cleanly, not abandoned. */
	EXPECT_EQ(0, stop_holder(p, SIGTERM));
	l = list_json(o, false);
	ASSERT_NE(NULL, l);
	e = jobject_named(l, mutex);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(1, jbool(e, "signaled"));
	EXPECT_EQ(0, jbool(e, "abandoned"));
	EXPECT_EQ(0, jnum(e, "owner_tid"));
	jfree(l);
	/* A wait without --hold takes it and gives it back. */
	EXPECT_EQ(0, run(o, false, "winsync wait '%s' --timeout 0", mutex));
	EXPECT_EQ(0, run(o, false, "winsync wait '%s' --timeout 0", mutex));

	/* SIGKILL: abandoned; the next wait reports it with status 5. */
	p = holder(o, false, "winsync wait '%s' --hold=60s -b", mutex);
	ASSERT_LT(0, p);
	EXPECT_EQ(-1, stop_holder(p, SIGKILL));
	l = list_json(o, false);
	ASSERT_NE(NULL, l);
	e = jobject_named(l, mutex);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(1, jbool(e, "abandoned"));
	jfree(l);
	ASSERT_EQ(0, run(o, false, "winsync list"));
	EXPECT_NE(NULL, strstr(o->out, "free, abandoned"));
	EXPECT_EQ(5, run(o, false, "winsync wait '%s' --timeout 5s", mutex));
	EXPECT_NE(NULL, strstr(o->err, "abandoned"));
	EXPECT_EQ(0, run(o, false, "winsync wait '%s' --timeout 0", mutex));

	/* Abandoned and held in the background: the pid, and status 5. */
	p = holder(o, false, "winsync wait '%s' --hold=60s -b", mutex);
	ASSERT_LT(0, p);
	EXPECT_EQ(-1, stop_holder(p, SIGKILL));
	EXPECT_EQ(5, run(o, false, "winsync wait '%s' --hold=60s -b", mutex));
	EXPECT_LT(0, atoi(o->out));
	/* The holder itself ends with that status too. */
	if (atoi(o->out) > 0)
		EXPECT_EQ(5, stop_holder(atoi(o->out), SIGTERM));
	stop_holders();
	free(o);
}

TEST(timer_set_cancel)
{
	struct out *o = malloc(sizeof(*o));
	char timer[64];
	const struct jval *e;
	struct jval *l;

	ASSERT_NE(NULL, o);
	test_start();
	nm(timer, sizeof(timer), "Global\\", "timer");
	ASSERT_LT(0, holder(o, false, "winsync create timer '%s' --hold=60s -b", timer));
	EXPECT_EQ(1, run(o, false, "winsync wait '%s' --timeout 0", timer));
	EXPECT_EQ(0, run(o, false, "winsync timer-set '%s' --due 50ms", timer));
	EXPECT_EQ(0, run(o, false, "winsync wait '%s' --timeout 10s", timer));
	/* Auto-reset: taken by the wait. */
	EXPECT_EQ(1, run(o, false, "winsync wait '%s' --timeout 0", timer));

	EXPECT_EQ(0, run(o, false, "winsync timer-set '%s' --due 1ms --period 20ms "
			 "--slack 1ms", timer));
	EXPECT_EQ(0, run(o, false, "winsync wait '%s' --timeout 10s", timer));
	EXPECT_EQ(0, run(o, false, "winsync wait '%s' --timeout 10s", timer));
	l = list_json(o, false);
	ASSERT_NE(NULL, l);
	e = jobject_named(l, timer);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(1, jbool(e, "active"));
	EXPECT_LE(3, jnum(e, "expirations"));
	jfree(l);

	EXPECT_EQ(0, run(o, false, "winsync cancel '%s'", timer));
	l = list_json(o, false);
	ASSERT_NE(NULL, l);
	e = jobject_named(l, timer);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(0, jbool(e, "active"));
	jfree(l);
	EXPECT_EQ(2, run(o, false, "winsync set '%s'", timer));
	EXPECT_NE(NULL, strstr(o->err, "is a timer, not an event"));
	EXPECT_EQ(2, run(o, false, "winsync timer-set '%s' --due soon", timer));
	stop_holders();
	free(o);
}

TEST(wait_any_all)
{
	struct out *o = malloc(sizeof(*o));
	char a[64], b[64], want[80];

	ASSERT_NE(NULL, o);
	test_start();
	nm(a, sizeof(a), "Global\\", "a");
	nm(b, sizeof(b), "Global\\", "b");
	ASSERT_LT(0, holder(o, false, "winsync create event '%s' --hold=60s -b", a));
	ASSERT_LT(0, holder(o, false, "winsync create event '%s' --hold=60s -b", b));

	EXPECT_EQ(0, run(o, false, "winsync set '%s'", b));
	EXPECT_EQ(0, run(o, false, "winsync wait '%s' '%s' --timeout 5s", a, b));
	snprintf(want, sizeof(want), "%s\n", b);
	EXPECT_STREQ(want, o->out);
	EXPECT_EQ(1, run(o, false, "winsync wait '%s' '%s' --timeout 10ms", a, b));

	EXPECT_EQ(0, run(o, false, "winsync set '%s'", a));
	EXPECT_EQ(1, run(o, false, "winsync wait --all '%s' '%s' --timeout 10ms", a, b));
	EXPECT_EQ(0, run(o, false, "winsync set '%s'", b));
	EXPECT_EQ(0, run(o, false, "winsync wait --all '%s' '%s' --timeout 5s", a, b));
	EXPECT_STREQ("", o->out);
	EXPECT_EQ(1, run(o, false, "winsync wait '%s' '%s' --timeout 0", a, b));
	/* One object twice in a wait-all. */
	EXPECT_EQ(2, run(o, false, "winsync wait --all '%s' '%s' --timeout 0", a, a));
	EXPECT_NE(NULL, strstr(o->err, "only once"));
	stop_holders();
	free(o);
}

/* ---- names in the output ---- */

TEST(names_escaped)
{
	/* Quotes, controls, DEL, a byte that is not UTF-8, é, a space. */
	static const char tail[] = "q\"t\tn\nx\x01\x7f\xff\xc3\xa9 end";
	struct out *o = malloc(sizeof(*o));
	char name[128], decoded[160], hex[400], text[160];
	const struct jval *e = NULL, *objs;
	struct jval *l;
	struct winsync_create_args a;
	size_t len, d = 0, h = 0, t = 0;
	int dev;
	__u64 id;

	ASSERT_NE(NULL, o);
	test_start();
	WS_OPEN_DEV(dev);
	len = snprintf(name, sizeof(name), "Global\\ws-cli-%d-", (int)getpid());
	memcpy(name + len, tail, sizeof(tail) - 1);
	len += sizeof(tail) - 1;
	ws_create_init(&a, WINSYNC_TYPE_EVENT, 0, WINSYNC_ACCESS_ALL);
	a.mode = 0600;
	a.name = (uintptr_t)name;
	a.name_len = len;
	ASSERT_EQ(0, ws_create(dev, &a));
	id = WS_QUERY_FIELD(a.fd, id);

	/* What JSON must say, and what the table shows. */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = name[i];

		h += sprintf(hex + h, "%02x", c);
		if (c == 0xff) {
			memcpy(decoded + d, "\xef\xbf\xbd", 3);
			d += 3;
		} else {
			decoded[d++] = c;
		}
		if (c < 0x20 || c == 0x7f || c == 0xff)
			t += sprintf(text + t, "\\%03o", c);
		else
			text[t++] = c;
	}
	decoded[d] = 0;
	text[t] = 0;

	l = list_json(o, false);
	ASSERT_NE(NULL, l) TH_LOG("list --json is not JSON: %s", o->out);
	objs = jget(l, "objects");
	ASSERT_NE(NULL, objs);
	for (size_t i = 0; i < objs->n; i++)
		if ((__u64)jnum(objs->items[i], "id") == id)
			e = objs->items[i];
	ASSERT_NE(NULL, e);
	EXPECT_STREQ(decoded, jstr(e, "name"));
	EXPECT_STREQ(hex, jstr(e, "name_hex"));
	/* The raw control bytes never reach the JSON text. */
	EXPECT_EQ(NULL, strchr(o->out, '\t'));
	EXPECT_EQ(NULL, strchr(o->out, '\x01'));
	EXPECT_EQ(NULL, strchr(o->out, 0xff));
	jfree(l);

	ASSERT_EQ(0, run(o, false, "winsync list"));
	EXPECT_NE(NULL, strstr(o->out, text)) TH_LOG("%s not in:\n%s", text, o->out);
	close(a.fd);
	close(dev);
	free(o);
}

/* ---- what an unprivileged user can and cannot do ---- */

TEST(unprivileged_user)
{
	struct out *o = malloc(sizeof(*o));
	char priv[64], pub[64], rlocal[64], ulocal[64], uglobal[64], full[80];
	struct jval *l;
	pid_t uh;

	ASSERT_NE(NULL, o);
	NEED_ROOT();
	test_start();
	nm(priv, sizeof(priv), "Global\\", "private");
	nm(pub, sizeof(pub), "Global\\", "public");
	nm(rlocal, sizeof(rlocal), "Local\\", "rootlocal");
	nm(ulocal, sizeof(ulocal), "Local\\", "userlocal");
	nm(uglobal, sizeof(uglobal), "Global\\", "userglobal");
	ASSERT_LT(0, holder(o, false, "winsync create event '%s' --hold=60s -b", priv));
	ASSERT_LT(0, holder(o, false, "winsync create event '%s' --mode 0644 --hold=60s -b", pub));
	ASSERT_LT(0, holder(o, false, "winsync create event '%s' --mode 0666 --hold=60s -b", rlocal));
	uh = holder(o, true, "winsync create sem '%s' --count 1 --max 1 --hold=60s -b", ulocal);
	ASSERT_LT(0, uh) TH_LOG("%d: %s", o->status, o->err);
	ASSERT_LT(0, holder(o, true, "winsync create event '%s' --mode 0600 --hold=60s -b",
			    uglobal));

	/* The user lists: its own, and what it may read. */
	l = list_json(o, true);
	ASSERT_NE(NULL, l) TH_LOG("%d: %s %s", o->status, o->out, o->err);
	EXPECT_EQ(NULL, jobject_named(l, priv));
	EXPECT_NE(NULL, jobject_named(l, pub));
	EXPECT_EQ(NULL, jobject_named(l, rlocal));
	EXPECT_NE(NULL, jobject_named(l, ulocal));
	EXPECT_NE(NULL, jobject_named(l, uglobal));
	if (jobject_named(l, ulocal))
		EXPECT_EQ(USER_UID, jnum(jobject_named(l, ulocal), "uid"));
	/* Everything listed is its own or readable by others. */
	{
		const struct jval *objs = jget(l, "objects");

		for (size_t i = 0; objs && i < objs->n; i++) {
			const char *mode = jstr(objs->items[i], "mode");

			EXPECT_TRUE(jnum(objs->items[i], "uid") == USER_UID ||
				    jnum(objs->items[i], "gid") == USER_GID ||
				    (mode && strchr("4567", mode[3])))
				TH_LOG("user sees %s", jstr(objs->items[i], "name"));
		}
	}
	jfree(l);
	ASSERT_EQ(0, run(o, true, "winsync list"));
	EXPECT_EQ(NULL, strstr(o->out, priv));
	EXPECT_NE(NULL, strstr(o->out, pub));
	EXPECT_NE(NULL, strstr(o->out, "winsync  winsync")) TH_LOG("%s", o->out);

	/* Root sees everything Global, but not the user's session. */
	l = list_json(o, false);
	ASSERT_NE(NULL, l);
	EXPECT_NE(NULL, jobject_named(l, priv));
	EXPECT_NE(NULL, jobject_named(l, rlocal));
	EXPECT_EQ(NULL, jobject_named(l, ulocal));
	EXPECT_NE(NULL, jobject_named(l, uglobal));
	jfree(l);

	/* Permissions: read lets it wait, not change; no read, no wait. */
	EXPECT_EQ(2, run(o, true, "winsync wait '%s' --timeout 0", priv));
	EXPECT_NE(NULL, strstr(o->err, "Permission denied")) TH_LOG("%s", o->err);
	EXPECT_NE(NULL, strstr(o->err, "hint:"));
	EXPECT_EQ(1, run(o, true, "winsync wait '%s' --timeout 0", pub));
	EXPECT_EQ(2, run(o, true, "winsync set '%s'", pub));
	EXPECT_NE(NULL, strstr(o->err, "Permission denied"));
	/* No handle without a right the mode grants (issue 13). */
	EXPECT_EQ(2, run(o, true, "winsync open '%s'", priv));
	EXPECT_NE(NULL, strstr(o->err, "Permission denied")) TH_LOG("%s", o->err);
	/* Another session's Local name does not exist for it. */
	EXPECT_EQ(3, run(o, true, "winsync open '%s'", rlocal));
	snprintf(full, sizeof(full), "%s", ulocal);
	EXPECT_EQ(3, run(o, false, "winsync open '%s'", full));
	/* Its own objects it may use. */
	EXPECT_EQ(0, run(o, true, "winsync wait '%s' --timeout 0", ulocal));
	EXPECT_EQ(0, run(o, true, "winsync release '%s'", ulocal));
	EXPECT_EQ(0, run(o, true, "winsync info"));
	/* Root may change what the user made (CAP_IPC_OWNER). */
	EXPECT_EQ(0, run(o, false, "winsync set '%s'", uglobal));
	EXPECT_EQ(0, run(o, true, "winsync wait '%s' --timeout 0", uglobal));
	stop_holders();
	free(o);
}

/* ---- two shells coordinating through named objects ---- */

TEST(two_shells_event)
{
	struct out *o = malloc(sizeof(*o));
	char ready[64], log[96], buf[256];
	pid_t b;
	int dev, fd;

	ASSERT_NE(NULL, o);
	NEED_ROOT();
	test_start();
	WS_OPEN_DEV(dev);
	nm(ready, sizeof(ready), "Global\\", "ready");
	snprintf(log, sizeof(log), "%s/b.log", bindir);
	/* Shell A makes a manual-reset event that uid 1000 may read. */
	ASSERT_LT(0, holder(o, false, "winsync create event '%s' --manual --mode 0644 "
			    "--hold=60s --background", ready));
	/* Shell B, another user, waits for it. */
	b = spawn(log, true, "echo B waiting; winsync wait '%s' --timeout 20s && "
		  "echo B saw ready", ready);
	ASSERT_LT(0, b);
	fd = ws_open_name(dev, WINSYNC_TYPE_EVENT,
			  WINSYNC_ACCESS_QUERY_STATE | WINSYNC_ACCESS_SYNCHRONIZE, ready);
	ASSERT_LE(0, fd);
	ASSERT_TRUE(ws_await_waiters(fd, 1));
	/* Shell A says go. */
	EXPECT_EQ(0, run(o, false, "winsync set '%s' && echo A set it", ready));
	EXPECT_STREQ("A set it\n", o->out);
	EXPECT_EQ(0, ws_reap(b, RUN_MS));
	EXPECT_STREQ("B waiting\nB saw ready\n", slurp(log, buf, sizeof(buf)));
	close(fd);
	stop_holders();
	close(dev);
	free(o);
}

TEST(two_shells_mutex_counter)
{
	/* Each shell adds 1 to a file 5 times, inside the mutex. */
	static const char loop[] =
		"i=0; while [ $i -lt 5 ]; do "
		"o=$(winsync wait '%s' --hold=30s --background --timeout 20s) || exit 1; "
		"n=$(cat %s); sleep 0.01; echo $((n + 1)) > %s; "
		"kill $o; i=$((i + 1)); done";
	struct out *o = malloc(sizeof(*o));
	char lock[64], counter[96], log1[96], log2[96], buf[256];
	pid_t s1, s2;

	ASSERT_NE(NULL, o);
	NEED_ROOT();
	test_start();
	nm(lock, sizeof(lock), "Global\\", "lock");
	snprintf(counter, sizeof(counter), "%s/counter", bindir);
	snprintf(log1, sizeof(log1), "%s/s1.log", bindir);
	snprintf(log2, sizeof(log2), "%s/s2.log", bindir);
	ASSERT_EQ(0, run(o, false, "echo 0 > %s && chmod 666 %s", counter, counter));
	ASSERT_LT(0, holder(o, false, "winsync create mutex '%s' --mode 0666 --hold=60s -b",
			    lock));
	s1 = spawn(log1, false, loop, lock, counter, counter);
	s2 = spawn(log2, true, loop, lock, counter, counter);
	ASSERT_LT(0, s1);
	ASSERT_LT(0, s2);
	EXPECT_EQ(0, ws_reap(s1, 2 * RUN_MS)) TH_LOG("%s", slurp(log1, buf, sizeof(buf)));
	EXPECT_EQ(0, ws_reap(s2, 2 * RUN_MS)) TH_LOG("%s", slurp(log2, buf, sizeof(buf)));
	EXPECT_STREQ("10\n", slurp(counter, buf, sizeof(buf)));
	stop_holders();
	free(o);
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main

/* The harness, with the "winsync" link set up around it. */
static int cli_harness_main(int argc, char **argv)
{
	char self[PATH_MAX], link[128];
	const char *target = getenv("WS_CLI");
	ssize_t n;
	int ret;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		ksft_print_header();
		ksft_exit_fail_msg("readlink /proc/self/exe: %s\n", strerror(errno));
	}
	self[n] = 0;
	snprintf(bindir, sizeof(bindir), "/tmp/ws-cli-XXXXXX");
	if (!mkdtemp(bindir) || chmod(bindir, 0777)) {
		ksft_print_header();
		ksft_exit_fail_msg("mkdtemp: %s\n", strerror(errno));
	}
	snprintf(link, sizeof(link), "%s/winsync", bindir);
	if (symlink(target && *target ? target : self, link)) {
		ksft_print_header();
		ksft_exit_fail_msg("symlink %s: %s\n", link, strerror(errno));
	}
	/* The users' sticky /tmp: a world-writable place for their files. */
	chmod(bindir, 01777);
	ret = ws_harness_main(argc, argv);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", bindir);
		if (system(cmd))
			fprintf(stderr, "# could not remove %s\n", bindir);
	}
	return ret;
}

int main(int argc, char **argv)
{
	char *base = basename(argv[0]);

	if (!strcmp(base, "winsync"))
		return winsync_cli_main(argc, argv);
	return ws_main(argc, argv, cli_harness_main);
}
