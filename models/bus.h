/*
 * models/bus.h — the bus between the NIC and the host, as in hardware.
 *
 * The host programs the NIC through registers (MMIO) and descriptor rings in
 * host memory; the NIC answers with DMA reads/writes and MSI-X messages.
 * Nothing in models/ calls into host/ and nothing in host/ reaches into a
 * model's structs: each side implements one interface below and talks to the
 * other only through a struct bus. That boundary is what lets the same NIC
 * run under the native kernel, inside a SystemC/TLM-2.0 platform, or against
 * a test stub.
 *
 * Into the NIC (struct bus_nic_if, SimBricks' nicbm device interface is the
 * model): register read, register write, DMA read completion, frame in from the
 * wire. Out of the NIC (struct bus_host_if): DMA read/write request, MSI-X
 * message (a memory write to the address the driver programmed), frame out.
 *
 * Every message carries a time stamp t_ps. Senders call at their own current
 * time, with one exception: a DMA read's completion carries the time it lands
 * at the NIC, which is later (the NIC's PCIe link model, models/pcie.h, says
 * when; op->t_land_ps). The native binding (the inline functions below)
 * delivers at once: the host serves a read when it is issued and the
 * completion is handed back in the same call, stamped t_land_ps; the NIC acts
 * on it at that time. Another binding may complete a read later than
 * t_land_ps, and reads in another order than issued (a test binding does
 * both, tests/test_nic.c); the NIC takes a completion whenever it comes. The
 * SystemC binding (sim/systemc/nicsim_sc.h, docs/systemc.md) turns each call
 * into a TLM-2.0 transaction with its time as the delay annotation.
 *
 * Ownership: the bus lends. A frame (struct pkt) or a DMA's data is valid
 * for the call only; a receiver that keeps a frame takes its own reference
 * (pkt_ref) and the sender releases its own after the call.
 */
#ifndef NICSIM_MODELS_BUS_H
#define NICSIM_MODELS_BUS_H

#include <stdbool.h>
#include <stdint.h>

struct pkt;

/* The x86 MSI window: a memory write to an address with 0xFEE in bits 31:20
 * (the destination APIC ID in bits 19:12) is an interrupt message (Intel SDM
 * Vol. 3, "Message Address Register Format"). The driver programs its
 * vectors there; a platform's memory decodes the window as the interrupt
 * controller (sim/systemc/). */
#define BUS_MSI_WINDOW_BASE 0xFEE00000ull
#define BUS_MSI_WINDOW_BYTES 0x100000ull

/* One DMA transaction issued by the NIC. For a write, data holds len bytes
 * and the NIC issues it when it lands (after its time on the link); for a
 * read, the host fills data, which stays valid until the NIC has taken the
 * completion (it is the NIC's). A frame's data write also lends the frame's
 * record (pkt): its bytes are the data, and it carries the frame's stage
 * timestamps, which are measurement for the report, never input to a
 * decision. tag is the NIC's own (the index of its pending read). */
struct bus_dma {
	uint64_t addr;
	uint32_t len;
	bool is_write;
	uint8_t *data;
	struct pkt *pkt;
	uint64_t tag;
	uint64_t t_land_ps;   /* read: when its completion lands at the NIC by the link model */
};

struct bus_nic_if {
	void *nic;
	uint64_t (*reg_read)(void *nic, uint64_t t_ps, uint64_t addr);
	void (*reg_write)(void *nic, uint64_t t_ps, uint64_t addr, uint64_t val);
	void (*dma_complete)(void *nic, uint64_t t_ps, struct bus_dma *op);
	void (*frame_in)(void *nic, uint64_t t_ps, struct pkt *p);
};

struct bus_host_if {
	void *host;
	void (*dma)(void *host, uint64_t t_ps, struct bus_dma *op);
	void (*msix)(void *host, uint64_t t_ps, uint64_t addr, uint32_t data);
	/* A frame the NIC put on the wire, at its first bit: to the wire's far
	 * end (a capture writer), with its own context. The record is the
	 * NIC's, lent for the call and never kept (it has no pool). */
	void *wire;
	void (*frame_out)(void *wire, uint64_t t_ps, struct pkt *p);
};

/* A binding: how messages cross. The functions below are what each side
 * calls; a binding supplies them. */
struct bus {
	struct bus_nic_if nic;
	struct bus_host_if host;
};

/* Native binding: deliver immediately (same kernel, same instant). */
static inline uint64_t bus_reg_read(struct bus *b, uint64_t t_ps, uint64_t addr)
{
	return b->nic.reg_read(b->nic.nic, t_ps, addr);
}
static inline void bus_reg_write(struct bus *b, uint64_t t_ps, uint64_t addr, uint64_t val)
{
	b->nic.reg_write(b->nic.nic, t_ps, addr, val);
}
static inline void bus_frame_in(struct bus *b, uint64_t t_ps, struct pkt *p)
{
	b->nic.frame_in(b->nic.nic, t_ps, p);
}
/* DMA: the host serves it; a read then completes to the NIC with its data,
 * stamped with its landing time. Writes are posted (PCIe memory writes have
 * no completion). */
static inline void bus_dma(struct bus *b, uint64_t t_ps, struct bus_dma *op)
{
	b->host.dma(b->host.host, t_ps, op);
	if (!op->is_write && b->nic.dma_complete)
		b->nic.dma_complete(b->nic.nic, op->t_land_ps > t_ps ? op->t_land_ps : t_ps, op);
}
static inline void bus_msix(struct bus *b, uint64_t t_ps, uint64_t addr, uint32_t data)
{
	b->host.msix(b->host.host, t_ps, addr, data);
}
static inline void bus_frame_out(struct bus *b, uint64_t t_ps, struct pkt *p)
{
	if (b->host.frame_out)
		b->host.frame_out(b->host.wire, t_ps, p);
}

#endif
