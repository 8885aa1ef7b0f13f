// rtl/rss_toeplitz_shim.cpp — C API (rtl/rtl_twins.h) over the verilated
// rtl/rss_toeplitz.sv. Three builds of the module are linked (see
// rtl/CMakeLists.txt): DATA_W 4 and 8, and the faulty DATA_W 8 build for the
// negative test. The handle picks one at open; the rest is one template.
#include "rtl/rtl_twins.h"

#include <cassert>
#include <cerrno>
#include <cstring>
#include <new>

#include "rtl/shim_common.h"
#include "Vrss_toeplitz_w4.h"
#include "Vrss_toeplitz_w8.h"
#include "Vrss_toeplitz_w8_fault.h"

using rtl_shim::Clocked;

// The opaque C handle: an interface over the template below.
struct rtl_toeplitz {
	virtual ~rtl_toeplitz() = default;
	virtual int open(const char *vcd_path, char *err, size_t err_len) = 0;
	virtual void reset() = 0;
	virtual void write_key_word(uint32_t addr, uint32_t data) = 0;
	virtual void feed(const uint8_t *bytes, uint32_t n_bytes, bool is_last) = 0;
	virtual void feed_idle() = 0;
	virtual void set_out_ready(bool is_ready) = 0;
	virtual bool step() = 0;
	virtual bool is_busy() const = 0;
	virtual uint64_t cycle() const = 0;
	virtual uint32_t hash(const uint8_t *in, size_t len, uint32_t *cycles) = 0;

	uint32_t width = 0;
	bool has_result = false;
	uint32_t result = 0;
};

namespace {

template <class M>
class ToeplitzTwin final : public rtl_toeplitz {
public:
	explicit ToeplitzTwin(uint32_t width_bytes) { width = width_bytes; }

	int open(const char *vcd_path, char *err, size_t err_len) override
	{
		int rc = t_.open("rss_toeplitz", vcd_path, err, err_len);
		if (rc)
			return rc;
		M *m = t_.m();
		m->cfg_key_we = 0;
		m->cfg_key_addr = 0;
		m->cfg_key_data = 0;
		m->s_axis_tdata = 0;
		m->s_axis_tkeep = 0;
		m->s_axis_tvalid = 0;
		m->s_axis_tlast = 0;
		m->m_axis_hash_ready = 1;
		reset();
		return 0;
	}

	void reset() override
	{
		M *m = t_.m();
		m->s_axis_tvalid = 0;
		m->cfg_key_we = 0;
		t_.reset();
		has_result = false;
	}

	void write_key_word(uint32_t addr, uint32_t data) override
	{
		M *m = t_.m();
		m->cfg_key_we = 1;
		m->cfg_key_addr = addr;
		m->cfg_key_data = data;
		t_.settle();
		t_.rise();
		m->cfg_key_we = 0;
	}

	void feed(const uint8_t *bytes, uint32_t n_bytes, bool is_last) override
	{
		rtl_shim::feed_word(t_.m(), width, bytes, n_bytes, is_last);
	}

	void feed_idle() override { t_.m()->s_axis_tvalid = 0; }
	void set_out_ready(bool is_ready) override { t_.m()->m_axis_hash_ready = is_ready; }

	bool step() override
	{
		auto handed_over = [](M *mm, uint64_t *v) {
			*v = mm->m_axis_hash;
			return mm->m_axis_hash_valid && mm->m_axis_hash_ready;
		};
		uint64_t v = 0;
		bool is_accepted = rtl_shim::step_word(t_, handed_over, &has_result, &v);
		if (has_result)
			result = (uint32_t)v;
		return is_accepted;
	}

	// The output handshake for the whole-operation calls (output ready held
	// high); a lambda, so that the streaming loop inlines it.
	static constexpr auto take = [](M *m, uint64_t *v) {
		*v = m->m_axis_hash;
		return (bool)m->m_axis_hash_valid;
	};

	bool is_busy() const override { return t_.m()->busy; }
	uint64_t cycle() const override { return t_.cycle(); }

