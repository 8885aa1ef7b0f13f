#include "host/itr.h"

#include <stdio.h>

const struct param_def itr_params[] = {
	{
		.key = "irq.mode", .type = PARAM_ENUM, .offset = offsetof(struct itr_cfg, mode),
		.unit = "", .defval = "fixed", .choices = "fixed,adaptive,off",
		.desc = "Interrupt moderation: fixed usecs/frames; adaptive (the driver rewrites each vector's EITR "
			"interval after every interrupt, as Intel's drivers do: ixgbe at 10 Gb/s and up, igb/e1000e "
			"below, docs/irq.md); or off (one interrupt per frame).",
		.source = "fixed keeps runs comparable across configs; Intel drivers default to adaptive (e1000e.rst, igb.h IGB_DEFAULT_ITR 3)",
	},
	{
		.key = "irq.timing", .type = PARAM_ENUM, .offset = offsetof(struct itr_cfg, timing),
		.unit = "", .defval = "throttle", .choices = "throttle,delay",
		.desc = "How the NIC times the interval (EITR bit 31, docs/irq.md): throttle, a minimum interval "
			"between interrupts counted from the last one, so a frame after a quiet spell interrupts at "
			"once (Intel EITR); delay, the interval counted from the first completion not yet signalled, "
			"so a lone frame waits the whole interval (ethtool's rule, Mellanox CQ moderation).",
		.source = "Intel I210 datasheet section 7.3, 82598EB datasheet section 3.5.4.2, 82575EB SDM section "
			  "14.3.45 (throttle); Linux include/uapi/linux/ethtool.h, struct ethtool_coalesce (delay)",
	},
	{
		.key = "irq.usecs", .type = PARAM_U32, .offset = offsetof(struct itr_cfg, usecs),
		.unit = "us", .defval = "50", .min = 0, .max = 65535,
		.desc = "The EITR interval: with irq.timing=throttle at least this long between interrupts, with "
			"delay this long after the first un-signalled completion (0 = no time rule; at most 65535, "
			"the width of the interval field the driver writes to EITR).",
		.source = "Linux ixgbe/ixgbe.h IXGBE_20K_ITR: 20000 interrupts/s = 50 us",
	},
	{
		.key = "irq.frames", .type = PARAM_U32, .offset = offsetof(struct itr_cfg, frames),
		.unit = "frames", .defval = "0", .min = 0, .max = 32767,
		.desc = "Fire when this many completions are un-signalled, under either timing (0 = no frame "
			"limit; at most 32767, the width of EITR's frame field).",
		.source = "ethtool rx-frames; Intel drivers moderate by time only",
	},
	{
		.key = "irq.adaptive_conservative", .type = PARAM_BOOL,
		.offset = offsetof(struct itr_cfg, is_adaptive_conservative), .unit = "", .defval = "true",
		.desc = "Adaptive mode below 10 Gb/s (igb, e1000e): never faster than 20000 interrupts/s "
			"(InterruptThrottleRate 3, 'dynamic conservative'); false = 'dynamic' (1), down to 70000/s. "
			"ixgbe (10 Gb/s and up) has no such mode.",
		.source = "Linux igb/igb.h IGB_DEFAULT_ITR 3; Linux e1000e.rst: default 3, dynamic conservative",
	},
	{ .key = NULL },
};

int itr_cfg_validate(const struct itr_cfg *cfg, char *err, size_t err_len)
{
	if (cfg->mode == ITR_MODE_FIXED && cfg->usecs == 0 && cfg->frames == 0) {
		snprintf(err, err_len,
			 "irq.usecs: 0 together with irq.frames 0 never fires (ethtool forbids both 0); "
			 "set irq.mode=off for one interrupt per frame");
		return -1;
	}
	return 0;
}

/* Interrupts per second of each class (e1000_set_itr). */
static const uint32_t class_rate[] = { [ITR_LOWEST] = 70000, [ITR_LOW] = 20000, [ITR_BULK] = 4000 };
#define ITR_START_RATE 20000u  /* e1000e param.c: dynamic modes start at 20000 */

enum itr_algo itr_algo_for(uint32_t rate_mbps, uint32_t vectors)
{
	if (rate_mbps >= ITR_IXGBE_RATE_MBPS)
		return ITR_ALGO_IXGBE;
	return vectors == 1 ? ITR_ALGO_E1000E : ITR_ALGO_IGB_RING;
}

struct itr_state itr_start(void)
{
	return (struct itr_state){ .ticks = ITR_START_TICKS, .rate = ITR_START_RATE, .cls = ITR_LOWEST,
				   .ixgbe_usecs = ITR_IXGBE_START_USECS, .is_ixgbe_latency = true,
				   .ixgbe_next_jiffy = UINT64_MAX };
}

void itr_update_ring(struct itr_state *s, uint64_t frames, uint64_t bytes, bool is_conservative)
{
	if (!frames)
		return;
	uint64_t avg = bytes / frames + 24;
	if (avg > 3000)
		avg = 3000;
	uint32_t ticks = (uint32_t)(avg > 300 && avg < 1200 ? avg / 3 : avg / 2);
	if (is_conservative && ticks < ITR_20K_TICKS)
		ticks = ITR_20K_TICKS;
	s->ticks = ticks;
}

