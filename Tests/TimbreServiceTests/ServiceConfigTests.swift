import Foundation
import Testing
@testable import TimbreService

@Suite struct ServiceConfigTests {
    @Test func defaultsAreTheEmbeddedConfiguration() throws {
        let c = try ServiceConfig.parse(Data("{}".utf8))
        #expect(c == .default)
        #expect(c.api.host == "127.0.0.1" && c.api.port == 8089)
        #expect(c.rtp.portMin == 30000 && c.rtp.portMax == 30999)
        #expect(c.dataDirectory == "./timbre-data")
    }

    @Test func partialFilesKeepDefaults() throws {
        let c = try ServiceConfig.parse(Data(#"{"rtp": {"portMin": 40000, "portMax": 40999}, "logging": {"format": "json"}}"#.utf8))
        #expect(c.rtp.portMin == 40000 && c.rtp.timeoutSeconds == 30 && c.logging.format == "json" && c.api.port == 8089)
    }

    @Test(arguments: [
        (#"{"rtp": {"portMn": 40000}}"#, "rtp.portMn"),
        (#"{"rtp": {"portMin": 40001}}"#, "rtp.portMin"),
        (#"{"api": {"port": "eighty"}}"#, "api.port"),
        (#"{"api": {"host": "0.0.0.0"}}"#, "api.tokens"),
        (#"{"codecs": {"offer": ["AMR"]}}"#, "codecs.offer"),
        (#"{"jitterBuffer": {"mode": "magic"}}"#, "jitterBuffer.mode"),
        (#"{"limits": {"endpoints": 0}}"#, "limits.endpoints"),
        ("[1, 2]", ""),
        ("{not json", ""),
    ])
    func badConfigsNameTheKey(json: String, key: String) {
        #expect {
            try ServiceConfig.parse(Data(json.utf8))
        } throws: { error in
            (error as? ServiceConfig.Problem)?.key == key
        }
    }

    @Test func tokensAllowBindingBeyondLoopback() throws {
        let c = try ServiceConfig.parse(Data(#"{"api": {"host": "0.0.0.0", "tokens": ["0123456789abcdef-token"]}}"#.utf8))
        #expect(c.api.host == "0.0.0.0")
    }
}
