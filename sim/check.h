/*
 * sim/check.h — invariant checks that stay on in every build type.
 *
 * STYLE.md sorts errors by whose fault they are: bad input returns an error
 * code with a message; a broken invariant is a bug in nicsim, and a run that
 * goes on with wrong state would report wrong numbers without a word. So a
 * check is not an assert() that NDEBUG removes: it stops the run in Release
 * builds too, naming the invariant and where it broke. The condition is the
 * only cost on the hot path (a predicted branch).
 */
#ifndef NICSIM_SIM_CHECK_H
#define NICSIM_SIM_CHECK_H

/* Print "nicsim: internal error at FILE:LINE: MSG" to stderr and abort.
 * (The headers are C11; C++ code that includes them, sim/systemc/, spells
 * noreturn its own way.) */
#ifdef __cplusplus
[[noreturn]]
#else
_Noreturn
#endif
void sim_check_failed(const char *file, int line, const char *msg);

#define sim_check(cond, msg)                                          \
	do {                                                          \
		if (__builtin_expect(!(cond), 0))                     \
			sim_check_failed(__FILE__, __LINE__, (msg));  \
	} while (0)

#endif
