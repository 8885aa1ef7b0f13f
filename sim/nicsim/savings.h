/*
 * sim/nicsim/savings.h — the report's offload savings: the cycles the host
 * spent beside what the plain software path would have spent on the same
 * work (host/cost.h's shadow accounting), in total, per CPU and per line of
 * the cost model; and NetDMA's counters. docs/cost-model.md explains them.
 */
#ifndef NICSIM_SIM_NICSIM_SAVINGS_H
#define NICSIM_SIM_NICSIM_SAVINGS_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "sim/nicsim/run.h"

struct savings_line {
	uint64_t spent, base;
};
/* Totals over every core: by feature (enum cost_feature) and in all. */
void savings_totals(const struct run *r, struct savings_line by_feature[COST_FEATURE_COUNT], struct savings_line *all);
/* The application's payload bytes (received + sent), the per-byte figures' denominator. */
uint64_t savings_bytes(const struct run *r);

/* Sets host_cycles, baseline_cycles, savings and (with NetDMA) netdma on root. */
void savings_json(const struct run *r, json_t *root);
void savings_text(const struct run *r, FILE *f);
void savings_write_docs(FILE *f);

#endif
