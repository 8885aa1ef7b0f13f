#include "host/itr.h"

/* Interrupts per second of each class (e1000_set_itr). */
static const uint32_t class_rate[] = { [ITR_LOWEST] = 70000, [ITR_LOW] = 20000, [ITR_BULK] = 4000 };
#define ITR_START_RATE 20000u  /* e1000e param.c: dynamic modes start at 20000 */

struct itr_state itr_start(void)
{
	return (struct itr_state){ .ticks = ITR_START_TICKS, .rate = ITR_START_RATE, .cls = ITR_LOWEST };
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

uint32_t itr_ring_usecs(const struct itr_state *s) { return s->ticks / 4; }
uint32_t itr_single_usecs(const struct itr_state *s) { return 1000000u / s->rate; }
