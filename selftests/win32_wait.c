// SPDX-License-Identifier: GPL-2.0
/*
 * Win32 layer conformance: WaitForSingleObject(Ex), WaitForMultipleObjects
 * (Ex), SignalObjectAndWait, SleepEx, QueueUserAPC, thread handles and
 * timer completion routines.  spec = shared/spec/win32-semantics.md.
 */
#include "win32_test.h"

/* ----------------------------------------------------------- basic waits */

TEST(handle_low_bits_ignored)
{
	HANDLE e = CreateEventA(NULL, TRUE, TRUE, NULL);
	uintptr_t v = (uintptr_t)e;

	ASSERT_NE(NULL, e);
	SetLastError(DEADBEEF);
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject((HANDLE)(v | 1), 0));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject((HANDLE)(v | 2), 0));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject((HANDLE)(v | 3), 0));
	EXPECT_EQ(DEADBEEF, GetLastError());
	EXPECT_TRUE(ResetEvent((HANDLE)(v | 3)));
	EXPECT_EQ(0, w32_signaled(e));
	/* An invalid value fails whatever its low bits. */
	EXPECT_EQ(WAIT_FAILED, WaitForSingleObject((HANDLE)(uintptr_t)0x12345679, 0));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_TRUE(CloseHandle((HANDLE)(v | 2)));
	EXPECT_FALSE(w32_is_open(e));
}

TEST(pseudo_handles_in_waits)
{
	HANDLE e = CreateEventA(NULL, TRUE, TRUE, NULL);
	HANDLE hs[2];
	uint64_t t0 = ws_now(CLOCK_MONOTONIC);

	ASSERT_NE(NULL, e);
	/* A process or thread waiting for itself: never, so it times out. */
	SetLastError(DEADBEEF);
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(GetCurrentProcess(), 30));
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(GetCurrentThread(), 30));
	EXPECT_EQ(DEADBEEF, GetLastError());
	EXPECT_LE(60 * WS_NS_PER_MS, ws_now(CLOCK_MONOTONIC) - t0);
	/* WaitForMultipleObjects refuses them. */
	hs[0] = e;
	hs[1] = GetCurrentProcess();
	EXPECT_EQ(WAIT_FAILED, WaitForMultipleObjects(2, hs, FALSE, 0));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	hs[1] = GetCurrentThread();
	EXPECT_EQ(WAIT_FAILED, WaitForMultipleObjects(2, hs, FALSE, 0));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	hs[1] = NULL;
	EXPECT_EQ(WAIT_FAILED, WaitForMultipleObjects(2, hs, TRUE, 0));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	CloseHandle(e);
}

TEST(wfmo_counts)
{
	HANDLE hs[MAXIMUM_WAIT_OBJECTS + 1];
	DWORD i;

	for (i = 0; i <= MAXIMUM_WAIT_OBJECTS; i++) {
		hs[i] = CreateEventA(NULL, TRUE, TRUE, NULL);
		ASSERT_NE(NULL, hs[i]);
	}
	SetLastError(0);
	EXPECT_EQ(WAIT_FAILED, WaitForMultipleObjects(0, hs, FALSE, 0));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	SetLastError(0);
	EXPECT_EQ(WAIT_FAILED, WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS + 1,
						      hs, FALSE, 0));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	SetLastError(0);
	EXPECT_EQ(WAIT_FAILED, WaitForMultipleObjectsEx(0, hs, TRUE, 0, TRUE));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	EXPECT_EQ(WAIT_OBJECT_0, WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS,
							hs, TRUE, 0));
	for (i = 0; i <= MAXIMUM_WAIT_OBJECTS; i++)
		CloseHandle(hs[i]);
}

