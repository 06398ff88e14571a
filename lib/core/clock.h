/* Clocks in milliseconds: monotonic for deadlines and durations (never
 * jumps with the wall clock), realtime for timestamps people read. */
#ifndef KC_LIB_CORE_CLOCK_H
#define KC_LIB_CORE_CLOCK_H

#include <stdint.h>

int64_t kc_mono_ms(void);
int64_t kc_wall_ms(void);

#endif
