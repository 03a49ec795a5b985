// TimbreConference
//
// The N-party mix-minus conference bridge with host controls, top-K mixing and active-speaker events.
