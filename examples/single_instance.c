// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The single-instance idiom, Windows style: the first instance creates a
 * named mutex; a second instance's CreateMutex returns the same mutex with
 * GetLastError() == ERROR_ALREADY_EXISTS, and the second instance exits.
 * Once the first instance closes its handle, the name is free again.
 *
 *   single_instance             run the demonstration
 *   single_instance NAME WANT   (internal) one instance; WANT is "first" or
 *                               "second": exit 0 if that is what it was
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <winsync/win32.h>

/* One instance: 0 if it found itself first (or second) as expected. */
static int instance(const char *name, const char *want)
{
	HANDLE m = CreateMutexA(NULL, FALSE, name);
	DWORD err = GetLastError();
	int second = err == ERROR_ALREADY_EXISTS;

	if (!m) {
		fprintf(stderr, "instance: CreateMutex failed, error %u\n", err);
		return 2;
	}
	printf("instance %u: %s\n", GetCurrentProcessId(), second ?
	       "another instance is already running (ERROR_ALREADY_EXISTS): exiting" :
	       "first instance");
	CloseHandle(m);
	return strcmp(want, second ? "second" : "first") ? 1 : 0;
}

static int run_instance(const char *self, const char *name, const char *want)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execl("/proc/self/exe", self, name, want, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv)
{
	char name[96];
	HANDLE m;
	int r1, r2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3)
		return instance(argv[1], argv[2]);

	snprintf(name, sizeof(name), "Local\\winsync-example-single-%u",
		 GetCurrentProcessId());
	SetLastError(0xdeadbeef);
	m = CreateMutexA(NULL, FALSE, name);
	if (!m || GetLastError() != ERROR_SUCCESS) {
		fprintf(stderr, "single_instance: CreateMutex: error %u\n",
			GetLastError());
		return 1;
	}
	printf("single_instance: holding \"%s\"; starting a second instance\n",
	       name);
	r1 = run_instance(argv[0], name, "second");
	CloseHandle(m);
	printf("single_instance: closed the mutex; starting a new instance\n");
	r2 = run_instance(argv[0], name, "first");
	if (r1 || r2) {
		printf("single_instance: FAILED (%d, %d)\n", r1, r2);
		return 1;
	}
	printf("single_instance: OK\n");
	return 0;
}
