/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwinsync: the Win32 synchronization API on top of /dev/winsync.
 *
 * Windows code that creates, opens, waits for and signals events, mutexes,
 * semaphores and waitable timers compiles unchanged against this header and
 * behaves as on Windows: same return values, same GetLastError() codes,
 * same wait results.  winsync-win32(7) describes the mapping onto Linux
 * (handles are file descriptors) and lists every knowing difference.
 *
 * Usable from C (C99 and later) and C++ (C++11 and later).
 */
#ifndef WINSYNC_WIN32_H
#define WINSYNC_WIN32_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ types */

#ifndef WINAPI
#define WINAPI
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef VOID
#define VOID void
#endif
#ifndef CONST
#define CONST const
#endif

typedef int BOOL;
typedef BOOL *PBOOL, *LPBOOL;
typedef unsigned char BYTE;
typedef BYTE BOOLEAN;
typedef uint16_t WORD;
typedef uint32_t DWORD;
typedef DWORD *PDWORD, *LPDWORD;
typedef int32_t LONG;
typedef LONG *PLONG, *LPLONG;
typedef uint32_t ULONG;
typedef uint32_t UINT;
typedef long long LONGLONG;
typedef unsigned long long ULONGLONG;
typedef intptr_t LONG_PTR;
typedef uintptr_t ULONG_PTR;
typedef ULONG_PTR DWORD_PTR;
typedef ULONG_PTR SIZE_T;
typedef void *PVOID;
typedef void *LPVOID;
typedef const void *LPCVOID;
typedef void *HANDLE;
typedef HANDLE *PHANDLE, *LPHANDLE;
typedef HANDLE HMODULE;
typedef char CHAR;
typedef CHAR *LPSTR;
typedef const CHAR *LPCSTR;
/* WCHAR is 16 bits, as on Windows: u"..." literals are WCHAR strings. */
#ifdef __cplusplus
typedef char16_t WCHAR;
#else
typedef uint_least16_t WCHAR;
#endif
typedef WCHAR *LPWSTR, *PWSTR;
typedef const WCHAR *LPCWSTR, *PCWSTR;