static enum itr_class next_class(enum itr_class cls, uint64_t frames, uint64_t bytes)
{
	uint64_t per = bytes / frames;
	switch (cls) {
	case ITR_LOWEST:
		if (per > 8000)
			return ITR_BULK;
		if (frames < 5 && bytes > 512)
			return ITR_LOW;
		return ITR_LOWEST;
	case ITR_LOW:
		if (bytes > 10000) {
			if (per > 8000 || frames < 10 || per > 1200)
				return ITR_BULK;
			if (frames > 35)
				return ITR_LOWEST;
			return ITR_LOW;
		}
		if (per > 2000)
			return ITR_BULK;
		if (frames <= 2 && bytes < 512)
			return ITR_LOWEST;
		return ITR_LOW;
	case ITR_BULK:
		if (bytes > 25000)
			return frames > 35 ? ITR_LOW : ITR_BULK;
		return bytes < 6000 ? ITR_LOW : ITR_BULK;
	}
	return cls;
}

void itr_update_single(struct itr_state *s, uint64_t frames, uint64_t bytes, bool is_conservative)
{
	if (!frames)
		return;
	enum itr_class cls = next_class((enum itr_class)s->cls, frames, bytes);
	if (is_conservative && cls == ITR_LOWEST)
		cls = ITR_LOW;
	s->cls = (uint8_t)cls;
	uint32_t target = class_rate[cls];
	if (target > s->rate) {
		uint32_t step = s->rate + target / 4;
		s->rate = step < target ? step : target;
	} else {
		s->rate = target;
	}
}

/* ixgbe_update_itr's interval for frames of avg bytes (its "adjust by
 * size"): a piecewise-linear value 256 times the interval, halved in
 * latency mode, rounded up to the 2 us step at 10 Gb/s. */
static uint32_t ixgbe_usecs_by_size(uint64_t avg, bool is_latency)
{
	uint64_t v;
	if (avg <= 60)
		v = 5120;                 /* 50000 interrupts/s */
	else if (avg <= 316)
		v = avg * 40 + 2720;      /* 50000 to 16000/s */
	else if (avg <= 1084)
		v = avg * 15 + 11452;     /* 16000 to 9200/s */
	else if (avg < 1968)
		v = avg * 5 + 22420;      /* 9200 to 8000/s */
	else
		v = 32256;                /* 8000/s */
	if (is_latency)
		v >>= 1;
	enum { STEP = ITR_IXGBE_MIN_INC_USECS * 256 };
	return (uint32_t)((v + STEP - 1) / STEP) * ITR_IXGBE_MIN_INC_USECS;
}

static uint32_t ixgbe_usecs_up(uint32_t usecs)
{
	usecs += ITR_IXGBE_MIN_INC_USECS;
	return usecs > ITR_IXGBE_MAX_USECS ? ITR_IXGBE_MAX_USECS : usecs;
}

void itr_update_ixgbe(struct itr_state *s, uint64_t frames, uint64_t bytes, uint64_t now_ps)
{
	uint64_t jiffy = now_ps / ITR_JIFFY_PS;
	uint32_t usecs;
	bool is_latency;
	if (s->ixgbe_next_jiffy != UINT64_MAX && jiffy > s->ixgbe_next_jiffy) {
		/* No choice for more than a jiffy: slow traffic, or NAPI is
		 * polling: the counts say nothing; the shortest interval. */
		usecs = ITR_IXGBE_MIN_USECS;
		is_latency = true;
	} else if (frames == 0) {
		usecs = ixgbe_usecs_up(s->ixgbe_usecs);
		is_latency = s->is_ixgbe_latency;
	} else if (frames < 4 && bytes < 9000) {
		is_latency = true;
		usecs = ixgbe_usecs_by_size(bytes / frames, true);
	} else {
		is_latency = false;
		if (frames < 48)
			usecs = ixgbe_usecs_up(s->ixgbe_usecs);     /* a little too short */
		else if (frames < 96)
			usecs = s->ixgbe_usecs;                     /* just right */
		else if (frames < 256)
			usecs = s->ixgbe_usecs / 2 < ITR_IXGBE_MIN_USECS ? ITR_IXGBE_MIN_USECS : s->ixgbe_usecs / 2;
		else
			usecs = ixgbe_usecs_by_size(bytes / frames, false);
	}
	s->ixgbe_usecs = (uint8_t)usecs;
	s->is_ixgbe_latency = is_latency;
	s->ixgbe_next_jiffy = jiffy + 1;
}

uint32_t itr_ring_usecs(const struct itr_state *s) { return s->ticks / 4; }
uint32_t itr_single_usecs(const struct itr_state *s) { return 1000000u / s->rate; }
uint32_t itr_ixgbe_usecs(const struct itr_state *s) { return s->ixgbe_usecs; }