/* spec §3 WaitForMultipleObjects: the Wine test with 64 events. */
TEST(wfmo_64_lowest_index_first)
{
	HANDLE hs[MAXIMUM_WAIT_OBJECTS];
	DWORD i;

	for (i = 0; i < MAXIMUM_WAIT_OBJECTS; i++) {
		hs[i] = CreateEventA(NULL, i == 0, TRUE, NULL);
		ASSERT_NE(NULL, hs[i]);
	}
	SetLastError(DEADBEEF);
	EXPECT_EQ(WAIT_OBJECT_0, WaitForMultipleObjects(64, hs, FALSE, 0));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForMultipleObjects(64, hs, FALSE, 0));
	EXPECT_TRUE(ResetEvent(hs[0]));
	for (i = 1; i < MAXIMUM_WAIT_OBJECTS; i++)
		EXPECT_EQ(WAIT_OBJECT_0 + i,
			  WaitForMultipleObjects(64, hs, FALSE, 0));
	EXPECT_EQ(WAIT_TIMEOUT, WaitForMultipleObjects(64, hs, FALSE, 0));
	EXPECT_EQ(DEADBEEF, GetLastError());
	for (i = 0; i < MAXIMUM_WAIT_OBJECTS; i++)
		CloseHandle(hs[i]);
}

TEST(wfmo_any_modifies_only_the_winner)
{
	HANDLE s0 = CreateSemaphoreA(NULL, 1, 5, NULL);
	HANDLE s1 = CreateSemaphoreA(NULL, 1, 5, NULL);
	HANDLE m = CreateMutexA(NULL, FALSE, NULL);
	HANDLE t = CreateWaitableTimerA(NULL, TRUE, NULL);
	HANDLE hs[4] = { s0, s1, m, t };
	HANDLE twice[2];
	LARGE_INTEGER due;

	ASSERT_NE(NULL, s0);
	ASSERT_NE(NULL, s1);
	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(WAIT_OBJECT_0, WaitForMultipleObjects(4, hs, FALSE, 0));
	EXPECT_EQ(0, w32_count(s0));
	EXPECT_EQ(1, w32_count(s1));
	EXPECT_EQ(WAIT_OBJECT_0 + 1, WaitForMultipleObjects(4, hs, FALSE, 0));
	EXPECT_EQ(WAIT_OBJECT_0 + 2, WaitForMultipleObjects(4, hs, FALSE, 0));
	EXPECT_EQ(1, w32_count(m));	/* owned by us, recursion 1 */
	EXPECT_TRUE(ReleaseMutex(m));
	due.QuadPart = -1;
	EXPECT_TRUE(SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(t, WS_LONG_MS));
	/* The mutex is free again: index 2 before the timer. */
	EXPECT_EQ(WAIT_OBJECT_0 + 2, WaitForMultipleObjects(4, hs, FALSE, 0));
	EXPECT_TRUE(ReleaseMutex(m));

	/* Wait-any with the same semaphore twice takes one count. */
	EXPECT_TRUE(ReleaseSemaphore(s0, 2, NULL));
	twice[0] = s0;
	twice[1] = s0;
	EXPECT_EQ(WAIT_OBJECT_0, WaitForMultipleObjects(2, twice, FALSE, 0));
	EXPECT_EQ(1, w32_count(s0));
	/* Wait-all with the same object twice: ERROR_INVALID_PARAMETER,
	 * also through two different handles. */
	SetLastError(0);
	EXPECT_EQ(WAIT_FAILED, WaitForMultipleObjects(2, twice, TRUE, 0));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), s0, GetCurrentProcess(),
				    &twice[1], 0, FALSE, DUPLICATE_SAME_ACCESS));
	SetLastError(0);
	EXPECT_EQ(WAIT_FAILED, WaitForMultipleObjects(2, twice, TRUE, 0));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	EXPECT_EQ(1, w32_count(s0));
	CloseHandle(twice[1]);
	CloseHandle(s0);
	CloseHandle(s1);
	CloseHandle(m);
	CloseHandle(t);
}

static void *take_mutex_briefly(void *arg)
{
	HANDLE m = arg;
	intptr_t ok = WaitForSingleObject(m, 0) == WAIT_OBJECT_0 &&
		      ReleaseMutex(m);

	return (void *)ok;
}

