import Foundation
import TimbreGreetings

/// The greeting store of TimbreGreetings over HTTP: uploads land in a temporary file, are
/// optionally converted, validated against the configured profile and stored atomically.
struct GreetingService: Sendable {
    let store: GreetingStore
    let profile: GreetingProfile
    let scratch: String

    init(directory: String, profile name: String, limit: Int) throws {
        guard let p = GreetingProfile.named(name) else { throw APIError.badRequest("unknown greeting profile \(name)") }
        profile = p
        store = GreetingStore(root: directory, profile: p)
        scratch = directory + "/.uploads"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    func put(mailbox: String, name: String, data: Data, convert: Bool) throws -> [String: Any] {
        guard !data.isEmpty else { throw APIError(.unprocessableContent, "empty_upload", "the upload is empty") }
        let token = UUID().uuidString
        let raw = "\(scratch)/\(token)"
        var named: String?
        let converted = "\(scratch)/\(token).converted.wav"
        defer {
            try? FileManager.default.removeItem(atPath: raw)
            if let named { try? FileManager.default.removeItem(atPath: named) }
            try? FileManager.default.removeItem(atPath: converted)
        }
        do { try data.write(to: URL(fileURLWithPath: raw)) } catch {
            throw APIError(.init(code: 507, reasonPhrase: "Insufficient Storage"), "storage_error", "cannot store the upload: \(error.localizedDescription)")
        }
        // An upload has no file name, so it is named after what its bytes are: the validator
        // sniffs the content, and the store then sees a name that agrees with it.
        let sniffed: GreetingReport
        do { sniffed = try GreetingValidator(profile: profile).validate(path: raw) } catch {
            throw APIError(.internalServerError, "storage_error", error.description)
        }
        let container = sniffed.format.container
        guard container != .unknown else {
            let problems = sniffed.problems.filter { $0.code != .unsupportedFileType && $0.code != .extensionMismatch }
            throw APIError(
                .unprocessableContent, "invalid_greeting", "not a \(profile.name) greeting: the content is not a known audio format",
                details: ["problems": (problems.isEmpty ? [GreetingIssue(.unrecognisedContent, "The content is not a known audio format.")] : problems)
                    .map { ["code": $0.code.rawValue, "message": $0.message] }])
        }
        let upload = "\(raw).\(container.rawValue)"
        do { try FileManager.default.moveItem(atPath: raw, toPath: upload) } catch {
            throw APIError(.internalServerError, "storage_error", "cannot name the upload: \(error.localizedDescription)")
        }
        named = upload
        var source = upload
        if convert {
            do {
                _ = try GreetingConverter(options: .init(profile: profile)).convert(input: upload, output: converted)
                source = converted
            } catch {
                throw APIError(.unprocessableContent, "conversion_failed", error.description)
            }
        }
        do {
            let g = try addReplacing(mailbox: mailbox, name: name, source: source)
            return describe(g)
        } catch let f as GreetingStore.Failure {
            throw apiError(f)
        }
    }

    /// Stores an already converted file (a greeting captured by phone) under `name`.
    func store(mailbox: String, name: String, path: String) throws -> [String: Any] {
        do {
            return describe(try addReplacing(mailbox: mailbox, name: name, source: path))
        } catch let f as GreetingStore.Failure {
            throw apiError(f)
        }
    }

    /// PUT semantics: a greeting with the same name is replaced once the new one has validated.
    private func addReplacing(mailbox: String, name: String, source: String) throws -> GreetingStore.Greeting {
        do {
            return try store.add(mailbox: mailbox, name: name, from: source)
        } catch .duplicateName {
            let report = try? GreetingValidator(profile: profile).validate(path: source)
            if let report, !report.valid { throw GreetingStore.Failure.invalidGreeting(report) }
            try store.delete(mailbox: mailbox, name: name)
            return try store.add(mailbox: mailbox, name: name, from: source)
        }
    }

    func list(mailbox: String) throws -> [[String: Any]] {
        do { return try store.list(mailbox: mailbox).map(describe) } catch { throw apiError(error) }
    }

    func get(mailbox: String, name: String) throws -> (Data, String) {
        do {
            let g = try store.get(mailbox: mailbox, name: name)
            guard let data = FileManager.default.contents(atPath: g.path) else { throw APIError.notFound("greeting", name) }
            let type = g.path.hasSuffix(".mp3") ? "audio/mpeg" : g.path.hasSuffix(".gsm") ? "audio/x-gsm" : "audio/wav"
            return (data, type)
        } catch let f as GreetingStore.Failure {
            throw apiError(f)
        }
    }

    func delete(mailbox: String, name: String) throws {
        do { try store.delete(mailbox: mailbox, name: name) } catch { throw apiError(error) }
    }

    func describe(_ g: GreetingStore.Greeting) -> [String: Any] {
        let f = g.format
        return [
            "mailbox": g.mailbox, "name": g.name, "sizeBytes": f.sizeBytes,
            "format": [
                "container": f.container.rawValue, "encoding": f.encoding.rawValue, "sampleRate": f.sampleRate ?? 0,
                "channels": f.channels ?? 0, "durationSeconds": f.durationSeconds ?? 0,
            ] as [String: Any],
        ]
    }

    func apiError(_ f: GreetingStore.Failure) -> APIError {
        switch f {
        case .invalidName, .invalidMailbox: return APIError(.badRequest, "invalid_name", f.description)
        case .mailboxFull: return APIError.conflict("mailbox_full", f.description)
        case .duplicateName: return APIError.conflict("duplicate_name", f.description)
        case .notFound: return APIError(.notFound, "not_found", f.description)
        case .invalidGreeting(let r):
            return APIError(
                .unprocessableContent, "invalid_greeting", f.description,
                details: ["problems": r.problems.map { ["code": $0.code.rawValue, "message": $0.message] }])
        case .io(let s): return APIError(.internalServerError, "storage_error", s)
        }
    }
}
