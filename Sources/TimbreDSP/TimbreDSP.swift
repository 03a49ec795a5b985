// TimbreDSP
//
// Voice DSP: resampling (libsamplerate), echo cancellation with delay estimation (speexdsp + our estimator), noise suppression/AGC, DTMF and call-progress tones, voice activity.
