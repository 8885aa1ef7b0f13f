/*
 * models/irq.h — interrupt moderation and MSI-X, one vector per RX queue.
 *
 * Two timing rules, chosen per vector by EITR's DELAY bit (models/nic_regs.h):
 *
 * - Throttle (DELAY 0, the reset value): Intel's EITR, a guaranteed minimum
 *   interval between interrupts counted from the last one (I210 datasheet
 *   section 7.3; 82598EB datasheet section 3.5.4.2; 82575EB software
 *   developer's manual section 14.3.45). The count is reloaded when an
 *   interrupt is sent; a cause (a completion, or completions pending when
 *   the driver unmasks) fires at once when the count has run out, else when
 *   it runs out. A lone frame after a quiet spell sees no moderation delay.
 * - Delay (DELAY 1): ethtool's rule (the comment above struct
 *   ethtool_coalesce, Linux include/uapi/linux/ethtool.h), which is how
 *   Mellanox CQ moderation behaves: fire once the interval has passed since
 *   the first completion not yet signalled.
 *
 * Under both, a frame limit fires as soon as that many completions are
 * pending, and an interval of 0 means no time rule (frames only; the reset
 * value, interval 0 and frame limit 1, fires on every completion). A vector
 * that fired is masked until the driver unmasks it (EIMS write at the end of
 * its DPC, as NAPI/NDIS drivers do); completions while masked are signalled
 * when it is unmasked, under the same rule. A driver's EITR write changes
 * the interval and frame limit but never restarts the running count: the
 * count loaded at the last interrupt runs out as loaded (igb writes EITR
 * with E1000_EITR_CNT_IGNR on 82576 and later, ixgbe with
 * IXGBE_EITR_CNT_WDIS on 82599 and later; only the 82575 and 82598 paths
 * restart it, which nicsim does not model).
 *
 * The NIC side knows only EITR; the moderation policy (irq.* settings,
 * adaptive moderation) is the driver's, which writes EITR (host/itr.h,
 * docs/irq.md).
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
#include "models/pcie.h"
#include "sim/kernel.h"

struct irq_vec_stats {
	uint64_t interrupts;
	uint64_t completions;
	uint64_t by_frames, by_timer;   /* what made it fire */
};
extern const struct stat_def irq_vec_stat_defs[];

struct irq;
/* Vectors start as after reset: masked, EITR interval 0, frame limit 1,
 * throttle timing. */
/* link: the PCIe link MSI-X messages cross (the NIC's), or NULL for messages
 * that reach the host at once. */
struct irq *irq_new(struct sim_kernel *k, struct bus *bus, struct pcie_link *link, uint32_t vectors);
void irq_free(struct irq *q);
void irq_reset(struct irq *q);
/* A receive completion on vector v, at the kernel's now. */
void irq_complete(struct irq *q, uint32_t v);
void irq_unmask(struct irq *q, uint32_t v);
void irq_mask(struct irq *q, uint32_t v);
/* EITR, the register word (models/nic_regs.h): interval, frame limit and
 * timing rule (in adaptive mode the driver rewrites the interval as it goes,
 * host/itr.h). */
void irq_eitr_write(struct irq *q, uint32_t v, uint32_t eitr);
/* MSI-X table fields. */
void irq_msix_write(struct irq *q, uint32_t v, uint32_t field_off, uint32_t val);
uint32_t irq_msix_read(const struct irq *q, uint32_t v, uint32_t field_off);
uint32_t irq_eitr_read(const struct irq *q, uint32_t v);
struct irq_vec_stats irq_vec_stats(const struct irq *q, uint32_t v);

#endif