TEST(wfmo_all_modifies_nothing_until_all)
{
	HANDLE m = CreateMutexA(NULL, FALSE, NULL);
	HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
	HANDLE s = CreateSemaphoreA(NULL, 1, 1, NULL);
	HANDLE hs[3] = { m, e, s };
	pthread_t t;
	void *ok;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, e);
	ASSERT_NE(NULL, s);
	SetLastError(DEADBEEF);
	EXPECT_EQ(WAIT_TIMEOUT, WaitForMultipleObjects(3, hs, TRUE, 20));
	EXPECT_EQ(DEADBEEF, GetLastError());
	/* Nothing was taken: the mutex is free for another thread, the
	 * semaphore still counts 1. */
	ASSERT_EQ(0, pthread_create(&t, NULL, take_mutex_briefly, m));
	pthread_join(t, &ok);
	EXPECT_EQ(1, (intptr_t)ok);
	EXPECT_EQ(1, w32_count(s));
	EXPECT_TRUE(SetEvent(e));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForMultipleObjects(3, hs, TRUE, 0));
	/* All taken together. */
	EXPECT_EQ(0, w32_count(s));
	EXPECT_EQ(0, w32_signaled(e));
	EXPECT_TRUE(ReleaseMutex(m));
	CloseHandle(m);
	CloseHandle(e);
	CloseHandle(s);
}

static atomic_int usr1_count;

static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&usr1_count, 1);
}

struct sigwaiter {
	HANDLE h;
	DWORD ms;
	DWORD result;
	uint64_t elapsed;
	atomic_int started;
};

static void *sig_wait_thread(void *arg)
{
	struct sigwaiter *w = arg;
	uint64_t t0 = ws_now(CLOCK_MONOTONIC);

	atomic_store(&w->started, 1);
	w->result = WaitForSingleObject(w->h, w->ms);
	w->elapsed = ws_now(CLOCK_MONOTONIC) - t0;
	return NULL;
}

/* Signal handlers (even without SA_RESTART) do not end a wait early. */
TEST(wait_survives_signals)
{
	struct sigaction sa, old;
	struct sigwaiter w;
	pthread_t t;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;	/* no SA_RESTART */
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, &old));

	memset(&w, 0, sizeof(w));
	w.h = CreateEventA(NULL, FALSE, FALSE, NULL);
	ASSERT_NE(NULL, w.h);
	w.ms = 300;
	ASSERT_EQ(0, pthread_create(&t, NULL, sig_wait_thread, &w));
	for (i = 0; i < 5; i++) {
		ws_sleep_ms(30);
		pthread_kill(t, SIGUSR1);
	}
	pthread_join(t, NULL);
	EXPECT_EQ(WAIT_TIMEOUT, w.result);
	EXPECT_LE(300 * WS_NS_PER_MS, w.elapsed);
	EXPECT_LE(1, atomic_load(&usr1_count));

	w.ms = INFINITE;
	ASSERT_EQ(0, pthread_create(&t, NULL, sig_wait_thread, &w));
	ASSERT_TRUE(ws_await_waiters(w32_fd(w.h), 1));
	for (i = 0; i < 3; i++) {
		pthread_kill(t, SIGUSR1);
		ws_sleep_ms(10);
	}
	EXPECT_TRUE(SetEvent(w.h));
	pthread_join(t, NULL);
	EXPECT_EQ(WAIT_OBJECT_0, w.result);
	CloseHandle(w.h);
	sigaction(SIGUSR1, &old, NULL);
}

/* ---------------------------------------------------- SignalObjectAndWait */

