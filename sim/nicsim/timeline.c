/*
 * sim/nicsim/timeline.c — the timeline writer (sim/nicsim/timeline.h).
 *
 * Layout, chosen so that a burst reads top to bottom in Perfetto or
 * chrome://tracing (the format: Google's "Trace Event Format" document):
 *   - one process per receive queue ("queue 3"), listed first, with "frame
 *     lanes": each frame is one row of its nine stage slices, end to end
 *     (wire, pipeline, buffer_wait, ..., dpc), named as the report names the
 *     stages. Frames of a queue overlap in time (one is on the wire while
 *     the one before waits for its interrupt), and slices on one thread
 *     must nest, so each frame goes to the lowest lane whose last frame had
 *     ended when it arrived: as many lanes as frames were in flight at once
 *     in the window.
 *   - "host CPUs": one thread per core with its ISR and DPC runs ("ISR q3",
 *     "DPC q3": the driver's work items are its queue numbers) and an
 *     instant "MSI-X q3" where a queue's interrupt reached the core.
 *   - "RSS indirection table": an instant per entry moved.
 * A frame's stages are written only as a row of adjacent slices, not
 * inside one slice for the whole frame: a viewer converts microseconds to
 * whole nanoseconds slice by slice, and a child could then end after its
 * parent; adjacent slices stay apart under any such rounding down.
 *
 * pids and tids are small fixed numbers (tid = pid * TL_TID_BASE + lane or
 * core, unique across the file, as some viewers want). Names ("M" events)
 * are written when a process or thread is first used, so a window shows
 * only what ran in it.
 *
 * Memory: a lane's end time per lane and a start time per core; lanes grow
 * with the frames in flight at once, not with the run. Output is buffered
 * stdio; a write error is remembered by the stream and reported at close.
 */
#include "sim/nicsim/timeline.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/driver.h"
#include "sim/kernel.h"

enum {
	TL_PID_CPUS = 1,
	TL_PID_TABLE = 2,
	TL_PID_QUEUE0 = 3,          /* queue q is pid TL_PID_QUEUE0 + q */
};
#define TL_TID_BASE 1000000u    /* tids of pid P: P * TL_TID_BASE + n */
#define TL_LANES_MAX (TL_TID_BASE - 1)
#define TL_BUF_BYTES (1u << 20)

struct tl_queue {
	uint64_t *lane_end_ps;      /* when the last frame of each lane ended */
	uint32_t n_lanes, cap_lanes;
	bool is_named;
};

struct tl_core {
	uint64_t start_ps;          /* the running item's start */
	bool is_running, is_named;
};

struct timeline {
	FILE *f;
	char path[4096];
	uint64_t from_ps, len_ps;
	uint64_t events, frames;
	bool is_first, is_nomem, is_table_named, is_cpus_named;
	struct tl_queue *q;
	uint32_t nq;
	struct tl_core *core;
	uint32_t ncores;
};

static bool in_window(const struct timeline *tl, uint64_t t_ps)
{
	return t_ps >= tl->from_ps && (!tl->len_ps || t_ps - tl->from_ps < tl->len_ps);
}

/* Microseconds with six decimals: exact for integer picoseconds. A
 * uint64_t of ps is at most 20 digits: 14 before the point, the point, 6
 * after and the NUL (22) fit in TL_US_CHARS. */
#define TL_US_CHARS 32
static const char *us(char buf[TL_US_CHARS], uint64_t ps)
{
	snprintf(buf, TL_US_CHARS, "%" PRIu64 ".%06" PRIu64, ps / (uint64_t)SIM_PS_PER_US, ps % (uint64_t)SIM_PS_PER_US);
	return buf;
}

/* Start the next event: the separator, then the caller writes one object. */
static FILE *ev_begin(struct timeline *tl)
{
	fputs(tl->is_first ? "\n" : ",\n", tl->f);
	tl->is_first = false;
	tl->events++;
	return tl->f;
}

static void meta_name(struct timeline *tl, const char *what, uint32_t pid, uint64_t tid, const char *name,
		      uint32_t sort_index)
{
	bool is_thread = !strcmp(what, "thread_name");
	FILE *f = ev_begin(tl);
	fprintf(f, "{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%u", what, pid);
	if (is_thread)
		fprintf(f, ",\"tid\":%" PRIu64, tid);
	fprintf(f, ",\"args\":{\"name\":\"%s\"}}", name);
	f = ev_begin(tl);
	fprintf(f, "{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%u", is_thread ? "thread_sort_index" : "process_sort_index", pid);
	if (is_thread)
		fprintf(f, ",\"tid\":%" PRIu64, tid);
	fprintf(f, ",\"args\":{\"sort_index\":%u}}", sort_index);
}

/* Grow an array of n elements of size sz to hold index i; false when out
 * of memory (the event is then not written, and close says so). */
