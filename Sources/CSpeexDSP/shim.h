#ifndef TIMBRE_CSPEEXDSP_SHIM_H
#define TIMBRE_CSPEEXDSP_SHIM_H
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>
#include <speex/speex_jitter.h>
#endif
