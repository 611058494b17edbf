/*
 * bench_util.h - what the benchmarks (model/bench_model.c, sim/bench_link.c)
 * share: a monotonic clock in seconds and the median of a set of runs.
 */
#ifndef MMU_BENCH_UTIL_H
#define MMU_BENCH_UTIL_H

#include <stdlib.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of v[0..n) (v is sorted in place). */
static inline double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(v[0]), bench_cmp_double);
	return v[n / 2];
}

#endif
