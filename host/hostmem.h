/*
 * host/hostmem.h — host physical memory as the NIC sees it through DMA.
 *
 * Regions are allocated by the driver. A backed region holds bytes (rings);
 * an unbacked region (packet buffers) holds no bytes: a DMA write into it
 * hands the region's owner the frame record that rides along with the data
 * (struct bus_dma.pkt), which is all the simulation needs of a payload.
 * A DMA outside every region is counted and ignored (a badly programmed NIC
 * must not crash the simulator).
 */
#ifndef NICSIM_HOST_HOSTMEM_H
#define NICSIM_HOST_HOSTMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "models/bus.h"

typedef void (*hostmem_write_fn)(void *owner, uint64_t offset, struct bus_dma *op);

struct hostmem;
struct hostmem *hostmem_new(void);
void hostmem_free(struct hostmem *m);
/* Allocate bytes (2 MiB aligned, a guard page after). Returns the bus address, 0 on failure. */
uint64_t hostmem_alloc(struct hostmem *m, uint64_t bytes, bool is_backed, hostmem_write_fn on_write, void *owner);
/* Pointer to backed bytes at addr (len must lie in one region), or NULL. */
uint8_t *hostmem_ptr(struct hostmem *m, uint64_t addr, uint64_t len);
/* Serve a DMA (struct bus_host_if.dma). */
void hostmem_dma(struct hostmem *m, struct bus_dma *op);
uint64_t hostmem_bad_dma(const struct hostmem *m);

#endif
