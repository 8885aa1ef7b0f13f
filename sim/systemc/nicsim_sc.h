/*
 * sim/systemc/nicsim_sc.h — nicsim's NIC and host as SystemC/TLM-2.0 modules.
 *
 * The modules wrap the C model (models/, host/): there is one NIC and one
 * driver, written in C, and this file only carries their calls across TLM-2.0
 * sockets (IEEE 1666-2011 §14, the loosely-timed coding style: blocking
 * transport, each transaction's time as its annotated delay).
 *
 *   host_module.mmio  (initiator) --> nic_module.bar0   (target)  register access
 *   nic_module.dma    (initiator) --> host_module.mem   (target)  DMA, and MSI-X
 *   trace_source.eth  (initiator) --> nic_module.eth_in (target)  frames from the wire
 *   nic_module.eth_out(initiator) --> wire_sink.eth     (target)  frames to the wire
 *
 * The C halves talk through a struct bus (models/bus.h); a bus_router puts
 * each of its calls onto the socket of the module that makes it (the
 * driver's register accesses onto host_module.mmio, the NIC's DMA onto
 * nic_module.dma, and so on), and every target calls the C side it wraps.
 * kernel_module steps the C event kernel in step with SystemC time
 * (temporal decoupling with a quantum, tlm::tlm_global_quantum). The C
 * halves share that one event kernel; they reach each other only through the
 * sockets.
 *
 * Conventions (docs/systemc.md):
 * - Time: picoseconds, SystemC's default resolution; a delay annotation is
 *   the message's C time minus sc_time_stamp(), never negative.
 * - BAR0: 32-bit registers at the offsets of models/nic_regs.h (address =
 *   offset), 4-byte reads and writes, little-endian (x86 hosts).
 * - DMA: the payload's address, data and length are the transfer; a
 *   bus_ext carries the C message (its frame record, for the report's stage
 *   times). A read's data is in the payload when b_transport returns; the
 *   NIC's PCIe model has already put the link's time into the annotation (a
 *   write is issued when it lands; a read completes at the link model's
 *   landing time), and whatever a memory target adds to the delay delays the
 *   completion by as much.
 * - MSI-X: a 4-byte write of the vector's data to the address the driver
 *   programmed, through the same initiator socket as DMA; on x86 that is the
 *   0xFEExxxxx window (Intel SDM vol. 3, §11.11.1), which host_module.mem
 *   decodes as its interrupt controller.
 * - Ethernet: a TLM-2.0 socket with the generic payload (a write of the
 *   frame's bytes, its first bit at the annotated time) and a bus_ext
 *   carrying the frame's record (struct pkt: wire length, stage times). A
 *   socket rather than a channel, so a platform's switch or tap binds to it
 *   like any other TLM target; a frame without the extension is refused
 *   (TLM_GENERIC_ERROR_RESPONSE): the model needs the record.
 */
#ifndef NICSIM_SC_H
#define NICSIM_SC_H

#include <cstdint>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

extern "C" {
#include "models/bus.h"
#include "sim/kernel.h"
}

namespace nicsim_sc {

/* Picoseconds <-> sc_time (the resolution must be 1 ps: kernel_module checks). */
inline sc_core::sc_time ps_time(uint64_t ps) { return sc_core::sc_time::from_value(ps); }
inline uint64_t now_ps() { return sc_core::sc_time_stamp().value(); }

/* The C message a transaction carries, for targets that are nicsim's own. */
struct bus_ext : tlm::tlm_extension<bus_ext> {
	struct bus_dma *dma = nullptr;   /* a DMA (nic_module.dma) */
	struct pkt *frame = nullptr;     /* a frame (eth sockets) */
	tlm::tlm_extension_base *clone() const override { return new bus_ext(*this); }
	void copy_from(const tlm::tlm_extension_base &o) override { *this = static_cast<const bus_ext &>(o); }
};

/* Payloads for one socket, reused: a call may nest (a DMA write lands, the
 * driver rings a doorbell, the NIC issues another DMA), so each depth has
 * its own. */
class payload_stack {
public:
	struct slot {
		tlm::tlm_generic_payload gp;
		bus_ext ext;
		slot() { gp.set_extension(&ext); }
		~slot() { gp.clear_extension(&ext); }
	};
	slot &push();
	void pop() { depth_--; }
private:
	std::vector<std::unique_ptr<slot>> slots_;
	size_t depth_ = 0;
};

/* The NIC (models/nic.h) behind its sockets. */
class nic_module : public sc_core::sc_module {
public:
	tlm_utils::simple_target_socket<nic_module> bar0;
	tlm_utils::simple_initiator_socket<nic_module> dma;
	tlm_utils::simple_target_socket<nic_module> eth_in;
	tlm_utils::simple_initiator_socket<nic_module> eth_out;

	/* model: the NIC's entry points, as nic_attach filled them in. */
	nic_module(sc_core::sc_module_name name, const struct bus_nic_if &model);

