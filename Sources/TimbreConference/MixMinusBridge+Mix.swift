#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TimbreCore

extension MixMinusBridge {
    /// Mixes one frame: applies queued control changes, updates speaker detection, picks the
    /// talkers, sums, computes every listener's mix-minus through its limiter, converts to each
    /// participant's rate and feeds the recording tap. Allocation-free, lock-free, O(N).
    public func mix() {
        applyPendingCommands()
        let f = frameSamples
        let now = frameIndex * Int64(f)
        bus.update(repeating: 0, count: f)

        // 1. Levels and speaker detection; how many are in the room.
        var roomSize = 0
        for s in 0..<slotCapacity where slots[s].occupied {
            let inp = input + s * f
            if !slots[s].hasInput { inp.update(repeating: 0, count: f) }
            if !slots[s].leaving { roomSize += 1 }
            let settings = slots[s].settings
            let transition: ActiveSpeakerDetector.Transition?
            if settings.contributes && !slots[s].leaving {
                let meanSquare = Double(MixKernel.energy(inp, count: f)) / Double(f)
                transition = slots[s].detector.update(meanSquare: meanSquare)
                if configuration.normalizesLevels && slots[s].detector.isSpeaking {
                    normalize(slot: s, meanSquare: meanSquare)
                }
            } else {
                transition = slots[s].detector.silence()
            }
            if slots[s].detector.isSpeaking { slots[s].lastActiveFrame = frameIndex }
            switch transition {
            case .started(let ago)?:
                emit(.speakingStarted(slots[s].id), at: now - Int64(ago * f))
            case .stopped?:
                emit(.speakingStopped(slots[s].id), at: now)
            case nil:
                break
            }
            slots[s].whisperSlot = -1
            if let target = settings.whisperTarget, let t = liveSlot(target) { slots[s].whisperSlot = t }
            whisperHead[s] = -1
        }

        // 2. Who is mixed: everyone, or the K loudest active talkers.
        let k = configuration.topK.k
        let topK = roomSize > configuration.topK.appliesAbove && k < roomSize
        if topK { selectTalkers(k: k) }

        // 3. Contributions, summed once into the bus (whisperers kept aside).
        for s in 0..<slotCapacity where slots[s].occupied {
            let settings = slots[s].settings
            var target: Int32 = 0
            let current = slots[s].contributionQ12
            // A fade-in starts with the first frame that carries audio, not on the join tick.
            if settings.contributes && !slots[s].leaving && (!topK || slots[s].selected)
                && (current != 0 || slots[s].hasInput)
            {
                target = gainQ12(slot: s)
            }
            let inp = input + s * f
            let c = contribution + s * f
            slots[s].inSum = false
            slots[s].contributed = false
            if current == 0 && target == 0 { continue }
            let whisperTo = slots[s].whisperSlot
            if settings.whisperTarget != nil {
                // Heard by its one listener only (or by nobody if that listener has gone).
                if current == target {
                    MixKernel.scale(inp, gainQ12: target, into: c, count: f)
                } else {
                    MixKernel.contributeRamp(inp, from: current, to: target, into: c, sum: nil, count: f)
                }
                if whisperTo >= 0 {
                    slots[s].nextWhisperer = whisperHead[whisperTo]
                    whisperHead[whisperTo] = s
                }
            } else {
                if current == target {
                    MixKernel.contribute(inp, gainQ12: target, into: c, sum: bus, count: f)
                } else {
                    MixKernel.contributeRamp(inp, from: current, to: target, into: c, sum: bus, count: f)
                }
                slots[s].inSum = true
            }
            slots[s].contributed = true
            slots[s].contributionQ12 = target
        }

        // 4. The full mix, shared by every listener who contributes nothing to it.
        fullLimiter.process(bus, into: fullMix, count: f)
        if !configuration.holdMusic.isEmpty { fillHoldFrame() }

        // 5. Each listener's mix-minus.
        for s in 0..<slotCapacity where slots[s].occupied {
            let settings = slots[s].settings
            let out = output + s * f
            let target: Int32 = settings.hears && !slots[s].leaving ? 4096 : 0
            let current = slots[s].listenQ12
            if settings.onHold && settings.holdMusic && !slots[s].leaving && !configuration.holdMusic.isEmpty {
                out.update(from: holdFrame, count: f)
                slots[s].limiter.follow(fullLimiter)
            } else if current == 0 && target == 0 {
                out.update(repeating: 0, count: f)
                slots[s].limiter.follow(fullLimiter)
            } else {
                let whisperers = whisperHead[s]
                if !slots[s].inSum && whisperers < 0 {
                    out.update(from: fullMix, count: f)
                    slots[s].limiter.follow(fullLimiter)
                } else {
                    if slots[s].inSum {
                        MixKernel.subtract(bus, contribution + s * f, into: work, count: f)
                    } else {
                        work.update(from: bus, count: f)
                    }
                    var w = whisperers
                    while w >= 0 {
                        MixKernel.add(contribution + w * f, into: work, count: f)
                        w = slots[w].nextWhisperer
                    }
                    slots[s].limiter.process(work, into: out, count: f)
                }
                if current != target { MixKernel.fadeOutput(out, from: current, to: target, count: f) }
            }
            slots[s].listenQ12 = target
            if let port = ports[s] {
                if let down = port.downsampler {
                    down.process(UnsafeBufferPointer(start: out, count: f), into: port.output)
                } else {
                    port.output.baseAddress!.update(from: out, count: f)
                }
            }
        }

        // 6. Recording.
        if recording, let tap {
            if tap.mode == .perParticipant { fillChannels() }
            tap.handler(RecordingFrame(sampleTime: now, mix: fullMixFrame, bridge: self))
        }

        // 7. Retire participants whose fade-out is complete.
        var anyoneLeft = false
        for s in 0..<slotCapacity where slots[s].occupied {
            slots[s].hasInput = false
            if slots[s].leaving && slots[s].contributionQ12 == 0 && slots[s].listenQ12 == 0 {
                let id = slots[s].id
                if slots[s].detector.isSpeaking {
                    _ = slots[s].detector.silence()
                    emit(.speakingStopped(id), at: now + Int64(f))
                }
                slots[s].occupied = false
                let port = ports[s]
                ports[s] = nil
                // The return queue holds one entry per slot, so this push cannot fail.
                controller.returns.push(SlotReturn(id: id, port: port))
                emit(.left(id), at: now + Int64(f))
                anyoneLeft = true
            }
        }
        if ended && anyoneLeft && !(0..<slotCapacity).contains(where: { slots[$0].occupied }) {
            emit(.conferenceEnded, at: now + Int64(f))
        }
        frameIndex += 1
    }

