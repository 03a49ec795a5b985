/// A usage or input error: `timbre` prints its message as one line on stderr and exits 2.
///
/// The contract (see `CLIEntryPoint`): exit 0 on success, 1 when a command ran and found a
/// problem in what it checked (e.g. an invalid greeting), 2 on usage or input errors.
public struct CLIError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
