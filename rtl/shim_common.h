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

#include <cerrno>
#include <cstdint>
#include <cstdio>
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
	for (uint32_t i = 0; i < n; i++)
		w |= (uint64_t)bytes[i] << (8 * i);
	return w;
}

inline uint32_t keep_of(uint32_t n) { return n >= 32 ? 0xffffffffu : (1u << n) - 1u; }

// One whole operation on an AXI-stream block with the s_axis_* input ports:
// drive bytes[0..len) back to back (one word a cycle, tlast on the last, one
// empty last word for len 0), one clock per step, until the block hands over
// a result. take(m, &value) reads the output handshake on the settled model
// and returns whether a result is valid this cycle. Returns true with *value
// and *cycles (the cycles from the first word to the hand-over, both
// included), or false if no result came within GIVE_UP_CYCLES after the input
// (a bug in the RTL; *cycles = UINT32_MAX).
template <class M, class Take>
bool stream_packet(Clocked<M> &t, uint32_t width, const uint8_t *bytes, size_t len, Take take, uint64_t *value,
		   uint32_t *cycles)
{
	M *m = t.m();
	size_t words = len ? (len + width - 1) / width : 1;
	size_t next = 0;
	uint32_t n = 0;
	m->s_axis_tvalid = 0;   // whatever a caller left on the bus is dropped
	for (;;) {
		if (!m->s_axis_tvalid && next < words) {
			size_t off = next * width;
			uint32_t nb = (uint32_t)(len - off < width ? len - off : width);
			m->s_axis_tdata = pack_lanes(bytes + off, nb);
			m->s_axis_tkeep = keep_of(nb);
			m->s_axis_tlast = (next + 1 == words);
			m->s_axis_tvalid = 1;
			next++;
		}
		t.settle();
		bool is_accepted = m->s_axis_tvalid && m->s_axis_tready;
		uint64_t v = 0;
		bool is_done = take(m, &v);
		t.rise();
		n++;
		if (is_accepted)
			m->s_axis_tvalid = 0;
		if (is_done) {
			*value = v;
			if (cycles)
				*cycles = n;
			return true;
		}
		if (n > words + GIVE_UP_CYCLES) {
			if (cycles)
				*cycles = UINT32_MAX;
			return false;
		}
	}
}

inline void set_err(char *err, size_t err_len, const char *msg)
{
	if (err && err_len)
		std::snprintf(err, err_len, "%s", msg);
}

}  // namespace rtl_shim

#endif