typedef union _LARGE_INTEGER {
	__extension__ struct {
		DWORD LowPart;
		LONG HighPart;
	};
	struct {
		DWORD LowPart;
		LONG HighPart;
	} u;
	LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef struct _FILETIME {
	DWORD dwLowDateTime;
	DWORD dwHighDateTime;
} FILETIME, *PFILETIME, *LPFILETIME;

typedef struct _SECURITY_ATTRIBUTES {
	DWORD nLength;
	LPVOID lpSecurityDescriptor;	/* ignored: see winsync-win32(7) */
	BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

/* SetWaitableTimerEx()'s wake context; accepted and ignored. */
typedef struct _REASON_CONTEXT {
	ULONG Version;
	DWORD Flags;
	union {
		struct {
			HMODULE LocalizedReasonModule;
			ULONG LocalizedReasonId;
			ULONG ReasonStringCount;
			LPWSTR *ReasonStrings;
		} Detailed;
		LPWSTR SimpleReasonString;
	} Reason;
} REASON_CONTEXT, *PREASON_CONTEXT;

typedef VOID (CALLBACK *PAPCFUNC)(ULONG_PTR Parameter);
typedef VOID (CALLBACK *PTIMERAPCROUTINE)(LPVOID lpArgToCompletionRoutine,
					  DWORD dwTimerLowValue,
					  DWORD dwTimerHighValue);

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/* -------------------------------------------------------------- constants */

#define INFINITE			0xFFFFFFFFu
#define MAXIMUM_WAIT_OBJECTS		64
#define MAX_PATH			260

#define WAIT_OBJECT_0			0x00000000u
#define WAIT_ABANDONED			0x00000080u
#define WAIT_ABANDONED_0		0x00000080u
#define WAIT_IO_COMPLETION		0x000000C0u
#define WAIT_TIMEOUT			0x00000102u
#define WAIT_FAILED			0xFFFFFFFFu

#define ERROR_SUCCESS			0u
#define NO_ERROR			0u
#define ERROR_FILE_NOT_FOUND		2u
#define ERROR_PATH_NOT_FOUND		3u
#define ERROR_TOO_MANY_OPEN_FILES	4u
#define ERROR_ACCESS_DENIED		5u
#define ERROR_INVALID_HANDLE		6u
#define ERROR_NOT_ENOUGH_MEMORY		8u
#define ERROR_INVALID_DATA		13u
#define ERROR_OUTOFMEMORY		14u
#define ERROR_GEN_FAILURE		31u
#define ERROR_NOT_SUPPORTED		50u
#define ERROR_INVALID_PARAMETER		87u
#define ERROR_BROKEN_PIPE		109u
#define ERROR_CALL_NOT_IMPLEMENTED	120u
#define ERROR_INVALID_NAME		123u
#define ERROR_BAD_PATHNAME		161u
#define ERROR_ALREADY_EXISTS		183u
#define ERROR_FILENAME_EXCED_RANGE	206u
#define ERROR_NOT_OWNER			288u
#define ERROR_TOO_MANY_POSTS		298u
#define ERROR_MUTANT_LIMIT_EXCEEDED	587u
#define ERROR_NOACCESS			998u
#define ERROR_PRIVILEGE_NOT_HELD	1314u
#define ERROR_NO_SYSTEM_RESOURCES	1450u

/* Standard and generic access rights. */
#define DELETE				0x00010000u
#define READ_CONTROL			0x00020000u
#define WRITE_DAC			0x00040000u
#define WRITE_OWNER			0x00080000u
#define SYNCHRONIZE			0x00100000u
#define STANDARD_RIGHTS_REQUIRED	0x000F0000u
#define STANDARD_RIGHTS_READ		READ_CONTROL
#define STANDARD_RIGHTS_WRITE		READ_CONTROL
#define STANDARD_RIGHTS_EXECUTE		READ_CONTROL
#define STANDARD_RIGHTS_ALL		0x001F0000u
#define SPECIFIC_RIGHTS_ALL		0x0000FFFFu
#define ACCESS_SYSTEM_SECURITY		0x01000000u
#define MAXIMUM_ALLOWED			0x02000000u
#define GENERIC_ALL			0x10000000u
#define GENERIC_EXECUTE			0x20000000u
#define GENERIC_WRITE			0x40000000u
#define GENERIC_READ			0x80000000u

/* Object-specific access rights. */
#define EVENT_QUERY_STATE		0x0001u
#define EVENT_MODIFY_STATE		0x0002u
#define EVENT_ALL_ACCESS		0x001F0003u
#define MUTANT_QUERY_STATE		0x0001u
#define MUTEX_MODIFY_STATE		0x0001u
#define MUTEX_ALL_ACCESS		0x001F0001u
#define MUTANT_ALL_ACCESS		MUTEX_ALL_ACCESS
#define SEMAPHORE_QUERY_STATE		0x0001u
#define SEMAPHORE_MODIFY_STATE		0x0002u
#define SEMAPHORE_ALL_ACCESS		0x001F0003u
#define TIMER_QUERY_STATE		0x0001u
#define TIMER_MODIFY_STATE		0x0002u
#define TIMER_ALL_ACCESS		0x001F0003u
/* Process and thread rights: accepted, not enforced (winsync-win32(7)). */
#define PROCESS_TERMINATE		0x0001u
#define PROCESS_DUP_HANDLE		0x0040u
#define PROCESS_QUERY_INFORMATION	0x0400u
#define PROCESS_QUERY_LIMITED_INFORMATION 0x1000u
#define PROCESS_ALL_ACCESS		0x001FFFFFu
#define THREAD_SET_CONTEXT		0x0010u
#define THREAD_QUERY_INFORMATION	0x0040u
#define THREAD_ALL_ACCESS		0x001FFFFFu

/* Creation flags. */
#define CREATE_EVENT_MANUAL_RESET	0x00000001u
#define CREATE_EVENT_INITIAL_SET	0x00000002u
#define CREATE_MUTEX_INITIAL_OWNER	0x00000001u
#define CREATE_WAITABLE_TIMER_MANUAL_RESET 0x00000001u
#define CREATE_WAITABLE_TIMER_HIGH_RESOLUTION 0x00000002u

/* DuplicateHandle() options, handle flags. */
#define DUPLICATE_CLOSE_SOURCE		0x00000001u
#define DUPLICATE_SAME_ACCESS		0x00000002u
#define HANDLE_FLAG_INHERIT		0x00000001u
#define HANDLE_FLAG_PROTECT_FROM_CLOSE	0x00000002u

#define INVALID_HANDLE_VALUE		((HANDLE)(intptr_t)-1)

/* ------------------------------------------------------- handles and fds */

/*
 * The fixed mapping between handles and file descriptors: handle values are
 * multiples of 4, their low two bits are ignored, and NULL is never a
 * handle.  A handle value passed to a child on its command line names the
 * same object there if the handle was inheritable.
 */
static inline HANDLE winsync_fd_to_handle(int fd)
{
	return fd < 0 ? (HANDLE)0 : (HANDLE)(((uintptr_t)fd + 1) << 2);
}

/* The descriptor of a handle, or -1 for NULL, a pseudo-handle or garbage. */
static inline int winsync_handle_to_fd(HANDLE h)
{
	uintptr_t v = (uintptr_t)h >> 2;

	if (v == 0 || v - 1 > (uintptr_t)INT32_MAX)
		return -1;
	return (int)(v - 1);
}

/* -------------------------------------------------------------- functions */

/* Last error, per thread. */
DWORD WINAPI GetLastError(void);
VOID WINAPI SetLastError(DWORD dwErrCode);

/* Events. */
HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES lpEventAttributes,
			   BOOL bManualReset, BOOL bInitialState, LPCSTR lpName);
HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes,
			   BOOL bManualReset, BOOL bInitialState, LPCWSTR lpName);
