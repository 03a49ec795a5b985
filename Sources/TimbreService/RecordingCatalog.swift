import Foundation
import GRDB

/// The recordings catalog: one SQLite row per recording, beside the files, through GRDB.
///
/// The files are the truth for audio; the catalog is the truth for what exists, who was on it
/// and its state. At start-up `RecordingManager.reconcile()` compares the two: a row still
/// "recording" after a crash gets its file repaired and becomes "repaired"; a row whose file is
/// gone becomes "missing"; a file with no row is adopted.
struct RecordingRow: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    static let databaseTableName = "recording"
    var id: String
    var source: String
    var sourceKind: String
    var format: String
    var channels: String
    var sampleRate: Int
    var path: String
    var state: String
    var startedAt: Date
    var endedAt: Date?
    var durationSeconds: Double
    var parties: String
    var error: String?
}

final class RecordingCatalog: Sendable {
    let db: DatabaseQueue

    init(path: String) throws {
        db = try DatabaseQueue(path: path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "recording") { t in
                t.primaryKey("id", .text)
                t.column("source", .text).notNull()
                t.column("sourceKind", .text).notNull()
                t.column("format", .text).notNull()
                t.column("channels", .text).notNull()
                t.column("sampleRate", .integer).notNull()
                t.column("path", .text).notNull().unique()
                t.column("state", .text).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("endedAt", .datetime)
                t.column("durationSeconds", .double).notNull()
                t.column("parties", .text).notNull()
                t.column("error", .text)
            }
            try db.create(index: "recording_startedAt", on: "recording", columns: ["startedAt"])
        }
        try migrator.migrate(db)
    }

    func insert(_ row: RecordingRow) throws { try db.write { try row.insert($0) } }

    func update(_ id: String, _ change: @escaping @Sendable (inout RecordingRow) -> Void) throws {
        try db.write { db in
            guard var row = try RecordingRow.fetchOne(db, key: id) else { return }
            change(&row)
            try row.update(db)
        }
    }

    func get(_ id: String) throws -> RecordingRow? { try db.read { try RecordingRow.fetchOne($0, key: id) } }

    /// Recordings started in [from, to), optionally with `party` among the parties, newest first.
    func list(from: Date?, to: Date?, party: String?, state: String?, limit: Int) throws -> [RecordingRow] {
        try db.read { db in
            var q = RecordingRow.all()
            if let from { q = q.filter(Column("startedAt") >= from) }
            if let to { q = q.filter(Column("startedAt") < to) }
            if let state { q = q.filter(Column("state") == state) }
            if let party {
                // Parties are stored as a JSON array of strings: match a whole element.
                let escaped = party.replacingOccurrences(of: "\"", with: "")
                q = q.filter(Column("parties").like("%\"\(escaped)\"%"))
            }
            return try q.order(Column("startedAt").desc).limit(limit).fetchAll(db)
        }
    }

    func all() throws -> [RecordingRow] { try db.read { try RecordingRow.fetchAll($0) } }

    func delete(_ id: String) throws -> Bool { try db.write { try RecordingRow.deleteOne($0, key: id) } }

    func count() throws -> Int { try db.read { try RecordingRow.fetchCount($0) } }
}