	/* The NIC's calls out (what bus_router routes here). */
	void dma_out(uint64_t t_ps, struct bus_dma *op);
	void msix_out(uint64_t t_ps, uint64_t addr, uint32_t data);
	void frame_out(uint64_t t_ps, struct pkt *p);
	/* A read's completion, back into the NIC at its landing time. */
	void dma_complete(uint64_t t_ps, struct bus_dma *op) { model_.dma_complete(model_.nic, t_ps, op); }

private:
	void bar0_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
	void eth_in_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
	struct bus_nic_if model_;
	payload_stack dma_gp_, eth_gp_;
};

/* The host: its driver (host/driver.h) and CPUs, reaching the NIC through
 * mmio, and its memory with the interrupt controller behind mem. */
class host_module : public sc_core::sc_module {
public:
	tlm_utils::simple_initiator_socket<host_module> mmio;
	tlm_utils::simple_target_socket<host_module> mem;

	/* driver: the host's entry points, as driver_attach filled them in; k
	 * the event kernel it runs on; quantum_ps as kernel_module's. */
	host_module(sc_core::sc_module_name name, const struct bus_host_if &driver, struct sim_kernel *k,
		    uint64_t quantum_ps);

	/* The driver's register accesses (what bus_router routes here). */
	uint64_t reg_read(uint64_t t_ps, uint64_t addr);
	void reg_write(uint64_t t_ps, uint64_t addr, uint64_t val);

	uint64_t msix_deferred() const { return msix_deferred_; }

private:
	void mem_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
	void take_msix(uint64_t t_ps, uint64_t addr, uint32_t data);
	static void msix_fire(struct sim_kernel *k, struct sim_event *ev, void *arg);
	struct bus_host_if driver_;
	struct sim_kernel *k_;
	uint64_t quantum_ps_;
	struct sim_event msix_ev_;
	std::deque<std::pair<uint64_t, uint32_t>> msix_pending_;
	uint64_t msix_deferred_ = 0;
	payload_stack mmio_gp_;
};

/* The capture's frames onto the wire (the replay's bus_frame_in calls). */
class trace_source : public sc_core::sc_module {
public:
	tlm_utils::simple_initiator_socket<trace_source> eth;
	explicit trace_source(sc_core::sc_module_name name) : sc_module(name), eth("eth") {}
	void frame_in(uint64_t t_ps, struct pkt *p);
private:
	payload_stack gp_;
};

/* The wire's far end: hands each frame the NIC sent to the C writer it was
 * given (the run's capture writers), or drops it when there is none. */
class wire_sink : public sc_core::sc_module {
public:
	tlm_utils::simple_target_socket<wire_sink> eth;
	wire_sink(sc_core::sc_module_name name, void *wire, void (*frame_out)(void *, uint64_t, struct pkt *));
	uint64_t frames() const { return frames_; }
private:
	void transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
	void *wire_;
	void (*frame_out_)(void *, uint64_t, struct pkt *);
	uint64_t frames_ = 0;
};

/* Routes the C halves' struct bus through the modules' sockets: after
 * route(), every call either side makes on b becomes a transaction. The
 * modules must have been made from b's entry points first. */
class bus_router {
public:
	bus_router(nic_module &nic, host_module &host, trace_source &src) : nic_(nic), host_(host), src_(src) {}
	void route(struct bus *b);
private:
	static uint64_t reg_read(void *ctx, uint64_t t, uint64_t addr);
	static void reg_write(void *ctx, uint64_t t, uint64_t addr, uint64_t val);
	static void dma_complete(void *ctx, uint64_t t, struct bus_dma *op);
	static void frame_in(void *ctx, uint64_t t, struct pkt *p);
	static void dma(void *ctx, uint64_t t, struct bus_dma *op);
	static void msix(void *ctx, uint64_t t, uint64_t addr, uint32_t data);
	static void frame_out(void *ctx, uint64_t t, struct pkt *p);
	nic_module &nic_;
	host_module &host_;
	trace_source &src_;
};

/* Steps the C event kernel from an SC_THREAD. Quantum 0: the thread waits
 * to each next event time and fires that instant's events (the native
 * order, so the native results). Quantum q > 0: it fires every event of the
 * quantum [n q, (n+1) q) and then waits to the quantum's end, the C model
 * running ahead of SystemC time by less than q (TLM-2.0 temporal
 * decoupling); host_module takes an MSI-X at the next quantum boundary, as a
 * decoupled CPU sees an interrupt when it synchronises. Ends at stop_ps
 * (SIM_TIME_NEVER: when no event is pending), leaving the kernel where
 * sim_run_until(k, stop_ps) would, and notifies done. */
class kernel_module : public sc_core::sc_module {
public:
	sc_core::sc_event done;
	kernel_module(sc_core::sc_module_name name, struct sim_kernel *k, uint64_t quantum_ps);
	void set_stop(uint64_t stop_ps) { stop_ps_ = stop_ps; }
	uint64_t waits() const { return waits_; }
	SC_HAS_PROCESS(kernel_module);
private:
	void run();
	void wait_until(uint64_t t_ps);
	struct sim_kernel *k_;
	uint64_t quantum_ps_;
	uint64_t stop_ps_ = SIM_TIME_NEVER;
	uint64_t waits_ = 0;
};

}  // namespace nicsim_sc

#endif
