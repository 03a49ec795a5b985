// TimbreJitter
//
// The adaptive jitter buffer: packet buffer, target-delay estimation, time-scale modification and loss concealment; the network simulator behind timbre netsim.
