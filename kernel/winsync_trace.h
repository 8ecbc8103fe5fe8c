/* SPDX-License-Identifier: GPL-2.0 */
/*
 * winsync trace events: /sys/kernel/tracing/events/winsync/.
 *
 * Objects are named by the id QUERY and fdinfo report.  Only fixed-size
 * fields are used: string fields changed their API in 6.10.
 */
/* checkpatch-ignore-file: OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT: TRACE_EVENT() layout */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM winsync

#if !defined(_WINSYNC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _WINSYNC_TRACE_H

#include <linux/tracepoint.h>
#include <linux/winsync.h>

#define show_winsync_type(type)						\
	__print_symbolic(type,						\
			 { WINSYNC_TYPE_SEM, "semaphore" },		\
			 { WINSYNC_TYPE_MUTEX, "mutex" },		\
			 { WINSYNC_TYPE_EVENT, "event" },		\
			 { WINSYNC_TYPE_TIMER, "timer" })

TRACE_EVENT(winsync_create,
	TP_PROTO(u64 id, u32 type, bool named, bool existed),
	TP_ARGS(id, type, named, existed),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(u32, type)
		__field(bool, named)
		__field(bool, existed)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->type = type;
		__entry->named = named;
		__entry->existed = existed;
	),
	TP_printk("id=%llu type=%s named=%d existed=%d", __entry->id,
		  show_winsync_type(__entry->type), __entry->named,
		  __entry->existed)
);

DECLARE_EVENT_CLASS(winsync_handle_class,
	TP_PROTO(u64 id, u32 type, u32 access),
	TP_ARGS(id, type, access),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(u32, type)
		__field(u32, access)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->type = type;
		__entry->access = access;
	),
	TP_printk("id=%llu type=%s access=0x%x", __entry->id,
		  show_winsync_type(__entry->type), __entry->access)
);

/* A new handle to an existing object: open by name or reopen. */
DEFINE_EVENT(winsync_handle_class, winsync_open,
	TP_PROTO(u64 id, u32 type, u32 access),
	TP_ARGS(id, type, access));

/* A handle's last descriptor was closed. */
DEFINE_EVENT(winsync_handle_class, winsync_close,
	TP_PROTO(u64 id, u32 type, u32 access),
	TP_ARGS(id, type, access));

/* The object's last reference went. */
TRACE_EVENT(winsync_destroy,
	TP_PROTO(u64 id, u32 type),
	TP_ARGS(id, type),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(u32, type)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->type = type;
	),
	TP_printk("id=%llu type=%s", __entry->id,
		  show_winsync_type(__entry->type))
);

TRACE_EVENT(winsync_wait_begin,
	TP_PROTO(u32 count, u32 flags, u64 timeout),
	TP_ARGS(count, flags, timeout),
	TP_STRUCT__entry(
		__field(u32, count)
		__field(u32, flags)
		__field(u64, timeout)
	),
	TP_fast_assign(
		__entry->count = count;
		__entry->flags = flags;
		__entry->timeout = timeout;
	),
	TP_printk("count=%u flags=0x%x timeout=%llu", __entry->count,
		  __entry->flags, __entry->timeout)
);

TRACE_EVENT(winsync_wait_end,
	TP_PROTO(int ret, u32 index, u32 status),
	TP_ARGS(ret, index, status),
	TP_STRUCT__entry(
		__field(int, ret)
		__field(u32, index)
		__field(u32, status)
	),
	TP_fast_assign(
		__entry->ret = ret;
		__entry->index = index;
		__entry->status = status;
	),
	TP_printk("ret=%d index=%u status=%u", __entry->ret, __entry->index,
		  __entry->status)
);

/* An object was acquired for a waiting thread, which is woken. */
TRACE_EVENT(winsync_wake,
	TP_PROTO(u64 id, pid_t tid, u32 index),
	TP_ARGS(id, tid, index),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(pid_t, tid)
		__field(u32, index)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->tid = tid;
		__entry->index = index;
	),
	TP_printk("id=%llu tid=%d index=%u", __entry->id, __entry->tid,
		  __entry->index)
);

TRACE_EVENT(winsync_abandon,
	TP_PROTO(u64 id, pid_t owner_tid),
	TP_ARGS(id, owner_tid),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(pid_t, owner_tid)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->owner_tid = owner_tid;
	),
	TP_printk("id=%llu owner_tid=%d", __entry->id, __entry->owner_tid)
);

TRACE_EVENT(winsync_timer_expire,
	TP_PROTO(u64 id, u64 expirations),
	TP_ARGS(id, expirations),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(u64, expirations)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->expirations = expirations;
	),
	TP_printk("id=%llu expirations=%llu", __entry->id,
		  __entry->expirations)
);

#endif /* _WINSYNC_TRACE_H */

/* Out of tree: define_trace.h finds this file through -I$(src)/kernel. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE winsync_trace
#include <trace/define_trace.h>
