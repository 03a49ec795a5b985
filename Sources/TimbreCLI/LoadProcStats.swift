import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What `timbre load` reads from /proc: a process's CPU time, the process of the service under
/// test, and the kernel's per-socket receive drops.
enum LoadProcStats {
    /// utime + stime of `pid` in seconds (/proc/PID/stat fields 14 and 15, in clock ticks).
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after "pid (comm)" start at field 3 (state).
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let u = Double(fields[11]), let s = Double(fields[12]) else { return nil }
        return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The process whose /proc/PID/comm is `name`; nil when none or when several match.
    static func findProcess(named name: String) -> (pid: Int32?, candidates: Int) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return (nil, 0) }
        let me = getpid()
        var found: [Int32] = []
        for e in entries {
            guard let pid = Int32(e), pid != me,
                let comm = try? String(contentsOfFile: "/proc/\(e)/comm", encoding: .utf8)
            else { continue }
            if comm.trimmingCharacters(in: .whitespacesAndNewlines) == name { found.append(pid) }
        }
        return (found.count == 1 ? found[0] : nil, found.count)
    }

    /// Sum of the kernel's receive drops (/proc/net/udp `drops`) over IPv4 UDP sockets bound to
    /// one of `ports` — datagrams that reached a socket whose queue was full.
    static func udpDrops(ports: Set<Int>) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/net/udp", encoding: .utf8) else { return 0 }
        var total = 0
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ")
            guard f.count >= 13, let colon = f[1].lastIndex(of: ":"),
                let port = Int(f[1][f[1].index(after: colon)...], radix: 16), ports.contains(port),
                let drops = Int(f[f.count - 1])
            else { continue }
            total += drops
        }
        return total
    }
}