TEST(signal_object_and_wait)
{
	HANDLE e0 = CreateEventA(NULL, FALSE, FALSE, NULL);
	HANDLE e1 = CreateEventA(NULL, TRUE, TRUE, NULL);
	HANDLE s0 = CreateSemaphoreA(NULL, 0, 1, NULL);
	HANDLE s1 = CreateSemaphoreA(NULL, 1, 1, NULL);
	HANDLE m = CreateMutexA(NULL, FALSE, NULL);
	HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
	HANDLE ro;
	int i;

	ASSERT_NE(NULL, e0);
	ASSERT_NE(NULL, e1);
	ASSERT_NE(NULL, s0);
	ASSERT_NE(NULL, s1);
	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, t);

	/* NULL as either handle: WAIT_FAILED. */
	SetLastError(0);
	EXPECT_EQ(WAIT_FAILED, SignalObjectAndWait(NULL, NULL, 0, FALSE));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_EQ(WAIT_FAILED, SignalObjectAndWait(e0, NULL, 0, FALSE));
	EXPECT_EQ(WAIT_FAILED, SignalObjectAndWait(NULL, e1, 0, FALSE));

	SetLastError(DEADBEEF);
	EXPECT_EQ(WAIT_OBJECT_0, SignalObjectAndWait(e0, e1, 0, FALSE));
	EXPECT_EQ(DEADBEEF, GetLastError());
	EXPECT_EQ(1, w32_signaled(e0));
	EXPECT_TRUE(ResetEvent(e0));
	/* Signal and wait on the same auto event: consumed by its own wait. */
	for (i = 0; i < 100; i++)
		EXPECT_EQ(WAIT_OBJECT_0, SignalObjectAndWait(e0, e0, 0, FALSE));
	EXPECT_EQ(0, w32_signaled(e0));
	EXPECT_TRUE(ResetEvent(e1));
	EXPECT_EQ(WAIT_TIMEOUT, SignalObjectAndWait(e0, e1, 0, FALSE));
	EXPECT_EQ(1, w32_signaled(e0));

	/* Semaphores. */
	EXPECT_EQ(WAIT_OBJECT_0, SignalObjectAndWait(s0, s1, 0, FALSE));
	SetLastError(0);
	EXPECT_EQ(WAIT_FAILED, SignalObjectAndWait(s0, s1, 0, FALSE));
	EXPECT_EQ(ERROR_TOO_MANY_POSTS, GetLastError());
	EXPECT_FALSE(ReleaseSemaphore(s0, 1, NULL));
	EXPECT_TRUE(ReleaseSemaphore(s1, 1, NULL));

	/* A mutex must be owned: released, then waited for. */
	SetLastError(0);
	EXPECT_EQ(WAIT_FAILED, SignalObjectAndWait(m, e0, 0, FALSE));
	EXPECT_EQ(ERROR_NOT_OWNER, GetLastError());
	EXPECT_EQ(1, w32_signaled(e0));	/* nothing waited for */
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(m, 0));
	EXPECT_EQ(WAIT_OBJECT_0, SignalObjectAndWait(m, m, 0, FALSE));
	EXPECT_TRUE(ReleaseMutex(m));
	EXPECT_FALSE(ReleaseMutex(m));

	/* A timer cannot be signaled. */
	SetLastError(0);
	EXPECT_EQ(WAIT_FAILED, SignalObjectAndWait(t, e0, 0, FALSE));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	/* A signal handle without the modify right. */
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), e1, GetCurrentProcess(),
				    &ro, SYNCHRONIZE, FALSE, 0));
	SetLastError(0);
	EXPECT_EQ(WAIT_FAILED, SignalObjectAndWait(ro, e0, 0, FALSE));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	/* A wait handle without SYNCHRONIZE. */
	CloseHandle(ro);
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), e1, GetCurrentProcess(),
				    &ro, EVENT_MODIFY_STATE, FALSE, 0));
	SetLastError(0);
	EXPECT_EQ(WAIT_FAILED, SignalObjectAndWait(e0, ro, 0, FALSE));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	CloseHandle(ro);

	CloseHandle(e0);
	CloseHandle(e1);
	CloseHandle(s0);
	CloseHandle(s1);
	CloseHandle(m);
	CloseHandle(t);
}

/* ------------------------------------------------------------------ APCs */

#define MAX_LOG 64
static _Thread_local int apc_log[MAX_LOG];
static _Thread_local int apc_n;
static atomic_int apc_total;

static VOID CALLBACK log_apc(ULONG_PTR v)
{
	if (apc_n < MAX_LOG)
		apc_log[apc_n++] = (int)v;
	atomic_fetch_add(&apc_total, 1);
}

static HANDLE self_thread_handle(void)
{
	HANDLE h = NULL;

	if (!DuplicateHandle(GetCurrentProcess(), GetCurrentThread(),
			     GetCurrentProcess(), &h, 0, FALSE,
			     DUPLICATE_SAME_ACCESS))
		return NULL;
	return h;
}

