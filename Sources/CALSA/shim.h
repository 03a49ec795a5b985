#ifndef TIMBRE_CALSA_SHIM_H
#define TIMBRE_CALSA_SHIM_H
#include <alsa/asoundlib.h>
#endif
