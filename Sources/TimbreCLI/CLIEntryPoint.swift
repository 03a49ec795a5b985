import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// Runs `timbre` with the exit-code contract: 0 success, 1 a check failed, 2 usage or input error.
///
/// swift-argument-parser on its own exits 64 with a multi-line usage block on a usage error;
/// here every error becomes one clear line on stderr and exit 2. `--help` and `--version`
/// still print normally and exit 0.
public enum CLIEntryPoint {
    public static func main(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        do {
            var command = try TimbreCommand.parseAsRoot(arguments)
            try command.run()
            exit(0)
        } catch let error as CLIError {
            printError(error.message)
            exit(2)
        } catch let error as ExitCode {
            exit(error.rawValue)
        } catch {
            let code = TimbreCommand.exitCode(for: error)
            if code == .success {
                // --help, --version: let the parser print them as usual.
                TimbreCommand.exit(withError: error)
            }
            let full = TimbreCommand.fullMessage(for: error)
            let line = full.split(separator: "\n").first.map(String.init) ?? "\(error)"
            printError(line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line)
            exit(2)
        }
    }

    static func printError(_ message: String) {
        var stderr = StandardError()
        print("timbre: \(message)", to: &stderr)
    }
}

/// stderr as a `TextOutputStream`.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        bytes.withUnsafeMutableBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