TEST(apc_order_and_io_completion)
{
	HANDLE th = self_thread_handle();
	int i;

	ASSERT_NE(NULL, th);
	EXPECT_NE(GetCurrentThread(), th);
	EXPECT_TRUE(w32_is_open(th));
	apc_n = 0;
	SetLastError(DEADBEEF);
	EXPECT_EQ(1, QueueUserAPC(log_apc, th, 1));
	EXPECT_EQ(1, QueueUserAPC(log_apc, th, 2));
	EXPECT_EQ(1, QueueUserAPC(log_apc, GetCurrentThread(), 3));
	EXPECT_EQ(DEADBEEF, GetLastError());
	/* Non-alertable waits never run them. */
	EXPECT_EQ(0, SleepEx(10, FALSE));
	Sleep(5);
	{
		HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);

		EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(e, 10));
		EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObjectEx(e, 10, FALSE));
		EXPECT_EQ(WAIT_TIMEOUT, WaitForMultipleObjectsEx(1, &e, FALSE,
								 10, FALSE));
		CloseHandle(e);
	}
	EXPECT_EQ(0, apc_n);
	/* An alertable wait runs all of them, in order, even with 0 ms. */
	EXPECT_EQ(WAIT_IO_COMPLETION, SleepEx(0, TRUE));
	ASSERT_EQ(3, apc_n);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(i + 1, apc_log[i]);
	/* None left. */
	EXPECT_EQ(0, SleepEx(10, TRUE));
	EXPECT_EQ(3, apc_n);
	EXPECT_TRUE(CloseHandle(th));
}

static HANDLE queue_target;

static VOID CALLBACK requeue_apc(ULONG_PTR v)
{
	log_apc(v);
	if (v < 3)
		QueueUserAPC(requeue_apc, queue_target, v + 1);
}

TEST(apc_queued_by_apc_runs_in_same_wait)
{
	queue_target = self_thread_handle();
	ASSERT_NE(NULL, queue_target);
	apc_n = 0;
	EXPECT_EQ(1, QueueUserAPC(requeue_apc, queue_target, 1));
	EXPECT_EQ(WAIT_IO_COMPLETION, SleepEx(INFINITE, TRUE));
	EXPECT_EQ(3, apc_n);
	CloseHandle(queue_target);
}

static HANDLE signal_me;

static VOID CALLBACK set_event_apc(ULONG_PTR v)
{
	(void)v;
	SetEvent(signal_me);
}

/* spec §3 / Wine test_alertable_wait; spec §5.6. */
TEST(apc_and_signaled_objects)
{
	HANDLE th = self_thread_handle();
	HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
	HANDLE hs[2];

	ASSERT_NE(NULL, th);
	ASSERT_NE(NULL, e);
	/* An object the APC signals: still WAIT_IO_COMPLETION, and the
	 * object stays signaled for the next wait. */
	signal_me = e;
	EXPECT_EQ(1, QueueUserAPC(set_event_apc, th, 0));
	EXPECT_EQ(WAIT_IO_COMPLETION, WaitForSingleObjectEx(e, INFINITE, TRUE));
	EXPECT_EQ(1, w32_signaled(e));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObjectEx(e, 0, TRUE));

	/* Signaled object and pending APC: the object wins. */
	apc_n = 0;
	EXPECT_TRUE(SetEvent(e));
	EXPECT_EQ(1, QueueUserAPC(log_apc, th, 7));
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObjectEx(e, INFINITE, TRUE));
	EXPECT_EQ(0, apc_n);
	EXPECT_EQ(WAIT_IO_COMPLETION, WaitForSingleObjectEx(e, INFINITE, TRUE));
	EXPECT_EQ(1, apc_n);

	/* Wait-any and wait-all, alertable. */
	hs[0] = e;
	hs[1] = th;	/* a thread handle: signaled when the thread ends */
	EXPECT_EQ(1, QueueUserAPC(log_apc, th, 8));
	EXPECT_EQ(WAIT_IO_COMPLETION,
		  WaitForMultipleObjectsEx(2, hs, FALSE, INFINITE, TRUE));
	EXPECT_EQ(1, QueueUserAPC(log_apc, th, 9));
	EXPECT_EQ(WAIT_IO_COMPLETION,
		  WaitForMultipleObjectsEx(2, hs, TRUE, INFINITE, TRUE));
	EXPECT_EQ(3, apc_n);
	EXPECT_EQ(WAIT_TIMEOUT, WaitForMultipleObjectsEx(2, hs, TRUE, 10, TRUE));

	/* SignalObjectAndWait, alertable: signals once, then the APC. */
	{
		HANDLE s = CreateSemaphoreA(NULL, 0, 5, NULL);

		ASSERT_NE(NULL, s);
		EXPECT_EQ(1, QueueUserAPC(log_apc, th, 10));
		EXPECT_EQ(WAIT_IO_COMPLETION,
			  SignalObjectAndWait(s, e, INFINITE, TRUE));
		EXPECT_EQ(1, w32_count(s));
		CloseHandle(s);
	}
	CloseHandle(e);
	CloseHandle(th);
}

