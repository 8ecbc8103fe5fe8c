// SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note
/*
 * The uapi header on its own: tools/lint/lint (check "uapi") compiles this
 * file as C11 and C++11, for x86-64 and i386, with -Wall -Wextra -Werror
 * -pedantic. The header must come first (it needs no libc header before
 * it), and every structure must have one size on every ABI, so that the
 * module needs no compat ioctls. The check also fails when a structure of
 * the header has no line here.
 */
#include <linux/winsync.h>

#ifdef __cplusplus
#define WS_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define WS_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#define WS_SIZE(name, bytes) \
	WS_STATIC_ASSERT(sizeof(struct name) == (bytes), \
			 "struct " #name " must be " #bytes " bytes on every ABI")

WS_SIZE(winsync_info, 80);
WS_SIZE(winsync_create_args, 80);
WS_SIZE(winsync_open_args, 48);
WS_SIZE(winsync_reopen_args, 32);
WS_SIZE(winsync_obj_info, 104);
WS_SIZE(winsync_list_entry, 1104);
WS_SIZE(winsync_list_args, 40);
WS_SIZE(winsync_timer_args, 48);
WS_SIZE(winsync_wait_args, 56);
