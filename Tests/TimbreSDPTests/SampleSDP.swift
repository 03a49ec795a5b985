import TimbreCodecs

/// SDP bodies shaped like what real peers send (line sets copied from the patterns their
/// documentation and traces show; addresses from the documentation ranges).
enum SampleSDP {
    static let asteriskOffer = """
        v=0
        o=- 1734567890 1734567890 IN IP4 192.0.2.10
        s=Asterisk
        c=IN IP4 192.0.2.10
        t=0 0
        m=audio 10000 RTP/AVP 0 8 9 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:9 G722/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        a=ptime:20
        a=maxptime:150
        a=sendrecv

        """.replacing("\n", with: "\r\n")

    static let freeswitchOffer = """
        v=0
        o=FreeSWITCH 1700000000 1700000001 IN IP4 198.51.100.5
        s=FreeSWITCH
        c=IN IP4 198.51.100.5
        t=0 0
        m=audio 24580 RTP/AVP 102 9 0 8 103 101 13
        a=rtpmap:102 opus/48000/2
        a=fmtp:102 useinbandfec=1; maxaveragebitrate=30000; maxplaybackrate=48000; ptime=20; minptime=10; maxptime=40
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:103 telephone-event/48000
        a=fmtp:103 0-16
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        a=rtpmap:13 CN/8000
        a=ptime:20

        """

    /// A browser's offer: DTLS-SRTP over ICE, which we cannot terminate.
    static let webRTCOffer = """
        v=0
        o=- 4611731400430051336 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0 1
        a=extmap-allow-mixed
        a=msid-semantic: WMS
        m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:EsAw
        a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y
        a=fingerprint:sha-256 DA:7B:57:DC:28:CE:04:4F:31:79:85:C4:31:67:EB:27:58:29:ED:77:2A:0D:24:AE:ED:AD:30:BC:BD:F1:9C:02
        a=setup:actpass
        a=mid:0
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=sendrecv
        a=rtcp-mux
        a=rtpmap:111 opus/48000/2
        a=rtcp-fb:111 transport-cc
        a=fmtp:111 minptime=10;useinbandfec=1
        a=rtpmap:63 red/48000/2
        a=fmtp:63 111/111
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:13 CN/8000
        a=rtpmap:110 telephone-event/48000
        a=rtpmap:126 telephone-event/8000
        m=video 9 UDP/TLS/RTP/SAVPF 96
        c=IN IP4 0.0.0.0
        a=mid:1
        a=rtpmap:96 VP8/90000

        """

    /// A gateway's plain RTP/AVPF offer with WebRTC-style attributes, audio and video, and the
    /// RTCP port given explicitly.
    static let avpfGatewayOffer = """
        v=0
        o=gw 9 9 IN IP6 2001:db8::5
        s=-
        t=0 0
        m=audio 50000 RTP/AVPF 111 0 126
        c=IN IP6 2001:db8::5
        a=rtcp:50011 IN IP6 2001:db8::5
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=rtpmap:111 OPUS/48000/2
        a=fmtp:111 minptime=10;useinbandfec=1;stereo=0
        a=rtcp-fb:111 transport-cc
        a=rtpmap:0 PCMU/8000
        a=rtpmap:126 telephone-event/48000
        a=ptime:40
        a=recvonly
        m=video 50002 RTP/AVPF 96
        c=IN IP6 2001:db8::5
        a=rtpmap:96 H264/90000

        """

    static let opus = CodecDescriptor(
        id: "opus", encodingName: "opus", sampleRate: .fullband, rtpClockRate: 48_000, rtpChannels: 2, payloadType: 111,
        isStaticPayloadType: false, defaultFormatParameters: "useinbandfec=1")
}
