// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Producer/consumer across processes, Windows style: a bounded buffer in
 * shared memory, guarded by a named mutex, with two named semaphores
 * counting the free slots and the filled ones.  The producer starts two
 * consumer processes, which open the objects by name, and waits for them
 * through process handles (OpenProcess + WaitForSingleObject).
 *
 *   producer_consumer                  run the whole demonstration
 *   producer_consumer consumer PREFIX  (internal) one consumer
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <winsync/win32.h>

#define SLOTS		4
#define ITEMS		100
#define CONSUMERS	2

struct shared {
	int buf[SLOTS];
	int head, tail;
	long sum[CONSUMERS];
	int taken[CONSUMERS];
};

struct names {
	char mutex[128], free_slots[128], filled[128], shm[128];
};

static void make_names(struct names *n, const char *prefix)
{
	snprintf(n->mutex, sizeof(n->mutex), "Local\\%s-lock", prefix);
	snprintf(n->free_slots, sizeof(n->free_slots), "Local\\%s-free", prefix);
	snprintf(n->filled, sizeof(n->filled), "Local\\%s-filled", prefix);
	snprintf(n->shm, sizeof(n->shm), "/%s-buffer", prefix);
}

static struct shared *map_shared(const char *name, int flags)
{
	struct shared *sh;
	int fd = shm_open(name, flags, 0600);

	if (fd < 0 || ((flags & O_CREAT) && ftruncate(fd, sizeof(*sh)) < 0))
		return NULL;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return sh == MAP_FAILED ? NULL : sh;
}

static int consumer(const char *prefix, int id)
{
	struct names n;
	struct shared *sh;
	HANDLE lock, free_slots, filled;

	make_names(&n, prefix);
	sh = map_shared(n.shm, O_RDWR);
	lock = OpenMutexA(SYNCHRONIZE, FALSE, n.mutex);
	free_slots = OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, FALSE, n.free_slots);
	filled = OpenSemaphoreA(SYNCHRONIZE, FALSE, n.filled);
	if (!sh || !lock || !free_slots || !filled) {
		fprintf(stderr, "consumer %d: cannot open the objects (error %u)\n",
			id, GetLastError());
		return 1;
	}
	for (;;) {
		int item;

		if (WaitForSingleObject(filled, INFINITE) != WAIT_OBJECT_0 ||
		    WaitForSingleObject(lock, INFINITE) != WAIT_OBJECT_0)
			return 1;
		item = sh->buf[sh->tail];
		sh->tail = (sh->tail + 1) % SLOTS;
		if (item) {
			sh->sum[id] += item;
			sh->taken[id]++;
		}
		ReleaseMutex(lock);
		ReleaseSemaphore(free_slots, 1, NULL);
		if (!item)
			break;	/* the end marker */
	}
	printf("consumer %d (pid %u): took %d items\n", id,
	       GetCurrentProcessId(), sh->taken[id]);
	CloseHandle(lock);
	CloseHandle(free_slots);
	CloseHandle(filled);
	return 0;
}

int main(int argc, char **argv)
{
	HANDLE lock, free_slots, filled, procs[CONSUMERS];
	char prefix[64], idbuf[16];
	struct shared *sh;
	struct names n;
	long sum = 0, want = (long)ITEMS * (ITEMS + 1) / 2;
	int i, taken = 0, ok = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "consumer"))
		return consumer(argv[2], atoi(argv[3]));

	snprintf(prefix, sizeof(prefix), "winsync-example-pc-%u",
		 GetCurrentProcessId());
	make_names(&n, prefix);
	sh = map_shared(n.shm, O_RDWR | O_CREAT | O_EXCL);
	lock = CreateMutexA(NULL, FALSE, n.mutex);
	free_slots = CreateSemaphoreA(NULL, SLOTS, SLOTS, n.free_slots);
	filled = CreateSemaphoreA(NULL, 0, SLOTS, n.filled);
	if (!sh || !lock || !free_slots || !filled) {
		fprintf(stderr, "producer: cannot create the objects (error %u)\n",
			GetLastError());
		return 1;
	}
	printf("producer: buffer of %d slots, mutex \"%s\", semaphores \"%s\" and \"%s\"\n",
	       SLOTS, n.mutex, n.free_slots, n.filled);

	for (i = 0; i < CONSUMERS; i++) {
		pid_t pid;

		snprintf(idbuf, sizeof(idbuf), "%d", i);
		pid = fork();
		if (pid == 0) {
			execl("/proc/self/exe", argv[0], "consumer", prefix, idbuf,
			      (char *)NULL);
			_exit(127);
		}
		procs[i] = pid > 0 ? OpenProcess(SYNCHRONIZE, FALSE, (DWORD)pid) : NULL;
		if (!procs[i]) {
			fprintf(stderr, "producer: cannot start consumer %d\n", i);
			return 1;
		}
	}

	/* ITEMS items, then one end marker (0) per consumer. */
	for (i = 1; i <= ITEMS + CONSUMERS; i++) {
		WaitForSingleObject(free_slots, INFINITE);
		WaitForSingleObject(lock, INFINITE);
		sh->buf[sh->head] = i <= ITEMS ? i : 0;
		sh->head = (sh->head + 1) % SLOTS;
		ReleaseMutex(lock);
		ReleaseSemaphore(filled, 1, NULL);
	}
	printf("producer: produced %d items\n", ITEMS);

	if (WaitForMultipleObjects(1, &procs[0], TRUE, 0) == WAIT_FAILED &&
	    GetLastError() != ERROR_INVALID_HANDLE)
		ok = 0;	/* process handles are for WaitForSingleObject only */
	for (i = 0; i < CONSUMERS; i++) {
		int status;

		if (WaitForSingleObject(procs[i], 60000) != WAIT_OBJECT_0) {
			fprintf(stderr, "producer: consumer %d did not finish\n", i);
			return 1;
		}
		CloseHandle(procs[i]);
		wait(&status);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			ok = 0;
		sum += sh->sum[i];
		taken += sh->taken[i];
	}
	printf("producer: consumers took %d items, sum %ld (expected %d, %ld)\n",
	       taken, sum, ITEMS, want);
	shm_unlink(n.shm);
	CloseHandle(lock);
	CloseHandle(free_slots);
	CloseHandle(filled);
	if (!ok || taken != ITEMS || sum != want) {
		printf("producer_consumer: FAILED\n");
		return 1;
	}
	printf("producer_consumer: OK\n");
	return 0;
}
