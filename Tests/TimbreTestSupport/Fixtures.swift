/// Paths to the repository's `SampleAudio/` files (small test audio made by
/// `SampleAudio/make-samples.sh`) and to a scratch directory.
public enum Fixtures {
    /// The repository root, found from this file's location.
    public static let repositoryRoot: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/TimbreTestSupport/Fixtures.swift
        return parts.joined(separator: "/")
    }()

    /// `SampleAudio/<name>`.
    public static func sampleAudio(_ name: String) -> String { repositoryRoot + "/SampleAudio/" + name }
}
