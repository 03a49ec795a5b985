// TimbreAudioDevices
//
// ALSA capture and playback.
