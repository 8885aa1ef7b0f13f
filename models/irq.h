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
 * The NIC side knows only EITR (interval, frame limit). In adaptive mode the
 * driver rewrites EITR as it goes, as Intel's drivers do (host/itr.h,
 * docs/irq.md); irq.mode=off is EITR's reset value usecs 0, frames 1.
 *
 * The MSI-X message is a memory write to the address/data the driver
 * programmed in the vector's table entry; a masked table entry holds it.
 */
#ifndef NICSIM_MODELS_IRQ_H
#define NICSIM_MODELS_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "models/bus.h"
#include "sim/kernel.h"
#include "sim/param.h"

enum irq_mode { IRQ_MODE_FIXED = 0, IRQ_MODE_ADAPTIVE, IRQ_MODE_OFF };

struct irq_cfg {
	uint32_t mode;            /* enum irq_mode */
	uint32_t usecs;           /* ethtool rx-usecs (fixed mode) */
	uint32_t frames;          /* ethtool rx-frames (0 = no frame limit) */
	bool is_adaptive_conservative;  /* adaptive mode: no interval below 20000 interrupts/s (host/itr.h) */
};
extern const struct param_def irq_params[];
int irq_cfg_validate(const struct irq_cfg *cfg, char *err, size_t err_len);

struct irq_vec_stats {
	uint64_t interrupts;
	uint64_t completions;
	uint64_t by_frames, by_timer;   /* what made it fire */
};

struct irq;
struct irq *irq_new(struct sim_kernel *k, struct bus *bus, const struct irq_cfg *cfg, uint32_t vectors);
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