HANDLE WINAPI CreateEventExA(LPSECURITY_ATTRIBUTES lpEventAttributes,
			     LPCSTR lpName, DWORD dwFlags,
			     DWORD dwDesiredAccess);
HANDLE WINAPI CreateEventExW(LPSECURITY_ATTRIBUTES lpEventAttributes,
			     LPCWSTR lpName, DWORD dwFlags,
			     DWORD dwDesiredAccess);
HANDLE WINAPI OpenEventA(DWORD dwDesiredAccess, BOOL bInheritHandle,
			 LPCSTR lpName);
HANDLE WINAPI OpenEventW(DWORD dwDesiredAccess, BOOL bInheritHandle,
			 LPCWSTR lpName);
BOOL WINAPI SetEvent(HANDLE hEvent);
BOOL WINAPI ResetEvent(HANDLE hEvent);
BOOL WINAPI PulseEvent(HANDLE hEvent);

/* Mutexes. */
HANDLE WINAPI CreateMutexA(LPSECURITY_ATTRIBUTES lpMutexAttributes,
			   BOOL bInitialOwner, LPCSTR lpName);
HANDLE WINAPI CreateMutexW(LPSECURITY_ATTRIBUTES lpMutexAttributes,
			   BOOL bInitialOwner, LPCWSTR lpName);
HANDLE WINAPI CreateMutexExA(LPSECURITY_ATTRIBUTES lpMutexAttributes,
			     LPCSTR lpName, DWORD dwFlags,
			     DWORD dwDesiredAccess);
HANDLE WINAPI CreateMutexExW(LPSECURITY_ATTRIBUTES lpMutexAttributes,
			     LPCWSTR lpName, DWORD dwFlags,
			     DWORD dwDesiredAccess);
HANDLE WINAPI OpenMutexA(DWORD dwDesiredAccess, BOOL bInheritHandle,
			 LPCSTR lpName);
HANDLE WINAPI OpenMutexW(DWORD dwDesiredAccess, BOOL bInheritHandle,
			 LPCWSTR lpName);
BOOL WINAPI ReleaseMutex(HANDLE hMutex);

/* Semaphores. */
HANDLE WINAPI CreateSemaphoreA(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes,
			       LONG lInitialCount, LONG lMaximumCount,
			       LPCSTR lpName);
HANDLE WINAPI CreateSemaphoreW(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes,
			       LONG lInitialCount, LONG lMaximumCount,
			       LPCWSTR lpName);
HANDLE WINAPI CreateSemaphoreExA(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes,
				 LONG lInitialCount, LONG lMaximumCount,
				 LPCSTR lpName, DWORD dwFlags,
				 DWORD dwDesiredAccess);
HANDLE WINAPI CreateSemaphoreExW(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes,
				 LONG lInitialCount, LONG lMaximumCount,
				 LPCWSTR lpName, DWORD dwFlags,
				 DWORD dwDesiredAccess);
HANDLE WINAPI OpenSemaphoreA(DWORD dwDesiredAccess, BOOL bInheritHandle,
			     LPCSTR lpName);
HANDLE WINAPI OpenSemaphoreW(DWORD dwDesiredAccess, BOOL bInheritHandle,
			     LPCWSTR lpName);
BOOL WINAPI ReleaseSemaphore(HANDLE hSemaphore, LONG lReleaseCount,
			     LPLONG lpPreviousCount);

/* Waitable timers. */
HANDLE WINAPI CreateWaitableTimerA(LPSECURITY_ATTRIBUTES lpTimerAttributes,
				   BOOL bManualReset, LPCSTR lpTimerName);
HANDLE WINAPI CreateWaitableTimerW(LPSECURITY_ATTRIBUTES lpTimerAttributes,
				   BOOL bManualReset, LPCWSTR lpTimerName);
HANDLE WINAPI CreateWaitableTimerExA(LPSECURITY_ATTRIBUTES lpTimerAttributes,
				     LPCSTR lpTimerName, DWORD dwFlags,
				     DWORD dwDesiredAccess);
HANDLE WINAPI CreateWaitableTimerExW(LPSECURITY_ATTRIBUTES lpTimerAttributes,
				     LPCWSTR lpTimerName, DWORD dwFlags,
				     DWORD dwDesiredAccess);
HANDLE WINAPI OpenWaitableTimerA(DWORD dwDesiredAccess, BOOL bInheritHandle,
				 LPCSTR lpTimerName);
