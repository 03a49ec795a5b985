#ifndef TIMBRE_CALSA_SHIM_H
#define TIMBRE_CALSA_SHIM_H
#include <alsa/asoundlib.h>

/* alsa-lib prints its own errors to stderr through a variadic handler, which Swift cannot
   define. Timbre reports every failure itself (typed errors), so it installs this quiet one. */
static void timbre_alsa_quiet_error_handler(const char *file, int line, const char *function, int err, const char *fmt, ...) {
    (void)file; (void)line; (void)function; (void)err; (void)fmt;
}

static inline void timbre_alsa_silence_library_errors(void) {
    snd_lib_error_set_handler(timbre_alsa_quiet_error_handler);
}
#endif