static bool grow(struct timeline *tl, void **arr, uint32_t *n, size_t sz, uint32_t i)
{
	if (i < *n)
		return true;
	uint32_t m = *n ? *n : 4;
	while (m <= i)
		m *= 2;
	void *a = realloc(*arr, (size_t)m * sz);
	if (!a) {
		tl->is_nomem = true;
		return false;
	}
	memset((char *)a + (size_t)*n * sz, 0, (size_t)(m - *n) * sz);
	*arr = a;
	*n = m;
	return true;
}

static struct tl_core *core_of(struct timeline *tl, uint32_t c)
{
	if (!grow(tl, (void **)&tl->core, &tl->ncores, sizeof *tl->core, c))
		return NULL;
	return &tl->core[c];
}

/* The core's thread, named at its first event. */
static uint64_t core_tid(struct timeline *tl, uint32_t c, struct tl_core *k)
{
	uint64_t tid = (uint64_t)TL_PID_CPUS * TL_TID_BASE + c;
	if (!tl->is_cpus_named) {
		tl->is_cpus_named = true;
		meta_name(tl, "process_name", TL_PID_CPUS, 0, "host CPUs", TL_TID_BASE);
	}
	if (!k->is_named) {
		k->is_named = true;
		char name[32];
		snprintf(name, sizeof name, "cpu %u", c);
		meta_name(tl, "thread_name", TL_PID_CPUS, tid, name, c);
	}
	return tid;
}

int timeline_open(struct timeline **out, const char *path, uint64_t from_ps, uint64_t len_ps, char *err,
		  size_t err_len)
{
	*out = NULL;
	struct timeline *tl = calloc(1, sizeof *tl);
	if (!tl) {
		snprintf(err, err_len, "%s: out of memory", path);
		return -1;
	}
	snprintf(tl->path, sizeof tl->path, "%s", path);
	tl->from_ps = from_ps;
	tl->len_ps = len_ps;
	tl->is_first = true;
	if (!(tl->f = fopen(path, "w"))) {
		snprintf(err, err_len, "%s: cannot write the timeline: %s", path, strerror(errno));
		free(tl);
		return -1;
	}
	setvbuf(tl->f, NULL, _IOFBF, TL_BUF_BYTES);
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", tl->f);
	*out = tl;
	return 0;
}

int timeline_close(struct timeline *tl, char *err, size_t err_len)
{
	if (!tl)
		return 0;
	char a[TL_US_CHARS], b[TL_US_CHARS];
	fprintf(tl->f, "\n],\"otherData\":{\"generator\":\"nicsim %s\",\"window_from_us\":%s,\"window_us\":%s,"
		       "\"frames\":%" PRIu64 ",\"events\":%" PRIu64 "}}\n",
		NICSIM_VERSION, us(a, tl->from_ps), us(b, tl->len_ps), tl->frames, tl->events);
	int rc = 0;
	bool is_write_err = ferror(tl->f) != 0;
	int saved = errno;
	if (fclose(tl->f) || is_write_err) {
		snprintf(err, err_len, "%s: could not write the timeline: %s", tl->path,
			 strerror(is_write_err ? saved : errno));
		rc = -1;
	} else if (tl->is_nomem) {
		snprintf(err, err_len, "%s: out of memory: some events are missing from the timeline", tl->path);
		rc = -1;
	}
	for (uint32_t i = 0; i < tl->nq; i++)
		free(tl->q[i].lane_end_ps);
	free(tl->q);
	free(tl->core);
	free(tl);
	return rc;
}

/* The lowest lane of the queue free at t_ps (its last frame ended by then),
 * a new one if none is; UINT32_MAX when out of memory. */
static uint32_t lane_take(struct timeline *tl, struct tl_queue *q, uint64_t start_ps, uint64_t end_ps)
{
	uint32_t l = 0;
	while (l < q->n_lanes && q->lane_end_ps[l] > start_ps)
		l++;
	if (l == TL_LANES_MAX) {   /* more in flight than tids: share the last lane */
		l--;
	} else if (l == q->n_lanes) {
		if (!grow(tl, (void **)&q->lane_end_ps, &q->cap_lanes, sizeof *q->lane_end_ps, l))
			return UINT32_MAX;
		q->n_lanes++;
	}
	q->lane_end_ps[l] = end_ps;
	return l;
}

