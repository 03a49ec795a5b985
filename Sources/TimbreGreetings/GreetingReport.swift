/// The validator's verdict on one file, shaped as `timbre greeting validate --json` prints it.
public struct GreetingReport: Sendable, Codable, Equatable {
    public var file: String
    public var valid: Bool
    public var profile: String
    public var format: GreetingFormat
    public var problems: [GreetingIssue]
    public var warnings: [GreetingIssue]

    public init(file: String, profile: String, format: GreetingFormat, problems: [GreetingIssue], warnings: [GreetingIssue]) {
        self.file = file
        self.valid = problems.isEmpty
        self.profile = profile
        self.format = format
        self.problems = problems
        self.warnings = warnings
    }

    /// True when `code` is among the problems.
    public func has(_ code: GreetingIssue.Code) -> Bool {
        problems.contains { $0.code == code } || warnings.contains { $0.code == code }
    }
}