struct alert_thread {
	HANDLE handle;		/* the thread's own handle, made by itself */
	atomic_int ready;
	atomic_int go;
	DWORD result;
	int ran;
	pid_t tid;
	pid_t apc_tid;
};

static _Thread_local struct alert_thread *cur_at;

static VOID CALLBACK note_tid_apc(ULONG_PTR v)
{
	struct alert_thread *at = (struct alert_thread *)v;

	at->apc_tid = ws_gettid();
	at->ran++;
}

static void *alertable_sleeper(void *arg)
{
	struct alert_thread *at = arg;

	cur_at = at;
	at->tid = ws_gettid();
	at->handle = self_thread_handle();
	atomic_store(&at->ready, 1);
	at->result = SleepEx(INFINITE, TRUE);
	while (!atomic_load(&at->go))
		ws_sleep_ms(1);
	return NULL;
}

TEST(apc_from_another_thread)
{
	struct alert_thread at;
	pthread_t t;

	memset(&at, 0, sizeof(at));
	ASSERT_EQ(0, pthread_create(&t, NULL, alertable_sleeper, &at));
	ASSERT_TRUE(ws_await_atomic(&at.ready, 1, WS_LONG_MS));
	ASSERT_NE(NULL, at.handle);
	ws_sleep_ms(20);
	EXPECT_EQ(1, QueueUserAPC(note_tid_apc, at.handle, (ULONG_PTR)&at));
	/* The thread handle is signaled only when the thread exits. */
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(at.handle, 20));
	atomic_store(&at.go, 1);
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(at.handle, WS_LONG_MS));
	pthread_join(t, NULL);
	EXPECT_EQ(WAIT_IO_COMPLETION, at.result);
	EXPECT_EQ(1, at.ran);
	EXPECT_EQ(at.tid, at.apc_tid);	/* ran in the target thread */

	/* The thread is gone: the handle stays valid, APCs are refused. */
	SetLastError(0);
	EXPECT_EQ(0, QueueUserAPC(note_tid_apc, at.handle, (ULONG_PTR)&at));
	EXPECT_EQ(ERROR_GEN_FAILURE, GetLastError());
	EXPECT_TRUE(CloseHandle(at.handle));
	SetLastError(0);
	EXPECT_EQ(0, QueueUserAPC(note_tid_apc, at.handle, (ULONG_PTR)&at));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
}

TEST(queue_user_apc_errors)
{
	HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
	HANDLE th = self_thread_handle(), dup;

	ASSERT_NE(NULL, e);
	ASSERT_NE(NULL, th);
	SetLastError(0);
	EXPECT_EQ(0, QueueUserAPC(NULL, th, 0));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	SetLastError(0);
	EXPECT_EQ(0, QueueUserAPC(log_apc, e, 0));	/* not a thread */
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	SetLastError(0);
	EXPECT_EQ(0, QueueUserAPC(log_apc, NULL, 0));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	SetLastError(0);
	EXPECT_EQ(0, QueueUserAPC(log_apc, GetCurrentProcess(), 0));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	/* A duplicate of a thread handle is a thread handle. */
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), th, GetCurrentProcess(),
				    &dup, 0, FALSE, DUPLICATE_SAME_ACCESS));
	apc_n = 0;
	EXPECT_EQ(1, QueueUserAPC(log_apc, dup, 5));
	EXPECT_TRUE(CloseHandle(th));
	EXPECT_EQ(1, QueueUserAPC(log_apc, dup, 6));
	EXPECT_EQ(WAIT_IO_COMPLETION, SleepEx(0, TRUE));
	EXPECT_EQ(2, apc_n);
	/* Thread handles cannot be signaled by the application. */
	EXPECT_FALSE(SetEvent(dup));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	CloseHandle(dup);
	CloseHandle(e);
}

#define STRESS_THREADS	4
#define STRESS_APCS	500

static HANDLE stress_target;

static void *stress_queuer(void *arg)
{
	intptr_t base = (intptr_t)arg, i, ok = 1;

	for (i = 0; i < STRESS_APCS; i++)
		ok &= QueueUserAPC(log_apc, stress_target, base + i) == 1;
	return (void *)ok;
}

