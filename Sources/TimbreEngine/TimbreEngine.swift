// TimbreEngine
//
// The media engine: call legs and bridges on dedicated media threads.
