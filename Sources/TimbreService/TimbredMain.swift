import Foundation
import Hummingbird
import Logging

/// `timbred [--config FILE]`: loads the configuration (exit 2 with one line naming the key on a
/// bad one), sets up logging, and runs the API and the media service until SIGTERM/SIGINT, then
/// exits 0 after a graceful shutdown.
public enum TimbredMain {
    public static let usage = """
        usage: timbred [--config FILE] [--print-default-config]

        Runs Timbre's headless media service. Without --config it uses the embedded default:
        control API on 127.0.0.1:8089, RTP on 127.0.0.1 ports 30000-30999, data in ./timbre-data.
        The config file is JSON; keys left out keep their defaults (see --print-default-config).
        """

    public static func main(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Int32 {
        var configPath: String?
        var args = arguments[...]
        while let a = args.popFirst() {
            switch a {
            case "--config", "-c":
                guard let p = args.popFirst() else { return fail("--config needs a file") }
                configPath = p
            case "--print-default-config":
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: (try? enc.encode(ServiceConfig.default)) ?? Data(), as: UTF8.self))
                return 0
            case "--help", "-h":
                print(usage)
                return 0
            case "--version":
                print("timbred 0.1.0")
                return 0
            default:
                return fail("unknown argument \(a)")
            }
        }
        let config: ServiceConfig
        do {
            config = try configPath.map { p throws(ServiceConfig.Problem) in try ServiceConfig.load(path: p) } ?? .default
        } catch {
            return fail("config: \(error.description)")
        }
        let level = Logger.Level(rawValue: config.logging.level) ?? .info
        let json = config.logging.format == "json"
        LoggingSystem.bootstrap { label in
            var h: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "timbred")
        // A file-size limit (`ulimit -f`) reached by one recording must fail that recording with
        // an EFBIG write error (and a recording.failed event), not kill the whole service.
        signal(SIGXFSZ, SIG_IGN)
        do {
            let deps = try TimbreApplication.makeDependencies(config: config, logger: logger)
            let app = TimbreApplication.buildApplication(deps)
            logger.info("timbred listening", metadata: ["api": "http://\(config.api.host):\(config.api.port)", "data": "\(config.dataDirectory)"])
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
            return 0
        } catch {
            return fail("\(error)")
        }
    }

    static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("timbred: \(message)\n".utf8))
        return 2
    }
}