    /// Contribution gain in Q12: the participant's gain times its normalisation.
    @inline(__always)
    func gainQ12(slot s: Int) -> Int32 {
        let q = slots[s].settings.gain.q12
        if !configuration.normalizesLevels || slots[s].normalizationDB == 0 { return q }
        let g = Double(q) * pow(10, Double(slots[s].normalizationDB) / 20)
        return Int32(min(65_535, max(0, g.rounded())))
    }

    /// Moves a talker's normalisation gain towards −26 dBFS RMS, 0.2 dB per frame at most, ±12 dB.
    func normalize(slot s: Int, meanSquare: Double) {
        let level = ActiveSpeakerDetector.dBFS(meanSquare: meanSquare) + Double(slots[s].normalizationDB)
        let step = max(-0.2, min(0.2, (-26 - level) * 0.05))
        slots[s].normalizationDB = Float(max(-12, min(12, Double(slots[s].normalizationDB) + step)))
    }

    /// Top-K: keeps the K highest-scoring eligible talkers. Eligible: contributing, not leaving,
    /// not whispering, and talking now or within the last second (so a pause between words does
    /// not drop a talker). Incumbents get a 6 dB bonus so selection does not flap. O(N·K).
    func selectTalkers(k: Int) {
        var chosen = 0
        for s in 0..<slotCapacity where slots[s].occupied {
            slots[s].nextWhisperer = slots[s].selected ? 1 : 0  // scratch: was selected
            slots[s].selected = false
        }
        while chosen < k {
            var best = -1
            var bestScore = -Double.infinity
            for s in 0..<slotCapacity where slots[s].occupied && !slots[s].selected {
                let settings = slots[s].settings
                guard settings.contributes, settings.whisperTarget == nil, !slots[s].leaving,
                    frameIndex - slots[s].lastActiveFrame <= topKHoldFrames
                else { continue }
                let score = slots[s].detector.level + (slots[s].nextWhisperer == 1 ? 6 : 0)
                if score > bestScore {
                    bestScore = score
                    best = s
                }
            }
            if best < 0 { break }
            slots[best].selected = true
            chosen += 1
        }
    }

    func fillHoldFrame() {
        let music = configuration.holdMusic
        music.withUnsafeBufferPointer { m in
            for i in 0..<frameSamples {
                holdFrame[i] = m[holdPosition]
                holdPosition += 1
                if holdPosition == m.count { holdPosition = 0 }
            }
        }
    }

    func fillChannels() {
        let f = frameSamples
        for s in 0..<slotCapacity where slots[s].occupied {
            let ch = channels + s * f
            if slots[s].contributed {
                MixKernel.narrow(contribution + s * f, into: ch, count: f)
            } else {
                ch.update(repeating: 0, count: f)
            }
        }
    }
}
