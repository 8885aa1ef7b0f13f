// rtl/csum_shim.cpp — C API (rtl/rtl_twins.h) over the verilated rtl/csum.sv,
// built with DATA_W 4 and 8 (see rtl/CMakeLists.txt); the handle picks one.
#include "rtl/rtl_twins.h"

#include <cassert>
#include <cerrno>
#include <new>

#include "rtl/shim_common.h"
#include "Vcsum_w4.h"
#include "Vcsum_w8.h"

using rtl_shim::Clocked;

static_assert(RTL_CSUM_SEGS_MAX == rtl_shim::SEGS_MAX, "rtl_twins.h and shim_common.h disagree on the segment limit");

struct rtl_csum {
	virtual ~rtl_csum() = default;
	virtual int open(const char *vcd_path, char *err, size_t err_len) = 0;
	virtual void reset() = 0;
	virtual void set_packet(uint32_t start_bytes, uint32_t init) = 0;
	virtual void feed(const uint8_t *bytes, uint32_t n_bytes, bool is_last) = 0;
	virtual void feed_idle() = 0;
	virtual void set_out_ready(bool is_ready) = 0;
	virtual bool step() = 0;
	virtual bool is_busy() const = 0;
	virtual uint64_t cycle() const = 0;
	virtual uint16_t run(const uint8_t *words, size_t len, uint32_t start, uint32_t init, uint32_t *cycles) = 0;
	virtual int sums(const struct rtl_csum_seg *segs, size_t n, uint16_t *out, uint32_t *cycles) = 0;

	uint32_t width = 0;
	bool has_result = false;
	uint16_t result = 0;
};

namespace {

template <class M>
class CsumTwin final : public rtl_csum {
public:
	explicit CsumTwin(uint32_t width_bytes) { width = width_bytes; }

	int open(const char *vcd_path, char *err, size_t err_len) override
	{
		int rc = t_.open("csum", vcd_path, err, err_len);
		if (rc)
			return rc;
		M *m = t_.m();
		m->s_axis_tdata = 0;
		m->s_axis_tkeep = 0;
		m->s_axis_tvalid = 0;
		m->s_axis_tlast = 0;
		m->s_axis_start = 0;
		m->s_axis_init = 0;
		m->m_axis_csum_ready = 1;
		reset();
		return 0;
	}

	void reset() override
	{
		t_.m()->s_axis_tvalid = 0;
		t_.reset();
		has_result = false;
	}

	void set_packet(uint32_t start_bytes, uint32_t init) override
	{
		assert(start_bytes <= 0xffff && "rtl_csum_set_packet: start beyond START_W (16 bits)");
		t_.m()->s_axis_start = start_bytes;
		t_.m()->s_axis_init = init;
	}

	void feed(const uint8_t *bytes, uint32_t n_bytes, bool is_last) override
	{
		rtl_shim::feed_word(t_.m(), width, bytes, n_bytes, is_last);
	}

	void feed_idle() override { t_.m()->s_axis_tvalid = 0; }
	void set_out_ready(bool is_ready) override { t_.m()->m_axis_csum_ready = is_ready; }

	bool step() override
	{
		auto handed_over = [](M *mm, uint64_t *v) {
			*v = mm->m_axis_csum;
			return mm->m_axis_csum_valid && mm->m_axis_csum_ready;
		};
		uint64_t v = 0;
		bool is_accepted = rtl_shim::step_word(t_, handed_over, &has_result, &v);
		if (has_result)
			result = (uint16_t)v;
		return is_accepted;
	}

	// The output handshake for the whole-operation calls (output ready held
	// high); a lambda, so that the streaming loop inlines it.
	static constexpr auto take = [](M *m, uint64_t *v) {
		*v = m->m_axis_csum;
		return (bool)m->m_axis_csum_valid;
	};

	bool is_busy() const override { return t_.m()->busy; }
	uint64_t cycle() const override { return t_.cycle(); }

	// Stream words[0..len) from lane 0, range starting at byte start.
	uint16_t run(const uint8_t *words, size_t len, uint32_t start, uint32_t init, uint32_t *cycles) override
	{
		M *m = t_.m();
		m->m_axis_csum_ready = 1;
		m->s_axis_start = start;
		m->s_axis_init = init;
		uint64_t sum = 0;
		if (!rtl_shim::stream_packet(t_, width, words, len, take, &sum, cycles))
			return 0;
		has_result = true;
		result = (uint16_t)sum;
		return result;
	}