	// The hot path: no virtual calls inside, two evals per cycle.
	uint32_t hash(const uint8_t *in, size_t len, uint32_t *cycles) override
	{
		M *m = t_.m();
		m->m_axis_hash_ready = 1;
		uint64_t h = 0;
		if (!rtl_shim::stream_packet(t_, width, in, len, take, &h, cycles))
			return 0;
		has_result = true;
		result = (uint32_t)h;
		return result;
	}

private:
	Clocked<M> t_;
};

}  // namespace

extern "C" {

int rtl_toeplitz_open(struct rtl_toeplitz **out, const struct rtl_toeplitz_params *p,
		      const char *vcd_path, char *err, size_t err_len)
{
	*out = nullptr;
	rtl_toeplitz *h = nullptr;
	if (p->is_faulty) {
		if (p->width_bytes != 8) {
			rtl_shim::set_err(err, err_len, "rtl_toeplitz: the faulty build exists for width_bytes 8 only");
			return -EINVAL;
		}
		h = new (std::nothrow) ToeplitzTwin<Vrss_toeplitz_w8_fault>(8);
	} else if (p->width_bytes == 4) {
		h = new (std::nothrow) ToeplitzTwin<Vrss_toeplitz_w4>(4);
	} else if (p->width_bytes == 8) {
		h = new (std::nothrow) ToeplitzTwin<Vrss_toeplitz_w8>(8);
	} else {
		if (err && err_len)
			std::snprintf(err, err_len, "rtl_toeplitz: width_bytes %u not built (4 or 8)", p->width_bytes);
		return -EINVAL;
	}
	return rtl_shim::open_handle(h, "rtl_toeplitz", [&](rtl_toeplitz *x) { return x->open(vcd_path, err, err_len); },
				     out, err, err_len);
}

void rtl_toeplitz_close(struct rtl_toeplitz *h) { delete h; }
void rtl_toeplitz_reset(struct rtl_toeplitz *h) { h->reset(); }

int rtl_toeplitz_set_key(struct rtl_toeplitz *h, const uint8_t *key, size_t key_len)
{
	if (key_len < RTL_TOEPLITZ_KEY_BYTES_MIN || key_len > RTL_TOEPLITZ_KEY_BYTES_MAX)
		return -EINVAL;
	uint8_t k[RTL_TOEPLITZ_KEY_BYTES_MAX] = {0};
	std::memcpy(k, key, key_len);
	// Word a = key bytes 4a..4a+3, byte 4a in bits [31:24] (rss_toeplitz.sv).
	for (uint32_t a = 0; a < RTL_TOEPLITZ_KEY_BYTES_MAX / 4; a++)
		h->write_key_word(a, (uint32_t)k[4 * a] << 24 | (uint32_t)k[4 * a + 1] << 16 |
				     (uint32_t)k[4 * a + 2] << 8 | k[4 * a + 3]);
	return 0;
}

void rtl_toeplitz_feed(struct rtl_toeplitz *h, const uint8_t *bytes, uint32_t n_bytes, bool is_last)
{
	h->feed(bytes, n_bytes, is_last);
}
void rtl_toeplitz_feed_idle(struct rtl_toeplitz *h) { h->feed_idle(); }
void rtl_toeplitz_set_out_ready(struct rtl_toeplitz *h, bool is_ready) { h->set_out_ready(is_ready); }
bool rtl_toeplitz_step(struct rtl_toeplitz *h) { return h->step(); }

bool rtl_toeplitz_result(const struct rtl_toeplitz *h, uint32_t *hash)
{
	if (h->has_result && hash)
		*hash = h->result;
	return h->has_result;
}

bool rtl_toeplitz_is_busy(const struct rtl_toeplitz *h) { return h->is_busy(); }
uint64_t rtl_toeplitz_cycle(const struct rtl_toeplitz *h) { return h->cycle(); }

uint32_t rtl_toeplitz_hash(struct rtl_toeplitz *h, const uint8_t *in, size_t len, uint32_t *cycles)
{
	assert(len + 4 <= RTL_TOEPLITZ_KEY_BYTES_MAX && "rtl_toeplitz_hash: input longer than the key covers");
	return h->hash(in, len, cycles);
}

}  // extern "C"
