// rtl/rss_indir_shim.cpp — C API (rtl/rtl_twins.h) over the verilated
// rtl/rss_indir.sv, built with TABLE_SIZE = RTL_RSS_INDIR_TABLE_MAX and
// QUEUE_W = RTL_RSS_INDIR_QUEUE_BITS; the active size is a run-time input.
#include "rtl/rtl_twins.h"

#include <cassert>
#include <cerrno>
#include <new>

#include "rtl/shim_common.h"
#include "Vrss_indir.h"

using rtl_shim::Clocked;

struct rtl_rss_indir {
	Clocked<Vrss_indir> t;
	uint32_t table_size = 0;
	bool has_result = false;
	uint16_t result = 0;
	uint32_t result_index = 0;
};

static uint32_t log2_u32(uint32_t v)
{
	uint32_t l = 0;
	while ((1u << l) < v)
		l++;
	return l;
}

extern "C" {

int rtl_rss_indir_open(struct rtl_rss_indir **out, const struct rtl_rss_indir_params *p, const char *vcd_path,
		       char *err, size_t err_len)
{
	*out = nullptr;
	uint32_t n = p->table_size;
	if (n < 2 || n > RTL_RSS_INDIR_TABLE_MAX || (n & (n - 1))) {
		if (err && err_len)
			std::snprintf(err, err_len, "rtl_rss_indir: table_size %u is not a power of two in 2..%u", n,
				      RTL_RSS_INDIR_TABLE_MAX);
		return -EINVAL;
	}
	auto open = [&](rtl_rss_indir *h) {
		int rc = h->t.open("rss_indir", vcd_path, err, err_len);
		if (rc)
			return rc;
		h->table_size = n;
		Vrss_indir *m = h->t.m();
		m->cfg_size_log2 = log2_u32(n);
		m->cfg_we = 0;
		m->cfg_index = 0;
		m->cfg_queue = 0;
		m->s_axis_hash = 0;
		m->s_axis_hash_valid = 0;
		m->m_axis_queue_ready = 1;
		rtl_rss_indir_reset(h);
		return 0;
	};
	return rtl_shim::open_handle(new (std::nothrow) rtl_rss_indir, "rtl_rss_indir", open, out, err, err_len);
}

void rtl_rss_indir_close(struct rtl_rss_indir *h) { delete h; }

void rtl_rss_indir_reset(struct rtl_rss_indir *h)
{
	h->t.m()->s_axis_hash_valid = 0;
	h->t.m()->cfg_we = 0;
	h->t.reset();
	h->has_result = false;
}

void rtl_rss_indir_write(struct rtl_rss_indir *h, uint32_t index, uint16_t queue)
{
	assert(index < h->table_size && "rtl_rss_indir_write: index beyond the table");
	Vrss_indir *m = h->t.m();
	m->cfg_we = 1;
	m->cfg_index = index;
	m->cfg_queue = queue;
}

void rtl_rss_indir_feed(struct rtl_rss_indir *h, uint32_t hash)
{
	h->t.m()->s_axis_hash = hash;
	h->t.m()->s_axis_hash_valid = 1;
}

void rtl_rss_indir_feed_idle(struct rtl_rss_indir *h) { h->t.m()->s_axis_hash_valid = 0; }
void rtl_rss_indir_set_out_ready(struct rtl_rss_indir *h, bool is_ready) { h->t.m()->m_axis_queue_ready = is_ready; }

bool rtl_rss_indir_step(struct rtl_rss_indir *h)
{
	Vrss_indir *m = h->t.m();
	h->t.settle();
	bool is_accepted = m->s_axis_hash_valid && m->s_axis_hash_ready;
	h->has_result = m->m_axis_queue_valid && m->m_axis_queue_ready;
	if (h->has_result) {
		h->result = m->m_axis_queue;
		h->result_index = m->m_axis_index;
	}
	h->t.rise();
	m->cfg_we = 0;   // a write is one clock
	if (is_accepted)
		m->s_axis_hash_valid = 0;
	return is_accepted;
}

bool rtl_rss_indir_result(const struct rtl_rss_indir *h, uint16_t *queue, uint32_t *index)
{
	if (h->has_result) {
		if (queue)
			*queue = h->result;
		if (index)
			*index = h->result_index;
	}
	return h->has_result;
}

bool rtl_rss_indir_is_busy(const struct rtl_rss_indir *h) { return h->t.m()->busy; }
uint64_t rtl_rss_indir_cycle(const struct rtl_rss_indir *h) { return h->t.cycle(); }

int rtl_rss_indir_table_set(struct rtl_rss_indir *h, uint32_t index, uint16_t queue)
{
	if (index >= h->table_size || queue >= (1u << RTL_RSS_INDIR_QUEUE_BITS))
		return -EINVAL;
	Vrss_indir *m = h->t.m();
	bool was_valid = m->s_axis_hash_valid;
	m->s_axis_hash_valid = 0;   // a pure write cycle
	rtl_rss_indir_write(h, index, queue);
	h->t.settle();
	h->t.rise();
	m->cfg_we = 0;
	m->s_axis_hash_valid = was_valid;
	return 0;
}

uint16_t rtl_rss_indir_lookup(struct rtl_rss_indir *h, uint32_t hash, uint32_t *cycles)
{
	Vrss_indir *m = h->t.m();
	m->m_axis_queue_ready = 1;
	m->cfg_we = 0;
	m->s_axis_hash = hash;
	m->s_axis_hash_valid = 1;
	uint32_t n = 0;
	for (;;) {
		h->t.settle();
		bool is_accepted = m->s_axis_hash_valid && m->s_axis_hash_ready;
		bool is_done = m->m_axis_queue_valid;
		uint16_t q = m->m_axis_queue;
		uint32_t idx = m->m_axis_index;
		h->t.rise();
		n++;
		if (is_accepted)
			m->s_axis_hash_valid = 0;
		if (is_done) {
			h->has_result = true;
			h->result = q;
			h->result_index = idx;
			if (cycles)
				*cycles = n;
			return q;
		}
		if (n > 1 + rtl_shim::GIVE_UP_CYCLES) {
			if (cycles)
				*cycles = UINT32_MAX;
			return 0;
		}
	}
}

}  // extern "C"