HANDLE WINAPI OpenWaitableTimerW(DWORD dwDesiredAccess, BOOL bInheritHandle,
				 LPCWSTR lpTimerName);
BOOL WINAPI SetWaitableTimer(HANDLE hTimer, const LARGE_INTEGER *lpDueTime,
			     LONG lPeriod,
			     PTIMERAPCROUTINE pfnCompletionRoutine,
			     LPVOID lpArgToCompletionRoutine, BOOL fResume);
BOOL WINAPI SetWaitableTimerEx(HANDLE hTimer, const LARGE_INTEGER *lpDueTime,
			       LONG lPeriod,
			       PTIMERAPCROUTINE pfnCompletionRoutine,
			       LPVOID lpArgToCompletionRoutine,
			       PREASON_CONTEXT WakeContext,
			       ULONG TolerableDelay);
BOOL WINAPI CancelWaitableTimer(HANDLE hTimer);

/* Waits, APCs. */
DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
DWORD WINAPI WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds,
				   BOOL bAlertable);
DWORD WINAPI WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles,
				    BOOL bWaitAll, DWORD dwMilliseconds);
DWORD WINAPI WaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles,
				      BOOL bWaitAll, DWORD dwMilliseconds,
				      BOOL bAlertable);
DWORD WINAPI SignalObjectAndWait(HANDLE hObjectToSignal,
				 HANDLE hObjectToWaitOn,
				 DWORD dwMilliseconds, BOOL bAlertable);
VOID WINAPI Sleep(DWORD dwMilliseconds);
DWORD WINAPI SleepEx(DWORD dwMilliseconds, BOOL bAlertable);
DWORD WINAPI QueueUserAPC(PAPCFUNC pfnAPC, HANDLE hThread, ULONG_PTR dwData);

/* Handles. */
BOOL WINAPI CloseHandle(HANDLE hObject);
BOOL WINAPI DuplicateHandle(HANDLE hSourceProcessHandle, HANDLE hSourceHandle,
			    HANDLE hTargetProcessHandle,
			    LPHANDLE lpTargetHandle, DWORD dwDesiredAccess,
			    BOOL bInheritHandle, DWORD dwOptions);
BOOL WINAPI GetHandleInformation(HANDLE hObject, LPDWORD lpdwFlags);
BOOL WINAPI SetHandleInformation(HANDLE hObject, DWORD dwMask, DWORD dwFlags);

/* Processes and threads. */
HANDLE WINAPI GetCurrentProcess(void);
HANDLE WINAPI GetCurrentThread(void);
DWORD WINAPI GetCurrentProcessId(void);
DWORD WINAPI GetCurrentThreadId(void);
HANDLE WINAPI OpenProcess(DWORD dwDesiredAccess, BOOL bInheritHandle,
			  DWORD dwProcessId);

/*
 * winsync extensions.  Linux cannot put a descriptor into another process:
 * instead of DuplicateHandle() into a target process, send the handle over
 * a connected AF_UNIX socket (SCM_RIGHTS) and receive it there.  Both
 * return TRUE, or FALSE with GetLastError() set.
 */
BOOL winsync_send_handle(int sock, HANDLE h);
BOOL winsync_recv_handle(int sock, HANDLE *h);

/* ----------------------------------------------------- TCHAR-style names */

#ifdef UNICODE
#define CreateEvent		CreateEventW
#define CreateEventEx		CreateEventExW
#define OpenEvent		OpenEventW
#define CreateMutex		CreateMutexW
#define CreateMutexEx		CreateMutexExW
#define OpenMutex		OpenMutexW
#define CreateSemaphore		CreateSemaphoreW
#define CreateSemaphoreEx	CreateSemaphoreExW
#define OpenSemaphore		OpenSemaphoreW
#define CreateWaitableTimer	CreateWaitableTimerW
#define CreateWaitableTimerEx	CreateWaitableTimerExW
#define OpenWaitableTimer	OpenWaitableTimerW
#ifndef TEXT
#define TEXT(s)			u ## s
#endif
#else
#define CreateEvent		CreateEventA
#define CreateEventEx		CreateEventExA
#define OpenEvent		OpenEventA
#define CreateMutex		CreateMutexA
#define CreateMutexEx		CreateMutexExA
#define OpenMutex		OpenMutexA
#define CreateSemaphore		CreateSemaphoreA
#define CreateSemaphoreEx	CreateSemaphoreExA
#define OpenSemaphore		OpenSemaphoreA
#define CreateWaitableTimer	CreateWaitableTimerA
#define CreateWaitableTimerEx	CreateWaitableTimerExA
#define OpenWaitableTimer	OpenWaitableTimerA
#ifndef TEXT
#define TEXT(s)			s
#endif
#endif

#ifdef __cplusplus
}
#endif

#endif /* WINSYNC_WIN32_H */
