/*
 * host/itr.h — adaptive interrupt moderation as Intel's drivers do it: the
 * driver, not the NIC, chooses each vector's interval from the frames and
 * bytes it processed since the last choice, and writes it to EITR.
 *
 * Which driver's algorithm, by the line rate the NIC reports (STATUS bits
 * 31:8, mac.rate_mbps) and, below 10 Gb/s, by the number of vectors as igb
 * chooses (igb_ring_irq_enable: one vector -> its set_itr, several ->
 * igb_update_ring_itr):
 *
 *   rate >= 10000 Mb/s           ixgbe (any number of vectors)
 *   rate <  10000, several vectors  igb's ring ITR
 *   rate <  10000, one vector       e1000e's dynamic ITR
 *
 * - 10 Gb/s and faster: ixgbe_update_itr / ixgbe_set_itr (Linux
 *   ixgbe_main.c, the algorithm since "ixgbe: Update adaptive ITR
 *   algorithm"; constants from ixgbe.h). State: the interval in EITR (usecs,
 *   starting at IXGBE_20K_ITR, 50 us) and a latency/bulk mode bit (starting
 *   latency). From the frames and bytes since the last choice:
 *     no choice for more than one jiffy (now > next update): 10 us, latency
 *     frames == 0:                  usecs + 2 (at most 126), mode kept
 *     frames < 4 and bytes < 9000:  latency mode, by size (below)
 *     frames < 48:                  bulk, usecs + 2 (at most 126)
 *     frames < 96:                  bulk, usecs unchanged
 *     frames < 256:                 bulk, usecs / 2 (at least 10)
 *     otherwise:                    bulk, by size
 *   By size, from the average frame avg = bytes / frames (integers):
 *     avg <= 60: 5120;  <= 316: 40 avg + 2720;  <= 1084: 15 avg + 11452;
 *     < 1968: 5 avg + 22420;  else 32256;
 *     halved in latency mode; usecs = ceil(value / 512) * 2
 *   so bulk gives 20 to 126 us, latency 10 to 64 us. The next update is due
 *   within the next jiffy (next = now + 1, in jiffies). IXGBE_ITR_ADAPTIVE_
 *   MIN_USECS 10, _MAX_USECS 126, _MIN_INC 2. ixgbe writes a changed
 *   interval at once, at the end of its poll before it unmasks the vector.
 *   Kernel time is counted in jiffies of 4 ms (HZ 250, the default of Linux
 *   kernel/Kconfig.hz). ixgbe has no conservative mode:
 *   irq.adaptive_conservative does not apply.
 *
 * - Per-queue vectors below 10 Gb/s (RSS with MSI-X): the interval follows
 *   the average frame size (igb_update_ring_itr, igc_update_ring_itr):
 *     avg = bytes / frames + 24        (CRC, preamble and gap)
 *     avg = min(avg, 3000)             (do not starve jumbo frames)
 *     itr = avg / 3 if 300 < avg < 1200 (a boost to mid-size frames), else avg / 2
 *     conservative mode: itr = max(itr, 196)   (20000 interrupts/s)
 *   in ticks of 0.25 us (igb's EITR: 196 = 20K/s, 980 = 4K/s, 56 = 70K/s).
 *   No frames since the last choice: the interval stays. igb writes a
 *   changed interval at the start of the next interrupt (igb_msix_ring).
 *
 * - One vector below 10 Gb/s (legacy mode): e1000e's dynamic ITR
 *   (e1000_update_itr, e1000_set_itr), the single-vector algorithm of
 *   Intel's gigabit family. Three latency classes moved by the frames and
 *   bytes of the last interval, from the current class:
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
 * Sources: Linux drivers/net/ethernet/intel/ixgbe/ixgbe_main.c
 * (ixgbe_update_itr, ixgbe_set_itr, ixgbe_poll), ixgbe_lib.c
 * (ixgbe_alloc_q_vector: the start values), ixgbe.h (IXGBE_ITR_ADAPTIVE_*,
 * IXGBE_20K_ITR); igb/igb_main.c (igb_update_ring_itr, igb_ring_irq_enable,
 * igb_msix_ring), igc/igc_main.c, and e1000e/netdev.c, e1000e/param.c
 * (e1000_update_itr, e1000_set_itr, the start value) (docs/irq.md);
 * IGB_START_ITR 648 (~6000 interrupts/s) from igb/igb.h.
 *
 * Integers only. nicsim's EITR holds whole microseconds (docs/registers.md),
 * so an igb interval is written as ticks / 4, rounded down (196 -> 49 us);
 * ixgbe's are whole (even) microseconds already.
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

/* The line rate from which the driver is ixgbe (a 10 GbE port). */
#define ITR_IXGBE_RATE_MBPS 10000u
#define ITR_IXGBE_MIN_USECS 10u     /* ixgbe.h IXGBE_ITR_ADAPTIVE_MIN_USECS */
#define ITR_IXGBE_MAX_USECS 126u    /* ixgbe.h IXGBE_ITR_ADAPTIVE_MAX_USECS */
#define ITR_IXGBE_MIN_INC_USECS 2u  /* ixgbe.h IXGBE_ITR_ADAPTIVE_MIN_INC */
#define ITR_IXGBE_START_USECS 50u   /* ixgbe.h IXGBE_20K_ITR (200 = 50 us << 2) */
#define ITR_JIFFY_PS 4000000000ull  /* 4 ms: HZ 250, Linux kernel/Kconfig.hz's default */

/* Which driver's algorithm a port runs (host/itr.h's table). */
enum itr_algo { ITR_ALGO_IGB_RING = 0, ITR_ALGO_E1000E, ITR_ALGO_IXGBE };
enum itr_algo itr_algo_for(uint32_t rate_mbps, uint32_t vectors);

struct itr_state {
	uint32_t ticks;           /* igb per-queue: the interval, 0.25 us ticks */
	uint32_t rate;            /* e1000e one vector: interrupts/s */
	uint8_t cls;              /* e1000e one vector: enum itr_class */
	uint8_t ixgbe_usecs;      /* ixgbe: the interval in EITR (q_vector->itr >> 2) */
	bool is_ixgbe_latency;    /* ixgbe: latency mode (IXGBE_ITR_ADAPTIVE_LATENCY), else bulk */
	uint64_t ixgbe_next_jiffy;/* ixgbe: a choice after this jiffy finds the counts stale */
};

/* The state a vector starts with: IGB_START_ITR for igb's per-queue
 * vectors; 20000/s in class lowest for one vector (e1000e); 50 us in
 * latency mode for ixgbe, its first choice never stale. */
struct itr_state itr_start(void);

/* Per-queue vectors: the next interval from the frames and bytes since the
 * last call. */
void itr_update_ring(struct itr_state *s, uint64_t frames, uint64_t bytes, bool is_conservative);

/* One vector: the next class and rate from the frames and bytes since the
 * last call. */
void itr_update_single(struct itr_state *s, uint64_t frames, uint64_t bytes, bool is_conservative);

/* ixgbe: the next interval and mode from the frames and bytes since the last
 * call, at now_ps (kernel time, for the jiffy rule). */
void itr_update_ixgbe(struct itr_state *s, uint64_t frames, uint64_t bytes, uint64_t now_ps);

/* The interval to write to EITR, in whole microseconds. */
uint32_t itr_ring_usecs(const struct itr_state *s);
uint32_t itr_single_usecs(const struct itr_state *s);
uint32_t itr_ixgbe_usecs(const struct itr_state *s);

#endif
