// TimbreRecording
//
// Crash-safe call and conference recording.
