// rtl/shim_common.h — what every Verilator shim shares (C++ only, private to rtl/).
//
// A Clocked<M> owns one VerilatedContext, one verilated model M (ports clk
// and rst, active-high synchronous reset) and, on request, a VCD writer.
//
// The clock is two evals per cycle, the cheapest correct scheme:
//   settle(): clk low, eval — the falling edge (nothing is clocked on it) and
//             the combinational answer (ready, output valid) to the inputs
//             the caller has just driven;
//   rise():   clk high, eval — the rising edge: the RTL samples the inputs.
// The caller reads handshakes between the two. VCD time: one cycle is
// RTL_SHIM_PERIOD_PS (10 ns), the falling edge at its start, the rising edge
// half way.
#ifndef NICSIM_RTL_SHIM_COMMON_H
#define NICSIM_RTL_SHIM_COMMON_H

#include <cassert>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

// Verilator's headers are not clean under the project's -Wall -Wextra.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "verilated.h"
#include "verilated_vcd_c.h"
#pragma GCC diagnostic pop

namespace rtl_shim {

constexpr uint64_t PERIOD_PS = 10000;   // VCD time per cycle; timescale 1ps
// The whole-operation calls give up on an RTL that never answers after this
// many cycles beyond the input (a bug in the RTL; the caller sees UINT32_MAX).
constexpr uint32_t GIVE_UP_CYCLES = 64;

template <class M>
class Clocked {
public:
	// Opens the VCD if vcd_path is not NULL; returns 0 or -errno with err filled.
	int open(const char *name, const char *vcd_path, char *err, size_t err_len)
	{
		ctx_.reset(new VerilatedContext);
		ctx_->debug(0);
		ctx_->fatalOnError(false);   // $error in an elaboration check must not exit the host
		if (vcd_path)
			ctx_->traceEverOn(true);   // before the model is built
		m_.reset(new M{ctx_.get(), name});
		if (vcd_path) {
			vcd_.reset(new VerilatedVcdC);
			m_->trace(vcd_.get(), 99);
			vcd_->open(vcd_path);
			if (!vcd_->isOpen()) {
				std::snprintf(err, err_len, "%s: cannot open VCD file for writing", vcd_path);
				return -EIO;
			}
		}
		m_->clk = 0;
		m_->rst = 0;
		return 0;
	}

	~Clocked()
	{
		if (m_)
			m_->final();
		if (vcd_)
			vcd_->close();
	}

	M *m() const { return m_.get(); }
	uint64_t cycle() const { return cycle_; }

	void settle()
	{
		m_->clk = 0;
		m_->eval();
		if (vcd_)
			vcd_->dump(cycle_ * PERIOD_PS);
	}

	void rise()
	{
		m_->clk = 1;
		m_->eval();
		if (vcd_)
			vcd_->dump(cycle_ * PERIOD_PS + PERIOD_PS / 2);
		cycle_++;
	}

	// Synchronous reset held for two cycles (the caller has driven the
	// other inputs idle).
	void reset()
	{
		m_->rst = 1;
		for (int i = 0; i < 2; i++) {
			settle();
			rise();
		}
		m_->rst = 0;   // sampled from the next step's settle on
	}

