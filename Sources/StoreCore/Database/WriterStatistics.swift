/// What the store's single writer (``GroupCommit``) has done: enough to tell a writer that is the bottleneck
/// (busy nearly all of the wall time, in large groups) from one that waits for work (groups of one, mostly idle).
public struct WriterStatistics: Sendable, Equatable {
    /// Writes committed or refused, each counted once, in whichever group ran it.
    public var writes = 0
    /// Transactions the writer ran for them: a group of one is a write that found the writer idle.
    public var groups = 0
    /// The largest group since the database was opened (also in a ``since(_:)`` difference).
    public var largestGroup = 0
    /// Time spent running groups: BEGIN, the write bodies, and COMMIT with its fsync.
    public var busy = Duration.zero

    public init() {}

    /// What happened between `earlier` and this snapshot.
    public func since(_ earlier: WriterStatistics) -> WriterStatistics {
        var delta = WriterStatistics()
        delta.writes = writes - earlier.writes
        delta.groups = groups - earlier.groups
        delta.largestGroup = largestGroup
        delta.busy = busy - earlier.busy
        return delta
    }
}
