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
        // Mutable bridge state lives behind `state` (no exclusivity checks); hot values are
        // copied to locals for the per-participant loops.
        let st = state
        let end = st.pointee.slotEnd
        let frame = st.pointee.frameIndex
        let now = frame * Int64(f)
        // Unity-gain, steady talkers (the usual case) sum into the 16-bit full-mix buffer (the
        // first one sets it, `started16`); others (gains, fades) into the 32-bit bus, which is
        // cleared only when first needed (`any32`). `overflow` records any 16-bit overflow.
        var started16 = false
        // A unity talker whose input is still to be added to the 16-bit bus.
        var waiting = -1
        var overflow: Int16 = 0
        var any32 = false
        // Σ of the 16-bit talkers' peaks: a bound on |full mix| and on every |full − own|.
        var peakSum = 0
        // Contributors in the sum (16- and 32-bit).
        var summed = 0

        // 2. Who is mixed: everyone, or the K loudest active talkers. Top-K needs this frame's
        //    levels first; otherwise levels come out of the summing pass below.
        let k = configuration.topK.k
        let roomSize = st.pointee.roomSize
        let topK = roomSize > configuration.topK.appliesAbove && k < roomSize
        if topK {
            for s in 0..<end where slots[s].occupied {
                if !slots[s].hasInput { (input + s * f).update(repeating: 0, count: f) }
                let energy = isHeard(s) ? MixKernel.energy(input + s * f, count: f) : -1
                detect(slot: s, energy: energy, now: now, frame: frame)
            }
            selectTalkers(k: k)
        }

        // 3. Contributions, summed once into the bus (whisperers kept aside).
        for s in 0..<end where slots[s].occupied {
            let current = slots[s].contributionQ12
            var target: Int32 = 0
            // A fade-in starts with the first frame that carries audio, not on the join tick.
            if isHeard(s) && (!topK || details[s].selected) && (current != 0 || slots[s].hasInput) {
                target = gainQ12(slot: s)
            }
            let inp = input + s * f
            let c = contribution + s * f
            if !topK && !slots[s].hasInput { inp.update(repeating: 0, count: f) }
            slots[s].whisperSlot = -1
            if slots[s].whispers, let w = details[s].whisperTarget, let t = liveSlot(w) {
                slots[s].whisperSlot = Int32(t)
            }
            slots[s].inSum = false
            slots[s].contributed = false
            slots[s].contributionIsInput = false
            if current != 0 || target != 0 {
                if slots[s].whispers {
                    // Heard by its one listener only (or by nobody if that listener has gone).
                    if current == target {
                        MixKernel.scale(inp, gainQ12: target, into: c, count: f)
                    } else {
                        MixKernel.contributeRamp(inp, from: current, to: target, into: c, sum: nil, count: f)
                    }
                    let w = Int(slots[s].whisperSlot)
                    if w >= 0 {
                        details[s].nextWhisperer = whisperHead[w]
                        whisperHead[w] = s
                    }
                } else {
                    if current == target && target == 4096 {
                        // Summed two at a time: the first of a pair waits for the second.
                        if waiting < 0 {
                            waiting = s
                        } else {
                            let (peakW, peakS) = MixKernel.accumulate16(
                                input + waiting * f, inp, into: fullMix, count: f, first: !started16, overflow: &overflow)
                            started16 = true
                            slots[waiting].inputPeak = peakW
                            slots[s].inputPeak = peakS
                            peakSum &+= Int(peakW) &+ Int(peakS)
                            waiting = -1
                        }
                        slots[s].contributionIsInput = true
                    } else {
                        if !any32 { bus.update(repeating: 0, count: f) }
                        any32 = true
                        if current == target {
                            MixKernel.contribute(inp, gainQ12: target, into: c, sum: bus, count: f)
                        } else {
                            MixKernel.contributeRamp(inp, from: current, to: target, into: c, sum: bus, count: f)
                        }
                    }
                    slots[s].inSum = true
                    summed += 1
                }
                slots[s].contributed = true
                slots[s].contributionQ12 = target
            }
        }
        if waiting >= 0 {
            let x = input + waiting * f
            let peak =
                started16
                ? MixKernel.accumulate16(x, into: fullMix, count: f, overflow: &overflow)
                : MixKernel.start16(x, into: fullMix, count: f)
            slots[waiting].inputPeak = peak
            peakSum &+= Int(peak)
            started16 = true
        }

        if !started16 { fullMix.update(repeating: 0, count: f) }

        // 4. The full mix. When the 16-bit sum is exact, within the threshold and the limiter at
        //    unity, it is the full mix as it stands and listeners subtract from it in 16 bits;
        //    otherwise the 32-bit bus is completed and limited.
        var full = st.pointee.fullLimiter
        var busIs16 = false
        // Listeners whose own peak is within this headroom get `full − own` by plain wrapping
        // subtraction (negative: no such shortcut this frame).
        var headroom: Int32 = -1
        // Σ of the talkers' peaks bounds |full| and every |full − own|: within the threshold,
        // every unity listener is proved in range without scanning the full mix (the ordinary
        // conversation ends here); otherwise the full mix's own peak decides.
        // A lone unity talker without `limitsLoneTalker` is the full mix as it is (one input
        // cannot overflow), and its own mix-minus is exact silence.
        if overflow == 0 && !any32 {
            if (!limitsLoneTalker && summed == 1) || (full.isTransparent && peakSum <= Int(SoftLimiter.threshold)) {
                busIs16 = true
                headroom = Int32.max
            } else if full.isTransparent {
                let fullPeak = MixKernel.peakMagnitude(UnsafePointer(fullMix), count: f)
                if fullPeak <= SoftLimiter.threshold {
                    busIs16 = true
                    headroom = SoftLimiter.threshold - fullPeak
                }
            }
        }
        if !busIs16 {
            if overflow == 0 {
                if any32 { MixKernel.widenAdd(fullMix, into: bus, count: f) } else { MixKernel.widen(fullMix, into: bus, count: f) }
            } else {
                if !any32 { bus.update(repeating: 0, count: f) }
                for s in 0..<end where slots[s].occupied && slots[s].contributionIsInput {
                    MixKernel.add(input + s * f, into: bus, count: f)
                }
            }
            busIs16 = full.process(bus, into: fullMix, count: f)
        }
        st.pointee.fullLimiter = full
        // Whether `bus` holds the complete 32-bit sum (completed lazily on the 16-bit path).
        var bus32Ready = !busIs16 || overflow != 0 || any32
        if hasHoldMusic { fillHoldFrame() }

        // 5. Each listener's mix-minus. Without top-K, each participant's level for the speaker
        //    detector is taken here, just before its input is read again for the mix-minus:
        //    this pass waits on memory (outputs and inputs beyond L1 in large rooms), so the
        //    level's arithmetic costs less here than in the summing pass, which does not.
        for s in 0..<end where slots[s].occupied {
            if !topK && measuresLevels { levels[s] = isHeard(s) ? MixKernel.energy(input + s * f, count: f) : -1 }
            let out = output + s * f
            let target: Int32 = slots[s].hears && !slots[s].leaving ? 4096 : 0
            let current = slots[s].listenQ12
            // Whisperers aimed at this listener this frame; reset for the next frame whatever it hears.
            let whisperers = whisperHead[s]
            whisperHead[s] = -1
            var heardFull = false
            if slots[s].hearsHoldMusic && !slots[s].leaving && hasHoldMusic {
                out.update(from: holdFrame, count: f)
                slots[s].limiter.follow(full)
            } else if current == 0 && target == 0 {
                out.update(repeating: 0, count: f)
                slots[s].limiter.follow(full)
            } else {
                if !slots[s].inSum && whisperers < 0 {
                    out.update(from: fullMix, count: f)
                    slots[s].limiter.follow(full)
                    heardFull = current == target
                } else {
                    var done = false
                    if whisperers < 0 && slots[s].contributionIsInput && slots[s].inputPeak <= headroom
                        && slots[s].limiter.isTransparent
                    {
                        // Proved in range and below the threshold: exact, final, no scan.
                        MixKernel.minusWrapping(fullMix, input + s * f, into: out, count: f)
                        done = true
                    } else if whisperers < 0 && slots[s].limiter.isTransparent {
                        // Fast path: subtract and narrow in one pass; final if within threshold.
                        let peak =
                            slots[s].contributionIsInput
                            ? (busIs16
                                ? MixKernel.minus16(fullMix, input + s * f, into: out, count: f)
                                : MixKernel.minusNarrow(bus, input + s * f, into: out, count: f))
                            : MixKernel.minusNarrow(bus, contribution + s * f, into: out, count: f)
                        // Hearing one other participant exactly (no clipping in the narrowing)
                        // is final too when lone talkers are not limited.
                        done =
                            peak <= SoftLimiter.threshold
                            || (!limitsLoneTalker && summed - (slots[s].inSum ? 1 : 0) == 1 && peak <= 32767)
                    }
                    if !done {
                        if !bus32Ready {
                            // Not touched yet this frame (no 32-bit contribution, no overflow).
                            MixKernel.widen(fullMix, into: bus, count: f)
                            bus32Ready = true
                        }
                        if slots[s].contributionIsInput {
                            MixKernel.subtract(bus, input + s * f, into: work, count: f)
                        } else if slots[s].inSum {
                            MixKernel.subtract(bus, contribution + s * f, into: work, count: f)
                        } else {
                            work.update(from: bus, count: f)
                        }
                        var w = whisperers
                        while w >= 0 {
                            MixKernel.add(contribution + w * f, into: work, count: f)
                            w = details[w].nextWhisperer
                        }
                        slots[s].limiter.process(work, into: out, count: f)
                    }
                }
                if current != target { MixKernel.fadeOutput(out, from: current, to: target, count: f) }
            }
            slots[s].listenQ12 = target
            slots[s].heardFullMix = heardFull
            slots[s].hasInput = false
            if slots[s].resampled, let port = ports[s], let down = port.downsampler {
                down.process(UnsafeBufferPointer(start: out, count: f), into: port.output)
            }
        }

        // Speaker detection in a loop of its own: the detectors' divisions and branches then
        // overlap one another instead of holding up a summing pass (seen in perf). Nothing
        // above reads what it changes within this frame.
        if !topK && measuresLevels {
            for s in 0..<end where slots[s].occupied {
                detect(slot: s, energy: levels[s], now: now, frame: frame)
            }
        }

        // 6. Recording.
        if st.pointee.recording, let tap {
            if tap.mode == .perParticipant { fillChannels() }
            tap.handler(RecordingFrame(sampleTime: now, mix: fullMixFrame, bridge: self))
        }

        // 7. Retire participants whose fade-out is complete.
        var anyoneLeft = false
        var leaving = st.pointee.leavingCount
        // Stops once the last participant leaving is retired: with nobody leaving (every
        // ordinary frame) it does not walk the slots at all.
        var s = 0
        while leaving > 0 && s < end {
            defer { s += 1 }
            if slots[s].occupied && slots[s].leaving && slots[s].contributionQ12 == 0 && slots[s].listenQ12 == 0 {
                let id = slots[s].id
                if details[s].detector.isSpeaking {
                    _ = details[s].detector.silence()
                    emit(.speakingStopped(id), at: now + Int64(f))
                }
                slots[s].occupied = false
                let port = ports[s]
                ports[s] = nil
                // The return queue holds one entry per slot, so this push cannot fail.
                controller.returns.push(SlotReturn(id: id, port: port))
                leaving -= 1
                emit(.left(id), at: now + Int64(f))
                anyoneLeft = true
            }
        }
        st.pointee.leavingCount = leaving
        if anyoneLeft {
            var last = end
            while last > 0 && !slots[last - 1].occupied { last -= 1 }
            st.pointee.slotEnd = last
        }
        if st.pointee.ended && anyoneLeft && !(0..<end).contains(where: { slots[$0].occupied }) {
            emit(.conferenceEnded, at: now + Int64(f))
        }
        st.pointee.frameIndex = frame + 1
    }

    /// Whether this participant's voice may reach anyone now (not muted, on hold or leaving).
    @inline(__always)
    func isHeard(_ s: Int) -> Bool { slots[s].contributes && !slots[s].leaving }

    /// Runs the speaker detector on one frame's energy (negative: the participant is silenced)
    /// and emits the resulting event.
    @inline(__always)
    func detect(slot s: Int, energy: Int64, now: Int64, frame: Int64) {
        let f = frameSamples
        let transition: ActiveSpeakerDetector.Transition?
        if energy >= 0 {
            let meanSquare = Double(energy) / Double(f)
            transition = details[s].detector.update(meanSquare: meanSquare)
            if normalizes && details[s].detector.isSpeaking {
                normalize(slot: s, meanSquare: meanSquare)
            }
        } else {
            transition = details[s].detector.silence()
        }
        if details[s].detector.isSpeaking { details[s].lastActiveFrame = frame }
        if !emitsTalkEvents { return }
        switch transition {
        case .started(let ago)?:
            emit(.speakingStarted(slots[s].id), at: now - Int64(ago * f))
        case .stopped?:
            emit(.speakingStopped(slots[s].id), at: now)
        case nil:
            break
        }
    }

    /// Contribution gain in Q12: the participant's gain times its normalisation.
    @inline(__always)
    func gainQ12(slot s: Int) -> Int32 {
        let q = slots[s].gainQ12
        if !normalizes || details[s].normalizationDB == 0 { return q }
        let g = Double(q) * pow(10, Double(details[s].normalizationDB) / 20)
        return Int32(min(65_535, max(0, g.rounded())))
    }

    /// Moves a talker's normalisation gain towards −26 dBFS RMS, 0.2 dB per frame at most, ±12 dB.
    func normalize(slot s: Int, meanSquare: Double) {
        let level = ActiveSpeakerDetector.dBFS(meanSquare: meanSquare) + Double(details[s].normalizationDB)
        let step = max(-0.2, min(0.2, (-26 - level) * 0.05))
        details[s].normalizationDB = Float(max(-12, min(12, Double(details[s].normalizationDB) + step)))
    }

    /// Top-K: keeps the K highest-scoring eligible talkers. Eligible: contributing, not leaving,
    /// not whispering, and talking now or within the last second (so a pause between words does
    /// not drop a talker). Incumbents get a 6 dB bonus so selection does not flap. O(N·K), no logarithms.
    func selectTalkers(k: Int) {
        var chosen = 0
        for s in 0..<state.pointee.slotEnd where slots[s].occupied {
            details[s].nextWhisperer = details[s].selected ? 1 : 0  // scratch: was selected
            details[s].selected = false
        }
        while chosen < k {
            var best = -1
            var bestScore = -Double.infinity
            for s in 0..<state.pointee.slotEnd where slots[s].occupied && !details[s].selected {
                guard slots[s].contributes, !slots[s].whispers, !slots[s].leaving,
                    state.pointee.frameIndex - details[s].lastActiveFrame <= topKHoldFrames
                else { continue }
                let score = details[s].detector.smoothedPower * (details[s].nextWhisperer == 1 ? 4 : 1)
                if score > bestScore {
                    bestScore = score
                    best = s
                }
            }
            if best < 0 { break }
            details[best].selected = true
            chosen += 1
        }
    }

    func fillHoldFrame() {
        let music = configuration.holdMusic
        var position = state.pointee.holdPosition
        music.withUnsafeBufferPointer { m in
            for i in 0..<frameSamples {
                holdFrame[i] = m[position]
                position += 1
                if position == m.count { position = 0 }
            }
        }
        state.pointee.holdPosition = position
    }

    func fillChannels() {
        let f = frameSamples
        for s in 0..<state.pointee.slotEnd where slots[s].occupied {
            let ch = channels + s * f
            if slots[s].contributionIsInput {
                ch.update(from: input + s * f, count: f)
            } else if slots[s].contributed {
                MixKernel.narrow(contribution + s * f, into: ch, count: f)
            } else {
                ch.update(repeating: 0, count: f)
            }
        }
    }
}