TEST(apc_many_queuers)
{
	pthread_t t[STRESS_THREADS];
	int i, want = STRESS_THREADS * STRESS_APCS;
	void *ok;

	stress_target = self_thread_handle();
	ASSERT_NE(NULL, stress_target);
	atomic_store(&apc_total, 0);
	for (i = 0; i < STRESS_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, stress_queuer,
					    (void *)(intptr_t)(i * 100000)));
	while (atomic_load(&apc_total) < want) {
		if (SleepEx(WS_LONG_MS, TRUE) != WAIT_IO_COMPLETION)
			break;
	}
	for (i = 0; i < STRESS_THREADS; i++) {
		pthread_join(t[i], &ok);
		EXPECT_EQ(1, (intptr_t)ok);
	}
	EXPECT_EQ(want, atomic_load(&apc_total));
	EXPECT_EQ(0, SleepEx(0, TRUE));
	EXPECT_EQ(want, atomic_load(&apc_total));
	CloseHandle(stress_target);
}

/* -------------------------------------------- timer completion routines */

struct tick {
	int count;
	pid_t tid;
	LPVOID arg;
	ULONGLONG ft;
};

static VOID CALLBACK tick_routine(LPVOID arg, DWORD lo, DWORD hi)
{
	struct tick *t = arg;

	t->count++;
	t->tid = ws_gettid();
	t->arg = arg;
	t->ft = ((ULONGLONG)hi << 32) | lo;
}

static ULONGLONG filetime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return 116444736000000000ULL + (ULONGLONG)ts.tv_sec * 10000000 +
	       (ULONGLONG)ts.tv_nsec / 100;
}

TEST(timer_routine_runs_in_setting_thread)
{
	HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
	LARGE_INTEGER due;
	struct tick tk;
	ULONGLONG before;

	ASSERT_NE(NULL, t);
	memset(&tk, 0, sizeof(tk));
	due.QuadPart = -20 * 10000;
	before = filetime_now();
	SetLastError(DEADBEEF);
	EXPECT_TRUE(SetWaitableTimer(t, &due, 0, tick_routine, &tk, FALSE));
	EXPECT_EQ(DEADBEEF, GetLastError());
	EXPECT_EQ(WAIT_IO_COMPLETION, SleepEx(WS_LONG_MS, TRUE));
	EXPECT_EQ(1, tk.count);
	EXPECT_EQ(ws_gettid(), tk.tid);
	EXPECT_EQ(&tk, tk.arg);
	/* The arguments carry the expiry time as a FILETIME. */
	EXPECT_LE(before, tk.ft);
	EXPECT_GE(filetime_now() + 10000000, tk.ft);
	/* The timer was signaled too. */
	EXPECT_EQ(WAIT_OBJECT_0, WaitForSingleObject(t, WS_LONG_MS));
	EXPECT_EQ(0, SleepEx(20, TRUE));
	EXPECT_EQ(1, tk.count);
	CloseHandle(t);
}

TEST(timer_routine_at_most_one_outstanding)
{
	HANDLE t = CreateWaitableTimerA(NULL, TRUE, NULL);
	LARGE_INTEGER due;
	struct tick tk;

	ASSERT_NE(NULL, t);
	memset(&tk, 0, sizeof(tk));
	due.QuadPart = -1;
	EXPECT_TRUE(SetWaitableTimer(t, &due, 20, tick_routine, &tk, FALSE));
	/* Several periods pass without an alertable wait: one APC. */
	Sleep(200);
	EXPECT_EQ(0, tk.count);
	EXPECT_EQ(WAIT_IO_COMPLETION, SleepEx(0, TRUE));
	EXPECT_EQ(1, tk.count);
	/* And it keeps going. */
	EXPECT_EQ(WAIT_IO_COMPLETION, SleepEx(WS_LONG_MS, TRUE));
	EXPECT_EQ(2, tk.count);
	/* Cancel removes the pending APC. */
	Sleep(60);
	EXPECT_TRUE(CancelWaitableTimer(t));
	EXPECT_EQ(0, SleepEx(60, TRUE));
	EXPECT_EQ(2, tk.count);
	CloseHandle(t);
}

