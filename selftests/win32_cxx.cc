// SPDX-License-Identifier: GPL-2.0
/*
 * <winsync/win32.h> from C++ (built with g++ -std=c++11 -Wall -Wextra
 * -Werror): the build is the test.  Run, it checks a few calls that need no
 * device and prints a TAP report.
 */
#include <cstdio>

#define UNICODE
#include <winsync/win32.h>

static_assert(sizeof(WCHAR) == 2, "WCHAR is 16 bits");
static_assert(sizeof(DWORD) == 4 && sizeof(LONG) == 4, "32-bit DWORD, LONG");
static_assert(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER");
static_assert(WAIT_TIMEOUT == 0x102 && MAXIMUM_WAIT_OBJECTS == 64, "values");

static VOID CALLBACK apc(ULONG_PTR) {}
static VOID CALLBACK timer_routine(LPVOID, DWORD, DWORD) {}

int main()
{
	/* Function pointers of the API, the way C++ code would take them. */
	PAPCFUNC a = apc;
	PTIMERAPCROUTINE t = timer_routine;
	HANDLE (WINAPI *create)(LPSECURITY_ATTRIBUTES, BOOL, BOOL, LPCWSTR) =
		CreateEvent;
	DWORD (WINAPI *wait)(DWORD, const HANDLE *, BOOL, DWORD) =
		WaitForMultipleObjects;
	const WCHAR *name = TEXT("Local\\cxx");
	LARGE_INTEGER li;
	int fails = 0;

	li.QuadPart = -1;
	(void)a; (void)t; (void)create; (void)wait; (void)name;
	SetLastError(42);
	fails += GetLastError() != 42;
	fails += CloseHandle(GetCurrentProcess()) != TRUE;
	fails += winsync_handle_to_fd(winsync_fd_to_handle(7)) != 7;
	fails += li.LowPart != 0xffffffffu || li.u.HighPart != -1;
	fails += CloseHandle(NULL) != FALSE || GetLastError() != ERROR_INVALID_HANDLE;
	std::printf("TAP version 13\n1..1\n%sok 1 cxx_header\n", fails ? "not " : "");
	std::printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
		    !fails, !!fails);
	return fails ? 1 : 0;
}
