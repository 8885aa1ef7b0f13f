/*
 * sim/systemc/nicsim_sc.cpp — the modules of nicsim_sc.h.
 */
#include "sim/systemc/nicsim_sc.h"

#include <cstring>

extern "C" {
#include "sim/pkt.h"
}

namespace nicsim_sc {

using sc_core::sc_time;
using tlm::tlm_generic_payload;

payload_stack::slot &payload_stack::push()
{
	if (depth_ == slots_.size())
		slots_.emplace_back(new slot);
	slot &s = *slots_[depth_++];
	s.ext.dma = nullptr;
	s.ext.frame = nullptr;
	s.gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
	s.gp.set_byte_enable_ptr(nullptr);
	s.gp.set_byte_enable_length(0);
	s.gp.set_streaming_width(0);
	s.gp.set_dmi_allowed(false);
	return s;
}

/* The annotation of a message at C time t: never negative, because the C
 * kernel never runs behind SystemC time. */
static sc_time delay_of(uint64_t t_ps)
{
	uint64_t now = now_ps();
	sc_assert(t_ps >= now);
	return ps_time(t_ps - now);
}

static void set_txn(tlm_generic_payload &gp, uint64_t addr, unsigned char *data, unsigned len, bool is_write)
{
	gp.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
	gp.set_address(addr);
	gp.set_data_ptr(data);
	gp.set_data_length(len);
	gp.set_streaming_width(len);
}

/* A transaction that failed is a platform's wiring fault (nicsim's own
 * targets answer every one they are sent): stop, naming it. */
static void check_response(const tlm_generic_payload &gp, const char *what)
{
	if (gp.is_response_error())
		SC_REPORT_FATAL("nicsim", (std::string(what) + ": " + gp.get_response_string()).c_str());
}

/* A frame onto an Ethernet socket (the NIC's eth_out, the capture's eth):
 * a write of its bytes, the record in the extension. */
static void send_frame(tlm::tlm_fw_transport_if<> *fw, payload_stack &ps, uint64_t t_ps, struct pkt *p,
		       const char *what)
{
	payload_stack::slot &s = ps.push();
	set_txn(s.gp, 0, p->data, p->cap_len, true);
	s.ext.frame = p;
	sc_time d = delay_of(t_ps);
	fw->b_transport(s.gp, d);
	check_response(s.gp, what);
	ps.pop();
}

/* ---- nic_module ---- */

nic_module::nic_module(sc_core::sc_module_name name, const struct bus_nic_if &model)
	: sc_module(name), bar0("bar0"), dma("dma"), eth_in("eth_in"), eth_out("eth_out"), model_(model)
{
	bar0.register_b_transport(this, &nic_module::bar0_transport);
	eth_in.register_b_transport(this, &nic_module::eth_in_transport);
}

void nic_module::bar0_transport(tlm_generic_payload &gp, sc_time &delay)
{
	uint64_t t = now_ps() + delay.value();
	if (gp.get_data_length() != 4 || gp.get_byte_enable_ptr()) {
		gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);   /* registers are 32 bits */
		return;
	}
	uint32_t v = 0;
	if (gp.is_write()) {
		std::memcpy(&v, gp.get_data_ptr(), 4);
		model_.reg_write(model_.nic, t, gp.get_address(), v);
	} else {
		v = (uint32_t)model_.reg_read(model_.nic, t, gp.get_address());
		std::memcpy(gp.get_data_ptr(), &v, 4);
	}
	gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void nic_module::eth_in_transport(tlm_generic_payload &gp, sc_time &delay)
{
	bus_ext *e = nullptr;
	gp.get_extension(e);
	if (!gp.is_write() || !e || !e->frame) {
		gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
		return;
	}
	model_.frame_in(model_.nic, now_ps() + delay.value(), e->frame);
	gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void nic_module::dma_out(uint64_t t_ps, struct bus_dma *op)
{
	payload_stack::slot &s = dma_gp_.push();
	set_txn(s.gp, op->addr, op->data, op->len, op->is_write);
	s.ext.dma = op;
	sc_time d = delay_of(t_ps), d0 = d;
	dma->b_transport(s.gp, d);
	check_response(s.gp, op->is_write ? "nic.dma write" : "nic.dma read");
	/* What the target added to the delay (a memory's latency) delays a
	 * read's completion by as much; nicsim's host memory adds nothing. */
	if (!op->is_write && d > d0)
		op->t_land_ps += (d - d0).value();
	dma_gp_.pop();
}

void nic_module::msix_out(uint64_t t_ps, uint64_t addr, uint32_t data)
{
	payload_stack::slot &s = dma_gp_.push();
	unsigned char bytes[4];
	std::memcpy(bytes, &data, 4);
	set_txn(s.gp, addr, bytes, 4, true);
	sc_time d = delay_of(t_ps);
	dma->b_transport(s.gp, d);
	check_response(s.gp, "nic.dma MSI-X write");
	dma_gp_.pop();
}

void nic_module::frame_out(uint64_t t_ps, struct pkt *p)
{
	send_frame(eth_out.operator->(), eth_gp_, t_ps, p, "nic.eth_out");
}

/* ---- host_module ---- */

host_module::host_module(sc_core::sc_module_name name, const struct bus_host_if &driver, struct sim_kernel *k,
			 uint64_t quantum_ps)
	: sc_module(name), mmio("mmio"), mem("mem"), driver_(driver), k_(k), quantum_ps_(quantum_ps)
{
	mem.register_b_transport(this, &host_module::mem_transport);
	sim_event_init(&msix_ev_, "systemc.host.msix", SIM_PRIO_BUS, &host_module::msix_fire, this);
}

uint64_t host_module::reg_read(uint64_t t_ps, uint64_t addr)
{
	payload_stack::slot &s = mmio_gp_.push();
	uint32_t v = 0;
	set_txn(s.gp, addr, reinterpret_cast<unsigned char *>(&v), 4, false);
	sc_time d = delay_of(t_ps);
	mmio->b_transport(s.gp, d);
	check_response(s.gp, "host.mmio read");
	mmio_gp_.pop();
	return v;
}

void host_module::reg_write(uint64_t t_ps, uint64_t addr, uint64_t val)
{
	payload_stack::slot &s = mmio_gp_.push();
	uint32_t v = (uint32_t)val;
	set_txn(s.gp, addr, reinterpret_cast<unsigned char *>(&v), 4, true);
	sc_time d = delay_of(t_ps);
	mmio->b_transport(s.gp, d);
	check_response(s.gp, "host.mmio write");
	mmio_gp_.pop();
}

void host_module::mem_transport(tlm_generic_payload &gp, sc_time &delay)
{
	uint64_t t = now_ps() + delay.value(), addr = gp.get_address();
	if (addr >= BUS_MSI_WINDOW_BASE && addr < BUS_MSI_WINDOW_BASE + BUS_MSI_WINDOW_BYTES) {
		if (!gp.is_write() || gp.get_data_length() != 4) {
			gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
			return;
		}
		uint32_t data;
		std::memcpy(&data, gp.get_data_ptr(), 4);
		take_msix(t, addr, data);
		gp.set_response_status(tlm::TLM_OK_RESPONSE);
		return;
	}
	bus_ext *e = nullptr;
	gp.get_extension(e);
	if (e && e->dma) {
		driver_.dma(driver_.host, t, e->dma);
	} else {
		/* A DMA from an initiator that is not nicsim's: the same memory. */
		struct bus_dma op = {};
		op.addr = addr;
		op.len = gp.get_data_length();
		op.is_write = gp.is_write();
		op.data = gp.get_data_ptr();
		driver_.dma(driver_.host, t, &op);
	}
	gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

/* The interrupt controller. Quantum 0: the host takes the interrupt at
 * once. Otherwise at the next quantum boundary (at once when it is on one):
 * the host's CPUs are a decoupled initiator that sees an interrupt when it
 * synchronises. */
void host_module::take_msix(uint64_t t_ps, uint64_t addr, uint32_t data)
{
	uint64_t q = quantum_ps_;
	if (!q || t_ps % q == 0) {
		driver_.msix(driver_.host, t_ps, addr, data);
		return;
	}
	uint64_t at = t_ps - t_ps % q + q;
	msix_pending_.emplace_back(addr, data);
	msix_deferred_++;
	if (!sim_event_is_pending(&msix_ev_))
		sim_schedule_at(k_, &msix_ev_, at);
}

void host_module::msix_fire(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)ev;
	host_module *h = static_cast<host_module *>(arg);
	/* Every message pending arrived in the quantum that has just ended. */
	while (!h->msix_pending_.empty()) {
		auto m = h->msix_pending_.front();
		h->msix_pending_.pop_front();
		h->driver_.msix(h->driver_.host, sim_now_ps(k), m.first, m.second);
	}
}

/* ---- trace_source, wire_sink ---- */

void trace_source::frame_in(uint64_t t_ps, struct pkt *p)
{
	send_frame(eth.operator->(), gp_, t_ps, p, "trace.eth");
}

wire_sink::wire_sink(sc_core::sc_module_name name, void *wire, void (*frame_out)(void *, uint64_t, struct pkt *))
	: sc_module(name), eth("eth"), wire_(wire), frame_out_(frame_out)
{
	eth.register_b_transport(this, &wire_sink::transport);
}

void wire_sink::transport(tlm_generic_payload &gp, sc_time &delay)
{
	bus_ext *e = nullptr;
	gp.get_extension(e);
	frames_++;
	if (frame_out_ && e && e->frame)
		frame_out_(wire_, now_ps() + delay.value(), e->frame);
	gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

/* ---- bus_router ---- */

void bus_router::route(struct bus *b)
{
	b->nic = bus_nic_if{ this, reg_read, reg_write, dma_complete, frame_in };
	b->host.host = this;
	b->host.dma = dma;
	b->host.msix = msix;
	b->host.wire = this;
	b->host.frame_out = frame_out;
}

uint64_t bus_router::reg_read(void *ctx, uint64_t t, uint64_t addr)
{
	return static_cast<bus_router *>(ctx)->host_.reg_read(t, addr);
}
void bus_router::reg_write(void *ctx, uint64_t t, uint64_t addr, uint64_t val)
{
	static_cast<bus_router *>(ctx)->host_.reg_write(t, addr, val);
}
void bus_router::dma_complete(void *ctx, uint64_t t, struct bus_dma *op)
{
	static_cast<bus_router *>(ctx)->nic_.dma_complete(t, op);
}
void bus_router::frame_in(void *ctx, uint64_t t, struct pkt *p)
{
	static_cast<bus_router *>(ctx)->src_.frame_in(t, p);
}
void bus_router::dma(void *ctx, uint64_t t, struct bus_dma *op)
{
	static_cast<bus_router *>(ctx)->nic_.dma_out(t, op);
}
void bus_router::msix(void *ctx, uint64_t t, uint64_t addr, uint32_t data)
{
	static_cast<bus_router *>(ctx)->nic_.msix_out(t, addr, data);
}
void bus_router::frame_out(void *ctx, uint64_t t, struct pkt *p)
{
	static_cast<bus_router *>(ctx)->nic_.frame_out(t, p);
}

/* ---- kernel_module ---- */

kernel_module::kernel_module(sc_core::sc_module_name name, struct sim_kernel *k, uint64_t quantum_ps)
	: sc_module(name), k_(k), quantum_ps_(quantum_ps)
{
	if (sc_core::sc_get_time_resolution() != sc_time(1, sc_core::SC_PS))
		SC_REPORT_FATAL("nicsim", "kernel_module needs a time resolution of 1 ps (sc_set_time_resolution(1, SC_PS))");
	tlm::tlm_global_quantum::instance().set(ps_time(quantum_ps));
	SC_THREAD(run);
}

void kernel_module::wait_until(uint64_t t_ps)
{
	uint64_t now = now_ps();
	if (t_ps > now) {
		wait(ps_time(t_ps - now));
		waits_++;
	}
}

void kernel_module::run()
{
	const uint64_t q = quantum_ps_, stop = stop_ps_;
	for (;;) {
		if (sim_time_overflow(k_, nullptr))
			break;   /* the run reports it (sim/nicsim/run.c) */
		uint64_t next = sim_next_time_ps(k_);
		if (next == SIM_TIME_NEVER || next > stop)
			break;
		if (!q) {
			wait_until(next);
			sim_run_until(k_, next);
			continue;
		}
		/* To the start of the quantum the next event is in (one wait per
		 * quantum that has work), then every event of that quantum, the C
		 * kernel's time left at the last of them as the native loop would
		 * leave it. */
		wait_until(next - next % q);
		uint64_t horizon = now_ps() + q - 1 < stop ? now_ps() + q - 1 : stop;
		while (!sim_time_overflow(k_, nullptr) && (next = sim_next_time_ps(k_)) <= horizon)
			sim_run_until(k_, next);
	}
	if (stop != SIM_TIME_NEVER && !sim_time_overflow(k_, nullptr)) {
		wait_until(stop);
		sim_run_until(k_, stop);
	}
	done.notify();
}

}  // namespace nicsim_sc