	// Ranges back to back, each streamed from lane 0 with start 0.
	int sums(const struct rtl_csum_seg *segs, size_t n, uint16_t *out, uint32_t *cycles) override
	{
		if (n == 0 || n > rtl_shim::SEGS_MAX)
			return -EINVAL;
		M *m = t_.m();
		m->m_axis_csum_ready = 1;
		rtl_shim::Seg sg[rtl_shim::SEGS_MAX];
		for (size_t i = 0; i < n; i++)
			sg[i] = { segs[i].data, segs[i].len };
		auto begin = [segs](M *mm, size_t i) {
			mm->s_axis_start = 0;
			mm->s_axis_init = segs[i].init;
		};
		uint64_t v[rtl_shim::SEGS_MAX] = { 0 };
		uint32_t cyc[rtl_shim::SEGS_MAX];
		bool is_ok = rtl_shim::stream_packets(t_, width, sg, n, begin, take, v, cyc);
		if (cycles)
			for (size_t i = 0; i < n; i++)
				cycles[i] = cyc[i];
		for (size_t i = 0; i < n; i++)
			out[i] = (uint16_t)v[i];
		has_result = is_ok;
		result = out[n - 1];
		return is_ok ? 0 : -EIO;
	}

private:
	Clocked<M> t_;
};

}  // namespace

extern "C" {

int rtl_csum_open(struct rtl_csum **out, const struct rtl_csum_params *p, const char *vcd_path, char *err,
		  size_t err_len)
{
	*out = nullptr;
	rtl_csum *h = nullptr;
	if (p->width_bytes == 4) {
		h = new (std::nothrow) CsumTwin<Vcsum_w4>(4);
	} else if (p->width_bytes == 8) {
		h = new (std::nothrow) CsumTwin<Vcsum_w8>(8);
	} else {
		if (err && err_len)
			std::snprintf(err, err_len, "rtl_csum: width_bytes %u not built (4 or 8)", p->width_bytes);
		return -EINVAL;
	}
	return rtl_shim::open_handle(h, "rtl_csum", [&](rtl_csum *x) { return x->open(vcd_path, err, err_len); }, out,
				     err, err_len);
}

void rtl_csum_close(struct rtl_csum *h) { delete h; }
void rtl_csum_reset(struct rtl_csum *h) { h->reset(); }
void rtl_csum_set_packet(struct rtl_csum *h, uint32_t start_bytes, uint32_t init) { h->set_packet(start_bytes, init); }
void rtl_csum_feed(struct rtl_csum *h, const uint8_t *bytes, uint32_t n_bytes, bool is_last)
{
	h->feed(bytes, n_bytes, is_last);
}
void rtl_csum_feed_idle(struct rtl_csum *h) { h->feed_idle(); }
void rtl_csum_set_out_ready(struct rtl_csum *h, bool is_ready) { h->set_out_ready(is_ready); }
bool rtl_csum_step(struct rtl_csum *h) { return h->step(); }

bool rtl_csum_result(const struct rtl_csum *h, uint16_t *sum)
{
	if (h->has_result && sum)
		*sum = h->result;
	return h->has_result;
}

bool rtl_csum_is_busy(const struct rtl_csum *h) { return h->is_busy(); }
uint64_t rtl_csum_cycle(const struct rtl_csum *h) { return h->cycle(); }

uint16_t rtl_csum_sum(struct rtl_csum *h, const uint8_t *data, size_t len, uint32_t init, uint32_t *cycles)
{
	return h->run(data, len, 0, init, cycles);
}

int rtl_csum_sums(struct rtl_csum *h, const struct rtl_csum_seg *segs, size_t n, uint16_t *sums, uint32_t *cycles)
{
	return h->sums(segs, n, sums, cycles);
}

uint16_t rtl_csum_range(struct rtl_csum *h, const uint8_t *frame, size_t start, size_t end, uint32_t init,
			uint32_t *cycles)
{
	assert(start <= end && "rtl_csum_range: start after end");
	size_t first_word = start / h->width * h->width;
	return h->run(frame + first_word, end - first_word, (uint32_t)(start - first_word), init, cycles);
}

}  // extern "C"
