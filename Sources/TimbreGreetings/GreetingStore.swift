import Foundation

/// Custom greetings per mailbox (extension), on disk under `root/<mailbox>/<name>.<ext>`.
///
/// Rules: at most `maximumPerMailbox` (10, the seeds' limit) greetings per mailbox; names are
/// 1–64 characters of `A–Z a–z 0–9 _ -`, unique per mailbox ignoring case; every stored file
/// passes the store's profile. Writes are atomic: the file is copied to a temporary name in the
/// mailbox directory, synced, then linked into place with `link(2)` (which fails rather than
/// replace an existing name), so readers never see a partial greeting. A per-mailbox `flock`
/// makes the count and name checks hold under concurrent adds from several processes.
public struct GreetingStore: Sendable {
    public let root: String
    public let profile: GreetingProfile
    public static let maximumPerMailbox = 10

    public struct Greeting: Sendable, Equatable {
        public var mailbox: String
        public var name: String
        public var path: String
        public var format: GreetingFormat
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case invalidName(String)
        case invalidMailbox(String)
        case mailboxFull(mailbox: String, limit: Int)
        case duplicateName(String)
        case notFound(String)
        case invalidGreeting(GreetingReport)
        case io(String)

        public var description: String {
            switch self {
            case .invalidName(let n): "invalid greeting name \"\(n)\" (1-64 of A-Z a-z 0-9 _ -)"
            case .invalidMailbox(let m): "invalid mailbox \"\(m)\" (1-32 of A-Z a-z 0-9 _ -)"
            case .mailboxFull(let m, let l): "mailbox \(m) already holds \(l) greetings"
            case .duplicateName(let n): "a greeting named \"\(n)\" already exists"
            case .notFound(let n): "no greeting named \"\(n)\""
            case .invalidGreeting(let r): "not a valid \(r.profile) greeting: \(r.problems.map(\.description).joined(separator: "; "))"
            case .io(let s): s
            }
        }
    }

    public init(root: String, profile: GreetingProfile = .yeastar) {
        self.root = root
        self.profile = profile
    }

    static func validName(_ s: String, max: Int) -> Bool {
        !s.isEmpty && s.utf8.count <= max
            && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2D }
    }

    private func directory(_ mailbox: String) throws(Failure) -> String {
        guard Self.validName(mailbox, max: 32) else { throw .invalidMailbox(mailbox) }
        return root + "/" + mailbox
    }

    /// Greetings in `mailbox`, sorted by name. Files that no longer validate are left out.
    public func list(mailbox: String) throws(Failure) -> [Greeting] {
        let dir = try directory(mailbox)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        var out: [Greeting] = []
        for file in names.sorted() where !file.hasPrefix(".") {
            let name = (file as NSString).deletingPathExtension
            guard Self.validName(name, max: 64), let r = try? GreetingValidator(profile: profile).validate(path: dir + "/" + file), r.valid else { continue }
            out.append(Greeting(mailbox: mailbox, name: name, path: dir + "/" + file, format: r.format))
        }
        return out
    }

    /// The greeting called `name` (ignoring case).
    public func get(mailbox: String, name: String) throws(Failure) -> Greeting {
        guard let g = try list(mailbox: mailbox).first(where: { $0.name.lowercased() == name.lowercased() }) else { throw .notFound(name) }
        return g
    }

    /// Validates `source` and stores a copy as `name`.
    @discardableResult
    public func add(mailbox: String, name: String, from source: String) throws(Failure) -> Greeting {
        let dir = try directory(mailbox)
        guard Self.validName(name, max: 64) else { throw .invalidName(name) }
        let report: GreetingReport
        do { report = try GreetingValidator(profile: profile).validate(path: source) } catch { throw .io(error.description) }
        guard report.valid else { throw .invalidGreeting(report) }
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch { throw .io("\(dir): \(error.localizedDescription)") }
        return try withLock(dir) { () throws(Failure) -> Greeting in
            let existing = try list(mailbox: mailbox)
            if existing.contains(where: { $0.name.lowercased() == name.lowercased() }) { throw .duplicateName(name) }
            guard existing.count < Self.maximumPerMailbox else { throw .mailboxFull(mailbox: mailbox, limit: Self.maximumPerMailbox) }
            let final = dir + "/" + name + "." + report.format.container.rawValue
            let tmp = dir + "/.\(name).tmp-\(getpid())"
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: source))
                guard data.count == report.format.sizeBytes else { throw Failure.io("\(source) changed while being stored") }
                let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw Failure.io("\(tmp): \(String(cString: strerror(errno)))") }
                let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                let synced = fsync(fd) == 0
                close(fd)
                guard written == data.count, synced else { throw Failure.io("\(tmp): short write") }
                guard link(tmp, final) == 0 else {
                    throw errno == EEXIST ? Failure.duplicateName(name) : Failure.io("\(final): \(String(cString: strerror(errno)))")
                }
                unlink(tmp)
            } catch let f as Failure {
                unlink(tmp)
                throw f
            } catch {
                unlink(tmp)
                throw .io("\(source): \(error.localizedDescription)")
            }
            return Greeting(mailbox: mailbox, name: name, path: final, format: report.format)
        }
    }

    /// Removes the greeting called `name`.
    public func delete(mailbox: String, name: String) throws(Failure) {
        let dir = try directory(mailbox)
        // A mailbox never written to has no directory (and no lock file to take): not found,
        // not an I/O error.
        _ = try get(mailbox: mailbox, name: name)
        try withLock(dir) { () throws(Failure) in
            let g = try get(mailbox: mailbox, name: name)
            guard unlink(g.path) == 0 else { throw .io("\(g.path): \(String(cString: strerror(errno)))") }
        }
    }

    private func withLock<T>(_ dir: String, _ body: () throws(Failure) -> T) throws(Failure) -> T {
        let fd = open(dir + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("\(dir)/.lock: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