void timeline_frame(struct timeline *tl, const struct pkt *p, uint32_t queue)
{
	const uint64_t *t = p->t_ps;
	if (!in_window(tl, t[PKT_T_WIRE]))
		return;
	if (!grow(tl, (void **)&tl->q, &tl->nq, sizeof *tl->q, queue))
		return;
	struct tl_queue *q = &tl->q[queue];
	uint32_t pid = TL_PID_QUEUE0 + queue;
	char name[32];
	if (!q->is_named) {
		q->is_named = true;
		snprintf(name, sizeof name, "queue %u", queue);
		meta_name(tl, "process_name", pid, 0, name, queue);
	}
	uint32_t n_before = q->n_lanes;
	uint32_t lane = lane_take(tl, q, t[PKT_T_WIRE], t[PKT_T_DELIVERED]);
	if (lane == UINT32_MAX)
		return;
	uint64_t tid = (uint64_t)pid * TL_TID_BASE + lane;
	if (q->n_lanes > n_before) {
		snprintf(name, sizeof name, "frames %u", lane);
		meta_name(tl, "thread_name", pid, tid, name, lane);
	}
	tl->frames++;
	for (int s = 0; s < LAT_E2E; s++) {
		uint64_t from = t[lat_stage_stamps[s].from], to = t[lat_stage_stamps[s].to];
		char a[TL_US_CHARS], b[TL_US_CHARS];
		fprintf(ev_begin(tl),
			"{\"name\":\"%s\",\"cat\":\"frame\",\"ph\":\"X\",\"pid\":%u,\"tid\":%" PRIu64 ",\"ts\":%s,"
			"\"dur\":%s,\"args\":{\"frame\":%" PRIu64 ",\"record\":%" PRIu64 ",\"bytes\":%u}}",
			driver_lat_stage_name((enum lat_stage)s), pid, tid, us(a, from), us(b, to - from), p->seq,
			p->record, p->wire_len);
	}
}

void timeline_cpu_item(void *ctx, uint32_t core, enum cpu_work kind, uint32_t item, bool is_start, uint64_t t_ps)
{
	struct timeline *tl = ctx;
	struct tl_core *k = core_of(tl, core);
	if (!k)
		return;
	if (is_start) {
		k->is_running = true;
		k->start_ps = t_ps;
		return;
	}
	bool was_running = k->is_running;
	k->is_running = false;
	if (!was_running || !in_window(tl, k->start_ps))
		return;
	uint64_t tid = core_tid(tl, core, k);
	char a[TL_US_CHARS], b[TL_US_CHARS];
	fprintf(ev_begin(tl),
		"{\"name\":\"%s q%u\",\"cat\":\"cpu\",\"ph\":\"X\",\"pid\":%u,\"tid\":%" PRIu64 ",\"ts\":%s,\"dur\":%s,"
		"\"args\":{\"queue\":%u}}",
		cpu_work_name(kind), item, TL_PID_CPUS, tid, us(a, k->start_ps),
		us(b, t_ps - k->start_ps), item);
}

void timeline_msix(void *ctx, uint32_t queue, uint32_t cpu, uint64_t t_ps)
{
	struct timeline *tl = ctx;
	if (!in_window(tl, t_ps))
		return;
	struct tl_core *k = core_of(tl, cpu);
	if (!k)
		return;
	uint64_t tid = core_tid(tl, cpu, k);
	char a[TL_US_CHARS];
	fprintf(ev_begin(tl),
		"{\"name\":\"MSI-X q%u\",\"cat\":\"irq\",\"ph\":\"i\",\"s\":\"t\",\"pid\":%u,\"tid\":%" PRIu64
		",\"ts\":%s,\"args\":{\"queue\":%u}}",
		queue, TL_PID_CPUS, tid, us(a, t_ps), queue);
}

void timeline_move(void *ctx, const struct rebalance_move_info *m)
{
	static const char *const how[] = {
		[REBALANCE_HOW_IMMEDIATE] = "immediate",
		[REBALANCE_HOW_DRAINED] = "drained",
		[REBALANCE_HOW_FORCED] = "forced",
	};
	struct timeline *tl = ctx;
	if (!in_window(tl, m->t_ps))
		return;
	uint64_t tid = (uint64_t)TL_PID_TABLE * TL_TID_BASE;
	if (!tl->is_table_named) {
		tl->is_table_named = true;
		meta_name(tl, "process_name", TL_PID_TABLE, 0, "RSS indirection table", TL_TID_BASE + 1);
		meta_name(tl, "thread_name", TL_PID_TABLE, tid, "moves", 0);
	}
	char a[TL_US_CHARS], b[TL_US_CHARS];
	fprintf(ev_begin(tl),
		"{\"name\":\"entry %u: q%u -> q%u\",\"cat\":\"rss\",\"ph\":\"i\",\"s\":\"t\",\"pid\":%u,\"tid\":%" PRIu64
		",\"ts\":%s,\"args\":{\"entry\":%u,\"from\":%u,\"to\":%u,\"how\":\"%s\",\"requested_us\":%s}}",
		m->entry, m->from, m->to, TL_PID_TABLE, tid, us(a, m->t_ps), m->entry, m->from, m->to, how[m->how],
		us(b, m->requested_ps));
}

uint64_t timeline_events(const struct timeline *tl) { return tl->events; }
uint64_t timeline_frames(const struct timeline *tl) { return tl->frames; }