TEST(timer_reset_cancels_pending_routine)
{
	HANDLE t = CreateWaitableTimerA(NULL, FALSE, NULL);
	LARGE_INTEGER due;
	struct tick a, b;

	ASSERT_NE(NULL, t);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	due.QuadPart = -1;
	EXPECT_TRUE(SetWaitableTimer(t, &due, 0, tick_routine, &a, FALSE));
	Sleep(50);	/* expired, APC queued, not run */
	due.QuadPart = -30 * 10000;
	EXPECT_TRUE(SetWaitableTimer(t, &due, 0, tick_routine, &b, FALSE));
	EXPECT_EQ(WAIT_IO_COMPLETION, SleepEx(WS_LONG_MS, TRUE));
	EXPECT_EQ(0, a.count);
	EXPECT_EQ(1, b.count);
	/* Set without a routine: the old routine is gone. */
	due.QuadPart = -1;
	EXPECT_TRUE(SetWaitableTimer(t, &due, 0, tick_routine, &a, FALSE));
	Sleep(50);
	EXPECT_TRUE(SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
	EXPECT_EQ(0, SleepEx(50, TRUE));
	EXPECT_EQ(0, a.count);
	/* CloseHandle drops the routine with the handle. */
	EXPECT_TRUE(SetWaitableTimer(t, &due, 10, tick_routine, &a, FALSE));
	EXPECT_TRUE(CloseHandle(t));
	EXPECT_EQ(0, SleepEx(50, TRUE));
	EXPECT_EQ(0, a.count);
}

struct setter {
	HANDLE timer;
	struct tick tk;
	DWORD other_sleep;
};

static void *set_and_exit(void *arg)
{
	struct setter *s = arg;
	LARGE_INTEGER due;

	due.QuadPart = -100 * 10000;
	SetWaitableTimer(s->timer, &due, 100, tick_routine, &s->tk, FALSE);
	return NULL;
}

static void *sleep_alertable(void *arg)
{
	struct setter *s = arg;

	s->other_sleep = SleepEx(150, TRUE);
	return NULL;
}

TEST(timer_routine_thread_exit_cancels)
{
	struct setter s;
	LARGE_INTEGER due;
	pthread_t t;

	memset(&s, 0, sizeof(s));
	s.timer = CreateWaitableTimerA(NULL, TRUE, NULL);
	ASSERT_NE(NULL, s.timer);
	w32_in_thread(set_and_exit, &s);
	/* The setting thread exited: the timer is cancelled, unsignaled. */
	EXPECT_EQ(0, WS_QUERY_FIELD(w32_fd(s.timer), flags) & WINSYNC_INFO_ACTIVE);
	EXPECT_EQ(WAIT_TIMEOUT, WaitForSingleObject(s.timer, 200));
	EXPECT_EQ(0, s.tk.count);

	/* Only the setting thread runs the routine. */
	due.QuadPart = -30 * 10000;
	EXPECT_TRUE(SetWaitableTimer(s.timer, &due, 0, tick_routine, &s.tk,
				     FALSE));
	ASSERT_EQ(0, pthread_create(&t, NULL, sleep_alertable, &s));
	pthread_join(t, NULL);
	EXPECT_EQ(0, s.other_sleep);
	EXPECT_EQ(0, s.tk.count);
	EXPECT_EQ(WAIT_IO_COMPLETION, SleepEx(WS_LONG_MS, TRUE));
	EXPECT_EQ(1, s.tk.count);
	EXPECT_EQ(ws_gettid(), s.tk.tid);
	CloseHandle(s.timer);
}

TEST(sleep_ex)
{
	uint64_t t0 = ws_now(CLOCK_MONOTONIC);

	EXPECT_EQ(0, SleepEx(30, FALSE));
	EXPECT_LE(30 * WS_NS_PER_MS, ws_now(CLOCK_MONOTONIC) - t0);
	t0 = ws_now(CLOCK_MONOTONIC);
	EXPECT_EQ(0, SleepEx(30, TRUE));
	EXPECT_LE(30 * WS_NS_PER_MS, ws_now(CLOCK_MONOTONIC) - t0);
	EXPECT_EQ(0, SleepEx(0, TRUE));
	EXPECT_EQ(0, SleepEx(0, FALSE));
}

#define main ws_harness_main
TEST_HARNESS_MAIN
#undef main
WS_MAIN
