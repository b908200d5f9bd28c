import Foundation

/// Dates on the wire: ISO 8601 UTC with milliseconds, as the store's outbox writes them. Reading also accepts
/// whole seconds.
public enum SyncDate {
    public static func text(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public static func date(_ text: String) -> Date? {
        (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
    }
}
