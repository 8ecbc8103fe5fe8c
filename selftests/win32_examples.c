// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the programs of examples/ (built into build/examples/, and put next
 * to the selftests in the test VM): each must exit 0 within the time limit
 * and print its "OK" line.
 */
#include "win32_test.h"

#include <libgen.h>
#include <sys/stat.h>

/* The example's path: next to this program (VM), or ../examples (tree). */
static bool example_path(const char *name, char *out, size_t len)
{
	char self[PATH_MAX], *dir;
	struct stat st;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = 0;
	dir = dirname(self);
	snprintf(out, len, "%s/%s", dir, name);
	if (!stat(out, &st))
		return true;
	snprintf(out, len, "%s/../examples/%s", dir, name);
	return !stat(out, &st);
}

/* Run it with its output in a pipe: exit status, and the output. */
static int run_example(const char *path, char *out, size_t len)
{
	int pfd[2], status = -1;
	size_t got = 0;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		ssize_t n = read(pfd[0], out + got, len - 1 - got);

		if (n <= 0 || got + (size_t)n >= len - 1) {
			if (n > 0)
				got += (size_t)n;
			break;
		}
		got += (size_t)n;
	}
	out[got] = 0;
	close(pfd[0]);
	status = ws_reap(pid, 60000);
	return status;
}

static void check_example(struct __test_metadata *_metadata, const char *name)
{
	char path[PATH_MAX], out[16384], ok[64];

	if (!example_path(name, path, sizeof(path)))
		SKIP(return, "%s not found (make -C examples)", name);
	EXPECT_EQ(0, run_example(path, out, sizeof(out)));
	snprintf(ok, sizeof(ok), "%s: OK", name);
	EXPECT_NE(NULL, strstr(out, ok)) TH_LOG("output:\n%s", out);
	TH_LOG("%s", out);
}

TEST(producer_consumer)
{
	check_example(_metadata, "producer_consumer");
}

TEST(single_instance)
{
	check_example(_metadata, "single_instance");
}

TEST(periodic_timer)
{
	check_example(_metadata, "periodic_timer");
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main
WS_MAIN
