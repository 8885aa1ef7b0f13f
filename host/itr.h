/*
 * host/itr.h — adaptive interrupt moderation as Intel's drivers do it: the
 * driver, not the NIC, chooses each vector's interval from the frames and
 * bytes it processed since the last choice, and writes it to EITR.
 *
 * Two algorithms, chosen by the number of vectors as igb chooses
 * (igb_ring_irq_enable: one vector -> its set_itr, several ->
 * igb_update_ring_itr):
 *
 * - Per-queue vectors (RSS with MSI-X): the interval follows the average
 *   frame size (igb_update_ring_itr, igc_update_ring_itr):
 *     avg = bytes / frames + 24        (CRC, preamble and gap)
 *     avg = min(avg, 3000)             (do not starve jumbo frames)
 *     itr = avg / 3 if 300 < avg < 1200 (a boost to mid-size frames), else avg / 2
 *     conservative mode: itr = max(itr, 196)   (20000 interrupts/s)
 *   in ticks of 0.25 us (igb's EITR: 196 = 20K/s, 980 = 4K/s, 56 = 70K/s).
 *   No frames since the last choice: the interval stays.
 *
 * - One vector (legacy mode): e1000e's dynamic ITR (e1000_update_itr,
 *   e1000_set_itr), the single-vector algorithm of Intel's gigabit family.
 *   Three latency classes moved by the frames and bytes of the last
 *   interval, from the current class:
 *     lowest: bytes/frames > 8000 -> bulk; frames < 5 and bytes > 512 -> low
 *     low:    bytes > 10000: bytes/frames > 8000, or frames < 10, or
 *                 bytes/frames > 1200 -> bulk; frames > 35 -> lowest
 *             else bytes/frames > 2000 -> bulk; frames <= 2 and bytes < 512 -> lowest
 *     bulk:   bytes > 25000: frames > 35 -> low; else bytes < 6000 -> low
 *   Conservative mode stores lowest as low. The class sets a target rate,
 *   lowest 70000, low 20000, bulk 4000 interrupts/s; a rising rate moves a
 *   quarter of the target at a time, min(rate + target/4, target), "to bias
 *   the interrupt rate towards bulk"; a falling one jumps. It starts at
 *   20000/s (param.c, modes 1 and 3) in class lowest (the zeroed adapter).
 *   igb's own one-vector path differs in details (no quarter steps, 1500
 *   bytes for bulk -> low, conservative applied to the rate only): nicsim
 *   follows e1000e there.
 *
 * Sources: Linux drivers/net/ethernet/intel/igb/igb_main.c
 * (igb_update_ring_itr, igb_ring_irq_enable), igc/igc_main.c, and
 * e1000e/netdev.c, e1000e/param.c (e1000_update_itr, e1000_set_itr, the
 * start value) (docs/irq.md);
 * IGB_START_ITR 648 (~6000 interrupts/s) from igb/igb.h.
 *
 * Integers only. nicsim's EITR holds whole microseconds (docs/registers.md),
 * so an interval is written as ticks / 4, rounded down (196 -> 49 us).
 */
#ifndef NICSIM_HOST_ITR_H
#define NICSIM_HOST_ITR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/param.h"

/* The driver's interrupt moderation policy (keys irq.*). The NIC knows only
 * the EITR values the driver writes from it. */
enum itr_mode { ITR_MODE_FIXED = 0, ITR_MODE_ADAPTIVE, ITR_MODE_OFF };
/* How the NIC times the interval (EITR.DELAY, models/irq.h). */
enum itr_timing { ITR_TIMING_THROTTLE = 0, ITR_TIMING_DELAY };

struct itr_cfg {
	uint32_t mode;                  /* enum itr_mode */
	uint32_t timing;                /* enum itr_timing */
	uint32_t usecs;                 /* ethtool rx-usecs (fixed mode) */
	uint32_t frames;                /* ethtool rx-frames (0 = no frame limit) */
	bool is_adaptive_conservative;  /* adaptive mode: no interval below 20000 interrupts/s */
};
extern const struct param_def itr_params[];
int itr_cfg_validate(const struct itr_cfg *cfg, char *err, size_t err_len);

enum itr_class { ITR_LOWEST = 0, ITR_LOW, ITR_BULK };

#define ITR_START_TICKS 648u      /* igb.h IGB_START_ITR: ~6000 interrupts/s */
#define ITR_20K_TICKS 196u        /* igb.h IGB_20K_ITR */

struct itr_state {
	uint32_t ticks;           /* per-queue algorithm: the interval, 0.25 us ticks */
	uint32_t rate;            /* one-vector algorithm: interrupts/s */
	uint8_t cls;              /* one-vector algorithm: enum itr_class */
};

/* The state a vector starts with: IGB_START_ITR for per-queue vectors;
 * 20000/s in class lowest for one vector (e1000e). */
struct itr_state itr_start(void);

/* Per-queue vectors: the next interval from the frames and bytes since the
 * last call. */
void itr_update_ring(struct itr_state *s, uint64_t frames, uint64_t bytes, bool is_conservative);

/* One vector: the next class and rate from the frames and bytes since the
 * last call. */
void itr_update_single(struct itr_state *s, uint64_t frames, uint64_t bytes, bool is_conservative);

/* The interval to write to EITR, in whole microseconds. */
uint32_t itr_ring_usecs(const struct itr_state *s);
uint32_t itr_single_usecs(const struct itr_state *s);

#endif
