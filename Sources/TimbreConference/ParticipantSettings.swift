import TimbreCore

/// Everything about one participant that decides what it contributes and what it hears.
///
/// The controller owns the authoritative copy and sends the whole value to the media thread on
/// each change (one command shape, no partial updates to reorder).
public struct ParticipantSettings: Sendable, Hashable {
    public var role: ParticipantRole
    /// Muted by the participant itself.
    public var selfMuted = false
    /// Muted by the host; the participant cannot unmute itself.
    public var hostMuted = false
    /// Hears nothing (still heard by others unless muted).
    public var deaf = false
    /// Heard by nobody, hears everyone (an observer or a listen-only line).
    public var listenOnly = false
    /// Applied to what the participant contributes.
    public var gain: Gain = .unity
    /// On hold: out of the mix both ways.
    public var onHold = false
    /// While on hold, hears the bridge's hold music instead of silence.
    public var holdMusic = false
    /// When set, this participant is heard only by that one (a supervisor coaching an agent).
    public var whisperTarget: ParticipantID?

    public init(role: ParticipantRole) { self.role = role }

    /// Whether anything this participant says may reach others.
    var contributes: Bool { !selfMuted && !hostMuted && !listenOnly && !onHold }
    /// Whether this participant receives the mix.
    var hears: Bool { !deaf && !onHold }
}
