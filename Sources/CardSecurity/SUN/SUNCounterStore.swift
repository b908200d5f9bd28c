/// Remembers the highest SUN read counter seen per tag, so a replayed URL or a clone that lags
/// behind the original is rejected.
public protocol SUNCounterStore: Sendable {
    /// Records `counter` for `uid` when it is strictly above the last one seen (or the first seen).
    ///
    /// - Returns: `true` when recorded; `false`, leaving the store unchanged, otherwise. Must be
    ///   atomic: two concurrent calls with the same counter cannot both return `true`.
    func advance(uid: [UInt8], to counter: UInt32) async throws -> Bool

    /// The last counter recorded for `uid`, for error messages and diagnostics.
    func lastCounter(uid: [UInt8]) async throws -> UInt32?
}
