// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A periodic waitable timer with a completion routine, Windows style: the
 * routine runs in the thread that set the timer, as an APC, whenever that
 * thread waits alertably (SleepEx(..., TRUE) returns WAIT_IO_COMPLETION).
 */
#include <stdio.h>

#include <winsync/win32.h>

#define TICKS		5
#define PERIOD_MS	50

struct ticks {
	int count;
	DWORD thread;
	int wrong_thread;
};

static VOID CALLBACK on_tick(LPVOID arg, DWORD low, DWORD high)
{
	struct ticks *t = arg;
	ULONGLONG ft = ((ULONGLONG)high << 32) | low;
	/* FILETIME: 100 ns units since 1601; print the Unix time. */
	ULONGLONG unix_ms = (ft - 116444736000000000ULL) / 10000;

	t->count++;
	if (GetCurrentThreadId() != t->thread)
		t->wrong_thread++;
	printf("tick %d at %llu.%03llu (Unix time)\n", t->count,
	       unix_ms / 1000, unix_ms % 1000);
}

int main(void)
{
	struct ticks t = { 0, GetCurrentThreadId(), 0 };
	LARGE_INTEGER due;
	HANDLE timer;
	DWORD r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	timer = CreateWaitableTimerA(NULL, FALSE, NULL);
	if (!timer) {
		fprintf(stderr, "CreateWaitableTimer: error %u\n", GetLastError());
		return 1;
	}
	due.QuadPart = -(LONGLONG)PERIOD_MS * 10000;	/* relative: 50 ms */
	if (!SetWaitableTimer(timer, &due, PERIOD_MS, on_tick, &t, FALSE)) {
		fprintf(stderr, "SetWaitableTimer: error %u\n", GetLastError());
		return 1;
	}
	printf("periodic_timer: every %d ms, %d ticks, in alertable sleeps\n",
	       PERIOD_MS, TICKS);
	while (t.count < TICKS) {
		r = SleepEx(10000, TRUE);
		if (r != WAIT_IO_COMPLETION) {
			fprintf(stderr, "SleepEx returned %u, not WAIT_IO_COMPLETION\n", r);
			return 1;
		}
	}
	CancelWaitableTimer(timer);
	/* Cancelled: no more routines. */
	r = SleepEx(3 * PERIOD_MS, TRUE);
	CloseHandle(timer);
	if (r != 0 || t.count != TICKS || t.wrong_thread) {
		printf("periodic_timer: FAILED (SleepEx %u, %d ticks, %d in another thread)\n",
		       r, t.count, t.wrong_thread);
		return 1;
	}
	printf("periodic_timer: OK\n");
	return 0;
}
