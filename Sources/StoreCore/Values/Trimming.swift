import Foundation

extension String {
    /// `trimmingCharacters(in:)`, without the bridge through `NSString` when neither end needs trimming (the
    /// common case on the tap and sale paths: ids and card UIDs as the readers and tills send them). Public for
    /// the HTTP layer's token check, which runs on every request.
    public func trimmed(_ set: CharacterSet) -> String {
        guard let first = unicodeScalars.first, let last = unicodeScalars.last else { return self }
        if !set.contains(first) && !set.contains(last) { return self }
        return trimmingCharacters(in: set)
    }
}