	// Flush the VCD so a test can look at it before close.
	void flush()
	{
		if (vcd_)
			vcd_->flush();
	}

private:
	std::unique_ptr<VerilatedContext> ctx_;
	std::unique_ptr<M> m_;
	std::unique_ptr<VerilatedVcdC> vcd_;
	uint64_t cycle_ = 0;
};

// Little-endian lane packing: byte i of the word in lane i (tdata[8i +: 8]).
inline uint64_t pack_lanes(const uint8_t *bytes, uint32_t n)
{
	uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (n == 8 || n == 4) {   // a full word: lane i is byte i, the host's own order
		if (n == 8) {
			std::memcpy(&w, bytes, 8);
		} else {
			uint32_t w32;
			std::memcpy(&w32, bytes, 4);
			w = w32;
		}
		return w;
	}
#endif
	for (uint32_t i = 0; i < n; i++)
		w |= (uint64_t)bytes[i] << (8 * i);
	return w;
}

inline uint32_t keep_of(uint32_t n) { return n >= 32 ? 0xffffffffu : (1u << n) - 1u; }

// Drive one input word on the s_axis_* ports: n bytes, lane 0 first.
template <class M>
inline void drive_word(M *m, const uint8_t *bytes, uint32_t n, bool is_last)
{
	m->s_axis_tdata = pack_lanes(bytes, n);
	m->s_axis_tkeep = keep_of(n);
	m->s_axis_tlast = is_last;
	m->s_axis_tvalid = 1;
}

inline void set_err(char *err, size_t err_len, const char *msg)
{
	if (err && err_len)
		std::snprintf(err, err_len, "%s", msg);
}

// The shims' feed(): one word of width bytes (the last may be partial).
template <class M>
inline void feed_word(M *m, uint32_t width, const uint8_t *bytes, uint32_t n, bool is_last)
{
	assert(n <= width && "rtl feed: more bytes than a word holds");
	assert((n == width || is_last) && "rtl feed: only the last word may be partial");
	(void)width;
	drive_word(m, bytes, n, is_last);
}

// The shims' open: a handle just allocated (nullptr: out of memory) is
// opened, or deleted on failure. 0 or a negative errno, as the C API says.
template <class H, class Open>
inline int open_handle(H *h, const char *name, Open open, H **out, char *err, size_t err_len)
{
	*out = nullptr;
	if (!h) {
		char msg[64];
		std::snprintf(msg, sizeof msg, "%s: out of memory", name);
		set_err(err, err_len, msg);
		return -ENOMEM;
	}
	int rc = open(h);
	if (rc) {
		delete h;
		return rc;
	}
	*out = h;
	return 0;
}

// One clock of a block driven word by word (the shims' step()): out(m, &v)
// reads the output handshake on the settled model (valid and ready) and
// returns whether a result is handed over this cycle, *has_result and
// *value say what it was. Returns whether the driven word was accepted; an
// accepted word is taken off the bus.
template <class M, class Out>
bool step_word(Clocked<M> &t, Out out, bool *has_result, uint64_t *value)
{
	M *m = t.m();
	t.settle();
	bool is_accepted = m->s_axis_tvalid && m->s_axis_tready;
	*has_result = out(m, value);
	t.rise();
	if (is_accepted)
		m->s_axis_tvalid = 0;
	return is_accepted;
}

// A packet to stream: bytes[0..len).
struct Seg {
	const uint8_t *bytes;
	size_t len;
};

inline size_t words_of(size_t len, uint32_t width) { return len ? (len + width - 1) / width : 1; }

// Whole operations on an AXI-stream block with the s_axis_* input ports:
// drive n packets back to back (one word a cycle, tlast on each packet's last
// word, one empty last word for len 0; a packet's first word follows the
// previous packet's last in the next cycle), one clock per step, until the
// block has handed over n results. begin(m, i) drives packet i's sideband
// with its first word; take(m, &value) reads the output handshake on the
// settled model and returns whether a result is valid this cycle. Returns
// true with values[i] and cycles[i] (the cycles from packet i's first word on
// the bus to its result's hand-over, both included: with no stalls, the same
// as if it were streamed alone), or false if the results stopped coming
// within GIVE_UP_CYCLES after the input (a bug in the RTL; the cycles of the
// missing results are UINT32_MAX, and the block is reset so that a late
// answer cannot pass for the next call's). n is 1..SEGS_MAX.
constexpr size_t SEGS_MAX = 4;   // the NIC streams 2 (IPv4 header, segment); room for an outer pair

template <class M, class Begin, class Take>
bool stream_packets(Clocked<M> &t, uint32_t width, const Seg *segs, size_t n, Begin begin, Take take,
		    uint64_t *values, uint32_t *cycles)
{
	assert(n >= 1 && n <= SEGS_MAX && "stream_packets: 1..SEGS_MAX packets");
	M *m = t.m();
	uint32_t first_on_bus[SEGS_MAX] = { 0 };
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += words_of(segs[i].len, width);
	size_t p = 0, next = 0, got = 0;   // packet being fed, its next word, results taken
	uint32_t c = 0;                     // cycles so far
	m->s_axis_tvalid = 0;               // whatever a caller left on the bus is dropped
	for (;;) {
		if (!m->s_axis_tvalid && p < n) {
			const Seg &sg = segs[p];
			size_t words = words_of(sg.len, width);
			if (next == 0) {
				begin(m, p);
				first_on_bus[p] = c;
			}
			size_t off = next * width;
			uint32_t nb = (uint32_t)(sg.len - off < width ? sg.len - off : width);
			drive_word(m, sg.bytes + off, nb, next + 1 == words);
			if (++next == words) {
				p++;
				next = 0;
			}
		}
		t.settle();
		bool is_accepted = m->s_axis_tvalid && m->s_axis_tready;
		uint64_t v = 0;
		bool is_done = take(m, &v);
		t.rise();
		c++;
		if (is_accepted)
			m->s_axis_tvalid = 0;
		if (is_done) {
			values[got] = v;
			cycles[got] = c - first_on_bus[got];
			if (++got == n)
				return true;
		}
		if (c > total + GIVE_UP_CYCLES) {
			for (; got < n; got++)
				cycles[got] = UINT32_MAX;
			m->s_axis_tvalid = 0;
			t.reset();
			return false;
		}
	}
}

// One packet (see stream_packets); cycles may be NULL.
template <class M, class Take>
bool stream_packet(Clocked<M> &t, uint32_t width, const uint8_t *bytes, size_t len, Take take, uint64_t *value,
		   uint32_t *cycles)
{
	Seg sg = { bytes, len };
	uint32_t cyc;
	bool is_ok = stream_packets(t, width, &sg, 1, [](M *, size_t) {}, take, value, &cyc);
	if (cycles)
		*cycles = cyc;
	return is_ok;
}


}  // namespace rtl_shim

#endif
