/*
 * models/irq.h — interrupt moderation and MSI-X, one vector per RX queue.
 *
 * Timing rule (Linux ethtool_coalesce, include/uapi/linux/ethtool.h, the
 * comment above struct ethtool_coalesce): after a completion, the vector fires when
 *   (usecs > 0 && time since the first un-signalled completion >= usecs) ||
 *   (frames > 0 && un-signalled completions >= frames).
 * A vector that fired is masked until the driver unmasks it (EIMS write at the
 * end of its DPC, as NAPI/NDIS drivers do); completions while masked are
 * signalled when it is unmasked, under the same rule.
 *
 * The NIC side knows only EITR (interval, frame limit); the moderation policy
 * (irq.* settings, adaptive moderation) is the driver's, which writes EITR
 * (host/itr.h, docs/irq.md). EITR's reset value, usecs 0 and frames 1, fires
 * on every completion.
 *
 * The MSI-X message is a memory write to the address/data the driver
 * programmed in the vector's table entry; a masked table entry holds it.
 */
#ifndef NICSIM_MODELS_IRQ_H
#define NICSIM_MODELS_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/stats.h"
#include "models/bus.h"
#include "sim/kernel.h"

struct irq_vec_stats {
	uint64_t interrupts;
	uint64_t completions;
	uint64_t by_frames, by_timer;   /* what made it fire */
};
extern const struct stat_def irq_vec_stat_defs[];

struct irq;
/* Vectors start as after reset: masked, EITR interval 0 and frame limit 1. */
struct irq *irq_new(struct sim_kernel *k, struct bus *bus, uint32_t vectors);
void irq_free(struct irq *q);
void irq_reset(struct irq *q);
/* A receive completion on vector v, at the kernel's now. */
void irq_complete(struct irq *q, uint32_t v);
void irq_unmask(struct irq *q, uint32_t v);
void irq_mask(struct irq *q, uint32_t v);
/* EITR: interval and frame limit (in adaptive mode the driver rewrites the
 * interval as it goes, host/itr.h). */
void irq_set_itr(struct irq *q, uint32_t v, uint32_t usecs, uint32_t frames);
/* MSI-X table fields. */
void irq_msix_write(struct irq *q, uint32_t v, uint32_t field_off, uint32_t val);
uint32_t irq_msix_read(const struct irq *q, uint32_t v, uint32_t field_off);
uint32_t irq_eitr_read(const struct irq *q, uint32_t v);
struct irq_vec_stats irq_vec_stats(const struct irq *q, uint32_t v);

#endif
